package allocation

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// problems collects validation problems in input order.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// err returns nil or an *InvalidError listing the problems.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &InvalidError{Problems: p}
}

// label names an element for problem messages: by id, or by position when
// the id is empty. It is formatted only when there is a problem to report.
type label struct {
	what, id string
	i        int
}

func (l label) String() string {
	if l.id == "" {
		return fmt.Sprintf("%s #%d", l.what, l.i+1)
	}
	return fmt.Sprintf("%s %q", l.what, l.id)
}

// idSet detects duplicate ids: by linear search while small (no
// allocation), by map beyond that.
type idSet struct {
	small [16]string
	n     int
	big   map[string]struct{}
}

func newIDSet(size int) idSet {
	var s idSet
	if size > len(s.small) {
		s.big = make(map[string]struct{}, size)
	}
	return s
}

// add reports whether id was new.
func (s *idSet) add(id string) bool {
	if s.big != nil {
		if _, dup := s.big[id]; dup {
			return false
		}
		s.big[id] = struct{}{}
		return true
	}
	for _, x := range s.small[:s.n] {
		if x == id {
			return false
		}
	}
	s.small[s.n] = id
	s.n++
	return true
}

// effectiveRounding resolves the zero Rounding to the currency default.
func effectiveRounding(r Rounding, currency string) Rounding {
	if r.Places == 0 && r.Mode == "" {
		r.Places = minorUnits(currency)
	}
	if r.Mode == "" {
		r.Mode = HalfEven
	}
	return r
}

// defaultSteps is the single implicit step of a policy without steps.
var defaultSteps = []Step{{Name: "default", Scope: ScopeAny, Order: []OrderKey{ExpiresFirst}, Draw: DrawBalance}}

// validate checks bill, wallet and policy and returns every problem found
// together with the working scale and rounding of the call.
func validate(bill *Bill, wallet Wallet, policy *Policy) (scale int32, rounding Rounding, err error) {
	var p problems
	bl := label{"bill", bill.ID, 0}
	if !validCurrency(bill.Currency) {
		p.addf("%s: currency %q is not an ISO 4217 code (three upper-case letters)", bl, bill.Currency)
	}
	if bill.At.IsZero() {
		p.addf("%s: at is missing: validity is judged at the bill's time", bl)
	}
	rounding = effectiveRounding(policy.Rounding, bill.Currency)
	placesOK := rounding.Places >= 0 && rounding.Places <= maxScale
	scale = rounding.Places
	if !placesOK {
		scale = 0
	}
	amount := func(where label, field string, d decimal.Decimal, signed bool) {
		if !signed && d.Sign() < 0 {
			p.addf("%s: %s %s is negative", where, field, d.String())
			return
		}
		if d.IsZero() {
			return
		}
		n := decimals(d)
		if rounding.Strict && placesOK && n > rounding.Places {
			p.addf("%s: %s %s has more than the %d decimal places the policy allows", where, field, d.String(), rounding.Places)
		}
		if n > maxScale || d.Exponent() > maxScale || d.NumDigits()+int(d.Exponent()) > maxScale {
			p.addf("%s: %s %s is out of range (more than %d digits before or after the decimal point)", where, field, d.String(), maxScale)
			return
		}
		if n > scale {
			scale = n
		}
	}

	lineIDs := newIDSet(len(bill.Lines))
	for i, l := range bill.Lines {
		ll := label{"line", l.ID, i}
		if l.ID == "" {
			p.addf("%s: id is empty", ll)
		} else if !lineIDs.add(l.ID) {
			p.addf("%s: duplicate line id", ll)
		}
		amount(ll, "amount", l.Amount, false)
	}

	insIDs := newIDSet(len(wallet))
	for i := range wallet {
		in := &wallet[i]
		il := label{"instrument", in.ID, i}
		if in.ID == "" {
			p.addf("%s: id is empty", il)
		} else if !insIDs.add(in.ID) {
			p.addf("%s: duplicate instrument id", il)
		}
		if in.Kind == "" {
			p.addf("%s: kind is empty", il)
		}
		if !validCurrency(in.Currency) {
			p.addf("%s: currency %q is not an ISO 4217 code (three upper-case letters)", il, in.Currency)
		}
		if in.IsPercent() {
			pct := in.Percent.Decimal
			if pct.Sign() < 0 || pct.Cmp(decimal.New(100, 0)) > 0 {
				p.addf("%s: percent %s is outside 0–100", il, pct.String())
			} else if decimals(pct) > maxScale {
				p.addf("%s: percent %s has more than %d decimal places", il, pct.String(), maxScale)
			}
			if !in.Uncapped {
				amount(il, "balance (the discount cap)", in.Balance, false)
			}
			if !in.Overdraft.IsZero() {
				p.addf("%s: overdraft %s has no meaning for a percentage instrument", il, in.Overdraft.String())
			}
		} else {
			if in.Uncapped {
				p.addf("%s: uncapped applies only to percentage instruments", il)
			}
			amount(il, "balance", in.Balance, true)
			amount(il, "overdraft", in.Overdraft, false)
		}
		amount(il, "min_spend", in.MinSpend, false)
		if !in.ValidFrom.IsZero() && !in.ValidUntil.IsZero() && !in.ValidUntil.After(in.ValidFrom) {
			p.addf("%s: valid_until %s is not after valid_from %s", il, in.ValidUntil.Format(time.RFC3339), in.ValidFrom.Format(time.RFC3339))
		}
	}

	switch policy.Strategy {
	case "", InOrder, MaxCoverage:
	default:
		p.addf("policy: unknown strategy %q (want %q or %q)", policy.Strategy, InOrder, MaxCoverage)
	}
	if !placesOK {
		p.addf("policy: rounding places %d is outside 0–%d", rounding.Places, maxScale)
	}
	switch rounding.Mode {
	case HalfEven, HalfUp, Down:
	default:
		p.addf("policy: unknown rounding mode %q (want %q, %q or %q)", rounding.Mode, HalfEven, HalfUp, Down)
	}
	stepNames := make(map[string]bool, len(policy.Steps))
	for i, s := range policy.Steps {
		sl := label{"policy step", s.Name, i}
		if s.Name != "" {
			if stepNames[s.Name] {
				p.addf("%s: duplicate step name", sl)
			}
			stepNames[s.Name] = true
		}
		switch s.Scope {
		case "", ScopeAny, ScopeGeneral, ScopeSpecific:
		default:
			p.addf("%s: unknown scope %q (want %q, %q or %q)", sl, s.Scope, ScopeAny, ScopeGeneral, ScopeSpecific)
		}
		for _, k := range s.Order {
			switch k {
			case ExpiresFirst, LargestFirst, SmallestFirst, PriorityOrder, OldestFirst, SpecificFirst:
			default:
				p.addf("%s: unknown order key %q", sl, k)
			}
		}
		switch s.Draw {
		case "", DrawBalance, DrawAll, DrawOverdraft:
		default:
			p.addf("%s: unknown draw %q (want %q, %q or %q)", sl, s.Draw, DrawBalance, DrawAll, DrawOverdraft)
		}
	}
	for i, r := range policy.Restrictions {
		if len(r.Categories) == 0 && len(r.Products) == 0 {
			p.addf("policy restriction #%d: lists no categories or products, so it restricts nothing", i+1)
		}
	}
	if p == nil {
		// Sums of all amounts must fit, so the engine never overflows.
		var total int64
		add := func(d decimal.Decimal) {
			u, ok := toUnits(d, scale)
			if u < 0 {
				u = -u
			}
			if !ok || total > maxUnits-u {
				total = maxUnits + 1
				return
			}
			total += u
		}
		for _, l := range bill.Lines {
			add(l.Amount)
		}
		for i := range wallet {
			add(wallet[i].Balance)
			add(wallet[i].Overdraft)
			add(wallet[i].MinSpend)
		}
		if total > maxUnits {
			p.addf("%s: the amounts of the bill and wallet add up to more than the supported range (%s at %d decimal places)", bl, fromUnits(maxUnits, scale).String(), scale)
		}
	}
	return scale, rounding, p.err()
}
