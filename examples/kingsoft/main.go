// Command kingsoft tells the Kingsoft Cloud story of seeds
// 000_f04d44448bd9d2a1.txt (account assets) and 004_436d555c5a6b9a35.txt
// (renewal): one account's vouchers, gift balance and available credit with
// a credit line, built with the voucher and credit packages, pay a month of
// pay-as-you-go usage, a product trial and an automatic renewal under the
// ready-made policies of allocation/policies. After each bill the split is
// applied back to the instruments and their changes are printed; a top-up
// then repays what the account owes.
//
//	go run ./examples/kingsoft
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/policies"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/examples/internal/changes"
	"github.com/billfold/billfold/examples/internal/splittable"
	"github.com/billfold/billfold/voucher"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kingsoft:", err)
		os.Exit(1)
	}
}

// account is everything the customer may pay with.
type account struct {
	vouchers []voucher.Voucher
	gift     credit.Gift
	line     credit.Line
}

func (a account) wallet() allocation.Wallet {
	w := allocation.Wallet{a.gift.Instrument(), a.line.Instrument()}
	for _, v := range a.vouchers {
		w = append(w, v.Instrument())
	}
	return w
}

// apply takes a split back into every instrument, as of at.
func (a account) apply(s allocation.Split, at time.Time) (account, error) {
	b := a
	b.vouchers = make([]voucher.Voucher, len(a.vouchers))
	for i, v := range a.vouchers {
		w, err := v.Apply(s, at)
		if err != nil {
			return a, err
		}
		b.vouchers[i] = w
	}
	var err error
	if b.gift, err = a.gift.Apply(s, at); err != nil {
		return a, err
	}
	if b.line, err = a.line.Apply(s, at); err != nil {
		return a, err
	}
	return b, nil
}

// states are the printed rows: what each instrument is and holds.
func (a account) states() [][]string {
	var out [][]string
	for _, v := range a.vouchers {
		out = append(out, []string{v.ID(), v.Type().Kind(), string(v.Status()), v.Balance().StringFixed(2)})
	}
	out = append(out, []string{a.gift.ID(), credit.KindGift, "-", a.gift.Balance().StringFixed(2)})
	out = append(out, []string{a.line.ID(), credit.KindCreditLine, "-", a.line.Available().StringFixed(2) + " (owed " + a.line.Owed().StringFixed(2) + ")"})
	return out
}

// printChanges prints each instrument before and after, marking changes.
func printChanges(w io.Writer, before, after account) error {
	return changes.Write(w, []string{"instrument", "kind", "status", "balance"}, before.states(), after.states())
}

func run(out io.Writer) error {
	cny := decimal.RequireFromString
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }

	// The account's assets, as the packages build them.
	var acct account
	renewal := allocation.Scope{Modes: []string{"renewal"}}
	for _, p := range []voucher.Params{
		{ID: "V-spring-100", Denomination: cny("100"), IssuedAt: day(3, 1), ValidUntil: day(6, 30)},
		{ID: "V-promo-50", Denomination: cny("50"), IssuedAt: day(4, 1), ValidUntil: day(6, 15)},
		// Renewal vouchers: only for renewals (a scope on the billing mode).
		{ID: "V-renew-40", Denomination: cny("40"), IssuedAt: day(5, 1), ValidUntil: day(7, 31), Scope: renewal},
		{ID: "V-renew-60", Denomination: cny("60"), IssuedAt: day(5, 1), ValidUntil: day(8, 31), Scope: renewal},
		{ID: "V-renew-80", Denomination: cny("80"), IssuedAt: day(5, 1), ValidUntil: day(8, 31), Scope: renewal},
	} {
		p.Type, p.Currency = voucher.Regular, "CNY"
		v, err := voucher.New(p)
		if err != nil {
			return err
		}
		if v, err = v.Activate("acct-42", p.IssuedAt); err != nil {
			return err
		}
		acct.vouchers = append(acct.vouchers, v)
	}
	gift, err := credit.NewGift(credit.GiftParams{ID: "gift", Account: "acct-42", Currency: "CNY"})
	if err != nil {
		return err
	}
	// Compensation for an outage: gift balance, never expires.
	if acct.gift, err = gift.Grant(cny("200"), day(5, 20)); err != nil {
		return err
	}
	if acct.line, err = credit.NewLine(credit.LineParams{ID: "available-credit", Account: "acct-42", Currency: "CNY", Limit: cny("1000"), Available: cny("40")}); err != nil {
		return err
	}

	bills := []struct {
		title, policy string
		bill          allocation.Bill
	}{
		{
			"A product trial, vouchers left out by the customer: gift balance is not for trials (000)",
			"kingsoft-account-assets",
			allocation.Bill{ID: "trial/krds", Currency: "CNY", At: day(5, 28), Mode: credit.ModeTrial, Lines: []allocation.Line{
				{ID: "krds-trial", Product: "krds", Category: "database", Amount: cny("30.00")},
			}, ExcludeKinds: []string{voucher.KindVoucher}},
		},
		{
			"May pay-as-you-go usage: vouchers, then gift balance, then available credit (000)",
			"kingsoft-account-assets",
			allocation.Bill{ID: "2024-05/acct-42", Currency: "CNY", At: day(6, 1), Mode: "payg", Lines: []allocation.Line{
				{ID: "kec", Product: "kec", Category: "compute", Amount: cny("260.00")},
				{ID: "ebs", Product: "ebs", Category: "storage", Amount: cny("95.50")},
				{ID: "eip", Product: "eip", Category: "network", Amount: cny("44.50")},
			}},
		},
		{
			"Automatic renewal: soonest-expiring voucher first, ties by largest deduction (004)",
			"kingsoft-renewal-vouchers",
			allocation.Bill{ID: "renew/kec-7", Currency: "CNY", At: day(6, 10), Mode: "renewal", Lines: []allocation.Line{
				{ID: "kec-7-1m", Product: "kec", Category: "compute", Amount: cny("150.00")},
			}},
		},
	}
	for _, b := range bills {
		policy, err := policies.Load(b.policy)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "== %s\n   policy %s\n\n", b.title, b.policy)
		split, err := allocation.Allocate(b.bill, acct.wallet(), policy)
		if err != nil {
			return err
		}
		if err := splittable.Write(out, split); err != nil {
			return err
		}
		next, err := acct.apply(split, b.bill.At)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "after applying the split:")
		if err := printChanges(out, acct, next); err != nil {
			return err
		}
		acct = next
	}

	fmt.Fprintf(out, "== A bank transfer of 100.00 arrives: what is owed is repaid first (000)\n\n")
	line, topUp, err := acct.line.TopUp(cny("100"), day(6, 12))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "repaid %s, credited %s, available credit %s → %s\n\n",
		topUp.Repaid.StringFixed(2), topUp.Credited.StringFixed(2), acct.line.Available().StringFixed(2), line.Available().StringFixed(2))

	_, _, err = acct.gift.Refund(day(6, 12))
	fmt.Fprintf(out, "asking to cash the gift balance: %v\n", err)
	return nil
}
