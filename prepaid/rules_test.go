package prepaid

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

const (
	seedGuance  = "002_974120889ed2e661.txt"
	seedAlibaba = "001_d1525b524f7b874c.txt"
)

var t0 = time.Date(2024, 5, 31, 10, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

type tb interface {
	Helper()
	Fatal(args ...any)
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
			t.Errorf("error %q lacks %q (%s)", err, p, reason)
		}
	}
	if !strings.HasPrefix(err.Error(), "prepaid: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
}

func TestRulesValidate(t *testing.T) {
	if err := GuanceRules().Validate(); err != nil {
		t.Fatalf("GuanceRules invalid: %v", err)
	}
	tier := func(th, b string) Tier { return Tier{Threshold: d(th), Bonus: d(b)} }
	tests := []struct {
		name   string
		edit   func(*Rules)
		probs  []string
		reason string
	}{
		{"zero", func(r *Rules) { *r = Rules{} }, []string{"currency", "multiple 0", "minimum 0"}, "every problem at once"},
		{"negative_months", func(r *Rules) { r.ValidMonths = -1 }, []string{"valid months -1"}, "no negative validity"},
		{"negative_overdraft", func(r *Rules) { r.Overdraft = d("-1") }, []string{"overdraft -1"}, "no negative overdraft"},
		{"tier_not_ascending", func(r *Rules) { r.Tiers = []Tier{tier("100", "1"), tier("100", "2")} }, []string{"threshold 100 must be above the previous 100"}, "thresholds strictly ascending"},
		{"tier_bonus_decreasing", func(r *Rules) { r.Tiers = []Tier{tier("100", "5"), tier("200", "4")} }, []string{"bonus 4 must not be below the previous 5"}, "a higher tier earns no less"},
		{"tier_zero_threshold", func(r *Rules) { r.Tiers = []Tier{tier("0", "5")} }, []string{"threshold 0 must be positive"}, "a tier needs a threshold"},
		{"tier_negative_bonus", func(r *Rules) { r.Tiers = []Tier{tier("10", "-5")} }, []string{"bonus -5 must not be negative"}, "no negative bonus"},
		{"no_tiers", func(r *Rules) { r.Tiers = nil }, nil, "a currency without bonuses is fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := GuanceRules()
			tt.edit(&r)
			err := r.Validate()
			if tt.probs == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			checkInvalid(t, err, tt.probs, tt.reason)
		})
	}
}

func TestBonus(t *testing.T) {
	tests := []struct {
		amount, want string
		reason       string
	}{
		{"100", "0", "below the first tier, nothing"},
		{"9999.99", "0", "just below 10,000"},
		{"10000", "1000", seedGuance + ": 10,000 → 1,000"},
		{"29900", "1000", "between tiers, the lower one"},
		{"30000", "5000", seedGuance + ": 30,000 → 5,000, not 1,000 + 5,000"},
		{"99900", "5000", "the highest tier reached"},
		{"100000", "20000", seedGuance + ": 100,000 → 20,000"},
		{"1000000", "20000", "no tier above the last"},
	}
	r := GuanceRules()
	for _, tt := range tests {
		if got := r.Bonus(d(tt.amount)); !got.Equal(d(tt.want)) {
			t.Errorf("Bonus(%s) = %s; want %s (%s)", tt.amount, got, tt.want, tt.reason)
		}
	}
	r.Tiers = []Tier{{Threshold: d("500"), Bonus: d("25")}}
	if got := r.Bonus(d("600")); !got.Equal(d("25")) {
		t.Errorf("configured table: Bonus(600) = %s; want 25 (the table is configurable)", got)
	}
}

func TestCheckDenomination(t *testing.T) {
	usd := Rules{Currency: "USD", Multiple: d("10"), Minimum: d("50")}
	tests := []struct {
		name   string
		r      Rules
		amount string
		ok     bool
		reason string
	}{
		{"minimum", GuanceRules(), "100", true, seedGuance + ": the minimum denomination is 100"},
		{"multiple", GuanceRules(), "2300", true, seedGuance + ": multiples of 100"},
		{"below_minimum", GuanceRules(), "0", false, "at least 100"},
		{"half", GuanceRules(), "50", false, "at least 100"},
		{"not_multiple", GuanceRules(), "150", false, seedGuance + ": multiples of 100 only"},
		{"fraction", GuanceRules(), "100.5", false, "whole multiples"},
		{"negative", GuanceRules(), "-100", false, "positive"},
		{"usd_ok", usd, "60", true, "configurable per currency"},
		{"usd_below", usd, "40", false, "configurable minimum"},
		{"usd_step", usd, "55", false, "configurable step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.CheckDenomination(d(tt.amount))
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Errorf("CheckDenomination(%s) = %v; want ok=%v (%s)", tt.amount, err, tt.ok, tt.reason)
			}
		})
	}
	if err := (Rules{Minimum: d("1")}).CheckDenomination(d("5")); err == nil {
		t.Error("a zero step must reject every denomination")
	}
}

func TestPurchase(t *testing.T) {
	base := PurchaseParams{ID: "card-1", Account: "acct", Denomination: d("30000"), At: t0}
	tests := []struct {
		name                   string
		edit                   func(*PurchaseParams, *Rules)
		probs                  []string
		bonus, invoice, expiry string
		reason                 string
	}{
		{"guance", func(*PurchaseParams, *Rules) {}, nil, "5000", "30000", "2025-05-31", seedGuance + ": bonus by tier, invoice for the actual payment"},
		{"discounted_price", func(p *PurchaseParams, _ *Rules) { p.Price = d("28500") }, nil, "5000", "28500", "2025-05-31", seedGuance + ": invoices based on the actual payment amount"},
		{"month_end_validity", func(p *PurchaseParams, r *Rules) {
			p.At = time.Date(2024, 8, 31, 0, 0, 0, 0, time.UTC)
			r.ValidMonths = 6
		}, nil, "5000", "30000", "2025-02-28", "validity in calendar months, clamped to the month's end"},
		{"never_expires", func(_ *PurchaseParams, r *Rules) { r.ValidMonths = 0 }, nil, "5000", "30000", "", "zero months: no expiry"},
		{"small", func(p *PurchaseParams, _ *Rules) { p.Denomination = d("100") }, nil, "0", "100", "2025-05-31", seedGuance + ": the minimum card earns no bonus"},
		{"zero", func(p *PurchaseParams, _ *Rules) { *p = PurchaseParams{} }, []string{"id is empty", "account is empty", "below the minimum", "price 0", "purchase time is zero"}, "", "", "", "every problem at once"},
		{"not_multiple", func(p *PurchaseParams, _ *Rules) { p.Denomination = d("30050") }, []string{"not a multiple of 100"}, "", "", "", seedGuance + ": multiples of 100"},
		{"price_above", func(p *PurchaseParams, _ *Rules) { p.Price = d("30000.01") }, []string{"price 30000.01"}, "", "", "", "never pay more than the face value"},
		{"price_negative", func(p *PurchaseParams, _ *Rules) { p.Price = d("-1") }, []string{"price -1"}, "", "", "", "a price is positive"},
		{"bad_rules", func(_ *PurchaseParams, r *Rules) { r.Currency = "" }, []string{"currency"}, "", "", "", "rules are checked first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, r := base, GuanceRules()
			tt.edit(&p, &r)
			got, err := r.Purchase(p, time.UTC)
			if tt.probs != nil {
				checkInvalid(t, err, tt.probs, tt.reason)
				if got.Card.ID() != "" {
					t.Error("a card came back with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := got.Card
			if !got.Bonus.Equal(d(tt.bonus)) || !got.Invoiceable.Equal(d(tt.invoice)) {
				t.Errorf("bonus %s invoiceable %s; want %s %s (%s)", got.Bonus, got.Invoiceable, tt.bonus, tt.invoice, tt.reason)
			}
			expiry := ""
			if !c.ValidUntil().IsZero() {
				expiry = c.ValidUntil().Format(time.DateOnly)
			}
			if expiry != tt.expiry {
				t.Errorf("valid until %q; want %q (%s)", expiry, tt.expiry, tt.reason)
			}
			if c.Status() != Active || c.Account() != "acct" || c.ID() != "card-1" || c.Currency() != "CNY" ||
				!c.Balance().Equal(p.Denomination) || !c.Denomination().Equal(p.Denomination) || !c.PurchasedAt().Equal(p.At) ||
				!c.Overdraft().Equal(r.Overdraft) {
				t.Errorf("card %+v", c)
			}
		})
	}
}
