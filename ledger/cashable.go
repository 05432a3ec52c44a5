package ledger

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// ErrNotCashable is wrapped by the error for a transaction that would pay
// value out to [Refunded] that must stay in the ledger: see
// [NotCashableError].
var ErrNotCashable = errors.New("ledger: value may not leave the ledger as cash")

// CashableKind reports whether value on an instrument of the given kind may
// be paid out to the customer as cash, by the rules of the seeds. It is the
// rule [TermsOf] applies; the kind names are those of billfold's domain
// packages.
//
// Cashable: "cash" (a cash balance), "prepayment" (Alibaba Cloud
// prepayment balance, 001: the remaining balance can be refunded),
// "paid_credit" (KakaoCloud credits, 003: paid credit can be refunded) and
// "credit_line" (Kingsoft Cloud account assets, 000: the available credit
// holds the customer's own money; its overdraft part is borrowed and never
// leaves as cash, whatever the terms say).
//
// Not cashable: "gift" (000: gift balance cannot be cashed),
// "prepaid_card" (Guance billing center wallet, 002: prepaid cards are
// non-refundable), "free_credit" (003), the vouchers "voucher",
// "discount_voucher" and "coupon" (promotional value), and every kind not
// named here: value stays in unless a host says otherwise.
func CashableKind(kind string) bool {
	switch kind {
	case "cash", "prepayment", "paid_credit", "credit_line":
		return true
	}
	return false
}

// A CashReason says why value may not leave an account as cash.
type CashReason string

const (
	// RefusedByTerms: the account's [Terms] are NotCashable (gift
	// balance, prepaid cards, free credit, vouchers).
	RefusedByTerms CashReason = "not_cashable"
	// RefusedOverdraft: the cash would come from below zero, that is from
	// the account's overdraft (Kingsoft Cloud 000: a credit line lends,
	// it does not pay out).
	RefusedOverdraft CashReason = "overdraft"
)

// A Refusal is one instrument account whose value may not leave as cash.
type Refusal struct {
	Account Account
	// Kind is the account's [Terms].Kind, "" if it has no terms.
	Kind   string
	Reason CashReason
	// Balance is what the account's balance would be after the
	// transaction (below zero for [RefusedOverdraft]).
	Balance decimal.Decimal
}

// A NotCashableError reports every instrument account that a transaction
// paying into [Refunded] would take value from although that value may
// not leave the ledger, in order of their first posting. The transaction
// was rejected whole. It wraps [ErrNotCashable].
type NotCashableError struct {
	ID       string
	Refusals []Refusal
}

// Error names each account, its kind and the reason.
func (e *NotCashableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ledger: transaction %q would pay out as cash what must stay in:", e.ID)
	for _, r := range e.Refusals {
		kind := r.Kind
		if kind == "" {
			kind = "no terms"
		}
		why := "its terms are not cashable"
		if r.Reason == RefusedOverdraft {
			why = fmt.Sprintf("its balance would be %s: only value above zero can be paid out, never an overdraft", exact(r.Balance))
		}
		fmt.Fprintf(&b, "\n\t%s (%s): %s", r.Account, kind, why)
	}
	return b.String()
}

// Unwrap returns [ErrNotCashable].
func (e *NotCashableError) Unwrap() error { return ErrNotCashable }

// checkCash is the check of Apply on value leaving as cash: when tx posts
// a positive amount to [Refunded] in some currency, every instrument
// account of that currency that tx takes from (any negative posting) must
// be cashable and end at or above zero.
func (l *log) checkCash(n int, tx Transaction, ns []net) error {
	var cur []string
	for _, p := range tx.Postings {
		if p.Account.sys == Refunded && p.Amount.IsPositive() {
			cur = append(cur, p.Account.currency)
		}
	}
	if len(cur) == 0 {
		return nil
	}
	var rs []Refusal
	for _, x := range ns {
		a := x.account
		if !a.IsInstrument() || !slices.Contains(cur, a.currency) || !takesFrom(tx.Postings, a) {
			continue
		}
		t, _ := l.terms(a, n)
		after := l.balance(a, n).Add(x.amount)
		switch {
		case t.NotCashable:
			rs = append(rs, Refusal{Account: a, Kind: t.Kind, Reason: RefusedByTerms, Balance: after})
		case after.IsNegative():
			rs = append(rs, Refusal{Account: a, Kind: t.Kind, Reason: RefusedOverdraft, Balance: after})
		}
	}
	if len(rs) > 0 {
		return &NotCashableError{ID: tx.ID, Refusals: rs}
	}
	return nil
}

// takesFrom reports whether a posting takes from account a.
func takesFrom(ps []Posting, a Account) bool {
	for _, p := range ps {
		if p.Account == a && p.Amount.IsNegative() {
			return true
		}
	}
	return false
}
