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
func (e *engine) payMaxCoverage() {
	f := flow{e: e, byLine: make([][]int32, len(e.lines)), rem: make([]int64, len(e.lines))}
	for st := range e.steps {
		draw := e.steps[st].Draw
		for _, c := range e.candidates(st, false) {
			s := &e.ins[c.i]
			room := e.room(s, draw) - f.reserved(c.i)
			if room <= 0 {
				continue
			}
			f.nodes = append(f.nodes, node{ins: c.i, step: int32(st), cap: room})
		}
	}
	for li, l := range e.lines {
		f.rem[li] = l.remaining
		f.residual += l.remaining
	}
	for n := range f.nodes {
		if f.residual == 0 {
			break
		}
		f.fill(int32(n))
	}
	// Record what each node pays, in policy order, lines in bill order.
	for n := range f.nodes {
		nd := &f.nodes[n]
		slices.SortFunc(nd.flows, func(a, b edge) int { return int(a.line - b.line) })
		for _, fl := range nd.flows {
			if fl.amount == 0 {
				continue
			}
			line := &e.lines[fl.line]
			line.remaining -= fl.amount
			line.covered += fl.amount
			e.record(nd.ins, fl.line, int(nd.step), fl.amount)
		}
	}
	e.stepStamp++
}

// node is one instrument in one step.
type node struct {
	ins   int32
	step  int32
	cap   int64  // most it may pay in this step
	used  int64  // what it pays so far
	flows []edge // what it pays, by line (amounts may drop to zero)
}

type edge struct {
	line   int32
	amount int64
}

// flow is the network state of payMaxCoverage.
type flow struct {
	e        *engine
	nodes    []node
	byLine   [][]int32 // nodes that have (or had) money on each line
	rem      []int64   // what remains unpaid of each line
	residual int64     // what remains unpaid over all lines
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
func (f *flow) reserved(i int32) int64 {
	var sum int64
	for _, nd := range f.nodes {
		if nd.ins == i {
			sum += nd.cap
		}
	}
	return sum
}

// add moves amount onto line for node n (amount may be negative).
func (f *flow) add(n, line int32, amount int64) {
	nd := &f.nodes[n]
	for k := range nd.flows {
		if nd.flows[k].line == line {
			nd.flows[k].amount += amount
			return
		}
	}
	nd.flows = append(nd.flows, edge{line: line, amount: amount})
	f.byLine[line] = append(f.byLine[line], n)
}

// flowOn returns what node n pays on line.
func (f *flow) flowOn(n, line int32) int64 {
	for _, fl := range f.nodes[n].flows {
		if fl.line == line {
			return fl.amount
		}
	}
	return 0
}

// fill gives node n as much as it can carry.
func (f *flow) fill(n int32) {
	e := f.e
	nd := &f.nodes[n]
	list := e.ins[nd.ins].list
	// Direct payments first, in bill order.
	for k := list.cursor; k < len(list.idx) && nd.used < nd.cap; k++ {
		li := list.idx[k]
		rem := f.rem[li]
		if rem == 0 {
			if k == list.cursor {
				list.cursor++
			}
			continue
		}
		pay := min(rem, nd.cap-nd.used)
		f.pay(n, li, pay)
		if f.rem[li] == 0 && k == list.cursor {
			list.cursor++
		}
	}
	// Then move earlier payments aside where that frees a line for n.
	for nd.used < nd.cap && f.residual > 0 && f.augment(n) {
	}
}

// pay books amount of node n directly on line li.
func (f *flow) pay(n, li int32, amount int64) {
	f.rem[li] -= amount
	f.residual -= amount
	f.nodes[n].used += amount
	f.add(n, li, amount)
}

// augment finds a shortest path from node n to a line with money still
// owed, through lines already paid by other nodes that could pay elsewhere,
// and moves as much as the path allows. It reports whether it found one.
func (f *flow) augment(n int32) bool {
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
		if f.rem[li] > 0 {
			found = li
			break
		}
		for _, m := range f.byLine[li] {
			if f.nodeSeen[m] != stamp && f.flowOn(m, li) > 0 {
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
	delta := min(f.nodes[n].cap-f.nodes[n].used, f.rem[found])
	for li := found; ; {
		m := f.viaNode[li]
		if m == n {
			break
		}
		back := f.viaLine[m]
		delta = min(delta, f.flowOn(m, back))
		li = back
	}
	// Apply along the path.
	f.rem[found] -= delta
	f.residual -= delta
	f.nodes[n].used += delta
	for li := found; ; {
		m := f.viaNode[li]
		f.add(m, li, delta)
		if m == n {
			break
		}
		back := f.viaLine[m]
		f.add(m, back, -delta)
		li = back
	}
	return true
}
