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
// Order keys are evaluated once, on the bill after discounts: payments are
// chosen together, so there is no "start of the step" in between.
// Ties in line choice go to the earlier line in the bill.
func (e *engine[N]) payMaxCoverage() {
	f := flow[N]{e: e, byLine: make([][]int32, len(e.lines)), rem: make([]N, len(e.lines))}
	for st := range e.steps {
		draw := e.steps[st].Draw
		for _, c := range e.candidates(st, false) {
			s := &e.ins[c.i]
			room := e.room(s, draw).sub(f.reserved(c.i))
			if room.sign() <= 0 {
				continue
			}
			f.nodes = append(f.nodes, node[N]{ins: c.i, step: int32(st), cap: room})
		}
	}
	for li, l := range e.lines {
		f.rem[li] = l.remaining
		f.residual = f.residual.add(l.remaining)
	}
	for n := range f.nodes {
		if f.residual.sign() == 0 {
			break
		}
		f.fill(int32(n))
	}
	// Record what each node pays, in policy order, lines in bill order.
	for n := range f.nodes {
		nd := &f.nodes[n]
		slices.SortFunc(nd.flows, func(a, b edge[N]) int { return int(a.line - b.line) })
		for _, fl := range nd.flows {
			if fl.amount.sign() == 0 {
				continue
			}
			line := &e.lines[fl.line]
			line.remaining = line.remaining.sub(fl.amount)
			line.covered = line.covered.add(fl.amount)
			e.record(nd.ins, fl.line, int(nd.step), fl.amount)
		}
	}
	e.stepStamp++
}

// node is one instrument in one step.
type node[N number[N]] struct {
	ins   int32
	step  int32
	cap   N         // most it may pay in this step
	used  N         // what it pays so far
	flows []edge[N] // what it pays, by line (amounts may drop to zero)
}

type edge[N number[N]] struct {
	line   int32
	amount N
}

// flow is the network state of payMaxCoverage.
type flow[N number[N]] struct {
	e        *engine[N]
	nodes    []node[N]
	byLine   [][]int32 // nodes that have (or had) money on each line
	rem      []N       // what remains unpaid of each line
	residual N         // what remains unpaid over all lines
	dead     []bool    // lines from which no unpaid line can be reached
	// BFS scratch.
	lineSeen []int32 // stamp per line
	nodeSeen []int32 // stamp per node
	viaNode  []int32 // line → node it was reached from
	viaLine  []int32 // node → line it was reached from
	stamp    int32
	queue    []int32
}

// reserved is what earlier nodes of instrument i may already pay.
func (f *flow[N]) reserved(i int32) N {
	var sum N
	for _, nd := range f.nodes {
		if nd.ins == i {
			sum = sum.add(nd.cap)
		}
	}
	return sum
}

// move adds amount to what node n pays on line (or, with take, takes it
// away).
func (f *flow[N]) move(n, line int32, amount N, take bool) {
	nd := &f.nodes[n]
	for k := range nd.flows {
		if nd.flows[k].line == line {
			if take {
				nd.flows[k].amount = nd.flows[k].amount.sub(amount)
			} else {
				nd.flows[k].amount = nd.flows[k].amount.add(amount)
			}
			return
		}
	}
	// A node only gives up money on a line it pays, so this adds.
	nd.flows = append(nd.flows, edge[N]{line: line, amount: amount})
	f.byLine[line] = append(f.byLine[line], n)
}

// flowOn returns what node n pays on line.
func (f *flow[N]) flowOn(n, line int32) N {
	for _, fl := range f.nodes[n].flows {
		if fl.line == line {
			return fl.amount
		}
	}
	var zero N
	return zero
}

// fill gives node n as much as it can carry.
func (f *flow[N]) fill(n int32) {
	e := f.e
	nd := &f.nodes[n]
	list := e.ins[nd.ins].list
	// Direct payments first, in bill order.
	for k := list.cursor; k < len(list.idx) && nd.used.cmp(nd.cap) < 0; k++ {
		li := list.idx[k]
		rem := f.rem[li]
		if rem.sign() == 0 {
			if k == list.cursor {
				list.cursor++
			}
			continue
		}
		f.pay(n, li, minN(rem, nd.cap.sub(nd.used)))
		if f.rem[li].sign() == 0 && k == list.cursor {
			list.cursor++
		}
	}
	// Then move earlier payments aside where that frees a line for n.
	for nd.used.cmp(nd.cap) < 0 && f.residual.sign() > 0 && f.augment(n) {
	}
}

// pay books amount of node n directly on line li.
func (f *flow[N]) pay(n, li int32, amount N) {
	f.rem[li] = f.rem[li].sub(amount)
	f.residual = f.residual.sub(amount)
	f.nodes[n].used = f.nodes[n].used.add(amount)
	f.move(n, li, amount, false)
}

// augment finds a shortest path from node n to a line with money still
// owed, through lines already paid by other nodes that could pay elsewhere,
// and moves as much as the path allows. It reports whether it found one.
func (f *flow[N]) augment(n int32) bool {
	e := f.e
	if f.dead == nil {
		f.dead = make([]bool, len(e.lines))
		f.lineSeen = make([]int32, len(e.lines))
		f.viaNode = make([]int32, len(e.lines))
		f.nodeSeen = make([]int32, len(f.nodes))
		f.viaLine = make([]int32, len(f.nodes))
	}
	f.stamp++
	stamp := f.stamp
	q := f.queue[:0]
	visit := func(from int32) {
		for _, li := range e.ins[f.nodes[from].ins].list.idx {
			if f.lineSeen[li] != stamp && !f.dead[li] {
				f.lineSeen[li] = stamp
				f.viaNode[li] = from
				q = append(q, li)
			}
		}
	}
	f.nodeSeen[n] = stamp
	visit(n)
	found := int32(-1)
	for h := 0; h < len(q); h++ {
		li := q[h]
		if f.rem[li].sign() > 0 {
			found = li
			break
		}
		for _, m := range f.byLine[li] {
			if f.nodeSeen[m] != stamp && f.flowOn(m, li).sign() > 0 {
				f.nodeSeen[m] = stamp
				f.viaLine[m] = li
				visit(m)
			}
		}
	}
	f.queue = q
	if found < 0 {
		for _, li := range q {
			f.dead[li] = true
		}
		return false
	}
	// Bottleneck: n's room, each moved payment, and the line at the end.
	delta := minN(f.nodes[n].cap.sub(f.nodes[n].used), f.rem[found])
	for li := found; ; {
		m := f.viaNode[li]
		if m == n {
			break
		}
		back := f.viaLine[m]
		delta = minN(delta, f.flowOn(m, back))
		li = back
	}
	// Apply along the path.
	f.rem[found] = f.rem[found].sub(delta)
	f.residual = f.residual.sub(delta)
	f.nodes[n].used = f.nodes[n].used.add(delta)
	for li := found; ; {
		m := f.viaNode[li]
		f.move(m, li, delta, false)
		if m == n {
			break
		}
		back := f.viaLine[m]
		f.move(m, back, delta, true)
		li = back
	}
	return true
}
