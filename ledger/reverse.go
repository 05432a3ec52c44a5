package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Reverse returns a transaction of kind [KindReverse] that gives back
// amount of the transaction ref: a void or a refund of a spend, fully (pass
// [Journal.Reversible]) or in part.
//
// What ref took from its sources (its negative postings: the instruments
// that paid, and the receivable) goes back onto them, the most recent
// posting first, out of the one account ref paid into (revenue for a
// spend). Each reversing pair keeps the line and product of the posting it
// undoes. The transaction has the given id, time and note, ref's Bill, and
// Ref ref. A capture is reversed like a spend: what it took goes back onto
// the instruments its hold reserved it of (what the hold gave back is not
// reversible). Value that goes back onto an instrument that has expired since
// stays there until the next [Expire].
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
		}
		return tx, nil
	})
}

// Reversible returns how much of the transaction ref can still be given
// back by [Reverse]: what it took from its sources less what reversals
// already returned. It is zero when ref is not in the journal or cannot be
// reversed.
func (j Journal) Reversible(ref string) decimal.Decimal {
	r, ps := j.reversal(ref)
	if len(ps) > 0 {
		return decimal.Decimal{}
	}
	return r.left
}

// reversal is what remains reversible of one transaction.
type reversal struct {
	orig    Transaction
	dest    Account  // the one account orig paid into
	sources []source // orig's negative postings, in order
	left    decimal.Decimal
}

// A source is a negative posting of a transaction to reverse, with how
// much of it (as a positive amount) is not yet given back.
type source struct {
	Posting
	left decimal.Decimal
}

// reversal works out what remains reversible of ref, or the problems that
// make it not reversible. Earlier reversals are taken to have given back
// each account's postings most recent first, as Reverse does.
func (j Journal) reversal(ref string) (reversal, []string) {
	var r reversal
	if j.l == nil {
		return r, []string{fmt.Sprintf("ref %q: no such transaction", ref)}
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	seq, ok := j.l.seq(ref, j.n)
	if !ok {
		return r, []string{fmt.Sprintf("ref %q: no such transaction", ref)}
	}
	r.orig = j.l.txs[seq]
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
	back := j.l.reversed(j.n, ref)
	for _, p := range posts {
		if p.Amount.IsNegative() {
			r.sources = append(r.sources, source{Posting: p})
		}
	}
	for i := len(r.sources) - 1; i >= 0; i-- {
		s := &r.sources[i]
		owed := s.Amount.Neg()
		b := find(back, s.Account)
		given := minDec(owed, b.amount)
		addTo(back, s.Account, given.Neg())
		s.left = owed.Sub(given)
		r.left = r.left.Add(s.left)
	}
	return r, nil
}

// reversed returns the net amounts per account of the reverse transactions
// among the first n that name ref.
func (l *log) reversed(n int, ref string) []net {
	var out []net
	for _, seq := range l.reversals[ref] {
		if seq >= n {
			break
		}
		for _, x := range nets(l.txs[seq].Postings) {
			out = addNet(out, x.account, x.amount)
		}
	}
	return out
}

// checkReverse returns the problems of reverse transaction tx with nets ns
// against the first n transactions: each account it posts to must have
// moved the other way in ref, by at least what all reversals of ref
// together move it back.
func (l *log) checkReverse(n int, tx Transaction, ns []net) []string {
	seq, ok := l.seq(tx.Ref, n)
	if !ok {
		return []string{fmt.Sprintf("ref %q: no such transaction", tx.Ref)}
	}
	orig := l.txs[seq]
	if orig.Kind == KindReverse {
		return []string{fmt.Sprintf("ref %q is itself a reverse", tx.Ref)}
	}
	on := nets(reversible(orig))
	back := l.reversed(n, tx.Ref)
	var ps []string
	for _, x := range ns {
		o := find(on, x.account).amount
		switch {
		case o.IsZero():
			ps = append(ps, fmt.Sprintf("%s: not moved by %q", x.account, tx.Ref))
		case o.Sign() == x.amount.Sign():
			ps = append(ps, fmt.Sprintf("%s: moved the same way as by %q", x.account, tx.Ref))
		default:
			total := find(back, x.account).amount.Add(x.amount)
			if total.Abs().Cmp(o.Abs()) > 0 {
				ps = append(ps, fmt.Sprintf("%s: reversals of %q would move back %s, more than its %s",
					x.account, tx.Ref, exact(total.Abs()), exact(o.Abs())))
			}
		}
	}
	return ps
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
