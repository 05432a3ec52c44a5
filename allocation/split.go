package allocation

import (
	"github.com/shopspring/decimal"
)

// A Split is the result of [Allocate]: who pays what of which line.
//
// Money is conserved exactly: Total = Discounted + Paid + Outstanding, for
// the bill and for every line, and each instrument's Used is the sum of its
// allocations. Amounts are in the bill's currency at the working scale of
// the call (see [Allocate]). The zero Split is an empty result.
type Split struct {
	// Bill is the bill's id.
	Bill string `json:"bill"`
	// Currency is the bill's currency.
	Currency string `json:"currency"`
	// Total is the sum of the bill's line amounts.
	Total decimal.Decimal `json:"total"`
	// Discounted is what percentage instruments took off the bill.
	Discounted decimal.Decimal `json:"discounted"`
	// Paid is what stored-value instruments paid.
	Paid decimal.Decimal `json:"paid"`
	// Outstanding is what the host must still collect another way.
	Outstanding decimal.Decimal `json:"outstanding"`
	// Invoiceable is what the customer may be invoiced for: what
	// instruments marked Invoiceable paid, plus Outstanding (collected by
	// the host, for example online). Discounts and what non-invoiceable
	// instruments paid (gift balance, prepaid cards: the seeds invoice
	// those when bought, not when spent) are not invoiceable.
	Invoiceable decimal.Decimal `json:"invoiceable"`
	// Allocations are the amounts each instrument discounted or paid on
	// each line, in the order they were made: discounts first, then
	// payments, step by step.
	Allocations []Allocation `json:"allocations"`
	// Instruments has one entry per wallet instrument, sorted by id.
	Instruments []InstrumentResult `json:"instruments"`
	// Lines has one entry per bill line, in bill order.
	Lines []LineResult `json:"lines"`

	// places is the scale amounts are printed at in JSON (0 for a decoded
	// Split, whose amounts keep the scale they were written with).
	places int32
}

// An Allocation is an amount one instrument discounted or paid on one line
// in one policy step.
type Allocation struct {
	Instrument string          `json:"instrument"`
	Line       string          `json:"line"`
	Step       string          `json:"step"`
	Amount     decimal.Decimal `json:"amount"`
}

// An InstrumentResult tells how much of one instrument was used.
type InstrumentResult struct {
	ID string `json:"id"`
	// Used is the sum of the instrument's allocations.
	Used decimal.Decimal `json:"used"`
	// BalanceAfter is Balance − Used (for an uncapped percentage
	// instrument, zero).
	BalanceAfter decimal.Decimal `json:"balance_after"`
	// Skipped lists, for an instrument that was not used at all, why, in
	// the order of the [Reason] vocabulary. It is empty when Used > 0 (in
	// JSON always present, [] then).
	Skipped []Reason `json:"skipped"`
}

// A LineResult tells how one bill line was settled:
// Amount = Discounted + Covered + Outstanding.
type LineResult struct {
	ID          string          `json:"id"`
	Amount      decimal.Decimal `json:"amount"`
	Discounted  decimal.Decimal `json:"discounted"`
	Covered     decimal.Decimal `json:"covered"`
	Outstanding decimal.Decimal `json:"outstanding"`
}

// Places returns the number of decimals the split's amounts are written
// with in JSON, the working scale of the [Allocate] call that made it (at
// least the policy's rounding places), so that a report can show every
// amount alike: 5.5 as 5.50 in CNY. A decoded Split returns 0: its amounts
// keep the decimals they were written with. An amount may carry more
// decimals than Places only in a Split not made by Allocate.
func (s Split) Places() int32 { return s.places }

// Instrument returns the result for the instrument with the given id.
func (s Split) Instrument(id string) (InstrumentResult, bool) {
	for _, r := range s.Instruments {
		if r.ID == id {
			return r, true
		}
	}
	return InstrumentResult{}, false
}

// Equal reports whether s and t describe the same split, comparing amounts
// by value (1.5 equals 1.50). go-cmp uses this method.
func (s Split) Equal(t Split) bool {
	if s.Bill != t.Bill || s.Currency != t.Currency ||
		!s.Total.Equal(t.Total) || !s.Discounted.Equal(t.Discounted) ||
		!s.Paid.Equal(t.Paid) || !s.Outstanding.Equal(t.Outstanding) || !s.Invoiceable.Equal(t.Invoiceable) ||
		len(s.Allocations) != len(t.Allocations) ||
		len(s.Instruments) != len(t.Instruments) || len(s.Lines) != len(t.Lines) {
		return false
	}
	for i, a := range s.Allocations {
		b := t.Allocations[i]
		if a.Instrument != b.Instrument || a.Line != b.Line || a.Step != b.Step || !a.Amount.Equal(b.Amount) {
			return false
		}
	}
	for i, a := range s.Instruments {
		b := t.Instruments[i]
		if a.ID != b.ID || !a.Used.Equal(b.Used) || !a.BalanceAfter.Equal(b.BalanceAfter) || len(a.Skipped) != len(b.Skipped) {
			return false
		}
		for j := range a.Skipped {
			if a.Skipped[j] != b.Skipped[j] {
				return false
			}
		}
	}
	for i, a := range s.Lines {
		b := t.Lines[i]
		if a.ID != b.ID || !a.Amount.Equal(b.Amount) || !a.Discounted.Equal(b.Discounted) ||
			!a.Covered.Equal(b.Covered) || !a.Outstanding.Equal(b.Outstanding) {
			return false
		}
	}
	return true
}
