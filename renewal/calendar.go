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
// loc (nil means UTC), anchored to expiry itself, so chaining it loses
// anchors: NextExpiry(NextExpiry(Jan 31, 1), 1) is Mar 28 (Mar 29 in a leap
// year), not Mar 31, and a wall-clock time a daylight-saving gap moved stays
// moved. To renew again and again, use [NextExpiryAnchored] or
// [Instance.NextExpiry], which remember the day and time of day the
// subscription is anchored to.
//
//   - The result falls on the same day of the month as expiry (read in loc),
//     or on the last day of the target month when that month is shorter:
//     NextExpiry(Jan 31, 1) is Feb 28 (Feb 29 in a leap year), and
//     NextExpiry(Jan 31, 2) is Mar 31.
//   - The result is at expiry's wall-clock time in loc (10:00 stays 10:00,
//     so the elapsed time may be an hour more or less than whole days). A
//     wall-clock time that the target day skips (spring forward) is read
//     with the offset in force before the change, landing as far past the
//     change as it was into the gap (02:30 in a skipped 02:00–03:00 becomes
//     03:30). One that occurs twice (fall back) is the earlier of the two
//     instants.
//   - For 1 ≤ months ≤ [MaxMonths] the result is strictly later than
//     expiry, and it grows strictly with months. Any other months returns
//     expiry unchanged (in loc).
//
// The result is in loc and depends only on the instant expiry, not on the
// Location attached to it. NextExpiry(e, n, loc) is
// NextExpiryAnchored(e, 0, Clock{}, n, loc).
func NextExpiry(expiry time.Time, months int, loc *time.Location) time.Time {
	return NextExpiryAnchored(expiry, 0, Clock{}, months, loc)
}

// NextExpiryAnchored is [NextExpiry] for a subscription anchored to day day
// of the month (1–31) at time of day clock in loc (nil means UTC): the
// plain function behind [Instance.NextExpiry], for a host that stores the
// expiry and the anchor rather than an [Instance].
//
// The result is the anchored civil time months months after expiry's month:
// day day (the target month's last day if it is shorter) at clock, resolved
// in loc as [NextExpiry] resolves a skipped or repeated wall-clock time.
// Chaining it never drifts: Jan 31 → Feb 29 → Mar 31 → Apr 30 → May 31 with
// day 31, and with clock 00:00 in America/Havana Feb 10 00:00 → Mar 10 01:00
// (midnight is skipped that day) → Apr 10 00:00. So n calls of one month
// give what one call of n months gives from the first expiry.
//
// The anchor only counts where it explains expiry: where day day of
// expiry's month (clamped) at clock, resolved in loc, is the instant expiry,
// because a short month or a daylight-saving gap moved it there. Otherwise
// (the expiry was moved by hand, say) expiry's own day and time of day are
// the anchor, as they are when day is outside 1..31 or clock is the zero
// Clock: day and clock are each ignored on their own if they do not fit.
// The other rules, and the result's Location, are those of [NextExpiry].
func NextExpiryAnchored(expiry time.Time, day int, clock Clock, months int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	e := expiry.In(loc)
	if months < 1 || months > MaxMonths {
		return e
	}
	y, m, _ := e.Date()
	d, c := anchorOf(e, day, clock, loc)
	ty, tm, td := calendar.AddMonths(y, m, d, months)
	return atClock(ty, tm, td, c, loc)
}

// anchorOf returns the anchor day and time of day of e (in loc) given the
// remembered ones, as [NextExpiryAnchored] documents: each is kept where,
// resolved in e's month, it lands on e, and replaced by e's own otherwise.
func anchorOf(e time.Time, day int, clock Clock, loc *time.Location) (int, Clock) {
	y, m, d := e.Date()
	own := ClockOf(e, loc)
	if (clock.IsZero() || clock == own) && (day < 1 || day > 31 || day == d) {
		return d, own // nothing hidden: the common case, without resolving
	}
	if day < 1 || day > 31 {
		day = d
	}
	if clock.IsZero() {
		clock = own
	}
	last := calendar.DaysIn(y, m)
	lands := func(dd int, c Clock) bool { return atClock(y, m, min(dd, last), c, loc).Equal(e) }
	switch {
	case lands(day, clock):
		return day, clock
	case lands(day, own):
		return day, own
	case lands(d, clock):
		return d, clock
	default:
		return d, own
	}
}

// atClock returns the instant at which the clock in loc reads c on the
// civil date y-m-d (see [localTime]).
func atClock(y int, m time.Month, d int, c Clock, loc *time.Location) time.Time {
	h, mi, s, ns := c.parts()
	return localTime(y, m, d, h, mi, s, ns, loc)
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
