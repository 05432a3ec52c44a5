package allocation

// split builds the result. Decimals are built only where they are not
// zero and not already at hand.
func (e *engine[N]) split() Split {
	sc := e.scale
	sp := Split{
		Bill:     e.bill.ID,
		Currency: e.bill.Currency,
		places:   sc,
	}
	var discounted, paid, invoiceable N
	if len(e.allocs) > 0 {
		sp.Allocations = make([]Allocation, len(e.allocs))
	}
	for k, a := range e.allocs {
		s := &e.ins[a.ins]
		sp.Allocations[k] = Allocation{
			Instrument: s.in.ID,
			Line:       e.bill.Lines[a.line].ID,
			Step:       e.steps[a.step].Name,
			Amount:     a.amount.decimal(sc),
		}
		switch {
		case s.percent:
			discounted = discounted.add(a.amount)
		case s.in.Invoiceable:
			paid = paid.add(a.amount)
			invoiceable = invoiceable.add(a.amount)
		default:
			paid = paid.add(a.amount)
		}
	}
	outstanding := e.total.sub(discounted).sub(paid)
	invoiceable = invoiceable.add(outstanding)
	sp.Total = e.total.decimal(sc)
	sp.Discounted = discounted.decimal(sc)
	sp.Paid = paid.decimal(sc)
	sp.Outstanding = outstanding.decimal(sc)
	sp.Invoiceable = invoiceable.decimal(sc)

	if len(e.ins) > 0 {
		sp.Instruments = make([]InstrumentResult, len(e.ins))
	}
	for i := range e.ins {
		s := &e.ins[i]
		r := InstrumentResult{ID: s.in.ID}
		switch {
		case s.used.sign() != 0:
			r.Used = s.used.decimal(sc)
			if !(s.percent && s.in.Uncapped) {
				r.BalanceAfter = s.balance.sub(s.used).decimal(sc)
			}
		default:
			if !(s.percent && s.in.Uncapped) {
				r.BalanceAfter = s.in.Balance
			}
			reasons := s.reasons
			if reasons == 0 {
				reasons.add(rNothingLeft)
			}
			r.Skipped = reasons.list()
		}
		sp.Instruments[i] = r
	}

	if len(e.lines) > 0 {
		sp.Lines = make([]LineResult, len(e.lines))
	}
	for i := range e.lines {
		l := &e.lines[i]
		sp.Lines[i] = LineResult{
			ID:          e.bill.Lines[i].ID,
			Amount:      e.bill.Lines[i].Amount,
			Discounted:  l.discounted.decimal(sc),
			Covered:     l.covered.decimal(sc),
			Outstanding: l.remaining.decimal(sc),
		}
	}
	return sp
}
