package prepaid

import (
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// mustCard buys a card of denomination with the given overdraft limit.
func mustCard(t tb, id, denomination, overdraft string, at time.Time) Card {
	t.Helper()
	r := GuanceRules()
	r.Overdraft = d(overdraft)
	p, err := r.Purchase(PurchaseParams{ID: id, Account: "acct", Denomination: d(denomination), At: at}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return p.Card
}

// used builds a split in which instrument id used amount of balance.
func used(id, currency string, balance, amount decimal.Decimal) allocation.Split {
	return allocation.Split{Bill: "b1", Currency: currency, Instruments: []allocation.InstrumentResult{
		{ID: "cash", Used: d("3"), BalanceAfter: d("0")},
		{ID: id, Used: amount, BalanceAfter: balance.Sub(amount)},
	}}
}

// mustApply spends amount of c.
func mustApply(t tb, c Card, amount string) Card {
	t.Helper()
	w, err := c.Apply(used(c.ID(), "CNY", c.Balance(), d(amount)), t0)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestCardApply(t *testing.T) {
	plain := mustCard(t, "c1", "1000", "0", t0)
	od := mustCard(t, "c1", "1000", "500", t0)
	expired, _ := plain.Expire(plain.ValidUntil())
	tests := []struct {
		name    string
		c       Card
		split   allocation.Split
		wantErr error
		balance string
		status  Status
		reason  string
	}{
		{"partial", plain, used("c1", "CNY", d("1000"), d("300")), nil, "700", Active, seedGuance + ": the remaining balance stays on the card"},
		{"all", plain, used("c1", "CNY", d("1000"), d("1000")), nil, "0", UsedUp, "nothing more to draw"},
		{"over_no_overdraft", plain, used("c1", "CNY", d("1000.01"), d("1000.01")), ErrSplit, "1000", Active, "no overdraft, no negative balance"},
		{"into_overdraft", od, used("c1", "CNY", d("1000"), d("1200")), nil, "-200", Active, seedGuance + ": prepaid card balance, negative for overdue"},
		{"zero_with_overdraft", od, used("c1", "CNY", d("1000"), d("1000")), nil, "0", Active, "at zero with overdraft room it is still active"},
		{"to_limit", od, used("c1", "CNY", d("1000"), d("1500")), nil, "-500", UsedUp, "down to −overdraft: used up"},
		{"past_limit", od, used("c1", "CNY", d("1000"), d("1500.01")), ErrSplit, "1000", Active, "never below −overdraft"},
		{"expired", expired, used("c1", "CNY", d("0"), d("1")), ErrSplit, "0", Expired, seedGuance + ": expired prepaid cards become void"},
		{"stale", plain, used("c1", "CNY", d("900"), d("1")), ErrSplit, "1000", Active, "applied twice or from another state"},
		{"missing", plain, used("c2", "CNY", d("1000"), d("1")), ErrSplit, "1000", Active, "the split must list it"},
		{"currency", plain, used("c1", "USD", d("1000"), d("1")), ErrSplit, "1000", Active, "currencies must match"},
		{"negative", plain, used("c1", "CNY", d("1000"), d("-1")), ErrSplit, "1000", Active, "no negative use"},
		{"unused", expired, used("c1", "CNY", d("0"), d("0")), nil, "0", Expired, "an unused card comes back unchanged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Apply(tt.split, t0.Add(time.Hour))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if !got.Balance().Equal(d(tt.balance)) || got.Status() != tt.status {
				t.Errorf("balance %s status %s; want %s %s (%s)", got.Balance(), got.Status(), tt.balance, tt.status, tt.reason)
			}
			if got.Status() == UsedUp && !got.ClosedAt().Equal(t0.Add(time.Hour)) {
				t.Errorf("closed at %v", got.ClosedAt())
			}
			var se *SplitError
			if err != nil && (!errors.As(err, &se) || se.ID != "c1" || se.Bill != "b1") {
				t.Errorf("not a SplitError: %v", err)
			}
		})
	}
	if _, err := (Card{}).Apply(allocation.Split{}, t0); !errors.Is(err, ErrInvalid) {
		t.Error("zero Card")
	}
}

func TestCardExpire(t *testing.T) {
	c := mustCard(t, "c1", "1000", "500", t0)
	end := c.ValidUntil()
	if !end.Equal(time.Date(2025, 5, 31, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("valid until %v; want a year after purchase", end)
	}
	spent := mustApply(t, c, "400")
	owing := mustApply(t, c, "1200")
	usedUp := mustApply(t, c, "1500")
	tests := []struct {
		name               string
		c                  Card
		at                 time.Time
		wantErr            error
		balance, forfeited string
		status             Status
		reason             string
	}{
		{"void_positive", spent, end.AddDate(0, 0, 3), nil, "0", "600", Expired, seedGuance + ": expired prepaid cards become void"},
		{"owed_stays", owing, end, nil, "-200", "0", Expired, "what is owed is still owed after expiry"},
		{"from_used_up", usedUp, end, nil, "-500", "0", Expired, "a used-up card expires too"},
		{"too_early", spent, end.Add(-time.Second), ErrTransition, "600", "0", Active, seedGuance + ": usable within its validity period"},
		{"zero_instant", spent, time.Time{}, ErrInvalid, "600", "0", Active, "time is an argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Expire(tt.at)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if !got.Balance().Equal(d(tt.balance)) || !got.Forfeited().Equal(d(tt.forfeited)) || got.Status() != tt.status {
				t.Errorf("balance %s forfeited %s status %s; want %s %s %s (%s)", got.Balance(), got.Forfeited(), got.Status(), tt.balance, tt.forfeited, tt.status, tt.reason)
			}
			if err == nil && !got.ClosedAt().Equal(end) {
				t.Errorf("closed at %v; want the end of validity %v", got.ClosedAt(), end)
			}
			if s := got.Balance().Sub(got.Denomination()).Add(got.Used()).Sub(got.Repaid()).Add(got.Forfeited()); !s.IsZero() {
				t.Errorf("Balance ≠ Denomination − Used + Repaid − Forfeited")
			}
		})
	}
	ex, _ := spent.Expire(end)
	if _, err := ex.Expire(end.AddDate(1, 0, 0)); !errors.Is(err, ErrTransition) {
		t.Error("expiring twice must fail")
	}
	r := GuanceRules()
	r.ValidMonths = 0
	p, _ := r.Purchase(PurchaseParams{ID: "n", Account: "a", Denomination: d("100"), At: t0}, time.UTC)
	if _, err := p.Card.Expire(t0.AddDate(50, 0, 0)); !errors.Is(err, ErrTransition) {
		t.Error("a card without validity end never expires")
	}
	if s := spent.StatusAt(end); s != Expired {
		t.Errorf("StatusAt(end) = %s", s)
	}
	if s := spent.StatusAt(end.Add(-time.Nanosecond)); s != Active {
		t.Errorf("StatusAt(before end) = %s", s)
	}
	if s := p.Card.StatusAt(t0.AddDate(50, 0, 0)); s != Active {
		t.Errorf("StatusAt on a card that never expires = %s", s)
	}
}

func TestCardRepayAndOverdraft(t *testing.T) {
	c := mustCard(t, "c1", "1000", "500", t0)
	usedUp := mustApply(t, c, "1500")
	got, paid, err := usedUp.Repay(d("100"), t0)
	if err != nil || !paid.Equal(d("100")) || !got.Balance().Equal(d("-400")) || got.Status() != Active || !got.ClosedAt().IsZero() || !got.Repaid().Equal(d("100")) {
		t.Errorf("Repay on used-up: %v paid %s balance %s status %s; want active again at −400", err, paid, got.Balance(), got.Status())
	}
	got, paid, _ = usedUp.Repay(d("9999"), t0)
	if !paid.Equal(d("500")) || !got.Balance().IsZero() {
		t.Errorf("Repay more than owed: paid %s balance %s; want 500 and 0 (never above what is owed)", paid, got.Balance())
	}
	got, paid, err = c.Repay(d("10"), t0)
	if err != nil || !paid.IsZero() || !got.Balance().Equal(d("1000")) {
		t.Errorf("Repay with nothing owed: %v %s", err, paid)
	}
	ex, _ := usedUp.Expire(usedUp.ValidUntil())
	got, paid, _ = ex.Repay(d("200"), t0)
	if got.Status() != Expired || !paid.Equal(d("200")) || !got.Owed().Equal(d("300")) {
		t.Errorf("Repay on expired: status %s paid %s owed %s; want expired, 200, 300", got.Status(), paid, got.Owed())
	}
	for _, bad := range []string{"0", "-5"} {
		if _, _, err := c.Repay(d(bad), t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("Repay(%s): %v", bad, err)
		}
	}

	plain := mustCard(t, "c2", "100", "0", t0)
	empty := mustApply(t, plain, "100")
	if empty.Status() != UsedUp {
		t.Fatal("empty card not used up")
	}
	w, err := empty.WithOverdraft(d("50"), t0)
	if err != nil || w.Status() != Active || !w.Spendable().Equal(d("50")) {
		t.Errorf("granting overdraft to a used-up card: %v %s; want active", err, w.Status())
	}
	if _, err := mustApply(t, c, "1200").WithOverdraft(d("199"), t0); !errors.Is(err, ErrTransition) {
		t.Errorf("overdraft below what is owed: %v", err)
	}
	if _, err := c.WithOverdraft(d("-1"), t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative overdraft: %v", err)
	}
	if _, err := ex.WithOverdraft(d("1000"), t0); !errors.Is(err, ErrTransition) {
		t.Errorf("overdraft on an expired card: %v", err)
	}
	cut, err := mustApply(t, c, "1200").WithOverdraft(d("200"), t0)
	if err != nil || cut.Status() != UsedUp {
		t.Errorf("cutting overdraft to what is owed: %v %s; want used_up", err, cut.Status())
	}
}

func TestCardRules(t *testing.T) {
	c := mustCard(t, "c1", "1000", "0", t0)
	var re *RuleError
	if _, amt, err := c.Refund(t0); !errors.Is(err, ErrNotRefundable) || !errors.As(err, &re) || re.Op != "refund" || !amt.IsZero() {
		t.Errorf("Refund: %v; want ErrNotRefundable (%s: non-refundable, cannot be redeemed for cash)", err, seedGuance)
	}
	if got, err := c.Transfer("other", t0); !errors.Is(err, ErrNotTransferable) || got.Account() != "acct" || errors.Is(err, ErrNotRefundable) {
		t.Errorf("Transfer: %v; want ErrNotTransferable (%s: bound to the purchasing account)", err, seedGuance)
	}
	other := GuanceRules()
	p, _ := other.Purchase(PurchaseParams{ID: "c9", Account: "someone-else", Denomination: d("100"), At: t0}, time.UTC)
	w := Wallet([]Card{c, p.Card, {}}, "acct")
	if len(w) != 1 || w[0].ID != "c1" {
		t.Errorf("Wallet = %+v; want only acct's card (%s: not across accounts)", w, seedGuance)
	}
	want := allocation.Instrument{
		ID: "c1", Kind: KindCard, Currency: "CNY", Balance: d("1000"), Overdraft: d("0"),
		ValidFrom: t0, ValidUntil: c.ValidUntil(), IssuedAt: t0, Status: "active", Group: "acct",
	}
	if diff := cmp.Diff(want, c.Instrument()); diff != "" {
		t.Errorf("Instrument (-want +got) (%s: no invoice for the card-paid part):\n%s", seedGuance, diff)
	}
	if s := mustApply(t, c, "1000").Instrument().Status; s != "used_up" {
		t.Errorf("used-up card instrument status %q", s)
	}
}

func TestOffsetOverdue(t *testing.T) {
	a := mustApply(t, mustCard(t, "a", "100", "500", t0.Add(2*time.Hour)), "400") // owes 300
	b := mustApply(t, mustCard(t, "b", "100", "500", t0), "200")                  // owes 100, oldest
	c := mustApply(t, mustCard(t, "c", "100", "500", t0.Add(2*time.Hour)), "150") // owes 50, ties a on time
	fine := mustCard(t, "z", "100", "0", t0)
	cards := []Card{fine, c, a, b}
	tests := []struct {
		name         string
		amount       string
		repaid, rest string
		balances     []string // in cards order
		reason       string
	}{
		{"all_and_more", "1000", "450", "550", []string{"100", "0", "0", "0"}, seedGuance + ": recharging first offsets the overdue balance"},
		{"oldest_first", "150", "150", "0", []string{"100", "-50", "-250", "0"}, "oldest purchase first (b), then by card number (a before c)"},
		{"partial", "60", "60", "0", []string{"100", "-50", "-300", "-40"}, "as far as the money goes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, repaid, rest, err := OffsetOverdue(cards, d(tt.amount), t0)
			if err != nil {
				t.Fatal(err)
			}
			if !repaid.Equal(d(tt.repaid)) || !rest.Equal(d(tt.rest)) || !repaid.Add(rest).Equal(d(tt.amount)) {
				t.Errorf("repaid %s rest %s; want %s %s (%s)", repaid, rest, tt.repaid, tt.rest, tt.reason)
			}
			for i, want := range tt.balances {
				if !got[i].Balance().Equal(d(want)) {
					t.Errorf("card %s balance %s; want %s (%s)", got[i].ID(), got[i].Balance(), want, tt.reason)
				}
			}
			if !cards[2].Balance().Equal(d("-300")) {
				t.Error("OffsetOverdue changed its input")
			}
		})
	}
	if _, _, rest, err := OffsetOverdue(cards, d("0"), time.Time{}); !errors.Is(err, ErrInvalid) || !rest.IsZero() {
		t.Errorf("bad top-up: %v", err)
	}
	got, repaid, rest, err := OffsetOverdue(nil, d("10"), t0)
	if err != nil || len(got) != 0 || !repaid.IsZero() || !rest.Equal(d("10")) {
		t.Errorf("no cards: %v %s %s", err, repaid, rest)
	}
}
