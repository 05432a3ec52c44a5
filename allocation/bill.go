package allocation

import (
	"time"

	"github.com/shopspring/decimal"
)

// A Bill is what the customer owes: lines to pay in one currency, judged at
// one instant, together with the customer's checkout choices.
//
// The zero Bill is not valid: [Allocate] rejects it for its missing currency
// and zero At, with an error wrapping [ErrInvalid].
type Bill struct {
	// ID identifies the bill; it is copied to [Split].Bill.
	ID string `json:"id"`
	// Currency is the ISO 4217 code (three upper-case letters) of every line.
	Currency string `json:"currency"`
	// At is the instant at which instrument validity is judged. Required.
	At time.Time `json:"at"`
	// Mode is a host-defined billing mode such as "payg", "subscription",
	// "renewal" or "trial", matched against instrument [Scope] modes.
	Mode string `json:"mode,omitempty"`
	// Lines are the charges, paid in this order under [InOrder].
	Lines []Line `json:"lines"`
	// ExcludeInstruments lists instrument ids the customer chose not to use.
	ExcludeInstruments []string `json:"exclude_instruments,omitempty"`
	// ExcludeKinds lists instrument kinds the customer chose not to use
	// (for example an optional prepaid card at a subscription checkout).
	ExcludeKinds []string `json:"exclude_kinds,omitempty"`
}

// A Line is one charge of a [Bill]. Its Amount must not be negative.
// Product and Category are matched against instrument scopes and policy
// restrictions; both may be empty.
type Line struct {
	ID       string          `json:"id"`
	Product  string          `json:"product,omitempty"`
	Category string          `json:"category,omitempty"`
	Amount   decimal.Decimal `json:"amount"`
}
