// Command hostflow is billfold embedded the way a billing platform runs it:
// one request at a time, with the customer's state stored as JSON in
// between. The state is the instruments' definitions (a voucher, a gift
// balance), the subscriptions and the journal; the journal alone says what
// each instrument holds, and every wallet is built from the stored
// definitions with ledger.WithBalances.
//
// Each step loads the stored JSON, does one thing, and stores the result:
// grant, spend, refund part of the spend onto the voucher it used up,
// renew a subscription automatically (vouchers first, Kingsoft Cloud
// renewal management, 004), expire the voucher at the end of its validity,
// and renew again from the gift balance (Kingsoft Cloud account assets,
// 000). After each step it prints the wallet the next bill would see.
//
//	go run ./examples/hostflow
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/billfold/billfold/voucher"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hostflow:", err)
		os.Exit(1)
	}
}

// cst is the account's time zone (China Standard Time).
var cst = time.FixedZone("CST", 8*3600)

func day(month time.Month, d, hour, min int) time.Time {
	return time.Date(2024, month, d, hour, min, 0, 0, cst)
}

// customer is what the host stores for one customer account, as one JSON
// document (a database row would do as well). The journal is the only
// record of money; the other values hold definitions and lifecycle.
type customer struct {
	Vouchers      []voucher.Voucher  `json:"vouchers"`
	Gift          credit.Gift        `json:"gift"`
	Subscriptions []renewal.Instance `json:"subscriptions"`
	Journal       ledger.Journal     `json:"journal"`
}

// load decodes the stored document strictly: every value checks its own
// form, and a field nobody knows is an error.
func load(stored []byte) (customer, error) {
	var c customer
	dec := json.NewDecoder(bytes.NewReader(stored))
	dec.DisallowUnknownFields()
	err := dec.Decode(&c)
	return c, err
}

// save encodes the customer for storage.
func save(c customer) ([]byte, error) { return json.Marshal(c) }

// wallet is the wallet the next bill is allocated over: the stored
// instruments with their balances (and used-up state) from the journal.
func (c customer) wallet() allocation.Wallet {
	w := allocation.Wallet{c.Gift.Instrument()}
	for _, v := range c.Vouchers {
		w = append(w, v.Instrument())
	}
	return ledger.WithBalances(c.Journal, w)
}

// book applies transactions to the journal.
func (c customer) book(txs ...ledger.Transaction) (customer, error) {
	j, _, _, err := c.Journal.ApplyAll(txs)
	c.Journal = j
	return c, err
}

// A step is one request: it gets the stored customer and returns it
// changed, with a line saying what it did.
type step struct {
	at time.Time
	do func(c customer, at time.Time) (customer, string, error)
}

// The account pays by the renewal default: vouchers first (soonest expiry
// first), then gift balance.
var (
	policy = renewal.DefaultPolicy()
	prices = renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{"KEC": decimal.RequireFromString("20.00")}}
)

var steps = []step{
	{day(6, 1, 9, 0), open},
	{day(6, 3, 12, 0), spend},
	{day(6, 4, 12, 0), refund},
	{day(6, 10, 0, 5), renew},
	{day(7, 1, 9, 0), expire},
	{day(7, 10, 0, 5), renew},
}

// open issues and activates a 50.00 voucher valid for 30 days, opens a
// gift balance of 100.00, grants both in the journal, and subscribes the
// customer to a KEC instance renewed automatically.
func open(c customer, at time.Time) (customer, string, error) {
	v, err := voucher.New(voucher.Params{ID: "V1", Type: voucher.Regular, Currency: "CNY",
		Denomination: decimal.RequireFromString("50.00"), IssuedAt: at, ValidFor: 30 * 24 * time.Hour})
	if err == nil {
		v, err = v.Activate("acct-1", at)
	}
	if err != nil {
		return c, "", err
	}
	g, err := credit.NewGift(credit.GiftParams{ID: "G1", Account: "acct-1", Currency: "CNY", Balance: decimal.RequireFromString("100.00")})
	if err != nil {
		return c, "", err
	}
	c.Vouchers, c.Gift = []voucher.Voucher{v}, g
	c.Subscriptions = []renewal.Instance{{ID: "web-1", Product: "KEC", Renewable: true, Policy: renewal.Auto,
		ExpiresAt: day(6, 10, 10, 0)}}
	var grants []ledger.Transaction
	for _, in := range []allocation.Instrument{v.Instrument(), g.Instrument()} {
		grants = append(grants, ledger.Grant("grant:"+in.ID, at, ledger.TermsOf(in), in.Balance, ""))
	}
	c, err = c.book(grants...)
	return c, "open: voucher V1 50.00 for 30 days, gift balance G1 100.00, subscription web-1 (KEC, auto)", err
}

// spend pays a pay-as-you-go bill of 50.00: the voucher pays all of it.
// Only the journal is told: it is the record of money, and the wallet
// takes balances, and whether an instrument is used up, from it.
func spend(c customer, at time.Time) (customer, string, error) {
	bill := allocation.Bill{ID: "b1", Currency: "CNY", At: at, Mode: "payg",
		Lines: []allocation.Line{{ID: "l1", Product: "KEC", Category: "compute", Amount: decimal.RequireFromString("50.00")}}}
	w := c.wallet()
	split, err := allocation.Allocate(bill, w, policy)
	if err != nil {
		return c, "", err
	}
	tx, err := ledger.FromSplit(bill, w, split, ledger.SpendOptions{})
	if err == nil {
		c, err = c.book(tx)
	}
	return c, "spend: bill b1 50.00, " + paidBy(split), err
}

// refund gives back 30.00 of bill b1: onto the voucher that paid it, which
// the spend had used up.
func refund(c customer, at time.Time) (customer, string, error) {
	tx, err := ledger.Reverse(c.Journal, "refund:b1", at, "spend:b1", decimal.RequireFromString("30.00"), "goodwill")
	if err == nil {
		c, err = c.book(tx)
	}
	return c, "refund: 30.00 of b1 back onto V1", err
}

// renew runs the automatic renewals due at at and books what they paid.
func renew(c customer, at time.Time) (customer, string, error) {
	w := c.wallet()
	r, err := renewal.RunAuto(c.Subscriptions, at, cst, w, prices, policy)
	if err != nil {
		return c, "", err
	}
	c.Subscriptions = r.Instances
	var did []string
	for _, res := range r.Results {
		if res.Outcome == renewal.Renewed {
			tx, err := ledger.FromSplit(res.Bill, w, res.Split, ledger.SpendOptions{})
			if err == nil {
				c, err = c.book(tx)
			}
			if err != nil {
				return c, "", err
			}
		}
		did = append(did, fmt.Sprintf("%s %s %s, %s", res.Instance.ID, res.Outcome, res.Amount.StringFixed(2), paidBy(res.Split)))
	}
	return c, "renew: " + strings.Join(did, "; "), nil
}

// expire closes the vouchers whose validity has ended and moves what they
// still held in the journal to expired.
func expire(c customer, at time.Time) (customer, string, error) {
	for i, v := range c.Vouchers {
		if v.Status() == voucher.Active && !at.Before(v.ValidUntil()) {
			var err error
			if c.Vouchers[i], err = v.Expire(at); err != nil {
				return c, "", err
			}
		}
	}
	tx, ok := ledger.Expire(c.Journal, at)
	if !ok {
		return c, "expire: nothing left on expired instruments", nil
	}
	c, err := c.book(tx)
	return c, fmt.Sprintf("expire: V1's validity ended; %s left on it moved to expired", tx.Postings[1].Amount.StringFixed(2)), err
}

// paidBy says which instruments paid a split.
func paidBy(s allocation.Split) string {
	var paid []string
	for _, in := range s.Instruments {
		if in.Used.IsPositive() {
			paid = append(paid, in.ID+" "+in.Used.StringFixed(2))
		}
	}
	if len(paid) == 0 {
		paid = []string{"nothing"}
	}
	out := "paid by " + strings.Join(paid, ", ")
	if s.Outstanding.IsPositive() {
		out += ", outstanding " + s.Outstanding.StringFixed(2)
	}
	return out
}

// run tells the story, storing the customer as JSON between steps.
func run(w io.Writer) error {
	fmt.Fprintln(w, "Each step loads the customer's stored JSON, does one thing and stores it again.")
	fmt.Fprintln(w, "Below each: the wallet the next bill sees (balances from the journal), the")
	fmt.Fprintln(w, "subscriptions, and the journal.")
	fmt.Fprintln(w)
	stored := []byte(`{}`) // a new customer: nothing stored yet
	for _, s := range steps {
		c, err := load(stored)
		if err != nil {
			return fmt.Errorf("loading before %s: %w", s.at.Format(time.DateTime), err)
		}
		c, what, err := s.do(c, s.at)
		if err != nil {
			return fmt.Errorf("%s: %w", s.at.Format(time.DateTime), err)
		}
		if stored, err = save(c); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  %s\n", s.at.Format("2006-01-02 15:04"), what)
		show(w, c)
	}
	return nil
}

// show prints the wallet the next bill would see, the subscriptions and
// the journal's size.
func show(w io.Writer, c customer) {
	for _, in := range c.wallet() {
		until := ""
		if !in.ValidUntil.IsZero() {
			until = "valid until " + in.ValidUntil.In(cst).Format("2006-01-02 15:04")
		}
		line := fmt.Sprintf("    %-3s %-8s %-8s %7s  %s", in.ID, in.Kind, status(in.Status), in.Balance.StringFixed(2), until)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	for _, sub := range c.Subscriptions {
		fmt.Fprintf(w, "    %-5s %s %s, %s, expires %s\n", sub.ID, sub.Product, status(string(sub.Status)), sub.Policy,
			sub.ExpiresAt.In(cst).Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(w, "    journal: %d transactions, the last %s\n\n", c.Journal.Len(), lastID(c.Journal))
}

// status reads an empty status as active, as allocation and renewal do.
func status(s string) string {
	if s == "" {
		return "active"
	}
	return s
}

// lastID returns the id of the journal's last transaction.
func lastID(j ledger.Journal) string {
	id := ""
	for _, tx := range j.Transactions() {
		id = tx.ID
	}
	return id
}
