package ledger

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// A transaction is identical only to itself: the same fields, with its
// postings and terms the very same arrays. A copy of its postings, or any
// field changed, makes another value, which same then compares amount by
// amount.
func TestIdenticalIsOneValue(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := InstrumentAccount("v", "USD")
	tx := Transaction{ID: "s", Time: at, Kind: KindSpend, Bill: "b", Ref: "r", Note: "n",
		Postings: []Posting{{Account: v, Amount: decimal.New(-5, 0)}, {Account: SystemAccount(Revenue, "USD"), Amount: decimal.New(5, 0)}},
		Terms:    []Terms{{Account: v, Kind: "voucher"}}}
	if !tx.identical(tx) || !tx.same(tx) {
		t.Fatal("a transaction is not identical to itself")
	}
	spend := tx
	spend.Terms = nil // a spend sets no terms: empty arrays are shared
	if !spend.identical(spend) {
		t.Error("a transaction without terms is not identical to itself")
	}
	changes := map[string]func(*Transaction){
		"id":              func(u *Transaction) { u.ID = "t" },
		"time":            func(u *Transaction) { u.Time = at.Add(time.Second) },
		"time zone":       func(u *Transaction) { u.Time = at.In(time.FixedZone("x", 3600)) },
		"kind":            func(u *Transaction) { u.Kind = KindGrant },
		"bill":            func(u *Transaction) { u.Bill = "c" },
		"ref":             func(u *Transaction) { u.Ref = "q" },
		"note":            func(u *Transaction) { u.Note = "m" },
		"postings copied": func(u *Transaction) { u.Postings = tx.clone().Postings },
		"fewer postings":  func(u *Transaction) { u.Postings = tx.Postings[:1] },
		"terms copied":    func(u *Transaction) { u.Terms = tx.clone().Terms },
		"no terms":        func(u *Transaction) { u.Terms = nil },
	}
	for name, change := range changes {
		u := tx
		change(&u)
		if tx.identical(u) || u.identical(tx) {
			t.Errorf("%s: still identical", name)
		}
	}
	// Copies are not identical, but same: equal and written alike.
	if c := tx.clone(); !tx.same(c) {
		t.Error("a copy is not the same transaction")
	}
}
