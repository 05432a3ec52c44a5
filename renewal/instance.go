package renewal

import (
	"fmt"
	"time"
)

// An Instance is one purchased subscription, as renewal management sees it.
// It is a plain value: every operation returns an updated copy.
//
// The zero Instance is not valid (it has no id, product or expiry), and,
// like every instance whose Renewable is false, it is refused renewal: the
// host must say that a product is renewable, so that forgetting to never
// charges a customer.
//
// Instances encode to and from a versioned JSON form with snake_case field
// names and RFC 3339 times, which decoding validates strictly (see
// [Instance.MarshalJSON] and [Instance.UnmarshalJSON]).
type Instance struct {
	// ID identifies the instance; ids are unique within one call and break
	// ties in renewal order (see the package documentation).
	ID string
	// Product names what is renewed; [Prices] gives its monthly price, and
	// it becomes the product of the bill line, for voucher scopes.
	Product string
	// Kind is [Standard] (also when empty), [Trial] or [OneTime]. Only
	// standard instances are renewed.
	Kind Kind
	// Renewable is false for instances of products the host does not renew
	// (KAD and KCM in 004_436d555c5a6b9a35.txt): they are refused with
	// [ErrProductNotRenewable].
	Renewable bool
	// Policy is [Auto] or [Manual] (also when empty: manual renewal is the
	// default policy in 004_436d555c5a6b9a35.txt).
	Policy Policy
	// Status is [Active] (also when empty), [Expired] or [Released]; a
	// released instance is refused with [ErrInactive]. No other value is
	// valid, so that a misspelt status cannot silently stop automatic
	// renewals. An instance whose ExpiresAt has passed counts as expired
	// whatever its Status says (see [Instance.ExpiredAt]).
	Status Status
	// ExpiresAt is the first instant the instance is no longer valid.
	// Required.
	ExpiresAt time.Time
	// PeriodMonths is the length of the period last paid for, in months:
	// renewals set it (1 for an automatic renewal). Zero means unknown; it
	// is informative and decides nothing.
	PeriodMonths int
	// AnchorDay is the day of the month (1–31) the subscription renews on,
	// kept so that a month-end subscription clamped to a short month comes
	// back to the month's end (Jan 31 → Feb 28 → Mar 31). Zero means the
	// day of ExpiresAt in the account's time zone. Renewals and
	// [Quote.Apply] set it. It only matters when ExpiresAt is the last day
	// of a month shorter than AnchorDay (see [NextExpiryAnchored]).
	AnchorDay int
	// AnchorClock is the wall-clock time of day, in the account's time
	// zone, the subscription renews at, kept as AnchorDay is so that an
	// expiry a daylight-saving gap pushed later comes back to it at the
	// next renewal (America/Havana skips midnight on 2024-03-10: Feb 10
	// 00:00 → Mar 10 01:00 → Apr 10 00:00). The zero Clock means the time
	// of day of ExpiresAt. Renewals and [Quote.Apply] set it. It only
	// matters when a gap on the day of ExpiresAt skipped it.
	AnchorClock Clock
	// AutoBlocked marks an instance whose automatic renewal failed: it is
	// expired, keeps policy [Auto], and [RunAuto] does not renew it again
	// until a manual [Renew] succeeds (004_436d555c5a6b9a35.txt).
	AutoBlocked bool
}

// Kind says how an instance was bought. The zero Kind means [Standard].
type Kind string

const (
	// Standard is a subscription bought by period; the empty Kind means
	// Standard.
	Standard Kind = "standard"
	// Trial is a trial instance; it is never renewed.
	Trial Kind = "trial"
	// OneTime is an instance bought by times in one-time-fee prepaid
	// billing; it is never renewed.
	OneTime Kind = "one_time"
)

// Policy is an instance's renewal policy. The zero Policy means [Manual].
type Policy string

const (
	// Manual means the customer renews by hand; the empty Policy means
	// Manual.
	Manual Policy = "manual"
	// Auto means the system renews the instance by one month on its expiry
	// date ([RunAuto]).
	Auto Policy = "auto"
)

// Status is an instance's lifecycle state: [Active], [Expired] or
// [Released]. The zero Status means [Active]; other values are invalid.
type Status string

const (
	// Active means in service; the empty Status means Active.
	Active Status = "active"
	// Expired means out of service until renewed, for example after a
	// failed automatic renewal.
	Expired Status = "expired"
	// Released means taken out of service by the host for good (released,
	// deleted, or frozen by a rule of the host's): renewal management
	// refuses it with [ErrInactive].
	Released Status = "released"
)

func (k Kind) standard() bool    { return k == "" || k == Standard }
func (p Policy) auto() bool      { return p == Auto }
func (s Status) active() bool    { return s == "" || s == Active }
func (s Status) renewable() bool { return s.active() || s == Expired }

// Validate reports every problem that makes i unusable, as an
// [*InvalidError] wrapping [ErrInvalid], or nil. Being refused renewal (a
// trial, say) is not a problem: see [Instance.Refused].
func (i Instance) Validate() error {
	var p problems
	i.validate(&p)
	return p.err()
}

func (i Instance) validate(p *problems) {
	if i.ID == "" {
		p.addf("instance: empty id")
	}
	if i.Product == "" {
		p.addf("instance %q: empty product", i.ID)
	}
	switch i.Kind {
	case "", Standard, Trial, OneTime:
	default:
		p.addf("instance %q: unknown kind %q (want standard, trial or one_time)", i.ID, i.Kind)
	}
	switch i.Policy {
	case "", Manual, Auto:
	default:
		p.addf("instance %q: unknown policy %q (want auto or manual)", i.ID, i.Policy)
	}
	switch i.Status {
	case "", Active, Expired, Released:
	default:
		p.addf("instance %q: unknown status %q (want active, expired or released)", i.ID, i.Status)
	}
	if i.ExpiresAt.IsZero() {
		p.addf("instance %q: zero expires_at", i.ID)
	}
	if i.PeriodMonths < 0 {
		p.addf("instance %q: negative period_months %d", i.ID, i.PeriodMonths)
	}
	if i.AnchorDay < 0 || i.AnchorDay > 31 {
		p.addf("instance %q: anchor_day %d outside 0..31", i.ID, i.AnchorDay)
	}
}

// Refused returns why renewal management refuses i, as a [*RefusedError]
// wrapping [ErrNotRenewable] and one of, checked in this order, [ErrTrial],
// [ErrOneTime], [ErrProductNotRenewable] and [ErrInactive]; or nil if i may
// be renewed. Having expired is not a refusal: expired instances are renewed
// by hand.
func (i Instance) Refused() error {
	var reason error
	if i.Kind == Trial {
		reason = ErrTrial
	} else if i.Kind == OneTime {
		reason = ErrOneTime
	} else if !i.Renewable {
		reason = ErrProductNotRenewable
	} else if !i.Status.renewable() {
		reason = ErrInactive
	} else {
		return nil
	}
	return &RefusedError{Instance: i.ID, Reason: reason}
}

// ExpiredAt reports whether i is out of service at instant at: its Status is
// [Expired], or at is not before ExpiresAt.
func (i Instance) ExpiredAt(at time.Time) bool {
	return i.Status == Expired || !at.Before(i.ExpiresAt)
}

// DueAt reports whether [RunAuto] must renew i at instant at, with loc
// (nil means UTC) the account's time zone: i is standard and renewable,
// its Policy is [Auto], its Status active, it is not AutoBlocked, and at
// lies within its last day of validity, from 00:00 in loc of its expiry
// date up to (not including) ExpiresAt. The expiry date is the date of the
// last valid instant, so an instance expiring at 00:00 is due from 00:00 of
// the day before.
func (i Instance) DueAt(at time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	return i.Kind.standard() && i.Renewable && i.Policy.auto() && i.Status.active() &&
		!i.AutoBlocked && !i.ExpiresAt.IsZero() && i.inWindow(at, loc)
}

// inWindow reports whether at lies within the renewal window of i's expiry
// date (see [Instance.DueAt]).
func (i Instance) inWindow(at time.Time, loc *time.Location) bool {
	start := startOfDay(i.ExpiresAt.Add(-time.Nanosecond), loc)
	return !at.Before(start) && at.Before(i.ExpiresAt)
}

// NextExpiry returns i's expiry moved forward by months whole months in loc
// (nil means UTC), as [NextExpiry] does but anchored to i's AnchorDay and
// AnchorClock ([NextExpiryAnchored]), so a month-end subscription stays at
// the month's end and one anchored to a time of day comes back to it after
// a daylight-saving gap.
func (i Instance) NextExpiry(months int, loc *time.Location) time.Time {
	return NextExpiryAnchored(i.ExpiresAt, i.AnchorDay, i.AnchorClock, months, loc)
}

// anchor returns the anchor day and time of day renewals of i keep (see
// [NextExpiryAnchored]).
func (i Instance) anchor(loc *time.Location) (int, Clock) {
	if loc == nil {
		loc = time.UTC
	}
	return anchorOf(i.ExpiresAt.In(loc), i.AnchorDay, i.AnchorClock, loc)
}

// EnableAuto returns a copy of i with policy [Auto], or an error that
// changes nothing: the [*RefusedError] of [Instance.Refused], or
// [ErrExpiredManual] if i is a manual instance that has expired at instant
// at (004_436d555c5a6b9a35.txt: "If an instance that uses the manual renewal
// policy expires, you cannot enable automatic renewal"). Enabling an
// instance that is already auto returns it unchanged.
func (i Instance) EnableAuto(at time.Time) (Instance, error) {
	if err := i.Refused(); err != nil {
		return Instance{}, err
	}
	if i.Policy.auto() {
		return i, nil
	}
	if i.ExpiredAt(at) {
		return Instance{}, fmt.Errorf("%w: instance %q expired at %s", ErrExpiredManual,
			i.ID, i.ExpiresAt.UTC().Format(time.RFC3339Nano))
	}
	i.Policy = Auto
	return i, nil
}

// DisableAuto returns a copy of i with policy [Manual] and AutoBlocked
// cleared (the mark only concerns automatic renewal). It never fails: an
// instance may always be left to manual renewal. An expired instance that
// is switched to manual cannot be switched back until it is renewed.
func (i Instance) DisableAuto() Instance {
	i.Policy = Manual
	i.AutoBlocked = false
	return i
}
