package credit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

const (
	seedKakao    = "003_b4fbba3f981e0ca6.txt"
	seedKingsoft = "000_f04d44448bd9d2a1.txt"
)

var t0 = time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

type tb interface {
	Helper()
	Fatal(args ...any)
}

func freeParams() FreeParams {
	return FreeParams{ID: "f1", Name: "Welcome", Domain: "dom", Group: "main", Currency: "KRW", Amount: d("100000"), GrantedAt: t0, ValidUntil: t0.AddDate(0, 6, 0)}
}

func paidParams() PaidParams {
	return PaidParams{ID: "p1", Name: "Bought", Domain: "dom", Group: "main", Currency: "KRW", Amount: d("500000"), PurchasedAt: t0}
}

func mustFree(t tb, p FreeParams) Credit {
	t.Helper()
	c, err := NewFree(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustPaid(t tb, p PaidParams) Credit {
	t.Helper()
	c, err := NewPaid(p, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// used builds a split in which instrument id used amount of balance.
func used(id, currency string, balance, amount decimal.Decimal) allocation.Split {
	return allocation.Split{Bill: "b1", Currency: currency, Instruments: []allocation.InstrumentResult{
		{ID: id, Used: amount, BalanceAfter: balance.Sub(amount)},
		{ID: "zz", Used: d("1"), BalanceAfter: d("0")},
	}}
}

func checkInvalid(t *testing.T, err error, probs []string, reason string) {
	t.Helper()
	var ie *InvalidError
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &ie) {
		t.Fatalf("err = %v; want *InvalidError wrapping ErrInvalid (%s)", err, reason)
	}
	if len(ie.Problems) != len(probs) {
		t.Errorf("problems %q; want %d (%s)", ie.Problems, len(probs), reason)
	}
	for _, p := range probs {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q lacks %q", err, p)
		}
	}
	if !strings.HasPrefix(err.Error(), "credit: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
}

func TestNewFree(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*FreeParams)
		probs  []string
		reason string
	}{
		{"valid", func(*FreeParams) {}, nil, seedKakao + ": free credits have a usage period"},
		{"valid_from_later", func(p *FreeParams) { p.ValidFrom = t0.AddDate(0, 1, 0) }, nil, "the usage period may start later"},
		{"zero", func(p *FreeParams) { *p = FreeParams{} }, []string{"id is empty", "domain is empty", "billing group is empty", "currency", "amount 0", "granted at is zero", "valid until is zero"}, "every problem at once"},
		{"negative_amount", func(p *FreeParams) { p.Amount = d("-5") }, []string{"amount -5 must be positive"}, "credits are worth something"},
		{"period_empty", func(p *FreeParams) { p.ValidUntil = t0 }, []string{"must be after valid from"}, "the end is exclusive"},
		{"period_before_start", func(p *FreeParams) { p.ValidFrom, p.ValidUntil = t0.AddDate(0, 2, 0), t0.AddDate(0, 1, 0) }, []string{"must be after valid from"}, "the end follows the start"},
		{"empty_service", func(p *FreeParams) { p.Services = []string{"vm", ""} }, []string{"service 1 is empty"}, "no blank service names"},
		{"bad_currency", func(p *FreeParams) { p.Currency = "Krw" }, []string{`currency "Krw"`}, "ISO 4217"},
		{"currency_a_to_z", func(p *FreeParams) { p.Currency = "AZN" }, nil, "A and Z are letters too"},
		{"currency_past_z", func(p *FreeParams) { p.Currency = "KR[" }, []string{`currency "KR["`}, "letters only"},
		{"currency_before_a", func(p *FreeParams) { p.Currency = "@RW" }, []string{`currency "@RW"`}, "letters only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := freeParams()
			tt.edit(&p)
			c, err := NewFree(p)
			if tt.probs != nil {
				checkInvalid(t, err, tt.probs, tt.reason)
				if c.ID() != "" {
					t.Error("a credit came back with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantFrom := p.ValidFrom
			if wantFrom.IsZero() {
				wantFrom = t0
			}
			if c.Status() != Available || c.Type() != Free || !c.Remaining().Equal(p.Amount) || !c.Accumulated().Equal(p.Amount) || !c.ValidFrom().Equal(wantFrom) {
				t.Errorf("NewFree = %+v", c)
			}
			if h := c.History(); len(h) != 1 || h[0].Type != EntryAccumulation || !h[0].Amount.Equal(p.Amount) || !h[0].At.Equal(t0) {
				t.Errorf("history %+v; want one accumulation entry (%s: usage history)", h, seedKakao)
			}
		})
	}
}

func TestFreeScope(t *testing.T) {
	tests := []struct {
		name         string
		edit         func(*FreeParams)
		want         allocation.Scope
		wantSpecific bool
		reason       string
	}{
		{"default_exclusions", func(*FreeParams) {}, allocation.Scope{ExcludeCategories: []string{"marketplace", "os_image"}}, false, seedKakao + ": free credits exclude marketplace and OS images; exclusions alone leave it general"},
		{"specific_services", func(p *FreeParams) { p.Services = []string{"vm", "object_storage"} }, allocation.Scope{Products: []string{"vm", "object_storage"}, ExcludeCategories: []string{"marketplace", "os_image"}}, true, seedKakao + ": credit applied to specific services only"},
		{"allow_marketplace", func(p *FreeParams) { p.AllowMarketplaceAndImages = true }, allocation.Scope{}, false, "a promotion may cover them (the exclusion is a default)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := freeParams()
			tt.edit(&p)
			c := mustFree(t, p)
			if diff := cmp.Diff(tt.want, c.Scope()); diff != "" {
				t.Errorf("scope (-want +got) (%s):\n%s", tt.reason, diff)
			}
			if diff := cmp.Diff(tt.want, c.Instrument().Scope); diff != "" {
				t.Errorf("instrument scope (-want +got):\n%s", diff)
			}
			if c.Specific() != tt.wantSpecific || c.Instrument().Scope.Specific() != tt.wantSpecific {
				t.Errorf("specific = %v; want %v (%s)", c.Specific(), tt.wantSpecific, tt.reason)
			}
			if len(p.Services) > 0 {
				p.Services[0] = "changed"
				if c.Scope().Products[0] == "changed" {
					t.Error("the credit shares the params' services")
				}
			}
		})
	}
}

func TestNewPaid(t *testing.T) {
	tests := []struct {
		name      string
		purchased time.Time
		wantUntil time.Time
		reason    string
	}{
		{"five_years", t0, time.Date(2029, 1, 15, 0, 0, 0, 0, time.UTC), seedKakao + ": paid credits are valid 5 years from purchase"},
		{"leap_day", time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC), time.Date(2029, 2, 28, 10, 0, 0, 0, time.UTC), "Feb 29 + 5 years clamps to Feb 28, not Mar 1"},
		{"month_end", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2029, 1, 31, 0, 0, 0, 0, time.UTC), "a day every January has is kept"},
		{"keeps_clock", time.Date(2024, 6, 1, 9, 30, 0, 0, time.UTC), time.Date(2029, 6, 1, 9, 30, 0, 0, time.UTC), "the clock time is kept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := paidParams()
			p.PurchasedAt = tt.purchased
			c := mustPaid(t, p)
			if !c.ValidUntil().Equal(tt.wantUntil) || !c.ValidFrom().Equal(tt.purchased) {
				t.Errorf("valid [%v, %v); want [%v, %v) (%s)", c.ValidFrom(), c.ValidUntil(), tt.purchased, tt.wantUntil, tt.reason)
			}
			if c.Type() != Paid || c.Specific() || c.Status() != Available || c.Instrument().Kind != KindPaidCredit {
				t.Errorf("paid credit %+v", c)
			}
		})
	}
	_, err := NewPaid(PaidParams{}, nil)
	checkInvalid(t, err, []string{"id is empty", "domain", "billing group", "currency", "amount", "purchased at is zero"}, "every problem at once")
}

func TestCreditInstrument(t *testing.T) {
	c := mustFree(t, freeParams())
	want := allocation.Instrument{
		ID: "f1", Kind: KindFreeCredit, Currency: "KRW", Balance: d("100000"),
		ValidFrom: t0, ValidUntil: t0.AddDate(0, 6, 0),
		Scope:    allocation.Scope{ExcludeCategories: []string{CategoryMarketplace, CategoryOSImage}},
		IssuedAt: t0, Status: "active", Group: "main",
	}
	if diff := cmp.Diff(want, c.Instrument()); diff != "" {
		t.Errorf("Instrument (-want +got):\n%s", diff)
	}
	r, _ := c.Recover(t0)
	if s := r.Instrument().Status; s != "recovered" {
		t.Errorf("recovered credit instrument status %q; only available credits pay (%s)", s, seedKakao)
	}
	p := mustPaid(t, paidParams())
	if p.Instrument().Invoiceable {
		t.Error("paid credit invoiceable by default; the purchase is invoiced")
	}
	pp := paidParams()
	pp.InvoiceOnUse = true
	if !mustPaid(t, pp).Instrument().Invoiceable {
		t.Error("InvoiceOnUse not projected")
	}
	for typ, kind := range map[Type]string{Free: "free_credit", Paid: "paid_credit", "x": ""} {
		if typ.Kind() != kind {
			t.Errorf("%q.Kind() = %q", typ, typ.Kind())
		}
	}
	if c.Name() != "Welcome" || c.Domain() != "dom" || c.Group() != "main" || c.Currency() != "KRW" || !c.GrantedAt().Equal(t0) || !c.ZeroAt().IsZero() {
		t.Errorf("getters: %+v", c)
	}
}

func TestCreditApply(t *testing.T) {
	c := mustFree(t, freeParams())
	recovered, _ := c.Recover(t0)
	at := t0.AddDate(0, 1, 0)
	tests := []struct {
		name       string
		c          Credit
		split      allocation.Split
		wantErr    error
		remaining  string
		status     Status
		historyLen int
		reason     string
	}{
		{"partial", c, used("f1", "KRW", d("100000"), d("30000")), nil, "70000", Available, 2, seedKakao + ": used amount deducted from the remaining amount"},
		{"all", c, used("f1", "KRW", d("100000"), d("100000")), nil, "0", UsedUp, 2, seedKakao + ": status used up"},
		{"unused", c, used("f1", "KRW", d("100000"), d("0")), nil, "100000", Available, 1, "an unused credit comes back unchanged"},
		{"not_listed", c, used("f2", "KRW", d("100000"), d("1")), ErrSplit, "100000", Available, 1, "the split must list it"},
		{"over", c, used("f1", "KRW", d("100001"), d("100001")), ErrSplit, "100000", Available, 1, "never below zero"},
		{"negative", c, used("f1", "KRW", d("100000"), d("-1")), ErrSplit, "100000", Available, 1, "no negative use"},
		{"currency", c, used("f1", "USD", d("100000"), d("1")), ErrSplit, "100000", Available, 1, "currencies must match"},
		{"stale", c, used("f1", "KRW", d("90000"), d("1")), ErrSplit, "100000", Available, 1, "applied twice or from another state"},
		{"not_available", recovered, used("f1", "KRW", d("0"), d("1")), ErrSplit, "0", Recovered, 2, seedKakao + ": only available credits are deducted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Apply(tt.split, at)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Apply err = %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if !got.Remaining().Equal(d(tt.remaining)) || got.Status() != tt.status || len(got.History()) != tt.historyLen {
				t.Errorf("remaining %s status %s history %d; want %s %s %d (%s)", got.Remaining(), got.Status(), len(got.History()), tt.remaining, tt.status, tt.historyLen, tt.reason)
			}
			if err == nil && tt.historyLen == 2 {
				e := got.History()[1]
				if e.Type != EntryUse || e.Ref != "b1" || !e.At.Equal(at) {
					t.Errorf("use entry %+v", e)
				}
				if got.Status() == UsedUp && !got.ZeroAt().Equal(at) {
					t.Errorf("zero at %v; want %v", got.ZeroAt(), at)
				}
			}
			var se *SplitError
			if err != nil && (!errors.As(err, &se) || se.Bill != "b1" || se.What != "credit") {
				t.Errorf("error %v is not a SplitError", err)
			}
		})
	}
	if _, err := (Credit{}).Apply(allocation.Split{}, time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero credit: %v", err)
	}
}

func TestCreditTransitions(t *testing.T) {
	end := t0.AddDate(0, 6, 0)
	free := mustFree(t, freeParams())
	paid := mustPaid(t, paidParams())
	spent, err := free.Apply(used("f1", "KRW", d("100000"), d("40000")), t0.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	usedUp, err := free.Apply(used("f1", "KRW", d("100000"), d("100000")), t0.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	type opFn func(Credit) (Credit, error)
	expire := func(at time.Time) opFn { return func(c Credit) (Credit, error) { return c.Expire(at) } }
	recoverAt := func(at time.Time) opFn { return func(c Credit) (Credit, error) { return c.Recover(at) } }
	refund := func(at time.Time) opFn {
		return func(c Credit) (Credit, error) { c, _, err := c.Refund(at); return c, err }
	}
	tests := []struct {
		name      string
		c         Credit
		op        opFn
		wantErr   error
		status    Status
		entry     EntryType // last history entry after the op; "" = none added
		entryAmt  string
		zeroAt    time.Time
		usedTotal string
		reason    string
	}{
		{"expire", spent, expire(end.AddDate(0, 0, 3)), nil, Expired, EntryExpiry, "60000", end, "100000", seedKakao + ": expired; expired amounts are included in the used amount"},
		{"expire_at_end", free, expire(end), nil, Expired, EntryExpiry, "100000", end, "100000", "the usage period's end is exclusive"},
		{"expire_early", free, expire(end.Add(-time.Second)), ErrTransition, Available, EntryAccumulation, "100000", time.Time{}, "0", "the remaining balance is usable until the end"},
		{"expire_used_up", usedUp, expire(end), ErrTransition, UsedUp, EntryUse, "100000", t0.AddDate(0, 1, 0), "100000", "used_up is final"},
		{"recover_free", spent, recoverAt(t0.AddDate(0, 2, 0)), nil, Recovered, EntryRecovery, "60000", t0.AddDate(0, 2, 0), "40000", seedKakao + ": free credits can be recovered"},
		{"recover_paid", paid, recoverAt(t0), ErrTransition, Available, EntryAccumulation, "500000", time.Time{}, "0", seedKakao + ": paid credits are refunded, not recovered"},
		{"recover_twice", mustRecovered(t, free), recoverAt(t0), ErrTransition, Recovered, EntryRecovery, "100000", t0, "0", "recovered is final"},
		{"refund_paid", paid, refund(t0.AddDate(1, 0, 0)), nil, Refunded, EntryRefund, "500000", t0.AddDate(1, 0, 0), "0", seedKakao + ": paid credits can be refunded"},
		{"refund_free", free, refund(t0), ErrNotRefundable, Available, EntryAccumulation, "100000", time.Time{}, "0", seedKakao + ": free credits are recovered, never refunded"},
		{"refund_expired_paid", paid, refund(t0.AddDate(5, 0, 0)), ErrTransition, Available, EntryAccumulation, "500000", time.Time{}, "0", "an expired paid credit has nothing to refund"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.c.History())
			got, err := tt.op(tt.c)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if got.Status() != tt.status || !got.ZeroAt().Equal(tt.zeroAt) {
				t.Errorf("status %s zero at %v; want %s %v (%s)", got.Status(), got.ZeroAt(), tt.status, tt.zeroAt, tt.reason)
			}
			h := got.History()
			if last := h[len(h)-1]; last.Type != tt.entry || !last.Amount.Equal(d(tt.entryAmt)) {
				t.Errorf("last entry %+v; want %s %s", last, tt.entry, tt.entryAmt)
			}
			if err != nil && len(h) != before {
				t.Error("a refused operation added history")
			}
			if got.Status() != Available && !got.Remaining().IsZero() {
				t.Errorf("status %s with remaining %s; every final status has zero remaining (%s)", got.Status(), got.Remaining(), seedKakao)
			}
			if !got.Used().Equal(d(tt.usedTotal)) {
				t.Errorf("used %s; want %s", got.Used(), tt.usedTotal)
			}
		})
	}
	_, amt, err := paid.Refund(t0.AddDate(1, 0, 0))
	if err != nil || !amt.Equal(d("500000")) {
		t.Errorf("Refund amount %s, %v; want 500000", amt, err)
	}
	var re *RefundError
	if _, _, err := free.Refund(t0); !errors.As(err, &re) || re.ID != "f1" {
		t.Errorf("RefundError = %v", err)
	}
	if _, err := (Credit{}).Expire(time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Error("zero credit must be invalid")
	}
	// Expire of an already-zero available credit records no entry.
	if s := free.StatusAt(end); s != Expired {
		t.Errorf("StatusAt(end) = %s; want expired", s)
	}
	if s := free.StatusAt(end.Add(-time.Nanosecond)); s != Available {
		t.Errorf("StatusAt(before end) = %s", s)
	}
	if s := usedUp.StatusAt(end.AddDate(1, 0, 0)); s != UsedUp {
		t.Errorf("final statuses stay: %s", s)
	}
}

func mustRecovered(t tb, c Credit) Credit {
	t.Helper()
	r, err := c.Recover(t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestImmutability(t *testing.T) {
	c := mustFree(t, freeParams())
	a, err := c.Apply(used("f1", "KRW", d("100000"), d("10")), t0)
	if err != nil {
		t.Fatal(err)
	}
	// Two values derived from one share no history.
	b, err := c.Apply(used("f1", "KRW", d("100000"), d("20")), t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.History()) != 1 || !a.History()[1].Amount.Equal(d("10")) || !b.History()[1].Amount.Equal(d("20")) {
		t.Error("derived credits share history")
	}
	h := a.History()
	h[0].Amount = d("1")
	if !a.History()[0].Amount.Equal(d("100000")) {
		t.Error("History() shares memory")
	}
	in := c.Instrument()
	in.Scope.ExcludeCategories[0] = "x"
	if c.Scope().ExcludeCategories[0] != CategoryMarketplace {
		t.Error("Instrument() shares scope memory")
	}
}

func TestErrorMessages(t *testing.T) {
	l := mustLine(t, "10", "-5")
	_, err := l.WithLimit(d("1"), t0)
	if want := `credit: cannot lower the limit of credit line "line": limit 1 is below the 5 owed`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q (no status for a value without statuses)", err, want)
	}
	_, err = mustRecovered(t, mustFree(t, freeParams())).Recover(t0)
	if want := `credit: cannot recover credit "f1" (status recovered): only an available credit can be recovered`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	_, err = mustFree(t, freeParams()).Apply(used("zz", "KRW", d("1"), d("1")), t0)
	if want := `credit: cannot apply split of bill "b1" to credit "f1": the split does not list it`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	_, _, err = mustPaid(t, paidParams()).Transfer(Destination{ID: "x", Domain: "dom", Group: "dev"}, d("1"), t0)
	if want := `credit: cannot transfer paid credit "p1": paid credits can be used only in the billing group they were bought for`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	_, _, err = mustFree(t, freeParams()).Refund(t0)
	if want := `credit: cannot refund free credit "f1": free credits were not paid for`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	_, err = NewGift(GiftParams{ID: "g", Account: "a", Currency: "CNY", Balance: d("-1")})
	if want := `credit: invalid gift balance "g": balance -1 must not be negative`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
}
