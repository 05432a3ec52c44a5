package allocationtest

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// DefaultCurrency is the currency of every fixture, and of generated values
// unless [Knobs].Currency says otherwise.
const DefaultCurrency = "CNY"

// DefaultAt returns the instant fixtures and generators judge validity at:
// 2024-06-01 00:00 UTC.
func DefaultAt() time.Time { return time.Date(2024, time.June, 1, 0, 0, 0, 0, time.UTC) }

// Dec parses a decimal literal such as "12.50" or "-3". The empty string is
// zero. Like regexp.MustCompile it panics on a malformed literal, which in a
// test is a typo to fix, not a condition to handle.
func Dec(s string) decimal.Decimal {
	if s == "" {
		return decimal.Decimal{}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		panic(fmt.Sprintf("allocationtest: Dec(%q): %v", s, err))
	}
	return d
}

// Date parses a date "2006-01-02" (midnight UTC) or an RFC 3339 time. The
// empty string is the zero Time (no expiry, no start). It panics on a
// malformed literal, like [Dec].
func Date(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(fmt.Sprintf("allocationtest: Date(%q): want 2006-01-02 or RFC 3339", s))
	}
	return t
}

// NewBill returns a bill "B1" in [DefaultCurrency], judged at [DefaultAt],
// in mode "payg", with the given lines.
func NewBill(lines ...allocation.Line) allocation.Bill {
	return allocation.Bill{ID: "B1", Currency: DefaultCurrency, At: DefaultAt(), Mode: "payg", Lines: lines}
}

// Line returns a bill line. Product and category may be empty.
func Line(id, product, category, amount string) allocation.Line {
	return allocation.Line{ID: id, Product: product, Category: category, Amount: Dec(amount)}
}

// StoredValue returns an instrument of kind holding balance in
// [DefaultCurrency]: no expiry, no overdraft, no scope.
func StoredValue(id, kind, balance string) allocation.Instrument {
	return allocation.Instrument{ID: id, Kind: kind, Currency: DefaultCurrency, Balance: Dec(balance)}
}

// Voucher returns a "voucher" worth amount that expires at the start of the
// date expires ("2024-07-01": usable until 2024-06-30 24:00 UTC; see
// [Date]); "" never expires.
func Voucher(id, amount, expires string) allocation.Instrument {
	in := StoredValue(id, "voucher", amount)
	in.ValidUntil = Date(expires)
	return in
}

// Gift returns a "gift" balance (Kingsoft: never expires, not invoiced).
func Gift(id, amount string) allocation.Instrument {
	return StoredValue(id, "gift", amount)
}

// Cash returns a "cash" balance, invoiceable.
func Cash(id, amount string) allocation.Instrument {
	in := StoredValue(id, "cash", amount)
	in.Invoiceable = true
	return in
}

// CreditLine returns a "credit_line" with a zero balance that may go down
// to −limit (Kingsoft: available credit may go negative up to the granted
// credit line), invoiceable. Only a step that draws [allocation.DrawAll] or
// [allocation.DrawOverdraft] can use it.
func CreditLine(id, limit string) allocation.Instrument {
	in := StoredValue(id, "credit_line", "0")
	in.Overdraft = Dec(limit)
	in.Invoiceable = true
	return in
}

// PrepaidCard returns a "prepaid_card" holding balance that may be
// overdrawn by up to overdraft (Guance: prepaid card balance, negative for
// overdue). "" or "0" means no overdraft.
func PrepaidCard(id, balance, overdraft string) allocation.Instrument {
	in := StoredValue(id, "prepaid_card", balance)
	in.Overdraft = Dec(overdraft)
	return in
}

// PercentCoupon returns a "discount_voucher" taking percent percent ("15"
// is 15 %) off its eligible lines, at most limit in total; "" means no
// limit.
func PercentCoupon(id, percent, limit string) allocation.Instrument {
	in := allocation.Instrument{ID: id, Kind: "discount_voucher", Currency: DefaultCurrency, Percent: decimal.NewNullDecimal(Dec(percent))}
	if limit != "" {
		in.Capped, in.Balance = true, Dec(limit)
	}
	return in
}

// NewPolicy returns an [allocation.InOrder] policy named "test" with the
// given steps and the currency's rounding. With no steps it is the
// documented default policy.
func NewPolicy(steps ...allocation.Step) allocation.Policy {
	return allocation.Policy{Name: "test", Strategy: allocation.InOrder, Steps: steps}
}

// Step returns a policy step named name that draws the given kinds (every
// kind if none) down to zero balance, soonest expiry first.
func Step(name string, kinds ...string) allocation.Step {
	return allocation.Step{Name: name, Kinds: kinds, Order: []allocation.OrderKey{allocation.ExpiresFirst}}
}
