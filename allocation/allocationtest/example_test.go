package allocationtest_test

import (
	"fmt"
	"strings"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// printer stands in for the *testing.T of a real test: it prints the first
// line of what it is told.
type printer struct{}

func (printer) Helper() {}
func (printer) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Println(strings.SplitN(msg, "\n", 2)[0])
}

// A host test of a Kingsoft-style checkout (000_f04d44448bd9d2a1.txt):
// vouchers first, then the gift balance, then the credit line, the rest
// online. In a real test, pass t where this passes printer{}.
func Example() {
	bill := allocationtest.NewBill(
		allocationtest.Line("L1", "ecs", "compute", "120.00"),
		allocationtest.Line("L2", "ebs", "storage", "80.00"),
	)
	wallet := allocation.Wallet{
		allocationtest.Voucher("V1", "50", "2024-07-01"),
		allocationtest.Voucher("V2", "30", "2024-05-01"), // expired
		allocationtest.Gift("G1", "40"),
		allocationtest.CreditLine("C1", "100"),
	}
	credit := allocationtest.Step("credit", "credit_line")
	credit.Draw = allocation.DrawAll // into the credit line
	policy := allocationtest.NewPolicy(
		allocationtest.Step("vouchers", "voucher"),
		allocationtest.Step("gift", "gift"),
		credit,
	)

	got, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	var t printer
	allocationtest.CheckInvariants(t, bill, wallet, policy, got)

	// What the seed says should happen, written as plainly as possible.
	want := allocation.Split{
		Bill: "B1", Currency: "CNY",
		Total: allocationtest.Dec("200"), Paid: allocationtest.Dec("190"),
		Outstanding: allocationtest.Dec("10"), Invoiceable: allocationtest.Dec("110"),
		Allocations: []allocation.Allocation{
			{Instrument: "V1", Line: "L1", Step: "vouchers", Amount: allocationtest.Dec("50")},
			{Instrument: "G1", Line: "L1", Step: "gift", Amount: allocationtest.Dec("40")},
			{Instrument: "C1", Line: "L1", Step: "credit", Amount: allocationtest.Dec("30")},
			{Instrument: "C1", Line: "L2", Step: "credit", Amount: allocationtest.Dec("70")},
		},
		Instruments: []allocation.InstrumentResult{
			{ID: "C1", Used: allocationtest.Dec("100"), BalanceAfter: allocationtest.Dec("-100")},
			{ID: "G1", Used: allocationtest.Dec("40")},
			{ID: "V1", Used: allocationtest.Dec("50")},
			{ID: "V2", BalanceAfter: allocationtest.Dec("30"), Skipped: []allocation.Reason{allocation.ReasonExpired}},
		},
		Lines: []allocation.LineResult{
			{ID: "L1", Amount: allocationtest.Dec("120"), Covered: allocationtest.Dec("120")},
			{ID: "L2", Amount: allocationtest.Dec("80"), Covered: allocationtest.Dec("70"), Outstanding: allocationtest.Dec("10")},
		},
	}
	if d := allocationtest.Diff(want, got); d != "" {
		t.Errorf("Allocate mismatch (-want +got):\n%s", d)
	}
	fmt.Println("online payment:", got.Outstanding.StringFixed(2))
	// Output:
	// online payment: 10.00
}

// Diff compares amounts by value, and can ignore what a test does not
// care about.
func ExampleDiff() {
	bill := allocationtest.NewBill(allocationtest.Line("L1", "", "", "10"))
	wallet := allocation.Wallet{allocationtest.Gift("G1", "4"), allocationtest.Cash("X1", "4")}
	got, _ := allocation.Allocate(bill, wallet, allocationtest.NewPolicy())

	want := got
	want.Total = allocationtest.Dec("10.0000") // 10 written another way
	want.Allocations = []allocation.Allocation{got.Allocations[1], got.Allocations[0]}
	fmt.Println(allocationtest.Diff(want, got) == "")
	fmt.Println(allocationtest.Diff(want, got, allocationtest.IgnoreAllocationOrder()) == "")
	// Output:
	// false
	// true
}

// CheckInvariants catches a host transformation that loses money: here,
// rounding what is outstanding per line to whole units and forgetting the
// bill's total.
func ExampleCheckInvariants() {
	bill := allocationtest.NewBill(
		allocationtest.Line("L1", "", "", "10.40"),
		allocationtest.Line("L2", "", "", "5.30"),
	)
	wallet := allocation.Wallet{allocationtest.Gift("G1", "3")}
	policy := allocationtest.NewPolicy()
	split, _ := allocation.Allocate(bill, wallet, policy)

	for i := range split.Lines {
		split.Lines[i].Outstanding = split.Lines[i].Outstanding.Round(0)
	}
	allocationtest.CheckInvariants(printer{}, bill, wallet, policy, split)
	// Output:
	// allocationtest: split of bill "B1" breaks invariants:
}

// The generators draw valid scenarios that exercise every rule. In a host
// property test they are drawn inside rapid.Check:
//
//	rapid.Check(t, func(t *rapid.T) {
//		sc := allocationtest.Scenario().Draw(t, "scenario")
//		split, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
//		if err != nil {
//			t.Fatal(err)
//		}
//		invoice := myapp.Invoice(sc.Bill, split) // the host's own code
//		allocationtest.CheckInvariants(t, sc.Bill, sc.Wallet, sc.Policy, split)
//		…
//	})
//
// Outside a test, Example draws one value from a seed.
func ExampleScenario() {
	k := allocationtest.Knobs{Currency: "JPY", Without: allocationtest.Percent}
	ok := 0
	for seed := 0; seed < 50; seed++ {
		sc := k.Scenario().Example(seed)
		split, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if err == nil && split.Discounted.IsZero() && split.Currency == "JPY" {
			ok++
		}
	}
	fmt.Println(ok, "of 50 scenarios allocate, in yen, without discounts")
	// Output:
	// 50 of 50 scenarios allocate, in yen, without discounts
}
