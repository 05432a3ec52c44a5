package prepaid

import (
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
)

func mustPrepayment(t tb) Prepayment {
	t.Helper()
	b, err := NewPrepayment(PrepaymentParams{ID: "pp", Account: "acct", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPrepayment(t *testing.T) {
	_, err := NewPrepayment(PrepaymentParams{Currency: "usd"})
	checkInvalid(t, err, []string{"id is empty", "account is empty", `currency "usd"`}, "every problem at once")
	for cur, ok := range map[string]bool{"AZN": true, "US[": false, "@SD": false, "US": false} {
		if _, err := NewPrepayment(PrepaymentParams{ID: "p", Account: "a", Currency: cur}); (err == nil) != ok {
			t.Errorf("currency %q: %v; want ok=%v (three upper-case letters)", cur, err, ok)
		}
	}

	b := mustPrepayment(t)
	dep := Deposit{ID: "d1", At: t0, Amount: d("5000"), Method: "bank_transfer", Purpose: Purpose{Product: "ecs", Note: "Q3 servers"}}
	b1, err := b.Deposit(dep)
	if err != nil || !b1.Balance().Equal(d("5000")) || !b.Balance().IsZero() {
		t.Fatalf("Deposit: %v %s (%s: deposit by bank transfer)", err, b1.Balance(), seedAlibaba)
	}
	tests := []struct {
		name   string
		d      Deposit
		probs  []string
		reason string
	}{
		{"duplicate", dep, []string{`deposit "d1" is already recorded`}, "a bank notification processed twice is refused"},
		{"zero", Deposit{}, []string{"deposit id is empty", "deposit amount 0", "instant is zero"}, "every problem at once"},
		{"negative", Deposit{ID: "d2", At: t0, Amount: d("-1")}, []string{"deposit amount -1"}, "deposits are positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b1.Deposit(tt.d)
			checkInvalid(t, err, tt.probs, tt.reason)
			if !got.Balance().Equal(d("5000")) || len(got.Records()) != 1 {
				t.Error("a refused deposit changed the balance")
			}
		})
	}

	at := t0.Add(24 * time.Hour)
	spent, err := b1.ApplyFor(used("pp", "USD", d("5000"), d("1200")), at, Purpose{Product: "rds", Note: "changed our mind"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Type: RecordDeposit, At: t0, Amount: d("5000"), Ref: "d1", Method: "bank_transfer", Purpose: Purpose{Product: "ecs", Note: "Q3 servers"}},
		{Type: RecordSpend, At: at, Amount: d("1200"), Ref: "b1", Purpose: Purpose{Product: "rds", Note: "changed our mind"}},
	}
	if diff := cmp.Diff(want, spent.Records()); diff != "" {
		t.Errorf("records (-want +got) (%s: the intended use may change when spending; spending records):\n%s", seedAlibaba, diff)
	}
	plain, err := b1.Apply(used("pp", "USD", d("5000"), d("100")), at)
	if err != nil || plain.Records()[1].Purpose != (Purpose{}) {
		t.Errorf("Apply: %v %+v", err, plain.Records())
	}
	for name, s := range map[string]allocation.Split{
		"over":     used("pp", "USD", d("5000.01"), d("5000.01")),
		"stale":    used("pp", "USD", d("4000"), d("1")),
		"missing":  used("x", "USD", d("5000"), d("1")),
		"currency": used("pp", "CNY", d("5000"), d("1")),
	} {
		if got, err := b1.Apply(s, at); !errors.Is(err, ErrSplit) || !got.Balance().Equal(d("5000")) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got, err := b1.Apply(used("pp", "USD", d("5000"), d("0")), at); err != nil || len(got.Records()) != 1 {
		t.Errorf("unused: %v", err)
	}

	refunded, amt, err := spent.Refund(at.Add(time.Hour))
	if err != nil || !amt.Equal(d("3800")) || !refunded.Balance().IsZero() {
		t.Errorf("Refund = %s, %v; want 3800 (%s: the remaining amount can be refunded)", amt, err, seedAlibaba)
	}
	if r := refunded.Records(); r[len(r)-1].Type != RecordRefund || !refunded.Total(RecordRefund).Equal(d("3800")) {
		t.Errorf("refund record missing: %+v", r)
	}
	if _, _, err := refunded.Refund(at); !errors.Is(err, ErrTransition) {
		t.Errorf("refund of nothing: %v", err)
	}
	if again, err := refunded.Deposit(Deposit{ID: "d2", At: at, Amount: d("10")}); err != nil || !again.Balance().Equal(d("10")) {
		t.Errorf("deposit after refund: %v", err)
	}
	if s := spent.Total(RecordDeposit).Sub(spent.Total(RecordSpend)).Sub(spent.Total(RecordRefund)); !s.Equal(spent.Balance()) {
		t.Errorf("balance %s ≠ deposits − spends − refunds %s", spent.Balance(), s)
	}
	wantIn := allocation.Instrument{ID: "pp", Kind: KindPrepayment, Currency: "USD", Balance: d("3800"), Status: "active", Group: "acct", Invoiceable: true}
	if diff := cmp.Diff(wantIn, spent.Instrument()); diff != "" {
		t.Errorf("Instrument (-want +got):\n%s", diff)
	}
	if spent.ID() != "pp" || spent.Account() != "acct" || spent.Currency() != "USD" {
		t.Error("getters")
	}
	if _, err := (Prepayment{}).Deposit(dep); !errors.Is(err, ErrInvalid) {
		t.Error("zero Prepayment")
	}
	r := spent.Records()
	r[0].Amount = d("1")
	if !spent.Records()[0].Amount.Equal(d("5000")) {
		t.Error("Records() shares memory")
	}
	// Two values derived from one share no records.
	x, _ := b1.Deposit(Deposit{ID: "x", At: t0, Amount: d("1")})
	y, _ := b1.Deposit(Deposit{ID: "y", At: t0, Amount: d("2")})
	if x.Records()[1].Ref != "x" || y.Records()[1].Ref != "y" {
		t.Error("derived balances share records")
	}
}

func TestErrorMessages(t *testing.T) {
	_, _, err := mustPrepayment(t).Refund(t0)
	if want := `prepaid: cannot refund prepayment "pp": nothing remains to refund`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q (no status for a value without statuses)", err, want)
	}
	c := mustCard(t, "c1", "100", "0", t0)
	ex, _ := c.Expire(c.ValidUntil())
	_, err = ex.Expire(c.ValidUntil())
	if want := `prepaid: cannot expire prepaid card "c1" (status expired): it is expired already`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	_, err = c.Apply(used("zz", "CNY", d("1"), d("1")), t0)
	if want := `prepaid: cannot apply split of bill "b1" to prepaid card "c1": the split does not list it`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	_, _, err = c.Refund(t0)
	if want := `prepaid: cannot refund prepaid card "c1": prepaid cards are non-refundable and cannot be redeemed for cash`; err == nil || err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
}
