package voucher

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/billfold/billfold/internal/problems"
	"github.com/billfold/billfold/internal/stored"
)

// storedVoucher is the stored form, version 1. Field order is the order
// of the JSON object.
type storedVoucher struct {
	Version         int           `json:"version"`
	ID              string        `json:"id"`
	Type            Type          `json:"type"`
	Currency        string        `json:"currency"`
	Denomination    string        `json:"denomination"`
	Percent         string        `json:"percent,omitempty"`
	MinSpend        string        `json:"min_spend,omitempty"`
	Scope           *stored.Scope `json:"scope,omitempty"`
	Code            string        `json:"code,omitempty"`
	IssuedAt        string        `json:"issued_at"`
	ActivateBy      string        `json:"activate_by,omitempty"`
	ValidFor        string        `json:"valid_for,omitempty"`
	FixedValidFrom  string        `json:"fixed_valid_from,omitempty"`
	FixedValidUntil string        `json:"fixed_valid_until,omitempty"`
	Priority        int           `json:"priority,omitempty"`
	Status          Status        `json:"status"`
	Account         string        `json:"account,omitempty"`
	ActivatedAt     string        `json:"activated_at,omitempty"`
	ValidFrom       string        `json:"valid_from,omitempty"`
	ValidUntil      string        `json:"valid_until,omitempty"`
	ClosedAt        string        `json:"closed_at,omitempty"`
	Balance         string        `json:"balance"`
	Used            string        `json:"used,omitempty"`
	Forfeited       string        `json:"forfeited,omitempty"`
}

// MarshalJSON returns the stored form of v, version 1: a JSON object that
// holds the voucher's definition (terms, scope, validity, code) and its
// lifecycle (status, account, activation and closing instants, and what it
// paid and forfeited), so that a host can keep vouchers between requests
// and get them back with [Voucher.UnmarshalJSON] exactly (see
// [Voucher.Equal]):
//
//	{"version":1,"id":"V-100","type":"regular","currency":"CNY",
//	 "denomination":"100","code":"5CFF-9JF7-18V4-GKF0",
//	 "issued_at":"2024-03-01T00:00:00Z","valid_for":"2160h0m0s",
//	 "status":"active","account":"acct-42",
//	 "activated_at":"2024-03-03T00:00:00Z",
//	 "valid_from":"2024-03-03T00:00:00Z","valid_until":"2024-06-01T00:00:00Z",
//	 "balance":"100"}
//
// Amounts are decimal strings with their scale kept ("1.50"); instants are
// RFC 3339 in UTC (only the instant is stored, not its Location: nothing
// in this package depends on it); valid_for is a Go duration string;
// fixed_valid_from and fixed_valid_until are the bounds of [Params],
// valid_from and valid_until the window in force once activated. Fields
// whose value is zero are left out, except balance.
//
// The journal, not this value, is the truth for money: build the wallet of
// the next bill from the stored vouchers' instruments with
// ledger.WithBalances(journal, wallet), which takes each balance from the
// journal and makes a used-up voucher that the journal holds value for
// (a refund) usable again until its validity ends.
//
// It returns an error wrapping [ErrInvalid] for the zero Voucher.
func (v Voucher) MarshalJSON() ([]byte, error) {
	if v.id == "" {
		return nil, &InvalidError{Problems: []string{"the zero Voucher has no stored form"}}
	}
	s := storedVoucher{
		Version: stored.Version, ID: v.id, Type: v.typ, Currency: v.currency,
		Denomination: stored.Amount(v.denomination), Percent: stored.OptAmount(v.percent),
		MinSpend: stored.OptAmount(v.minSpend), Scope: stored.ScopeOf(v.scope), Code: v.code.String(),
		IssuedAt: stored.Time(v.issuedAt), ActivateBy: stored.Time(v.activateBy),
		FixedValidFrom: stored.Time(v.fixedFrom), FixedValidUntil: stored.Time(v.fixedUntil),
		Priority: v.priority, Status: v.status, Account: v.account,
		ActivatedAt: stored.Time(v.activatedAt), ValidFrom: stored.Time(v.validFrom),
		ValidUntil: stored.Time(v.validUntil), ClosedAt: stored.Time(v.closedAt),
		Balance: stored.Amount(v.balance), Used: stored.OptAmount(v.used), Forfeited: stored.OptAmount(v.forfeited),
	}
	if v.validFor != 0 {
		s.ValidFor = v.validFor.String()
	}
	return json.Marshal(s)
}

// UnmarshalJSON reads the stored form [Voucher.MarshalJSON] writes. It is
// strict and checks everything: the version (1), unknown or repeated
// fields, malformed amounts and instants, the rules of [Params] (type,
// currency, amounts, date order of the terms), a known status and a
// lifecycle that status can have been reached by: balance + used +
// forfeited = denomination (so no balance above face value, none
// negative), the validity window the terms give for the activation
// instant, a closing instant exactly when the status is final, an account
// exactly when activated. It returns one error wrapping [ErrInvalid] (an
// [*InvalidError]) listing every problem with its JSON path, and then sets
// v to the zero Voucher: never a half-built value. (Called through
// [encoding/json.Unmarshal], input that is not JSON at all is refused by
// encoding/json itself with a [*encoding/json.SyntaxError], before this
// method runs, and v is left as it was.)
func (v *Voucher) UnmarshalJSON(data []byte) error {
	w, probs := stored.Read(v, data, readVoucher, Voucher.check)
	if len(probs) > 0 {
		return &InvalidError{ID: w.id, Problems: probs}
	}
	return nil
}

func readVoucher(r *stored.Reader, o *stored.Object) Voucher {
	var w Voucher
	w.id = o.String("id", true)
	w.typ = Type(o.String("type", true))
	w.currency = o.String("currency", true)
	w.denomination = o.Amount("denomination", true)
	w.percent = o.Amount("percent", false)
	w.minSpend = o.Amount("min_spend", false)
	w.scope = stored.ReadScope(o.Object("scope"))
	if c := o.String("code", false); c != "" {
		code, err := ParseCode(c)
		if err != nil {
			r.Problems.Add("%s: %v", o.Path("code"), err)
		}
		w.code = code
	}
	w.issuedAt = o.Time("issued_at", true)
	w.activateBy = o.Time("activate_by", false)
	w.validFor = o.Duration("valid_for")
	w.fixedFrom = o.Time("fixed_valid_from", false)
	w.fixedUntil = o.Time("fixed_valid_until", false)
	w.priority = o.Int("priority", false)
	w.status = Status(o.String("status", true))
	w.account = o.String("account", false)
	w.activatedAt = o.Time("activated_at", false)
	w.validFrom = o.Time("valid_from", false)
	w.validUntil = o.Time("valid_until", false)
	w.closedAt = o.Time("closed_at", false)
	w.balance = o.Amount("balance", true)
	w.used = o.Amount("used", false)
	w.forfeited = o.Amount("forfeited", false)
	return w
}

// check adds every way w breaks the rules of [New] or cannot have been
// reached through the lifecycle.
func (w Voucher) check(probs *problems.List) {
	var inv *InvalidError
	if _, err := New(w.params()); errors.As(err, &inv) {
		*probs = append(*probs, inv.Problems...)
	}
	stored.NotNegative(probs, "balance", w.balance)
	stored.NotNegative(probs, "used", w.used)
	stored.NotNegative(probs, "forfeited", w.forfeited)
	if w.Uncapped() {
		if !w.balance.IsZero() || !w.forfeited.IsZero() {
			probs.Add("an uncapped coupon has no balance or forfeited amount (balance %s, forfeited %s)", w.balance, w.forfeited)
		}
	} else if sum := w.balance.Add(w.used).Add(w.forfeited); !sum.Equal(w.denomination) {
		probs.Add("balance %s + used %s + forfeited %s = %s, not the denomination %s", w.balance, w.used, w.forfeited, sum, w.denomination)
	}
	activated := !w.activatedAt.IsZero()
	switch w.status {
	case Inactive, Active, UsedUp, Expired, Revoked:
	default:
		probs.Add("status %q is not inactive, active, used_up, expired or revoked", w.status)
		return
	}
	if w.status.Final() == w.closedAt.IsZero() {
		probs.Add("closed at %q must be set exactly when the status is final (status %s)", stored.Time(w.closedAt), w.status)
	}
	if activated != (w.account != "") {
		probs.Add("account %q and activated at %q must be set together", w.account, stored.Time(w.activatedAt))
	}
	if w.status == Inactive || w.status == Active {
		if w.typ == Percentage && (!w.used.IsZero() || !w.forfeited.IsZero()) {
			probs.Add("a coupon in status %s has used nothing (used %s, forfeited %s): coupons are single-use", w.status, w.used, w.forfeited)
		} else if !w.forfeited.IsZero() {
			probs.Add("a voucher in status %s has forfeited nothing (forfeited %s)", w.status, w.forfeited)
		}
	}
	switch w.status {
	case Inactive:
		if activated || !w.validFrom.IsZero() || !w.validUntil.IsZero() || !w.used.IsZero() {
			probs.Add("an inactive voucher has no activation, validity window or use")
		}
	case Active, UsedUp:
		if !activated {
			probs.Add("a voucher in status %s has an activation instant", w.status)
		}
	}
	if w.status == Active && !w.Uncapped() && !w.balance.IsPositive() {
		probs.Add("an active voucher has a positive balance (balance %s)", w.balance)
	}
	if w.status == UsedUp && !w.balance.IsZero() {
		probs.Add("a used-up voucher has a zero balance (balance %s)", w.balance)
	}
	if (w.status == UsedUp) && !w.used.IsPositive() {
		probs.Add("a used-up voucher has paid something (used %s)", w.used)
	}
	if (w.status == Expired || w.status == Revoked) && !w.balance.IsZero() {
		probs.Add("a voucher in status %s has forfeited its balance (balance %s)", w.status, w.balance)
	}
	if activated {
		stored.NotBefore(probs, "activated at", w.activatedAt, "issued at", w.issuedAt)
		if !w.validUntil.IsZero() {
			stored.After(probs, "valid until", w.validUntil, "valid from", w.validFrom)
		}
		from, until := w.window(w.activatedAt)
		if !w.validFrom.Equal(from) || !w.validUntil.Equal(until) {
			probs.Add("validity window [%q, %q) is not the one the terms give for activation at %s: [%q, %q)",
				stored.Time(w.validFrom), stored.Time(w.validUntil), stored.Time(w.activatedAt), stored.Time(from), stored.Time(until))
		}
		if !w.closedAt.IsZero() && w.status != Expired {
			stored.NotBefore(probs, "closed at", w.closedAt, "activated at", w.activatedAt)
		}
	}
	if w.status == Expired {
		// Expiry closes at the deadline of the status it left.
		prev := w
		prev.status = Inactive
		if activated {
			prev.status = Active
		}
		if d := prev.deadline(); d.IsZero() || !w.closedAt.Equal(d) {
			probs.Add("an expired voucher closed at its deadline %q, not %q", stored.Time(d), stored.Time(w.closedAt))
		}
	}
	if !w.closedAt.IsZero() {
		stored.NotBefore(probs, "closed at", w.closedAt, "issued at", w.issuedAt)
	}
}

// params returns the parameters v was issued with.
func (v Voucher) params() Params {
	return Params{
		ID: v.id, Type: v.typ, Currency: v.currency, Denomination: v.denomination,
		Percent: v.percent, MinSpend: v.minSpend, Scope: v.scope, Code: v.code,
		IssuedAt: v.issuedAt, ActivateBy: v.activateBy, ValidFor: v.validFor,
		ValidFrom: v.fixedFrom, ValidUntil: v.fixedUntil, Priority: v.priority,
	}
}

// window returns the validity window activation at at starts.
func (v Voucher) window(at time.Time) (from, until time.Time) {
	from = at
	if v.fixedFrom.After(from) {
		from = v.fixedFrom
	}
	until = v.fixedUntil
	if v.validFor > 0 {
		until = earliest(until, from.Add(v.validFor))
	}
	return from, until
}

// Equal reports whether v and w are the same voucher in the same state:
// every field equal, amounts by value ([decimal.Decimal.Equal]), instants
// as instants ([time.Time.Equal], whatever their Location), scope lists
// element by element (nil and empty alike). A voucher and its stored form
// read back are Equal.
func (v Voucher) Equal(w Voucher) bool {
	return v.id == w.id && v.typ == w.typ && v.currency == w.currency &&
		v.denomination.Equal(w.denomination) && v.balance.Equal(w.balance) &&
		v.used.Equal(w.used) && v.forfeited.Equal(w.forfeited) &&
		v.percent.Equal(w.percent) && v.minSpend.Equal(w.minSpend) &&
		stored.ScopeEqual(v.scope, w.scope) && v.code == w.code &&
		v.issuedAt.Equal(w.issuedAt) && v.activateBy.Equal(w.activateBy) &&
		v.validFor == w.validFor && v.fixedFrom.Equal(w.fixedFrom) &&
		v.fixedUntil.Equal(w.fixedUntil) && v.priority == w.priority &&
		v.status == w.status && v.account == w.account &&
		v.activatedAt.Equal(w.activatedAt) && v.validFrom.Equal(w.validFrom) &&
		v.validUntil.Equal(w.validUntil) && v.closedAt.Equal(w.closedAt)
}
