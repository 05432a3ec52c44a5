package allocationtest

import (
	"fmt"
	"slices"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// defaultStep is the implicit step of a policy without steps, as the
// documentation of [allocation.Policy] describes it. Its name, "default",
// is what Allocate writes in Allocation.Step.
var defaultStep = allocation.Step{Name: "default", Scope: allocation.ScopeAny, Order: []allocation.OrderKey{allocation.ExpiresFirst}, Draw: allocation.DrawBalance}

// steps returns the steps policy runs.
func steps(policy allocation.Policy) []allocation.Step {
	if len(policy.Steps) == 0 {
		return []allocation.Step{defaultStep}
	}
	// An unnamed step is labelled by its 1-based position.
	out := slices.Clone(policy.Steps)
	for i := range out {
		if out[i].Name == "" {
			out[i].Name = fmt.Sprintf("step %d", i+1)
		}
	}
	return out
}

// Takes reports whether policy step s draws instrument in: its kind is
// among the step's kinds (or the step lists none) and its scope matches
// the step's scope (an instrument is specific when its scope lists
// products or categories to include).
func Takes(s allocation.Step, in allocation.Instrument) bool {
	if len(s.Kinds) > 0 && !slices.Contains(s.Kinds, in.Kind) {
		return false
	}
	specific := len(in.Scope.Products) > 0 || len(in.Scope.Categories) > 0
	switch s.Scope {
	case allocation.ScopeGeneral:
		return !specific
	case allocation.ScopeSpecific:
		return specific
	}
	return true
}

// overdraws reports whether step s may take a balance below zero.
func overdraws(s allocation.Step) bool {
	return s.Draw == allocation.DrawAll || s.Draw == allocation.DrawOverdraft
}

// Eligibility restates, slowly and from the documentation alone, what
// Allocate judges about instrument in before any money moves: the indices
// of the bill lines it may pay or discount (in scope and not reserved by a
// restriction to other kinds), and the reasons it cannot be used at all,
// in vocabulary order ([allocation.ReasonNothingLeft] excepted: that one
// depends on what other instruments did). No reasons means usable.
//
// It assumes valid input (see [allocation.Allocate]).
func Eligibility(bill allocation.Bill, policy allocation.Policy, in allocation.Instrument) (lines []int, reasons []allocation.Reason) {
	add := func(r allocation.Reason) { reasons = append(reasons, r) }

	if in.Status != "" && in.Status != "active" {
		add(allocation.ReasonInactive)
	}
	if !in.ValidUntil.IsZero() && !bill.At.Before(in.ValidUntil) {
		add(allocation.ReasonExpired)
	}
	if !in.ValidFrom.IsZero() && bill.At.Before(in.ValidFrom) {
		add(allocation.ReasonNotYetValid)
	}
	if in.Currency != bill.Currency {
		add(allocation.ReasonCurrencyMismatch)
	}
	if slices.Contains(bill.ExcludeInstruments, in.ID) || slices.Contains(bill.ExcludeKinds, in.Kind) {
		add(allocation.ReasonExcludedByBill)
	}
	sc := in.Scope
	if (len(sc.Modes) > 0 && !slices.Contains(sc.Modes, bill.Mode)) || slices.Contains(sc.ExcludeModes, bill.Mode) {
		add(allocation.ReasonModeExcluded)
	}
	inPolicy, mayOverdraw := false, false
	for _, s := range steps(policy) {
		if Takes(s, in) {
			inPolicy = true
			mayOverdraw = mayOverdraw || overdraws(s)
		}
	}
	if !inPolicy {
		add(allocation.ReasonNotInPolicy)
	}

	inScope := false
	eligibleSum := decimal.Zero
	for i, l := range bill.Lines {
		if !lineInScope(sc, l) {
			continue
		}
		inScope = true
		if restricted(policy, in.Kind, l) {
			continue
		}
		lines = append(lines, i)
		eligibleSum = eligibleSum.Add(l.Amount)
	}

	if in.MinSpend.IsPositive() && eligibleSum.LessThan(in.MinSpend) {
		add(allocation.ReasonBelowMinSpend)
	}
	if in.IsPercent() {
		if !in.Percent.Decimal.IsPositive() || (in.Capped && !in.Balance.IsPositive()) {
			add(allocation.ReasonNoBalance)
		}
	} else {
		room := in.Balance
		if mayOverdraw {
			room = room.Add(in.Overdraft)
		}
		if !room.IsPositive() {
			add(allocation.ReasonNoBalance)
		}
	}
	switch {
	case !inScope:
		add(allocation.ReasonOutOfScope)
	case len(lines) == 0:
		add(allocation.ReasonRestrictedCategory)
	}
	return lines, reasons
}

// lineInScope applies the documented rule of [allocation.Scope] to line l.
func lineInScope(sc allocation.Scope, l allocation.Line) bool {
	if len(sc.Products) > 0 || len(sc.Categories) > 0 {
		if !slices.Contains(sc.Products, l.Product) && !slices.Contains(sc.Categories, l.Category) {
			return false
		}
	}
	return !slices.Contains(sc.ExcludeProducts, l.Product) && !slices.Contains(sc.ExcludeCategories, l.Category)
}

// restricted reports whether a policy restriction reserves line l for
// kinds other than kind.
func restricted(policy allocation.Policy, kind string, l allocation.Line) bool {
	for _, r := range policy.Restrictions {
		matches := slices.Contains(r.Categories, l.Category) || slices.Contains(r.Products, l.Product)
		if matches && !slices.Contains(r.AllowKinds, kind) {
			return true
		}
	}
	return false
}
