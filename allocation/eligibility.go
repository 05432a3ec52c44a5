package allocation

import (
	"slices"
)

// lineList is an ascending list of line indices an instrument may pay,
// shared by instruments with the same eligibility.
type lineList struct {
	idx []int32
	// sum is the total of the lines' original amounts (for min_spend).
	sum money
	// cursor: every line before it is fully settled. Remaining amounts only
	// ever decrease, so a cursor never needs to move back.
	cursor int
	// remStep and remSum cache the remaining total at the start of a step.
	remStep int
	remSum  money
}

// insState is the engine's view of one wallet instrument.
type insState struct {
	list     *lineList // eligible lines; nil if none
	used     money
	w        int32 // index in the wallet
	kind     int32 // index in engine.kinds
	reasons  reasonSet
	specific bool
	percent  bool
	applied  bool // a percentage instrument's discount has been applied
}

// in returns the instrument of s.
func (e *engine) in(s *insState) *Instrument { return &e.wallet[s.w] }

// balance returns the stored value of s (or the cap of a capped
// percentage instrument; 0 for an uncapped one).
func (e *engine) balance(s *insState) money {
	return e.amounts[instrumentSlot(len(e.lines), int(s.w))+slotBalance]
}

// overdraft returns how far below zero s may go.
func (e *engine) overdraft(s *insState) money {
	return e.amounts[instrumentSlot(len(e.lines), int(s.w))+slotOverdraft]
}

// minSpend returns the min_spend of s.
func (e *engine) minSpend(s *insState) money {
	return e.amounts[instrumentSlot(len(e.lines), int(s.w))+slotMinSpend]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// takesScope reports whether step s draws an instrument of one of its
// kinds whose scope is specific or not.
func takesScope(s *Step, specific bool) bool {
	switch s.Scope {
	case ScopeGeneral:
		return !specific
	case ScopeSpecific:
		return specific
	}
	return true
}

// kindInfo caches, per instrument kind, which lines restrictions reserve for
// other kinds, the shared line list of its general instruments, and which
// steps draw its general (scope 0) and specific (scope 1) instruments.
type kindInfo struct {
	name     string
	blocked  []bool // nil if no line is reserved
	list     *lineList
	listDone bool
	drawn    []bool  // [scope×steps + step]: the step draws the instrument
	inPolicy [2]bool // per scope: some step draws it
	overdraw [2]bool // per scope: some step drawing it draws all or overdraft
}

// kindIndexOf returns the index in e.kinds of kind's cache entry, working
// it out on first use.
func (e *engine) kindIndexOf(kind string) int32 {
	if e.kindIndex != nil {
		if j, ok := e.kindIndex[kind]; ok {
			return j
		}
	} else {
		for j := range e.kinds {
			if e.kinds[j].name == kind {
				return int32(j)
			}
		}
	}
	var b []bool
	for ri := range e.policy.Restrictions {
		r := &e.policy.Restrictions[ri]
		if contains(r.AllowKinds, kind) {
			continue
		}
		for li := range e.bill.Lines {
			l := &e.bill.Lines[li]
			if contains(r.Categories, l.Category) || contains(r.Products, l.Product) {
				if b == nil {
					b = make([]bool, len(e.bill.Lines))
				}
				b[li] = true
			}
		}
	}
	k := kindInfo{name: kind, blocked: b}
	n := len(e.steps)
	if len(e.drawnArena)+2*n > cap(e.drawnArena) {
		e.drawnArena = make([]bool, 0, max(16*n, 64))
	}
	at := len(e.drawnArena)
	e.drawnArena = e.drawnArena[:at+2*n]
	k.drawn = e.drawnArena[at : at+2*n : at+2*n]
	for si := range e.steps {
		st := &e.steps[si]
		if len(st.Kinds) > 0 && !contains(st.Kinds, kind) {
			continue
		}
		for sp, specific := range [2]bool{false, true} {
			if takesScope(st, specific) {
				k.drawn[sp*n+si] = true // see drawnBy
				k.inPolicy[sp] = true
				k.overdraw[sp] = k.overdraw[sp] || st.Draw == DrawAll || st.Draw == DrawOverdraft
			}
		}
	}
	// The first kinds are searched in order; beyond that, through a map.
	if e.kinds == nil {
		e.kinds = make([]kindInfo, 0, kindsHint(e.wallet))
	}
	e.kinds = append(e.kinds, k)
	j := int32(len(e.kinds) - 1)
	if len(e.kinds) > 8 {
		if e.kindIndex == nil {
			e.kindIndex = make(map[string]int32)
			for i := range e.kinds {
				e.kindIndex[e.kinds[i].name] = int32(i)
			}
		}
		e.kindIndex[kind] = j
	}
	return j
}

// kindsHint returns the room to make for the kinds of wallet: the number
// of its kinds if it is small (so the list never grows), else 4.
func kindsHint(wallet Wallet) int {
	if len(wallet) > 8 {
		return 4
	}
	n := 0
	for i := range wallet {
		if !slices.ContainsFunc(wallet[:i], func(in Instrument) bool { return in.Kind == wallet[i].Kind }) {
			n++
		}
	}
	return max(n, 1)
}

// drawnBy reports whether step si draws the kind's specific instruments
// (or, if !specific, its general ones).
func (k *kindInfo) drawnBy(specific bool, si int) bool {
	return k.drawn[scopeIndex(specific)*len(k.drawn)/2+si]
}

// scopeIndex is the index of kindInfo's per-scope fields.
func scopeIndex(specific bool) int {
	if specific {
		return 1
	}
	return 0
}

// newList returns an empty line list, from the engine's slab while it has
// room (the slab is never grown, so lists never move).
func (e *engine) newList() *lineList {
	if len(e.listSlab) == cap(e.listSlab) {
		return &lineList{remStep: -1}
	}
	e.listSlab = append(e.listSlab, lineList{remStep: -1})
	return &e.listSlab[len(e.listSlab)-1]
}

// kindList returns the shared list of lines a general instrument of kind
// without exclusions may pay.
func (e *engine) kindList(kind int32) *lineList {
	k := &e.kinds[kind]
	if k.listDone {
		return k.list
	}
	blocked := k.blocked
	l := e.newList()
	if blocked == nil {
		l.idx = e.allLines
		l.sum = e.total
	} else {
		for li := range e.bill.Lines {
			if !blocked[li] {
				l.idx = append(l.idx, int32(li))
				l.sum = e.add(l.sum, e.lines[li].amount)
			}
		}
	}
	if len(l.idx) == 0 {
		l = nil
	}
	k.list, k.listDone = l, true
	return l
}

// indexLines builds the product and category indexes of the bill's lines.
func (e *engine) indexLines() {
	if e.byProduct != nil {
		return
	}
	e.byProduct = make(map[string][]int32)
	e.byCategory = make(map[string][]int32)
	for i := range e.bill.Lines {
		l := &e.bill.Lines[i]
		e.byProduct[l.Product] = append(e.byProduct[l.Product], int32(i))
		e.byCategory[l.Category] = append(e.byCategory[l.Category], int32(i))
	}
}

// eligibility works out which lines instrument s may pay and the reasons
// that make it unusable before any money moves.
func (e *engine) eligibility(s *insState) {
	in := e.in(s)
	bill := &e.bill
	if in.Status != "" && in.Status != "active" {
		s.reasons.add(rInactive)
	}
	if !in.ValidUntil.IsZero() && !bill.At.Before(in.ValidUntil) {
		s.reasons.add(rExpired)
	}
	if !in.ValidFrom.IsZero() && bill.At.Before(in.ValidFrom) {
		s.reasons.add(rNotYetValid)
	}
	if in.Currency != bill.Currency {
		s.reasons.add(rCurrencyMismatch)
	}
	if contains(bill.ExcludeInstruments, in.ID) || contains(bill.ExcludeKinds, in.Kind) {
		s.reasons.add(rExcludedByBill)
	}
	if (len(in.Scope.Modes) > 0 && !contains(in.Scope.Modes, bill.Mode)) || contains(in.Scope.ExcludeModes, bill.Mode) {
		s.reasons.add(rModeExcluded)
	}
	s.kind = e.kindIndexOf(in.Kind)
	k := &e.kinds[s.kind]
	sp := scopeIndex(s.specific)
	if !k.inPolicy[sp] {
		s.reasons.add(rNotInPolicy)
	}
	mayOverdraw := k.overdraw[sp]

	// Lines in scope, then those no restriction reserves for other kinds.
	sc := &in.Scope
	if !s.specific && len(sc.ExcludeProducts) == 0 && len(sc.ExcludeCategories) == 0 {
		if len(e.lines) == 0 {
			s.reasons.add(rOutOfScope)
		} else if s.list = e.kindList(s.kind); s.list == nil {
			s.reasons.add(rRestrictedCategory)
		}
	} else {
		l, inScope := e.scopeList(s.kind, sc, s.specific)
		switch {
		case !inScope:
			s.reasons.add(rOutOfScope)
		case l == nil:
			s.reasons.add(rRestrictedCategory)
		default:
			s.list = l
		}
	}

	var eligibleSum money
	if s.list != nil {
		eligibleSum = s.list.sum
	}
	if minSpend := e.minSpend(s); e.sign(minSpend) > 0 && e.cmp(eligibleSum, minSpend) < 0 {
		s.reasons.add(rBelowMinSpend)
	}
	if s.percent {
		if in.Percent.Decimal.Sign() <= 0 || (in.Capped && e.sign(e.balance(s)) <= 0) {
			s.reasons.add(rNoBalance)
		}
	} else {
		room := e.balance(s)
		if mayOverdraw {
			room = e.add(room, e.overdraft(s))
		}
		if e.sign(room) <= 0 {
			s.reasons.add(rNoBalance)
		}
	}
}

// productKey identifies the lines an instrument of a kind scoped to one
// product may pay.
type productKey struct {
	kind    int32
	product string
}

// sharedList is a line list shared by the instruments of one productKey.
type sharedList struct {
	list    *lineList
	inScope bool
}

// scopeList returns the list of lines an instrument of kind (an index in
// e.kinds) with scope sc may pay, nil if none, and whether any line is in
// its scope at all (before restrictions). On bills over smallBill lines,
// instruments of one kind scoped to the same single product share a list.
func (e *engine) scopeList(kind int32, sc *Scope, specific bool) (*lineList, bool) {
	shared := len(e.lines) > smallBill && len(sc.Products) == 1 && len(sc.Categories) == 0 &&
		len(sc.ExcludeProducts) == 0 && len(sc.ExcludeCategories) == 0
	var key productKey
	if shared {
		key = productKey{kind, sc.Products[0]}
		if r, ok := e.productLists[key]; ok {
			return r.list, r.inScope
		}
	}
	blocked := e.kinds[kind].blocked
	l := e.newList()
	inScope := false
	start := len(e.arena)
	// keep adds line li if no exclusion or restriction takes it away.
	keep := func(li int32) {
		line := &e.bill.Lines[li]
		if contains(sc.ExcludeProducts, line.Product) || contains(sc.ExcludeCategories, line.Category) {
			return
		}
		inScope = true
		if blocked != nil && blocked[li] {
			return
		}
		e.arena = append(e.arena, li)
		l.sum = e.add(l.sum, e.lines[li].amount)
	}
	switch {
	case specific && len(e.lines) <= smallBill:
		for li := range e.bill.Lines {
			line := &e.bill.Lines[li]
			if contains(sc.Products, line.Product) || contains(sc.Categories, line.Category) {
				keep(int32(li))
			}
		}
	case specific:
		e.indexLines()
		cand := e.scratch[:0]
		for _, p := range sc.Products {
			cand = append(cand, e.byProduct[p]...)
		}
		for _, c := range sc.Categories {
			cand = append(cand, e.byCategory[c]...)
		}
		slices.Sort(cand)
		cand = slices.Compact(cand)
		e.scratch = cand
		for _, li := range cand {
			keep(li)
		}
	default:
		for _, li := range e.allLines {
			keep(li)
		}
	}
	l.idx = e.arena[start:len(e.arena):len(e.arena)]
	if len(l.idx) == 0 {
		l = nil
	}
	if shared {
		if e.productLists == nil {
			e.productLists = make(map[productKey]sharedList)
		}
		e.productLists[key] = sharedList{l, inScope}
	}
	return l, inScope
}
