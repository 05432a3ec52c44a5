package prepaid

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// KindCard is the instrument kind of a prepaid [Card].
const KindCard = "prepaid_card"

// A Status is where a card is in its life (see the package documentation
// for transitions). Only [Active] cards pay. The zero Status is only that
// of the zero Card.
type Status string

const (
	// Active: valid and with something left to draw.
	Active Status = "active"
	// UsedUp: nothing more may be drawn (balance at zero, or at −overdraft
	// for a card that may overdraw); repaying an overdraft makes it
	// active again.
	UsedUp Status = "used_up"
	// Expired: its validity ended; a positive balance is void, a negative
	// one is still owed.
	Expired Status = "expired"
)

// A Card is an immutable prepaid card (Guance 002_974120889ed2e661.txt),
// bought with [Rules.Purchase]. Methods that change it return a new Card.
//
// The zero Card is not a card (it has no id): its methods return errors
// wrapping [ErrInvalid].
type Card struct {
	id, account, currency string
	denomination          decimal.Decimal
	balance               decimal.Decimal // may be negative, ≥ −overdraft
	overdraft             decimal.Decimal
	used, forfeited       decimal.Decimal
	repaid                decimal.Decimal
	purchasedAt           time.Time
	validUntil            time.Time
	status                Status
	closedAt              time.Time
}

// ID returns the card number.
func (c Card) ID() string { return c.id }

// Account returns the buying account, the only one the card pays for.
func (c Card) Account() string { return c.account }

// Currency returns the card's ISO 4217 currency code.
func (c Card) Currency() string { return c.currency }

// Denomination returns the card's face value.
func (c Card) Denomination() decimal.Decimal { return c.denomination }

// Balance returns the card's balance: at most the denomination, at least
// −Overdraft; negative means overdue money is owed. Balance = Denomination
// − Used + Repaid − Forfeited.
func (c Card) Balance() decimal.Decimal { return c.balance }

// Overdraft returns how far below zero the balance may go.
func (c Card) Overdraft() decimal.Decimal { return c.overdraft }

// Used returns the total the card has paid, overdraft included.
func (c Card) Used() decimal.Decimal { return c.used }

// Repaid returns the total of overdue balance repaid.
func (c Card) Repaid() decimal.Decimal { return c.repaid }

// Forfeited returns the positive balance voided at expiry; zero otherwise.
func (c Card) Forfeited() decimal.Decimal { return c.forfeited }

// Owed returns the overdue amount: −Balance if negative, else zero.
func (c Card) Owed() decimal.Decimal {
	if c.balance.IsNegative() {
		return c.balance.Neg()
	}
	return decimal.Zero
}

// Spendable returns how much more the card may pay when overdraft is
// drawn: Balance + Overdraft.
func (c Card) Spendable() decimal.Decimal { return c.balance.Add(c.overdraft) }

// PurchasedAt returns when the card was bought; its validity starts then.
func (c Card) PurchasedAt() time.Time { return c.purchasedAt }

// ValidUntil returns the end of the card's validity (exclusive); zero means
// it never expires.
func (c Card) ValidUntil() time.Time { return c.validUntil }

// Status returns the recorded status; see [Card.StatusAt].
func (c Card) Status() Status { return c.status }

// StatusAt returns the status as of at: the recorded one, except that a
// card whose validity ended at or before at is [Expired] even if
// [Card.Expire] was not called yet.
func (c Card) StatusAt(at time.Time) Status {
	if c.status != Expired && !c.validUntil.IsZero() && !at.Before(c.validUntil) {
		return Expired
	}
	return c.status
}

// ClosedAt returns when the card was used up or expired (for expiry, the
// end of its validity); zero while active.
func (c Card) ClosedAt() time.Time { return c.closedAt }

func (c Card) check(at time.Time, more ...string) error {
	if probs := problems.Call(c.id, "the zero Card is not a card", at, more...); len(probs) > 0 {
		return &InvalidError{What: "prepaid card", ID: c.id, Problems: probs}
	}
	return nil
}

func (c Card) refuse(op, problem string) error {
	return &TransitionError{What: "prepaid card", ID: c.id, Op: op, Status: c.status, Problem: problem}
}

// settle sets the status an active or used-up card has for its balance.
func (c Card) settle(at time.Time) Card {
	if c.status == Expired {
		return c
	}
	if c.Spendable().IsPositive() {
		c.status, c.closedAt = Active, time.Time{}
	} else if c.status != UsedUp {
		c.status, c.closedAt = UsedUp, at
	}
	return c
}

// Apply takes back into the card what split used of it, booked at at: the
// balance goes down by the instrument's Used, below zero only as far as the
// overdraft limit, and the card becomes [UsedUp] when nothing more may be
// drawn. A card the split did not use comes back unchanged.
//
// It returns an error wrapping [ErrSplit], and the card unchanged, if the
// split does not list the card, used it in another currency or while it was
// not active, used more than Balance + Overdraft, or reports a balance
// after that is not the balance minus what was used (applied already, or
// made from another state of the card).
func (c Card) Apply(split allocation.Split, at time.Time) (Card, error) {
	if err := c.check(at); err != nil {
		return c, err
	}
	bad := func(p string) (Card, error) {
		return c, &SplitError{What: "prepaid card", ID: c.id, Bill: split.Bill, Problem: p}
	}
	r, p := instrument.Use(split, c.id, c.currency)
	if p != "" {
		return bad(p)
	}
	if r.Used.IsZero() {
		return c, nil
	}
	if c.status != Active {
		return bad(fmt.Sprintf("the card is %s; only an active card pays", c.status))
	}
	if r.Used.GreaterThan(c.Spendable()) {
		return bad(fmt.Sprintf("used %s exceeds balance %s plus overdraft %s", r.Used, c.balance, c.overdraft))
	}
	bal := c.balance.Sub(r.Used)
	if p := instrument.Stale(r, c.balance, bal); p != "" {
		return bad(p)
	}
	w := c
	w.balance = bal
	w.used = c.used.Add(r.Used)
	return w.settle(at), nil
}

// Expire voids an active or used-up card whose validity ended by at: it
// becomes [Expired], a positive balance is forfeited (expired cards are
// void), a negative balance stays owed. ClosedAt is the end of validity,
// not at. It returns an error wrapping [ErrTransition] if the card is
// expired already, never expires, or is still valid at at.
func (c Card) Expire(at time.Time) (Card, error) {
	if err := c.check(at); err != nil {
		return c, err
	}
	switch {
	case c.status == Expired:
		return c, c.refuse("expire", "it is expired already")
	case c.validUntil.IsZero():
		return c, c.refuse("expire", "it never expires")
	case at.Before(c.validUntil):
		return c, c.refuse("expire", fmt.Sprintf("it is valid until %s", c.validUntil.Format(time.RFC3339)))
	}
	w := c
	w.status = Expired
	w.closedAt = c.validUntil
	if c.balance.IsPositive() {
		w.forfeited = c.forfeited.Add(c.balance)
		w.balance = decimal.Zero
	}
	return w, nil
}

// Repay offsets up to amount of what the card owes, at at, and returns the
// card and how much was repaid (never more than was owed; zero if nothing
// was). A used-up card with room to draw again becomes [Active]; an expired
// card stays expired. It returns an error wrapping [ErrInvalid] for an
// amount that is not positive.
func (c Card) Repay(amount decimal.Decimal, at time.Time) (Card, decimal.Decimal, error) {
	var more problems.List
	if !amount.IsPositive() {
		more.Add("amount %s must be positive", amount)
	}
	if err := c.check(at, more...); err != nil {
		return c, decimal.Zero, err
	}
	paid := decimal.Min(amount, c.Owed())
	if paid.IsZero() {
		return c, paid, nil
	}
	w := c
	w.balance = c.balance.Add(paid)
	w.repaid = c.repaid.Add(paid)
	return w.settle(at), paid, nil
}

// WithOverdraft sets the card's overdraft limit at at. It returns an error
// wrapping [ErrInvalid] for a negative limit and one wrapping
// [ErrTransition] for a limit below what the card owes now, or for an
// expired card.
func (c Card) WithOverdraft(limit decimal.Decimal, at time.Time) (Card, error) {
	var more problems.List
	if limit.IsNegative() {
		more.Add("overdraft %s must not be negative", limit)
	}
	if err := c.check(at, more...); err != nil {
		return c, err
	}
	if c.status == Expired {
		return c, c.refuse("change the overdraft of", "it is expired")
	}
	if limit.LessThan(c.Owed()) {
		return c, c.refuse("change the overdraft of", fmt.Sprintf("overdraft %s is below the %s owed", limit, c.Owed()))
	}
	w := c
	w.overdraft = limit
	return w.settle(at), nil
}

// Refund always fails with an error wrapping [ErrNotRefundable]: prepaid
// cards are non-refundable once purchased and cannot be redeemed for cash
// (002_974120889ed2e661.txt).
func (c Card) Refund(at time.Time) (Card, decimal.Decimal, error) {
	return c, decimal.Zero, &RuleError{ID: c.id, Op: "refund", Rule: "prepaid cards are non-refundable and cannot be redeemed for cash", err: ErrNotRefundable}
}

// Transfer always fails with an error wrapping [ErrNotTransferable]: a card
// is bound to the account that bought it (002_974120889ed2e661.txt).
func (c Card) Transfer(account string, at time.Time) (Card, error) {
	return c, &RuleError{ID: c.id, Op: "transfer", Rule: fmt.Sprintf("a card pays only for its buying account %q", c.account), err: ErrNotTransferable}
}

// Instrument projects the card to an [allocation.Instrument] of kind
// [KindCard]: its balance and overdraft limit, validity from purchase,
// purchase time (for "oldest_first"), status "active" only when [Active],
// the buying account as Group, and not invoiceable (the purchase was).
func (c Card) Instrument() allocation.Instrument {
	status := string(c.status)
	if c.status == Active {
		status = "active"
	}
	return allocation.Instrument{
		ID:         c.id,
		Kind:       KindCard,
		Currency:   c.currency,
		Balance:    c.balance,
		Overdraft:  c.overdraft,
		ValidFrom:  c.purchasedAt,
		ValidUntil: c.validUntil,
		IssuedAt:   c.purchasedAt,
		Status:     status,
		Group:      c.account,
	}
}

// Wallet returns the instruments of the cards bought by account, in the
// order given; other accounts' cards are left out, since a card pays only
// for its buying account.
func Wallet(cards []Card, account string) allocation.Wallet {
	var w allocation.Wallet
	for _, c := range cards {
		if c.id != "" && c.account == account {
			w = append(w, c.Instrument())
		}
	}
	return w
}

// OffsetOverdue applies a cash top-up of amount, at at, to what cards owe
// first (002_974120889ed2e661.txt: recharging "will prioritize offsetting
// the overdue balance"): card by card, oldest purchase first, then by card
// number, each repaid as far as the money goes. It returns the cards
// (a new slice, in the given order), the total repaid and the rest of the
// amount for the host to credit as cash. It returns an error wrapping
// [ErrInvalid] for an amount that is not positive or a zero instant, and
// then the cards unchanged.
func OffsetOverdue(cards []Card, amount decimal.Decimal, at time.Time) ([]Card, decimal.Decimal, decimal.Decimal, error) {
	out := slices.Clone(cards)
	var probs problems.List
	if !amount.IsPositive() {
		probs.Add("amount %s must be positive", amount)
	}
	if at.IsZero() {
		probs.Add("instant is zero")
	}
	if len(probs) > 0 {
		return out, decimal.Zero, amount, &InvalidError{What: "top-up", Problems: probs}
	}
	order := make([]int, 0, len(out))
	for i, c := range out {
		if c.id != "" && c.balance.IsNegative() {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(out[a].purchasedAt.Compare(out[b].purchasedAt), strings.Compare(out[a].id, out[b].id), cmp.Compare(a, b))
	})
	rest, total := amount, decimal.Zero
	for _, i := range order {
		if !rest.IsPositive() {
			break
		}
		c, paid, _ := out[i].Repay(rest, at) // cannot fail: rest > 0, at set, id set
		out[i] = c
		rest = rest.Sub(paid)
		total = total.Add(paid)
	}
	return out, total, rest, nil
}
