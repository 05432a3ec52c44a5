package allocation

import "github.com/shopspring/decimal"

// split builds the result. A decimal is built only where the value is not
// zero and not already at hand: an amount equal to an input amount (a line
// paid in full, a balance used up) or to one already built reuses it.
// Decimals are immutable, so sharing them is safe.
func (e *engine) split() Split {
	sc := e.scale
	sp := Split{
		Bill:     e.bill.ID,
		Currency: e.bill.Currency,
		places:   sc,
	}

	// Instruments, with every reason list in one backing array.
	if len(e.ins) > 0 {
		sp.Instruments = make([]InstrumentResult, len(e.ins))
	}
	nReasons := 0
	for i := range e.ins {
		if s := &e.ins[i]; e.sign(s.used) == 0 {
			nReasons += max(1, s.reasons.count())
		}
	}
	reasons := make([]Reason, 0, nReasons)
	for i := range e.ins {
		s := &e.ins[i]
		r := &sp.Instruments[i]
		in := e.in(s)
		r.ID = in.ID
		capped := !s.percent || in.Capped
		switch {
		case e.sign(s.used) != 0:
			left := e.sub(e.balance(s), s.used)
			if capped && e.sign(left) == 0 {
				r.Used = in.Balance
			} else {
				r.Used = e.decimal(s.used, sc)
			}
			if capped {
				r.BalanceAfter = e.decimal(left, sc)
			}
		default:
			if capped {
				r.BalanceAfter = in.Balance
			}
			set := s.reasons
			if set == 0 {
				set.add(rNothingLeft)
			}
			reasons, r.Skipped = set.appendTo(reasons)
		}
	}

	// Lines.
	if len(e.lines) > 0 {
		sp.Lines = make([]LineResult, len(e.lines))
	}
	for i := range e.lines {
		l := &e.lines[i]
		in := e.bill.Lines[i].Amount
		lr := &sp.Lines[i]
		lr.ID, lr.Amount = e.bill.Lines[i].ID, in
		lr.Discounted = e.reuse(l.discounted, l.amount, in)
		lr.Covered = e.reuse(l.covered, l.amount, in)
		lr.Outstanding = e.reuse(l.remaining, l.amount, in)
	}

	// Allocations and totals.
	var discounted, paid, invoiceable money
	if len(e.allocs) > 0 {
		sp.Allocations = make([]Allocation, len(e.allocs))
	}
	for k, a := range e.allocs {
		s := &e.ins[a.ins]
		var amount decimal.Decimal
		switch {
		case e.cmp(a.amount, s.used) == 0:
			amount = sp.Instruments[a.ins].Used
		case e.cmp(a.amount, e.lines[a.line].amount) == 0:
			amount = e.bill.Lines[a.line].Amount
		default:
			amount = e.decimal(a.amount, sc)
		}
		out := &sp.Allocations[k]
		in := e.in(s)
		out.Instrument = in.ID
		out.Line = e.bill.Lines[a.line].ID
		out.Step = e.steps[a.step].Name
		out.Amount = amount
		switch {
		case s.percent:
			discounted = e.add(discounted, a.amount)
		case in.Invoiceable:
			paid = e.add(paid, a.amount)
			invoiceable = e.add(invoiceable, a.amount)
		default:
			paid = e.add(paid, a.amount)
		}
	}
	outstanding := e.sub(e.sub(e.total, discounted), paid)
	invoiceable = e.add(invoiceable, outstanding)
	sp.Total = e.decimal(e.total, sc)
	sp.Discounted = e.reuse(discounted, e.total, sp.Total)
	sp.Paid = e.reuse(paid, e.total, sp.Total)
	sp.Outstanding = e.reuse(outstanding, e.total, sp.Total)
	sp.Invoiceable = e.reuse(invoiceable, e.total, sp.Total)
	return sp
}

// reuse returns the decimal of v, which is have when v equals known.
func (e *engine) reuse(v, known money, have decimal.Decimal) decimal.Decimal {
	if e.sign(v) != 0 && e.cmp(v, known) == 0 {
		return have
	}
	return e.decimal(v, e.scale)
}
