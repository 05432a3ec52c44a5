package allocation

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
	if v.wide {
		return allocate[exact](&bill, wallet, &policy, v), nil
	}
	return allocate[fast](&bill, wallet, &policy, v), nil
}

// allocate runs a validated call with amounts of type N.
func allocate[N number[N]](bill *Bill, wallet Wallet, policy *Policy, v validated) Split {
	e := newEngine[N](bill, wallet, policy, v)
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
type engine[N number[N]] struct {
	bill     *Bill
	policy   *Policy
	steps    []Step
	scale    int32
	rounding Rounding

	lines      []lineState[N]
	allLines   []int32
	total      N
	byProduct  map[string][]int32 // built on first use, for bills over smallBill lines
	byCategory map[string][]int32
	kindArr    [8]kindInfo[N]          // the first kinds met
	nKinds     int                     // entries of kindArr in use
	kindMap    map[string]*kindInfo[N] // every kind, once there are more
	listSlab   []lineList[N]           // line lists of the call
	idxArena   []int32                 // backing store of the lists' indices
	scratch    []int32

	ins       []insState[N] // sorted by instrument id
	members   [][]int32     // per step, the usable instruments it draws (one backing array)
	allocs    []alloc[N]
	share     []share[N]
	cands     []candidate[N]
	stepStamp int
}

type lineState[N number[N]] struct {
	amount     N
	remaining  N
	discounted N
	covered    N
}

type alloc[N number[N]] struct {
	ins, line int32
	step      int32
	amount    N
}

func newEngine[N number[N]](bill *Bill, wallet Wallet, policy *Policy, v validated) *engine[N] {
	e := &engine[N]{
		bill:     bill,
		policy:   policy,
		steps:    labelledSteps(policy.Steps),
		scale:    v.scale,
		rounding: v.rounding,
		lines:    make([]lineState[N], len(bill.Lines)),
		allLines: make([]int32, len(bill.Lines)),
		listSlab: make([]lineList[N], 0, ownLists(wallet)+4),
		ins:      make([]insState[N], len(wallet)),
		allocs:   make([]alloc[N], 0, len(bill.Lines)+len(wallet)),
		cands:    make([]candidate[N], 0, len(wallet)),
	}
	if len(e.steps) == 0 {
		e.steps = defaultSteps
	}
	var z N
	sc := v.scale
	for i := range bill.Lines {
		a := z.of(bill.Lines[i].Amount, sc)
		e.lines[i] = lineState[N]{amount: a, remaining: a}
		e.total = e.total.add(a)
		e.allLines[i] = int32(i)
	}
	for k, i := range v.order {
		in := &wallet[i]
		s := &e.ins[k]
		s.in = in
		s.specific = in.Scope.Specific()
		s.percent = in.IsPercent()
		if !(s.percent && in.Uncapped) { // an uncapped coupon's balance is ignored
			s.balance = z.of(in.Balance, sc)
		}
		s.overdraft = z.of(in.Overdraft, sc)
		s.minSpend = z.of(in.MinSpend, sc)
	}
	for i := range e.ins {
		e.eligibility(&e.ins[i])
	}
	e.members = make([][]int32, len(e.steps))
	var arena []int32
	for si := range e.steps {
		start := len(arena)
		for i := range e.ins {
			if e.ins[i].reasons == 0 && takes(&e.steps[si], e.ins[i].in, e.ins[i].specific) {
				arena = append(arena, int32(i))
			}
		}
		e.members[si] = arena[start:len(arena):len(arena)]
	}
	return e
}

// ownLists counts the instruments whose eligible lines need a list of their
// own (specific scopes or exclusions); the others share one per kind.
func ownLists(w Wallet) int {
	n := 0
	for i := range w {
		sc := &w[i].Scope
		if sc.Specific() || len(sc.ExcludeProducts) > 0 || len(sc.ExcludeCategories) > 0 {
			n++
		}
	}
	return n
}

// record notes an allocation.
func (e *engine[N]) record(ins, line int32, step int, amount N) {
	e.ins[ins].used = e.ins[ins].used.add(amount)
	e.allocs = append(e.allocs, alloc[N]{ins: ins, line: line, step: int32(step), amount: amount})
}

// candidates returns the members of step st that are percentage
// instruments (if percent) or stored-value ones, in the step's order.
func (e *engine[N]) candidates(st int, percent bool) []candidate[N] {
	step := &e.steps[st]
	ded := needsDeduction(step.Order)
	cs := e.cands[:0]
	for _, i := range e.members[st] {
		s := &e.ins[i]
		if s.percent != percent || (percent && s.applied) {
			continue
		}
		c := candidate[N]{i: i}
		if ded {
			rem := e.remainingOf(s.list)
			if percent {
				c.ded = e.discountOf(s, rem)
			} else {
				c.ded = minN(rem, e.room(s, step.Draw))
			}
		}
		cs = append(cs, c)
	}
	e.sortCandidates(cs, step.Order)
	e.cands = cs
	return cs
}

// room is how much stored-value instrument s may still pay under draw.
func (e *engine[N]) room(s *insState[N], draw Draw) N {
	r := s.balance.sub(s.used)
	if draw == DrawAll || draw == DrawOverdraft {
		r = r.add(s.overdraft)
	}
	var zero N
	return maxN(zero, r)
}

// discounts runs phase 1: percentage instruments, in policy order.
func (e *engine[N]) discounts() {
	for st := range e.steps {
		for _, c := range e.candidates(st, true) {
			e.applyDiscount(c.i, st)
		}
	}
}

// payInOrder runs phase 2 under InOrder: each stored-value instrument, in
// policy order, covers its lines in bill order as far as it can.
func (e *engine[N]) payInOrder() {
	for st := range e.steps {
		draw := e.steps[st].Draw
		for _, c := range e.candidates(st, false) {
			s := &e.ins[c.i]
			room := e.room(s, draw)
			l := s.list
			for k := l.cursor; k < len(l.idx) && room.sign() > 0; k++ {
				li := l.idx[k]
				line := &e.lines[li]
				if line.remaining.sign() == 0 {
					if k == l.cursor {
						l.cursor++
					}
					continue
				}
				pay := minN(room, line.remaining)
				line.remaining = line.remaining.sub(pay)
				line.covered = line.covered.add(pay)
				room = room.sub(pay)
				if line.remaining.sign() == 0 && k == l.cursor {
					l.cursor++
				}
				e.record(c.i, li, st, pay)
			}
			e.stepStamp++
		}
	}
}
