package voucher

import (
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// A Type is the family of a voucher. It decides the instrument kind a
// voucher projects to, which is what policy steps select on.
//
// The zero Type is not valid.
type Type string

const (
	// Regular is an amount voucher: it pays up to its balance (Guance
	// "regular voucher", Kingsoft "voucher"). Kind [KindVoucher].
	Regular Type = "regular"
	// Discount is an amount voucher granted with a prepaid card purchase
	// (Guance "discount voucher", 002_974120889ed2e661.txt). It pays like a
	// regular one but is drawn in its own policy step. Kind
	// [KindDiscountVoucher].
	Discount Type = "discount"
	// Percentage is a single-use coupon that takes a percentage off its
	// eligible lines, optionally capped. Kind [KindCoupon].
	Percentage Type = "percentage"
)

// Instrument kinds a voucher projects to, by [Type].
const (
	KindVoucher         = "voucher"
	KindDiscountVoucher = "discount_voucher"
	KindCoupon          = "coupon"
)

// Kind returns the instrument kind of vouchers of type t, or "" for an
// unknown type.
func (t Type) Kind() string {
	switch t {
	case Regular:
		return KindVoucher
	case Discount:
		return KindDiscountVoucher
	case Percentage:
		return KindCoupon
	}
	return ""
}

// A Status is where a voucher is in its life (see the package
// documentation for the transitions). The zero Status is only that of the
// zero Voucher.
type Status string

const (
	// Inactive: issued, not yet bound to an account; cannot pay.
	Inactive Status = "inactive"
	// Active: bound to an account; pays within its validity window.
	Active Status = "active"
	// UsedUp: its balance reached zero (or, for a coupon, it was used).
	UsedUp Status = "used_up"
	// Expired: its validity (or its activation deadline) ran out; what was
	// left is forfeited.
	Expired Status = "expired"
	// Revoked: withdrawn by the issuer; what was left is forfeited.
	Revoked Status = "revoked"
)

// Final reports whether no transition leaves s.
func (s Status) Final() bool { return s == UsedUp || s == Expired || s == Revoked }

// Params describe a voucher to issue with [New]. Amounts are in Currency.
// The zero Params are not valid.
type Params struct {
	// ID identifies the voucher (required).
	ID string
	// Type is [Regular], [Discount] or [Percentage] (required).
	Type Type
	// Currency is an ISO 4217 code: three upper-case letters (required).
	Currency string
	// Denomination is the face value of an amount voucher (> 0), or the
	// largest discount of a [Percentage] coupon (≥ 0; zero means
	// uncapped).
	Denomination decimal.Decimal
	// Percent is a coupon's discount in percent, 0 < Percent ≤ 100 ("15"
	// is 15 %). It must be zero for amount vouchers.
	Percent decimal.Decimal
	// MinSpend, if positive, makes the voucher usable only on bills whose
	// lines eligible to it add up to at least this much.
	MinSpend decimal.Decimal
	// Scope limits the lines and billing modes the voucher may pay.
	Scope allocation.Scope
	// Code is the activation code customers redeem it with; zero if it is
	// only granted by an administrator ([Voucher.Activate]).
	Code Code
	// IssuedAt is when the voucher was issued (required).
	IssuedAt time.Time
	// ActivateBy, if not zero, is the instant from which it can no longer
	// be activated (exclusive); it must be after IssuedAt.
	ActivateBy time.Time
	// ValidFor, if positive, is how long the voucher stays valid from its
	// activation, as elapsed time (30 days are 720 hours, across a
	// daylight-saving change too), so it depends on instants only, never
	// on a time zone. Zero means no limit counted from activation.
	ValidFor time.Duration
	// ValidFrom and ValidUntil, if not zero, bound its validity whenever it
	// is activated: it is valid from start, the later of ValidFrom and the
	// activation, until the earlier of ValidUntil and start+ValidFor
	// (exclusive). With neither ValidUntil nor ValidFor it never expires.
	// An inactive voucher cannot be activated from ValidUntil on.
	ValidFrom, ValidUntil time.Time
	// Priority is copied to the instrument, for policies ordered by
	// priority.
	Priority int
}

// A Voucher is an immutable voucher value: what it is worth, where it may be
// used, who holds it and where it is in its life. Methods that change it
// return a new Voucher.
//
// The zero Voucher is not a voucher (it has no id): its methods return
// errors wrapping [ErrInvalid] and its instrument is invalid for
// [allocation.Allocate].
type Voucher struct {
	id           string
	typ          Type
	currency     string
	denomination decimal.Decimal
	balance      decimal.Decimal // stored value left, or a coupon's cap left
	used         decimal.Decimal
	forfeited    decimal.Decimal
	percent      decimal.Decimal
	minSpend     decimal.Decimal
	scope        allocation.Scope
	code         Code
	issuedAt     time.Time
	activateBy   time.Time
	validFor     time.Duration
	fixedFrom    time.Time
	fixedUntil   time.Time
	priority     int

	status      Status
	account     string
	activatedAt time.Time
	validFrom   time.Time // the window in force once activated
	validUntil  time.Time
	closedAt    time.Time // when it reached a final status
}

// New issues a voucher in status [Inactive]. It checks every rule of
// [Params] and returns one error wrapping [ErrInvalid] that lists every
// problem found.
func New(p Params) (Voucher, error) {
	var probs problems.List
	if p.ID == "" {
		probs.Add("id is empty")
	}
	switch p.Type {
	case Regular, Discount:
		if !p.Denomination.IsPositive() {
			probs.Add("denomination %s must be positive", p.Denomination)
		}
		if !p.Percent.IsZero() {
			probs.Add("percent %s is only for percentage coupons", p.Percent)
		}
	case Percentage:
		if p.Denomination.IsNegative() {
			probs.Add("cap %s must not be negative", p.Denomination)
		}
		if !p.Percent.IsPositive() || p.Percent.GreaterThan(decimal.NewFromInt(100)) {
			probs.Add("percent %s must be above 0 and at most 100", p.Percent)
		}
	default:
		probs.Add("type %q is not regular, discount or percentage", p.Type)
	}
	if !allocation.ValidCurrency(p.Currency) {
		probs.Add("currency %q is not three upper-case letters", p.Currency)
	}
	if p.MinSpend.IsNegative() {
		probs.Add("min spend %s must not be negative", p.MinSpend)
	}
	if p.IssuedAt.IsZero() {
		probs.Add("issued at is zero")
	}
	if p.ValidFor < 0 {
		probs.Add("valid for %s must not be negative", p.ValidFor)
	}
	if !p.ActivateBy.IsZero() && !p.IssuedAt.IsZero() && !p.ActivateBy.After(p.IssuedAt) {
		probs.Add("activate by %s must be after issued at %s", p.ActivateBy.Format(time.RFC3339), p.IssuedAt.Format(time.RFC3339))
	}
	if !p.ValidUntil.IsZero() {
		if !p.ValidFrom.IsZero() && !p.ValidUntil.After(p.ValidFrom) {
			probs.Add("valid until %s must be after valid from %s", p.ValidUntil.Format(time.RFC3339), p.ValidFrom.Format(time.RFC3339))
		}
		if !p.IssuedAt.IsZero() && !p.ValidUntil.After(p.IssuedAt) {
			probs.Add("valid until %s must be after issued at %s", p.ValidUntil.Format(time.RFC3339), p.IssuedAt.Format(time.RFC3339))
		}
	}
	if len(probs) > 0 {
		return Voucher{}, &InvalidError{ID: p.ID, Problems: probs}
	}
	return Voucher{
		id:           p.ID,
		typ:          p.Type,
		currency:     p.Currency,
		denomination: p.Denomination,
		balance:      p.Denomination,
		percent:      p.Percent,
		minSpend:     p.MinSpend,
		scope:        instrument.CloneScope(p.Scope),
		code:         p.Code,
		issuedAt:     p.IssuedAt,
		activateBy:   p.ActivateBy,
		validFor:     p.ValidFor,
		fixedFrom:    p.ValidFrom,
		fixedUntil:   p.ValidUntil,
		priority:     p.Priority,
		status:       Inactive,
	}, nil
}

// ID returns the voucher's id.
func (v Voucher) ID() string { return v.id }

// Type returns the voucher's type.
func (v Voucher) Type() Type { return v.typ }

// Currency returns the voucher's ISO 4217 currency code.
func (v Voucher) Currency() string { return v.currency }

// Denomination returns the face value of an amount voucher, or the cap of a
// percentage coupon (zero if uncapped).
func (v Voucher) Denomination() decimal.Decimal { return v.denomination }

// Balance returns what is left to pay with (for a capped coupon, the
// discount still available). Balance + Used + Forfeited = Denomination for
// amount vouchers and capped coupons; Balance is never negative.
func (v Voucher) Balance() decimal.Decimal { return v.balance }

// Used returns the total the voucher has paid (or, for a coupon, taken off).
func (v Voucher) Used() decimal.Decimal { return v.used }

// Forfeited returns what was left unused when the voucher closed: its
// balance when it expired or was revoked, or the cap a single-use coupon
// did not take. Zero otherwise.
func (v Voucher) Forfeited() decimal.Decimal { return v.forfeited }

// Percent returns a coupon's discount in percent; zero for amount vouchers.
func (v Voucher) Percent() decimal.Decimal { return v.percent }

// Uncapped reports whether v is a percentage coupon without a cap.
func (v Voucher) Uncapped() bool { return v.typ == Percentage && v.denomination.IsZero() }

// MinSpend returns the minimum eligible spend; zero means none.
func (v Voucher) MinSpend() decimal.Decimal { return v.minSpend }

// Scope returns a copy of the voucher's scope.
func (v Voucher) Scope() allocation.Scope { return instrument.CloneScope(v.scope) }

// Code returns the voucher's activation code, zero if it has none.
func (v Voucher) Code() Code { return v.code }

// IssuedAt returns when the voucher was issued.
func (v Voucher) IssuedAt() time.Time { return v.issuedAt }

// ActivateBy returns the activation deadline (exclusive); zero if none.
func (v Voucher) ActivateBy() time.Time { return v.activateBy }

// ValidFor returns how long the voucher is valid from activation; zero if
// that is not limited.
func (v Voucher) ValidFor() time.Duration { return v.validFor }

// ValidFrom returns the start of the validity window: once activated, the
// window in force; before, the fixed bound from [Params] (zero if none).
func (v Voucher) ValidFrom() time.Time {
	if v.activatedAt.IsZero() {
		return v.fixedFrom
	}
	return v.validFrom
}

// ValidUntil returns the end (exclusive) of the validity window: once
// activated, the window in force; before, the fixed bound from [Params].
// Zero means no end.
func (v Voucher) ValidUntil() time.Time {
	if v.activatedAt.IsZero() {
		return v.fixedUntil
	}
	return v.validUntil
}

// Priority returns the priority copied to the instrument.
func (v Voucher) Priority() int { return v.priority }

// Status returns the voucher's recorded status. See [Voucher.StatusAt] for
// the status as of an instant.
func (v Voucher) Status() Status { return v.status }

// Account returns the account the voucher is bound to; "" until
// activation.
func (v Voucher) Account() string { return v.account }

// ActivatedAt returns when the voucher was activated; zero until then.
func (v Voucher) ActivatedAt() time.Time { return v.activatedAt }

// ClosedAt returns when the voucher reached a final status (for expiry, the
// instant it ran out); zero while it is not final.
func (v Voucher) ClosedAt() time.Time { return v.closedAt }
