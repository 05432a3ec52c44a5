package allocation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// duplicateIDs marks the indices whose id already appears at a smaller
// index (nil when there are none). Few ids are compared pairwise, without
// allocating.
func duplicateIDs(n int, id func(int) string) []bool {
	if n > 16 {
		_, dups := sortedByID(n, id)
		return dups
	}
	var dups []bool
	for i := 1; i < n; i++ {
		for j := 0; j < i; j++ {
			if id(i) == id(j) {
				dups = markDuplicate(dups, n, i)
				break
			}
		}
	}
	return dups
}

// sortedByID returns the indices 0..n-1 ordered by id, then index (nil
// when that is 0..n-1 itself, as for a wallet the host keeps sorted), and
// marks the indices whose id already appears at a smaller index (nil when
// there are none, the usual case).
func sortedByID(n int, id func(int) string) (order []int32, dups []bool) {
	// One comparison per neighbour tells whether the ids are sorted and,
	// if they are, which repeat.
	k := 1
	for ; k < n; k++ {
		c := strings.Compare(id(k-1), id(k))
		if c > 0 {
			break
		}
		if c == 0 {
			dups = markDuplicate(dups, n, k)
		}
	}
	if k >= n { // n may be 0
		return nil, dups
	}
	order = make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := strings.Compare(id(int(a)), id(int(b))); c != 0 {
			return c
		}
		return int(a - b)
	})
	// Duplicates marked so far are marked again here: equal ids sort by
	// index.
	for k := 1; k < n; k++ {
		if id(int(order[k])) == id(int(order[k-1])) {
			dups = markDuplicate(dups, n, int(order[k]))
		}
	}
	return order, dups
}

// markDuplicate marks index i of n in dups, making dups on first use.
func markDuplicate(dups []bool, n, i int) []bool {
	if dups == nil {
		dups = make([]bool, n)
	}
	dups[i] = true
	return dups
}

// effectiveRounding resolves Places 0 and CurrencyPlaces to the
// currency's minor units, WholeUnits to 0, and an empty mode to HalfEven.
func effectiveRounding(r Rounding, currency string) Rounding {
	switch r.Places {
	case 0, CurrencyPlaces:
		r.Places = MinorUnits(currency)
	case WholeUnits:
		r.Places = 0
	}
	if r.Mode == "" {
		r.Mode = HalfEven
	}
	return r
}

// stepLabel is the label of step i in allocations: its name, or its
// 1-based position for an unnamed step.
func stepLabel(steps []Step, i int) string {
	if steps[i].Name != "" {
		return steps[i].Name
	}
	return "step " + strconv.Itoa(i+1)
}

// labelledSteps returns steps with every unnamed step given its label
// (steps itself when all are named).
func labelledSteps(steps []Step) []Step {
	for i := range steps {
		if steps[i].Name == "" {
			out := slices.Clone(steps)
			for j := range out {
				out[j].Name = stepLabel(steps, j)
			}
			return out
		}
	}
	return steps
}

// defaultSteps is the single implicit step of a policy without steps.
var defaultSteps = []Step{{Name: "default", Scope: ScopeAny, Order: []OrderKey{ExpiresFirst}, Draw: DrawBalance}}

// validated is what validation learns about a valid call.
type validated struct {
	order    []int32  // instrument indices by id; nil: the wallet's own order
	units    []money  // every amount in units on the int64 path; nil on the exact path
	scale    int32    // working scale: decimals of every amount
	rounding Rounding // with the currency default applied
}

// written formats d with the decimals it was written with (10.000 stays
// 10.000), whatever decimal's package settings.
func written(d decimal.Decimal) string { return d.StringFixed(int32(decimals(d))) }

// show formats d for a problem message, in scientific notation when it
// would be long.
func show(d decimal.Decimal) string {
	if integerDigits(d) > 40 || decimals(d) > 40 {
		return d.ScientificNotationString()
	}
	return d.String()
}

// validate checks bill, wallet and policy and returns every problem found,
// or what the engine needs to know about the call.
func validate(bill *Bill, wallet Wallet, policy *Policy) (validated, error) {
	var p problems
	lim := policy.Limits.effective()
	bl := label{"bill", bill.ID, 0}
	if len(bill.Lines) > lim.MaxLines {
		p.addf("%s: %d lines is more than the limit of %d", bl, len(bill.Lines), lim.MaxLines)
	}
	if len(wallet) > lim.MaxInstruments {
		p.addf("wallet: %d instruments is more than the limit of %d", len(wallet), lim.MaxInstruments)
	}
	if p != nil {
		return validated{}, p.err() // too big to look further
	}
	id := func(where label, field, v string) {
		if len(v) > lim.MaxIDLength {
			p.addf("%s: %s is %d bytes long, more than the limit of %d", where, field, len(v), lim.MaxIDLength)
		}
	}
	id(bl, "id", bill.ID)
	if !ValidCurrency(bill.Currency) {
		p.addf("%s: currency %q is not an ISO 4217 code (three upper-case letters)", bl, bill.Currency)
	}
	if bill.At.IsZero() {
		p.addf("%s: at is missing: validity is judged at the bill's time", bl)
	}
	v := validated{rounding: effectiveRounding(policy.Rounding, bill.Currency)}
	if placesOK(v.rounding.Places, lim) {
		v.scale = v.rounding.Places
	}
	minor := MinorUnits(bill.Currency)
	// units gets, per amount slot (see slots.go), the amount in units of
	// the policy's places while every amount fits the int64 path there
	// (see fastMax). An amount written with more decimals makes the
	// working scale larger: then toUnits converts them all again.
	base, rescale := v.scale, false
	var total int64 // of the magnitudes in units
	units := make([]money, slots(len(bill.Lines), len(wallet)))
	if base > fastScale {
		units = nil
	}
	amount := func(where label, field string, d decimal.Decimal, signed bool, slot int) {
		if d.IsZero() {
			return
		}
		n := decimals(d)
		nd := d.NumDigits()
		if int(n) > lim.MaxDecimalPlaces || int64(nd)+int64(d.Exponent()) > int64(lim.MaxIntegerDigits) {
			p.addf("%s: %s %s is out of range (more than %d digits before or %d after the decimal point)",
				where, field, show(d), lim.MaxIntegerDigits, lim.MaxDecimalPlaces)
			return
		}
		if !signed && d.Sign() < 0 {
			p.addf("%s: %s %s is negative", where, field, d.String())
		}
		if v.rounding.Strict && n > int64(minor) && !d.Round(minor).Equal(d) {
			p.addf("%s: %s %s has more decimals than %s allows (%d)", where, field, written(d), bill.Currency, minor)
		}
		v.scale = max(v.scale, int32(n)) // n ≤ MaxDecimalPlaces
		switch {
		case nd > 18:
			units = nil // this call works in math/big
		case units == nil:
		case int32(n) > base:
			rescale = true
		default:
			u, ok := scaledUnits(d.CoefficientInt64(), d.Exponent(), base)
			total += max(u, -u) // ≤ 2 fastMax: no overflow
			if !ok || total > fastMax {
				units = nil // nor at a larger scale
			} else {
				units[slot] = money(u)
			}
		}
	}

	lineDups := duplicateIDs(len(bill.Lines), func(i int) string { return bill.Lines[i].ID })
	for i := range bill.Lines {
		l := &bill.Lines[i]
		ll := label{"line", l.ID, i}
		if l.ID == "" {
			p.addf("%s: id is empty", ll)
		} else if lineDups != nil && lineDups[i] {
			p.addf("%s: duplicate line id", ll)
		}
		id(ll, "id", l.ID)
		amount(ll, "amount", l.Amount, false, i)
	}

	var insDups []bool
	v.order, insDups = sortedByID(len(wallet), func(i int) string { return wallet[i].ID })
	for i := range wallet {
		in := &wallet[i]
		il := label{"instrument", in.ID, i}
		slot := instrumentSlot(len(bill.Lines), i)
		if in.ID == "" {
			p.addf("%s: id is empty", il)
		} else if insDups != nil && insDups[i] {
			p.addf("%s: duplicate instrument id", il)
		}
		id(il, "id", in.ID)
		if in.Kind == "" {
			p.addf("%s: kind is empty", il)
		}
		if !ValidCurrency(in.Currency) {
			p.addf("%s: currency %q is not an ISO 4217 code (three upper-case letters)", il, in.Currency)
		}
		if in.Percent.Valid {
			pct := in.Percent.Decimal
			// Sizes first: comparing a huge exponent would expand it.
			switch {
			case decimals(pct) > int64(lim.MaxDecimalPlaces):
				p.addf("%s: percent %s has more than %d decimal places", il, show(pct), lim.MaxDecimalPlaces)
			case integerDigits(pct) > 3 || pct.Sign() < 0 || pct.Cmp(decimal.New(100, 0)) > 0:
				p.addf("%s: percent %s is outside 0–100", il, show(pct))
			}
			if in.Capped {
				amount(il, "balance (the discount cap)", in.Balance, false, slot+slotBalance)
			} else if !in.Balance.IsZero() {
				p.addf("%s: balance %s of a percentage instrument is a cap only if Capped is set: set Capped to cap the discount at it, or leave the balance 0 for no cap", il, show(in.Balance))
			}
			if !in.Overdraft.IsZero() {
				p.addf("%s: overdraft %s has no meaning for a percentage instrument", il, show(in.Overdraft))
			}
		} else {
			if in.Capped {
				p.addf("%s: capped applies only to percentage instruments (set percent, or leave Capped false)", il)
			}
			amount(il, "balance", in.Balance, true, slot+slotBalance)
			amount(il, "overdraft", in.Overdraft, false, slot+slotOverdraft)
		}
		amount(il, "min_spend", in.MinSpend, false, slot+slotMinSpend)
		if !in.ValidFrom.IsZero() && !in.ValidUntil.IsZero() && !in.ValidUntil.After(in.ValidFrom) {
			p.addf("%s: valid_until %s is not after valid_from %s", il, in.ValidUntil.Format(time.RFC3339), in.ValidFrom.Format(time.RFC3339))
		}
	}

	checkPolicy(&p, policy, lim, v.rounding.Places)
	if err := p.err(); err != nil {
		return validated{}, err
	}
	if units != nil && (!rescale || toUnits(units, bill, wallet, v.scale)) {
		v.units = units
	}
	return v, nil
}

// toUnits converts every amount of a valid call whose coefficients all
// fit an int64 into units of 10^-scale, in units (by slot: see slots.go).
// It reports false if an amount, or the sum of their magnitudes, does not
// fit the int64 path (see fastMax).
func toUnits(units []money, bill *Bill, wallet Wallet, scale int32) bool {
	if scale > fastScale {
		return false // the int64 path never works beyond fastScale, even with every amount 0
	}
	var total int64
	return eachAmount(bill, wallet, func(slot int, d decimal.Decimal) bool {
		if d.IsZero() {
			return true
		}
		u, ok := scaledUnits(d.CoefficientInt64(), d.Exponent(), scale)
		units[slot] = money(u)
		total += max(u, -u)
		return ok && total <= fastMax
	})
}

// placesOK reports whether a call may round to places (resolved: see
// effectiveRounding) under lim.
func placesOK(places int32, lim Limits) bool {
	return places >= 0 && int(places) <= lim.MaxDecimalPlaces
}

// checkPolicy adds the problems of policy, whatever the bill and wallet,
// to p: the checks [Allocate] and [Policy.Validate] make. places is the
// policy's rounding places resolved for the bill's currency (see
// effectiveRounding).
func checkPolicy(p *problems, policy *Policy, lim Limits, places int32) {
	switch policy.Strategy {
	case "", InOrder, MaxCoverage:
	default:
		p.addf("policy: unknown strategy %q (want %q or %q)", policy.Strategy, InOrder, MaxCoverage)
	}
	if !placesOK(places, lim) {
		p.addf("policy: rounding places %d is outside 0–%d", places, lim.MaxDecimalPlaces)
	}
	switch policy.Rounding.Mode {
	case "", HalfEven, HalfUp, Down:
	default:
		p.addf("policy: unknown rounding mode %q (want %q, %q or %q)", policy.Rounding.Mode, HalfEven, HalfUp, Down)
	}
	stepDups := duplicateIDs(len(policy.Steps), func(i int) string { return stepLabel(policy.Steps, i) })
	for i := range policy.Steps {
		s := &policy.Steps[i]
		sl := label{"policy step", s.Name, i}
		if stepDups != nil && stepDups[i] {
			p.addf("%s: duplicate step name", sl)
		}
		if len(s.Name) > lim.MaxIDLength {
			p.addf("%s: name is %d bytes long, more than the limit of %d", sl, len(s.Name), lim.MaxIDLength)
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
	for i := range policy.Restrictions {
		r := &policy.Restrictions[i]
		if len(r.Categories) == 0 && len(r.Products) == 0 {
			p.addf("policy restriction #%d: lists no categories or products, so it restricts nothing", i+1)
		}
	}
}
