package ledger

import (
	"iter"
	"slices"

	"github.com/shopspring/decimal"
)

// A Journal is the books of one customer (a billing account, or a domain
// with several billing groups): an append-only sequence of balanced
// transactions, with every balance derived from them.
//
// A Journal is an immutable value. [Journal.Apply] returns a new Journal one
// transaction longer and leaves the receiver as it was, so any Journal value
// is a snapshot that can be kept, compared, or passed to other goroutines.
// All methods are safe for concurrent use. Values derived from one another
// share storage: applying to the newest value appends in place, in time
// proportional to the transaction; applying to an older value that has
// since been extended differently first copies the transactions it holds.
//
// The zero Journal is empty and ready to use.
type Journal struct {
	l *log
	n int // the journal is the first n transactions of l
}

// A Result tells what [Journal.Apply] did with a transaction it accepted.
type Result struct {
	// Seq is the position of the transaction in the journal, from 0: where
	// it was appended, or for a replay where it already was.
	Seq int
	// Replayed is true when the journal already held the transaction (the
	// same id with equal content): Apply then changed nothing.
	Replayed bool
}

// Apply returns the journal with tx appended, or reports why tx cannot be.
//
// Checks, in order: tx must be well-formed ([Transaction.Validate]: errors
// wrap [ErrInvalid]). If the journal already holds tx.ID, Apply returns the
// receiver unchanged with Result.Replayed set when the content is equal,
// and an error wrapping [ErrConflict] when it is not. A reverse must undo
// part of its Ref, each account moving back at most what the original
// moved less earlier reversals, on each line too, passing on only what it
// gives back and keeping the receivable at what is owed ([ErrInvalid]);
// a transfer may only take from transferable accounts
// ([ErrNotTransferable]); no posting may leave an instrument account whose
// balance it lowers below −Overdraft of the [Terms] in force before tx
// ([ErrInsufficient], listing every such account); and value paid out to
// [Refunded] may only come from cashable accounts, from what they hold
// above zero ([ErrNotCashable], listing every such account).
//
// On any error the returned Journal is the receiver: a rejected
// transaction changes nothing. The journal keeps its own copy of tx.
func (j Journal) Apply(tx Transaction) (Journal, Result, error) { return j.apply(tx, false) }

// apply is Apply; owned says the caller gives tx's slices to the journal,
// which then keeps them instead of a copy.
func (j Journal) apply(tx Transaction, owned bool) (Journal, Result, error) {
	l := j.l
	if l == nil {
		l = newLog()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if j.n < l.len() && l.tx(j.n).same(tx) { // positions count from the log's checkpoint, if resumed
		return Journal{l, j.n + 1}, Result{Seq: j.n}, nil // as below, and valid as that one is
	}
	if err := tx.Validate(); err != nil {
		return j, Result{}, err
	}
	if r, found, err := l.lookup(j.n, tx); found {
		return j, r, err
	}
	if j.n < l.len() && l.tx(j.n).Equal(tx) {
		// Another value derived from j appended this very transaction: it
		// was accepted against the same history, so share it.
		return Journal{l, j.n + 1}, Result{Seq: j.n}, nil
	}
	if err := l.check(j.n, tx); err != nil {
		return j, Result{}, err
	}
	to := l
	if j.n < l.len() {
		to = l.fork(j.n)
	}
	if !owned {
		tx = tx.clone()
	}
	to.add(tx)
	return Journal{to, j.n + 1}, Result{Seq: j.n}, nil
}

// ApplyAll applies txs in order, each as [Journal.Apply] does, and returns
// the journal after the last, the [Result] of each, and the transactions
// that are not replays: what a [Store] must append. A batch is applied
// whole or not at all: on the first error ApplyAll returns the receiver,
// no results and that error.
func (j Journal) ApplyAll(txs []Transaction) (Journal, []Result, []Transaction, error) {
	next, results := j, make([]Result, len(txs))
	var fresh []Transaction
	for i, tx := range txs {
		var err error
		if next, results[i], err = next.Apply(tx); err != nil {
			return j, nil, nil, err
		}
		if !results[i].Replayed {
			fresh = append(fresh, tx)
		}
	}
	return next, results, fresh, nil
}

// Check reports whether [Journal.Apply] would accept tx, with the error it
// would return, without applying it. A replay is accepted.
func (j Journal) Check(tx Transaction) error {
	if err := tx.Validate(); err != nil {
		return err
	}
	if j.l == nil {
		return newLog().check(0, tx)
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	if _, found, err := j.l.lookup(j.n, tx); found {
		return err
	}
	return j.l.check(j.n, tx)
}

// lookup reports whether the first n transactions hold tx.ID, and if so the
// result of applying tx again: a replay or a conflict. A resumed log that
// cannot tell reports it found tx.ID, with a [*CheckpointError].
func (l *log) lookup(n int, tx Transaction) (Result, bool, error) {
	seq, ok := l.seq(tx.ID, n)
	switch {
	case !ok && !l.knows(tx.ID):
		return Result{}, true, &CheckpointError{ID: tx.ID, Need: []string{tx.ID}}
	case !ok:
		return Result{}, false, nil
	case l.tx(seq).Equal(tx):
		return Result{Seq: seq, Replayed: true}, true, nil
	default:
		return Result{}, true, &ConflictError{ID: tx.ID, Seq: seq}
	}
}

// check runs the checks of Apply that need the first n transactions of l
// on the well-formed, new tx.
func (l *log) check(n int, tx Transaction) error {
	var out [smallNets]net // on the stack: the checks keep none of it
	ns := netsInto(&out, tx.Postings)
	if need := l.needs(tx, ns); len(need) > 0 {
		return &CheckpointError{ID: tx.ID, Need: need}
	}
	if tx.Kind == KindReverse {
		if ps := l.checkReverse(n, tx, ns); len(ps) > 0 {
			return &InvalidError{ID: tx.ID, Problems: ps}
		}
	}
	if tx.Kind == KindTransfer {
		for _, x := range ns {
			if t, _ := l.terms(x.account, n); x.amount.IsNegative() && !t.Transferable {
				return &NotTransferableError{ID: tx.ID, Account: x.account, Kind: t.Kind}
			}
		}
	}
	if err := l.checkHolds(n, tx, ns); err != nil {
		return err
	}
	var short []Shortfall
	for _, x := range ns {
		if !x.account.IsInstrument() || !x.amount.IsNegative() {
			continue
		}
		ac := l.accts[x.account] // one lookup for terms and balance
		var overdraft decimal.Decimal
		if t := ac.termsAt(n); t != nil {
			overdraft = t.Overdraft
		}
		// The balance after tx (open holds sit in held accounts) may not
		// go below −overdraft: added up exactly, without allocating
		// while the amounts fit an int64.
		left := l.balanceSum(ac, n)
		left.add(x.amount)
		left.add(overdraft)
		if left.sign() < 0 {
			after := l.balance(x.account, n).Add(x.amount)
			short = append(short, Shortfall{Account: x.account, Balance: after, Overdraft: overdraft, Held: l.held(x.account, n)})
		}
	}
	if len(short) > 0 {
		return &InsufficientError{ID: tx.ID, Shortfalls: short}
	}
	return l.checkCash(n, tx, ns)
}

// Len returns the number of transactions in the journal. It is the
// journal's version for a [Store].
func (j Journal) Len() int { return j.n }

// Balance returns the balance of account a: the sum of every amount posted
// to it. An account the journal never saw has a zero balance.
func (j Journal) Balance(a Account) decimal.Decimal {
	if j.l == nil {
		return decimal.Decimal{}
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	return j.l.balance(a, j.n)
}

// Terms returns the terms of instrument account a in force now, and
// whether any transaction set them; if none did, they are the zero Terms
// with Account a.
func (j Journal) Terms(a Account) (Terms, bool) {
	if j.l == nil {
		return Terms{Account: a}, false
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	t, ok := j.l.terms(a, j.n)
	if !ok {
		t.Account = a
	}
	return t, ok
}

// Transaction returns the transaction with the given id, as applied (a copy
// the caller may change), and whether the journal holds it.
func (j Journal) Transaction(id string) (Transaction, bool) {
	if j.l == nil {
		return Transaction{}, false
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	seq, ok := j.l.seq(id, j.n)
	if !ok {
		return Transaction{}, false
	}
	return j.l.tx(seq).clone(), true
}

// Transactions yields every transaction with its position, in journal
// order. Each is a copy the caller may change. It is what a [Store] saves.
// A resumed journal ([Resume]) yields those from [Journal.Base] on.
func (j Journal) Transactions() iter.Seq2[int, Transaction] {
	return func(yield func(int, Transaction) bool) {
		base := j.Base()
		for i, tx := range j.txs() {
			if !yield(base+i, tx.clone()) {
				return
			}
		}
	}
}

// txs returns the journal's transactions from [Journal.Base] on (all of
// them unless it was resumed), shared with the log: the caller must not
// change them.
func (j Journal) txs() []Transaction {
	if j.l == nil {
		return nil
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	k := j.n - j.l.off
	return j.l.txs[:k:k]
}

// Accounts returns every account a transaction of the journal posted to or
// set terms for, sorted by [Account.Compare].
func (j Journal) Accounts() []Account {
	if j.l == nil {
		return nil
	}
	j.l.mu.RLock()
	var out []Account
	for a, ac := range j.l.accts {
		if ac.first < j.n {
			out = append(out, a)
		}
	}
	j.l.mu.RUnlock()
	slices.SortFunc(out, Account.Compare)
	return out
}

// liveAccounts returns [Journal.Accounts] less the held accounts that
// hold nothing (of settled and lapsed holds), sorted by [Account.Compare]:
// the accounts Expire and TopUp look at. On the newest version of a
// journal it costs time in proportion to the accounts that are not held
// plus the open holds' ones, not to every hold ever taken.
func (j Journal) liveAccounts() []Account {
	if j.l == nil {
		return nil
	}
	j.l.mu.RLock()
	var out []Account
	if j.l.newest(j.n) {
		out = append(out, j.l.plain...)
		for h := range j.l.openHeld {
			out = append(out, h)
		}
	} else {
		for a, ac := range j.l.accts {
			if ac.first < j.n && (!a.IsHeld() || !j.l.balance(a, j.n).IsZero()) {
				out = append(out, a)
			}
		}
	}
	j.l.mu.RUnlock()
	slices.SortFunc(out, Account.Compare) // map order must not reach the output
	return out
}
