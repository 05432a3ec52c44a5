package renewal

import (
	"time"

	"github.com/billfold/billfold/internal/calendar"
)

// MaxMonths is the longest period, in months, that one renewal may add
// (100 years). Longer or non-positive periods are not renewals: [NextExpiry]
// leaves the expiry where it is and [Renew] rejects them.
const MaxMonths = 1200

// NextExpiry returns expiry moved forward by months whole calendar months in
// loc (nil means UTC), anchored to expiry's own day of the month:
//
//   - The result falls on the same day of the month as expiry (read in loc),
//     or on the last day of the target month when that month is shorter:
//     NextExpiry(Jan 31, 1) is Feb 28 (Feb 29 in a leap year), and
//     NextExpiry(Jan 31, 2) is Mar 31. Counting from the original anchor
//     never drifts.
//   - The wall-clock time in loc is kept across daylight-saving changes
//     (10:00 stays 10:00, so the elapsed time may be an hour more or less
//     than whole days). A wall-clock time that the target day skips (spring
//     forward) is read with the offset in force before the change, landing
//     as far past the change as it was into the gap (02:30 in a skipped
//     02:00–03:00 becomes 03:30). One that occurs twice (fall back) is the
//     earlier of the two instants.
//   - For 1 ≤ months ≤ [MaxMonths] the result is strictly later than
//     expiry, and it grows strictly with months. Any other months returns
//     expiry unchanged (in loc).
//
// The result is in loc. NextExpiry is stateless, so it cannot know an anchor
// that an earlier clamp hid: NextExpiry(Feb 29, 1) is Mar 29. To renew again
// and again, use [Instance.NextExpiry], which remembers the anchor in
// [Instance].AnchorDay (Jan 31 → Feb 29 → Mar 31 → Apr 30 → May 31).
func NextExpiry(expiry time.Time, months int, loc *time.Location) time.Time {
	return nextExpiry(expiry, 0, months, loc)
}

// nextExpiry is NextExpiry with an anchor day. The anchor matters only when
// expiry falls on the last day of a month shorter than the anchor (that is
// how a clamp hides it); otherwise, and when anchor is outside 1..31, the
// expiry's own day is the anchor.
func nextExpiry(expiry time.Time, anchor, months int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	e := expiry.In(loc)
	if months < 1 || months > MaxMonths {
		return e
	}
	y, m, d := e.Date()
	anchor = effectiveAnchor(d, calendar.DaysIn(y, m), anchor)
	ty, tm, td := calendar.AddMonths(y, m, anchor, months)
	hh, mm, ss := e.Clock()
	return localTime(ty, tm, td, hh, mm, ss, e.Nanosecond(), loc)
}

// effectiveAnchor returns the anchor day for an expiry on day d of a month
// whose last day is last: anchor when d is that last day and anchor lies
// beyond it (a clamped month-end), else d.
func effectiveAnchor(d, last, anchor int) int {
	if d == last && anchor <= 31 {
		return max(d, anchor)
	}
	return d
}

// civilDays returns the number of days from 1970-01-01 to the civil date
// y-m-d, for counting calendar days independently of any time zone.
func civilDays(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// daysBetween returns the number of calendar days from a's date to b's
// date, both read in loc.
func daysBetween(a, b time.Time, loc *time.Location) int64 {
	a, b = a.In(loc), b.In(loc)
	return civilDays(b.Date()) - civilDays(a.Date())
}

// localTime returns the instant at which the clock in loc reads the given
// civil time, resolving daylight-saving changes as documented on
// [NextExpiry]: a skipped time is read with the offset in force before the
// change, a repeated time is the earlier instant. (time.Date leaves the
// choice unspecified in both cases.)
func localTime(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	// The offsets in force about a day before and a day after the civil
	// time, and the one time.Date picks, are the candidates: a transition
	// at the civil time is between the first two.
	_, before := wall.Add(-30 * time.Hour).In(loc).Zone()
	_, after := wall.Add(30 * time.Hour).In(loc).Zone()
	_, picked := time.Date(y, mo, d, h, mi, s, ns, loc).Zone()
	var best time.Time
	found := false
	for _, off := range [...]int{before, after, picked} {
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameClock(c, wall) && (!found || c.Before(best)) {
			best, found = c, true
		}
	}
	if found {
		return best
	}
	return wall.Add(-time.Duration(before) * time.Second).In(loc)
}

// sameClock reports whether t's date and clock read the same as wall's.
func sameClock(t, wall time.Time) bool {
	ty, tm, td := t.Date()
	wy, wm, wd := wall.Date()
	th, tmi, ts := t.Clock()
	wh, wmi, ws := wall.Clock()
	return ty == wy && tm == wm && td == wd && th == wh && tmi == wmi && ts == ws &&
		t.Nanosecond() == wall.Nanosecond()
}

// startOfDay returns 00:00 in loc of t's date in loc (or the first instant
// of that date if midnight is skipped).
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return localTime(y, m, d, 0, 0, 0, 0, loc)
}
