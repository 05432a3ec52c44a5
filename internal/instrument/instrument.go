// Package instrument holds what the instrument packages (voucher, credit,
// prepaid) share in projecting their values to [allocation.Instrument]s and
// taking an [allocation.Split] back into them.
package instrument

import (
	"fmt"
	"slices"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// CloneScope returns a copy of s sharing no slices with it.
func CloneScope(s allocation.Scope) allocation.Scope {
	return allocation.Scope{
		Products:          slices.Clone(s.Products),
		ExcludeProducts:   slices.Clone(s.ExcludeProducts),
		Categories:        slices.Clone(s.Categories),
		ExcludeCategories: slices.Clone(s.ExcludeCategories),
		Modes:             slices.Clone(s.Modes),
		ExcludeModes:      slices.Clone(s.ExcludeModes),
	}
}

// Use finds what split used of the instrument id, a value in currency, and
// returns the instrument's result and a problem ("" if none), checked in
// this order: the split must list the instrument; a zero Used is no
// problem, whatever else holds; Used must not be negative; the split must
// be in currency.
func Use(split allocation.Split, id, currency string) (allocation.InstrumentResult, string) {
	r, ok := split.Instrument(id)
	if !ok {
		return r, "the split does not list it"
	}
	if r.Used.IsZero() {
		return r, ""
	}
	if r.Used.IsNegative() {
		return r, fmt.Sprintf("used %s is negative", r.Used)
	}
	if split.Currency != currency {
		return r, fmt.Sprintf("split currency %q is not its currency %q", split.Currency, currency)
	}
	return r, ""
}

// Stale returns a problem ("" if none) unless the split's balance after
// for r equals after, the value's balance before minus r's Used: a split
// applied already, or made from another state of the value, reports
// another balance.
func Stale(r allocation.InstrumentResult, before, after decimal.Decimal) string {
	if r.BalanceAfter.Equal(after) {
		return ""
	}
	return fmt.Sprintf("the split's balance after %s is not the balance %s minus used %s: applied already, or made from another state", r.BalanceAfter, before, r.Used)
}
