package allocation

import "slices"

// payMaxCoverage runs phase 2 under MaxCoverage.
//
// The stored-value instruments of every step form the nodes of a flow
// network, in policy order (steps in order, each sorted by its keys; an
// instrument drawn by two steps is two nodes, the later one holding only
// the extra room its draw adds). A node may send money to the lines it is
// eligible for; a line takes at most what remains of it after discounts.
// Nodes are taken in policy order and each is given as much as it can
// carry, along augmenting paths that may move earlier nodes' money between
// their lines without reducing their totals. The feasible usage vectors of
// such a network form a polymatroid, so this greedy order yields the
// usage vector that is lexicographically greatest in policy order, and its
// total is the maximum coverage.
//
// A step's order is fixed at its start, as under InOrder: its nodes are
// added and filled once the earlier steps' are. For LargestFirst and
// SmallestFirst, the deduction an instrument could make at the start of a
// step is what it could add then, alone, on top of the earlier nodes'
// totals (moving their payments between lines as filling does); before any
// payment that is its room or what remains of its lines, whichever is less.
// Ties in line choice go to the earlier line in the bill; which
// instrument uses how much does not depend on the order of the lines.
func (e *engine) payMaxCoverage() {
	e.flow = flow{byLine: make([][]payment, len(e.lines)), rem: make([]money, len(e.lines))}
	f := &e.flow
	for li, l := range e.lines {
		f.rem[li] = l.remaining
		f.residual = e.add(f.residual, l.remaining)
	}
	reserved := make([]money, len(e.ins)) // room already given to earlier nodes
	for st := range e.steps {
		step := &e.steps[st]
		cs := e.candidates(st, false)
		if len(f.nodes) > 0 && needsDeduction(step.Order) {
			for k := range cs {
				cs[k].ded = e.couldAdd(cs[k].i, e.sub(e.room(&e.ins[cs[k].i], step.Draw), reserved[cs[k].i]))
			}
			e.sortCandidates(cs, step.Order)
		}
		first := len(f.nodes)
		for _, c := range cs {
			room := e.sub(e.room(&e.ins[c.i], step.Draw), reserved[c.i])
			if e.sign(room) <= 0 {
				continue
			}
			reserved[c.i] = e.add(reserved[c.i], room)
			f.nodes = append(f.nodes, node{ins: c.i, step: int32(st), cap: room})
		}
		for n := first; n < len(f.nodes) && e.sign(f.residual) > 0; n++ {
			e.fill(int32(n))
		}
	}
	// Record what each node pays, in policy order, lines in bill order.
	var paid []nodePayment
	for li := range f.byLine {
		for _, p := range f.byLine[li] {
			if e.sign(p.amount) > 0 {
				paid = append(paid, nodePayment{node: p.node, line: int32(li), amount: p.amount})
			}
		}
	}
	slices.SortStableFunc(paid, func(a, b nodePayment) int { return int(a.node - b.node) })
	for _, p := range paid {
		nd := &f.nodes[p.node]
		line := &e.lines[p.line]
		line.remaining = e.sub(line.remaining, p.amount)
		line.covered = e.add(line.covered, p.amount)
		e.record(nd.ins, p.line, int(nd.step), p.amount)
	}
	e.stepStamp++
}

// node is one instrument in one step.
type node struct {
	ins  int32
	step int32
	cap  money // most it may pay in this step
	used money // what it pays so far
}

// payment is what a node pays on a line (it may drop to zero).
type payment struct {
	node   int32
	amount money
}

type nodePayment struct {
	node, line int32
	amount     money
}

// flow is the network state of payMaxCoverage.
type flow struct {
	nodes    []node
	byLine   [][]payment // who pays each line
	rem      []money     // what remains unpaid of each line
	residual money       // what remains unpaid over all lines
	dead     []bool      // lines from which no unpaid line can be reached
	// BFS scratch.
	lineSeen []int32 // stamp per line
	nodeSeen []int32 // stamp per node
	viaNode  []int32 // line → node it was reached from
	viaLine  []int32 // node → line it was reached from
	stamp    int32
	queue    []int32
}

// move adds amount to what node n pays on line (or, with take, takes it
// away: a node only gives up money on a line it pays).
func (e *engine) move(n, line int32, amount money, take bool) {
	f := &e.flow
	ps := f.byLine[line]
	for k := range ps {
		if ps[k].node == n {
			if take {
				ps[k].amount = e.sub(ps[k].amount, amount)
			} else {
				ps[k].amount = e.add(ps[k].amount, amount)
			}
			return
		}
	}
	f.byLine[line] = append(ps, payment{node: n, amount: amount})
}

// flowOn returns what node n pays on line.
func (f *flow) flowOn(n, line int32) money {
	for _, p := range f.byLine[line] {
		if p.node == n {
			return p.amount
		}
	}
	return 0
}

// couldAdd returns how much instrument i could pay now, up to room, on top
// of what the nodes so far pay: a trial node filled and taken back, so the
// flow, the dead lines and the lists' cursors are left as they were.
func (e *engine) couldAdd(i int32, room money) money {
	if e.sign(room) <= 0 || e.sign(e.flow.residual) == 0 {
		return 0
	}
	// What is still unpaid on its own lines may be enough.
	var direct money
	if l := e.ins[i].list; l != nil {
		for _, li := range l.idx[l.cursor:] {
			if direct = e.add(direct, e.flow.rem[li]); e.cmp(direct, room) >= 0 {
				return room
			}
		}
	}
	saved := e.flow.clone()
	cursors := make([]int, len(e.ins))
	for k := range e.ins {
		if l := e.ins[k].list; l != nil {
			cursors[k] = l.cursor
		}
	}
	n := int32(len(e.flow.nodes))
	e.flow.nodes = append(e.flow.nodes, node{ins: i, cap: room})
	e.fill(n)
	used := e.flow.nodes[n].used
	saved.stamp = e.flow.stamp // the scratch marks of the trial stay behind
	e.flow = saved
	for k := range e.ins {
		if l := e.ins[k].list; l != nil {
			l.cursor = cursors[k]
		}
	}
	return used
}

// clone returns a copy of f that shares nothing f changes in place but the
// search scratch (marks are stamped, so they need no copy).
func (f *flow) clone() flow {
	c := *f
	c.nodes = slices.Clone(f.nodes)
	c.byLine = make([][]payment, len(f.byLine))
	for li, ps := range f.byLine {
		c.byLine[li] = slices.Clone(ps)
	}
	c.rem = slices.Clone(f.rem)
	c.dead = slices.Clone(f.dead)
	return c
}

// fill gives node n as much as it can carry.
func (e *engine) fill(n int32) {
	f := &e.flow
	nd := &f.nodes[n]
	list := e.ins[nd.ins].list
	// Direct payments first, in bill order. n pays nothing yet, so each
	// payment is a new entry.
	for k := list.cursor; k < len(list.idx) && e.cmp(nd.used, nd.cap) < 0; k++ {
		li := list.idx[k]
		rem := f.rem[li]
		if e.sign(rem) == 0 {
			if k == list.cursor {
				list.cursor++
			}
			continue
		}
		pay := e.min(rem, e.sub(nd.cap, nd.used))
		f.rem[li] = e.sub(rem, pay)
		f.residual = e.sub(f.residual, pay)
		nd.used = e.add(nd.used, pay)
		f.byLine[li] = append(f.byLine[li], payment{node: n, amount: pay})
		if e.sign(f.rem[li]) == 0 && k == list.cursor {
			list.cursor++
		}
	}
	// Then move earlier payments aside where that frees a line for n.
	for e.cmp(nd.used, nd.cap) < 0 && e.sign(f.residual) > 0 && e.augment(n) {
	}
}

// augment finds a shortest path from node n to a line with money still
// owed, through lines already paid by other nodes that could pay elsewhere,
// and moves as much as the path allows. It reports whether it found one.
// Lines from which no path reached an unpaid line are marked dead: no later
// augmentation can revive them, so no later search enters them.
func (e *engine) augment(n int32) bool {
	f := &e.flow
	if f.dead == nil {
		f.dead = make([]bool, len(e.lines))
	}
	if f.lineSeen == nil {
		f.lineSeen = make([]int32, len(e.lines))
		f.viaNode = make([]int32, len(e.lines))
	}
	if len(f.nodeSeen) < len(f.nodes) { // nodes are added step by step
		f.nodeSeen = append(f.nodeSeen, make([]int32, len(f.nodes)-len(f.nodeSeen))...)
		f.viaLine = append(f.viaLine, make([]int32, len(f.nodes)-len(f.viaLine))...)
	}
	f.stamp++
	stamp := f.stamp
	f.queue = f.queue[:0]
	found := int32(-1)
	// visit looks for an unpaid line among node from's lines (lines before
	// the list's cursor are all paid), and otherwise queues the lines it has
	// not seen for the search to go through.
	visit := func(from int32) {
		list := e.ins[f.nodes[from].ins].list
		for k := list.cursor; k < len(list.idx); k++ {
			li := list.idx[k]
			if e.sign(f.rem[li]) > 0 {
				if f.lineSeen[li] != stamp {
					f.lineSeen[li] = stamp
					f.viaNode[li] = from
				}
				found = li
				return
			}
			if k == list.cursor {
				list.cursor++
			}
		}
		for _, li := range list.idx {
			if f.lineSeen[li] != stamp && !f.dead[li] {
				f.lineSeen[li] = stamp
				f.viaNode[li] = from
				f.queue = append(f.queue, li)
			}
		}
	}
	f.nodeSeen[n] = stamp
	visit(n)
	for h := 0; h < len(f.queue) && found < 0; h++ {
		li := f.queue[h]
		for _, p := range f.byLine[li] {
			if f.nodeSeen[p.node] != stamp && e.sign(p.amount) > 0 {
				f.nodeSeen[p.node] = stamp
				f.viaLine[p.node] = li
				if visit(p.node); found >= 0 {
					break
				}
			}
		}
	}
	if found < 0 {
		for _, li := range f.queue {
			f.dead[li] = true
		}
		return false
	}
	// Bottleneck: n's room, each moved payment, and the line at the end.
	delta := e.min(e.sub(f.nodes[n].cap, f.nodes[n].used), f.rem[found])
	for li := found; ; {
		m := f.viaNode[li]
		if m == n {
			break
		}
		back := f.viaLine[m]
		delta = e.min(delta, f.flowOn(m, back))
		li = back
	}
	// Apply along the path.
	f.rem[found] = e.sub(f.rem[found], delta)
	f.residual = e.sub(f.residual, delta)
	f.nodes[n].used = e.add(f.nodes[n].used, delta)
	for li := found; ; {
		m := f.viaNode[li]
		e.move(m, li, delta, false)
		if m == n {
			break
		}
		back := f.viaLine[m]
		e.move(m, back, delta, true)
		li = back
	}
	return true
}
