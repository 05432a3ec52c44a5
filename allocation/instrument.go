package allocation

import (
	"time"

	"github.com/shopspring/decimal"
)

// An Instrument is one way of paying: a voucher, gift balance, credit line,
// prepaid card, credit, cash balance, or a percentage coupon.
//
// A stored-value instrument pays up to Balance, and further down to
// −Overdraft when a policy step draws "all" or "overdraft". A percentage
// instrument (Percent set) instead discounts its eligible lines by Percent
// percent, capped by Balance if Capped.
//
// The zero Instrument is not valid (it has no id, kind or currency).
type Instrument struct {
	// ID identifies the instrument; ids are unique within a wallet and are
	// the final tie-break of every order.
	ID string `json:"id"`
	// Kind is host-defined ("voucher", "gift", "credit_line", "cash", …) and
	// is what policy steps and restrictions select on.
	Kind string `json:"kind"`
	// Currency is an ISO 4217 code. An instrument in another currency than
	// the bill is skipped with [ReasonCurrencyMismatch].
	Currency string `json:"currency"`
	// Balance is the stored value left; it may be negative when the
	// instrument is already overdrawn. For a percentage instrument it is the
	// largest discount still available (the cap) when Capped, and zero
	// otherwise.
	Balance decimal.Decimal `json:"balance"`
	// Overdraft is how far below zero the balance may go (default 0, must
	// not be negative). Only steps that draw "all" or "overdraft" use it.
	Overdraft decimal.Decimal `json:"overdraft"`
	// Percent, when valid, makes this a percentage instrument: a discount of
	// Percent percent (0 to 100; "15" is 15 %) of its eligible lines.
	Percent decimal.NullDecimal `json:"percent"`
	// Capped means a percentage instrument's discount is capped by Balance
	// (what is left of the cap; 0 once it is spent). The zero value, false,
	// is a coupon without a cap, as in JSON, where Capped is not a field of
	// its own: a percentage instrument with a balance is capped, one
	// without (or with "balance": null) is not, and a capped one is encoded
	// with its balance, an uncapped one without. So the Go zero value means
	// what the absent JSON field means. An uncapped percentage instrument
	// must have a zero Balance (a non-zero one is rejected as ambiguous:
	// did you mean to cap it?), and Capped is invalid on a stored-value
	// instrument.
	Capped bool `json:"-"`
	// MinSpend makes the instrument usable only when the bill lines eligible
	// to it add up to at least this amount, counted on the bill's amounts
	// before any discount or payment. Zero means no minimum.
	MinSpend decimal.Decimal `json:"min_spend"`
	// ValidFrom is the first instant the instrument is usable; zero means
	// always valid so far.
	ValidFrom time.Time `json:"valid_from"`
	// ValidUntil is the instant the instrument stops being usable
	// (exclusive); zero means it never expires.
	ValidUntil time.Time `json:"valid_until"`
	// Scope limits which lines and billing modes the instrument may pay.
	Scope Scope `json:"scope"`
	// Priority orders instruments under the "priority" order key, lowest
	// first.
	Priority int `json:"priority"`
	// IssuedAt orders instruments under the "oldest_first" key; zero sorts
	// last.
	IssuedAt time.Time `json:"issued_at"`
	// Status "" or "active" means usable; any other value (for example
	// "used_up", "expired", "revoked", "inactive") makes the instrument
	// unusable with [ReasonInactive].
	Status string `json:"status"`
	// Group is a host-defined grouping (billing group, account); Allocate
	// carries it but does not interpret it.
	Group string `json:"group"`
	// Invoiceable reports whether what this instrument pays may be invoiced.
	Invoiceable bool `json:"invoiceable"`
}

// IsPercent reports whether the instrument is a percentage discount rather
// than a stored value.
func (in Instrument) IsPercent() bool { return in.Percent.Valid }

// The package's own code reads Percent.Valid and calls specific instead of
// the value methods above on *Instrument and *Scope: inlined through a
// pointer, a value method copies the whole struct (hundreds of bytes) on
// every call.

// A Scope limits where an instrument may be used. Empty lists do not limit.
//
// A line is in scope when, if Products or Categories is non-empty, its
// product is in Products or its category is in Categories; and its product
// is not in ExcludeProducts and its category not in ExcludeCategories.
// The bill's mode must be in Modes (when non-empty) and not in ExcludeModes.
//
// An instrument whose scope lists products or categories to include is
// specific; exclusions alone leave it general (see [Step].Scope).
type Scope struct {
	Products          []string `json:"products,omitempty"`
	ExcludeProducts   []string `json:"exclude_products,omitempty"`
	Categories        []string `json:"categories,omitempty"`
	ExcludeCategories []string `json:"exclude_categories,omitempty"`
	Modes             []string `json:"modes,omitempty"`
	ExcludeModes      []string `json:"exclude_modes,omitempty"`
}

// Specific reports whether the scope lists products or categories to
// include.
func (s Scope) Specific() bool { return specific(&s) }

// specific is [Scope.Specific] without copying the scope.
func specific(s *Scope) bool { return len(s.Products) > 0 || len(s.Categories) > 0 }
