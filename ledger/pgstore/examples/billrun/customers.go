package main

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// opening is when every wallet is opened: the first month that may be
// billed is opening's.
var opening = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// policy draws the vouchers (soonest expiry first), then the gift balance,
// the prepaid card, cash, the credit line down to its limit, and last the
// card's overdraft; SMS lines only from cash and the card. It mixes the
// rules of Kingsoft Cloud account assets (000) and Guance billing center
// wallet (002).
var policy = func() allocation.Policy {
	p, err := allocation.ParsePolicy([]byte(`{
  "name": "billrun month-end",
  "strategy": "in_order",
  "rounding": {"places": 2, "mode": "half_even"},
  "steps": [
    {"name": "vouchers", "kinds": ["voucher"], "order": ["expires_first"]},
    {"name": "gift_balance", "kinds": ["gift"]},
    {"name": "prepaid_cards", "kinds": ["prepaid_card"], "order": ["expires_first", "oldest_first"]},
    {"name": "cash", "kinds": ["cash"]},
    {"name": "credit_line", "kinds": ["credit_line"], "draw": "all"},
    {"name": "prepaid_card_overdraft", "kinds": ["prepaid_card"], "order": ["expires_first", "oldest_first"], "draw": "overdraft"}
  ],
  "restrictions": [
    {"categories": ["sms"], "allow_kinds": ["cash", "prepaid_card"]}
  ]
}`))
	if err != nil {
		panic(err) // the constant above is a valid policy
	}
	return p
}()

// A generator derives customers, their wallets and their bills from a
// seed: customer i's wallet from (seed, i), its bill of a month from
// (seed, i, month), so any part of a run can be generated again alone,
// in any process.
type generator struct {
	seed        uint64
	customers   int
	part, parts int
}

// stream is customer i's stream.
func stream(i int) string { return fmt.Sprintf("cust-%07d", i) }

// streams yields the customers of the generator's part, in order.
func (g generator) streams() iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range g.customers {
			if ledger.StreamPart(stream(i), g.parts) == g.part && !yield(i) {
				return
			}
		}
	}
}

// cents returns a random amount from lo to hi dollars, in cents.
func cents(r *rand.Rand, lo, hi int) decimal.Decimal {
	return decimal.New(int64(lo*100+r.IntN((hi-lo)*100+1)), -2)
}

// wallet returns customer i's instruments and what each is opened with.
func (g generator) wallet(i int) (allocation.Wallet, []decimal.Decimal) {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	w := allocation.Wallet{
		{ID: "voucher-compute", Kind: "voucher", Currency: "USD", IssuedAt: opening,
			ValidUntil: opening.AddDate(2, 0, 0), Scope: allocation.Scope{Products: []string{"ecs", "ebs"}}},
		{ID: "gift", Kind: "gift", Currency: "USD", IssuedAt: opening},
		{ID: "card", Kind: "prepaid_card", Currency: "USD", IssuedAt: opening, Overdraft: cents(r, 20, 100)},
		{ID: "cash", Kind: "cash", Currency: "USD", IssuedAt: opening, Invoiceable: true},
		{ID: "credit", Kind: "credit_line", Currency: "USD", IssuedAt: opening, Invoiceable: true},
	}
	if r.IntN(5) < 3 { // three customers in five have a credit line
		w[4].Overdraft = cents(r, 50, 300)
	}
	amounts := []decimal.Decimal{cents(r, 10, 150), cents(r, 0, 60), cents(r, 50, 400), cents(r, 0, 200), decimal.Zero}
	return w, amounts
}

// grants returns customer i's opening grants: one per instrument, with
// the instrument's terms, ids "open:" + instrument id. A credit line is
// granted its terms only (nothing to spend but its overdraft).
func (g generator) grants(i int) []ledger.Transaction {
	w, amounts := g.wallet(i)
	txs := make([]ledger.Transaction, len(w))
	for k, in := range w {
		txs[k] = ledger.Grant("open:"+in.ID, opening, ledger.TermsOf(in), amounts[k], "opening "+in.Kind)
	}
	return txs
}

// bill returns customer i's bill of month (first day at), due at the
// month's end: five lines, and in about one bill in 400 a sixth, a
// negative correction, which makes the bill invalid.
func (g generator) bill(i int, month time.Time) allocation.Bill {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)|uint64(month.Year()*12+int(month.Month()))<<32))
	lines := []allocation.Line{
		{ID: "compute", Product: "ecs", Category: "compute", Amount: cents(r, 5, 300)},
		{ID: "storage", Product: "ebs", Category: "storage", Amount: cents(r, 1, 80)},
		{ID: "cdn", Product: "cdn", Category: "network", Amount: cents(r, 0, 60)},
		{ID: "logs", Product: "logs", Category: "observability", Amount: cents(r, 0, 40)},
		{ID: "sms", Product: "sms", Category: "sms", Amount: cents(r, 0, 15)},
	}
	if r.IntN(400) == 0 {
		lines = append(lines, allocation.Line{ID: "correction", Product: "ecs", Category: "compute", Amount: cents(r, 1, 20).Neg()})
	}
	return allocation.Bill{
		ID:       month.Format("2006-01") + "/" + stream(i),
		Currency: "USD",
		At:       month.AddDate(0, 1, 0),
		Mode:     "payg",
		Lines:    lines,
	}
}

// jobs yields the bills of month (YYYY-MM, checked) of the generator's
// part, one per customer, generated as they are read.
func (g generator) jobs(month string) iter.Seq[ledger.BillJob] {
	m, _ := time.Parse("2006-01", month)
	return func(yield func(ledger.BillJob) bool) {
		for i := range g.streams() {
			w, _ := g.wallet(i)
			job := ledger.BillJob{Stream: stream(i), Bill: g.bill(i, m), Wallet: w, Policy: policy,
				Options: ledger.SpendOptions{Receivable: true}}
			if !yield(job) {
				return
			}
		}
	}
}
