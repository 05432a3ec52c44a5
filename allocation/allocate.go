package allocation

import (
	"math/big"

	"github.com/shopspring/decimal"
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
//     spread over the lines in proportion to what remains of each, in whole
//     units of the rounding (cents, yen), by largest remainder (ties to the
//     smaller line id, so the spread does not depend on the order of the
//     lines), so line discounts add up exactly to the instrument's
//     discount. Each applies at most once.
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
	v, err := validate(&bill, wallet, &policy)
	if err != nil {
		return Split{}, err
	}
	return allocate(&bill, wallet, &policy, v), nil
}

// allocate runs a validated call.
func allocate(bill *Bill, wallet Wallet, policy *Policy, v validated) Split {
	var e engine
	e.init(bill, wallet, policy, v)
	e.discounts()
	if policy.Strategy == MaxCoverage {
		e.payMaxCoverage()
	} else {
		e.payInOrder()
	}
	return e.split()
}

// smallBill is the number of lines up to which scoped instruments scan
// the bill instead of building product and category indexes.
const smallBill = 16

// engine holds the state of one Allocate call, in units of 10^-scale.
type engine struct {
	arith
	bill     Bill // copies, so that the caller's values need not escape
	policy   Policy
	wallet   Wallet
	steps    []Step
	scale    int32
	rounding Rounding

	lines      []lineState
	amounts    []money // by slot: see slots.go
	allLines   []int32
	total      money
	byProduct  map[string][]int32 // built on first use, for bills over smallBill lines
	byCategory map[string][]int32
	// productLists holds the lists shared by instruments scoped to one
	// product, for bills over smallBill lines.
	productLists map[productKey]sharedList
	kinds        []kindInfo       // every kind met so far
	kindIndex    map[string]int32 // index into kinds, once there are many
	drawnArena   []bool           // backing store of the kinds' drawn
	listSlab     []lineList       // line lists of the call
	arena        []int32          // backing store of the lists' indices and of members
	scratch      []int32

	ins       []insState // sorted by instrument id
	members   [][]int32  // per step, the usable instruments it draws
	allocs    []alloc
	share     []share
	cands     []candidate
	stepStamp int
	flow      flow // max_coverage's network
}

type lineState struct {
	amount     money
	remaining  money
	discounted money
	covered    money
}

type alloc struct {
	ins, line int32
	step      int32
	amount    money
}

// init sets e up for a validated call: amounts in units, instruments in id
// order with their eligibility, and each step's usable instruments.
func (e *engine) init(bill *Bill, wallet Wallet, policy *Policy, v validated) {
	nL, nI := len(bill.Lines), len(wallet)
	*e = engine{
		bill:     *bill,
		policy:   *policy,
		steps:    labelledSteps(policy.Steps),
		scale:    v.scale,
		rounding: v.rounding,
		lines:    make([]lineState, nL),
		listSlab: make([]lineList, 0, ownLists(wallet)+kindsHint(wallet)), // and one per kind
		ins:      make([]insState, nI),
		allocs:   make([]alloc, 0, nL+nI),
		// allLines, then the lists of scoped instruments and the members
		// of the steps; appending beyond this moves only what comes next.
		arena: make([]int32, nL, 2*nL+2*nI+8),
	}
	if len(e.steps) == 0 {
		e.steps = defaultSteps
	}
	e.wallet = wallet
	if v.units != nil {
		e.amounts = v.units
	} else {
		e.arith = arith{wide: true, ints: []*big.Int{new(big.Int)}}
		e.amounts = make([]money, slots(nL, nI))
		eachAmount(bill, wallet, func(slot int, d decimal.Decimal) bool {
			e.amounts[slot] = e.of(d, v.scale)
			return true
		})
	}
	e.allLines = e.arena[:nL:nL]
	for i := range bill.Lines {
		a := e.amounts[i]
		e.lines[i] = lineState{amount: a, remaining: a}
		e.total = e.add(e.total, a)
		e.allLines[i] = int32(i)
	}
	for k := range e.ins {
		i := k
		if v.order != nil {
			i = int(v.order[k])
		}
		in := &wallet[i]
		s := &e.ins[k]
		s.w = int32(i)
		s.specific = specific(&in.Scope)
		s.percent = in.Percent.Valid
	}
	for i := range e.ins {
		e.eligibility(&e.ins[i])
	}
	e.members = make([][]int32, len(e.steps))
	most := 0 // the most members of a step
	for si := range e.steps {
		start := len(e.arena)
		for i := range e.ins {
			s := &e.ins[i]
			if s.reasons == 0 && e.kinds[s.kind].drawnBy(s.specific, si) {
				e.arena = append(e.arena, int32(i))
			}
		}
		e.members[si] = e.arena[start:len(e.arena):len(e.arena)]
		most = max(most, len(e.members[si]))
	}
	e.cands = make([]candidate, 0, most)
}

// ownLists counts the instruments whose eligible lines need a list of their
// own (specific scopes or exclusions); the others share one per kind.
func ownLists(w Wallet) int {
	n := 0
	for i := range w {
		sc := &w[i].Scope
		if specific(sc) || len(sc.ExcludeProducts) > 0 || len(sc.ExcludeCategories) > 0 {
			n++
		}
	}
	return n
}

// record notes an allocation.
func (e *engine) record(ins, line int32, step int, amount money) {
	e.ins[ins].used = e.add(e.ins[ins].used, amount)
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
				c.ded = e.min(rem, e.room(s, step.Draw))
			}
		}
		cs = append(cs, c)
	}
	e.sortCandidates(cs, step.Order)
	e.cands = cs
	return cs
}

// room is how much stored-value instrument s may still pay under draw.
func (e *engine) room(s *insState, draw Draw) money {
	r := e.sub(e.balance(s), s.used)
	if draw == DrawAll || draw == DrawOverdraft {
		r = e.add(r, e.overdraft(s))
	}
	var zero money
	return e.max(zero, r)
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
			l := s.list
			for k := l.cursor; k < len(l.idx) && e.sign(room) > 0; k++ {
				li := l.idx[k]
				line := &e.lines[li]
				if e.sign(line.remaining) == 0 {
					if k == l.cursor {
						l.cursor++
					}
					continue
				}
				pay := e.min(room, line.remaining)
				line.remaining = e.sub(line.remaining, pay)
				line.covered = e.add(line.covered, pay)
				room = e.sub(room, pay)
				if e.sign(line.remaining) == 0 && k == l.cursor {
					l.cursor++
				}
				e.record(c.i, li, st, pay)
			}
			e.stepStamp++
		}
	}
}
