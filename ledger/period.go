package ledger

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/internal/calendar"
)

// A Period divides time into periods of Months calendar months, the way
// renewals count months: period 0 starts at Anchor, period n at Anchor
// moved n·Months months in Anchor's location, on the anchor's day of the
// month or the last day of a shorter month (an anchor on Jan 31 gives
// Feb 29, Mar 31, Apr 30, …: counting from the anchor never drifts), at
// the anchor's clock time (where a daylight-saving change skips that time
// on the day, it moves forward by the change, as [time.Date] does; renewal
// hosts who need renewal's own rule for that rare case can anchor periods
// in UTC). Periods before the anchor have negative
// numbers. A period includes its start and excludes the next one's.
//
// The zero Period is not valid: it has no anchor and no length.
type Period struct {
	// Anchor is the start of period 0. Required.
	Anchor time.Time `json:"anchor"`
	// Months is the length of a period in calendar months, from 1.
	Months int `json:"months"`
}

// maxPeriodMonths bounds Period.Months so that period arithmetic stays
// within the years a transaction may carry.
const maxPeriodMonths = 12 * 10000

// Start returns the start of period n.
func (p Period) Start(n int) time.Time {
	return calendar.MonthsLater(p.Anchor, n*p.Months)
}

// Index returns the number of the period that contains t: the n with
// Start(n) ≤ t < Start(n+1). For an invalid Period (Months below 1) it
// returns 0.
func (p Period) Index(t time.Time) int {
	if p.Months < 1 {
		return 0
	}
	a, u := p.Anchor, t.In(p.Anchor.Location())
	months := (u.Year()-a.Year())*12 + int(u.Month()) - int(a.Month())
	n := months / p.Months
	if months < 0 && months%p.Months != 0 {
		n-- // floor, not truncation
	}
	for p.Start(n).After(t) {
		n--
	}
	for !p.Start(n + 1).After(t) {
		n++
	}
	return n
}

// Key returns the date period n starts on, in the anchor's location, as
// "2006-01-02": the part of the ids derived from a period.
func (p Period) Key(n int) string {
	return p.Start(n).Format(time.DateOnly)
}

// problems lists what makes p invalid.
func (p Period) problems() []string {
	var ps []string
	if p.Anchor.IsZero() {
		ps = append(ps, "period without an anchor")
	} else if y := p.Anchor.Year(); y < 1 || y > 9999 {
		ps = append(ps, fmt.Sprintf("period anchor %v is outside the years 0001–9999", p.Anchor))
	}
	if p.Months < 1 || p.Months > maxPeriodMonths {
		ps = append(ps, fmt.Sprintf("period of %d months: want 1 to %d", p.Months, maxPeriodMonths))
	}
	return ps
}
