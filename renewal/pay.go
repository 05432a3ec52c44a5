package renewal

import (
	"fmt"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// Instrument kinds drawn by [DefaultPolicy] (host-defined strings, as in the
// rest of billfold).
const (
	// VoucherKind is a Kingsoft voucher: a stored amount with an expiry.
	VoucherKind = "voucher"
	// GiftKind is gift balance: never expires, used before cash
	// (000_f04d44448bd9d2a1.txt).
	GiftKind = "gift"
	// CashKind is the account's available credit; its Overdraft is the
	// granted credit line (000_f04d44448bd9d2a1.txt).
	CashKind = "cash"
	// CreditLineKind is available credit as credit.Line projects it
	// (credit.KindCreditLine): drawn like [CashKind].
	CreditLineKind = "credit_line"
)

// BillMode is the [allocation.Bill] mode of renewal bills, which instrument
// scopes can include or exclude.
const BillMode = "renewal"

// DefaultPolicy returns the payment policy renewals use when the caller
// passes the zero [allocation.Policy]. Renewal fees are deducted from the
// account balance, vouchers first (004_436d555c5a6b9a35.txt), and the
// balance is gift balance, then available credit (000_f04d44448bd9d2a1.txt):
//
//  1. "vouchers": kind [VoucherKind], the soonest-expiring first, and among
//     vouchers expiring at the same instant the one that can deduct the most
//     (then the instrument id, allocation's final tie-break);
//  2. "gift_balance": kind [GiftKind], down to zero;
//  3. "balance": kinds [CashKind] and [CreditLineKind], down to −Overdraft
//     (the credit line).
//
// Strategy [allocation.InOrder] and the currency's minor units; there are
// no restrictions. Each call returns a new value.
func DefaultPolicy() allocation.Policy {
	return allocation.Policy{
		Name:     "renewal",
		Strategy: allocation.InOrder,
		Steps: []allocation.Step{
			{
				Name:  "vouchers",
				Kinds: []string{VoucherKind},
				Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst},
			},
			{Name: "gift_balance", Kinds: []string{GiftKind}},
			{Name: "balance", Kinds: []string{CashKind, CreditLineKind}, Draw: allocation.DrawAll},
		},
	}
}

// orDefault returns policy, or [DefaultPolicy] for the zero Policy.
func orDefault(policy allocation.Policy) allocation.Policy {
	if policy.Name == "" && policy.Strategy == "" && policy.Rounding == (allocation.Rounding{}) &&
		len(policy.Steps) == 0 && len(policy.Restrictions) == 0 {
		return DefaultPolicy()
	}
	return policy
}

// renewalBill is the bill for renewing in from expiry from: one line, id
// the instance id, product the instance's product, the given amount.
func renewalBill(in Instance, from, at time.Time, amount decimal.Decimal, currency string) allocation.Bill {
	return allocation.Bill{
		ID:       fmt.Sprintf("renewal:%s:%s", in.ID, from.UTC().Format(time.RFC3339Nano)),
		Currency: currency,
		At:       at,
		Mode:     BillMode,
		Lines:    []allocation.Line{{ID: in.ID, Product: in.Product, Amount: amount}},
	}
}

// covered reports whether split settles a bill of amount in full: nothing
// outstanding, and discounts and payments adding up to the amount.
func covered(split allocation.Split, amount decimal.Decimal) bool {
	return split.Outstanding.Sign() == 0 && split.Total.Equal(amount) &&
		split.Paid.Add(split.Discounted).Equal(amount)
}

// UsedUp is the Status [RunAuto] and [Renew] give a single-use coupon in the
// wallet they return once a renewal has used it: allocation skips it from
// then on as inactive. It is the voucher package's used_up status.
const UsedUp = "used_up"

// carry returns wallet as it stands after split paid: the balances of
// [allocation.Wallet.After], and every percentage instrument the split used
// marked [UsedUp] unless reusable lists it. A percentage coupon is
// single-use (the voucher package says so of every percentage coupon):
// allocation applies it at most once per bill, and carry makes a run of
// bills apply it once in all.
func carry(wallet allocation.Wallet, split allocation.Split, reusable []string) allocation.Wallet {
	out := wallet.After(split)
	for k := range out {
		in := &out[k]
		if !in.IsPercent() || slices.Contains(reusable, in.ID) {
			continue
		}
		if r, ok := split.Instrument(in.ID); ok && r.Used.Sign() > 0 {
			in.Status = UsedUp
		}
	}
	return out
}

// checkReusable adds a problem for each id of reusable that does not name a
// percentage instrument of wallet.
func checkReusable(wallet allocation.Wallet, reusable []string, p *problems) {
	for _, id := range reusable {
		k := slices.IndexFunc(wallet, func(in allocation.Instrument) bool { return in.ID == id })
		switch {
		case k < 0:
			p.addf("reusable: no instrument %q in the wallet", id)
		case !wallet[k].IsPercent():
			p.addf("reusable: instrument %q is not a percentage coupon (stored value is always reused until spent)", id)
		}
	}
}
