package allocation

// split builds the result. Decimals are built only where they are not
// zero and not already at hand.
func (e *engine) split() Split {
	sc := e.scale
	sp := Split{
		Bill:     e.bill.ID,
		Currency: e.bill.Currency,
		places:   sc,
	}
	var discounted, paid, invoiceable int64
	if len(e.allocs) > 0 {
		sp.Allocations = make([]Allocation, len(e.allocs))
	}
	for k, a := range e.allocs {
		s := &e.ins[a.ins]
		sp.Allocations[k] = Allocation{
			Instrument: s.in.ID,
			Line:       e.bill.Lines[a.line].ID,
			Step:       e.steps[a.step].Name,
			Amount:     fromUnits(a.amount, sc),
		}
		switch {
		case s.percent:
			discounted += a.amount
		case s.in.Invoiceable:
			paid += a.amount
			invoiceable += a.amount
		default:
			paid += a.amount
		}
	}
	outstanding := e.total - discounted - paid
	invoiceable += outstanding
	sp.Total = fromUnits(e.total, sc)
	sp.Discounted = fromUnits(discounted, sc)
	sp.Paid = fromUnits(paid, sc)
	sp.Outstanding = fromUnits(outstanding, sc)
	sp.Invoiceable = fromUnits(invoiceable, sc)

	if len(e.ins) > 0 {
		sp.Instruments = make([]InstrumentResult, len(e.ins))
	}
	for i := range e.ins {
		s := &e.ins[i]
		r := InstrumentResult{ID: s.in.ID}
		switch {
		case s.used != 0:
			r.Used = fromUnits(s.used, sc)
			if !(s.percent && s.in.Uncapped) {
				r.BalanceAfter = fromUnits(s.balance-s.used, sc)
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
			Discounted:  fromUnits(l.discounted, sc),
			Covered:     fromUnits(l.covered, sc),
			Outstanding: fromUnits(l.remaining, sc),
		}
	}
	return sp
}
