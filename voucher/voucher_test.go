package voucher

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

var (
	t0  = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	day = 24 * time.Hour
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func regular() Params {
	return Params{ID: "v1", Type: Regular, Currency: "CNY", Denomination: d("100"), IssuedAt: t0, ValidFor: 30 * day}
}

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
}

func mustNew(t tb, p Params) Voucher {
	t.Helper()
	v, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustActive(t tb, p Params, at time.Time) Voucher {
	t.Helper()
	v, err := mustNew(t, p).Activate("acct-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// used builds a split in which instrument id used amount out of balance.
func used(id, currency string, balance, amount decimal.Decimal) allocation.Split {
	return allocation.Split{Bill: "b1", Currency: currency, Instruments: []allocation.InstrumentResult{
		{ID: "other", Used: d("5"), BalanceAfter: d("0")},
		{ID: id, Used: amount, BalanceAfter: balance.Sub(amount)},
	}}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Params)
		probs  []string // substrings, one per expected problem; nil = valid
		reason string
	}{
		{"regular", func(*Params) {}, nil, seedGuance + ": regular vouchers have a denomination"},
		{"discount", func(p *Params) { p.Type = Discount }, nil, seedGuance + ": discount vouchers are amount vouchers"},
		{"percentage_capped", func(p *Params) { p.Type, p.Percent, p.Denomination = Percentage, d("15"), d("50") }, nil, "percentage coupon with a cap"},
		{"percentage_uncapped", func(p *Params) { p.Type, p.Percent, p.Denomination = Percentage, d("100"), d("0") }, nil, "100 % is allowed, no cap"},
		{"fixed_window", func(p *Params) { p.ValidFrom, p.ValidUntil = t0, t0.Add(day) }, nil, "a fixed window is allowed"},
		{"zero_params", func(p *Params) { *p = Params{} }, []string{"id is empty", "type", "currency", "issued at is zero"}, "every problem is listed at once"},
		{"zero_denomination", func(p *Params) { p.Denomination = d("0") }, []string{"denomination 0 must be positive"}, "an amount voucher is worth something"},
		{"negative_denomination", func(p *Params) { p.Denomination = d("-1") }, []string{"denomination -1 must be positive"}, "no negative face value"},
		{"percent_on_amount", func(p *Params) { p.Percent = d("10") }, []string{"percent 10 is only for percentage coupons"}, "percent belongs to coupons"},
		{"percent_zero", func(p *Params) { p.Type, p.Percent = Percentage, d("0") }, []string{"percent 0 must be above 0"}, "a 0 % coupon is nothing"},
		{"percent_over_100", func(p *Params) { p.Type, p.Percent = Percentage, d("100.01") }, []string{"percent 100.01 must be above 0"}, "at most 100 %"},
		{"negative_cap", func(p *Params) { p.Type, p.Percent, p.Denomination = Percentage, d("10"), d("-1") }, []string{"cap -1 must not be negative"}, "no negative cap"},
		{"bad_currency", func(p *Params) { p.Currency = "cny" }, []string{`currency "cny"`}, "ISO 4217 codes are upper case"},
		{"long_currency", func(p *Params) { p.Currency = "CNYY" }, []string{`currency "CNYY"`}, "three letters"},
		{"currency_a_to_z", func(p *Params) { p.Currency = "AZN" }, nil, "A and Z are letters too"},
		{"currency_after_z", func(p *Params) { p.Currency = "CN[" }, []string{`currency "CN["`}, "only letters"},
		{"currency_before_a", func(p *Params) { p.Currency = "@NY" }, []string{`currency "@NY"`}, "only letters"},
		{"negative_min_spend", func(p *Params) { p.MinSpend = d("-1") }, []string{"min spend -1"}, "no negative minimum"},
		{"negative_valid_for", func(p *Params) { p.ValidFor = -day }, []string{"valid for -24h0m0s"}, "no negative validity"},
		{"activate_by_at_issue", func(p *Params) { p.ActivateBy = t0 }, []string{"activate by"}, "the deadline must leave time to activate"},
		{"until_before_from", func(p *Params) { p.ValidFrom, p.ValidUntil = t0.Add(2*day), t0.Add(day) }, []string{"must be after valid from"}, "an empty window"},
		{"until_equals_from", func(p *Params) { p.ValidFrom, p.ValidUntil = t0.Add(day), t0.Add(day) }, []string{"must be after valid from"}, "an empty window (end exclusive)"},
		{"until_at_issue", func(p *Params) { p.ValidUntil = t0 }, []string{"must be after issued at"}, "issued expired"},
		{"bad_type", func(p *Params) { p.Type = "gift" }, []string{`type "gift"`}, "three types only"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		if tt.reason == "" || seen[tt.name] {
			t.Fatalf("row %q: missing reason or duplicate name", tt.name)
		}
		seen[tt.name] = true
		t.Run(tt.name, func(t *testing.T) {
			p := regular()
			tt.edit(&p)
			v, err := New(p)
			if tt.probs == nil {
				if err != nil {
					t.Fatalf("New: %v (%s)", err, tt.reason)
				}
				if v.Status() != Inactive || !v.Balance().Equal(p.Denomination) || v.ID() != p.ID {
					t.Errorf("New = %+v; want inactive with full balance", v)
				}
				return
			}
			var ie *InvalidError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &ie) {
				t.Fatalf("New err = %v; want *InvalidError wrapping ErrInvalid (%s)", err, tt.reason)
			}
			if len(ie.Problems) != len(tt.probs) {
				t.Errorf("problems = %q; want %d", ie.Problems, len(tt.probs))
			}
			for _, want := range tt.probs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if v.ID() != "" {
				t.Errorf("New returned a voucher with an error")
			}
		})
	}
}

func TestActivate(t *testing.T) {
	at := t0.Add(2 * day)
	tests := []struct {
		name             string
		edit             func(*Params)
		at               time.Time
		wantFrom, wantTo time.Time
		wantErr          error
		reason           string
	}{
		{"starts_validity", func(*Params) {}, at, at, at.Add(30 * day), nil, seedGuance + ": activation starts the validity period"},
		{"no_limit", func(p *Params) { p.ValidFor = 0 }, at, at, time.Time{}, nil, "without ValidFor or ValidUntil it never expires"},
		{"fixed_end_wins", func(p *Params) { p.ValidUntil = at.Add(10 * day) }, at, at, at.Add(10 * day), nil, "never beyond the fixed end"},
		{"relative_end_wins", func(p *Params) { p.ValidUntil = at.Add(40 * day) }, at, at, at.Add(30 * day), nil, "the earlier end applies"},
		{"fixed_start_later", func(p *Params) { p.ValidFrom = at.Add(5 * day) }, at, at.Add(5 * day), at.Add(35 * day), nil, "validity counts from the later start"},
		{"fixed_start_earlier", func(p *Params) { p.ValidFrom = t0 }, at, at, at.Add(30 * day), nil, "activation after the fixed start"},
		{"at_issue", func(*Params) {}, t0, t0, t0.Add(30 * day), nil, "activation right at issue"},
		{"before_issue", func(*Params) {}, t0.Add(-time.Second), time.Time{}, time.Time{}, ErrTransition, "not before it exists"},
		{"deadline_passed", func(p *Params) { p.ActivateBy = at }, at, time.Time{}, time.Time{}, ErrTransition, seedGuance + ": activation deadline is exclusive"},
		{"before_deadline", func(p *Params) { p.ActivateBy = at.Add(time.Second) }, at, at, at.Add(30 * day), nil, "just before the deadline"},
		{"fixed_window_over", func(p *Params) { p.ValidUntil = at }, at, time.Time{}, time.Time{}, ErrTransition, seedGuance + ": once expired, vouchers cannot be used anymore"},
		{"zero_instant", func(*Params) {}, time.Time{}, time.Time{}, time.Time{}, ErrInvalid, "time is an argument, never zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := regular()
			tt.edit(&p)
			v := mustNew(t, p)
			got, err := v.Activate("acct-1", tt.at)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got.Status() != Inactive {
					t.Fatalf("Activate = %v, %v; want %v and the voucher unchanged (%s)", got.Status(), err, tt.wantErr, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("Activate: %v (%s)", err, tt.reason)
			}
			if got.Status() != Active || got.Account() != "acct-1" || !got.ActivatedAt().Equal(tt.at) {
				t.Errorf("got %s %q %v; want active, bound to acct-1 at %v", got.Status(), got.Account(), got.ActivatedAt(), tt.at)
			}
			if !got.ValidFrom().Equal(tt.wantFrom) || !got.ValidUntil().Equal(tt.wantTo) {
				t.Errorf("window [%v, %v); want [%v, %v) (%s)", got.ValidFrom(), got.ValidUntil(), tt.wantFrom, tt.wantTo, tt.reason)
			}
			in := got.Instrument()
			if !in.ValidFrom.Equal(tt.wantFrom) || !in.ValidUntil.Equal(tt.wantTo) || in.Status != "active" || in.Group != "acct-1" {
				t.Errorf("instrument %+v does not carry the window, status and account", in)
			}
			if v.Status() != Inactive || !v.ActivatedAt().IsZero() {
				t.Error("Activate changed its receiver")
			}
		})
	}
}

func TestActivateRefusals(t *testing.T) {
	v := mustActive(t, regular(), t0)
	if _, err := v.Activate("acct-2", t0.Add(day)); !errors.Is(err, ErrTransition) {
		t.Errorf("activating twice: %v; want ErrTransition (a voucher binds to one account)", err)
	}
	var te *TransitionError
	if _, err := v.Activate("acct-2", t0.Add(day)); !errors.As(err, &te) || te.Op != "activate" || te.Status != Active || te.ID != "v1" {
		t.Errorf("TransitionError = %+v", te)
	}
	if _, err := mustNew(t, regular()).Activate("", t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty account: %v; want ErrInvalid", err)
	}
	var ie *InvalidError
	if _, err := (Voucher{}).Activate("", time.Time{}); !errors.As(err, &ie) || len(ie.Problems) != 3 {
		t.Errorf("zero voucher, account and instant: %v; want three problems", err)
	}
}

func TestRedeem(t *testing.T) {
	code := testCode(t, 11)
	p := regular()
	p.Code = code
	v := mustNew(t, p)
	typed, err := ParseCode(strings.ToLower(code.String()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Redeem(typed, "acct-9", t0.Add(day))
	if err != nil || got.Status() != Active || got.Account() != "acct-9" {
		t.Fatalf("Redeem = %v %q, %v; want active for acct-9 (%s: activate with the code)", got.Status(), got.Account(), err, seedGuance)
	}
	if _, err := v.Redeem(testCode(t, 12), "acct-9", t0); !errors.Is(err, ErrWrongCode) {
		t.Errorf("another voucher's code: %v; want ErrWrongCode", err)
	}
	if _, err := v.Redeem(Code{}, "acct-9", t0); !errors.Is(err, ErrWrongCode) {
		t.Errorf("zero code: %v; want ErrWrongCode", err)
	}
	if _, err := mustNew(t, regular()).Redeem(code, "acct-9", t0); !errors.Is(err, ErrWrongCode) {
		t.Errorf("voucher without code: %v; want ErrWrongCode (only administrators grant it)", err)
	}
	if _, err := got.Redeem(code, "acct-9", t0.Add(day)); !errors.Is(err, ErrTransition) {
		t.Errorf("redeeming twice: %v; want ErrTransition", err)
	}
}

func TestTransitions(t *testing.T) {
	// Every transition of the status diagram, and every refused one.
	act := t0.Add(day)
	end := act.Add(30 * day)
	type op struct {
		name string
		at   time.Time
	}
	tests := []struct {
		name       string
		ops        []op
		want       Status
		wantErr    error // of the last op
		forfeited  string
		closedAt   time.Time
		reason     string
		activateBy time.Time
	}{
		{"activate", []op{{"activate", act}}, Active, nil, "0", time.Time{}, seedGuance + ": inactive → active", time.Time{}},
		{"use_up", []op{{"activate", act}, {"use:100", act}}, UsedUp, nil, "0", act, "balance reaching zero uses the voucher up", time.Time{}},
		{"partial_use", []op{{"activate", act}, {"use:40", act}}, Active, nil, "0", time.Time{}, seedGuance + ": vouchers keep a current balance", time.Time{}},
		{"expire_active", []op{{"activate", act}, {"use:40", act}, {"expire", end.Add(day)}}, Expired, nil, "60", end, seedGuance + ": expired vouchers cannot be used; ClosedAt is the true end", time.Time{}},
		{"expire_at_end", []op{{"activate", act}, {"expire", end}}, Expired, nil, "100", end, "the end is exclusive", time.Time{}},
		{"expire_too_early", []op{{"activate", act}, {"expire", end.Add(-time.Second)}}, Active, ErrTransition, "0", time.Time{}, "still valid", time.Time{}},
		{"expire_inactive_deadline", []op{{"expire", t0.Add(10 * day)}}, Expired, nil, "100", t0.Add(10 * day), "an unactivated voucher expires at its activation deadline", t0.Add(10 * day)},
		{"expire_inactive_no_deadline", []op{{"expire", t0.Add(100 * day)}}, Inactive, ErrTransition, "0", time.Time{}, "no deadline, no expiry before activation", time.Time{}},
		{"revoke_inactive", []op{{"revoke", act}}, Revoked, nil, "100", act, "the issuer withdraws it", time.Time{}},
		{"revoke_active", []op{{"activate", act}, {"use:30", act}, {"revoke", act.Add(day)}}, Revoked, nil, "70", act.Add(day), "the issuer withdraws it, the rest is forfeited", time.Time{}},
		{"revoke_used_up", []op{{"activate", act}, {"use:100", act}, {"revoke", act}}, UsedUp, ErrTransition, "0", act, "used_up is final", time.Time{}},
		{"expire_revoked", []op{{"revoke", act}, {"expire", end.Add(day)}}, Revoked, ErrTransition, "100", act, "revoked is final", time.Time{}},
		{"revoke_expired", []op{{"activate", act}, {"expire", end}, {"revoke", end}}, Expired, ErrTransition, "100", end, "expired is final", time.Time{}},
		{"activate_revoked", []op{{"revoke", act}, {"activate", act}}, Revoked, ErrTransition, "100", act, "revoked is final", time.Time{}},
		{"never_expires", []op{{"activate", act}, {"expire", act.Add(1000 * day)}}, Active, ErrTransition, "0", time.Time{}, "no end, no expiry", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := regular()
			p.ActivateBy = tt.activateBy
			if tt.name == "never_expires" {
				p.ValidFor = 0
			}
			v := mustNew(t, p)
			var err error
			for _, o := range tt.ops {
				var w Voucher
				switch {
				case o.name == "activate":
					w, err = v.Activate("acct-1", o.at)
				case o.name == "expire":
					w, err = v.Expire(o.at)
				case o.name == "revoke":
					w, err = v.Revoke(o.at)
				case strings.HasPrefix(o.name, "use:"):
					w, err = v.Apply(used(v.ID(), "CNY", v.Balance(), d(o.name[4:])), o.at)
				}
				if err == nil {
					v = w
				} else if w.Status() != v.Status() {
					t.Fatalf("%s failed but changed the status", o.name)
				}
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("last op err = %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if v.Status() != tt.want || !v.Forfeited().Equal(d(tt.forfeited)) || !v.ClosedAt().Equal(tt.closedAt) {
				t.Errorf("status %s forfeited %s closed %v; want %s %s %v (%s)", v.Status(), v.Forfeited(), v.ClosedAt(), tt.want, tt.forfeited, tt.closedAt, tt.reason)
			}
			if sum := v.Balance().Add(v.Used()).Add(v.Forfeited()); !sum.Equal(v.Denomination()) {
				t.Errorf("balance %s + used %s + forfeited %s ≠ denomination %s", v.Balance(), v.Used(), v.Forfeited(), v.Denomination())
			}
			if v.Status().Final() != (v.Status() == UsedUp || v.Status() == Expired || v.Status() == Revoked) {
				t.Error("Final disagrees with the diagram")
			}
			if in := v.Instrument(); in.Status != string(v.Status()) {
				t.Errorf("instrument status %q; want %q", in.Status, v.Status())
			}
		})
	}
}

func TestStatusAt(t *testing.T) {
	p := regular()
	p.ActivateBy = t0.Add(5 * day)
	v := mustNew(t, p)
	if s := v.StatusAt(t0.Add(5*day - time.Second)); s != Inactive {
		t.Errorf("before deadline: %s", s)
	}
	if s := v.StatusAt(t0.Add(5 * day)); s != Expired {
		t.Errorf("at deadline: %s; want expired (%s)", s, seedGuance)
	}
	a := mustActive(t, regular(), t0)
	if s := a.StatusAt(t0.Add(30*day - time.Second)); s != Active {
		t.Errorf("within validity: %s", s)
	}
	if s := a.StatusAt(t0.Add(30 * day)); s != Expired {
		t.Errorf("at end: %s; want expired", s)
	}
	r, _ := a.Revoke(t0)
	if s := r.StatusAt(t0.Add(100 * day)); s != Revoked {
		t.Errorf("revoked later: %s; final statuses stay", s)
	}
}

func TestApply(t *testing.T) {
	act := mustActive(t, regular(), t0)
	at := t0.Add(day)
	tests := []struct {
		name        string
		v           Voucher
		split       allocation.Split
		wantErr     error
		wantBalance string
		wantStatus  Status
		reason      string
	}{
		{"partial", act, used("v1", "CNY", d("100"), d("30")), nil, "70", Active, "balance goes down by Used"},
		{"all", act, used("v1", "CNY", d("100"), d("100")), nil, "0", UsedUp, "used_up at zero"},
		{"unused_any_status", mustNew(t, regular()), used("v1", "CNY", d("100"), d("0")), nil, "100", Inactive, "an unused voucher comes back unchanged"},
		{"not_listed", act, used("v2", "CNY", d("100"), d("30")), ErrSplit, "100", Active, "the split must list the voucher"},
		{"over_balance", act, used("v1", "CNY", d("100.01"), d("100.01")), ErrSplit, "100", Active, "never below zero"},
		{"negative_used", act, used("v1", "CNY", d("100"), d("-1")), ErrSplit, "100", Active, "no negative use"},
		{"other_currency", act, used("v1", "USD", d("100"), d("30")), ErrSplit, "100", Active, "currencies must match"},
		{"inactive_used", mustNew(t, regular()), used("v1", "CNY", d("100"), d("30")), ErrSplit, "100", Inactive, "only an active voucher pays"},
		{"stale", act, used("v1", "CNY", d("90"), d("30")), ErrSplit, "100", Active, "a split made from another balance (or applied twice) is refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Apply(tt.split, at)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Apply err = %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if !got.Balance().Equal(d(tt.wantBalance)) || got.Status() != tt.wantStatus {
				t.Errorf("balance %s status %s; want %s %s (%s)", got.Balance(), got.Status(), tt.wantBalance, tt.wantStatus, tt.reason)
			}
			var se *SplitError
			if err != nil && (!errors.As(err, &se) || se.Bill != "b1" || se.ID != tt.v.ID() || !strings.HasPrefix(err.Error(), "voucher: ")) {
				t.Errorf("error %v is not a SplitError naming bill and voucher", err)
			}
		})
	}
	// Applying the same split twice is refused the second time.
	s := used("v1", "CNY", d("100"), d("30"))
	once, err := act.Apply(s, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := once.Apply(s, at); !errors.Is(err, ErrSplit) {
		t.Errorf("second Apply of one split: %v; want ErrSplit", err)
	}
	if _, err := act.Apply(s, time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero instant: %v; want ErrInvalid", err)
	}
}

func TestApplyCoupon(t *testing.T) {
	capped := regular()
	capped.Type, capped.Percent, capped.Denomination = Percentage, d("15"), d("50")
	c := mustActive(t, capped, t0)
	got, err := c.Apply(used("v1", "CNY", d("50"), d("12")), t0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status() != UsedUp || !got.Used().Equal(d("12")) || !got.Forfeited().Equal(d("38")) || !got.Balance().IsZero() {
		t.Errorf("capped coupon after use: %s used %s forfeited %s balance %s; want used_up 12 38 0 (single use)", got.Status(), got.Used(), got.Forfeited(), got.Balance())
	}
	if _, err := c.Apply(used("v1", "CNY", d("50"), d("51")), t0); !errors.Is(err, ErrSplit) {
		t.Errorf("discount above cap: %v; want ErrSplit", err)
	}
	uncapped := capped
	uncapped.Denomination = d("0")
	u := mustActive(t, uncapped, t0)
	if !u.Uncapped() || c.Uncapped() || mustActive(t, regular(), t0).Uncapped() {
		t.Error("Uncapped wrong")
	}
	s := allocation.Split{Bill: "b", Currency: "CNY", Instruments: []allocation.InstrumentResult{{ID: "v1", Used: d("700"), BalanceAfter: d("0")}}}
	got, err = u.Apply(s, t0)
	if err != nil || got.Status() != UsedUp || !got.Used().Equal(d("700")) {
		t.Errorf("uncapped coupon: %v %s %s; want used_up having taken 700", err, got.Status(), got.Used())
	}
}

func TestInstrument(t *testing.T) {
	p := regular()
	p.MinSpend = d("200")
	p.Scope = allocation.Scope{Products: []string{"kec"}, ExcludeModes: []string{"trial"}}
	p.Priority = 3
	v := mustActive(t, p, t0)
	got := v.Instrument()
	want := allocation.Instrument{
		ID: "v1", Kind: KindVoucher, Currency: "CNY", Balance: d("100"), MinSpend: d("200"),
		ValidFrom: t0, ValidUntil: t0.Add(30 * day), Scope: p.Scope, Priority: 3, IssuedAt: t0,
		Status: "active", Group: "acct-1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Instrument (-want +got):\n%s", diff)
	}
	// No memory is shared: changing the projection or the params leaves the
	// voucher alone.
	got.Scope.Products[0] = "changed"
	p.Scope.Products[0] = "changed too"
	if v.Scope().Products[0] != "kec" || v.Instrument().Scope.Products[0] != "kec" {
		t.Error("the voucher's scope shares memory")
	}
	s := v.Scope()
	s.Products[0] = "x"
	if v.Scope().Products[0] != "kec" {
		t.Error("Scope() shares memory")
	}
	for typ, kind := range map[Type]string{Regular: "voucher", Discount: "discount_voucher", Percentage: "coupon", "x": ""} {
		if typ.Kind() != kind {
			t.Errorf("%s.Kind() = %q; want %q", typ, typ.Kind(), kind)
		}
	}
	cp := regular()
	cp.Type, cp.Percent, cp.Denomination = Percentage, d("15"), d("0")
	in := mustNew(t, cp).Instrument()
	if !in.IsPercent() || !in.Percent.Decimal.Equal(d("15")) || in.Capped || in.Kind != KindCoupon || in.Status != "inactive" {
		t.Errorf("coupon instrument %+v", in)
	}
	if in.Invoiceable {
		t.Error("vouchers are never invoiceable")
	}
	fixed := regular()
	fixed.ValidFrom, fixed.ValidUntil = t0.Add(day), t0.Add(9*day)
	if in := mustNew(t, fixed).Instrument(); !in.ValidFrom.Equal(t0.Add(day)) || !in.ValidUntil.Equal(t0.Add(9*day)) {
		t.Errorf("inactive voucher instrument window [%v, %v); want the fixed bounds", in.ValidFrom, in.ValidUntil)
	}
}

func TestGetters(t *testing.T) {
	p := regular()
	p.Type, p.Percent, p.Denomination = Percentage, d("12.5"), d("30")
	p.Code = testCode(t, 5)
	p.ActivateBy = t0.Add(day)
	p.MinSpend = d("99")
	p.Priority = -1
	v := mustNew(t, p)
	if v.Type() != Percentage || v.Currency() != "CNY" || !v.Denomination().Equal(d("30")) ||
		!v.Percent().Equal(d("12.5")) || !v.MinSpend().Equal(d("99")) || v.Code() != p.Code ||
		!v.IssuedAt().Equal(t0) || !v.ActivateBy().Equal(t0.Add(day)) || v.ValidFor() != 30*day ||
		v.Priority() != -1 || v.Account() != "" || !v.ClosedAt().IsZero() || !v.Used().IsZero() {
		t.Errorf("getters do not return the params: %+v", v)
	}
}
