package credit

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// KindGift is the instrument kind of a [Gift] balance.
const KindGift = "gift"

// ModeTrial is the billing mode of product trials, which gift balance never
// pays (000_f04d44448bd9d2a1.txt). Hosts put it in [allocation.Bill].Mode.
const ModeTrial = "trial"

// GiftParams describe an account's gift balance for [NewGift].
// The zero GiftParams are not valid.
type GiftParams struct {
	// ID identifies the balance; Account is the account holding it
	// (both required).
	ID, Account string
	// Currency is an ISO 4217 code (required).
	Currency string
	// Balance is the opening balance (≥ 0).
	Balance decimal.Decimal
}

// A Gift is an account's gift balance (Kingsoft Cloud
// 000_f04d44448bd9d2a1.txt): granted by the provider during promotions or
// as compensation, it never expires, pays any expense except product
// trials, is not invoiceable and cannot be cashed. It has no status: it is
// always usable while its balance is positive. Methods that change it
// return a new Gift.
//
// The zero Gift is not a gift balance (it has no id): its methods return
// errors wrapping [ErrInvalid].
type Gift struct {
	id, account, currency string
	balance               decimal.Decimal
	granted, used         decimal.Decimal
}

// NewGift opens a gift balance. It returns one error wrapping [ErrInvalid]
// listing every problem found.
func NewGift(p GiftParams) (Gift, error) {
	var probs problems.List
	if p.ID == "" {
		probs.Add("id is empty")
	}
	if p.Account == "" {
		probs.Add("account is empty")
	}
	if !allocation.ValidCurrency(p.Currency) {
		probs.Add("currency %q is not three upper-case letters", p.Currency)
	}
	if p.Balance.IsNegative() {
		probs.Add("balance %s must not be negative", p.Balance)
	}
	if len(probs) > 0 {
		return Gift{}, &InvalidError{What: "gift balance", ID: p.ID, Problems: probs}
	}
	return Gift{id: p.ID, account: p.Account, currency: p.Currency, balance: p.Balance, granted: p.Balance}, nil
}

// ID returns the balance's id.
func (g Gift) ID() string { return g.id }

// Account returns the account holding the balance.
func (g Gift) Account() string { return g.account }

// Currency returns the balance's ISO 4217 currency code.
func (g Gift) Currency() string { return g.currency }

// Balance returns what is left; never negative.
func (g Gift) Balance() decimal.Decimal { return g.balance }

// Granted returns the total ever granted (opening balance included).
// Balance = Granted − Used.
func (g Gift) Granted() decimal.Decimal { return g.granted }

// Used returns the total the balance has paid.
func (g Gift) Used() decimal.Decimal { return g.used }

func (g Gift) invalid(probs ...string) error {
	return &InvalidError{What: "gift balance", ID: g.id, Problems: probs}
}

// Grant adds a positive amount to the balance (a promotion or a
// compensation). It returns an error wrapping [ErrInvalid] for a zero Gift,
// a zero instant or an amount that is not positive.
func (g Gift) Grant(amount decimal.Decimal, at time.Time) (Gift, error) {
	var more problems.List
	if !amount.IsPositive() {
		more.Add("amount %s must be positive", amount)
	}
	if probs := problems.Call(g.id, "the zero Gift is not a gift balance", at, more...); len(probs) > 0 {
		return g, g.invalid(probs...)
	}
	w := g
	w.balance = g.balance.Add(amount)
	w.granted = g.granted.Add(amount)
	return w, nil
}

// Refund always fails with an error wrapping [ErrNotRefundable]: gift
// balance cannot be cashed (000_f04d44448bd9d2a1.txt).
func (g Gift) Refund(at time.Time) (Gift, decimal.Decimal, error) {
	return g, decimal.Zero, &RefundError{What: "gift balance", ID: g.id, Problem: "gift balance cannot be cashed"}
}

// Apply takes back into the balance what split used of it, booked at at.
// A balance the split did not use comes back unchanged. It returns an error
// wrapping [ErrSplit], and the balance unchanged, if the split does not
// list it, used it in another currency, used more than the balance, or
// reports a balance after that is not the balance minus what was used.
func (g Gift) Apply(split allocation.Split, at time.Time) (Gift, error) {
	if g.id == "" || at.IsZero() {
		return g, g.invalid("the zero Gift or a zero instant")
	}
	bad := func(p string) (Gift, error) {
		return g, &SplitError{What: "gift balance", ID: g.id, Bill: split.Bill, Problem: p}
	}
	r, p := instrument.Use(split, g.id, g.currency)
	if p != "" {
		return bad(p)
	}
	if r.Used.IsZero() {
		return g, nil
	}
	if r.Used.GreaterThan(g.balance) {
		return bad(fmt.Sprintf("used %s exceeds the balance %s", r.Used, g.balance))
	}
	bal := g.balance.Sub(r.Used)
	if p := instrument.Stale(r, g.balance, bal); p != "" {
		return bad(p)
	}
	w := g
	w.balance = bal
	w.used = g.used.Add(r.Used)
	return w, nil
}

// Instrument projects the balance to an [allocation.Instrument] of kind
// [KindGift]: no expiry, a scope excluding the billing mode [ModeTrial],
// status "active", the account as Group, and not invoiceable.
func (g Gift) Instrument() allocation.Instrument {
	return allocation.Instrument{
		ID:       g.id,
		Kind:     KindGift,
		Currency: g.currency,
		Balance:  g.balance,
		Scope:    allocation.Scope{ExcludeModes: []string{ModeTrial}},
		Status:   "active",
		Group:    g.account,
	}
}
