package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Reverse returns a transaction of kind [KindReverse] that gives back
// amount of the transaction ref: a void or a refund of a spend, fully (pass
// [Journal.Reversible]) or in part. To give back chosen lines, or to send
// the money elsewhere than the instruments that paid, see [IssueCredit].
//
// What ref took from its sources (its negative postings: the instruments
// that paid, and the receivable) goes back onto them, the most recent
// posting first, out of the one account ref paid into (revenue for a
// spend). Each reversing pair keeps the line and product of the posting it
// undoes. A capture is reversed like a spend: what it took goes back onto
// the instruments its hold reserved it of (what the hold gave back is not
// reversible). Value that goes back onto an instrument that has expired since
// stays there until the next [Expire].
//
// A receivable posting is given back what is still owed on it first
// ([Journal.Owed]: that cancels the debt). If the customer had already
// repaid part of it (a top-up repays the oldest debts first), that part
// is paid back to the customer: the pair is followed by one taking it
// from [Receivable] again into [Refunded], with the same line and
// product. So the receivable always holds what is still owed.
//
// The transaction has the given id, time and note, ref's Bill, and Ref
// ref.
//
// It fails with [ErrInvalid] if ref is not in j, is itself a reverse, pays
// into more than one account, or mixes signs on one account; if amount is
// not positive; or if amount exceeds what remains reversible. If j already
// holds id, Reverse returns that transaction when the same request built
// it (so Apply reports a replay) and an error wrapping [ErrConflict] when
// not.
func Reverse(j Journal, id string, at time.Time, ref string, amount decimal.Decimal, note string) (Transaction, error) {
	return build(j, id, func(j Journal) (Transaction, error) {
		r, ps := j.reversal(ref)
		if r.unknown {
			return Transaction{}, &CheckpointError{ID: id, Need: []string{ref}}
		}
		if !amount.IsPositive() {
			ps = append(ps, fmt.Sprintf("reverse amount %s is not positive", exact(amount)))
		} else if len(ps) == 0 && amount.Cmp(r.left) > 0 {
			ps = append(ps, fmt.Sprintf("reverse amount %s exceeds the %s of %q left to reverse", exact(amount), exact(r.left), ref))
		}
		if len(ps) > 0 {
			return Transaction{}, &InvalidError{ID: id, Problems: ps}
		}
		tx := Transaction{ID: id, Time: at, Kind: KindReverse, Bill: r.orig.Bill, Ref: ref, Note: note}
		rest := amount
		for i := len(r.sources) - 1; i >= 0 && rest.IsPositive(); i-- {
			s := r.sources[i]
			take := minDec(s.left, rest)
			if !take.IsPositive() {
				continue
			}
			rest = rest.Sub(take)
			tx.Postings = append(tx.Postings,
				Posting{Account: s.Account, Amount: take, Line: s.Line, Product: s.Product},
				Posting{Account: r.dest, Amount: take.Neg(), Line: s.Line, Product: s.Product})
			if repaid := take.Sub(s.unpaid); repaid.IsPositive() {
				tx.Postings = append(tx.Postings,
					Posting{Account: s.Account, Amount: repaid.Neg(), Line: s.Line, Product: s.Product},
					Posting{Account: SystemAccount(Refunded, s.Account.currency), Amount: repaid, Line: s.Line, Product: s.Product})
			}
		}
		return tx, nil
	})
}

// Reversible returns how much of the transaction ref can still be given
// back by [Reverse]: what it took from its sources less what reversals
// already returned. It is zero when ref is not in the journal or cannot be
// reversed, and, on a resumed journal ([Resume]), when ref is one it
// cannot answer for ([Journal.Knows]: recall it first).
func (j Journal) Reversible(ref string) decimal.Decimal {
	r, ps := j.reversal(ref)
	if len(ps) > 0 {
		return decimal.Decimal{}
	}
	return r.left
}

// reversal is what remains reversible of one transaction.
type reversal struct {
	// unknown is set when a resumed journal cannot say: ref is before its
	// checkpoint and was not recalled.
	unknown bool
	orig    Transaction
	dest    Account  // the one account orig paid into
	sources []source // orig's negative postings, in order
	left    decimal.Decimal
}

// A source is a negative posting of a transaction to reverse, with how
// much of it (as a positive amount) is not yet given back.
type source struct {
	Posting
	post int // its index in the transaction's postings
	left decimal.Decimal
	// unpaid is, for a posting to Receivable, what is still owed on it
	// (at most left; the rest of left was repaid); for other postings it
	// is left.
	unpaid decimal.Decimal
}

// reversal works out what remains reversible of ref, or the problems that
// make it not reversible. What earlier reversals gave back to an account
// (their postings moving it the other way than ref did) is taken to have
// gone to ref's postings to that account on the same line first, then to
// the others, most recent first, as Reverse gives back.
func (j Journal) reversal(ref string) (reversal, []string) {
	var r reversal
	if j.l == nil {
		return r, []string{fmt.Sprintf("ref %q: no such transaction", ref)}
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	if !j.l.knows(ref) {
		r.unknown = true
		return r, []string{fmt.Sprintf("ref %q: before the journal's checkpoint and not recalled", ref)}
	}
	seq, ok := j.l.seq(ref, j.n)
	if !ok {
		return r, []string{fmt.Sprintf("ref %q: no such transaction", ref)}
	}
	r.orig = *j.l.tx(seq)
	if r.orig.Kind == KindReverse {
		return r, []string{fmt.Sprintf("ref %q is itself a reverse", ref)}
	}
	posts := reversible(r.orig)
	if slices.ContainsFunc(posts, func(p Posting) bool { return p.Account.IsHeld() }) {
		return r, []string{fmt.Sprintf("ref %q moves held money: holds settle with Capture, Release and Expire", ref)}
	}
	var ps []string
	ns := nets(posts)
	for _, p := range posts {
		if x := find(ns, p.Account); x.amount.Sign() != p.Amount.Sign() {
			ps = append(ps, fmt.Sprintf("ref %q both adds to and takes from %s", ref, p.Account))
			return r, ps
		}
	}
	var dests int
	for _, x := range ns {
		if x.amount.IsPositive() {
			r.dest = x.account
			dests++
		}
	}
	if dests != 1 {
		return r, append(ps, fmt.Sprintf("ref %q pays into %d accounts, not one", ref, dests))
	}
	for i, p := range posts {
		if p.Amount.IsNegative() {
			r.sources = append(r.sources, source{Posting: p, post: i, left: p.Amount.Neg()})
		}
	}
	back := j.l.givenBack(j.n, ref, ns)
	for pass := 0; pass < 2; pass++ { // the same line first, then any
		for i := len(r.sources) - 1; i >= 0; i-- {
			s := &r.sources[i]
			for k := range back {
				b := &back[k]
				if b.account == s.Account && (pass == 1 || b.line == s.Line) {
					given := minDec(s.left, b.amount)
					s.left, b.amount = s.left.Sub(given), b.amount.Sub(given)
				}
			}
		}
	}
	var debts []debt
	for i := range r.sources {
		s := &r.sources[i]
		s.unpaid = s.left
		if s.Account.sys == Receivable {
			if debts == nil {
				debts = j.l.debts(j.n, s.Account.currency)
			}
			for _, d := range debts {
				if d.id == ref && d.post == s.post {
					s.unpaid = minDec(s.left, d.unpaid())
				}
			}
		}
		r.left = r.left.Add(s.left)
	}
	return r, nil
}

// A lineNet is an amount on one account and line.
type lineNet struct {
	account Account
	line    string
	amount  decimal.Decimal
}

// givenBack returns what the reverse transactions among the first n that
// name ref gave back, per account and line, as positive amounts: the sum
// of their postings that move an account the other way than ref (whose
// nets are on) did. Postings moving an account the same way as ref (what
// a reversal passes on, after giving it back) are not counted.
func (l *log) givenBack(n int, ref string, on []net) []lineNet {
	var out []lineNet
	for _, seq := range l.reversals[ref] {
		if seq >= n {
			break
		}
		for _, p := range l.tx(seq).Postings {
			o := find(on, p.Account).amount
			if o.IsZero() || o.Sign() == p.Amount.Sign() {
				continue
			}
			i := 0
			for i < len(out) && (out[i].account != p.Account || out[i].line != p.Line) {
				i++
			}
			if i == len(out) {
				out = append(out, lineNet{account: p.Account, line: p.Line})
			}
			out[i].amount = out[i].amount.Add(p.Amount.Abs())
		}
	}
	return out
}

// checkReverse returns the problems of reverse transaction tx with nets
// ns against the first n transactions.
//
// Each account ref moved may be moved back, by all reversals of ref
// together at most what ref moved it (counting only postings that move it
// back), and on each line at most what ref moved it on that line. An account ref took from (a source) may also pass on, in the same
// transaction, up to what tx gives back to it; an account ref paid into
// may not. Accounts ref did not move may only receive: instrument accounts
// and [Refunded], together exactly what tx passes on in their currency.
// When an account passing value on is NotCashable, so must be every
// instrument account receiving it (value keeps its cash rule). On
// [Receivable], tx must cancel what is still owed on a line before it
// passes on what was repaid, and never cancel more than is owed
// ([Journal.Owed]).
func (l *log) checkReverse(n int, tx Transaction, ns []net) []string {
	seq, ok := l.seq(tx.Ref, n)
	if !ok {
		return []string{fmt.Sprintf("ref %q: no such transaction", tx.Ref)}
	}
	orig := *l.tx(seq)
	if orig.Kind == KindReverse {
		return []string{fmt.Sprintf("ref %q is itself a reverse", tx.Ref)}
	}
	on := nets(reversible(orig))
	back := l.givenBack(n, tx.Ref, on)
	var ps []string
	var passed, into []currencySum
	var keptIn bool // some value passed on is not cashable
	var receivers []Account
	for _, x := range ns {
		o := find(on, x.account).amount
		var give, pass decimal.Decimal
		for _, p := range tx.Postings {
			switch {
			case p.Account != x.account:
			case p.Amount.Sign() == o.Sign():
				pass = pass.Add(p.Amount.Abs())
			default:
				give = give.Add(p.Amount.Abs())
			}
		}
		switch {
		case o.IsZero():
			if !x.amount.IsPositive() || !pass.IsZero() || !(x.account.IsInstrument() || x.account.sys == Refunded) {
				ps = append(ps, fmt.Sprintf("%s: not moved by %q", x.account, tx.Ref))
				continue
			}
			into = addToSum(into, x.account.currency, x.amount)
			if x.account.IsInstrument() {
				receivers = append(receivers, x.account)
			}
		case o.Sign() == x.amount.Sign() || o.IsPositive() && !pass.IsZero():
			ps = append(ps, fmt.Sprintf("%s: moved the same way as by %q", x.account, tx.Ref))
		default:
			var prior decimal.Decimal
			for _, b := range back {
				if b.account == x.account {
					prior = prior.Add(b.amount)
				}
			}
			if total := prior.Add(give); total.Cmp(o.Abs()) > 0 {
				ps = append(ps, fmt.Sprintf("%s: reversals of %q would move back %s, more than its %s",
					x.account, tx.Ref, exact(total), exact(o.Abs())))
			} else {
				ps = append(ps, perLine(orig, tx, back, x.account, o.Sign())...)
			}
			if pass.IsPositive() {
				passed = addToSum(passed, x.account.currency, pass)
				if t, _ := l.terms(x.account, n); x.account.IsInstrument() && t.NotCashable {
					keptIn = true
				}
			}
		}
	}
	for _, s := range sortedSums(into) {
		if p := sumOf(passed, s.currency); !p.Equal(s.sum) {
			ps = append(ps, fmt.Sprintf("pays %s in %q to accounts %q did not move, but passes on %s", exact(s.sum), s.currency, tx.Ref, exact(p)))
		}
	}
	for _, s := range sortedSums(passed) {
		if sumOf(into, s.currency).IsZero() {
			ps = append(ps, fmt.Sprintf("passes on %s in %q to no account", exact(s.sum), s.currency))
		}
	}
	for _, a := range receivers {
		if keptIn && !termsAfter(l, n, tx, a).NotCashable {
			ps = append(ps, fmt.Sprintf("%s: receives value that is not cashable, so its terms must be NotCashable", a))
		}
	}
	if len(ps) == 0 {
		ps = l.checkDebts(n, tx)
	}
	return ps
}

// perLine returns the problems of reverse tx moving account a back (ref
// moved it the way of sign) on some line by more than ref moved it on that
// line, with what earlier reversals gave back: no line gets back more than
// it paid.
func perLine(orig, tx Transaction, back []lineNet, a Account, sign int) []string {
	var ps []string
	var lines []string
	for _, p := range tx.Postings {
		if p.Account != a || p.Amount.Sign() == sign || slices.Contains(lines, p.Line) {
			continue
		}
		lines = append(lines, p.Line)
		var paid, total decimal.Decimal
		for _, q := range reversible(orig) {
			if q.Account == a && q.Line == p.Line {
				paid = paid.Add(q.Amount.Abs())
			}
		}
		for _, q := range tx.Postings {
			if q.Account == a && q.Line == p.Line && q.Amount.Sign() != sign {
				total = total.Add(q.Amount.Abs())
			}
		}
		for _, b := range back {
			if b.account == a && b.line == p.Line {
				total = total.Add(b.amount)
			}
		}
		if total.Cmp(paid) > 0 {
			ps = append(ps, fmt.Sprintf("%s: line %q: reversals of %q would move back %s, more than its %s",
				a, p.Line, orig.ID, exact(total), exact(paid)))
		}
	}
	return ps
}

// sumOf returns the total of currency in sums, zero if none.
func sumOf(sums []currencySum, currency string) decimal.Decimal {
	for _, s := range sums {
		if s.currency == currency {
			return s.sum
		}
	}
	return decimal.Decimal{}
}

// termsAfter returns the terms of a in force after tx, applied to the
// first n transactions.
func termsAfter(l *log, n int, tx Transaction, a Account) Terms {
	for _, t := range tx.Terms {
		if t.Account == a {
			return t
		}
	}
	t, _ := l.terms(a, n)
	return t
}

// find returns the net of account a in ns, or a zero net.
func find(ns []net, a Account) net {
	for _, x := range ns {
		if x.account == a {
			return x
		}
	}
	return net{account: a}
}

// addNet adds d to the net of a in ns, appending one if a has none.
func addNet(ns []net, a Account, d decimal.Decimal) []net {
	if addTo(ns, a, d) {
		return ns
	}
	return append(ns, net{a, d})
}

// addTo adds d to the net of a in ns and reports whether a had one.
func addTo(ns []net, a Account, d decimal.Decimal) bool {
	for i := range ns {
		if ns[i].account == a {
			ns[i].amount = ns[i].amount.Add(d)
			return true
		}
	}
	return false
}
