package allocation

import (
	"math/bits"
	"slices"

	"github.com/shopspring/decimal"
)

// discountOf returns the discount percentage instrument s gives on base
// (units at the working scale): base × percent / 100 rounded once to the
// policy's places with its mode, then capped by what is left of the cap and
// by base itself.
func (e *engine) discountOf(s *insState, base int64) int64 {
	if base <= 0 {
		return 0
	}
	exact := decimal.New(base, -e.scale).Mul(s.in.Percent.Decimal).Shift(-2)
	var r decimal.Decimal
	switch e.rounding.Mode {
	case HalfUp:
		r = exact.Round(e.rounding.Places)
	case Down:
		r = exact.Truncate(e.rounding.Places)
	default:
		r = exact.RoundBank(e.rounding.Places)
	}
	d, _ := toUnits(r, e.scale) // r ≤ base, which fits
	if !s.in.Uncapped {
		d = min(d, s.balance-s.used)
	}
	return max(0, min(d, base))
}

// remainingOf returns what remains to be paid on the lines of l.
func (e *engine) remainingOf(l *lineList) int64 {
	if l.remStep == e.stepStamp {
		return l.remSum
	}
	var sum int64
	for _, li := range l.idx[l.cursor:] {
		sum += e.lines[li].remaining
	}
	l.remStep, l.remSum = e.stepStamp, sum
	return sum
}

// applyDiscount applies percentage instrument s in step st: its discount is
// spread over its lines in proportion to what remains of each, by largest
// remainder (ties go to the earlier line), so the line discounts add up to
// the discount exactly.
func (e *engine) applyDiscount(si int32, st int) {
	s := &e.ins[si]
	s.applied = true
	base := e.remainingOf(s.list)
	d := e.discountOf(s, base)
	if d == 0 {
		return
	}
	idx := s.list.idx[s.list.cursor:]
	e.share = e.share[:0]
	var given int64
	for k, li := range idx {
		rem := e.lines[li].remaining
		if rem == 0 {
			continue
		}
		hi, lo := bits.Mul64(uint64(d), uint64(rem))
		q, r := bits.Div64(hi, lo, uint64(base))
		e.share = append(e.share, share{k: int32(k), q: int64(q), r: r})
		given += int64(q)
	}
	if left := d - given; left > 0 {
		// Hand the units still missing to the largest remainders.
		order := make([]int, len(e.share))
		for j := range order {
			order[j] = j
		}
		slices.SortFunc(order, func(a, b int) int {
			if x, y := e.share[a].r, e.share[b].r; x != y {
				if x > y {
					return -1
				}
				return 1
			}
			return a - b
		})
		for _, j := range order[:left] {
			e.share[j].q++
		}
	}
	for _, sh := range e.share {
		if sh.q > 0 {
			li := idx[sh.k]
			e.lines[li].remaining -= sh.q
			e.lines[li].discounted += sh.q
			e.record(si, li, st, sh.q)
		}
	}
	e.stepStamp++ // remaining amounts changed
}

// share is one line's part of a discount: quotient and remainder.
type share struct {
	k int32
	q int64
	r uint64
}
