package allocation_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// Properties of Allocate on generated input: the invariants of DESIGN.md
// ("Invariants"), numbered as there. The generators are allocationtest's,
// which exercise every rule; run with -rapid.checks=N for more cases.

// allocateOK allocates sc and fails the property if Allocate rejects it:
// generated scenarios are valid.
func allocateOK(t *rapid.T, sc allocation.Scenario) allocation.Split {
	t.Helper()
	split, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
	if err != nil {
		t.Fatalf("Allocate rejects a generated scenario: %v", err)
	}
	return split
}

func marshal(t rapid.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%T): %v", v, err)
	}
	return b
}

// Invariants 1 (conservation), 2 (bounds) and, under in_order, 4 (policy
// order), as allocationtest.CheckInvariants states them, on both
// strategies.
func TestPropertyInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := allocationtest.Scenario().Draw(t, "scenario")
		allocationtest.CheckInvariants(t, sc.Bill, sc.Wallet, sc.Policy, allocateOK(t, sc))
	})
}

// Invariant 3: the same inputs give the same Split byte for byte, and the
// order of the wallet changes nothing.
func TestPropertyDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := allocationtest.Scenario().Draw(t, "scenario")
		want := marshal(t, allocateOK(t, sc))
		if again := marshal(t, allocateOK(t, sc)); !bytes.Equal(again, want) {
			t.Fatalf("second call differs:\n%s\n%s", want, again)
		}
		permuted := sc
		permuted.Wallet = rapid.Permutation(sc.Wallet).Draw(t, "wallet order")
		if got := marshal(t, allocateOK(t, permuted)); !bytes.Equal(got, want) {
			t.Fatalf("permuting the wallet changes the split:\n%s\n%s", want, got)
		}
	})
}

// Invariant 3, max_coverage: permuting the lines leaves every instrument's
// used unchanged. (Percentage discounts hand their remainder units to the
// smaller line id, not the earlier line, so that this holds with them too.)
func TestPropertyMaxCoverageIgnoresLineOrder(t *testing.T) {
	k := allocationtest.Knobs{Strategy: allocation.MaxCoverage}
	rapid.Check(t, func(t *rapid.T) {
		sc := k.Scenario().Draw(t, "scenario")
		want := allocateOK(t, sc)
		permuted := sc
		permuted.Bill.Lines = rapid.Permutation(sc.Bill.Lines).Draw(t, "line order")
		got := allocateOK(t, permuted)
		for i, w := range want.Instruments {
			if g := got.Instruments[i]; !g.Used.Equal(w.Used) {
				t.Fatalf("permuting the lines changes what %s uses: %s, then %s", w.ID, w.Used, g.Used)
			}
		}
	})
}

// stepKeysOtherThanDeduction are the order keys that do not depend on
// balances.
var stepKeysOtherThanDeduction = []allocation.OrderKey{allocation.ExpiresFirst, allocation.PriorityOrder, allocation.OldestFirst, allocation.SpecificFirst}

// Invariant 5: adding balance or overdraft to a stored-value instrument
// never increases outstanding.
//
// Not with largest_first or smallest_first: those order a step by the
// deduction each instrument could make, which depends on its balance, and a
// reordered greedy step can cover less. TestMonotonicityLargestFirst shows
// the minimal case; the design states both rules, so that is a
// contradiction in the specification, reported, not a bug to hide here.
func TestPropertyMonotone(t *testing.T) {
	k := allocationtest.Knobs{OrderKeys: stepKeysOtherThanDeduction}
	rapid.Check(t, func(t *rapid.T) {
		sc := k.Scenario().Draw(t, "scenario")
		checkMonotone(t, sc)
	})
}

func checkMonotone(t *rapid.T, sc allocation.Scenario) {
	var stored []int
	for i, in := range sc.Wallet {
		if !in.IsPercent() {
			stored = append(stored, i)
		}
	}
	if len(stored) == 0 {
		return // nothing to give more to
	}
	before := allocateOK(t, sc)
	i := rapid.SampledFrom(stored).Draw(t, "instrument")
	places := allocation.MinorUnits(sc.Bill.Currency)
	more := decimal.New(rapid.Int64Range(1, 20000).Draw(t, "more (minor units)"), -places)
	richer := sc
	richer.Wallet = slices.Clone(sc.Wallet)
	if rapid.Bool().Draw(t, "overdraft") {
		richer.Wallet[i].Overdraft = richer.Wallet[i].Overdraft.Add(more)
	} else {
		richer.Wallet[i].Balance = richer.Wallet[i].Balance.Add(more)
	}
	after := allocateOK(t, richer)
	if after.Outstanding.GreaterThan(before.Outstanding) {
		t.Fatalf("giving %s %s more raises outstanding from %s to %s", sc.Wallet[i].ID, more, before.Outstanding, after.Outstanding)
	}
}

// The minimal case where largest_first and monotonicity (invariant 5)
// disagree. One step ordered largest_first; lines L1 = L2 = 10; A may pay
// both lines, B only L1.
//
//	A = 5: B (8) goes first, pays 8 of L1; A pays 2 of L1 and 3 of L2: 7 outstanding.
//	A = 9: A (9) goes first, pays 9 of L1; B pays the last 1 of L1: 10 outstanding.
//
// Both runs follow the documented rules, so this pins the behaviour until
// the design settles which rule gives way.
func TestMonotonicityLargestFirst(t *testing.T) {
	bill := allocationtest.NewBill(
		allocationtest.Line("L1", "ecs", "compute", "10"),
		allocationtest.Line("L2", "ebs", "storage", "10"),
	)
	b := allocationtest.Voucher("B", "8", "")
	b.Scope.Products = []string{"ecs"}
	step := allocationtest.Step("vouchers", "voucher")
	step.Order = []allocation.OrderKey{allocation.LargestFirst}
	policy := allocationtest.NewPolicy(step)
	outstanding := func(a string) string {
		split, err := allocation.Allocate(bill, allocation.Wallet{allocationtest.Voucher("A", a, ""), b}, policy)
		if err != nil {
			t.Fatal(err)
		}
		return split.Outstanding.String()
	}
	if got5, got9 := outstanding("5"), outstanding("9"); got5 != "7" || got9 != "10" {
		t.Errorf("outstanding with A = 5 and 9: %s and %s, want 7 and 10 (the documented rules, contradicting invariant 5)", got5, got9)
	}
}

// How amounts are written does not change the split: percentage discounts
// are spread in units of the rounding, not of the working scale. (It did:
// in JPY, a 15 % coupon on two lines of 10 and a voucher for L2 only left 8
// outstanding with the voucher written "10" and 8.5 with "10.0" or "10.5",
// so more money left more outstanding, against invariant 5.)
func TestSplitDoesNotDependOnNotation(t *testing.T) {
	bill := allocationtest.NewBill(
		allocationtest.Line("L1", "a", "", "10"),
		allocationtest.Line("L2", "b", "", "10"),
	)
	bill.Currency = "JPY"
	coupon := allocationtest.PercentCoupon("P", "15", "")
	coupon.Currency = "JPY"
	outstanding := func(balance string) string {
		v := allocationtest.Voucher("V", balance, "")
		v.Currency = "JPY"
		v.Scope.Products = []string{"b"}
		split, err := allocation.Allocate(bill, allocation.Wallet{coupon, v}, allocationtest.NewPolicy())
		if err != nil {
			t.Fatal(err)
		}
		return split.Outstanding.String()
	}
	got := []string{outstanding("10"), outstanding("10.0"), outstanding("10.5")}
	if want := []string{"8", "8", "8"}; !slices.Equal(got, want) {
		t.Errorf("outstanding with the voucher at 10, 10.0 and 10.5: %v, want %v", got, want)
	}
}

// The same, on generated scenarios: writing amounts with more trailing
// zeros changes no amount of the split. Only where every amount is a whole
// number of rounding units (and the rounding is not strict): a finer
// amount makes the rest of a discount spread in units of the working
// scale, which notation sets, as documented on applyDiscount.
func TestPropertyNotationDoesNotMatter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := allocationtest.Scenario().Draw(t, "scenario")
		_, places, _ := workingScale(sc.Bill, sc.Wallet, sc.Policy)
		rewritten := deepCopy(sc)
		var amounts []*decimal.Decimal
		for i := range rewritten.Bill.Lines {
			amounts = append(amounts, &rewritten.Bill.Lines[i].Amount)
		}
		for i := range rewritten.Wallet {
			in := &rewritten.Wallet[i]
			if !in.IsPercent() || in.Capped {
				amounts = append(amounts, &in.Balance)
			}
			amounts = append(amounts, &in.Overdraft, &in.MinSpend)
		}
		for _, d := range amounts {
			if !d.Shift(places).IsInteger() || sc.Policy.Rounding.Strict {
				return // an amount finer than the rounding, or no room for zeros
			}
		}
		for _, d := range amounts {
			if rapid.Bool().Draw(t, "more zeros") {
				*d = d.Add(decimal.New(0, d.Exponent()-int32(rapid.IntRange(1, 3).Draw(t, "how many"))))
			}
		}
		if d := allocationtest.Diff(allocateOK(t, sc), allocateOK(t, rewritten)); d != "" {
			t.Fatalf("trailing zeros change the split (-as drawn +rewritten):\n%s", d)
		}
	})
}

// jsonOptions compare decoded values with the originals: by value, and
// with empty lists equal to missing ones.
func jsonOptions() cmp.Options {
	return cmp.Options{allocationtest.Options(), cmpopts.EquateEmpty()}
}

// Bill, Wallet, Policy and Split survive a JSON round trip, and a scenario
// read back from JSON allocates to the same bytes.
func TestPropertyJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := allocationtest.Scenario().Draw(t, "scenario")
		roundTrip(t, sc.Bill, new(allocation.Bill))
		roundTrip(t, sc.Wallet, new(allocation.Wallet))
		roundTrip(t, sc.Policy, new(allocation.Policy))

		split := allocateOK(t, sc)
		data := marshal(t, split)
		var back allocation.Split
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("decoding a split: %v\n%s", err, data)
		}
		if d := allocationtest.Diff(split, back, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("split changed in a round trip (-before +after):\n%s", d)
		}
		if again := marshal(t, back); !bytes.Equal(again, data) {
			t.Fatalf("a decoded split encodes differently:\n%s\n%s", data, again)
		}

		parsed, err := allocation.ParseScenario(marshal(t, sc))
		if err != nil {
			t.Fatalf("ParseScenario of an encoded scenario: %v", err)
		}
		if got := marshal(t, allocateOK(t, parsed)); !bytes.Equal(got, data) {
			t.Fatalf("the scenario read back from JSON allocates differently:\n%s\n%s", data, got)
		}
	})
}

// roundTrip encodes v, decodes it into ptr and compares.
func roundTrip[V any](t *rapid.T, v V, ptr *V) {
	t.Helper()
	data := marshal(t, v)
	if err := json.Unmarshal(data, ptr); err != nil {
		t.Fatalf("decoding %T: %v\n%s", v, err, data)
	}
	if d := cmp.Diff(v, *ptr, jsonOptions()); d != "" {
		t.Fatalf("%T changed in a JSON round trip (-before +after):\n%s\n%s", v, d, data)
	}
}

// Allocate never changes its arguments.
func TestPropertyInputsUnchanged(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := allocationtest.Scenario().Draw(t, "scenario")
		before := deepCopy(sc)
		allocateOK(t, sc)
		if d := cmp.Diff(before, sc, allocationtest.Options()); d != "" {
			t.Fatalf("Allocate changed its input (-before +after):\n%s", d)
		}
		// Also exactly: decimals as written, times in their zones.
		if !bytes.Equal(marshal(t, before), marshal(t, sc)) {
			t.Fatalf("Allocate changed how its input is written")
		}
	})
}

// deepCopy copies every slice of sc, so that a change Allocate makes
// through one shows.
func deepCopy(sc allocation.Scenario) allocation.Scenario {
	c := sc
	c.Bill.Lines = slices.Clone(sc.Bill.Lines)
	c.Bill.ExcludeInstruments = slices.Clone(sc.Bill.ExcludeInstruments)
	c.Bill.ExcludeKinds = slices.Clone(sc.Bill.ExcludeKinds)
	c.Wallet = slices.Clone(sc.Wallet)
	for i, in := range c.Wallet {
		s := &c.Wallet[i].Scope
		s.Products, s.ExcludeProducts = slices.Clone(in.Scope.Products), slices.Clone(in.Scope.ExcludeProducts)
		s.Categories, s.ExcludeCategories = slices.Clone(in.Scope.Categories), slices.Clone(in.Scope.ExcludeCategories)
		s.Modes, s.ExcludeModes = slices.Clone(in.Scope.Modes), slices.Clone(in.Scope.ExcludeModes)
	}
	c.Policy.Steps = slices.Clone(sc.Policy.Steps)
	for i, s := range c.Policy.Steps {
		c.Policy.Steps[i].Kinds = slices.Clone(s.Kinds)
		c.Policy.Steps[i].Order = slices.Clone(s.Order)
	}
	c.Policy.Restrictions = slices.Clone(sc.Policy.Restrictions)
	for i, r := range c.Policy.Restrictions {
		c.Policy.Restrictions[i].Categories = slices.Clone(r.Categories)
		c.Policy.Restrictions[i].Products = slices.Clone(r.Products)
		c.Policy.Restrictions[i].AllowKinds = slices.Clone(r.AllowKinds)
	}
	return c
}

// Allocate under in_order agrees with the slow reference, allocation by
// allocation, reason by reason.
func TestPropertyMatchesReference(t *testing.T) {
	checkMatchesReference(t, allocationtest.Knobs{Strategy: allocation.InOrder})
}

// The same on bills of up to 40 lines and wallets of up to 30 instruments,
// where the engine indexes lines by product and category and instruments
// of one kind scoped to the same product share their list of lines.
func TestPropertyMatchesReferenceBigBills(t *testing.T) {
	checkMatchesReference(t, allocationtest.Knobs{Strategy: allocation.InOrder, MaxLines: 40, MaxInstruments: 30})
}

// checkMatchesReference checks Allocate against referenceAllocate on
// scenarios drawn from k.
func checkMatchesReference(t *testing.T, k allocationtest.Knobs) {
	rapid.Check(t, func(t *rapid.T) {
		sc := k.Scenario().Draw(t, "scenario")
		got := allocateOK(t, sc)
		want := referenceAllocate(sc.Bill, sc.Wallet, sc.Policy)
		if d := allocationtest.Diff(want, got); d != "" {
			t.Fatalf("Allocate differs from the reference (-reference +Allocate):\n%s\nscenario: %s", d, marshal(t, sc))
		}
	})
}

// The reference is itself checked: it passes the invariants.
func TestPropertyReferenceInvariants(t *testing.T) {
	k := allocationtest.Knobs{Strategy: allocation.InOrder}
	rapid.Check(t, func(t *rapid.T) {
		sc := k.Scenario().Draw(t, "scenario")
		allocationtest.CheckInvariants(t, sc.Bill, sc.Wallet, sc.Policy, referenceAllocate(sc.Bill, sc.Wallet, sc.Policy))
	})
}

// Split.Equal, which go-cmp uses, must compare every field of a Split,
// amounts by value.
func TestSplitEqualComparesEveryField(t *testing.T) {
	bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "10"), allocationtest.Line("L2", "", "", "1"))
	wallet := allocation.Wallet{allocationtest.PercentCoupon("P", "10", ""), allocationtest.Cash("X", "4"), allocationtest.Gift("G", "0")}
	a, err := allocation.Allocate(bill, wallet, allocationtest.NewPolicy())
	if err != nil {
		t.Fatal(err)
	}
	one := decimal.NewFromInt(1)
	for name, change := range map[string]func(s *allocation.Split){
		"Bill":                     func(s *allocation.Split) { s.Bill = "other" },
		"Currency":                 func(s *allocation.Split) { s.Currency = "EUR" },
		"Total":                    func(s *allocation.Split) { s.Total = s.Total.Add(one) },
		"Discounted":               func(s *allocation.Split) { s.Discounted = s.Discounted.Add(one) },
		"Paid":                     func(s *allocation.Split) { s.Paid = s.Paid.Add(one) },
		"Outstanding":              func(s *allocation.Split) { s.Outstanding = s.Outstanding.Add(one) },
		"Invoiceable":              func(s *allocation.Split) { s.Invoiceable = s.Invoiceable.Add(one) },
		"Allocations":              func(s *allocation.Split) { s.Allocations = s.Allocations[1:] },
		"Allocation.Instrument":    func(s *allocation.Split) { s.Allocations[0].Instrument = "other" },
		"Allocation.Line":          func(s *allocation.Split) { s.Allocations[0].Line = "other" },
		"Allocation.Step":          func(s *allocation.Split) { s.Allocations[0].Step = "other" },
		"Allocation.Amount":        func(s *allocation.Split) { s.Allocations[0].Amount = s.Allocations[0].Amount.Add(one) },
		"Instruments":              func(s *allocation.Split) { s.Instruments = s.Instruments[1:] },
		"InstrumentResult.ID":      func(s *allocation.Split) { s.Instruments[0].ID = "other" },
		"InstrumentResult.Used":    func(s *allocation.Split) { s.Instruments[0].Used = s.Instruments[0].Used.Add(one) },
		"InstrumentResult.After":   func(s *allocation.Split) { s.Instruments[0].BalanceAfter = s.Instruments[0].BalanceAfter.Add(one) },
		"InstrumentResult.Skipped": func(s *allocation.Split) { s.Instruments[0].Skipped = []allocation.Reason{allocation.ReasonExpired} },
		"Lines":                    func(s *allocation.Split) { s.Lines = s.Lines[1:] },
		"LineResult.ID":            func(s *allocation.Split) { s.Lines[0].ID = "other" },
		"LineResult.Amount":        func(s *allocation.Split) { s.Lines[0].Amount = s.Lines[0].Amount.Add(one) },
		"LineResult.Discounted":    func(s *allocation.Split) { s.Lines[0].Discounted = s.Lines[0].Discounted.Add(one) },
		"LineResult.Covered":       func(s *allocation.Split) { s.Lines[0].Covered = s.Lines[0].Covered.Add(one) },
		"LineResult.Outstanding":   func(s *allocation.Split) { s.Lines[0].Outstanding = s.Lines[0].Outstanding.Add(one) },
	} {
		b := a
		b.Allocations = slices.Clone(a.Allocations)
		b.Instruments = slices.Clone(a.Instruments)
		b.Lines = slices.Clone(a.Lines)
		change(&b)
		if a.Equal(b) || b.Equal(a) {
			t.Errorf("Split.Equal ignores a change of %s", name)
		}
	}
	c := a
	c.Total = c.Total.Add(decimal.New(0, -6)) // the same value, written with more decimals
	if !a.Equal(c) {
		t.Errorf("Split.Equal compares decimals by how they are written")
	}
}

// Invariant 6, first half: max_coverage covers at least as much as
// in_order. (Discounts do not depend on the strategy.)
func TestPropertyMaxCoverageCoversAtLeastInOrder(t *testing.T) {
	k := allocationtest.Knobs{Strategy: allocation.InOrder}
	rapid.Check(t, func(t *rapid.T) {
		sc := k.Scenario().Draw(t, "scenario")
		inOrder := allocateOK(t, sc)
		sc.Policy.Strategy = allocation.MaxCoverage
		maxCov := allocateOK(t, sc)
		if maxCov.Outstanding.GreaterThan(inOrder.Outstanding) {
			t.Fatalf("max_coverage leaves %s outstanding, in_order %s", maxCov.Outstanding, inOrder.Outstanding)
		}
	})
}
