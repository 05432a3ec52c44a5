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
func (e *engine[N]) discountOf(s *insState[N], base N) N {
	var zero N
	if base.sign() <= 0 {
		return zero
	}
	exact := base.decimal(e.scale).Mul(s.in.Percent.Decimal).Shift(-2)
	var r decimal.Decimal
	switch e.rounding.Mode {
	case HalfUp:
		r = exact.Round(e.rounding.Places)
	case Down:
		r = exact.Truncate(e.rounding.Places)
	default:
		r = exact.RoundBank(e.rounding.Places)
	}
	d := zero.of(r, e.scale) // r ≤ base + one unit of places, which fits
	if !s.in.Uncapped {
		d = minN(d, s.balance.sub(s.used))
	}
	return maxN(zero, minN(d, base))
}

// remainingOf returns what remains to be paid on the lines of l.
func (e *engine[N]) remainingOf(l *lineList[N]) N {
	if l.remStep == e.stepStamp {
		return l.remSum
	}
	var sum N
	for _, li := range l.idx[l.cursor:] {
		sum = sum.add(e.lines[li].remaining)
	}
	l.remStep, l.remSum = e.stepStamp, sum
	return sum
}

// share is one line's part of a discount: quotient and remainder.
type share[N number[N]] struct {
	k int32
	q N
	r N
}

// applyDiscount applies percentage instrument si in step st: its discount
// is spread over its lines in proportion to what remains of each, by
// largest remainder, so the line discounts add up to the discount exactly.
// Equal remainders go to the smaller line id: the spread, and so all that
// follows from it, does not depend on the order of the bill's lines.
func (e *engine[N]) applyDiscount(si int32, st int) {
	s := &e.ins[si]
	s.applied = true
	base := e.remainingOf(s.list)
	d := e.discountOf(s, base)
	if d.sign() == 0 {
		return
	}
	idx := s.list.idx[s.list.cursor:]
	e.share = e.share[:0]
	var given N
	for k, li := range idx {
		rem := e.lines[li].remaining
		if rem.sign() == 0 {
			continue
		}
		q, r := d.mulDiv(rem, base)
		e.share = append(e.share, share[N]{k: int32(k), q: q, r: r})
		given = given.add(q)
	}
	if left := d.sub(given); left.sign() > 0 {
		// Hand the units still missing (fewer than the lines) to the
		// largest remainders.
		order := make([]int, len(e.share))
		for j := range order {
			order[j] = j
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := e.share[b].r.cmp(e.share[a].r); c != 0 {
				return c
			}
			return strings.Compare(e.bill.Lines[idx[e.share[a].k]].ID, e.bill.Lines[idx[e.share[b].k]].ID)
		})
		var one N
		one = one.inc()
		for _, j := range order {
			if left.sign() == 0 {
				break
			}
			e.share[j].q = e.share[j].q.inc()
			left = left.sub(one)
		}
	}
	for _, sh := range e.share {
		if sh.q.sign() > 0 {
			li := idx[sh.k]
			e.lines[li].remaining = e.lines[li].remaining.sub(sh.q)
			e.lines[li].discounted = e.lines[li].discounted.add(sh.q)
			e.record(si, li, st, sh.q)
		}
	}
	e.stepStamp++ // remaining amounts changed
}
