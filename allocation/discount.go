package allocation

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// discountOf returns the discount percentage instrument s gives on base
// (units at the working scale): base × percent / 100 rounded once to the
// policy's places with its mode, then capped by what is left of the cap and
// by base itself.
func (e *engine) discountOf(s *insState, base money) money {
	var zero money
	if e.sign(base) <= 0 {
		return zero
	}
	in := e.in(s)
	b := e.decimal(base, e.scale)
	exact := b.Mul(in.Percent.Decimal).Shift(-2)
	var r decimal.Decimal
	switch e.rounding.Mode {
	case HalfUp:
		r = exact.Round(e.rounding.Places)
	case Down:
		r = exact.Truncate(e.rounding.Places)
	default:
		r = exact.RoundBank(e.rounding.Places)
	}
	if r.Cmp(b) > 0 {
		// Rounded up past base (at 100 %): the discount is capped by base
		// anyway, and base, unlike r, is known to fit the call's path.
		r = b
	}
	d := e.of(r, e.scale)
	if in.Capped {
		d = e.min(d, e.sub(e.balance(s), s.used))
	}
	return e.max(zero, e.min(d, base))
}

// remainingOf returns what remains to be paid on the lines of l.
func (e *engine) remainingOf(l *lineList) money {
	if l.remStep == e.stepStamp {
		return l.remSum
	}
	var sum money
	for _, li := range l.idx[l.cursor:] {
		sum = e.add(sum, e.lines[li].remaining)
	}
	l.remStep, l.remSum = e.stepStamp, sum
	return sum
}

// share is one line's part of a discount: the amount so far and the
// remainder of the division that gave it.
type share struct {
	k      int32 // position in the list of lines
	amount money
	r      money
}

// applyDiscount applies percentage instrument si in step st: its discount
// d is spread over its lines in proportion to what remains of each, in
// units of the policy's rounding (cents, whole yen), by largest remainder,
// so the line discounts add up to d exactly and no line gets a fraction of
// a unit. Equal remainders go to the smaller line id: the spread, and so
// all that follows from it, does not depend on the order of the bill's
// lines. Only where d itself is not a whole number of units (capped by an
// amount written with more decimals than the rounding) is the rest spread,
// the same way, in units of the working scale.
func (e *engine) applyDiscount(si int32, st int) {
	s := &e.ins[si]
	s.applied = true
	base := e.remainingOf(s.list)
	d := e.discountOf(s, base)
	if e.sign(d) == 0 {
		return
	}
	idx := s.list.idx[s.list.cursor:]
	e.share = e.share[:0]
	for k, li := range idx {
		if e.sign(e.lines[li].remaining) > 0 {
			e.share = append(e.share, share{k: int32(k)})
		}
	}
	unit := e.of(decimal.New(1, -e.rounding.Places), e.scale)
	units, _ := e.quoRem(d, unit)
	left := e.spread(idx, units, base, unit, false)
	if left = e.add(left, e.sub(d, e.mul(units, unit))); e.sign(left) > 0 {
		e.spread(idx, left, e.sub(base, e.sub(d, left)), e.small(1), true)
	}
	for _, sh := range e.share {
		if e.sign(sh.amount) > 0 {
			li := idx[sh.k]
			e.lines[li].remaining = e.sub(e.lines[li].remaining, sh.amount)
			e.lines[li].discounted = e.add(e.lines[li].discounted, sh.amount)
			e.record(si, li, st, sh.amount)
		}
	}
	e.stepStamp++ // remaining amounts changed
}

// spread adds n units of size unit to the shares, in proportion to each
// line's room (what remains of it, less its share so far; room totals
// total), by largest remainder. A unit goes only where it fits. It returns
// what could not be placed, in working units.
func (e *engine) spread(idx []int32, n, total, unit money, rest bool) money {
	var given money
	room := func(sh *share) money {
		r := e.lines[idx[sh.k]].remaining
		if rest {
			r = e.sub(r, sh.amount)
		}
		return r
	}
	for j := range e.share {
		sh := &e.share[j]
		q, r := e.mulDiv(n, room(sh), total)
		sh.r = r
		sh.amount = e.add(sh.amount, e.mul(q, unit))
		given = e.add(given, q)
	}
	left := e.sub(n, given)
	if e.sign(left) == 0 {
		return left
	}
	order := make([]int, len(e.share))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := e.cmp(e.share[b].r, e.share[a].r); c != 0 {
			return c
		}
		return strings.Compare(e.bill.Lines[idx[e.share[a].k]].ID, e.bill.Lines[idx[e.share[b].k]].ID)
	})
	one := e.small(1)
	for _, j := range order {
		if e.sign(left) == 0 {
			break
		}
		sh := &e.share[j]
		if e.sign(sh.r) > 0 && e.cmp(e.add(sh.amount, unit), e.lines[idx[sh.k]].remaining) <= 0 {
			sh.amount = e.add(sh.amount, unit)
			left = e.sub(left, one)
		}
	}
	return e.mul(left, unit)
}
