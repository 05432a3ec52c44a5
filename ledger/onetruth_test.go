package ledger_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/voucher"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// fataler is what the helpers here need of a *testing.T or *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// applied applies tx to j and stops the test on an error.
func applied(t fataler, j ledger.Journal, tx ledger.Transaction) ledger.Journal {
	t.Helper()
	j, _, err := j.Apply(tx)
	if err != nil {
		t.Fatalf("Apply(%s): %v", tx.ID, err)
	}
	return j
}

// oneTruth is a host's state for one customer, kept the documented way:
// instrument definitions (the domain values) beside the journal, which
// alone says what each instrument holds.
type oneTruth struct {
	v voucher.Voucher
	j ledger.Journal
}

// newVoucher issues and activates a regular voucher of 50 USD valid for 30
// days from t0, and grants it in the journal.
func newVoucher(t fataler) oneTruth {
	t.Helper()
	v, err := voucher.New(voucher.Params{ID: "V1", Type: voucher.Regular, Currency: "USD",
		Denomination: dec("50"), IssuedAt: t0, ValidFor: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if v, err = v.Activate("acct-1", t0); err != nil {
		t.Fatal(err)
	}
	in := v.Instrument()
	j := applied(t, ledger.Journal{}, ledger.Grant("grant:V1", t0, ledger.TermsOf(in), in.Balance, ""))
	return oneTruth{v, j}
}

// bill returns a one-line bill of amount at instant when.
func bill(id string, when time.Time, amount string) allocation.Bill {
	return allocation.Bill{ID: id, Currency: "USD", At: when,
		Lines: []allocation.Line{{ID: "l1", Product: "ecs", Amount: dec(amount)}}}
}

// pay allocates b over the wallet built the documented way (stored
// definitions, balances from the journal), books the split and applies it
// back to the voucher as a host that keeps the voucher's own lifecycle
// does.
func (s oneTruth) pay(t fataler, b allocation.Bill) (oneTruth, allocation.Split) {
	t.Helper()
	w := ledger.WithBalances(s.j, allocation.Wallet{s.v.Instrument()})
	split, err := allocation.Allocate(b, w, allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := ledger.FromSplit(b, w, split, ledger.SpendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.j = applied(t, s.j, tx)
	return s, split
}

// Issue 16, item 2: a voucher spent in full is used_up; 30 of that spend is
// refunded (ledger.Reverse); the journal says V1 holds 30 again, and the
// next bill's wallet, built the documented way, must spend those 30 rather
// than skip the voucher as inactive and collect money the customer already
// paid. Once the voucher's validity ends, the 30 is no longer usable.
func TestRefundOntoUsedUpVoucherIsSpendable(t *testing.T) {
	s := newVoucher(t)
	s, split := s.pay(t, bill("b1", at(1), "50"))
	v, err := s.v.Apply(split, at(1))
	if err != nil {
		t.Fatal(err)
	}
	if v.Status() != voucher.UsedUp {
		t.Fatalf("voucher after paying 50 of 50 is %s, want used_up", v.Status())
	}
	s.v = v
	refund, err := ledger.Reverse(s.j, "refund:b1", at(2), "spend:b1", dec("30"), "")
	if err != nil {
		t.Fatal(err)
	}
	s.j = applied(t, s.j, refund)
	if got := s.j.Balance(acct("V1")); !got.Equal(dec("30")) {
		t.Fatalf("journal holds %s on V1 after the refund, want 30", got)
	}

	w := ledger.WithBalances(s.j, allocation.Wallet{s.v.Instrument()})
	if w[0].Status == string(voucher.UsedUp) || !w[0].Balance.Equal(dec("30")) {
		t.Errorf("WithBalances hands the engine status %q with balance %s: a used_up instrument holding value", w[0].Status, w[0].Balance)
	}
	_, split = s.pay(t, bill("b2", at(3), "50"))
	if used := split.Instruments[0].Used; !used.Equal(dec("30")) || !split.Outstanding.Equal(dec("20")) {
		t.Errorf("next bill: V1 used %s (skipped %v), outstanding %s; want 30 and 20", used, split.Instruments[0].Skipped, split.Outstanding)
	}

	// After the validity ends (30 days from activation) the engine says
	// expired, not inactive: validity is the voucher's definition.
	_, split = s.pay(t, bill("b3", t0.Add(30*24*time.Hour), "50"))
	if got := split.Instruments[0]; !got.Used.IsZero() || !slices.Equal(got.Skipped, []allocation.Reason{allocation.ReasonExpired}) {
		t.Errorf("after its validity: V1 used %s, skipped %v; want 0 and [expired]", got.Used, got.Skipped)
	}
}

// Which statuses WithBalances derives from the journal and which it keeps.
func TestWithBalancesStatus(t *testing.T) {
	pct := decimal.NewNullDecimal(dec("10"))
	tests := []struct {
		name   string
		in     allocation.Instrument
		grant  string // what the journal puts on the account ("" for nothing)
		terms  ledger.Terms
		want   string
		reason string
	}{
		{"used_up_voucher_with_value", allocation.Instrument{ID: "a", Status: "used_up"}, "30", ledger.Terms{}, "active",
			"used up is a fact about the balance: a refund makes it spendable again"},
		{"used_up_credit_with_value", allocation.Instrument{ID: "a", Kind: "free_credit", Status: "used_up"}, "30", ledger.Terms{}, "active",
			"KakaoCloud 003: a credit is used up when its remaining amount reaches zero; the journal says it has not"},
		{"used_up_voucher_empty", allocation.Instrument{ID: "a", Status: "used_up"}, "", ledger.Terms{}, "used_up",
			"nothing to draw: used up agrees with the journal"},
		{"used_up_card_with_overdraft_room", allocation.Instrument{ID: "a", Kind: "prepaid_card", Status: "used_up"}, "",
			ledger.Terms{Overdraft: dec("50")}, "active",
			"Guance 002: a card is used up when nothing more may be drawn; an overdraft in its terms is room to draw"},
		{"expired_with_value", allocation.Instrument{ID: "a", Status: "expired"}, "30", ledger.Terms{}, "expired",
			"validity is a definition, not a balance"},
		{"revoked_with_value", allocation.Instrument{ID: "a", Status: "revoked"}, "30", ledger.Terms{}, "revoked",
			"revocation is a lifecycle event"},
		{"inactive_with_value", allocation.Instrument{ID: "a", Status: "inactive"}, "30", ledger.Terms{}, "inactive",
			"a voucher not yet activated stays unusable whatever was granted"},
		{"recovered_credit_with_value", allocation.Instrument{ID: "a", Kind: "free_credit", Status: "recovered"}, "30", ledger.Terms{}, "recovered",
			"KakaoCloud 003: recovery is a lifecycle event"},
		{"active_empty", allocation.Instrument{ID: "a", Status: "active"}, "", ledger.Terms{}, "active",
			"an empty active instrument is left to the engine, which reports no_balance"},
		{"used_coupon_keeps_used_up", allocation.Instrument{ID: "a", Kind: "coupon", Percent: pct, Status: "used_up"}, "30", ledger.Terms{}, "used_up",
			"a percentage coupon is single use: used up is its lifecycle, and the cap left is a limit, not value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Currency = "USD"
			tt.terms.Account = acct("a")
			j := applied(t, ledger.Journal{}, ledger.Grant("g", t0, tt.terms, decimal.Decimal{}, ""))
			if tt.grant != "" {
				j = applied(t, j, ledger.Grant("g2", t0, tt.terms, dec(tt.grant), ""))
			}
			got := ledger.WithBalances(j, allocation.Wallet{tt.in})
			if got[0].Status != tt.want {
				t.Errorf("status %q, want %q (%s)", got[0].Status, tt.want, tt.reason)
			}
		})
	}
}

// For random spends and reversals of them, applied back to the voucher as a
// host would, the wallet WithBalances builds never has a used_up instrument
// with value to draw, and allocation never skips the voucher as inactive
// while the journal holds value and its validity allows it.
func TestWithBalancesNeverStrandsValue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := newVoucher(t)
		validUntil := s.v.ValidUntil()
		var spends []string
		n := rapid.IntRange(1, 12).Draw(t, "steps")
		for i := range n {
			when := t0.Add(time.Duration(rapid.IntRange(1, 40*24).Draw(t, "hour")) * time.Hour)
			if len(spends) > 0 && rapid.Bool().Draw(t, "reverse") {
				ref := rapid.SampledFrom(spends).Draw(t, "ref")
				left := s.j.Reversible(ref)
				if !left.IsPositive() {
					continue
				}
				amount := decimal.NewFromInt(rapid.Int64Range(1, left.IntPart()).Draw(t, "refund"))
				tx, err := ledger.Reverse(s.j, fmt.Sprintf("refund:%d", i), when, ref, amount, "")
				if err != nil {
					t.Fatal(err)
				}
				s.j = applied(t, s.j, tx)
				continue
			}
			b := bill(fmt.Sprintf("b%d", i), when, fmt.Sprint(rapid.IntRange(0, 80).Draw(t, "amount")))
			w := ledger.WithBalances(s.j, allocation.Wallet{s.v.Instrument()})
			in := w[0]
			room := in.Balance.Add(in.Overdraft)
			if in.Status == string(voucher.UsedUp) && room.IsPositive() {
				t.Fatalf("wallet has used_up %s with %s to draw", in.ID, room)
			}
			split, err := allocation.Allocate(b, w, allocation.Policy{})
			if err != nil {
				t.Fatal(err)
			}
			valid := when.Before(validUntil)
			if valid && room.IsPositive() && slices.Contains(split.Instruments[0].Skipped, allocation.ReasonInactive) {
				t.Fatalf("at %v the journal holds %s on V1 but allocation skipped it as inactive", when, room)
			}
			tx, err := ledger.FromSplit(b, w, split, ledger.SpendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s.j = applied(t, s.j, tx)
			if len(tx.Postings) > 0 {
				spends = append(spends, tx.ID)
			}
			// The host keeps the voucher's own lifecycle too; once used
			// up it refuses further Apply calls, which the journal makes
			// harmless.
			if v, err := s.v.Apply(split, when); err == nil {
				s.v = v
			}
		}
	})
}

// The same rule over every kind of stored-value instrument (voucher, free
// credit, prepaid card with an overdraft, gift balance), each with a stored
// status drawn from the domain packages' vocabularies, after random grants,
// spends and reversals: WithBalances never hands out "used_up" with room to
// draw, keeps every lifecycle status, and allocation never skips an
// instrument as inactive when its stored status is active or used_up, the
// journal holds room to draw and its validity allows it.
func TestWithBalancesStatusProperty(t *testing.T) {
	kinds := []string{"voucher", "free_credit", "prepaid_card", "gift"}
	statuses := []string{"", "active", "used_up", "expired", "revoked", "inactive", "recovered", "refunded"}
	policy := allocation.Policy{Steps: []allocation.Step{{Name: "all", Draw: allocation.DrawAll}}}
	rapid.Check(t, func(t *rapid.T) {
		var wallet allocation.Wallet
		var j ledger.Journal
		for i, kind := range kinds {
			in := allocation.Instrument{ID: fmt.Sprint("i", i), Kind: kind, Currency: "USD",
				Status: rapid.SampledFrom(statuses).Draw(t, "status")}
			if kind == "prepaid_card" {
				in.Overdraft = decimal.NewFromInt(rapid.Int64Range(0, 50).Draw(t, "overdraft"))
			}
			if rapid.Bool().Draw(t, "expires") {
				in.ValidUntil = at(rapid.IntRange(1, 48).Draw(t, "valid until"))
			}
			wallet = append(wallet, in)
			j = applied(t, j, ledger.Grant("grant:"+in.ID, t0, ledger.TermsOf(in),
				decimal.NewFromInt(rapid.Int64Range(0, 100).Draw(t, "grant")), ""))
		}
		var spends []string
		for i := range rapid.IntRange(1, 10).Draw(t, "steps") {
			when := at(rapid.IntRange(0, 60).Draw(t, "hour"))
			if len(spends) > 0 && rapid.Bool().Draw(t, "reverse") {
				ref := rapid.SampledFrom(spends).Draw(t, "ref")
				if left := j.Reversible(ref); left.IsPositive() {
					amount := decimal.NewFromInt(rapid.Int64Range(1, left.IntPart()).Draw(t, "refund"))
					tx, err := ledger.Reverse(j, fmt.Sprint("refund:", i), when, ref, amount, "")
					if err != nil {
						t.Fatal(err)
					}
					j = applied(t, j, tx)
				}
				continue
			}
			w := ledger.WithBalances(j, wallet)
			b := bill(fmt.Sprint("b", i), when, fmt.Sprint(rapid.IntRange(0, 300).Draw(t, "amount")))
			split, err := allocation.Allocate(b, w, policy)
			if err != nil {
				t.Fatal(err)
			}
			for k, in := range w {
				room := in.Balance.Add(in.Overdraft)
				stored := wallet[k].Status
				switch {
				case in.Status == "used_up" && room.IsPositive():
					t.Fatalf("%s (%s): used_up with %s to draw", in.ID, in.Kind, room)
				case stored != "used_up" && in.Status != stored:
					t.Fatalf("%s (%s): stored status %q became %q", in.ID, in.Kind, stored, in.Status)
				}
				usable := stored == "" || stored == "active" || stored == "used_up"
				valid := in.ValidUntil.IsZero() || when.Before(in.ValidUntil)
				if usable && valid && room.IsPositive() && slices.Contains(split.Instruments[k].Skipped, allocation.ReasonInactive) {
					t.Fatalf("%s (%s, stored %q): %s to draw in the journal, skipped as inactive", in.ID, in.Kind, stored, room)
				}
			}
			tx, err := ledger.FromSplit(b, w, split, ledger.SpendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			j = applied(t, j, tx)
			if len(tx.Postings) > 0 {
				spends = append(spends, tx.ID)
			}
		}
	})
}

// The next bill's wallet is the stored definitions with their balances
// taken from the journal: ledger.WithBalances. A voucher paid in full is
// used_up as a value, but after a refund of 30 the journal says it holds
// 30, and that is what the next bill spends. The free credit's balance, too,
// is the journal's.
func ExampleWithBalances_oneTruth() {
	start := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	v, _ := voucher.New(voucher.Params{ID: "V1", Type: voucher.Regular, Currency: "USD",
		Denomination: decimal.RequireFromString("50"), IssuedAt: start, ValidFor: 30 * 24 * time.Hour})
	v, _ = v.Activate("acct-1", start)
	c, _ := credit.NewFree(credit.FreeParams{ID: "C1", Domain: "d", Group: "g", Currency: "USD",
		Amount: decimal.RequireFromString("10"), GrantedAt: start, ValidUntil: start.AddDate(0, 6, 0)})

	// Granting puts the value in the journal, with the instruments' terms.
	var j ledger.Journal
	for _, in := range []allocation.Instrument{v.Instrument(), c.Instrument()} {
		j = must(j.Apply(ledger.Grant("grant:"+in.ID, start, ledger.TermsOf(in), in.Balance, "")))
	}
	pay := func(id string, at time.Time, amount string) allocation.Split {
		b := allocation.Bill{ID: id, Currency: "USD", At: at,
			Lines: []allocation.Line{{ID: "l1", Product: "ecs", Amount: decimal.RequireFromString(amount)}}}
		wallet := ledger.WithBalances(j, allocation.Wallet{v.Instrument(), c.Instrument()})
		split, _ := allocation.Allocate(b, wallet, allocation.Policy{})
		tx, _ := ledger.FromSplit(b, wallet, split, ledger.SpendOptions{})
		j = must(j.Apply(tx))
		for _, r := range split.Instruments {
			fmt.Printf("%s %s: %s used %s, skipped %v\n", id, amount, r.ID, r.Used.StringFixed(2), r.Skipped)
		}
		return split
	}

	split := pay("b1", start.Add(time.Hour), "50")
	v, _ = v.Apply(split, start.Add(time.Hour))
	fmt.Println("voucher:", v.Status())

	refund, _ := ledger.Reverse(j, "refund:b1", start.Add(2*time.Hour), "spend:b1", decimal.RequireFromString("30"), "")
	j = must(j.Apply(refund))
	for _, in := range ledger.WithBalances(j, allocation.Wallet{v.Instrument(), c.Instrument()}) {
		fmt.Println("wallet:", in.ID, in.Status, in.Balance.StringFixed(2))
	}

	pay("b2", start.Add(3*time.Hour), "40")
	// Output:
	// b1 50: C1 used 0.00, skipped [nothing_left]
	// b1 50: V1 used 50.00, skipped []
	// voucher: used_up
	// wallet: V1 active 30.00
	// wallet: C1 active 10.00
	// b2 40: C1 used 10.00, skipped []
	// b2 40: V1 used 30.00, skipped []
}
