package credit

import (
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func mustGift(t tb, balance string) Gift {
	t.Helper()
	g, err := NewGift(GiftParams{ID: "gift", Account: "acct", Currency: "CNY", Balance: d(balance)})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustLine(t tb, limit, available string) Line {
	t.Helper()
	l, err := NewLine(LineParams{ID: "line", Account: "acct", Currency: "CNY", Limit: d(limit), Available: d(available)})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestGift(t *testing.T) {
	_, err := NewGift(GiftParams{Balance: d("-1")})
	checkInvalid(t, err, []string{"id is empty", "account is empty", "currency", "balance -1"}, "every problem at once")

	g := mustGift(t, "100")
	want := allocation.Instrument{
		ID: "gift", Kind: KindGift, Currency: "CNY", Balance: d("100"),
		Scope:  allocation.Scope{ExcludeModes: []string{"trial"}},
		Status: "active", Group: "acct",
	}
	if diff := cmp.Diff(want, g.Instrument()); diff != "" {
		t.Errorf("Instrument (-want +got) (%s: never expires, not for product trials, no invoice):\n%s", seedKingsoft, diff)
	}
	g2, err := g.Grant(d("50"), t0)
	if err != nil || !g2.Balance().Equal(d("150")) || !g2.Granted().Equal(d("150")) || !g.Balance().Equal(d("100")) {
		t.Errorf("Grant: %v %s; want 150 and the receiver unchanged (%s: gifted during promotions or as compensation)", err, g2.Balance(), seedKingsoft)
	}
	for _, bad := range []string{"0", "-3"} {
		if _, err := g.Grant(d(bad), t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("Grant(%s): %v; want ErrInvalid", bad, err)
		}
	}
	if _, err := g.Grant(d("1"), time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Error("Grant at zero time must fail")
	}
	if _, err := (Gift{}).Grant(d("1"), t0); !errors.Is(err, ErrInvalid) {
		t.Error("Grant on the zero Gift must fail")
	}
	r, amt, err := g.Refund(t0)
	var re *RefundError
	if !errors.Is(err, ErrNotRefundable) || !errors.As(err, &re) || !amt.IsZero() || !r.Balance().Equal(d("100")) {
		t.Errorf("Refund = %s, %v; want ErrNotRefundable (%s: gift balance cannot be cashed)", amt, err, seedKingsoft)
	}

	tests := []struct {
		name    string
		split   allocation.Split
		wantErr error
		balance string
		reason  string
	}{
		{"partial", used("gift", "CNY", d("100"), d("30")), nil, "70", "balance goes down by Used"},
		{"all", used("gift", "CNY", d("100"), d("100")), nil, "0", "down to zero, still usable later (it never expires)"},
		{"unused", used("gift", "CNY", d("100"), d("0")), nil, "100", "unchanged"},
		{"over", used("gift", "CNY", d("100.5"), d("100.5")), ErrSplit, "100", "never below zero"},
		{"missing", used("other", "CNY", d("100"), d("1")), ErrSplit, "100", "the split must list it"},
		{"currency", used("gift", "USD", d("100"), d("1")), ErrSplit, "100", "currencies must match"},
		{"stale", used("gift", "CNY", d("99"), d("1")), ErrSplit, "100", "applied twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Apply(tt.split, t0)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if !got.Balance().Equal(d(tt.balance)) || !got.Balance().Add(got.Used()).Equal(got.Granted()) {
				t.Errorf("balance %s used %s granted %s; want balance %s (%s)", got.Balance(), got.Used(), got.Granted(), tt.balance, tt.reason)
			}
		})
	}
	if _, err := (Gift{}).Apply(allocation.Split{}, t0); !errors.Is(err, ErrInvalid) {
		t.Error("zero Gift Apply must fail")
	}
	if g.ID() != "gift" || g.Account() != "acct" || g.Currency() != "CNY" {
		t.Error("getters")
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name   string
		p      LineParams
		probs  []string
		reason string
	}{
		{"zero", LineParams{}, []string{"id is empty", "account is empty", "currency"}, "every problem at once"},
		{"negative_limit", LineParams{ID: "l", Account: "a", Currency: "CNY", Limit: d("-1")}, []string{"limit -1"}, "a limit is not negative"},
		{"below_limit", LineParams{ID: "l", Account: "a", Currency: "CNY", Limit: d("100"), Available: d("-100.01")}, []string{"below −limit"}, seedKingsoft + ": available credit goes negative only down to the line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewLine(tt.p)
			checkInvalid(t, err, tt.probs, tt.reason)
		})
	}
	l := mustLine(t, "1000", "-100")
	if !l.Owed().Equal(d("100")) || !l.Spendable().Equal(d("900")) || !l.Limit().Equal(d("1000")) || !l.Available().Equal(d("-100")) {
		t.Errorf("owed %s spendable %s; want 100 900 (%s: a negative value is the amount owed)", l.Owed(), l.Spendable(), seedKingsoft)
	}
	if !mustLine(t, "0", "5").Owed().IsZero() {
		t.Error("nothing owed on a positive balance")
	}
	want := allocation.Instrument{ID: "line", Kind: KindCreditLine, Currency: "CNY", Balance: d("-100"), Overdraft: d("1000"), Status: "active", Group: "acct", Invoiceable: true}
	if diff := cmp.Diff(want, l.Instrument()); diff != "" {
		t.Errorf("Instrument (-want +got):\n%s", diff)
	}
	if l.ID() != "line" || l.Account() != "acct" || l.Currency() != "CNY" {
		t.Error("getters")
	}
}

func TestLineTopUp(t *testing.T) {
	tests := []struct {
		name, limit, available, amount string
		wantAvail, repaid, credited    string
		reason                         string
	}{
		{"repays_first", "1000", "-300", "500", "200", "300", "200", seedKingsoft + ": the negative value is owed; money in pays it first"},
		{"partly_repays", "1000", "-300", "100", "-200", "100", "0", "a small top-up only reduces the debt"},
		{"exactly_repays", "1000", "-300", "300", "0", "300", "0", "debt cleared"},
		{"nothing_owed", "1000", "50", "100", "150", "0", "100", "all credited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustLine(t, tt.limit, tt.available)
			got, tu, err := l.TopUp(d(tt.amount), t0)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Available().Equal(d(tt.wantAvail)) || !tu.Repaid.Equal(d(tt.repaid)) || !tu.Credited.Equal(d(tt.credited)) {
				t.Errorf("available %s repaid %s credited %s; want %s %s %s (%s)", got.Available(), tu.Repaid, tu.Credited, tt.wantAvail, tt.repaid, tt.credited, tt.reason)
			}
			if !l.Available().Equal(d(tt.available)) {
				t.Error("TopUp changed its receiver")
			}
		})
	}
	l := mustLine(t, "10", "0")
	for _, bad := range []string{"0", "-1"} {
		if _, _, err := l.TopUp(d(bad), t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("TopUp(%s): %v", bad, err)
		}
	}
	if _, _, err := l.TopUp(d("1"), time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Error("zero instant")
	}
	if _, _, err := (Line{}).TopUp(d("1"), t0); !errors.Is(err, ErrInvalid) {
		t.Error("zero Line")
	}
}

func TestLineWithLimit(t *testing.T) {
	l := mustLine(t, "1000", "-300")
	if got, err := l.WithLimit(d("300"), t0); err != nil || !got.Limit().Equal(d("300")) {
		t.Errorf("cut to exactly the debt: %v", err)
	}
	if got, err := l.WithLimit(d("5000"), t0); err != nil || !got.Spendable().Equal(d("4700")) || !l.Limit().Equal(d("1000")) {
		t.Errorf("raise: %v %s", err, got.Spendable())
	}
	var te *TransitionError
	if _, err := l.WithLimit(d("299.99"), t0); !errors.Is(err, ErrTransition) || !errors.As(err, &te) || te.What != "credit line" {
		t.Errorf("cut below the debt: %v; want ErrTransition", err)
	}
	if _, err := l.WithLimit(d("-1"), t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative limit: %v", err)
	}
}

func TestLineApply(t *testing.T) {
	l := mustLine(t, "1000", "200")
	tests := []struct {
		name    string
		split   allocation.Split
		wantErr error
		avail   string
		reason  string
	}{
		{"within_balance", used("line", "CNY", d("200"), d("150")), nil, "50", "plain spending"},
		{"into_credit", used("line", "CNY", d("200"), d("700")), nil, "-500", seedKingsoft + ": available credit may go negative"},
		{"to_limit", used("line", "CNY", d("200"), d("1200")), nil, "-1000", seedKingsoft + ": down to the credit line"},
		{"past_limit", used("line", "CNY", d("200"), d("1200.01")), ErrSplit, "200", "never below −limit"},
		{"stale", used("line", "CNY", d("100"), d("10")), ErrSplit, "200", "applied twice"},
		{"unused", used("line", "CNY", d("200"), d("0")), nil, "200", "unchanged"},
		{"missing", used("x", "CNY", d("200"), d("1")), ErrSplit, "200", "must be listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.Apply(tt.split, t0)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if !got.Available().Equal(d(tt.avail)) {
				t.Errorf("available %s; want %s (%s)", got.Available(), tt.avail, tt.reason)
			}
		})
	}
	if _, err := (Line{}).Apply(allocation.Split{}, t0); !errors.Is(err, ErrInvalid) {
		t.Error("zero Line")
	}
}

func TestPropertyLineBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		limit := decimal.New(rapid.Int64Range(0, 100000).Draw(t, "limit"), -2)
		l := mustLine(t, limit.String(), "0")
		owedPaid := decimal.Zero
		for i := 0; i < 10; i++ {
			amt := decimal.New(rapid.Int64Range(0, 50000).Draw(t, "amount"), -2)
			var w Line
			var err error
			if rapid.Bool().Draw(t, "spend") {
				w, err = l.Apply(used("line", "CNY", l.Available(), amt), t0)
			} else {
				var tu TopUp
				w, tu, err = l.TopUp(amt, t0)
				if err == nil {
					if !tu.Repaid.Add(tu.Credited).Equal(amt) || tu.Repaid.GreaterThan(l.Owed()) || (tu.Credited.IsPositive() && !tu.Repaid.Equal(l.Owed())) {
						t.Fatalf("top-up %s split as %+v with %s owed: debt must be repaid first", amt, tu, l.Owed())
					}
					owedPaid = owedPaid.Add(tu.Repaid)
				}
			}
			if err != nil {
				continue
			}
			l = w
			if l.Available().LessThan(limit.Neg()) {
				t.Fatalf("available %s below −limit %s (%s)", l.Available(), limit, seedKingsoft)
			}
			if l.Spendable().IsNegative() || l.Owed().IsNegative() {
				t.Fatalf("spendable %s owed %s", l.Spendable(), l.Owed())
			}
		}
	})
}

func TestPropertyGiftBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := mustGift(t, "0")
		for i := 0; i < 10; i++ {
			amt := decimal.New(rapid.Int64Range(0, 10000).Draw(t, "amount"), -2)
			var w Gift
			var err error
			if rapid.Bool().Draw(t, "spend") {
				w, err = g.Apply(used("gift", "CNY", g.Balance(), amt), t0)
			} else {
				w, err = g.Grant(amt, t0)
			}
			if err != nil {
				continue
			}
			g = w
			if g.Balance().IsNegative() || g.Balance().GreaterThan(g.Granted()) || !g.Balance().Add(g.Used()).Equal(g.Granted()) {
				t.Fatalf("balance %s used %s granted %s", g.Balance(), g.Used(), g.Granted())
			}
		}
	})
}
