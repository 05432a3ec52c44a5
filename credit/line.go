package credit

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// KindCreditLine is the instrument kind of a [Line].
const KindCreditLine = "credit_line"

// LineParams describe an account's available credit for [NewLine].
// The zero LineParams are not valid.
type LineParams struct {
	// ID identifies the line; Account is the account holding it (both
	// required).
	ID, Account string
	// Currency is an ISO 4217 code (required).
	Currency string
	// Limit is the credit line granted: how far below zero available
	// credit may go (≥ 0; zero for an account without a credit line).
	Limit decimal.Decimal
	// Available is the opening available credit (≥ −Limit).
	Available decimal.Decimal
}

// A Line is an account's available credit with its credit line (Kingsoft
// Cloud 000_f04d44448bd9d2a1.txt): the usable money of the account, which
// may go negative down to −Limit once a credit line is granted; a negative
// value is what the customer owes. What it pays is invoiceable. It has no
// status. Methods that change it return a new Line.
//
// The zero Line is not a line (it has no id): its methods return errors
// wrapping [ErrInvalid].
type Line struct {
	id, account, currency string
	limit, available      decimal.Decimal
}

// A TopUp reports how [Line.TopUp] used a payment: Repaid is the part that
// paid back what was owed, Credited the part that raised available credit
// above zero. Repaid + Credited is the amount topped up. The zero TopUp
// (as returned with an error) used nothing.
type TopUp struct {
	Repaid, Credited decimal.Decimal
}

// NewLine opens an account's available credit. It returns one error
// wrapping [ErrInvalid] listing every problem found.
func NewLine(p LineParams) (Line, error) {
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
	if p.Limit.IsNegative() {
		probs.Add("limit %s must not be negative", p.Limit)
	} else if p.Available.LessThan(p.Limit.Neg()) {
		probs.Add("available %s is below −limit %s", p.Available, p.Limit)
	}
	if len(probs) > 0 {
		return Line{}, &InvalidError{What: "credit line", ID: p.ID, Problems: probs}
	}
	return Line{id: p.ID, account: p.Account, currency: p.Currency, limit: p.Limit, available: p.Available}, nil
}

// ID returns the line's id.
func (l Line) ID() string { return l.id }

// Account returns the account holding the line.
func (l Line) Account() string { return l.account }

// Currency returns the line's ISO 4217 currency code.
func (l Line) Currency() string { return l.currency }

// Limit returns the credit line: how far below zero available credit may
// go.
func (l Line) Limit() decimal.Decimal { return l.limit }

// Available returns the available credit, −Limit ≤ Available; negative
// means money is owed.
func (l Line) Available() decimal.Decimal { return l.available }

// Owed returns what the customer owes: −Available if that is positive,
// else zero.
func (l Line) Owed() decimal.Decimal {
	if l.available.IsNegative() {
		return l.available.Neg()
	}
	return decimal.Zero
}

// Spendable returns how much more may be spent: Available + Limit, never
// negative.
func (l Line) Spendable() decimal.Decimal { return l.available.Add(l.limit) }

func (l Line) check(at time.Time, more ...string) error {
	if probs := problems.Call(l.id, "the zero Line is not a credit line", at, more...); len(probs) > 0 {
		return &InvalidError{What: "credit line", ID: l.id, Problems: probs}
	}
	return nil
}

// TopUp adds a positive amount (a recharge or bank transfer) at at. What is
// owed is repaid first, the rest raises available credit; the returned
// [TopUp] says how the amount was split. It returns an error wrapping
// [ErrInvalid] for an amount that is not positive.
func (l Line) TopUp(amount decimal.Decimal, at time.Time) (Line, TopUp, error) {
	var more problems.List
	if !amount.IsPositive() {
		more.Add("amount %s must be positive", amount)
	}
	if err := l.check(at, more...); err != nil {
		return l, TopUp{}, err
	}
	repaid := decimal.Min(amount, l.Owed())
	w := l
	w.available = l.available.Add(amount)
	return w, TopUp{Repaid: repaid, Credited: amount.Sub(repaid)}, nil
}

// WithLimit changes the credit line to limit at at (a new grant, a raise
// or a cut). It returns an error wrapping [ErrInvalid] for a negative
// limit, and one wrapping [ErrTransition] for a limit below what is owed
// now: the debt must be repaid first.
func (l Line) WithLimit(limit decimal.Decimal, at time.Time) (Line, error) {
	var more problems.List
	if limit.IsNegative() {
		more.Add("limit %s must not be negative", limit)
	}
	if err := l.check(at, more...); err != nil {
		return l, err
	}
	if limit.LessThan(l.Owed()) {
		return l, &TransitionError{What: "credit line", ID: l.id, Op: "lower the limit of", Problem: fmt.Sprintf("limit %s is below the %s owed", limit, l.Owed())}
	}
	w := l
	w.limit = limit
	return w, nil
}

// Apply takes back into the line what split used of it, booked at at:
// available credit goes down by the instrument's Used, possibly below zero
// but never below −Limit. A line the split did not use comes back
// unchanged. It returns an error wrapping [ErrSplit], and the line
// unchanged, if the split does not list it, used it in another currency,
// used more than Available + Limit, or reports a balance after that is not
// Available minus what was used.
func (l Line) Apply(split allocation.Split, at time.Time) (Line, error) {
	if err := l.check(at); err != nil {
		return l, err
	}
	bad := func(p string) (Line, error) {
		return l, &SplitError{What: "credit line", ID: l.id, Bill: split.Bill, Problem: p}
	}
	r, p := instrument.Use(split, l.id, l.currency)
	if p != "" {
		return bad(p)
	}
	if r.Used.IsZero() {
		return l, nil
	}
	if r.Used.GreaterThan(l.Spendable()) {
		return bad(fmt.Sprintf("used %s exceeds available %s plus limit %s", r.Used, l.available, l.limit))
	}
	avail := l.available.Sub(r.Used)
	if p := instrument.Stale(r, l.available, avail); p != "" {
		return bad(p)
	}
	w := l
	w.available = avail
	return w, nil
}

// Instrument projects the line to an [allocation.Instrument] of kind
// [KindCreditLine]: Balance is the available credit (negative when owed),
// Overdraft the limit (so only a policy step drawing "all" or "overdraft"
// goes below zero), no expiry, status "active", the account as Group, and
// invoiceable.
func (l Line) Instrument() allocation.Instrument {
	return allocation.Instrument{
		ID:          l.id,
		Kind:        KindCreditLine,
		Currency:    l.currency,
		Balance:     l.available,
		Overdraft:   l.limit,
		Status:      "active",
		Group:       l.account,
		Invoiceable: true,
	}
}
