package allocation

import (
	"cmp"
	"slices"
)

// candidate is an instrument taking part in a step, with the deduction it
// could make at the start of the step (for LargestFirst / SmallestFirst).
type candidate struct {
	i   int32 // index into engine.ins, which is sorted by instrument id
	ded money
}

// needsDeduction reports whether the order keys look at the deduction.
func needsDeduction(keys []OrderKey) bool {
	return slices.Contains(keys, LargestFirst) || slices.Contains(keys, SmallestFirst)
}

// sortCandidates orders cs by the step's keys, most significant first,
// then by instrument id. The order is total, so the result never depends on
// the order of the wallet.
func (e *engine) sortCandidates(cs []candidate, keys []OrderKey) {
	slices.SortFunc(cs, func(a, b candidate) int {
		x, y := e.in(&e.ins[a.i]), e.in(&e.ins[b.i])
		for _, k := range keys {
			c := 0
			switch k {
			case ExpiresFirst:
				c = compareOptionalTimes(x.ValidUntil.IsZero(), y.ValidUntil.IsZero(), x.ValidUntil.Compare(y.ValidUntil))
			case OldestFirst:
				c = compareOptionalTimes(x.IssuedAt.IsZero(), y.IssuedAt.IsZero(), x.IssuedAt.Compare(y.IssuedAt))
			case LargestFirst:
				c = e.cmp(b.ded, a.ded)
			case SmallestFirst:
				c = e.cmp(a.ded, b.ded)
			case PriorityOrder:
				c = cmp.Compare(int64(x.Priority), int64(y.Priority))
			case SpecificFirst:
				c = compareBool(e.ins[b.i].specific, e.ins[a.i].specific)
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(int64(a.i), int64(b.i))
	})
}

// compareOptionalTimes orders set times by cmp and unset (zero) times last.
func compareOptionalTimes(xZero, yZero bool, cmp int) int {
	switch {
	case xZero && yZero:
		return 0
	case xZero:
		return 1
	case yZero:
		return -1
	}
	return cmp
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
