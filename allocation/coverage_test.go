package allocation_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/billfold/billfold/allocation"
)

func TestMaxCoverageScopedVoucherIsNotStarved(t *testing.T) {
	// Issue 4: VB (general) must not take the only line VA (kec only) can pay.
	policy := func(strategy string) string {
		return `{"strategy":"` + strategy + `","steps":[{"name":"vouchers","kinds":["voucher"],"order":["expires_first","largest_first"]}]}`
	}
	bill := `{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[
		{"id":"kec","product":"kec","amount":"30.00"},{"id":"rds","product":"rds","amount":"100.00"}]}`
	wallet := `[{"id":"VA","kind":"voucher","currency":"CNY","balance":"50","scope":{"products":["kec"]}},
		{"id":"VB","kind":"voucher","currency":"CNY","balance":"80"}]`
	runRows(t, []row{{
		name:        "in_order_is_greedy",
		reason:      "issue 4: in_order lets VB pay kec 30 + rds 50, VA finds nothing left",
		scenario:    scenario(policy("in_order"), bill, wallet),
		allocs:      []string{"VB kec vouchers 30.00", "VB rds vouchers 50.00"},
		skipped:     map[string][]allocation.Reason{"VA": {allocation.ReasonNothingLeft}},
		outstanding: "50.00",
	}, {
		name:        "max_coverage_reroutes",
		reason:      "issue 4: max_coverage leaves only 20.00 outstanding (VA → kec 30, VB → rds 80)",
		scenario:    scenario(policy("max_coverage"), bill, wallet),
		allocs:      []string{"VB rds vouchers 80.00", "VA kec vouchers 30.00"},
		outstanding: "20.00",
	}, {
		name:   "max_coverage_nothing_left",
		reason: "issue 4: an instrument unused under max_coverage says nothing_left when earlier ones covered its lines",
		scenario: scenario(policy("max_coverage"), bill, `[{"id":"VA","kind":"voucher","currency":"CNY","balance":"50","scope":{"products":["kec"]}},
			{"id":"VB","kind":"voucher","currency":"CNY","balance":"800","valid_until":"2024-07-01T00:00:00Z"}]`),
		allocs:      []string{"VB kec vouchers 30.00", "VB rds vouchers 100.00"},
		skipped:     map[string][]allocation.Reason{"VA": {allocation.ReasonNothingLeft}},
		outstanding: "0.00",
	}, {
		name:   "max_coverage_balance_before_overdraft",
		reason: "DESIGN.md: a later overdraft step is a separate, later node: the balance step keeps priority",
		scenario: scenario(`{"strategy":"max_coverage","steps":[{"name":"card","kinds":["card"]},{"name":"cash","kinds":["cash"]},{"name":"over","kinds":["card"],"draw":"overdraft"}]}`,
			`{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"l","amount":"100"}]}`,
			`[{"id":"card","kind":"card","currency":"CNY","balance":"30","overdraft":"100"},{"id":"cash","kind":"cash","currency":"CNY","balance":"50"}]`),
		allocs:      []string{"card l card 30.00", "cash l cash 50.00", "card l over 20.00"},
		outstanding: "0.00",
	}, {
		name:   "max_coverage_overdraft_node_holds_only_the_extra_room",
		reason: "DESIGN.md: the overdraft step adds the room below zero, not a second balance",
		scenario: scenario(`{"strategy":"max_coverage","steps":[{"name":"card","kinds":["card"]},{"name":"cash","kinds":["cash"]},{"name":"over","kinds":["card"],"draw":"overdraft"}]}`,
			`{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"l","amount":"200"}]}`,
			`[{"id":"card","kind":"card","currency":"CNY","balance":"30","overdraft":"100"},{"id":"cash","kind":"cash","currency":"CNY","balance":"50"}]`),
		allocs:      []string{"card l card 30.00", "cash l cash 50.00", "card l over 100.00"},
		outstanding: "20.00",
	}, {
		name:   "max_coverage_allocations_in_policy_then_bill_order",
		reason: "issue 4: line assignment is deterministic; each instrument's allocations are listed in bill order",
		// W fills a; X fills c, then takes a once W is moved to b.
		scenario: scenario(`{"strategy":"max_coverage","steps":[{"name":"s","order":["priority"]}]}`,
			`{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[
				{"id":"a","product":"a","amount":"10"},{"id":"b","product":"b","amount":"10"},{"id":"c","product":"c","amount":"10"}]}`,
			`[{"id":"W","kind":"v","currency":"CNY","balance":"10","priority":1,"scope":{"products":["a","b"]}},
			  {"id":"X","kind":"v","currency":"CNY","balance":"20","priority":2,"scope":{"products":["a","c"]}}]`),
		allocs:      []string{"W b s 10.00", "X a s 10.00", "X c s 10.00"},
		outstanding: "0.00",
	}})
}

// TestMaxCoverageIsTheLexicographicOptimum checks max_coverage against brute
// force on small cases: among all usage vectors that some assignment can
// realise (Gale's condition: every set of instruments uses at most the
// lines it can reach), the split's must cover the most and, among those, be
// lexicographically greatest in policy order.
func TestMaxCoverageIsTheLexicographicOptimum(t *testing.T) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		nLines := rapid.IntRange(1, 4).Draw(t, "lines")
		nIns := rapid.IntRange(1, 5).Draw(t, "instruments")
		bill, amounts := drawBill(t, at, nLines)
		var wallet allocation.Wallet
		caps := make([]int64, nIns)
		reach := make([][]bool, nIns) // reach[i][l]
		for i := range nIns {
			caps[i] = int64(rapid.IntRange(0, 5).Draw(t, fmt.Sprintf("cap%d", i)))
			reach[i] = make([]bool, nLines)
			in := allocation.Instrument{
				ID: fmt.Sprintf("v%d", nIns-i), Kind: "voucher", Currency: "EUR",
				Balance: decimal.NewFromInt(caps[i]), Priority: i,
			}
			if rapid.Bool().Draw(t, fmt.Sprintf("general%d", i)) {
				for l := range reach[i] {
					reach[i][l] = true
				}
			} else {
				for l := range nLines {
					if rapid.Bool().Draw(t, fmt.Sprintf("reach%d_%d", i, l)) {
						reach[i][l] = true
						in.Scope.Products = append(in.Scope.Products, bill.Lines[l].Product)
					}
				}
				if len(in.Scope.Products) == 0 {
					in.Scope.Products = []string{"none"}
				}
			}
			wallet = append(wallet, in)
		}
		policy := allocation.Policy{Strategy: allocation.MaxCoverage, Steps: []allocation.Step{
			{Name: "s", Order: []allocation.OrderKey{allocation.PriorityOrder}},
		}}
		got, err := allocation.Allocate(bill, wallet, policy)
		if err != nil {
			t.Fatal(err)
		}
		usage := make([]int64, nIns)
		for i, in := range wallet {
			r, _ := got.Instrument(in.ID)
			usage[i] = r.Used.IntPart()
		}
		best := bruteForceLexMax(caps, amounts, reach)
		if fmt.Sprint(usage) != fmt.Sprint(best) {
			t.Fatalf("usage in policy order %v, brute force optimum %v", usage, best)
		}
		policy.Strategy = allocation.InOrder
		greedy, err := allocation.Allocate(bill, wallet, policy)
		if err != nil {
			t.Fatal(err)
		}
		if got.Outstanding.Cmp(greedy.Outstanding) > 0 {
			t.Fatalf("max_coverage leaves %s outstanding, in_order only %s", got.Outstanding, greedy.Outstanding)
		}
	})
}

// drawBill draws a bill of nLines lines of 0 to 6 euros, line l for
// product pl, and returns it with the amounts.
func drawBill(t *rapid.T, at time.Time, nLines int) (allocation.Bill, []int64) {
	bill := allocation.Bill{ID: "b", Currency: "EUR", At: at}
	amounts := make([]int64, nLines)
	for l := range nLines {
		amounts[l] = int64(rapid.IntRange(0, 6).Draw(t, fmt.Sprintf("amount%d", l)))
		bill.Lines = append(bill.Lines, allocation.Line{
			ID: fmt.Sprintf("l%d", l), Product: fmt.Sprintf("p%d", l), Amount: decimal.NewFromInt(amounts[l]),
		})
	}
	return bill, amounts
}

// bruteForceLexMax enumerates every usage vector u (0 ≤ u[i] ≤ caps[i]),
// keeps those satisfying Gale's condition, and returns the one with the
// largest total, ties broken lexicographically (earlier instruments first).
func bruteForceLexMax(caps, amounts []int64, reach [][]bool) []int64 {
	n := len(caps)
	feasible := func(u []int64) bool {
		for set := 1; set < 1<<n; set++ {
			var need, have int64
			reached := make([]bool, len(amounts))
			for i := range n {
				if set&(1<<i) != 0 {
					need += u[i]
					for l, ok := range reach[i] {
						if ok {
							reached[l] = true
						}
					}
				}
			}
			for l, ok := range reached {
				if ok {
					have += amounts[l]
				}
			}
			if need > have {
				return false
			}
		}
		return true
	}
	better := func(a, b []int64) bool { // a better than b
		var sa, sb int64
		for i := range a {
			sa += a[i]
			sb += b[i]
		}
		if sa != sb {
			return sa > sb
		}
		for i := range a {
			if a[i] != b[i] {
				return a[i] > b[i]
			}
		}
		return false
	}
	u := make([]int64, n)
	best := make([]int64, n)
	var walk func(i int)
	walk = func(i int) {
		if i == n {
			if feasible(u) && better(u, best) {
				copy(best, u)
			}
			return
		}
		for v := int64(0); v <= caps[i]; v++ {
			u[i] = v
			walk(i + 1)
		}
	}
	walk(0)
	return best
}

// Under max_coverage, a later step ordered largest_first weighs what each
// of its instruments could still add at the start of the step, as in_order
// does, not what it could have paid on the untouched bill. The review case:
// G pays 90 of A first; Y and Z could then each add 10, a tie the id
// breaks, so Y pays.
func TestMaxCoverageLaterStepOrdersAtItsStart(t *testing.T) {
	for _, strategy := range []string{"in_order", "max_coverage"} {
		sc := parse(t, scenario(`{"strategy":"`+strategy+`","steps":[{"name":"s1","kinds":["g"]},{"name":"s2","kinds":["v"],"order":["largest_first"]}]}`,
			`{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"A","product":"a","amount":"100.00"},{"id":"B","product":"b","amount":"100.00"}]}`, `[
			{"id":"G","kind":"g","currency":"CNY","balance":"90","scope":{"products":["a"]}},
			{"id":"Y","kind":"v","currency":"CNY","balance":"50","scope":{"products":["a"]}},
			{"id":"Z","kind":"v","currency":"CNY","balance":"80","scope":{"products":["a"]}}]`))
		sp, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := sp.Instrument("Y")
		z, _ := sp.Instrument("Z")
		if !y.Used.Equal(decimal.NewFromInt(10)) || !z.Used.IsZero() {
			t.Errorf("%s: Y used %s, Z used %s; want 10 and 0", strategy, y.Used, z.Used)
		}
	}
}

// TestMaxCoverageStepStartDeductions checks that rule against brute force:
// each instrument of the second step gets the deduction brute force finds
// for it alone after the first step's optimum, the step is sorted by it,
// and the usage is the optimum in that order.
func TestMaxCoverageStepStartDeductions(t *testing.T) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		nLines := rapid.IntRange(1, 3).Draw(t, "lines")
		nFirst := rapid.IntRange(1, 2).Draw(t, "first")
		nSecond := rapid.IntRange(2, 3).Draw(t, "second")
		key := rapid.SampledFrom([]allocation.OrderKey{allocation.LargestFirst, allocation.SmallestFirst}).Draw(t, "key")
		bill, amounts := drawBill(t, at, nLines)
		n := nFirst + nSecond
		var wallet allocation.Wallet
		caps := make([]int64, n)
		reach := make([][]bool, n)
		for i := range n {
			caps[i] = int64(rapid.IntRange(0, 5).Draw(t, fmt.Sprintf("cap%d", i)))
			reach[i] = make([]bool, nLines)
			in := allocation.Instrument{ID: fmt.Sprintf("i%d", i), Kind: "g", Currency: "EUR",
				Balance: decimal.NewFromInt(caps[i]), Priority: i, Scope: allocation.Scope{Products: []string{"none"}}}
			if i >= nFirst {
				in.Kind = "v"
			}
			for l := range nLines {
				if rapid.Bool().Draw(t, fmt.Sprintf("reach%d_%d", i, l)) {
					reach[i][l] = true
					in.Scope.Products = append(in.Scope.Products, bill.Lines[l].Product)
				}
			}
			wallet = append(wallet, in)
		}
		policy := allocation.Policy{Strategy: allocation.MaxCoverage, Steps: []allocation.Step{
			{Name: "first", Kinds: []string{"g"}, Order: []allocation.OrderKey{allocation.PriorityOrder}},
			{Name: "second", Kinds: []string{"v"}, Order: []allocation.OrderKey{key}},
		}}
		got, err := allocation.Allocate(bill, wallet, policy)
		if err != nil {
			t.Fatal(err)
		}

		// The order brute force gives the second step.
		first := make([]int, nFirst)
		for i := range first {
			first[i] = i
		}
		pick := func(idx []int) ([]int64, [][]bool) {
			c, r := make([]int64, len(idx)), make([][]bool, len(idx))
			for k, i := range idx {
				c[k], r[k] = caps[i], reach[i]
			}
			return c, r
		}
		ded := map[int]int64{}
		var second []int
		for i := nFirst; i < n; i++ {
			c, r := pick(append(first[:nFirst:nFirst], i))
			ded[i] = bruteForceLexMax(c, amounts, r)[nFirst]
			second = append(second, i)
		}
		slices.SortStableFunc(second, func(a, b int) int { // ids i<k> sort like their indices
			if key == allocation.LargestFirst {
				return cmp.Compare(ded[b], ded[a])
			}
			return cmp.Compare(ded[a], ded[b])
		})
		order := append(first, second...)
		c, r := pick(order)
		best := bruteForceLexMax(c, amounts, r)
		for k, i := range order {
			res, _ := got.Instrument(wallet[i].ID)
			if res.Used.IntPart() != best[k] {
				t.Fatalf("%s uses %s; brute force in the order %v (deductions %v) gives %v", wallet[i].ID, res.Used, order, ded, best)
			}
		}
	})
}
