package allocationtest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
	"github.com/shopspring/decimal"
)

// recorder is a TB that keeps what CheckInvariants reports.
type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// kingsoftLike is a scenario touching most rules: a capped coupon, a scoped
// voucher, an expired one, a gift balance, a credit line drawn into its
// limit, a cash balance in another currency, and SMS reserved to cash
// (Guance, 002_974120889ed2e661.txt).
func kingsoftLike() (allocation.Bill, allocation.Wallet, allocation.Policy) {
	bill := allocationtest.NewBill(
		allocationtest.Line("L1", "ecs", "compute", "120.00"),
		allocationtest.Line("L2", "ebs", "storage", "80.00"),
		allocationtest.Line("L3", "sms", "sms", "10.00"),
	)
	v1 := allocationtest.Voucher("V1", "50", "2024-07-01")
	v1.Scope.Products = []string{"ecs"}
	cash := allocationtest.Cash("X1", "500")
	cash.Currency = "USD"
	wallet := allocation.Wallet{
		allocationtest.Gift("G1", "40"),
		allocationtest.CreditLine("C1", "100"),
		allocationtest.PercentCoupon("P1", "10", "5"),
		v1,
		allocationtest.Voucher("V2", "30", "2024-05-01"),
		cash,
	}
	credit := allocationtest.Step("credit", "credit_line")
	credit.Draw = allocation.DrawAll
	policy := allocationtest.NewPolicy(
		allocationtest.Step("coupons", "discount_voucher"),
		allocationtest.Step("vouchers", "voucher"),
		allocationtest.Step("gift", "gift"),
		allocationtest.Step("cash", "cash"),
		credit,
	)
	policy.Restrictions = []allocation.Restriction{{Categories: []string{"sms"}, AllowKinds: []string{"cash"}}}
	return bill, wallet, policy
}

// fataler is what *testing.T and *rapid.T share for mustAllocate.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func mustAllocate(t fataler, bill allocation.Bill, wallet allocation.Wallet, policy allocation.Policy) allocation.Split {
	t.Helper()
	split, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		t.Fatalf("Allocate rejects the input: %v", err)
	}
	return split
}

func TestCheckInvariantsAcceptsAllocate(t *testing.T) {
	bill, wallet, policy := kingsoftLike()
	split := mustAllocate(t, bill, wallet, policy)
	var r recorder
	allocationtest.CheckInvariants(&r, bill, wallet, policy, split)
	if len(r.errors) > 0 {
		t.Fatalf("CheckInvariants rejects Allocate's split:\n%s", strings.Join(r.errors, "\n"))
	}
}

// cloneSplit copies s deeply enough that changing the copy leaves s as it
// was.
func cloneSplit(s allocation.Split) allocation.Split {
	c := s
	c.Allocations = slices.Clone(s.Allocations)
	c.Lines = slices.Clone(s.Lines)
	c.Instruments = slices.Clone(s.Instruments)
	for i := range c.Instruments {
		c.Instruments[i].Skipped = slices.Clone(s.Instruments[i].Skipped)
	}
	return c
}

func findAlloc(s allocation.Split, ins, line string) int {
	return slices.IndexFunc(s.Allocations, func(a allocation.Allocation) bool { return a.Instrument == ins && a.Line == line })
}

func findIns(s allocation.Split, id string) int {
	return slices.IndexFunc(s.Instruments, func(r allocation.InstrumentResult) bool { return r.ID == id })
}

// adjust makes instrument ins (of wallet) discount or pay d more on line
// li (an index), keeping every sum of s consistent, so that only the rules
// about who may pay what, and how much, can notice.
func adjust(s *allocation.Split, wallet allocation.Wallet, ins string, li int, d decimal.Decimal) {
	in := wallet[slices.IndexFunc(wallet, func(in allocation.Instrument) bool { return in.ID == ins })]
	k := findAlloc(*s, ins, s.Lines[li].ID)
	s.Allocations[k].Amount = s.Allocations[k].Amount.Add(d)
	if in.IsPercent() {
		s.Lines[li].Discounted = s.Lines[li].Discounted.Add(d)
		s.Discounted = s.Discounted.Add(d)
	} else {
		s.Lines[li].Covered = s.Lines[li].Covered.Add(d)
		s.Paid = s.Paid.Add(d)
		if in.Invoiceable {
			s.Invoiceable = s.Invoiceable.Add(d)
		}
	}
	s.Lines[li].Outstanding = s.Lines[li].Outstanding.Sub(d)
	s.Outstanding = s.Outstanding.Sub(d)
	s.Invoiceable = s.Invoiceable.Sub(d)
	i := findIns(*s, ins)
	s.Instruments[i].Used = s.Instruments[i].Used.Add(d)
	s.Instruments[i].BalanceAfter = s.Instruments[i].BalanceAfter.Sub(d)
}

// Each corruption of a valid split must be reported, by the rule that
// catches it: the checker is only worth something if it can fail.
func TestCheckInvariantsCatchesCorruptions(t *testing.T) {
	bill, wallet, policy := kingsoftLike()
	base := mustAllocate(t, bill, wallet, policy)
	cent := allocationtest.Dec("0.01")
	more := func(ins string, li int) func(*allocation.Split) {
		return func(s *allocation.Split) { adjust(s, wallet, ins, li, cent) }
	}
	less := func(ins string, li int) func(*allocation.Split) {
		return func(s *allocation.Split) { adjust(s, wallet, ins, li, cent.Neg()) }
	}
	tests := []struct {
		name    string
		corrupt func(s *allocation.Split)
		want    string // a fragment of the report
	}{
		{"wrong bill id", func(s *allocation.Split) { s.Bill = "B2" }, `split bill "B2"`},
		{"wrong currency", func(s *allocation.Split) { s.Currency = "EUR" }, "split currency"},
		{"line lost", func(s *allocation.Split) { s.Lines = s.Lines[:2] }, "2 line results for 3 bill lines"},
		{"lines reordered", func(s *allocation.Split) { s.Lines[0], s.Lines[1] = s.Lines[1], s.Lines[0] }, "lines in bill order"},
		{"line amount changed", func(s *allocation.Split) { s.Lines[2].Amount = s.Lines[2].Amount.Add(cent) }, `line "L3": amount`},
		{"instrument lost", func(s *allocation.Split) { s.Instruments = s.Instruments[1:] }, "5 instrument results for 6"},
		{"instrument twice", func(s *allocation.Split) { s.Instruments[1] = s.Instruments[0] }, "more than one result"},
		{"instrument unknown", func(s *allocation.Split) { s.Instruments[0].ID = "ZZ" }, "not in the wallet"},
		{"instruments unsorted", func(s *allocation.Split) {
			s.Instruments[0], s.Instruments[1] = s.Instruments[1], s.Instruments[0]
		}, "not sorted by id"},
		{"allocation to unknown line", func(s *allocation.Split) { s.Allocations[0].Line = "L9" }, "unknown instrument"},
		{"zero allocation", func(s *allocation.Split) {
			s.Allocations = append(s.Allocations, allocation.Allocation{Instrument: "C1", Line: "L2", Step: "credit"})
		}, "is not positive"},
		{"line covered changed", func(s *allocation.Split) { s.Lines[1].Covered = s.Lines[1].Covered.Add(cent) }, `line "L2": covered`},
		{"line discounted changed", func(s *allocation.Split) { s.Lines[0].Discounted = s.Lines[0].Discounted.Sub(cent) }, `line "L1": discounted`},
		{"line does not add up", func(s *allocation.Split) { s.Lines[2].Outstanding = s.Lines[2].Outstanding.Add(cent) }, "want the amount"},
		{"negative outstanding", func(s *allocation.Split) {
			s.Lines[2].Outstanding = s.Lines[2].Outstanding.Neg()
		}, "negative part"},
		{"total wrong", func(s *allocation.Split) { s.Total = s.Total.Add(cent) }, "want the sum of the lines"},
		{"paid wrong", func(s *allocation.Split) { s.Paid = s.Paid.Add(cent) }, "want the sums over lines"},
		{"invoiceable wrong", func(s *allocation.Split) { s.Invoiceable = s.Invoiceable.Sub(cent) }, "invoiceable"},
		{"used wrong", func(s *allocation.Split) {
			i := findIns(*s, "G1")
			s.Instruments[i].Used = s.Instruments[i].Used.Add(cent)
		}, `instrument "G1": used`},
		{"balance after wrong", func(s *allocation.Split) {
			i := findIns(*s, "V2")
			s.Instruments[i].BalanceAfter = decimal.Zero
		}, `instrument "V2": balance_after`},
		{"reason on a used instrument", func(s *allocation.Split) {
			i := findIns(*s, "G1")
			s.Instruments[i].Skipped = []allocation.Reason{allocation.ReasonNothingLeft}
		}, "but skipped for"},
		{"wrong reason", func(s *allocation.Split) {
			i := findIns(*s, "V2")
			s.Instruments[i].Skipped = []allocation.Reason{allocation.ReasonNothingLeft}
		}, `instrument "V2": unused, skipped for [nothing_left], want [expired]`},
		{"no reason", func(s *allocation.Split) {
			i := findIns(*s, "X1")
			s.Instruments[i].Skipped = nil
		}, `instrument "X1": unused`},
		{"ineligible instrument pays", func(s *allocation.Split) {
			k := findAlloc(*s, "G1", "L1")
			s.Allocations[k].Instrument = "V2" // expired
			s.Instruments[findIns(*s, "V2")].Used = s.Allocations[k].Amount
		}, "V2 pays line L1 it is not eligible for"},
		{"restricted line paid", func(s *allocation.Split) {
			k := findAlloc(*s, "C1", "L2")
			s.Allocations[k].Line = "L3"
		}, "C1 pays line L3 it is not eligible for"},
		{"discount after payment", func(s *allocation.Split) {
			s.Allocations[0], s.Allocations[len(s.Allocations)-1] = s.Allocations[len(s.Allocations)-1], s.Allocations[0]
		}, "discounts come first"},
		{"wrong step", func(s *allocation.Split) { s.Allocations[findAlloc(*s, "G1", "L1")].Step = "vouchers" }, `step "vouchers" does not draw G1`},
		{"steps out of order", func(s *allocation.Split) {
			g, c := findAlloc(*s, "G1", "L1"), findAlloc(*s, "C1", "L1")
			s.Allocations[g], s.Allocations[c] = s.Allocations[c], s.Allocations[g]
		}, "comes before step"},
		{"percent in two runs", func(s *allocation.Split) {
			p, v := findAlloc(*s, "P1", "L2"), findAlloc(*s, "V1", "L1")
			s.Allocations[p], s.Allocations[v] = s.Allocations[v], s.Allocations[p]
		}, "P1 applied more than once"},
		{"percent applied twice", func(s *allocation.Split) {
			k := findAlloc(*s, "P1", "L2")
			s.Allocations[k].Step = "credit"
		}, "does not draw P1"},
		{"gift overdrawn", more("G1", 0), "beyond what it may draw"},
		{"coupon beyond its cap", func(s *allocation.Split) { more("P1", 0)(s); less("C1", 0)(s) }, "beyond its cap"},
		{"credit line idles", less("C1", 1), `instrument "C1" has 0.01 left to pay but its line "L2" is outstanding`},
		{"gift leaves room for a later step", less("G1", 0), `G1 of earlier step "gift" still has 0.01`},
		{"lines out of bill order", func(s *allocation.Split) {
			a, b := findAlloc(*s, "C1", "L1"), findAlloc(*s, "C1", "L2")
			s.Allocations[a], s.Allocations[b] = s.Allocations[b], s.Allocations[a]
		}, "not in bill order"},
		{"payment split in two runs", func(s *allocation.Split) {
			k := findAlloc(*s, "C1", "L1")
			s.Allocations = slices.Insert(s.Allocations, k, allocation.Allocation{Instrument: "C1", Line: "L1", Step: "credit", Amount: cent})
			s.Allocations[k+1].Amount = s.Allocations[k+1].Amount.Sub(cent)
			g := findAlloc(*s, "G1", "L1")
			s.Allocations[k], s.Allocations[g] = s.Allocations[g], s.Allocations[k]
		}, "more than one run"},
		{"earlier line skipped", func(s *allocation.Split) { less("C1", 0)(s); more("C1", 1)(s) }, `left its earlier line "L1" outstanding`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cloneSplit(base)
			tt.corrupt(&s)
			var r recorder
			allocationtest.CheckInvariants(&r, bill, wallet, policy, s)
			if len(r.errors) != 1 {
				t.Fatalf("CheckInvariants reported %d failures, want 1", len(r.errors))
			}
			if !strings.Contains(r.errors[0], tt.want) {
				t.Errorf("report does not mention %q:\n%s", tt.want, r.errors[0])
			}
		})
	}
	// The corruptions worked on copies.
	var r recorder
	allocationtest.CheckInvariants(&r, bill, wallet, policy, base)
	if len(r.errors) > 0 {
		t.Fatalf("base split changed:\n%s", r.errors[0])
	}
}

// A host that rounds a Split's lines, forgetting the totals, is caught.
func TestCheckInvariantsReportsAtMostAFewProblems(t *testing.T) {
	bill, wallet, policy := kingsoftLike()
	s := mustAllocate(t, bill, wallet, policy)
	for i := range s.Lines {
		s.Lines[i].Outstanding = s.Lines[i].Outstanding.Add(allocationtest.Dec("1"))
		s.Lines[i].Covered = s.Lines[i].Covered.Add(allocationtest.Dec("1"))
		s.Lines[i].Discounted = s.Lines[i].Discounted.Add(allocationtest.Dec("1"))
	}
	for i := range s.Instruments {
		s.Instruments[i].Used = s.Instruments[i].Used.Add(allocationtest.Dec("1"))
	}
	var r recorder
	allocationtest.CheckInvariants(&r, bill, wallet, policy, s)
	if len(r.errors) != 1 {
		t.Fatalf("got %d reports, want 1", len(r.errors))
	}
	for _, want := range []string{"… and ", `scenario: {"policy":`, `split: {"bill":`} {
		if !strings.Contains(r.errors[0], want) {
			t.Errorf("report lacks %q:\n%s", want, r.errors[0])
		}
	}
}

// The first step counts too: a step index of 0 is a step.
func TestCheckInvariantsCatchesOverdrawInFirstStep(t *testing.T) {
	bill := allocationtest.NewBill(allocationtest.Line("L1", "", "", "10"))
	wallet := allocation.Wallet{allocationtest.Gift("G1", "4"), allocationtest.Gift("G2", "4")}
	policy := allocationtest.NewPolicy() // the implicit step, index 0
	s := mustAllocate(t, bill, wallet, policy)
	adjust(&s, wallet, "G1", 0, allocationtest.Dec("1"))
	var r recorder
	allocationtest.CheckInvariants(&r, bill, wallet, policy, s)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], `G1 has paid 5 by step "default", beyond what it may draw there (4)`) {
		t.Errorf("an overdrawn gift in the first step goes unreported: %q", r.errors)
	}
}

// What only in_order promises is not asked of max_coverage: there an
// instrument may record its lines in any order.
func TestCheckInvariantsInOrderRulesOnlyForInOrder(t *testing.T) {
	bill, wallet, policy := kingsoftLike()
	s := mustAllocate(t, bill, wallet, policy)
	a, b := findAlloc(s, "C1", "L1"), findAlloc(s, "C1", "L2")
	s.Allocations[a], s.Allocations[b] = s.Allocations[b], s.Allocations[a]
	for _, strategy := range []allocation.Strategy{allocation.InOrder, ""} {
		var r recorder
		policy.Strategy = strategy
		allocationtest.CheckInvariants(&r, bill, wallet, policy, s)
		if len(r.errors) != 1 {
			t.Errorf("strategy %q: lines out of bill order go unreported", strategy)
		}
	}
	var r recorder
	policy.Strategy = allocation.MaxCoverage
	allocationtest.CheckInvariants(&r, bill, wallet, policy, s)
	if len(r.errors) != 0 {
		t.Errorf("max_coverage held to in_order's rules:\n%s", r.errors[0])
	}
}
