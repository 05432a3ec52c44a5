package allocationtest_test

import (
	"encoding/json"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// A rule from a seed, written as plainly as the seed says it.
func TestVouchersBeforeGift(t *testing.T) {
	bill := allocationtest.NewBill( // "B1", CNY, at 2024-06-01 00:00 UTC, mode payg
		allocationtest.Line("L1", "ecs", "compute", "120.00"),
		allocationtest.Line("L2", "ebs", "storage", "80.00"),
	)
	wallet := allocation.Wallet{
		allocationtest.Voucher("V1", "50", "2024-07-01"), // unusable from 2024-07-01
		allocationtest.Gift("G1", "40"),
		allocationtest.CreditLine("C1", "100"), // may go down to -100
	}
	credit := allocationtest.Step("credit", "credit_line")
	credit.Draw = allocation.DrawAll
	policy := allocationtest.NewPolicy(
		allocationtest.Step("vouchers", "voucher"),
		allocationtest.Step("gift", "gift"),
		credit,
	)

	got, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		t.Fatal(err)
	}
	allocationtest.CheckInvariants(t, bill, wallet, policy, got)
	if v1, _ := got.Instrument("V1"); !v1.Used.Equal(allocationtest.Dec("50")) {
		t.Errorf("voucher V1 used %s, want all 50", v1.Used)
	}

	// A Split the host stored and read back compares by value ("50.00" =
	// "50") and with Skipped [] equal to nil.
	stored := saveAndLoad(t, got)
	if d := allocationtest.Diff(got, stored, allocationtest.IgnoreAllocationOrder()); d != "" {
		t.Errorf("stored split differs (-want +got):\n%s", d)
	}
}

// saveAndLoad stands for the host's storage: here, a JSON round trip.
func saveAndLoad(t *testing.T, s allocation.Split) allocation.Split {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back allocation.Split
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// A property of the host's own code, on every kind of allocation.
func TestInvoiceBalances(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := allocationtest.Scenario().Draw(t, "scenario")
		split, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if err != nil {
			t.Fatal(err)
		}
		if inv := invoice(sc.Wallet, split); !inv.Equal(split.Invoiceable) {
			t.Fatalf("invoice %s, split says %s invoiceable", inv, split.Invoiceable)
		}
	})
}

// invoice stands for the host's invoicing: what the customer pays outside
// the wallet, plus what invoiceable stored-value instruments paid
// (discounts are never invoiced).
func invoice(wallet allocation.Wallet, split allocation.Split) decimal.Decimal {
	invoiceable := map[string]bool{}
	for _, in := range wallet {
		invoiceable[in.ID] = in.Invoiceable && !in.IsPercent()
	}
	total := split.Outstanding
	for _, a := range split.Allocations {
		if invoiceable[a.Instrument] {
			total = total.Add(a.Amount)
		}
	}
	return total
}
