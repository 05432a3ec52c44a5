package credit

import (
	"fmt"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// problems collects validation problems.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// validCurrency reports whether code is three upper-case ASCII letters.
func validCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// cloneScope returns a copy of s sharing no slices with it.
func cloneScope(s allocation.Scope) allocation.Scope {
	return allocation.Scope{
		Products:          slices.Clone(s.Products),
		ExcludeProducts:   slices.Clone(s.ExcludeProducts),
		Categories:        slices.Clone(s.Categories),
		ExcludeCategories: slices.Clone(s.ExcludeCategories),
		Modes:             slices.Clone(s.Modes),
		ExcludeModes:      slices.Clone(s.ExcludeModes),
	}
}

// addMonths returns t moved by n calendar months, keeping the day of the
// month where that month has it and otherwise clamping to the month's last
// day (Aug 31 + 6 months is Feb 28 or 29, not Mar 3 as [time.Time.AddDate]
// gives). The clock time and location are kept.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// splitUse finds what split used of the instrument id and checks it against
// currency. It returns the instrument's result, or a problem.
func splitUse(split allocation.Split, id, currency string) (allocation.InstrumentResult, string) {
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

// staleProblem checks that the split's balance after equals want.
func staleProblem(r allocation.InstrumentResult, before, want decimal.Decimal) string {
	if r.BalanceAfter.Equal(want) {
		return ""
	}
	return fmt.Sprintf("the split's balance after %s is not the balance %s minus used %s: applied already, or made from another state", r.BalanceAfter, before, r.Used)
}
