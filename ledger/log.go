package ledger

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// A log is the storage behind Journal values: an append-only list of
// transactions with indexes. Journal{l, n} sees the first n transactions of
// l, and everything here can be read as of any such prefix, so one log can
// back every version of a journal at once.
//
// Only ever appending keeps that true: an element below len(txs) (or of any
// other slice here) is never written again, so a reader that captured a
// slice under the lock may go on reading it after releasing the lock. A
// Journal that is not the longest user of its log must not append to it;
// it forks a new log instead (see Journal.Apply).
type log struct {
	mu   sync.RWMutex
	txs  []Transaction // each a private copy
	byID map[string]int
	// accts holds, per account, its entries and terms.
	accts map[Account]*acct
	// reversals maps a transaction id to the positions of the reverse
	// transactions that name it as Ref, ascending.
	reversals map[string][]int
	// heldBy maps an instrument account to its held accounts, in the
	// order they were first posted to.
	heldBy map[Account][]Account
	// sorted is how many leading transactions have non-decreasing times:
	// for a journal no longer than that, History can binary-search time.
	sorted int

	// Indexes of the newest version only (all of txs), so that what a
	// booking reads there costs the same however long the history: older
	// versions derive the same answers from the entries.

	// plain lists the accounts that are not held accounts, in the order
	// they were first named.
	plain []Account
	// heldHead maps an instrument account to the sum of its held
	// accounts' balances: what open holds reserve of it.
	heldHead map[Account]decimal.Decimal
	// openHeld holds the held accounts whose balance is not zero: those
	// of open holds.
	openHeld map[Account]struct{}

	// A resumed log (see [Resume]) holds no transaction below off: txs[i]
	// is the one at position off+i, and each account's balance at off is
	// its acct's start. past holds the positions below off the log was
	// given (the open holds' transactions of its checkpoint, recalled
	// ones); like recalled and pastRefs it is replaced, never changed, so
	// a reader may keep it after releasing the lock.
	off  int
	past map[int]*Transaction
	// recalled holds the ids whose transactions below off, by ID and by
	// Ref, the log was all given (Journal.Recall); pastRefs maps a Ref
	// to the positions below off of the recalled transactions naming it.
	recalled map[string]bool
	pastRefs map[string][]int
	// cp is the checkpoint the log resumed from (nil for a whole log),
	// for fork; last is the time of the transaction at off-1.
	cp   *Checkpoint
	last time.Time
}

// markEvery is how many entries of an account lie between two stored
// running balances: a balance as of any version costs at most this many
// additions, while only one decimal in markEvery entries is kept.
const markEvery = 32

// An entry locates one posting: Postings[post] of txs[seq].
type entry struct{ seq, post int }

// acct is what the log knows about one account.
type acct struct {
	first   int     // position of the first transaction naming the account
	entries []entry // ascending by seq
	// start is the balance before entries[0]: zero, or for an account of
	// a resumed log its balance at the checkpoint.
	start decimal.Decimal
	// marks[i] is the balance after entries[:(i+1)*markEvery].
	marks []decimal.Decimal
	head  sum       // balance after all entries
	terms []termsAt // ascending by seq
}

// termsAt are terms set by the transaction at position seq.
type termsAt struct {
	seq   int
	terms Terms
}

func newLog() *log {
	return &log{
		byID:      make(map[string]int),
		accts:     make(map[Account]*acct),
		reversals: make(map[string][]int),
		heldBy:    make(map[Account][]Account),
	}
}

// add appends tx, which must be valid against the whole log and owned by
// it. The caller holds the write lock (or is the only user of l).
func (l *log) add(tx Transaction) {
	seq := l.len()
	prev := l.last
	if len(l.txs) > 0 {
		prev = l.txs[len(l.txs)-1].Time
	}
	l.txs = append(l.txs, tx)
	l.byID[tx.ID] = seq
	if l.sorted == seq && (seq == 0 || !tx.Time.Before(prev)) {
		l.sorted++
	}
	for i, p := range tx.Postings {
		a := l.account(p.Account, seq)
		a.head.add(p.Amount) // as an int64 while it fits: no allocation per posting
		a.entries = append(a.entries, entry{seq, i})
		if len(a.entries)%markEvery == 0 {
			a.marks = append(a.marks, a.head.value())
		}
		if p.Account.IsHeld() {
			if l.heldHead == nil { // made on first use: most streams never hold
				l.heldHead, l.openHeld = make(map[Account]decimal.Decimal), make(map[Account]struct{})
			}
			owner := p.Account.owner()
			l.heldHead[owner] = l.heldHead[owner].Add(p.Amount)
			if a.head.isZero() {
				delete(l.openHeld, p.Account)
			} else {
				l.openHeld[p.Account] = struct{}{}
			}
		}
	}
	for _, t := range tx.Terms {
		a := l.account(t.Account, seq)
		a.terms = append(a.terms, termsAt{seq, t})
	}
	if tx.Kind == KindReverse {
		l.reversals[tx.Ref] = append(l.reversals[tx.Ref], seq)
	}
}

// account returns the acct of a, creating it as first named at seq.
func (l *log) account(a Account, seq int) *acct {
	ac := l.accts[a]
	if ac == nil {
		ac = &acct{first: seq}
		l.accts[a] = ac
		if a.IsHeld() {
			l.heldBy[a.owner()] = append(l.heldBy[a.owner()], a)
		} else {
			l.plain = append(l.plain, a)
		}
	}
	return ac
}

// fork returns a new, unshared log holding the first n transactions of l.
// It costs time and memory in proportion to those transactions. The caller
// holds at least the read lock of l.
func (l *log) fork(n int) *log {
	f := newLog()
	if l.cp != nil {
		f = resumeLog(*l.cp)
		f.recall(l.recalledIDs(), l.recalledPast())
	}
	f.txs = make([]Transaction, 0, n-l.off+1)
	for _, tx := range l.txs[:n-l.off] {
		f.add(tx) // transactions are immutable once logged: share them
	}
	return f
}

// len returns the number of positions of l: those below off it does not
// hold, then txs.
func (l *log) len() int { return l.off + len(l.txs) }

// tx returns the transaction at position seq, which l holds.
func (l *log) tx(seq int) *Transaction {
	if seq >= l.off {
		return &l.txs[seq-l.off]
	}
	return l.past[seq]
}

// timeSorted reports whether the times of the first n transactions never
// decrease.
func (l *log) timeSorted(n int) bool { return n <= l.sorted }

// newest reports whether the first n transactions are all of l, where the
// newest-version indexes answer.
func (l *log) newest(n int) bool { return n == l.len() }

// seq returns the position of the transaction id among the first n.
func (l *log) seq(id string, n int) (int, bool) {
	seq, ok := l.byID[id]
	return seq, ok && seq < n
}

// count returns how many of a's entries belong to the first n
// transactions.
func (a *acct) count(n int) int {
	if len(a.entries) == 0 || a.entries[len(a.entries)-1].seq < n {
		return len(a.entries)
	}
	return sort.Search(len(a.entries), func(i int) bool { return a.entries[i].seq >= n })
}

// balance returns the balance of account a as of the first n transactions.
func (l *log) balance(a Account, n int) decimal.Decimal {
	ac := l.accts[a]
	if ac == nil {
		return decimal.Decimal{}
	}
	return l.acctBalance(ac, n)
}

// acctBalance returns the balance of the account of ac as of the first n
// transactions.
func (l *log) acctBalance(ac *acct, n int) decimal.Decimal {
	k := ac.count(n)
	if k == len(ac.entries) {
		return ac.head.value()
	}
	c := cursor{txs: l.txs, off: l.off, past: l.past, start: ac.start, entries: ac.entries, marks: ac.marks}
	c.set(ac.start)
	return c.after(k)
}

// balanceSum returns the balance of the account of ac (zero if ac is
// nil) as of the first n transactions as a sum, to add to: on the newest
// version this allocates nothing while the balance fits an int64.
func (l *log) balanceSum(ac *acct, n int) sum {
	switch {
	case ac == nil:
		return sum{}
	case ac.count(n) == len(ac.entries):
		return ac.head // a copy: a wide head's decimal is never changed, only replaced
	}
	var s sum
	s.set(l.acctBalance(ac, n))
	return s
}

// terms returns the terms of account a in force after the first n
// transactions, and whether any were set.
func (l *log) terms(a Account, n int) (Terms, bool) {
	if t := l.accts[a].termsAt(n); t != nil {
		return *t, true
	}
	return Terms{}, false
}

// termsAt returns the terms in force after the first n transactions (the
// log's own: the caller must not change them), or nil if none were set or
// ac is nil.
func (ac *acct) termsAt(n int) *Terms {
	if ac == nil {
		return nil
	}
	for i := len(ac.terms) - 1; i >= 0; i-- {
		if ac.terms[i].seq < n {
			return &ac.terms[i].terms
		}
	}
	return nil
}

// A cursor computes running balances of one account from the stored marks,
// moving forward cheaply from the balance it computed last. A new cursor
// is at the start, once its sum is set to start (zero for the zero
// cursor).
type cursor struct {
	txs     []Transaction
	off     int                  // txs[0] is at position off
	past    map[int]*Transaction // positions below off
	start   decimal.Decimal      // the balance before entries[0]
	entries []entry
	marks   []decimal.Decimal
	k       int // the cursor holds the balance after entries[:k]
	sum
}

// after returns the balance after entries[:k]. It starts from the mark at
// or below k when k is behind the last position or more than markEvery
// ahead of it, and otherwise adds on from the last position.
func (c *cursor) after(k int) decimal.Decimal {
	if k < c.k || k-c.k > markEvery {
		m := k / markEvery
		base := c.start
		if m > 0 {
			base = c.marks[m-1]
		}
		c.k = m * markEvery
		c.set(base)
	}
	for ; c.k < k; c.k++ {
		e := c.entries[c.k]
		c.add(c.tx(e.seq).Postings[e.post].Amount)
	}
	return c.value()
}

// tx returns the transaction at position seq.
func (c *cursor) tx(seq int) *Transaction {
	if seq >= c.off {
		return &c.txs[seq-c.off]
	}
	return c.past[seq]
}

// A sum adds decimals exactly. It keeps the sum as an int64 scaled by a
// power of ten while it fits, so that adding allocates nothing, and as a
// decimal once it does not. The zero sum is zero, and value returns what
// adding the decimals with [decimal.Decimal.Add] from the zero Decimal
// returns: the same value at the smallest exponent added.
type sum struct {
	// The sum is v·10^exp, or, if wide, big.
	v    int64
	exp  int32
	wide bool
	big  decimal.Decimal
}

// set makes d the sum.
func (c *sum) set(d decimal.Decimal) {
	c.v, c.exp, c.wide = 0, 0, false
	if v, exp, ok := scaled(d); ok {
		c.v, c.exp = v, exp
		return
	}
	c.wide, c.big = true, d
}

// add adds d to the sum.
func (c *sum) add(d decimal.Decimal) {
	if !c.wide {
		if v, exp, ok := scaled(d); ok {
			if s, exp, ok := addScaled(c.v, c.exp, v, exp); ok {
				c.v, c.exp = s, exp
				return
			}
		}
		c.wide, c.big = true, decimal.New(c.v, c.exp)
	}
	c.big = c.big.Add(d)
}

// value returns the sum as a decimal.
func (c *sum) value() decimal.Decimal {
	if c.wide {
		return c.big
	}
	return decimal.New(c.v, c.exp)
}

// sign returns −1, 0 or +1 as the sum is negative, zero or positive.
func (c *sum) sign() int {
	switch {
	case c.wide:
		return c.big.Sign()
	case c.v < 0:
		return -1
	case c.v > 0:
		return 1
	}
	return 0
}

// isZero reports whether the sum is zero.
func (c *sum) isZero() bool {
	if c.wide {
		return c.big.IsZero()
	}
	return c.v == 0
}

// scaled returns d as v·10^exp with v an int64, if its coefficient has at
// most 18 digits.
func scaled(d decimal.Decimal) (v int64, exp int32, ok bool) {
	if d.NumDigits() > 18 {
		return 0, 0, false
	}
	return d.CoefficientInt64(), d.Exponent(), true
}

// addScaled returns a·10^ea + b·10^eb as s·10^min(ea, eb), if s fits in an
// int64.
func addScaled(a int64, ea int32, b int64, eb int32) (s int64, exp int32, ok bool) {
	if ea > eb {
		a, ok = mulPow10(a, int64(ea)-int64(eb))
	} else {
		b, ok = mulPow10(b, int64(eb)-int64(ea))
	}
	s = a + b
	if !ok || (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, 0, false
	}
	return s, min(ea, eb), true
}

// mulPow10 returns v·10^k (k ≥ 0), if it fits in an int64.
func mulPow10(v int64, k int64) (int64, bool) {
	for ; k > 0 && v != 0; k-- {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 {
			return 0, false
		}
		v *= 10
	}
	return v, true
}
