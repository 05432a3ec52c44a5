package stored

import (
	"time"

	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// The rules below are worded the same in every stored form: a check of a
// read value calls them in the order its problems are to be listed.

// NotNegative adds "NAME AMOUNT must not be negative" when a is negative.
func NotNegative(probs *problems.List, name string, a decimal.Decimal) {
	if a.IsNegative() {
		probs.Add("%s %s must not be negative", name, a)
	}
}

// After adds "NAME AT must be after OTHER OTHERAT", the instants as [Time]
// writes them, unless at is after other.
func After(probs *problems.List, name string, at time.Time, otherName string, other time.Time) {
	if !at.After(other) {
		probs.Add("%s %s must be after %s %s", name, Time(at), otherName, Time(other))
	}
}

// NotBefore adds "NAME AT is before OTHER OTHERAT", the instants as [Time]
// writes them, when at is before other.
func NotBefore(probs *problems.List, name string, at time.Time, otherName string, other time.Time) {
	if at.Before(other) {
		probs.Add("%s %s is before %s %s", name, Time(at), otherName, Time(other))
	}
}
