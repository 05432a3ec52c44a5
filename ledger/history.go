package ledger

import (
	"iter"
	"slices"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// A Filter selects entries for [Journal.History]. Each field that is set
// must match; the zero Filter selects every entry.
type Filter struct {
	// From is the earliest transaction time included; zero: no limit.
	From time.Time
	// To is the first transaction time excluded; zero: no limit.
	To time.Time
	// Kinds lists the transaction kinds included; empty: all.
	Kinds []Kind
	// Products lists the posting products included; empty: all (including
	// postings without a product).
	Products []string
}

// match reports whether the posting p of tx passes f.
func (f Filter) match(tx *Transaction, p *Posting) bool {
	return (f.From.IsZero() || !tx.Time.Before(f.From)) &&
		(f.To.IsZero() || tx.Time.Before(f.To)) &&
		(len(f.Kinds) == 0 || slices.Contains(f.Kinds, tx.Kind)) &&
		(len(f.Products) == 0 || slices.Contains(f.Products, p.Product))
}

// An Entry is one posting to an account, with its transaction's details:
// one line of an account statement.
type Entry struct {
	// Seq is the position of the transaction in the journal.
	Seq int
	// ID, Time, Kind, Bill, Ref and Note are the transaction's.
	ID   string
	Time time.Time
	Kind Kind
	Bill string
	Ref  string
	Note string
	// Account, Amount, Line and Product are the posting's.
	Account Account
	Amount  decimal.Decimal
	Line    string
	Product string
	// Balance is the account's balance just after this posting.
	Balance decimal.Decimal
}

// History returns the postings to account a that pass f, in journal order
// (by transaction, then posting order): the account's statement, or with a
// filter its spending records (Alibaba 001: kinds spend, products …, over a
// time range). Each entry carries the balance after it, counting every
// posting, filtered or not. It is [Journal.Entries] collected; nil when
// nothing passes.
func (j Journal) History(a Account, f Filter) []Entry {
	return slices.Collect(j.Entries(a, f))
}

// Entries yields what [Journal.History] returns, one entry at a time, so a
// long statement can be paged or streamed without holding it all.
//
// On a resumed journal ([Resume]) it yields the entries from
// [Journal.Base] on, each with its true balance: older ones are the
// store's to read.
//
// It reads only a's own postings. When transaction times never decrease
// (the usual case), a time range is found by binary search, so a narrow
// range costs little however long the account's history is.
func (j Journal) Entries(a Account, f Filter) iter.Seq[Entry] {
	return func(yield func(Entry) bool) {
		if j.l == nil {
			return
		}
		j.l.mu.RLock()
		ac := j.l.accts[a]
		if ac == nil {
			j.l.mu.RUnlock()
			return
		}
		k := ac.count(j.n)
		c := cursor{txs: j.l.txs[:j.n-j.l.off], off: j.l.off, past: j.l.past, start: ac.start,
			entries: ac.entries[:k], marks: ac.marks[:k/markEvery]}
		c.set(ac.start)
		sorted := j.l.timeSorted(j.n)
		j.l.mu.RUnlock()

		// From here on only the captured prefixes are read: they never
		// change. A resumed journal yields nothing before its Base.
		lo, hi := sort.Search(k, func(i int) bool { return c.entries[i].seq >= c.off }), k
		if sorted {
			at := func(i int) time.Time { return c.tx(c.entries[i].seq).Time }
			if !f.From.IsZero() {
				lo = max(lo, sort.Search(k, func(i int) bool { return !at(i).Before(f.From) }))
			}
			if !f.To.IsZero() {
				hi = sort.Search(k, func(i int) bool { return !at(i).Before(f.To) })
			}
		}
		for i := lo; i < hi; i++ {
			e := c.entries[i]
			tx := c.tx(e.seq)
			p := &tx.Postings[e.post]
			if !f.match(tx, p) {
				continue
			}
			if !yield(Entry{
				Seq: e.seq, ID: tx.ID, Time: tx.Time, Kind: tx.Kind,
				Bill: tx.Bill, Ref: tx.Ref, Note: tx.Note,
				Account: p.Account, Amount: p.Amount, Line: p.Line, Product: p.Product,
				Balance: c.after(i + 1),
			}) {
				return
			}
		}
	}
}
