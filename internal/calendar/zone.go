package calendar

import "time"

// MonthsLaterIn returns t moved by n calendar months counted in loc (nil
// means UTC): the civil date and clock time t shows in loc are moved as
// [MonthsLater] moves them, and the result is in loc. It depends on the
// instant t only, never on the Location attached to t, so a host that
// stores times in UTC and one that keeps them in the customer's zone get
// the same instant.
func MonthsLaterIn(t time.Time, n int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return MonthsLater(t.In(loc), n)
}
