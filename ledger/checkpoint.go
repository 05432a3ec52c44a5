package ledger

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ErrBeforeCheckpoint is wrapped by the error a resumed journal ([Resume])
// returns when an answer needs transactions before its checkpoint that it
// was not given: see [CheckpointError].
var ErrBeforeCheckpoint = errors.New("ledger: needs transactions before the journal's checkpoint")

// A CheckpointError reports that a resumed journal cannot check or build
// the transaction ID without the transactions before its checkpoint whose
// ID or Ref is one of Need: recall them ([Journal.Recall]) and try again.
// An empty Need means no recall helps: a helper was asked to rebuild a
// transaction stored before the checkpoint (a retry and a conflicting
// request look alike there); read it from the store instead. It wraps
// [ErrBeforeCheckpoint].
type CheckpointError struct {
	ID   string
	Need []string
}

// Error names the transaction and what it needs.
func (e *CheckpointError) Error() string {
	if len(e.Need) == 0 {
		return fmt.Sprintf("ledger: transaction %q is stored before the journal's checkpoint: it cannot be built again", e.ID)
	}
	return fmt.Sprintf("ledger: transaction %q needs the transactions before the journal's checkpoint named %q", e.ID, e.Need)
}

// Unwrap returns [ErrBeforeCheckpoint].
func (e *CheckpointError) Unwrap() error { return ErrBeforeCheckpoint }

// A Checkpoint summarises a journal as of a version (its first Len
// transactions): each account's balance and terms in force, the open
// holds' transactions (the hold and whatever moved its held accounts),
// and the receivable's debts. Its size grows with the accounts, the open
// holds and the debts ever booked on a receivable, not with the number of
// transactions. [Resume] makes a journal of it; a store keeps it as JSON.
//
// The zero Checkpoint is that of the empty journal.
type Checkpoint struct {
	n        int
	last     time.Time // time of transaction n-1
	sorted   bool      // the first n transactions come in time order
	accounts []cpAccount
	holds    []Past
	debts    []cpDebt
}

// cpAccount is one account of a checkpoint.
type cpAccount struct {
	account  Account
	balance  decimal.Decimal
	terms    Terms
	hasTerms bool
}

// cpDebt is one debt of a checkpoint, on the receivable of currency cur.
type cpDebt struct {
	cur string
	debt
}

// A Past is a transaction before a resumed journal's checkpoint, with its
// position: what a store reads to answer [CheckpointError].
type Past struct {
	Seq         int
	Transaction Transaction
}

// Len returns the number of transactions the checkpoint summarises.
func (c Checkpoint) Len() int { return c.n }

// Checkpoint returns the checkpoint of j as of its whole length. It costs
// time in proportion to the accounts, the open holds' transactions and the
// receivable's history (debts are worked out from its entries), and is
// what a store takes every so many transactions, not per booking.
func (j Journal) Checkpoint() Checkpoint {
	var c Checkpoint
	if j.l == nil || j.n == 0 {
		return c
	}
	l := j.l
	l.mu.RLock()
	defer l.mu.RUnlock()
	c.n, c.sorted = j.n, l.timeSorted(j.n)
	if j.n > l.off {
		c.last = l.tx(j.n - 1).Time
	} else {
		c.last = l.last
	}
	open := map[string]bool{} // holds with money held
	var accts []Account
	for a, ac := range l.accts {
		if ac.first < j.n {
			accts = append(accts, a)
			if a.IsHeld() && !l.balance(a, j.n).IsZero() {
				open[a.hold] = true
			}
		}
	}
	slices.SortFunc(accts, Account.Compare)
	seqs := map[int]bool{}
	var curs []string
	for _, a := range accts {
		if a.IsHeld() && !open[a.hold] {
			continue // of a settled hold: the past, recalled when named
		}
		ca := cpAccount{account: a, balance: l.balance(a, j.n)}
		ca.terms, ca.hasTerms = l.terms(a, j.n)
		c.accounts = append(c.accounts, ca)
		if a.IsHeld() {
			ac := l.accts[a]
			for _, e := range ac.entries[:ac.count(j.n)] {
				seqs[e.seq] = true
			}
		}
		if a.sys == Receivable {
			curs = append(curs, a.currency)
		}
	}
	for _, seq := range slices.Sorted(maps.Keys(seqs)) {
		c.holds = append(c.holds, Past{Seq: seq, Transaction: *l.tx(seq)})
	}
	for _, cur := range curs {
		for _, d := range l.debts(j.n, cur) {
			c.debts = append(c.debts, cpDebt{cur: cur, debt: d})
		}
	}
	return c
}

// Resume returns the journal of cp followed by tail: the transactions
// stored after cp's version, in order. It answers what concerns the
// present as the journal built from the whole history does (balances,
// terms, floors, holds, expiry, top-ups, what is owed) at a cost that
// grows with cp and tail, not with the history before cp.
//
// What needs older transactions it answers once they are recalled
// ([Journal.Recall]); until then Apply and the helpers fail with a
// [*CheckpointError] naming them, and the reads answer as for an absent
// id ([Journal.Knows]). [Journal.History], [Journal.Entries] and
// [Journal.Transactions] start at [Journal.Base], and [Journal.Accounts]
// and [Journal.Terms] omit the held accounts of holds settled before it.
//
// Resume trusts tail as a store's rows: each was accepted by Apply when
// stored, so it checks only that each is well-formed and has a new id
// (errors wrap [ErrInvalid]). It vouches that no transaction before cp
// has a tail transaction's id.
func Resume(cp Checkpoint, tail []Transaction) (Journal, error) {
	if cp.n == 0 {
		j, _, _, err := Journal{}.ApplyAll(tail)
		return j, err
	}
	l := resumeLog(cp)
	var errs []error
	for _, tx := range tail {
		if err := tx.Validate(); err != nil {
			errs = append(errs, err)
		} else if _, ok := l.byID[tx.ID]; ok {
			errs = append(errs, &InvalidError{ID: tx.ID, Problems: []string{"id repeats an earlier transaction"}})
		} else {
			l.add(tx.clone())
			l.recalled[tx.ID] = true // nothing before cp has its id, nor names it
		}
	}
	if len(errs) > 0 {
		return Journal{}, errors.Join(errs...)
	}
	return Journal{l, l.len()}, nil
}

// resumeLog returns the log of cp, which must be consistent (as
// Checkpoint takes it and decoding checks).
func resumeLog(cp Checkpoint) *log {
	l := newLog()
	l.off, l.cp, l.last = cp.n, &cp, cp.last
	if cp.sorted {
		l.sorted = cp.n
	}
	l.past, l.recalled, l.pastRefs = map[int]*Transaction{}, map[string]bool{}, map[string][]int{}
	full := map[Account]bool{} // held accounts of open holds: their entries are all here
	for _, ca := range cp.accounts {
		ac := &acct{first: -1}
		l.accts[ca.account] = ac
		if ca.account.IsHeld() {
			full[ca.account] = true
			l.heldBy[ca.account.owner()] = append(l.heldBy[ca.account.owner()], ca.account)
		} else {
			ac.start = ca.balance
			ac.head.set(ca.balance)
			l.plain = append(l.plain, ca.account)
		}
		if ca.hasTerms {
			ac.terms = []termsAt{{seq: -1, terms: ca.terms}}
		}
	}
	for i := range cp.holds {
		p := &cp.holds[i]
		l.past[p.Seq] = &p.Transaction
		l.byID[p.Transaction.ID] = p.Seq
		for k, q := range p.Transaction.Postings {
			if !full[q.Account] {
				continue
			}
			a := l.accts[q.Account]
			a.head.add(q.Amount)
			a.entries = append(a.entries, entry{p.Seq, k})
			if len(a.entries)%markEvery == 0 {
				a.marks = append(a.marks, a.head.value())
			}
		}
	}
	for h := range full {
		if l.heldHead == nil {
			l.heldHead, l.openHeld = make(map[Account]decimal.Decimal), make(map[Account]struct{})
		}
		b := l.accts[h].head.value()
		l.heldHead[h.owner()] = l.heldHead[h.owner()].Add(b)
		if !b.IsZero() {
			l.openHeld[h] = struct{}{}
		}
	}
	for _, hs := range l.heldBy {
		slices.SortFunc(hs, Account.Compare)
	}
	return l
}

// Base returns the version of the checkpoint j was resumed from
// ([Resume]): j holds no transaction before it but those it was given.
// It is 0 for a journal built from its whole history.
func (j Journal) Base() int {
	if j.l == nil {
		return 0
	}
	return j.l.off
}

// Knows reports whether j can answer for the transaction id: whether it
// holds one, and what names it as Ref (reversals, captures, releases).
// A journal built from its whole history always can; a resumed one
// ([Resume]) can for ids from [Journal.Base] on and for recalled ones
// ([Journal.Recall]).
func (j Journal) Knows(id string) bool {
	if j.l == nil {
		return true
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	return j.l.knows(id)
}

// knows is Journal.Knows. The caller holds the read lock.
func (l *log) knows(id string) bool {
	if l.off == 0 || l.recalled[id] {
		return true
	}
	seq, ok := l.byID[id]
	return ok && seq >= l.off
}

// needs returns the ids the well-formed, new tx with nets ns needs
// recalled to be checked: the Ref of a reverse, and the holds it moves
// money of.
func (l *log) needs(tx Transaction, ns []net) []string {
	if l.off == 0 {
		return nil
	}
	var out []string
	if tx.Kind == KindReverse && !l.knows(tx.Ref) {
		out = append(out, tx.Ref)
	}
	for _, x := range ns {
		if h := x.account.hold; x.account.IsHeld() && !slices.Contains(out, h) {
			if _, ok := l.byID[h]; !ok && !l.knows(h) {
				out = append(out, h)
			}
		}
	}
	return out
}

// Recall returns j knowing the transactions before its checkpoint given in
// past: every one whose ID or Ref is among ids, with its position, as a
// store reads them (an id with none is thereby known to be absent). The
// answers j gave do not change; those it could not give it now gives.
// It fails with an error wrapping [ErrInvalid], changing nothing, if a
// transaction of past is malformed, not before the checkpoint, names no
// id of ids, or disagrees with one j holds. On a journal that was not
// resumed it returns j.
func (j Journal) Recall(ids []string, past []Past) (Journal, error) {
	if j.l == nil || j.l.off == 0 {
		return j, nil
	}
	l := j.l
	l.mu.Lock()
	defer l.mu.Unlock()
	var ps []string
	seen := map[int]bool{}
	for _, p := range past {
		tx := p.Transaction
		switch {
		case p.Seq < 0 || p.Seq >= l.off:
			ps = append(ps, fmt.Sprintf("%q at position %d: not before the checkpoint at %d", tx.ID, p.Seq, l.off))
		case !slices.Contains(ids, tx.ID) && (tx.Ref == "" || !slices.Contains(ids, tx.Ref)):
			ps = append(ps, fmt.Sprintf("%q: neither its id nor its ref was asked for", tx.ID))
		case seen[p.Seq]:
			ps = append(ps, fmt.Sprintf("position %d given twice", p.Seq))
		}
		seen[p.Seq] = true
		if err := tx.Validate(); err != nil {
			ps = append(ps, err.Error())
		}
		if seq, ok := l.byID[tx.ID]; ok && seq != p.Seq {
			ps = append(ps, fmt.Sprintf("%q: at position %d, not %d", tx.ID, seq, p.Seq))
		}
		if held, ok := l.past[p.Seq]; ok && !held.Equal(tx) {
			ps = append(ps, fmt.Sprintf("position %d: not the transaction held there", p.Seq))
		}
	}
	if len(ps) > 0 {
		return j, &InvalidError{ID: "recall " + strings.Join(ids, ","), Problems: ps}
	}
	l.recall(ids, past)
	return j, nil
}

// recall records past, valid for l, and ids as recalled. The caller holds
// the write lock (or is the only user of l). past, which readers keep,
// is replaced when it grows, not changed; the other maps are read only
// under the lock.
func (l *log) recall(ids []string, past []Past) {
	for _, id := range ids {
		if !l.recalled[id] {
			l.recalled[id] = true
			// Open holds' transactions may name it (a reversal of a
			// capture): index them as recalled ones.
			for _, p := range l.cp.holds {
				if p.Transaction.Ref == id {
					l.indexRef(p.Seq, &p.Transaction)
				}
			}
		}
	}
	var np map[int]*Transaction
	for _, p := range past {
		if _, ok := l.past[p.Seq]; ok {
			continue // an open hold's transaction, or recalled already
		}
		if np == nil {
			np = maps.Clone(l.past)
		}
		tx := p.Transaction.clone()
		np[p.Seq], l.byID[tx.ID] = &tx, p.Seq
		l.indexRef(p.Seq, &tx)
	}
	if np != nil {
		l.past = np
	}
}

// indexRef records the transaction tx below off, at seq, under its Ref.
func (l *log) indexRef(seq int, tx *Transaction) {
	if tx.Ref == "" {
		return
	}
	l.pastRefs[tx.Ref] = insertSorted(l.pastRefs[tx.Ref], seq)
	if tx.Kind == KindReverse {
		l.reversals[tx.Ref] = insertSorted(l.reversals[tx.Ref], seq)
	}
}

// insertSorted returns s (ascending) with v added, once.
func insertSorted(s []int, v int) []int {
	i, found := slices.BinarySearch(s, v)
	if found {
		return s
	}
	return slices.Insert(slices.Clip(s), i, v)
}

// recalledIDs returns the ids recalled into l, sorted; recalledPast the
// transactions below off it was given beyond its checkpoint's.
func (l *log) recalledIDs() []string {
	return slices.Sorted(maps.Keys(l.recalled))
}

func (l *log) recalledPast() []Past {
	var out []Past
	for _, seq := range slices.Sorted(maps.Keys(l.past)) {
		if _, ok := slices.BinarySearchFunc(l.cp.holds, seq, func(p Past, s int) int { return p.Seq - s }); !ok {
			out = append(out, Past{Seq: seq, Transaction: *l.past[seq]})
		}
	}
	return out
}

// Missing returns the ids a resumed journal ([Resume]) must recall
// ([Journal.Recall]) before [Journal.ApplyAll] of txs can answer: their
// own ids, the Refs of reverses and the holds they move money of, where j
// cannot answer for them ([Journal.Knows]), each once, in the order
// found. A store reads them all in one query instead of one per
// [CheckpointError]. It is empty for a journal built from its whole
// history.
func (j Journal) Missing(txs []Transaction) []string {
	if j.l == nil || j.l.off == 0 {
		return nil
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	var out []string
	add := func(id string) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, tx := range txs {
		if _, ok := j.l.byID[tx.ID]; !ok && !j.l.knows(tx.ID) {
			add(tx.ID)
		}
		for _, id := range j.l.needs(tx, nets(tx.Postings)) {
			add(id)
		}
	}
	return out
}

// A Recaller is a [Store] that can read, for a journal it loaded resumed
// from a checkpoint, the older transactions the journal asks for: those
// before its checkpoint whose ID or Ref is among ids, handed over with
// [Journal.Recall]. [Update] uses it when its Store has it.
type Recaller interface {
	Recall(ctx context.Context, stream string, j Journal, ids ...string) (Journal, error)
}

// A BatchRecaller is a [Recaller] that recalls for many journals with one
// read: what [RunBills] uses to book the bills of journals resumed from a
// checkpoint in groups, as it books the others, instead of one database
// transaction per bill.
type BatchRecaller interface {
	Recaller
	// RecallBatch returns, for each recall, its Journal knowing the
	// transactions before its checkpoint whose ID or Ref is among its IDs,
	// as Recall returns each, in the order of recalls: the same version
	// (its Len), with the same balances and terms, only knowing more.
	// err reports a failure of the store (nothing is returned then).
	RecallBatch(ctx context.Context, recalls []StreamRecall) ([]Journal, error)
}

// A StreamRecall is one recall of a [BatchRecaller]'s RecallBatch: the
// arguments of [Recaller].Recall.
type StreamRecall struct {
	Stream  string
	Journal Journal
	IDs     []string
}

// maxRecallRounds bounds the rounds of recalling one build makes.
const maxRecallRounds = 8

// recalling runs build on j and returns what it built, after recalling
// through s, when s is a [Recaller], what j needs to build or to apply it
// ([CheckpointError], [Journal.Missing]), and building again on what was
// recalled. It returns the journal it built on.
func recalling(ctx context.Context, s Store, stream string, j Journal, build func(Journal) ([]Transaction, error)) (Journal, []Transaction, error) {
	r, ok := s.(Recaller)
	for round := 0; ; round++ {
		txs, err := build(j)
		var need []string
		var ce *CheckpointError
		switch {
		case errors.As(err, &ce):
			need = ce.Need
		case err == nil:
			need = j.Missing(txs)
		}
		if len(need) == 0 || !ok || round == maxRecallRounds {
			return j, txs, err
		}
		if j, err = r.Recall(ctx, stream, j, need...); err != nil {
			return j, nil, err
		}
	}
}
