package voucher

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// deadline returns the instant from which v, in its current status,
// counts as expired: for an inactive voucher the earlier of its activation
// deadline and its fixed end of validity, for an active one the end of its
// validity window. Zero means never (and for final statuses, not
// applicable).
func (v Voucher) deadline() time.Time {
	switch v.status {
	case Inactive:
		return earliest(v.activateBy, v.fixedUntil)
	case Active:
		return v.validUntil
	}
	return time.Time{}
}

// earliest returns the earlier of the non-zero instants among a and b, or
// zero if both are zero.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// checkArgs reports a zero receiver or a zero instant.
func (v Voucher) checkArgs(at time.Time, more ...string) error {
	if probs := problems.Call(v.id, "the zero Voucher is not a voucher", at, more...); len(probs) > 0 {
		return &InvalidError{ID: v.id, Problems: probs}
	}
	return nil
}

// StatusAt returns the voucher's status as of at: its recorded status,
// except that an inactive or active voucher whose deadline (activation
// deadline or end of validity) is at or before at is [Expired], even if
// [Voucher.Expire] has not been called yet.
func (v Voucher) StatusAt(at time.Time) Status {
	if d := v.deadline(); !d.IsZero() && !at.Before(d) {
		return Expired
	}
	return v.status
}

// Activate binds an [Inactive] voucher to account at instant at and starts
// its validity: it becomes [Active], valid from the later of at and the
// fixed ValidFrom, for ValidFor, and never beyond the fixed ValidUntil (see
// [Params]). This is how an administrator grants a voucher directly to an
// account (002_974120889ed2e661.txt); customers use [Voucher.Redeem].
//
// It returns an error wrapping [ErrInvalid] for an empty account or a zero
// instant, and one wrapping [ErrTransition] if the voucher is not inactive,
// if at is before it was issued, or if its activation deadline or fixed
// validity has passed at at.
func (v Voucher) Activate(account string, at time.Time) (Voucher, error) {
	var more problems.List
	if account == "" {
		more.Add("account is empty")
	}
	if err := v.checkArgs(at, more...); err != nil {
		return v, err
	}
	if v.status != Inactive {
		return v, v.refuse("activate", "only an inactive voucher can be activated")
	}
	if at.Before(v.issuedAt) {
		return v, v.refuse("activate", fmt.Sprintf("%s is before it was issued at %s", at.Format(time.RFC3339), v.issuedAt.Format(time.RFC3339)))
	}
	if d := v.deadline(); !d.IsZero() && !at.Before(d) {
		return v, v.refuse("activate", fmt.Sprintf("it could be activated only before %s", d.Format(time.RFC3339)))
	}
	start, until := v.window(at)
	w := v
	w.status = Active
	w.account = account
	w.activatedAt = at
	w.validFrom = start
	w.validUntil = until
	return w, nil
}

// Redeem is [Voucher.Activate] for a customer who typed the voucher's
// activation code: it first checks that code is the voucher's own and
// returns an error wrapping [ErrWrongCode] if it is not (or if the voucher
// has no code). Parse what was typed with [ParseCode] first: that catches
// typos before any lookup.
func (v Voucher) Redeem(code Code, account string, at time.Time) (Voucher, error) {
	if v.code.IsZero() || code.IsZero() || !v.code.Equal(code) {
		return v, fmt.Errorf("%w (voucher %q)", ErrWrongCode, v.id)
	}
	return v.Activate(account, at)
}

// Expire moves an inactive or active voucher whose deadline has come (its
// end of validity, or for an inactive one its activation deadline) to
// [Expired], forfeiting its balance. ClosedAt is the deadline itself, not
// at, so expiring late records the true instant. It returns an error
// wrapping [ErrTransition] if the voucher is final already or its deadline
// is after at.
func (v Voucher) Expire(at time.Time) (Voucher, error) {
	if err := v.checkArgs(at); err != nil {
		return v, err
	}
	if v.status.Final() {
		return v, v.refuse("expire", "it is final already")
	}
	d := v.deadline()
	if d.IsZero() {
		return v, v.refuse("expire", "it never expires")
	}
	if at.Before(d) {
		return v, v.refuse("expire", fmt.Sprintf("it is valid until %s", d.Format(time.RFC3339)))
	}
	return v.close(Expired, d), nil
}

// Revoke withdraws an inactive or active voucher at at: it becomes
// [Revoked] and its balance is forfeited. It returns an error wrapping
// [ErrTransition] if the voucher is final already.
func (v Voucher) Revoke(at time.Time) (Voucher, error) {
	if err := v.checkArgs(at); err != nil {
		return v, err
	}
	if v.status.Final() {
		return v, v.refuse("revoke", "it is final already")
	}
	return v.close(Revoked, at), nil
}

// close returns v in final status s at at, with its balance forfeited.
func (v Voucher) close(s Status, at time.Time) Voucher {
	w := v
	w.status = s
	w.closedAt = at
	w.forfeited = v.forfeited.Add(v.balance)
	w.balance = decimal.Zero
	return w
}

func (v Voucher) refuse(op, problem string) error {
	return &TransitionError{ID: v.id, Op: op, Status: v.status, Problem: problem}
}

// Apply takes back into the voucher what split used of it, as of at (the
// instant the payment is booked), and returns the updated voucher: the
// balance goes down by the instrument's Used, and the voucher becomes
// [UsedUp] when its balance reaches zero, or at once for a percentage
// coupon (coupons are single-use: the cap it did not use is forfeited). A voucher the split did not use comes
// back unchanged, whatever its status.
//
// It returns an error wrapping [ErrSplit], and the voucher unchanged, if the
// split does not list the voucher, used it in another currency, used it
// while it was not active, used more than its balance, or reports a balance
// after that is not this voucher's balance minus what was used (the split
// was already applied, or made from another state of the voucher).
func (v Voucher) Apply(split allocation.Split, at time.Time) (Voucher, error) {
	if err := v.checkArgs(at); err != nil {
		return v, err
	}
	bad := func(format string, args ...any) (Voucher, error) {
		return v, &SplitError{ID: v.id, Bill: split.Bill, Problem: fmt.Sprintf(format, args...)}
	}
	r, ok := split.Instrument(v.id)
	if !ok {
		return bad("the split does not list the voucher")
	}
	if r.Used.IsZero() {
		return v, nil
	}
	if r.Used.IsNegative() {
		return bad("used %s is negative", r.Used)
	}
	if split.Currency != v.currency {
		return bad("split currency %q is not the voucher's %q", split.Currency, v.currency)
	}
	if v.status != Active {
		return bad("the voucher is %s; only an active voucher pays", v.status)
	}
	w := v
	w.used = v.used.Add(r.Used)
	if !v.Uncapped() {
		if r.Used.GreaterThan(v.balance) {
			return bad("used %s exceeds the balance %s", r.Used, v.balance)
		}
		w.balance = v.balance.Sub(r.Used)
		if !r.BalanceAfter.Equal(w.balance) {
			return bad("the split's balance after %s is not the balance %s minus used %s: applied already, or made from another state", r.BalanceAfter, v.balance, r.Used)
		}
	}
	if v.typ == Percentage {
		// Single use: the cap not taken is forfeited with the coupon.
		w.forfeited = w.forfeited.Add(w.balance)
		w.balance = decimal.Zero
	}
	if w.balance.IsZero() {
		w.status = UsedUp
		w.closedAt = at
	}
	return w, nil
}

// Instrument projects the voucher to an [allocation.Instrument]: kind by
// [Type] ([KindVoucher], [KindDiscountVoucher] or [KindCoupon]), balance
// (or a coupon's percent and remaining cap), min spend, validity window,
// scope, priority, issue time, status (only [Active] pays) and the account
// as Group. Vouchers are never invoiceable: what they pay is a discount the
// customer did not pay for. The instrument shares no memory with v.
func (v Voucher) Instrument() allocation.Instrument {
	in := allocation.Instrument{
		ID:         v.id,
		Kind:       v.typ.Kind(),
		Currency:   v.currency,
		Balance:    v.balance,
		MinSpend:   v.minSpend,
		ValidFrom:  v.ValidFrom(),
		ValidUntil: v.ValidUntil(),
		Scope:      instrument.CloneScope(v.scope),
		Priority:   v.priority,
		IssuedAt:   v.issuedAt,
		Status:     string(v.status),
		Group:      v.account,
	}
	if v.typ == Percentage {
		in.Percent = decimal.NewNullDecimal(v.percent)
		in.Uncapped = v.Uncapped()
	}
	return in
}
