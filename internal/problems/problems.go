// Package problems collects the validation problems of one call, for the
// instrument packages (voucher, credit, prepaid), whose errors list every
// problem found rather than the first.
package problems

import (
	"fmt"
	"time"
)

// A List holds problems in the order they were found, one human-readable
// string each, naming the field. The zero List holds none.
type List []string

// Add appends a problem formatted as [fmt.Sprintf] formats it.
func (l *List) Add(format string, args ...any) { *l = append(*l, fmt.Sprintf(format, args...)) }

// Call lists the problems every method taking an instant checks, in this
// order: zero if the receiver is the zero value (it has an empty id),
// "instant is zero" if at is zero, then more. It returns nil when there is
// no problem.
func Call(id, zero string, at time.Time, more ...string) List {
	var l List
	if id == "" {
		l = append(l, zero)
	}
	if at.IsZero() {
		l = append(l, "instant is zero")
	}
	return append(l, more...)
}
