// Command creditnote tells a Kingsoft Cloud refund story (seed
// 000_f04d44448bd9d2a1.txt, account assets): a month of usage paid by a
// voucher, gift balance and available credit with a credit line, booked
// in a ledger, then given back line by line with credit notes. The
// customer first asks for one line in cash, which is refused for the
// voucher and gift parts (gift balance cannot be cashed); that line is
// then given back to the instruments that paid it, one of which has
// expired since; a goodwill amount on another line is spread over its
// payers in proportion, and the rest of that line goes to a new credit.
// Each credit note is printed per line and per instrument.
//
//	go run ./examples/creditnote
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/policies"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/voucher"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "creditnote:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	cny := decimal.RequireFromString
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }

	// The account's assets, as the domain packages build them.
	v, err := voucher.New(voucher.Params{ID: "V-spring-100", Type: voucher.Regular, Currency: "CNY",
		Denomination: cny("100"), IssuedAt: day(3, 1), ValidUntil: day(6, 30)})
	if err != nil {
		return err
	}
	if v, err = v.Activate("acct-42", day(3, 1)); err != nil {
		return err
	}
	gift, err := credit.NewGift(credit.GiftParams{ID: "gift", Account: "acct-42", Currency: "CNY"})
	if err != nil {
		return err
	}
	if gift, err = gift.Grant(cny("200"), day(5, 20)); err != nil {
		return err
	}
	line, err := credit.NewLine(credit.LineParams{ID: "available-credit", Account: "acct-42", Currency: "CNY", Limit: cny("1000")})
	if err != nil {
		return err
	}
	wallet := allocation.Wallet{v.Instrument(), gift.Instrument(), line.Instrument()}

	// Each instrument opens its account in the ledger with the terms the
	// ledger derives from its kind: voucher and gift balance are not
	// cashable; the credit line is, but never below zero.
	var j ledger.Journal
	for _, in := range wallet {
		if j, _, err = j.Apply(ledger.Grant("open:"+in.ID, day(5, 20), ledger.TermsOf(in), in.Balance, "")); err != nil {
			return err
		}
	}

	policy, err := policies.Load("kingsoft-account-assets")
	if err != nil {
		return err
	}
	bill := allocation.Bill{ID: "2024-05/acct-42", Currency: "CNY", At: day(6, 1), Mode: "payg", Lines: []allocation.Line{
		{ID: "kec", Product: "kec", Category: "compute", Amount: cny("260.00")},
		{ID: "ebs", Product: "ebs", Category: "storage", Amount: cny("95.50")},
		{ID: "eip", Product: "eip", Category: "network", Amount: cny("44.50")},
	}}
	split, err := allocation.Allocate(bill, ledger.WithBalances(j, wallet), policy)
	if err != nil {
		return err
	}
	spend, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if err != nil {
		return err
	}
	if j, _, err = j.Apply(spend); err != nil {
		return err
	}
	fmt.Fprintf(out, "== Bill %s, paid vouchers → gift balance → available credit (000)\n\n", bill.ID)
	fmt.Fprintf(out, "%-5s %-18s %9s\n", "line", "paid by", "amount")
	for _, a := range split.Allocations {
		fmt.Fprintf(out, "%-5s %-18s %9s\n", a.Line, a.Instrument, a.Amount.StringFixed(2))
	}
	fmt.Fprintln(out)
	balances(out, j, wallet, nil)

	issue := func(title string, req ledger.CreditRequest) error {
		fmt.Fprintf(out, "== %s\n\n", title)
		req.Spend = spend.ID
		note, err := ledger.IssueCredit(j, req)
		var nc *ledger.NotCashableError
		if errors.As(err, &nc) {
			fmt.Fprintf(out, "credit note %s refused: no cash from\n", req.ID)
			for _, r := range nc.Refusals {
				fmt.Fprintf(out, "  %-18s %-12s %s\n", r.Account.Instrument(), r.Kind, r.Reason)
			}
			fmt.Fprintln(out)
			return nil
		}
		if err != nil {
			return err
		}
		if j, _, err = j.Apply(note.Transaction); err != nil {
			return err
		}
		printNote(out, req, note)
		return nil
	}
	if err := issue("The customer asks for the compute line back in cash", ledger.CreditRequest{
		ID: "CN-1", Time: day(7, 2), To: ledger.ToCash,
		Lines: []ledger.LineAmount{{Line: "kec", Amount: cny("260.00")}},
	}); err != nil {
		return err
	}
	if err := issue("The compute line goes back to the instruments that paid it (listed last paid first); the voucher has expired since", ledger.CreditRequest{
		ID: "CN-2", Time: day(7, 2), Note: "kec outage, full refund",
		Lines: []ledger.LineAmount{{Line: "kec", Amount: cny("260.00")}},
	}); err != nil {
		return err
	}
	if err := issue("A goodwill 10.00 on the storage line, spread over its payers in proportion, the odd fen to the larger remainder", ledger.CreditRequest{
		ID: "CN-3", Time: day(7, 2), Note: "goodwill",
		Lines: []ledger.LineAmount{{Line: "ebs", Amount: cny("10.00")}},
	}); err != nil {
		return err
	}
	if err := issue("The rest of the storage line goes to a new credit valid for a year; it holds gift balance and borrowed credit, so it is not cashable either", ledger.CreditRequest{
		ID: "CN-4", Time: day(7, 2), To: ledger.ToCredit, Note: "ebs migration credit",
		Lines:  []ledger.LineAmount{{Line: "ebs", Amount: cny("85.50")}},
		Credit: ledger.Terms{Account: ledger.InstrumentAccount("CN-4-credit", "CNY"), Kind: "paid_credit", Group: "acct-42", Expires: day(7, 2).AddDate(1, 0, 0)},
	}); err != nil {
		return err
	}

	fmt.Fprintf(out, "== The expiry run of %s\n\n", day(7, 2).Format(time.DateOnly))
	if exp, ok := ledger.Expire(j, day(7, 2)); ok {
		if j, _, err = j.Apply(exp); err != nil {
			return err
		}
	}
	balances(out, j, wallet, []ledger.Account{ledger.InstrumentAccount("CN-4-credit", "CNY")})
	fmt.Fprintf(out, "left to credit:")
	for _, l := range j.Creditable(spend.ID) {
		fmt.Fprintf(out, " %s %s", l.Line, l.Amount.StringFixed(2))
	}
	fmt.Fprintln(out)
	return nil
}

// printNote prints a credit note per line and instrument.
func printNote(out io.Writer, req ledger.CreditRequest, note ledger.CreditNote) {
	fmt.Fprintf(out, "credit note %s of %s (%s)\n", req.ID, req.Time.Format(time.DateOnly), note.Transaction.Note)
	fmt.Fprintf(out, "%-5s %-18s %9s  %s\n", "line", "paid by", "amount", "to")
	for _, it := range note.Items {
		to := it.To.Instrument()
		switch {
		case it.To == it.From:
			to = "back"
		case !it.To.IsInstrument():
			to = string(it.To.System())
		}
		if it.Expired {
			to += " (expired since: goes to expired at the next expiry run)"
		}
		fmt.Fprintf(out, "%-5s %-18s %9s  %s\n", it.Line, it.From.Instrument(), it.Amount.StringFixed(2), to)
	}
	fmt.Fprintf(out, "%-24s %9s\n", "total", note.Total().StringFixed(2))
	for _, t := range note.Transaction.Terms {
		fmt.Fprintf(out, "new credit %s: kind %s, expires %s, cashable %v\n",
			t.Account.Instrument(), t.Kind, t.Expires.Format(time.DateOnly), !t.NotCashable)
	}
	fmt.Fprintln(out)
}

// balances prints the balance of each instrument and of the system
// accounts that moved.
func balances(out io.Writer, j ledger.Journal, wallet allocation.Wallet, more []ledger.Account) {
	var accounts []ledger.Account
	for _, in := range wallet {
		accounts = append(accounts, ledger.InstrumentAccount(in.ID, in.Currency))
	}
	accounts = append(accounts, more...)
	for _, s := range []ledger.System{ledger.Revenue, ledger.Expired, ledger.Refunded} {
		accounts = append(accounts, ledger.SystemAccount(s, "CNY"))
	}
	for _, a := range accounts {
		name := a.Instrument()
		if name == "" {
			name = string(a.System())
		}
		fmt.Fprintf(out, "%-18s %9s\n", name, j.Balance(a).StringFixed(2))
	}
	fmt.Fprintln(out)
}
