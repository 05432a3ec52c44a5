package allocation

import (
	"bytes"
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

// decodeStrict decodes data into v, rejecting unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
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

// instrumentJSON is the wire form of an Instrument.
type instrumentJSON struct {
	ID          string           `json:"id"`
	Kind        string           `json:"kind"`
	Currency    string           `json:"currency"`
	Balance     *decimal.Decimal `json:"balance"`
	Overdraft   decimal.Decimal  `json:"overdraft"`
	Percent     *decimal.Decimal `json:"percent"`
	MinSpend    decimal.Decimal  `json:"min_spend"`
	ValidFrom   time.Time        `json:"valid_from"`
	ValidUntil  time.Time        `json:"valid_until"`
	Scope       Scope            `json:"scope"`
	Priority    int              `json:"priority"`
	IssuedAt    time.Time        `json:"issued_at"`
	Status      string           `json:"status"`
	Group       string           `json:"group"`
	Invoiceable bool             `json:"invoiceable"`
}

// UnmarshalJSON decodes an instrument, rejecting unknown fields. A
// percentage instrument without a balance (or with "balance": null) is
// [Instrument].Uncapped.
func (in *Instrument) UnmarshalJSON(data []byte) error {
	var w instrumentJSON
	if err := decodeStrict(data, &w); err != nil {
		return err
	}
	*in = Instrument{
		ID: w.ID, Kind: w.Kind, Currency: w.Currency,
		Overdraft: w.Overdraft, MinSpend: w.MinSpend,
		ValidFrom: w.ValidFrom, ValidUntil: w.ValidUntil, Scope: w.Scope,
		Priority: w.Priority, IssuedAt: w.IssuedAt, Status: w.Status,
		Group: w.Group, Invoiceable: w.Invoiceable,
	}
	if w.Balance != nil {
		in.Balance = *w.Balance
	}
	if w.Percent != nil {
		in.Percent = decimal.NewNullDecimal(*w.Percent)
		in.Uncapped = w.Balance == nil
	}
	return nil
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
	if !(in.IsPercent() && in.Uncapped) {
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

// UnmarshalJSON decodes a policy, rejecting unknown fields anywhere in it:
// a typo in a policy must not silently change who pays.
func (p *Policy) UnmarshalJSON(data []byte) error {
	type plain Policy
	var w plain
	if err := decodeStrict(data, &w); err != nil {
		return err
	}
	*p = Policy(w)
	return nil
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

// UnmarshalJSON decodes a rounding, rejecting unknown fields. A missing
// "places" is [CurrencyPlaces]; an explicit "places": 0 without a mode is
// whole units with [HalfEven], not the zero Rounding.
func (r *Rounding) UnmarshalJSON(data []byte) error {
	var w struct {
		Places *int32       `json:"places"`
		Mode   RoundingMode `json:"mode"`
		Strict bool         `json:"strict"`
	}
	if err := decodeStrict(data, &w); err != nil {
		return err
	}
	*r = Rounding{Places: CurrencyPlaces, Mode: w.Mode, Strict: w.Strict}
	if w.Places != nil {
		r.Places = *w.Places
		if r.Places == 0 && r.Mode == "" {
			r.Mode = HalfEven // not the zero Rounding: whole units
		}
	}
	if r.Places == CurrencyPlaces && r.Mode == "" {
		r.Places = 0 // the zero Rounding's form of the same thing
	}
	return nil
}

// MarshalJSON encodes a rounding so that it decodes to the same value:
// the currency's places are written by leaving "places" out.
func (r Rounding) MarshalJSON() ([]byte, error) {
	w := struct {
		Places *int32       `json:"places,omitempty"`
		Mode   RoundingMode `json:"mode,omitempty"`
		Strict bool         `json:"strict,omitempty"`
	}{Mode: r.Mode, Strict: r.Strict}
	switch {
	case r.Places == 0 && r.Mode == "":
		// The zero Rounding: the currency's places.
	case r.Places != CurrencyPlaces:
		w.Places = &r.Places
	}
	return json.Marshal(w)
}
