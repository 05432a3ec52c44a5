package prepaid

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/calendar"
	"github.com/billfold/billfold/internal/problems"
	"github.com/billfold/billfold/internal/stored"
	"github.com/shopspring/decimal"
)

// A Tier is one row of the bonus table: buying cards worth at least
// Threshold grants a discount voucher of Bonus. The zero Tier is not valid
// in [Rules] (its threshold must be positive).
type Tier struct {
	Threshold, Bonus decimal.Decimal
}

// Rules say which prepaid cards may be bought in one currency and what a
// purchase earns. They are a plain value: build, check with
// [Rules.Validate], keep in configuration (as JSON: [Rules.MarshalJSON],
// [Rules.UnmarshalJSON]).
//
// The zero Rules are not valid (no currency, no denomination step).
type Rules struct {
	// Currency is the ISO 4217 code of the cards.
	Currency string
	// Multiple is the step of denominations: a card's denomination must be
	// a whole multiple of it (> 0; 100 for Guance in CNY).
	Multiple decimal.Decimal
	// Minimum is the smallest denomination (> 0; 100 for Guance in CNY).
	Minimum decimal.Decimal
	// ValidMonths is how long a card is valid from purchase, in calendar
	// months of the zone given to [Rules.Purchase] (the day clamped to the
	// end of a shorter month); zero means cards never expire.
	ValidMonths int
	// Overdraft is the overdraft limit new cards get (≥ 0): how far below
	// zero a card may go when a policy step draws "overdraft".
	Overdraft decimal.Decimal
	// Tiers is the bonus table, thresholds strictly ascending and bonuses
	// not decreasing. A purchase earns the bonus of the highest tier whose
	// threshold it reaches; below the first, nothing.
	Tiers []Tier
}

// GuanceRules returns Guance's rules for CNY cards
// (002_974120889ed2e661.txt): denominations in multiples of 100, at least
// 100; discount-voucher bonus 10,000 → 1,000, 30,000 → 5,000,
// 100,000 → 20,000; no overdraft unless granted. The seed names a validity
// period without giving its length: ValidMonths is 12 here, an assumption
// to adjust.
func GuanceRules() Rules {
	d := decimal.NewFromInt
	return Rules{
		Currency:    "CNY",
		Multiple:    d(100),
		Minimum:     d(100),
		ValidMonths: 12,
		Overdraft:   decimal.Zero,
		Tiers: []Tier{
			{Threshold: d(10000), Bonus: d(1000)},
			{Threshold: d(30000), Bonus: d(5000)},
			{Threshold: d(100000), Bonus: d(20000)},
		},
	}
}

// Validate returns an error wrapping [ErrInvalid] listing every problem
// with r, or nil.
func (r Rules) Validate() error {
	var probs problems.List
	if !allocation.ValidCurrency(r.Currency) {
		probs.Add("currency %q is not three upper-case letters", r.Currency)
	}
	if !r.Multiple.IsPositive() {
		probs.Add("multiple %s must be positive", r.Multiple)
	}
	if !r.Minimum.IsPositive() {
		probs.Add("minimum %s must be positive", r.Minimum)
	}
	if r.ValidMonths < 0 {
		probs.Add("valid months %d must not be negative", r.ValidMonths)
	}
	if r.Overdraft.IsNegative() {
		probs.Add("overdraft %s must not be negative", r.Overdraft)
	}
	for i, t := range r.Tiers {
		if !t.Threshold.IsPositive() {
			probs.Add("tier %d: threshold %s must be positive", i, t.Threshold)
		}
		if t.Bonus.IsNegative() {
			probs.Add("tier %d: bonus %s must not be negative", i, t.Bonus)
		}
		if i > 0 {
			if !t.Threshold.GreaterThan(r.Tiers[i-1].Threshold) {
				probs.Add("tier %d: threshold %s must be above the previous %s", i, t.Threshold, r.Tiers[i-1].Threshold)
			}
			if t.Bonus.LessThan(r.Tiers[i-1].Bonus) {
				probs.Add("tier %d: bonus %s must not be below the previous %s", i, t.Bonus, r.Tiers[i-1].Bonus)
			}
		}
	}
	if len(probs) > 0 {
		return &InvalidError{What: "rules", ID: r.Currency, Problems: probs}
	}
	return nil
}

// Bonus returns the discount-voucher bonus a purchase of amount earns: the
// bonus of the highest tier whose threshold amount reaches, or zero. Tiers
// do not add up: 30,000 earns 5,000, not 6,000.
func (r Rules) Bonus(amount decimal.Decimal) decimal.Decimal {
	bonus := decimal.Zero
	for _, t := range r.Tiers {
		if amount.GreaterThanOrEqual(t.Threshold) {
			bonus = t.Bonus
		}
	}
	return bonus
}

// CheckDenomination returns an error wrapping [ErrInvalid] if d is not a
// denomination r allows (below the minimum, or not a whole multiple of the
// step), or nil.
func (r Rules) CheckDenomination(d decimal.Decimal) error {
	if p := r.denominationProblem(d); p != "" {
		return &InvalidError{What: "denomination", ID: d.String(), Problems: []string{p}}
	}
	return nil
}

func (r Rules) denominationProblem(d decimal.Decimal) string {
	if d.LessThan(r.Minimum) {
		return "denomination " + d.String() + " is below the minimum " + r.Minimum.String()
	}
	if !r.Multiple.IsPositive() || !d.Mod(r.Multiple).IsZero() {
		return "denomination " + d.String() + " is not a multiple of " + r.Multiple.String()
	}
	return ""
}

// PurchaseParams describe a card bought with [Rules.Purchase].
// The zero PurchaseParams are not valid.
type PurchaseParams struct {
	// ID is the card number (required).
	ID string
	// Account is the buying account, to which the card is bound
	// (required).
	Account string
	// Denomination is the card's face value (see [Rules]).
	Denomination decimal.Decimal
	// Price is what the customer actually paid: 0 < Price ≤ Denomination.
	// Zero means Denomination.
	Price decimal.Decimal
	// At is the purchase time (required); validity starts then.
	At time.Time
}

// A Purchase is the outcome of buying a card (the zero Purchase, returned
// with an error, holds the zero Card): the card itself, the
// discount-voucher bonus it earned (zero below the first tier), and the
// amount to invoice, which is the price actually paid
// (002_974120889ed2e661.txt: invoices are issued "based on the actual
// payment amount"; what the card pays later is not invoiced again).
type Purchase struct {
	Card        Card
	Bonus       decimal.Decimal
	Invoiceable decimal.Decimal
}

// Purchase sells a card under r: it checks the rules and the parameters and
// returns the [Active] card, valid from At for ValidMonths, with r's
// overdraft limit, together with its bonus and invoiceable amount. The
// months are counted on the calendar of loc, the customer's time zone (nil
// means UTC): the date and clock time At shows in loc, moved by ValidMonths
// with the day clamped to the end of a shorter month; the card's
// ValidUntil is in loc. The result depends on the instant At only, not on
// the Location attached to it. It returns one error wrapping [ErrInvalid]
// listing every problem found.
func (r Rules) Purchase(p PurchaseParams, loc *time.Location) (Purchase, error) {
	if err := r.Validate(); err != nil {
		return Purchase{}, err
	}
	var probs problems.List
	if p.ID == "" {
		probs.Add("id is empty")
	}
	if p.Account == "" {
		probs.Add("account is empty")
	}
	if pr := r.denominationProblem(p.Denomination); pr != "" {
		probs.Add("%s", pr)
	}
	price := p.Price
	if price.IsZero() {
		price = p.Denomination
	}
	if !price.IsPositive() || price.GreaterThan(p.Denomination) {
		probs.Add("price %s must be above 0 and at most the denomination %s", price, p.Denomination)
	}
	if p.At.IsZero() {
		probs.Add("purchase time is zero")
	}
	if len(probs) > 0 {
		return Purchase{}, &InvalidError{What: "prepaid card", ID: p.ID, Problems: probs}
	}
	var until time.Time
	if r.ValidMonths > 0 {
		until = calendar.MonthsLaterIn(p.At, r.ValidMonths, loc)
	}
	card := Card{
		id: p.ID, account: p.Account, currency: r.Currency,
		denomination: p.Denomination, balance: p.Denomination, overdraft: r.Overdraft,
		purchasedAt: p.At, validUntil: until, status: Active,
	}
	return Purchase{Card: card, Bonus: r.Bonus(p.Denomination), Invoiceable: price}, nil
}

type (
	storedRules struct {
		Currency    string       `json:"currency"`
		Multiple    string       `json:"multiple"`
		Minimum     string       `json:"minimum"`
		ValidMonths int          `json:"valid_months"`
		Overdraft   string       `json:"overdraft"`
		Tiers       []storedTier `json:"tiers"`
	}
	storedTier struct {
		Threshold string `json:"threshold"`
		Bonus     string `json:"bonus"`
	}
)

// MarshalJSON returns r as configuration a host can keep in a file, with
// amounts as decimal strings (their scale kept, whatever decimal's package
// globals say); [GuanceRules] gives
//
//	{"currency":"CNY","multiple":"100","minimum":"100","valid_months":12,
//	 "overdraft":"0","tiers":[{"threshold":"10000","bonus":"1000"},
//	 {"threshold":"30000","bonus":"5000"},{"threshold":"100000","bonus":"20000"}]}
//
// Every field is written, so that a reader sees that cards expire (or,
// with valid_months 0, never do).
func (r Rules) MarshalJSON() ([]byte, error) {
	s := storedRules{
		Currency: r.Currency, Multiple: stored.Amount(r.Multiple), Minimum: stored.Amount(r.Minimum),
		ValidMonths: r.ValidMonths, Overdraft: stored.Amount(r.Overdraft), Tiers: make([]storedTier, len(r.Tiers)),
	}
	for i, t := range r.Tiers {
		s.Tiers[i] = storedTier{Threshold: stored.Amount(t.Threshold), Bonus: stored.Amount(t.Bonus)}
	}
	return json.Marshal(s)
}

// UnmarshalJSON reads rules as [Rules.MarshalJSON] writes them, strictly:
// unknown or repeated fields, malformed amounts, a missing currency,
// multiple, minimum or valid_months (so that a forgotten validity never
// reads as "cards never expire"; overdraft and tiers may be left out), and
// everything [Rules.Validate] checks. It returns one error wrapping
// [ErrInvalid] listing every problem with its JSON path, and then sets r to
// the zero Rules.
func (r *Rules) UnmarshalJSON(data []byte) error {
	var rd stored.Reader
	o := rd.Object("", data)
	w := Rules{
		Currency:    o.String("currency", true),
		Multiple:    o.Amount("multiple", true),
		Minimum:     o.Amount("minimum", true),
		ValidMonths: o.Int("valid_months", true),
		Overdraft:   o.Amount("overdraft", false),
	}
	o.Array("tiers", func(_ int, t *stored.Object) {
		w.Tiers = append(w.Tiers, Tier{Threshold: t.Amount("threshold", true), Bonus: t.Amount("bonus", true)})
		t.Done()
	})
	o.Done()
	if !rd.Broken {
		var inv *InvalidError
		if err := w.Validate(); errors.As(err, &inv) {
			rd.Problems = append(rd.Problems, inv.Problems...)
		}
	}
	if len(rd.Problems) > 0 {
		*r = Rules{}
		return &InvalidError{What: "rules", ID: w.Currency, Problems: rd.Problems}
	}
	*r = w
	return nil
}
