package renewal

import (
	"fmt"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/calendar"
	"github.com/shopspring/decimal"
)

// A Quote prices aligning instances to one expiry day of the month
// (004_436d555c5a6b9a35.txt, "Specify a unified expiration time for
// multiple instances"). It is made by [Unify] and carried out by
// [Quote.Apply]; [Quote.Bill] turns it into a bill to pay with
// [allocation.Allocate] first.
//
// The zero Quote aligns nothing and costs nothing.
type Quote struct {
	// Day is the day of the month the instances will expire on (1–31; in
	// shorter months, the month's last day).
	Day int
	// Currency is the currency of every fee.
	Currency string
	// Lines has one entry per instance, in renewal order (ExpiresAt, then
	// ID).
	Lines []QuoteLine
	// Total is the sum of the Fee of the lines without Err (each fee was
	// rounded once; the total is their exact sum).
	Total decimal.Decimal
}

// A QuoteLine is the quote for one instance. The zero QuoteLine aligns
// nothing and costs nothing.
type QuoteLine struct {
	// Instance and Product identify the instance.
	Instance, Product string
	// From is the current expiry and To the aligned one: the first date on
	// or after From's date (in the account's time zone) that falls on the
	// quote's Day, at Clock. To equals From when From already falls on Day.
	From, To time.Time
	// Clock is the time of day the instance is anchored to (its
	// AnchorClock where that explains From, else From's wall-clock time;
	// see [NextExpiryAnchored]); [Quote.Apply] records it.
	Clock Clock
	// Days is the number of calendar days To adds (0 to PeriodDays).
	Days int
	// PeriodDays is the length in days of the billing month that starts at
	// From (From to [Instance.NextExpiry] of one month): the day count the
	// fee is prorated over.
	PeriodDays int
	// Monthly is the product's monthly price.
	Monthly decimal.Decimal
	// Fee is Monthly × Days / PeriodDays, rounded once with the quote's
	// rounding; exactly Monthly for a whole period and zero for no days.
	Fee decimal.Decimal
	// Err, when not nil, is why the instance cannot be aligned: a
	// [*RefusedError], or [ErrExpired]. Such a line has no To, days or fee
	// and is left out of Total, [Quote.Bill] and [Quote.Apply].
	Err error
}

// Unify quotes aligning the expiry of instances to day day of the month
// (1–31), judged at instant at in the account time zone loc (nil means UTC),
// with monthly prices from prices.
//
// Each instance is extended, never shortened, to the first date on or
// after its expiry date that falls on day (on the last day of a month
// shorter than day), at the time of day it is anchored to (its wall-clock
// time of expiry, or [Instance].AnchorClock where a daylight-saving gap
// moved the expiry off it), so the extension
// is less than one billing month, or exactly one (Jan 31 aligned to the
// 28th in a non-leap year reaches Feb 28, a whole month). Its fee is the
// monthly price prorated by day count, Days/PeriodDays, rounded once per
// instance to rounding (the zero Rounding is the currency's minor units,
// half-even; see [allocation.Rounding]). A whole period costs exactly the
// monthly price and zero days cost zero.
//
// Instances renewal management refuses ([Instance.Refused]) and instances
// that have expired at at ([Instance.ExpiredAt]; renew them first) get a
// line with Err set and no fee. The policy (auto or manual) does not
// matter.
//
// Errors change nothing: an [*InvalidError] (wrapping [ErrInvalid]) lists
// invalid instances, duplicate ids, a day outside 1..31, a zero at, a bad
// price list or rounding, and missing prices of instances to align (also
// wrapping [ErrNoPrice]).
func Unify(instances []Instance, day int, at time.Time, loc *time.Location, prices Prices,
	rounding allocation.Rounding) (Quote, error) {
	if loc == nil {
		loc = time.UTC
	}
	var p problems
	validateAll(instances, &p)
	if day < 1 || day > 31 {
		p.addf("day: %d outside 1..31", day)
	}
	if at.IsZero() {
		p.addf("at: zero time")
	}
	prices.validate(&p)
	places, mode := resolveRounding(rounding, prices.Currency, &p)
	order := renewalOrder(instances)
	for _, k := range order {
		in := instances[k]
		if in.Refused() == nil && !in.ExpiredAt(at) {
			prices.needPrice(in, &p)
		}
	}
	if err := p.err(); err != nil {
		return Quote{}, err
	}

	q := Quote{Day: day, Currency: prices.Currency, Lines: make([]QuoteLine, 0, len(instances))}
	for _, k := range order {
		in := instances[k]
		line := QuoteLine{Instance: in.ID, Product: in.Product, From: in.ExpiresAt.In(loc)}
		if err := in.Refused(); err != nil {
			line.Err = err
		} else if in.ExpiredAt(at) {
			line.Err = fmt.Errorf("%w: instance %q: renew it before aligning its expiry", ErrExpired, in.ID)
		} else {
			_, line.Clock = in.anchor(loc)
			line.To = alignedExpiry(in.ExpiresAt, day, line.Clock, loc)
			line.Days = int(daysBetween(line.From, line.To, loc))
			line.PeriodDays = int(daysBetween(line.From, in.NextExpiry(1, loc), loc))
			line.Monthly = prices.Monthly[in.Product]
			line.Fee = prorate(line.Monthly, line.Days, line.PeriodDays, places, mode)
			q.Total = q.Total.Add(line.Fee)
		}
		q.Lines = append(q.Lines, line)
	}
	return q, nil
}

// alignedExpiry returns the first instant on or after expiry's date in loc
// that falls on day (clamped to the month's last day), at time of day
// clock; expiry itself if its date already does.
func alignedExpiry(expiry time.Time, day int, clock Clock, loc *time.Location) time.Time {
	e := expiry.In(loc)
	y, m, d := e.Date()
	next := 0
	if min(day, calendar.DaysIn(y, m)) < d {
		next = 1
	}
	ty, tm, target := calendar.AddMonths(y, m, day, next)
	if target == d { // then ty-tm is y-m: a move makes target < d
		// Already aligned: kept exactly, even at a wall-clock time that a
		// DST change repeats or skipped.
		return e
	}
	return atClock(ty, tm, target, clock, loc)
}

// prorate returns monthly × days / periodDays rounded once to places with
// mode: exactly monthly for a whole period (nothing is divided), zero for
// no days.
func prorate(monthly decimal.Decimal, days, periodDays int, places int32, mode allocation.RoundingMode) decimal.Decimal {
	if days <= 0 || periodDays <= 0 {
		return decimal.Decimal{}
	}
	if days >= periodDays {
		return monthly
	}
	return divRound(monthly.Mul(decimal.NewFromInt(int64(days))), int64(periodDays), places, mode)
}

// Bill returns the bill for paying q, to pay with [allocation.Allocate]
// before applying the quote: id id, at at, the quote's currency, mode
// [BillMode], and one line per aligned instance with a positive fee (id the
// instance id, product its product, amount its fee), in the quote's order.
func (q Quote) Bill(id string, at time.Time) allocation.Bill {
	b := allocation.Bill{ID: id, Currency: q.Currency, At: at, Mode: BillMode}
	for _, l := range q.Lines {
		if l.Err == nil && l.Fee.Sign() > 0 {
			b.Lines = append(b.Lines, allocation.Line{ID: l.Instance, Product: l.Product, Amount: l.Fee})
		}
	}
	return b
}

// Apply returns a copy of instances (in the same order) in which every
// instance the quote aligns expires at its line's To, with AnchorDay set to
// the quote's Day and AnchorClock to the line's Clock so that later renewals
// stay aligned; the other instances
// are copied unchanged. instances itself is not changed.
//
// It fails with an error wrapping [ErrStale], and returns nil, if an
// aligned instance is missing, appears more than once, or no longer expires
// at its line's From (it was renewed or aligned since the quote).
func (q Quote) Apply(instances []Instance) ([]Instance, error) {
	out := slices.Clone(instances)
	index := make(map[string]int, len(out))
	for k, in := range out {
		if _, dup := index[in.ID]; dup {
			index[in.ID] = -1
			continue
		}
		index[in.ID] = k
	}
	for _, l := range q.Lines {
		if l.Err != nil {
			continue
		}
		found, ok := index[l.Instance]
		if !ok {
			return nil, fmt.Errorf("%w: instance %q is missing", ErrStale, l.Instance)
		}
		if found < 0 {
			return nil, fmt.Errorf("%w: instance %q appears more than once", ErrStale, l.Instance)
		}
		if !out[found].ExpiresAt.Equal(l.From) {
			return nil, fmt.Errorf("%w: instance %q expires at %s, quoted at %s", ErrStale, l.Instance,
				out[found].ExpiresAt.UTC().Format(time.RFC3339Nano), l.From.UTC().Format(time.RFC3339Nano))
		}
		out[found].ExpiresAt = l.To
		out[found].AnchorDay, out[found].AnchorClock = q.Day, l.Clock
	}
	return out, nil
}
