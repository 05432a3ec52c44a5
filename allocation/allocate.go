package allocation

import (
	"slices"
)

// Allocate decides which instruments of wallet discount or pay which part of
// bill under policy, and returns the resulting [Split].
//
// It first validates everything and, if anything is wrong, returns an
// [*InvalidError] wrapping [ErrInvalid] that lists every problem, and a zero
// Split. Not having enough money is not an error: what the wallet cannot
// pay is Outstanding.
//
// Each instrument is judged at bill.At (see [Reason] for what makes it
// unusable). Then, in two phases:
//
//  1. Percentage instruments, step by step in policy order and within a
//     step in the step's order, each discount what remains of their
//     eligible lines: remaining × percent / 100, rounded once to the
//     policy's places with its mode, capped by the instrument's balance and
//     spread over the lines in proportion to what remains of each, by
//     largest remainder (ties to the earlier line), so line discounts add up
//     exactly to the instrument's discount. Each applies at most once.
//  2. Stored-value instruments, step by step in policy order and within a
//     step in the step's order, pay what remains. Under [InOrder] each
//     covers its eligible lines in bill order as far as the step's draw
//     lets it go: down to zero, or with [DrawAll] / [DrawOverdraft] down to
//     −Overdraft. Under [MaxCoverage] the step's instruments together
//     cover as much as possible, preferring those earlier in the order.
//
// A step's order is fixed at its start, from its keys, with the instrument
// id as the final tie-break, so the result does not depend on the order of
// the wallet.
//
// Amounts are exact. The working scale is the policy's rounding places, or
// more if an input amount is written with more decimals; every amount of the
// Split is at that scale (in JSON, printed with that many decimals).
// Allocate never changes its arguments and never panics.
func Allocate(bill Bill, wallet Wallet, policy Policy) (Split, error) {
	scale, rounding, err := validate(&bill, wallet, &policy)
	if err != nil {
		return Split{}, err
	}
	e := newEngine(&bill, wallet, &policy, scale, rounding)
	e.discounts()
	if policy.Strategy == MaxCoverage {
		e.payMaxCoverage()
	} else {
		e.payInOrder()
	}
	return e.split(), nil
}

// engine holds the state of one Allocate call, in units of 10^-scale.
type engine struct {
	bill     *Bill
	policy   *Policy
	steps    []Step
	scale    int32
	rounding Rounding

	lines      []lineState
	allLines   []int32
	total      int64
	byProduct  map[string][]int32 // built on first use
	byCategory map[string][]int32
	kinds      map[string]*kindInfo

	ins       []insState // sorted by instrument id
	members   [][]int32  // per step, the usable instruments it draws
	allocs    []alloc
	share     []share
	cands     []candidate
	stepStamp int
}

type lineState struct {
	amount     int64
	remaining  int64
	discounted int64
	covered    int64
}

type alloc struct {
	ins, line int32
	step      int32
	amount    int64
}

func newEngine(bill *Bill, wallet Wallet, policy *Policy, scale int32, rounding Rounding) *engine {
	e := &engine{
		bill:     bill,
		policy:   policy,
		steps:    policy.Steps,
		scale:    scale,
		rounding: rounding,
		lines:    make([]lineState, len(bill.Lines)),
		allLines: make([]int32, len(bill.Lines)),
		kinds:    make(map[string]*kindInfo),
		ins:      make([]insState, len(wallet)),
	}
	if len(e.steps) == 0 {
		e.steps = defaultSteps
	}
	for i := range bill.Lines {
		l := &bill.Lines[i]
		a, _ := toUnits(l.Amount, scale)
		e.lines[i] = lineState{amount: a, remaining: a}
		e.total += a
		e.allLines[i] = int32(i)
	}
	for i := range wallet {
		in := &wallet[i]
		s := &e.ins[i]
		s.in = in
		s.specific = in.Scope.Specific()
		s.percent = in.IsPercent()
		s.balance, _ = toUnits(in.Balance, scale)
		s.overdraft, _ = toUnits(in.Overdraft, scale)
		s.minSpend, _ = toUnits(in.MinSpend, scale)
	}
	slices.SortFunc(e.ins, func(a, b insState) int {
		switch {
		case a.in.ID < b.in.ID:
			return -1
		case a.in.ID > b.in.ID:
			return 1
		}
		return 0
	})
	for i := range e.ins {
		e.eligibility(&e.ins[i])
	}
	e.members = make([][]int32, len(e.steps))
	for si := range e.steps {
		for i := range e.ins {
			if e.ins[i].reasons == 0 && takes(&e.steps[si], &e.ins[i]) {
				e.members[si] = append(e.members[si], int32(i))
			}
		}
	}
	return e
}

// record notes an allocation.
func (e *engine) record(ins, line int32, step int, amount int64) {
	e.ins[ins].used += amount
	e.allocs = append(e.allocs, alloc{ins: ins, line: line, step: int32(step), amount: amount})
}

// candidates returns the members of step st that are percentage
// instruments (if percent) or stored-value ones, in the step's order.
func (e *engine) candidates(st int, percent bool) []candidate {
	step := &e.steps[st]
	ded := needsDeduction(step.Order)
	cs := e.cands[:0]
	for _, i := range e.members[st] {
		s := &e.ins[i]
		if s.percent != percent || (percent && s.applied) {
			continue
		}
		c := candidate{i: i}
		if ded {
			rem := e.remainingOf(s.list)
			if percent {
				c.ded = e.discountOf(s, rem)
			} else {
				c.ded = min(rem, e.room(s, step.Draw))
			}
		}
		cs = append(cs, c)
	}
	e.sortCandidates(cs, step.Order)
	e.cands = cs
	return cs
}

// room is how much stored-value instrument s may still pay under draw.
func (e *engine) room(s *insState, draw Draw) int64 {
	r := s.balance - s.used
	if draw == DrawAll || draw == DrawOverdraft {
		r += s.overdraft
	}
	return max(0, r)
}

// discounts runs phase 1: percentage instruments, in policy order.
func (e *engine) discounts() {
	for st := range e.steps {
		for _, c := range e.candidates(st, true) {
			e.applyDiscount(c.i, st)
		}
	}
}

// payInOrder runs phase 2 under InOrder: each stored-value instrument, in
// policy order, covers its lines in bill order as far as it can.
func (e *engine) payInOrder() {
	for st := range e.steps {
		draw := e.steps[st].Draw
		for _, c := range e.candidates(st, false) {
			s := &e.ins[c.i]
			room := e.room(s, draw)
			if room == 0 {
				continue
			}
			l := s.list
			for k := l.cursor; k < len(l.idx) && room > 0; k++ {
				li := l.idx[k]
				line := &e.lines[li]
				if line.remaining == 0 {
					if k == l.cursor {
						l.cursor++
					}
					continue
				}
				pay := min(room, line.remaining)
				line.remaining -= pay
				line.covered += pay
				room -= pay
				if line.remaining == 0 && k == l.cursor {
					l.cursor++
				}
				e.record(c.i, li, st, pay)
			}
			e.stepStamp++
		}
	}
}
