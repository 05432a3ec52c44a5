// Package calendar moves dates by whole calendar months, clamping the day to
// the end of a shorter month, for the packages of billfold that count
// validity, listing windows and renewal periods in months. Dates are civil
// dates of the proleptic Gregorian calendar, as [time.Date] reads them.
package calendar

import "time"

// DaysIn returns the number of days of month m of year y: 28 to 31.
// m must be January to December.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// AddMonths returns the civil date n months after day d of month m of year
// y (n may be zero or negative; m must be January to December). The day is
// d where the target month has it and the target month's last day
// otherwise: Jan 31 + 1 month is Feb 29 in a leap year and Feb 28 in
// others, Aug 31 + 6 months is the last day of February, Jan 15 + 1 month
// is Feb 15. The result never spills into the month after the target.
// With n = 0 it is y-m with d clamped to that month.
//
// The caller decides what d is: the day of the date being moved, or an
// anchor day that an earlier clamp hid.
func AddMonths(y int, m time.Month, d, n int) (int, time.Month, int) {
	k := y*12 + int(m) - 1 + n
	ty, tm := k/12, k%12
	if tm < 0 {
		ty, tm = ty-1, tm+12
	}
	target := time.Month(tm + 1)
	return ty, target, min(d, DaysIn(ty, target))
}

// MonthsLater returns t moved by n calendar months (n may be negative),
// keeping the day of the month where the target month has it and otherwise
// clamping to that month's last day (Aug 31 + 6 months is Feb 28 or 29,
// not Mar 3 as [time.Time.AddDate] gives). It counts in t's own Location, so
// a caller counting in an account's time zone passes t.In(loc): the same
// instant in another Location can give another day. The clock time and
// location are kept; where a daylight-saving change skips that clock time on the target
// day, [time.Date] moves it forward by the change, on the same day.
func MonthsLater(t time.Time, n int) time.Time {
	y, m, d := AddMonths(t.Year(), t.Month(), t.Day(), n)
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
