package allocation_test

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// referenceAllocate is Allocate under InOrder restated slowly and plainly
// from the documentation (DESIGN.md, the doc comments of Allocate, Policy,
// OrderKey, Draw and Reason), with decimal arithmetic throughout and no
// shortcuts: every remaining amount is summed afresh when it is needed.
// It shares no code with the engine; eligibility comes from
// allocationtest.Eligibility, itself written from the same documents.
// The input must be valid.
func referenceAllocate(bill allocation.Bill, wallet allocation.Wallet, policy allocation.Policy) allocation.Split {
	steps := slices.Clone(policy.Steps)
	for i := range steps {
		if steps[i].Name == "" { // "an unnamed step is labelled by its 1-based position"
			steps[i].Name = fmt.Sprintf("step %d", i+1)
		}
	}
	if len(steps) == 0 {
		// "a single implicit step that draws every kind, any scope,
		// ordered expires_first, down to zero balance".
		steps = []allocation.Step{{Name: "default", Order: []allocation.OrderKey{allocation.ExpiresFirst}}}
	}
	scale, places, mode := workingScale(bill, wallet, policy)
	unit := decimal.New(1, -scale)

	type instrument struct {
		in      allocation.Instrument
		lines   []int
		reasons []allocation.Reason
		used    decimal.Decimal
		applied bool
	}
	ins := make([]*instrument, len(wallet))
	for i, in := range wallet {
		lines, reasons := allocationtest.Eligibility(bill, policy, in)
		ins[i] = &instrument{in: in, lines: lines, reasons: reasons}
	}
	slices.SortFunc(ins, func(a, b *instrument) int { return cmp.Compare(a.in.ID, b.in.ID) })

	remaining := make([]decimal.Decimal, len(bill.Lines))
	discounted := make([]decimal.Decimal, len(bill.Lines))
	covered := make([]decimal.Decimal, len(bill.Lines))
	for i, l := range bill.Lines {
		remaining[i] = l.Amount
	}
	remainingOf := func(s *instrument) decimal.Decimal {
		sum := decimal.Zero
		for _, li := range s.lines {
			sum = sum.Add(remaining[li])
		}
		return sum
	}
	var allocs []allocation.Allocation
	record := func(s *instrument, li int, step string, amount decimal.Decimal) {
		s.used = s.used.Add(amount)
		allocs = append(allocs, allocation.Allocation{Instrument: s.in.ID, Line: bill.Lines[li].ID, Step: step, Amount: amount})
	}

	// discount is what percentage instrument s takes off base: base ×
	// percent / 100, rounded once, capped by what is left of its cap and by
	// base itself.
	discount := func(s *instrument, base decimal.Decimal) decimal.Decimal {
		if !base.IsPositive() {
			return decimal.Zero
		}
		exact := base.Mul(s.in.Percent.Decimal).Shift(-2) // ÷ 100, exactly
		var d decimal.Decimal
		switch mode {
		case allocation.HalfUp:
			d = exact.Round(places) // half away from zero; amounts are positive
		case allocation.Down:
			d = exact.Truncate(places)
		default:
			d = exact.RoundBank(places)
		}
		if s.in.Capped {
			d = decimal.Min(d, s.in.Balance.Sub(s.used))
		}
		return decimal.Max(decimal.Zero, decimal.Min(d, base))
	}
	// room is what stored-value instrument s may still pay under draw.
	room := func(s *instrument, draw allocation.Draw) decimal.Decimal {
		r := s.in.Balance.Sub(s.used)
		if draw == allocation.DrawAll || draw == allocation.DrawOverdraft {
			r = r.Add(s.in.Overdraft)
		}
		return decimal.Max(decimal.Zero, r)
	}
	// order sorts the candidates of a step by its keys, then by id, with
	// the deductions they could make at the start of the step.
	order := func(cands []*instrument, keys []allocation.OrderKey, deduction func(*instrument) decimal.Decimal) {
		ded := make(map[*instrument]decimal.Decimal, len(cands))
		for _, s := range cands {
			ded[s] = deduction(s)
		}
		slices.SortStableFunc(cands, func(a, b *instrument) int {
			for _, k := range keys {
				c := 0
				switch k {
				case allocation.ExpiresFirst:
					c = compareUnsetLast(a.in.ValidUntil.IsZero(), b.in.ValidUntil.IsZero(), a.in.ValidUntil.Compare(b.in.ValidUntil))
				case allocation.OldestFirst:
					c = compareUnsetLast(a.in.IssuedAt.IsZero(), b.in.IssuedAt.IsZero(), a.in.IssuedAt.Compare(b.in.IssuedAt))
				case allocation.LargestFirst:
					c = ded[b].Cmp(ded[a])
				case allocation.SmallestFirst:
					c = ded[a].Cmp(ded[b])
				case allocation.PriorityOrder:
					c = cmp.Compare(a.in.Priority, b.in.Priority)
				case allocation.SpecificFirst:
					sa, sb := specific(a.in.Scope), specific(b.in.Scope)
					switch {
					case sa && !sb:
						c = -1
					case sb && !sa:
						c = 1
					}
				}
				if c != 0 {
					return c
				}
			}
			return cmp.Compare(a.in.ID, b.in.ID)
		})
	}
	// candidates returns the usable instruments of the given phase that
	// step takes.
	candidates := func(step allocation.Step, percent bool) []*instrument {
		var cs []*instrument
		for _, s := range ins {
			if len(s.reasons) == 0 && s.in.IsPercent() == percent && !(percent && s.applied) && allocationtest.Takes(step, s.in) {
				cs = append(cs, s)
			}
		}
		return cs
	}

	// Phase 1: percentage instruments.
	for _, step := range steps {
		cands := candidates(step, true)
		order(cands, step.Order, func(s *instrument) decimal.Decimal { return discount(s, remainingOf(s)) })
		for _, s := range cands {
			s.applied = true
			base := remainingOf(s)
			d := discount(s, base)
			if !d.IsPositive() {
				continue
			}
			// Spread d over the lines in proportion to what remains of
			// each, in units of the rounding (cents, whole yen): each line
			// gets the whole units of its share, then the units still
			// missing go to the largest remainders (the smaller line id
			// first among equal ones), each only where it fits in what
			// remains of the line. What is not a whole unit of the
			// rounding, or did not fit, is spread the same way in units of
			// the working scale, over what remains of each line after the
			// first spread.
			type share struct {
				li     int
				amount decimal.Decimal
				r      decimal.Decimal
			}
			var shares []*share
			for _, li := range s.lines {
				if remaining[li].IsPositive() {
					shares = append(shares, &share{li: li})
				}
			}
			spread := func(n, total, unit decimal.Decimal, room func(*share) decimal.Decimal) decimal.Decimal {
				left := n
				for _, sh := range shares {
					q, r := n.Mul(room(sh)).QuoRem(total, 0)
					sh.r = r
					sh.amount = sh.amount.Add(q.Mul(unit))
					left = left.Sub(q)
				}
				byRemainder := slices.Clone(shares)
				slices.SortStableFunc(byRemainder, func(a, b *share) int {
					if c := b.r.Cmp(a.r); c != 0 {
						return c
					}
					return cmp.Compare(bill.Lines[a.li].ID, bill.Lines[b.li].ID)
				})
				for _, sh := range byRemainder {
					if left.IsPositive() && sh.r.IsPositive() && sh.amount.Add(unit).LessThanOrEqual(remaining[sh.li]) {
						sh.amount = sh.amount.Add(unit)
						left = left.Sub(decimal.NewFromInt(1))
					}
				}
				return left.Mul(unit)
			}
			roundingUnit := decimal.New(1, -places)
			units := d.Shift(places).Floor() // d ÷ roundingUnit, whole

			rest := spread(units, base, roundingUnit, func(sh *share) decimal.Decimal { return remaining[sh.li] })
			rest = rest.Add(d.Sub(units.Mul(roundingUnit)))
			if rest.IsPositive() {
				spread(rest.Shift(scale), base.Sub(d).Add(rest), unit, func(sh *share) decimal.Decimal { return remaining[sh.li].Sub(sh.amount) })
			}
			for _, sh := range shares {
				if sh.amount.IsPositive() {
					remaining[sh.li] = remaining[sh.li].Sub(sh.amount)
					discounted[sh.li] = discounted[sh.li].Add(sh.amount)
					record(s, sh.li, step.Name, sh.amount)
				}
			}
		}
	}

	// Phase 2: stored-value instruments, each covering its lines in bill
	// order as far as the step's draw lets it.
	for _, step := range steps {
		cands := candidates(step, false)
		order(cands, step.Order, func(s *instrument) decimal.Decimal {
			return decimal.Min(remainingOf(s), room(s, step.Draw))
		})
		for _, s := range cands {
			for _, li := range s.lines {
				pay := decimal.Min(room(s, step.Draw), remaining[li])
				if pay.IsPositive() {
					remaining[li] = remaining[li].Sub(pay)
					covered[li] = covered[li].Add(pay)
					record(s, li, step.Name, pay)
				}
			}
		}
	}

	sp := allocation.Split{Bill: bill.ID, Currency: bill.Currency, Allocations: allocs}
	for i, l := range bill.Lines {
		sp.Total = sp.Total.Add(l.Amount)
		sp.Discounted = sp.Discounted.Add(discounted[i])
		sp.Paid = sp.Paid.Add(covered[i])
		sp.Outstanding = sp.Outstanding.Add(remaining[i])
		sp.Lines = append(sp.Lines, allocation.LineResult{ID: l.ID, Amount: l.Amount, Discounted: discounted[i], Covered: covered[i], Outstanding: remaining[i]})
	}
	sp.Invoiceable = sp.Outstanding
	for _, s := range ins {
		if !s.in.IsPercent() && s.in.Invoiceable {
			sp.Invoiceable = sp.Invoiceable.Add(s.used)
		}
		r := allocation.InstrumentResult{ID: s.in.ID, Used: s.used, BalanceAfter: s.in.Balance.Sub(s.used)}
		if s.in.IsPercent() && !s.in.Capped {
			r.BalanceAfter = decimal.Zero
		}
		if !s.used.IsPositive() {
			r.Skipped = s.reasons
			if len(r.Skipped) == 0 {
				r.Skipped = []allocation.Reason{allocation.ReasonNothingLeft}
			}
		}
		sp.Instruments = append(sp.Instruments, r)
	}
	return sp
}

// workingScale returns the working scale of a call, and the places and
// mode its policy rounds to: "a rounding that does not say how many places
// rounds to the bill currency's minor units [...] In Go that is Places 0,
// the zero value, whatever the Mode", "CurrencyPlaces is another name for
// Places 0", "set Places to WholeUnits" for whole units, "Mode (HalfEven
// when empty)", and "the working scale is the policy's rounding places, or
// more if an input amount is written with more decimals".
func workingScale(bill allocation.Bill, wallet allocation.Wallet, policy allocation.Policy) (scale, places int32, mode allocation.RoundingMode) {
	places, mode = policy.Rounding.Places, policy.Rounding.Mode
	if places == 0 || places == allocation.CurrencyPlaces {
		places = allocation.MinorUnits(bill.Currency)
	}
	if places == allocation.WholeUnits {
		places = 0
	}
	if mode == "" {
		mode = allocation.HalfEven
	}
	scale = places
	widen := func(d decimal.Decimal) {
		if -d.Exponent() > scale {
			scale = -d.Exponent()
		}
	}
	for _, l := range bill.Lines {
		widen(l.Amount)
	}
	for _, in := range wallet {
		if !in.IsPercent() || in.Capped {
			widen(in.Balance)
		}
		widen(in.Overdraft)
		widen(in.MinSpend)
	}
	return scale, places, mode
}

// compareUnsetLast orders set values by c and unset (zero) ones last.
func compareUnsetLast(aUnset, bUnset bool, c int) int {
	switch {
	case aUnset && bUnset:
		return 0
	case aUnset:
		return 1
	case bUnset:
		return -1
	}
	return c
}

// specific reports whether a scope lists products or categories to include.
func specific(sc allocation.Scope) bool { return len(sc.Products) > 0 || len(sc.Categories) > 0 }
