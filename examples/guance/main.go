// Command guance tells the Guance billing-center story of seed
// 002_974120889ed2e661.txt with the voucher and prepaid packages: a prepaid
// card purchase that earns a discount voucher, a regular voucher activated
// with its code (a typo is caught first), a month of pay-as-you-go usage
// settled in the billing center's deduction order (regular vouchers →
// discount vouchers → prepaid cards → cash → prepaid card overdraft, with
// SMS and dial testing paid only by cash and prepaid cards), the split
// applied back to the instruments, and a cash top-up that first offsets the
// card's overdue balance.
//
//	go run ./examples/guance
package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/examples/internal/changes"
	"github.com/billfold/billfold/examples/internal/splittable"
	"github.com/billfold/billfold/examples/policies"
	"github.com/billfold/billfold/prepaid"
	"github.com/billfold/billfold/voucher"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "guance:", err)
		os.Exit(1)
	}
}

// wallet is the billing-center account's instruments. Cash balance is a
// plain instrument: no package models it.
type wallet struct {
	vouchers []voucher.Voucher
	cards    []prepaid.Card
	cash     allocation.Instrument
}

func (w wallet) instruments() allocation.Wallet {
	out := prepaid.Wallet(w.cards, "acct-7")
	for _, v := range w.vouchers {
		out = append(out, v.Instrument())
	}
	return append(out, w.cash)
}

func (w wallet) apply(s allocation.Split, at time.Time) (wallet, error) {
	n := wallet{cash: w.cash}
	for _, v := range w.vouchers {
		v, err := v.Apply(s, at)
		if err != nil {
			return w, err
		}
		n.vouchers = append(n.vouchers, v)
	}
	for _, c := range w.cards {
		c, err := c.Apply(s, at)
		if err != nil {
			return w, err
		}
		n.cards = append(n.cards, c)
	}
	if r, ok := s.Instrument(w.cash.ID); ok {
		n.cash.Balance = r.BalanceAfter
	}
	return n, nil
}

// states are the printed rows: each instrument's id, kind, status and
// balance.
func (w wallet) states() [][]string {
	var out [][]string
	for _, v := range w.vouchers {
		out = append(out, []string{v.ID(), v.Type().Kind(), string(v.Status()), v.Balance().StringFixed(2)})
	}
	for _, c := range w.cards {
		out = append(out, []string{c.ID(), prepaid.KindCard, string(c.Status()), c.Balance().StringFixed(2) + " (owed " + c.Owed().StringFixed(2) + ")"})
	}
	return append(out, []string{w.cash.ID, w.cash.Kind, "-", w.cash.Balance.StringFixed(2)})
}

// printChanges prints each instrument before and after, marking changes.
func printChanges(out io.Writer, before, after wallet) error {
	return changes.Write(out, []string{"instrument", "kind", "status", "balance"}, before.states(), after.states())
}

func run(out io.Writer) error {
	cny := decimal.RequireFromString
	// The story's dates are days in zone; card validity is counted on the
	// customer's calendar, so a host passes its customer's zone here.
	zone := time.UTC
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, zone) }

	// 1. Buy a prepaid card of 10,000 with cash: a discount voucher of
	// 1,000 comes with it, and the purchase is invoiced for what was paid.
	rules := prepaid.GuanceRules()
	rules.Overdraft = cny("500") // granted by the account manager
	fmt.Fprintf(out, "== Buying a prepaid card\n\n")
	if _, err := rules.Purchase(prepaid.PurchaseParams{ID: "PC-0", Account: "acct-7", Denomination: cny("150"), At: day(3, 1)}, zone); err != nil {
		fmt.Fprintf(out, "150.00 refused: %v\n", err)
	}
	buy, err := rules.Purchase(prepaid.PurchaseParams{ID: "PC-1001", Account: "acct-7", Denomination: cny("10000"), At: day(3, 1)}, zone)
	if err != nil {
		return err
	}
	card := buy.Card
	fmt.Fprintf(out, "card %s: %s, valid until %s, bonus discount voucher %s, invoice %s now (card payments are not invoiced again)\n\n",
		card.ID(), card.Denomination().StringFixed(2), card.ValidUntil().Format(time.DateOnly), buy.Bonus.StringFixed(2), buy.Invoiceable.StringFixed(2))
	discount, err := voucher.New(voucher.Params{ID: "DV-1001", Type: voucher.Discount, Currency: "CNY", Denomination: buy.Bonus, IssuedAt: day(3, 1), ValidFor: 365 * 24 * time.Hour})
	if err != nil {
		return err
	}
	if discount, err = discount.Activate("acct-7", day(3, 1)); err != nil {
		return err
	}
	if _, _, err := card.Refund(day(3, 2)); err != nil {
		fmt.Fprintf(out, "refund asked: %v\n", err)
	}
	if _, err := card.Transfer("acct-8", day(3, 2)); err != nil {
		fmt.Fprintf(out, "transfer asked: %v\n\n", err)
	}

	// 2. A regular voucher handed out with an activation code. Production
	// code generates codes from crypto/rand.Reader; a seeded source keeps
	// this output reproducible.
	code, err := voucher.GenerateCode(rand.NewChaCha8([32]byte{'g', 'u', 'a', 'n', 'c', 'e'}))
	if err != nil {
		return err
	}
	regular, err := voucher.New(voucher.Params{ID: "RV-2024-77", Type: voucher.Regular, Currency: "CNY", Denomination: cny("300"), Code: code, IssuedAt: day(4, 1), ActivateBy: day(7, 1), ValidFor: 90 * 24 * time.Hour})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "== Activating a voucher (code %s, %d bits of entropy)\n\n", code, voucher.CodeEntropyBits)
	typo := []byte(strings.ToLower(code.String()))
	typo[2] = map[bool]byte{true: 'x', false: 'w'}[typo[2] != 'x']
	if _, err := voucher.ParseCode(string(typo)); err != nil {
		fmt.Fprintf(out, "typed %q: %v\n", typo, err)
	}
	typed := strings.ToLower(strings.ReplaceAll(code.String(), "-", " "))
	parsed, err := voucher.ParseCode(typed)
	if err != nil {
		return err
	}
	if regular, err = regular.Redeem(parsed, "acct-7", day(4, 20)); err != nil {
		return err
	}
	fmt.Fprintf(out, "typed %q: %s, balance %s, valid %s to %s\n\n", typed, regular.Status(), regular.Balance().StringFixed(2),
		regular.ValidFrom().Format(time.DateOnly), regular.ValidUntil().Format(time.DateOnly))

	w := wallet{
		vouchers: []voucher.Voucher{regular, discount},
		cards:    []prepaid.Card{card},
		cash:     allocation.Instrument{ID: "cash", Kind: "cash", Currency: "CNY", Balance: cny("300"), Invoiceable: true},
	}

	// 3. April's pay-as-you-go bill. SMS and dial testing come first on the
	// bill, yet the vouchers skip them: only cash and prepaid cards may pay
	// those lines.
	april := allocation.Bill{ID: "2024-04/acct-7", Currency: "CNY", At: day(5, 1), Mode: "payg", Lines: []allocation.Line{
		{ID: "sms", Product: "sms", Category: "sms", Amount: cny("400.00")},
		{ID: "dial-testing", Product: "dial_testing", Category: "dial_testing", Amount: cny("300.00")},
		{ID: "metrics", Product: "metrics", Category: "metrics", Amount: cny("8500.00")},
		{ID: "logs", Product: "logs", Category: "logs", Amount: cny("2900.00")},
	}}
	policy, err := policies.Load("guance-billing-center")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "== Pay-as-you-go bill %s, policy %s\n\n", april.ID, policy.Name)
	split, err := allocation.Allocate(april, w.instruments(), policy)
	if err != nil {
		return err
	}
	if err := splittable.Write(out, split); err != nil {
		return err
	}
	next, err := w.apply(split, april.At)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "after applying the split:")
	if err := printChanges(out, w, next); err != nil {
		return err
	}
	w = next

	// 4. A cash top-up of 2,000 first offsets what the card owes.
	fmt.Fprintf(out, "== Cash top-up of 2000.00\n\n")
	cards, repaid, rest, err := prepaid.OffsetOverdue(w.cards, cny("2000"), day(5, 3))
	if err != nil {
		return err
	}
	next = wallet{vouchers: w.vouchers, cards: cards, cash: w.cash}
	next.cash.Balance = w.cash.Balance.Add(rest)
	fmt.Fprintf(out, "offset %s of overdue card balance, %s to cash\n\n", repaid.StringFixed(2), rest.StringFixed(2))
	if err := printChanges(out, w, next); err != nil {
		return err
	}
	w = next

	// 5. Another card, bought from the cash balance (too small for a
	// bonus); a year later both cards expire, and what is left is void.
	buy2, err := rules.Purchase(prepaid.PurchaseParams{ID: "PC-1002", Account: "acct-7", Denomination: cny("500"), At: day(5, 3)}, zone)
	if err != nil {
		return err
	}
	w.cards = append(w.cards, buy2.Card)
	w.cash.Balance = w.cash.Balance.Sub(buy2.Invoiceable)
	fmt.Fprintf(out, "== Card %s bought from cash (bonus %s); on 2025-06-01 the cards have expired\n\n", buy2.Card.ID(), buy2.Bonus.StringFixed(2))
	later := wallet{vouchers: w.vouchers, cash: w.cash}
	for _, c := range w.cards {
		e, err := c.Expire(day(6, 1).AddDate(1, 0, 0))
		if err != nil {
			return err
		}
		later.cards = append(later.cards, e)
		fmt.Fprintf(out, "%s expired %s, void: %s\n", e.ID(), e.ClosedAt().Format(time.DateOnly), e.Forfeited().StringFixed(2))
	}
	fmt.Fprintln(out)
	if err := printChanges(out, w, later); err != nil {
		return err
	}
	return nil
}
