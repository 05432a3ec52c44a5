package ledger

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// A Route says where a credit note sends what it gives back.
type Route string

const (
	// ToInstruments gives back to the instruments that paid (the default,
	// also written ""). What the customer already repaid of a line booked
	// as owed goes to [Refunded]: it was money paid in, and is paid back.
	ToInstruments Route = "instruments"
	// ToCredit puts everything given back on a new credit instrument
	// with its own terms (refund to credit).
	ToCredit Route = "credit"
	// ToCash pays everything given back out to the customer, into
	// [Refunded]. Only cashable value may leave ([ErrNotCashable]).
	ToCash Route = "cash"
)

// A LineAmount is an amount on one bill line.
type LineAmount struct {
	Line   string
	Amount decimal.Decimal
}

// A CreditRequest asks for a credit note on one spend: money given back
// per bill line, and where it goes.
//
// The zero CreditRequest is not valid: it names no id, time or spend.
type CreditRequest struct {
	// ID is the id of the transaction the note books. Required.
	ID string
	// Time is when the note is issued. Required. An instrument whose
	// terms expire at or before Time gets its value back all the same; it
	// goes to [Expired] at the next [Expire], and the item says so.
	Time time.Time
	// Spend is the id of the spend transaction the note refers to:
	// "spend:" and the bill id for [FromSplit]. Required.
	Spend string
	// Lines are the amounts to give back, per bill line, in the order the
	// note lists them; each at most what is left of the line
	// ([Journal.Creditable]). Empty means everything left on every line
	// (a void by credit note).
	Lines []LineAmount
	// To is where the money goes; "" is [ToInstruments].
	To Route
	// Credit is, for [ToCredit], the terms of the new credit: Account must
	// be an instrument account in the spend's currency that the journal
	// has never used. The note sets these terms, except that the credit is
	// NotCashable whenever any value on it is not cashable (from an
	// instrument whose terms are NotCashable, or from an overdraft): value
	// keeps its cash rule. It must be zero for the other routes. To spend
	// the credit, the host adds an instrument for it to the customer's
	// wallet (its id, Kind and Expires as ValidUntil).
	Credit Terms
	// Order lists instrument ids that are served first, in this order;
	// the others follow in the reverse of the order they paid the line
	// (the reverse of the policy order: Kingsoft Cloud's vouchers → gift
	// → credit line is given back credit line first). It decides who gets
	// the remainder units of a proportional spread, or, with InOrder, who
	// is filled first. Each id must have paid the spend.
	Order []string
	// InOrder gives each line's amount back to the instruments in Order,
	// each up to what it paid, instead of in proportion.
	InOrder bool
	// Note is free text for people, kept on the transaction.
	Note string
}

// A CreditItem is one part of a credit note: an amount of one line that
// one account had paid, and where it went.
type CreditItem struct {
	Line, Product string
	// From is the account that paid this part of the line: an instrument,
	// or [Receivable] for a part booked as owed.
	From Account
	// Amount is positive.
	Amount decimal.Decimal
	// To is where the amount went: From itself (given back; for the
	// receivable, the debt is cancelled), the new credit, or [Refunded].
	To Account
	// Expired reports that To is an instrument that has expired at the
	// note's time: the amount goes to [Expired] at the next [Expire].
	Expired bool
}

// A CreditNote is what [IssueCredit] returns: the transaction to apply,
// and its items, per line in the note's order and within a line in the
// order they were given back.
type CreditNote struct {
	Transaction Transaction
	Items       []CreditItem
}

// Total is the sum of the items: what the note gives back.
func (n CreditNote) Total() decimal.Decimal {
	var sum decimal.Decimal
	for _, it := range n.Items {
		sum = sum.Add(it.Amount)
	}
	return sum
}

// IssueCredit returns the credit note req asks for: a transaction of kind
// [KindReverse] with Ref req.Spend and the spend's Bill, that takes the
// amounts back out of [Revenue] per line and gives them to the accounts
// that paid the line, then, for [ToCredit] and [ToCash], passes them on
// to the destination. It is a pure function of j and req.
//
// Per line, in this order:
//
//  1. What is still owed on the line ([Journal.Owed]) is cancelled first.
//  2. The rest is spread over what each account that paid the line has
//     left to give back, in proportion, in units of the currency's minor
//     unit (or of the finest decimal among the amounts, if finer): each
//     gets its share rounded down, and the units left over go one each to
//     the largest remainders, ties in req.Order's order, so shares add up
//     to the amount exactly and never exceed what an account paid. With
//     req.InOrder the accounts are filled in that order instead. A
//     receivable part left at this step was repaid by the customer; it
//     goes to [Refunded] (or to the new credit for [ToCredit]).
//
// Each part is a pair of postings, the account that paid and then minus
// as much on Revenue, with the line and its product; a part passed on is
// followed by minus the amount on that account and the amount on the
// destination.
//
// It fails with [ErrInvalid], listing every problem, if req is malformed
// or does not fit the spend (unknown or repeated lines, amounts that are
// not positive or exceed what is left, an unknown route, bad credit
// terms, an Order id that did not pay the spend, a spend that is not in j
// or did not pay into Revenue); with [ErrNotCashable] if [ToCash] would
// pay out value that must stay in (gift balance, prepaid cards, free
// credit, vouchers, an overdraft), naming the instrument; and with any
// other error [Journal.Apply] would return for the transaction. If j
// already holds req.ID, IssueCredit returns the stored transaction when
// the same request built it (so Apply reports a replay) and an error
// wrapping [ErrConflict] when not.
func IssueCredit(j Journal, req CreditRequest) (CreditNote, error) {
	if j.l != nil {
		j.l.mu.RLock()
		seq, ok := j.l.seq(req.ID, j.n)
		var stored Transaction
		if ok {
			stored = *j.l.tx(seq)
		}
		off := j.l.off
		j.l.mu.RUnlock()
		if ok && seq < off {
			return CreditNote{}, &CheckpointError{ID: req.ID}
		}
		if ok {
			n, err := issueCredit(Journal{j.l, seq}, req)
			if errors.Is(err, ErrBeforeCheckpoint) {
				return CreditNote{}, err // recall what it names, and build again
			}
			if err == nil && n.Transaction.Equal(stored) {
				n.Transaction = stored.clone()
				return n, nil
			}
			return CreditNote{}, &ConflictError{ID: req.ID, Seq: seq}
		}
	}
	return issueCredit(j, req)
}

// Creditable returns what is left to give back of the spend, per line, in
// the order the lines first appear in it: what the line's sources paid
// (instruments and receivable) less what reversals and credit notes gave
// back. It is nil when spend is not in j or cannot be reversed.
func (j Journal) Creditable(spend string) []LineAmount {
	r, ps := j.reversal(spend)
	if len(ps) > 0 {
		return nil
	}
	var out []LineAmount
	for _, s := range r.sources {
		i := slices.IndexFunc(out, func(l LineAmount) bool { return l.Line == s.Line })
		if i < 0 {
			out = append(out, LineAmount{Line: s.Line})
			i = len(out) - 1
		}
		out[i].Amount = out[i].Amount.Add(s.left)
	}
	return out
}

func issueCredit(j Journal, req CreditRequest) (CreditNote, error) {
	var ps []string
	r, rps := j.reversal(req.Spend)
	ps = append(ps, rps...)
	if len(rps) == 0 && r.dest.sys != Revenue {
		ps = append(ps, fmt.Sprintf("spend %q pays into %s, not revenue", req.Spend, r.dest))
	}
	cur := r.dest.currency
	route := req.To
	if route == "" {
		route = ToInstruments
	}
	switch route {
	case ToInstruments, ToCash:
		if req.Credit != (Terms{}) {
			ps = append(ps, fmt.Sprintf("credit terms given for route %q", route))
		}
	case ToCredit:
		a := req.Credit.Account
		switch {
		case !a.IsInstrument():
			ps = append(ps, fmt.Sprintf("credit account %q: not an instrument account", a))
		case len(rps) == 0 && a.currency != cur:
			ps = append(ps, fmt.Sprintf("credit account %s: not in the spend's currency %q", a, cur))
		case j.known(a):
			ps = append(ps, fmt.Sprintf("credit account %s: the account is already in use", a))
		}
	default:
		ps = append(ps, fmt.Sprintf("unknown route %q", req.To))
	}
	left := make([]decimal.Decimal, len(r.sources))
	unpaid := make([]decimal.Decimal, len(r.sources))
	for i, s := range r.sources {
		left[i], unpaid[i] = s.left, s.unpaid
	}
	lineLeft := j.Creditable(req.Spend)
	lines := req.Lines
	if len(lines) == 0 {
		for _, l := range lineLeft {
			if l.Amount.IsPositive() {
				lines = append(lines, l)
			}
		}
		if len(rps) == 0 && len(lines) == 0 {
			ps = append(ps, fmt.Sprintf("nothing of %q is left to give back", req.Spend))
		}
	}
	for i, l := range req.Lines {
		k := slices.IndexFunc(lineLeft, func(x LineAmount) bool { return x.Line == l.Line })
		switch {
		case len(rps) > 0:
		case k < 0:
			ps = append(ps, fmt.Sprintf("line %d: %q was not paid by %q", i, l.Line, req.Spend))
		case slices.ContainsFunc(req.Lines[:i], func(x LineAmount) bool { return x.Line == l.Line }):
			ps = append(ps, fmt.Sprintf("line %d: %q given twice", i, l.Line))
		case !l.Amount.IsPositive():
			ps = append(ps, fmt.Sprintf("line %d: amount %s is not positive", i, exact(l.Amount)))
		case l.Amount.Cmp(lineLeft[k].Amount) > 0:
			ps = append(ps, fmt.Sprintf("line %d: amount %s exceeds the %s left of line %q", i, exact(l.Amount), exact(lineLeft[k].Amount), l.Line))
		}
	}
	for i, id := range req.Order {
		if slices.Contains(req.Order[:i], id) {
			ps = append(ps, fmt.Sprintf("order %d: %q given twice", i, id))
		} else if len(rps) == 0 && !slices.ContainsFunc(r.sources, func(s source) bool { return s.Account.id == id }) {
			ps = append(ps, fmt.Sprintf("order %d: %q did not pay %q", i, id, req.Spend))
		}
	}
	if len(ps) > 0 {
		return CreditNote{}, &InvalidError{ID: req.ID, Problems: ps}
	}

	// Shares are counted in units of 10^-scale: the currency's minor
	// unit, or the finest decimal among the amounts.
	scale := max(allocation.MinorUnits(cur), 0)
	for _, d := range left {
		scale = max(scale, -d.Exponent())
	}
	for _, l := range lines {
		scale = max(scale, -l.Amount.Exponent())
	}
	refunded := SystemAccount(Refunded, cur)
	dest := func(from Account) Account {
		switch {
		case route == ToCredit:
			return req.Credit.Account
		case route == ToCash || from.sys == Receivable:
			return refunded
		}
		return from
	}
	tx := Transaction{ID: req.ID, Time: req.Time, Kind: KindReverse, Bill: r.orig.Bill, Ref: req.Spend, Note: req.Note}
	var items []CreditItem
	keptIn := req.Credit.NotCashable
	give := func(i int, amount decimal.Decimal, to Account) {
		s := r.sources[i]
		left[i] = left[i].Sub(amount)
		tx.Postings = append(tx.Postings,
			Posting{Account: s.Account, Amount: amount, Line: s.Line, Product: s.Product},
			Posting{Account: r.dest, Amount: amount.Neg(), Line: s.Line, Product: s.Product})
		if to != s.Account {
			tx.Postings = append(tx.Postings,
				Posting{Account: s.Account, Amount: amount.Neg(), Line: s.Line, Product: s.Product},
				Posting{Account: to, Amount: amount, Line: s.Line, Product: s.Product})
			if t, _ := j.Terms(s.Account); s.Account.IsInstrument() && (t.NotCashable || j.Balance(s.Account).IsNegative()) {
				keptIn = true
			}
		}
		it := CreditItem{Line: s.Line, Product: s.Product, From: s.Account, Amount: amount, To: to}
		if to.IsInstrument() {
			t, _ := j.Terms(to)
			if to == req.Credit.Account {
				t = req.Credit
			}
			it.Expired = !t.Expires.IsZero() && !req.Time.Before(t.Expires)
		}
		items = append(items, it)
	}
	for _, l := range lines {
		// The line's sources, in the order they are served: req.Order's
		// instruments first, then the reverse of the spend's order.
		var order []int
		for _, id := range req.Order {
			for i := len(r.sources) - 1; i >= 0; i-- {
				if s := r.sources[i]; s.Line == l.Line && s.Account.id == id && s.Account.IsInstrument() {
					order = append(order, i)
				}
			}
		}
		for i := len(r.sources) - 1; i >= 0; i-- {
			if r.sources[i].Line == l.Line && !slices.Contains(order, i) {
				order = append(order, i)
			}
		}
		rest := l.Amount
		for _, i := range order { // 1. what is still owed
			if c := minDec(unpaid[i], rest); r.sources[i].Account.sys == Receivable && c.IsPositive() {
				rest = rest.Sub(c)
				give(i, c, r.sources[i].Account)
			}
		}
		if !rest.IsPositive() {
			continue
		}
		bases := make([]decimal.Decimal, len(order))
		for k, i := range order {
			bases[k] = left[i]
		}
		var shares []decimal.Decimal
		if req.InOrder {
			shares = fill(rest, bases)
		} else {
			shares = spread(rest, bases, scale)
		}
		for k, i := range order { // 2. the rest
			if shares[k].IsPositive() {
				give(i, shares[k], dest(r.sources[i].Account))
			}
		}
	}
	if route == ToCredit {
		t := req.Credit
		t.NotCashable = keptIn
		tx.Terms = []Terms{t}
	}
	if err := j.Check(tx); err != nil {
		return CreditNote{}, err
	}
	return CreditNote{Transaction: tx, Items: items}, nil
}

// fill gives amount to bases in order, each up to its base.
func fill(amount decimal.Decimal, bases []decimal.Decimal) []decimal.Decimal {
	out := make([]decimal.Decimal, len(bases))
	for k, b := range bases {
		out[k] = minDec(b, amount)
		amount = amount.Sub(out[k])
	}
	return out
}

// spread divides amount (at most the sum of bases, all with at most scale
// decimals) over bases in proportion, in units of 10^-scale, by largest
// remainder with ties to the earlier base. The shares add up to amount and
// none exceeds its base.
func spread(amount decimal.Decimal, bases []decimal.Decimal, scale int32) []decimal.Decimal {
	units := func(d decimal.Decimal) *big.Int { return d.Shift(scale).BigInt() }
	a, total := units(amount), new(big.Int)
	for _, b := range bases {
		total.Add(total, units(b))
	}
	out := make([]decimal.Decimal, len(bases))
	if total.Sign() == 0 {
		return out
	}
	q := make([]*big.Int, len(bases))
	rem := make([]*big.Int, len(bases))
	given := new(big.Int)
	for k, b := range bases {
		q[k], rem[k] = new(big.Int).QuoRem(new(big.Int).Mul(a, units(b)), total, new(big.Int))
		given.Add(given, q[k])
	}
	order := make([]int, len(bases))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(x, y int) int { return rem[y].Cmp(rem[x]) })
	for over := new(big.Int).Sub(a, given).Int64(); over > 0; over-- {
		k := order[0]
		order = order[1:]
		q[k].Add(q[k], big.NewInt(1))
	}
	for k := range out {
		out[k] = decimal.NewFromBigInt(q[k], -scale)
	}
	return out
}
