// Command quickstart pays a Kingsoft Cloud bill from a realistic wallet —
// vouchers, gift balance and a credit line — with the payment order of the
// Kingsoft Cloud account assets FAQ (000): vouchers
// first, then gift balance, then available credit, and online payment for
// the rest. It prints the split as a table, with the reason every unused
// instrument was skipped.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/examples/internal/splittable"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run pays the bill and prints the split to w.
func run(w io.Writer) error {
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }
	cny := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }

	bill := allocation.Bill{
		ID: "2024-06/acct-42", Currency: "CNY", At: day(6, 1), Mode: "payg",
		Lines: []allocation.Line{
			{ID: "kec-1", Product: "kec", Category: "compute", Amount: cny("320.00")},
			{ID: "ebs-1", Product: "ebs", Category: "storage", Amount: cny("85.50")},
			{ID: "cdn-1", Product: "cdn", Category: "network", Amount: cny("44.50")},
		},
	}
	wallet := allocation.Wallet{
		{ID: "voucher-spring", Kind: "voucher", Currency: "CNY", Balance: cny("100"), ValidUntil: day(6, 30)},
		{ID: "voucher-kec", Kind: "voucher", Currency: "CNY", Balance: cny("150"), ValidUntil: day(9, 30),
			Scope: allocation.Scope{Products: []string{"kec"}}},
		{ID: "voucher-old", Kind: "voucher", Currency: "CNY", Balance: cny("50"), ValidUntil: day(5, 31)},
		{ID: "voucher-rds", Kind: "voucher", Currency: "CNY", Balance: cny("80"),
			Scope: allocation.Scope{Products: []string{"rds"}}},
		{ID: "gift", Kind: "gift", Currency: "CNY", Balance: cny("60"),
			Scope: allocation.Scope{ExcludeModes: []string{"trial"}}},
		{ID: "credit", Kind: "credit_line", Currency: "CNY", Balance: cny("0"), Overdraft: cny("100"), Invoiceable: true},
	}
	policy := allocation.Policy{
		Name:     "kingsoft account assets",
		Rounding: allocation.Rounding{Places: 2, Mode: allocation.HalfEven},
		Steps: []allocation.Step{
			{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst}},
			{Name: "gift balance", Kinds: []string{"gift"}},
			{Name: "available credit", Kinds: []string{"credit_line"}, Draw: allocation.DrawAll},
		},
	}

	split, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		return err
	}
	return splittable.Write(w, split)
}
