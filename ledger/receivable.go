package ledger

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// What the customer owes is kept on [Receivable], one account per
// currency, so it is a pool: a spend books each line's shortfall as a
// debt, a top-up repays the pool, a reversal cancels. To say what is still
// owed on one bill, the ledger attributes every repayment to the debts
// oldest first (in journal order, then posting order), and a reversal of a
// spend first cancels what is still owed on the lines it gives back; what
// the customer had already repaid of them leaves the receivable to where
// the reversal sends it. So, after any sequence of transactions built by
// the helpers, the receivable's balance is minus the sum of what is still
// owed on every debt (invariant 9).

// A debt is one amount booked as owed: a negative posting to Receivable
// outside a reversal of the transaction that booked it.
type debt struct {
	id     string // of the transaction that booked it
	post   int    // the posting's index in it
	line   string
	owed   decimal.Decimal // what the posting booked, positive
	repaid decimal.Decimal // repayments attributed to it
	given  decimal.Decimal // what reversals of its transaction gave back to it
	passed decimal.Decimal // of given, the repaid part they passed on
}

// unpaid is what is still owed on d.
func (d *debt) unpaid() decimal.Decimal {
	return d.owed.Sub(d.repaid).Sub(d.given.Sub(d.passed))
}

// debts returns the debts on the receivable of currency cur as of the
// first n transactions, in the order they were booked. The caller holds
// the read lock.
//
// A posting to Receivable in a reversal of a transaction that booked
// debts gives back to those debts (positive) or passes on their repaid
// part (negative), on the posting's line first and most recent debt
// first. Any other negative posting books a debt; any other positive one
// repays debts, oldest first.
//
// A resumed log starts from the debts of its checkpoint, then reads the
// receivable's entries after it.
func (l *log) debts(n int, cur string) []debt {
	ac := l.accts[SystemAccount(Receivable, cur)]
	if ac == nil {
		return nil
	}
	var ds []debt
	byTx := map[string][]int{} // a transaction's id → its debts
	if l.cp != nil {
		for _, d := range l.cp.debts {
			if d.cur == cur {
				byTx[d.id] = append(byTx[d.id], len(ds))
				ds = append(ds, d.debt)
			}
		}
	}
	k := ac.count(n)
	for i := 0; i < k; {
		seq := ac.entries[i].seq
		tx := l.tx(seq)
		var own []int // the debts the reversal tx refers to, in booking order
		if tx.Kind == KindReverse {
			own = byTx[tx.Ref]
		}
		for ; i < k && ac.entries[i].seq == seq; i++ {
			p := tx.Postings[ac.entries[i].post]
			if len(own) > 0 {
				reverseDebts(ds, own, p)
				continue
			}
			if p.Amount.IsNegative() {
				byTx[tx.ID] = append(byTx[tx.ID], len(ds))
				ds = append(ds, debt{id: tx.ID, post: ac.entries[i].post, line: p.Line, owed: p.Amount.Neg()})
				continue
			}
			rest := p.Amount
			for d := range ds {
				if !rest.IsPositive() {
					break
				}
				if u := ds[d].unpaid(); u.IsPositive() {
					take := minDec(u, rest)
					ds[d].repaid = ds[d].repaid.Add(take)
					rest = rest.Sub(take)
				}
			}
		}
	}
	return ds
}

// reverseDebts books posting p of a reversal on the debts own of ds that
// it refers to: a positive amount gives back to them, a negative one
// passes on what they had repaid. It returns what found no room.
func reverseDebts(ds []debt, own []int, p Posting) decimal.Decimal {
	if p.Amount.IsPositive() {
		return spreadBack(ds, own, p.Line, p.Amount, func(d *debt) decimal.Decimal { return d.owed.Sub(d.given) },
			func(d *debt, v decimal.Decimal) { d.given = d.given.Add(v) })
	}
	return spreadBack(ds, own, p.Line, p.Amount.Neg(), func(d *debt) decimal.Decimal { return minDec(d.given, d.repaid).Sub(d.passed) },
		func(d *debt, v decimal.Decimal) { d.passed = d.passed.Add(v) })
}

// spreadBack adds amount to the debts own of ds, each up to room: first
// to those on line, most recent first, then to the others, most recent
// first. It returns what found no room (only a hand-built reversal leaves
// any).
func spreadBack(ds []debt, own []int, line string, amount decimal.Decimal, room func(*debt) decimal.Decimal, add func(*debt, decimal.Decimal)) decimal.Decimal {
	for pass := 0; pass < 2 && amount.IsPositive(); pass++ {
		for i := len(own) - 1; i >= 0 && amount.IsPositive(); i-- {
			d := &ds[own[i]]
			if (d.line == line) != (pass == 0) {
				continue
			}
			if r := room(d); r.IsPositive() {
				take := minDec(r, amount)
				add(d, take)
				amount = amount.Sub(take)
			}
		}
	}
	return amount
}

// checkDebts returns the problems of reverse transaction tx with the debts
// its Ref booked: tx may not
// cancel more than is owed (a receivable above what is owed strands the
// customer's money), may pass on only what was repaid, and only on lines
// where nothing is owed any more (what is owed is cancelled first).
func (l *log) checkDebts(n int, tx Transaction) []string {
	var ps []string
	var curs []string
	for _, p := range tx.Postings {
		if p.Account.sys == Receivable && !slices.Contains(curs, p.Account.currency) {
			curs = append(curs, p.Account.currency)
		}
	}
	for _, cur := range curs {
		ds := l.debts(n, cur)
		var own []int
		for d := range ds {
			if ds[d].id == tx.Ref {
				own = append(own, d)
			}
		}
		if len(own) == 0 {
			continue
		}
		var passedOn []string
		for _, p := range tx.Postings {
			if p.Account != SystemAccount(Receivable, cur) {
				continue
			}
			if over := reverseDebts(ds, own, p); over.IsPositive() {
				ps = append(ps, fmt.Sprintf("%s: line %q: %s more than %q booked or was repaid", p.Account, p.Line, exact(over), tx.Ref))
			}
			if p.Amount.IsNegative() && !slices.Contains(passedOn, p.Line) {
				passedOn = append(passedOn, p.Line)
			}
		}
		for _, d := range own {
			switch u := ds[d].unpaid(); {
			case u.IsNegative():
				ps = append(ps, fmt.Sprintf("receivable:%s: line %q: cancels %s more than is owed; pass what was repaid on", cur, ds[d].line, exact(u.Neg())))
			case u.IsPositive() && slices.Contains(passedOn, ds[d].line):
				ps = append(ps, fmt.Sprintf("receivable:%s: line %q: passes on what was repaid while %s is still owed", cur, ds[d].line, exact(u)))
			}
		}
	}
	return ps
}

// Owed returns what the customer still owes on the transaction ref (the
// spend of a bill booked with [SpendOptions].Receivable): what it booked
// to [Receivable], less the repayments attributed to it (top-ups repay
// the oldest debts first) and less what reversals cancelled. It is zero
// when ref is not in the journal or booked nothing as owed. The sum of
// Owed over every transaction is minus the receivable's balance. A
// resumed journal ([Resume]) answers for any ref: its checkpoint keeps
// every debt.
func (j Journal) Owed(ref string) decimal.Decimal {
	var sum decimal.Decimal
	if j.l == nil {
		return sum
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	if _, ok := j.l.seq(ref, j.n); !ok && j.l.cp == nil {
		return sum
	}
	var curs []string
	for a, ac := range j.l.accts {
		if a.sys == Receivable && ac.first < j.n {
			curs = append(curs, a.currency)
		}
	}
	slices.Sort(curs) // map order must not reach the sum's exponent
	for _, cur := range curs {
		for _, d := range j.l.debts(j.n, cur) {
			if d.id == ref {
				sum = sum.Add(d.unpaid())
			}
		}
	}
	return sum
}
