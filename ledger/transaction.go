package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// A Kind says what a transaction does. The ledger checks two kinds beyond
// the rules every transaction follows: a [KindReverse] transaction must undo
// part of the transaction named by its Ref, and a [KindTransfer] transaction
// may only take from instrument accounts whose [Terms] are Transferable.
// Holds, captures and releases (and the lapses in expiries) are checked
// against the hold they move money of (package documentation, Holds).
// The others are labels for [Journal.History] filters and statements.
type Kind string

const (
	// KindGrant puts value on an instrument (a voucher, gift balance,
	// credit, prepaid card), or only sets its [Terms].
	KindGrant Kind = "grant"
	// KindSpend pays a bill from instruments into revenue ([FromSplit]).
	KindSpend Kind = "spend"
	// KindExpire moves what is left on expired instruments to
	// [Expired] ([Expire]).
	KindExpire Kind = "expire"
	// KindRefund pays value on an instrument back to the customer
	// ([Refund]).
	KindRefund Kind = "refund"
	// KindTransfer moves value between instrument accounts, such as free
	// credit between billing groups ([Transfer]).
	KindTransfer Kind = "transfer"
	// KindReverse undoes (part of) an earlier transaction, the one its Ref
	// names: a void or a refund of a spend ([Reverse]), or a credit note
	// ([IssueCredit]).
	KindReverse Kind = "reverse"
	// KindTopUp is money paid in that first repays what is owed ([TopUp]).
	KindTopUp Kind = "topup"
	// KindDeposit is money paid in onto a prepayment balance for an
	// intended product ([Deposit]).
	KindDeposit Kind = "deposit"
	// KindHold reserves what a Split takes into held accounts until an
	// expiry ([Hold]).
	KindHold Kind = "hold"
	// KindCapture settles all or part of the hold its Ref names into
	// revenue ([Capture]).
	KindCapture Kind = "capture"
	// KindRelease gives back what the hold its Ref names has left
	// ([Release]).
	KindRelease Kind = "release"
)

// kinds lists the Kind constants.
var kinds = [...]Kind{KindGrant, KindSpend, KindExpire, KindRefund, KindTransfer, KindReverse, KindTopUp, KindDeposit,
	KindHold, KindCapture, KindRelease}

// known reports whether k is one of the Kind constants.
func (k Kind) known() bool { return slices.Contains(kinds[:], k) }

// A Posting adds Amount (which may be negative, never zero) to the balance
// of Account, in the account's currency. Line and Product say which bill
// line and product the amount is for, if any; [Journal.History] filters on
// Product.
//
// The zero Posting is not valid: it has no account and a zero amount.
type Posting struct {
	Account Account
	Amount  decimal.Decimal
	Line    string
	Product string
}

// Terms are the conditions an instrument account is held on. A transaction
// may carry Terms for instrument accounts; they take effect after the
// transaction (its own postings are judged by the terms in force before
// it), and replace the account's earlier terms, which stay in the journal.
//
// An account that never received Terms is held on the zero Terms: no
// overdraft, no expiry, not transferable, cashable, no kind and no group.
// A hold sets Terms on its held accounts too, with only Expires: when the
// hold lapses ([HeldAccount]).
type Terms struct {
	// Account is the instrument account the terms are for.
	Account Account
	// Kind is the instrument's kind ("voucher", "free_credit",
	// "paid_credit", …), for people and errors; the ledger does not
	// interpret it.
	Kind string
	// Group is the billing group the account belongs to (KakaoCloud 003:
	// credits are used per billing group). [TopUp] repays debts within the
	// target's group and [Transfer] moves credit to another group.
	Group string
	// Overdraft is how far below zero a transaction may take the balance:
	// a transaction that lowers the balance below −Overdraft is rejected
	// whole. It must not be negative.
	Overdraft decimal.Decimal
	// Expires is when the instrument stops being usable (exclusive, like
	// [allocation.Instrument].ValidUntil); zero means never. [Expire]
	// moves what is left on it at or after this instant.
	Expires time.Time
	// Transferable lets [KindTransfer] transactions take from the account
	// (KakaoCloud 003: free credit is transferable between billing groups,
	// paid credit is not).
	Transferable bool
	// NotCashable keeps the account's value in the ledger: no transaction
	// may pay it out to [Refunded] (see [CashableKind] for the rules of the
	// seeds, which [TermsOf] applies). The zero value, cashable, is what an
	// account without terms has (a deposit, a cash balance).
	NotCashable bool
}

// A Transaction is one balanced movement of value: postings that add up to
// zero in every currency, with what the movement was for.
//
// A Transaction is identified by its ID: applying an ID a journal already
// holds with equal content ([Transaction.Equal]) changes nothing and is
// reported as a replay; with other content it fails with [ErrConflict]. A
// journal keeps its own copy, so changing a Transaction's slices after
// applying it changes nothing in the journal.
//
// The zero Transaction is not valid: it has no ID, time or kind.
type Transaction struct {
	// ID identifies the transaction within its journal. Required.
	ID string
	// Time is when the movement happened, supplied by the host; the ledger
	// reads no clock. Required. Times need not increase from one
	// transaction to the next, but [Journal.History] is fastest when they
	// do.
	Time time.Time
	// Kind says what the transaction does. Required.
	Kind Kind
	// Bill is the id of the bill the transaction settles, if any.
	Bill string
	// Ref is, for a [KindReverse] transaction, the id of the transaction
	// it reverses (required); for other kinds it is free for the host.
	Ref string
	// Note is free text for people: the customer's note on a deposit, or
	// the note given at spend time (Alibaba 001: the intended use can
	// change when the balance is spent; each note is kept with its own
	// transaction).
	Note string
	// Postings are the entries, in order. They add up to zero per
	// currency. A transaction may have none (it then records only its
	// Terms, or only that the event happened).
	Postings []Posting
	// Terms set the conditions of instrument accounts from this
	// transaction on, at most once per account.
	Terms []Terms
}

// Equal reports whether tx and u have equal content: the same ID, Kind,
// Bill, Ref and Note, the same instant (time.Time.Equal), and equal
// postings and terms in the same order, amounts compared by value (1.5
// equals 1.50). This is the test [Journal.Apply] uses to tell a replay from
// a conflict, and go-cmp uses it too.
func (tx Transaction) Equal(u Transaction) bool {
	if tx.ID != u.ID || tx.Kind != u.Kind || tx.Bill != u.Bill || tx.Ref != u.Ref ||
		tx.Note != u.Note || !tx.Time.Equal(u.Time) ||
		len(tx.Postings) != len(u.Postings) || len(tx.Terms) != len(u.Terms) {
		return false
	}
	for i, p := range tx.Postings {
		q := u.Postings[i]
		if p.Account != q.Account || !p.Amount.Equal(q.Amount) || p.Line != q.Line || p.Product != q.Product {
			return false
		}
	}
	for i, t := range tx.Terms {
		if !t.equal(u.Terms[i]) {
			return false
		}
	}
	return true
}

// same reports whether tx and u are equal ([Transaction.Equal]) and also
// written alike: amounts with the same exponent, times in the same zone
// offset. Then Validate judges them alike, since it reads no more of them.
func (tx Transaction) same(u Transaction) bool {
	if tx.identical(u) {
		return true // as when a store applies the very transaction its caller applied
	}
	if !tx.Equal(u) || !sameZone(tx.Time, u.Time) {
		return false
	}
	for i, p := range tx.Postings {
		if p.Amount.Exponent() != u.Postings[i].Amount.Exponent() {
			return false
		}
	}
	for i, t := range tx.Terms {
		if t.Overdraft.Exponent() != u.Terms[i].Overdraft.Exponent() || !sameZone(t.Expires, u.Terms[i].Expires) {
			return false
		}
	}
	return true
}

// identical reports whether tx and u are one value: equal fields, and
// postings and terms that are the same elements of the same arrays. It
// answers in a few comparisons what same would find comparing every
// amount.
func (tx Transaction) identical(u Transaction) bool {
	return tx.ID == u.ID && tx.Time == u.Time && tx.Kind == u.Kind && tx.Bill == u.Bill && tx.Ref == u.Ref && tx.Note == u.Note &&
		sharesArray(tx.Postings, u.Postings) && sharesArray(tx.Terms, u.Terms)
}

// sharesArray reports whether a and b are the same elements of the same
// array (or both empty).
func sharesArray[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// sameZone reports whether t and u have the same zone offset.
func sameZone(t, u time.Time) bool {
	_, a := t.Zone()
	_, b := u.Zone()
	return a == b
}

// equal compares terms by value.
func (t Terms) equal(u Terms) bool {
	return t.Account == u.Account && t.Kind == u.Kind && t.Group == u.Group &&
		t.Overdraft.Equal(u.Overdraft) && t.Expires.Equal(u.Expires) && t.Transferable == u.Transferable &&
		t.NotCashable == u.NotCashable
}

// Validate reports every problem that makes tx malformed on its own,
// whatever the journal: a missing ID, time or kind, a reverse without Ref,
// postings to invalid accounts or of zero amount, postings that do not add
// up to zero in some currency, a transfer touching a system account, and
// terms for a non-instrument account, with a negative overdraft, or given
// twice for one account. Postings to invalid accounts are left out of the
// sums, so that each defect is reported once. Postings to held accounts
// must have the shapes of holds, captures, releases and lapses (package
// documentation, Holds). It also enforces the limits every Store relies
// on (see [MaxIDBytes]): valid UTF-8 without NUL in every string, ids of
// at most MaxIDBytes, amounts within [MaxAmountIntegerDigits] and
// [MaxAmountPlaces], and every time (Time, Terms.Expires) in the years
// 0001–9999. The error is an [*InvalidError] wrapping [ErrInvalid], or
// nil.
//
// [Journal.Apply] runs Validate first, then the checks that need the
// journal.
func (tx Transaction) Validate() error {
	var ps []string
	add := func(p string) {
		if p != "" {
			ps = append(ps, p)
		}
	}
	if tx.ID == "" {
		ps = append(ps, "missing id")
	} else {
		add(idProblem("id", tx.ID))
	}
	if tx.Time.IsZero() {
		ps = append(ps, "missing time")
	} else {
		// RFC 3339 (and so the JSON form a Store keeps) has four-digit years.
		add(timeProblem("time", tx.Time))
	}
	add(textProblem("bill", tx.Bill))
	add(textProblem("ref", tx.Ref))
	add(textProblem("note", tx.Note))
	switch {
	case tx.Kind == "":
		ps = append(ps, "missing kind")
	case !tx.Kind.known():
		ps = append(ps, fmt.Sprintf("unknown kind %q", tx.Kind))
	}
	if tx.Kind == KindReverse && tx.Ref == "" {
		ps = append(ps, "reverse without ref")
	}
	if tx.Ref != "" && tx.Ref == tx.ID {
		ps = append(ps, "ref names the transaction itself")
	}
	var buf [2]currencyTotal
	sums := buf[:0]
	for i, p := range tx.Postings {
		pr := p.Account.problem()
		if pr != "" {
			ps = append(ps, fmt.Sprintf("posting %d: %s", i, pr))
		}
		ar := amountProblem("amount", p.Amount)
		switch {
		case ar != "":
			ps = append(ps, fmt.Sprintf("posting %d: %s", i, ar))
			pr = ar // left out of the sums, which would rescale it
		case p.Amount.IsZero():
			ps = append(ps, fmt.Sprintf("posting %d: zero amount", i))
		}
		if p := textProblem("line", p.Line); p != "" {
			ps = append(ps, fmt.Sprintf("posting %d: %s", i, p))
		}
		if p := textProblem("product", p.Product); p != "" {
			ps = append(ps, fmt.Sprintf("posting %d: %s", i, p))
		}
		if tx.Kind == KindTransfer && p.Account.sys != "" {
			ps = append(ps, fmt.Sprintf("posting %d: a transfer may only move value between instrument accounts, not %s", i, p.Account))
		}
		if pr == "" { // a posting to an invalid account is one problem, not two
			sums = addToTotal(sums, p.Account.currency, p.Amount)
		}
	}
	var unbalanced []currencySum
	for _, s := range sums {
		if !s.total.isZero() {
			unbalanced = append(unbalanced, currencySum{s.currency, s.total.value()})
		}
	}
	for _, s := range sortedSums(unbalanced) {
		ps = append(ps, fmt.Sprintf("postings in %q add up to %s, not zero", s.currency, exact(s.sum)))
	}
	for i, t := range tx.Terms {
		switch pr := t.Account.problem(); {
		case pr != "":
			ps = append(ps, fmt.Sprintf("terms %d: %s", i, pr))
		case !t.Account.IsInstrument() && !t.Account.IsHeld():
			ps = append(ps, fmt.Sprintf("terms %d: %s is not an instrument or held account", i, t.Account))
		}
		if p := amountProblem("overdraft", t.Overdraft); p != "" {
			ps = append(ps, fmt.Sprintf("terms %d: %s", i, p))
		} else if t.Overdraft.IsNegative() {
			ps = append(ps, fmt.Sprintf("terms %d: negative overdraft %s", i, exact(t.Overdraft)))
		}
		for _, p := range []string{textProblem("kind", t.Kind), textProblem("group", t.Group)} {
			if p != "" {
				ps = append(ps, fmt.Sprintf("terms %d: %s", i, p))
			}
		}
		if !t.Expires.IsZero() {
			if p := timeProblem("expires", t.Expires); p != "" {
				ps = append(ps, fmt.Sprintf("terms %d: %s", i, p))
			}
		}
		for _, u := range tx.Terms[:i] {
			if u.Account == t.Account {
				ps = append(ps, fmt.Sprintf("terms %d: second terms for %s", i, t.Account))
				break
			}
		}
	}
	ps = append(ps, tx.holdProblems()...)
	if len(ps) > 0 {
		return &InvalidError{ID: tx.ID, Problems: ps}
	}
	return nil
}

// clone returns tx with its own copies of the slices.
func (tx Transaction) clone() Transaction {
	tx.Postings = slices.Clone(tx.Postings)
	tx.Terms = slices.Clone(tx.Terms)
	return tx
}

// net is the sum of a transaction's postings on one account.
type net struct {
	account Account
	amount  decimal.Decimal
}

// nets returns the net amount per account of the postings, in order of
// each account's first posting. An account with one posting nets its
// amount as it is; the others are added up as int64s while they fit.
func nets(postings []Posting) []net {
	var out [smallNets]net
	return slices.Clone(netsInto(&out, postings)) // as many nets as accounts
}

// netsInto returns the nets of postings, in out while they fit (a caller
// may keep out on its stack), indexing the accounts beyond smallNets
// postings.
func netsInto(out *[smallNets]net, postings []Posting) []net {
	if len(postings) > smallNets {
		return netInto(make([]net, 0, len(postings)), make([]netSum, 0, len(postings)), postings,
			make(map[Account]int, len(postings)))
	}
	var sums [smallNets]netSum
	return netInto(out[:0], sums[:0], postings, nil)
}

// smallNets is the most postings whose nets are found by a scan rather
// than an index.
const smallNets = 16

// netInto appends the nets of postings to out, using sums, with room for
// them all, to add them up, and at, if not nil, to find an account's net.
func netInto(out []net, sums []netSum, postings []Posting, at map[Account]int) []net {
	for _, p := range postings {
		i, ok := -1, false
		if at != nil {
			i, ok = at[p.Account]
		} else {
			i = slices.IndexFunc(out, func(x net) bool { return x.account == p.Account })
			ok = i >= 0
		}
		if ok {
			sums[i].s.add(p.Amount)
			sums[i].many = true
			continue
		}
		if at != nil {
			at[p.Account] = len(out)
		}
		out = append(out, net{p.Account, p.Amount})
		sums = append(sums, netSum{})
		sums[len(sums)-1].s.set(p.Amount)
	}
	for i := range out {
		if sums[i].many {
			out[i].amount = sums[i].s.value()
		}
	}
	return out
}

// A netSum adds up the postings of one account for nets.
type netSum struct {
	s    sum
	many bool // more than one posting
}
