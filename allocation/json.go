package allocation

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// The JSON encodings here write amounts with StringFixed, so that decimal's
// package-level switches (MarshalJSONWithoutQuotes, TrimTrailingZeros, …)
// cannot change what billfold writes.

// amount is a decimal written as a JSON string with at least places
// decimals (more if the value carries more).
type amount struct {
	d      decimal.Decimal
	places int32
}

func (a amount) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	if p := max(int64(a.places), decimals(a.d)); p <= maxFixedPlaces && integerDigits(a.d) <= maxFixedPlaces {
		b = append(b, a.d.StringFixed(int32(p))...)
	} else {
		// An amount no Allocate accepts (see Limits): keep it short.
		b = append(b, a.d.ScientificNotationString()...)
	}
	return append(b, '"'), nil
}

// maxFixedPlaces bounds the digits written out in full in JSON.
const maxFixedPlaces = 1000

// optAmount is an amount omitted from JSON when zero (used with omitempty
// through a pointer).
func optAmount(d decimal.Decimal) *amount {
	if d.IsZero() {
		return nil
	}
	return &amount{d: d}
}

// optTime is a time omitted from JSON when zero.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// MarshalJSON encodes the line with its amount as a decimal string.
func (l Line) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID       string `json:"id"`
		Product  string `json:"product,omitempty"`
		Category string `json:"category,omitempty"`
		Amount   amount `json:"amount"`
	}{l.ID, l.Product, l.Category, amount{d: l.Amount}})
}

// MarshalJSON encodes the instrument, leaving out fields at their zero
// value, and the balance of an uncapped percentage instrument.
func (in Instrument) MarshalJSON() ([]byte, error) {
	w := struct {
		ID          string     `json:"id"`
		Kind        string     `json:"kind"`
		Currency    string     `json:"currency"`
		Balance     *amount    `json:"balance,omitempty"`
		Overdraft   *amount    `json:"overdraft,omitempty"`
		Percent     *amount    `json:"percent,omitempty"`
		MinSpend    *amount    `json:"min_spend,omitempty"`
		ValidFrom   *time.Time `json:"valid_from,omitempty"`
		ValidUntil  *time.Time `json:"valid_until,omitempty"`
		Scope       *Scope     `json:"scope,omitempty"`
		Priority    int        `json:"priority,omitempty"`
		IssuedAt    *time.Time `json:"issued_at,omitempty"`
		Status      string     `json:"status,omitempty"`
		Group       string     `json:"group,omitempty"`
		Invoiceable bool       `json:"invoiceable,omitempty"`
	}{
		ID: in.ID, Kind: in.Kind, Currency: in.Currency,
		Overdraft: optAmount(in.Overdraft), MinSpend: optAmount(in.MinSpend),
		ValidFrom: optTime(in.ValidFrom), ValidUntil: optTime(in.ValidUntil),
		Priority: in.Priority, IssuedAt: optTime(in.IssuedAt),
		Status: in.Status, Group: in.Group, Invoiceable: in.Invoiceable,
	}
	if !in.IsPercent() || in.Capped {
		w.Balance = &amount{d: in.Balance}
	}
	if in.IsPercent() {
		w.Percent = &amount{d: in.Percent.Decimal}
	}
	if !in.Scope.isZero() {
		w.Scope = &in.Scope
	}
	return json.Marshal(w)
}

func (s Scope) isZero() bool {
	return len(s.Products)+len(s.ExcludeProducts)+len(s.Categories)+
		len(s.ExcludeCategories)+len(s.Modes)+len(s.ExcludeModes) == 0
}

// splitJSON and its parts are the wire form of a Split.
type splitJSON struct {
	Bill        string           `json:"bill"`
	Currency    string           `json:"currency"`
	Total       amount           `json:"total"`
	Discounted  amount           `json:"discounted"`
	Paid        amount           `json:"paid"`
	Outstanding amount           `json:"outstanding"`
	Invoiceable amount           `json:"invoiceable"`
	Allocations []allocationJSON `json:"allocations"`
	Instruments []resultJSON     `json:"instruments"`
	Lines       []lineJSON       `json:"lines"`
}

type allocationJSON struct {
	Instrument string `json:"instrument"`
	Line       string `json:"line"`
	Step       string `json:"step"`
	Amount     amount `json:"amount"`
}

type resultJSON struct {
	ID           string   `json:"id"`
	Used         amount   `json:"used"`
	BalanceAfter amount   `json:"balance_after"`
	Skipped      []Reason `json:"skipped"` // [] when used
}

type lineJSON struct {
	ID          string `json:"id"`
	Amount      amount `json:"amount"`
	Discounted  amount `json:"discounted"`
	Covered     amount `json:"covered"`
	Outstanding amount `json:"outstanding"`
}

// MarshalJSON encodes the split with every amount as a decimal string at
// the working scale of the Allocate call that made it (a decoded Split
// keeps the decimals it was written with). Empty lists are written as [].
func (s Split) MarshalJSON() ([]byte, error) {
	p := s.places
	w := splitJSON{
		Bill: s.Bill, Currency: s.Currency,
		Total: amount{s.Total, p}, Discounted: amount{s.Discounted, p},
		Paid: amount{s.Paid, p}, Outstanding: amount{s.Outstanding, p},
		Invoiceable: amount{s.Invoiceable, p},
		Allocations: make([]allocationJSON, len(s.Allocations)),
		Instruments: make([]resultJSON, len(s.Instruments)),
		Lines:       make([]lineJSON, len(s.Lines)),
	}
	for i, a := range s.Allocations {
		w.Allocations[i] = allocationJSON{a.Instrument, a.Line, a.Step, amount{a.Amount, p}}
	}
	for i, r := range s.Instruments {
		skipped := r.Skipped
		if skipped == nil {
			skipped = []Reason{}
		}
		w.Instruments[i] = resultJSON{r.ID, amount{r.Used, p}, amount{r.BalanceAfter, p}, skipped}
	}
	for i, l := range s.Lines {
		w.Lines[i] = lineJSON{l.ID, amount{l.Amount, p}, amount{l.Discounted, p}, amount{l.Covered, p}, amount{l.Outstanding, p}}
	}
	return json.Marshal(w)
}

// MarshalJSON encodes a rounding so that it decodes to a rounding that
// rounds alike: the currency's places (Places 0 or [CurrencyPlaces]) are
// written by leaving "places" out, and [WholeUnits] as "places": 0.
func (r Rounding) MarshalJSON() ([]byte, error) {
	w := struct {
		Places *int32       `json:"places,omitempty"`
		Mode   RoundingMode `json:"mode,omitempty"`
		Strict bool         `json:"strict,omitempty"`
	}{Mode: r.Mode, Strict: r.Strict}
	switch r.Places {
	case 0, CurrencyPlaces:
		// The currency's places: "places" left out.
	case WholeUnits:
		w.Places = new(int32)
	default:
		w.Places = &r.Places
	}
	return json.Marshal(w)
}

// roundingPlaces returns the [Rounding].Places that a JSON "places" means:
// 0 (the currency's places) when it is absent, [WholeUnits] for 0.
func roundingPlaces(places *int32) int32 {
	switch {
	case places == nil || *places == CurrencyPlaces:
		return 0
	case *places == 0:
		return WholeUnits
	}
	return *places
}

// Decoding (see decode.go). Every UnmarshalJSON below rejects unknown
// fields and values of the wrong type, and returns an [*InvalidError]
// (wrapping [ErrInvalid]) that lists every problem with its JSON path,
// what was found and what was expected; the receiver is then unchanged.
// JSON null leaves the receiver unchanged, as encoding/json does.

// UnmarshalJSON decodes a bill; problems are reported under the path
// "bill", lines by index and id: bill.lines[0] (id "sms-1").amount.
func (b *Bill) UnmarshalJSON(data []byte) error {
	return decodeDocument("bill", data, b, (*decoder).bill)
}

// UnmarshalJSON decodes a bill line; problems are reported under "line".
func (l *Line) UnmarshalJSON(data []byte) error {
	return decodeDocument("line", data, l, (*decoder).line)
}

// UnmarshalJSON decodes a wallet, a JSON array of instruments; problems
// are reported by index and id: wallet[2] (id "V1").balance.
func (w *Wallet) UnmarshalJSON(data []byte) error {
	return decodeDocument("wallet", data, w, (*decoder).wallet)
}

// UnmarshalJSON decodes an instrument. A percentage instrument with a
// balance is [Instrument].Capped; without one (or with "balance": null) it
// is uncapped.
func (in *Instrument) UnmarshalJSON(data []byte) error {
	return decodeDocument("instrument", data, in, (*decoder).instrument)
}

// UnmarshalJSON decodes a scope.
func (s *Scope) UnmarshalJSON(data []byte) error {
	return decodeDocument("scope", data, s, (*decoder).scope)
}

// UnmarshalJSON decodes a policy: a typo in a policy must not silently
// change who pays. Unknown strategies, step scopes, order keys, draws and
// rounding modes are decoding problems too. It does not check what
// [Policy.Validate] checks; [ParsePolicy] does both.
func (p *Policy) UnmarshalJSON(data []byte) error {
	return decodeDocument("policy", data, p, (*decoder).policy)
}

// UnmarshalJSON decodes a policy step.
func (s *Step) UnmarshalJSON(data []byte) error {
	return decodeDocument("step", data, s, (*decoder).step)
}

// UnmarshalJSON decodes a restriction.
func (r *Restriction) UnmarshalJSON(data []byte) error {
	return decodeDocument("restriction", data, r, (*decoder).restriction)
}

// UnmarshalJSON decodes a rounding. A missing "places" means the
// currency's minor units (Places 0), "places": 0 means whole units
// ([WholeUnits]), whatever the mode.
func (r *Rounding) UnmarshalJSON(data []byte) error {
	return decodeDocument("rounding", data, r, (*decoder).rounding)
}

// UnmarshalJSON decodes limits.
func (l *Limits) UnmarshalJSON(data []byte) error {
	return decodeDocument("limits", data, l, (*decoder).limits)
}

// UnmarshalJSON decodes a split. Reasons must be in the [Reason]
// vocabulary. A decoded Split's [Split.Places] is 0.
func (s *Split) UnmarshalJSON(data []byte) error {
	return decodeDocument("split", data, s, (*decoder).split)
}

// UnmarshalJSON decodes an allocation.
func (a *Allocation) UnmarshalJSON(data []byte) error {
	return decodeDocument("allocation", data, a, (*decoder).allocation)
}

// UnmarshalJSON decodes an instrument result.
func (r *InstrumentResult) UnmarshalJSON(data []byte) error {
	return decodeDocument("instrument result", data, r, (*decoder).instrumentResult)
}

// UnmarshalJSON decodes a line result.
func (l *LineResult) UnmarshalJSON(data []byte) error {
	return decodeDocument("line result", data, l, (*decoder).lineResult)
}

// UnmarshalJSON decodes a strategy: "in_order", "max_coverage" or "".
func (s *Strategy) UnmarshalJSON(data []byte) error {
	return decodeDocument("strategy", data, s, func(d *decoder, p path, raw []byte, v *Strategy) {
		enum(d, p, raw, "a strategy", true, strategies, v)
	})
}

// UnmarshalJSON decodes a step scope: "any", "general", "specific" or "".
func (s *StepScope) UnmarshalJSON(data []byte) error {
	return decodeDocument("scope", data, s, func(d *decoder, p path, raw []byte, v *StepScope) {
		enum(d, p, raw, "a step scope", true, stepScopes, v)
	})
}

// UnmarshalJSON decodes an order key; it must be one of the OrderKey
// constants.
func (k *OrderKey) UnmarshalJSON(data []byte) error {
	return decodeDocument("order key", data, k, func(d *decoder, p path, raw []byte, v *OrderKey) {
		enum(d, p, raw, "an order key", false, orderKeys, v)
	})
}

// UnmarshalJSON decodes a draw: "balance", "all", "overdraft" or "".
func (dr *Draw) UnmarshalJSON(data []byte) error {
	return decodeDocument("draw", data, dr, func(d *decoder, p path, raw []byte, v *Draw) {
		enum(d, p, raw, "a draw", true, draws, v)
	})
}

// UnmarshalJSON decodes a rounding mode: "half_even", "half_up", "down"
// or "".
func (m *RoundingMode) UnmarshalJSON(data []byte) error {
	return decodeDocument("mode", data, m, func(d *decoder, p path, raw []byte, v *RoundingMode) {
		enum(d, p, raw, "a rounding mode", true, roundingModes, v)
	})
}

// UnmarshalJSON decodes a reason; it must be in the vocabulary.
func (r *Reason) UnmarshalJSON(data []byte) error {
	return decodeDocument("reason", data, r, (*decoder).reason)
}
