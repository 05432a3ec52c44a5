package renewal_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

// A host books each automatic renewal in its journal: every Result carries
// the bill its Split was allocated from, so ledger.FromSplit takes them as
// they come (issue 16.8).
func ExampleRunAuto_ledger() {
	at := time.Date(2024, 3, 15, 0, 5, 0, 0, cst)
	voucher := allocation.Instrument{ID: "v-1", Kind: renewal.VoucherKind, Currency: "CNY",
		ValidUntil: time.Date(2024, 3, 31, 0, 0, 0, 0, cst)}
	cash := allocation.Instrument{ID: "cash", Kind: renewal.CashKind, Currency: "CNY"}

	// The journal owns the balances; the wallet is built from it.
	var j ledger.Journal
	for _, g := range []struct {
		in     allocation.Instrument
		amount string
	}{{voucher, "30.00"}, {cash, "150.00"}} {
		j, _, _ = j.Apply(ledger.Grant("grant:"+g.in.ID, at.Add(-time.Hour), ledger.TermsOf(g.in),
			decimal.RequireFromString(g.amount), ""))
	}
	wallet := ledger.WithBalances(j, allocation.Wallet{voucher, cash})

	fleet := []renewal.Instance{
		{ID: "web", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 15, 10, 0, 0, 0, cst)},
		{ID: "db", Product: "KRDS", Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 15, 12, 0, 0, 0, cst)},
	}
	prices := renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
		"KEC": decimal.RequireFromString("100.00"), "KRDS": decimal.RequireFromString("300.00")}}
	run, err := renewal.RunAuto(fleet, at, cst, wallet, prices, allocation.Policy{})
	if err != nil {
		panic(err)
	}
	for _, r := range run.Results {
		if r.Outcome != renewal.Renewed {
			fmt.Println(r.Instance.ID, r.Outcome, "- nothing to book")
			continue
		}
		tx, err := ledger.FromSplit(r.Bill, wallet, r.Split, ledger.SpendOptions{})
		if err != nil {
			panic(err)
		}
		if j, _, err = j.Apply(tx); err != nil {
			panic(err)
		}
		fmt.Println(r.Instance.ID, r.Outcome, "booked as", tx.ID)
	}
	for _, in := range ledger.WithBalances(j, wallet) {
		fmt.Println(in.ID, in.Balance.StringFixed(2))
	}
	// Output:
	// web renewed booked as spend:renewal:web:2024-03-15T02:00:00Z
	// db failed - nothing to book
	// v-1 0.00
	// cash 80.00
}

// Every Result and Renewal carries its bill, and the ledger books it with
// FromSplit: the bill is the one the split was made of (issue 16.8).
func TestResultsCarryTheirBill(t *testing.T) {
	at := time.Date(2024, 3, 15, 0, 5, 0, 0, cst)
	wallet := allocation.Wallet{
		{ID: "v-1", Kind: renewal.VoucherKind, Currency: "CNY", Balance: decimal.RequireFromString("30.00")},
		{ID: "cash", Kind: renewal.CashKind, Currency: "CNY", Balance: decimal.RequireFromString("500.00")},
	}
	prices := renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{"KEC": decimal.RequireFromString("100.00")}}
	web := renewal.Instance{ID: "web", Product: "KEC", Renewable: true, Policy: renewal.Auto,
		ExpiresAt: time.Date(2024, 3, 15, 10, 0, 0, 0, cst)}
	run, err := renewal.RunAuto([]renewal.Instance{web}, at, cst, wallet, prices, allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	manual, err := renewal.Renew(web, 2, at, cst, wallet, prices, allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, bill allocation.Bill, split allocation.Split, amount decimal.Decimal) {
		t.Helper()
		if bill.ID != split.Bill || bill.Currency != "CNY" || !bill.At.Equal(at) || bill.Mode != renewal.BillMode ||
			len(bill.Lines) != 1 || bill.Lines[0].ID != "web" || bill.Lines[0].Product != "KEC" || !bill.Lines[0].Amount.Equal(amount) {
			t.Errorf("%s: bill %+v does not match split of %q for %s", what, bill, split.Bill, amount)
		}
		again, err := allocation.Allocate(bill, wallet, renewal.DefaultPolicy())
		if err != nil || !again.Equal(split) {
			t.Errorf("%s: allocating the bill again gives %+v, %v; want the result's split", what, again, err)
		}
		if _, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{}); err != nil {
			t.Errorf("%s: FromSplit: %v", what, err)
		}
	}
	if len(run.Results) != 1 {
		t.Fatalf("results %+v", run.Results)
	}
	check("RunAuto", run.Results[0].Bill, run.Results[0].Split, run.Results[0].Amount)
	check("Renew", manual.Bill, manual.Split, manual.Amount)
}
