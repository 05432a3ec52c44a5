package prepaid_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/stored/storedtest"
	"github.com/billfold/billfold/prepaid"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var storeT0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// genCard buys a card under drawn rules and takes it through a drawn part
// of its public lifecycle: payments into overdraft, repayments, overdraft
// changes, top-ups offsetting what it owes, expiry.
func genCard(t *rapid.T) prepaid.Card {
	rules := prepaid.GuanceRules()
	rules.ValidMonths = rapid.IntRange(0, 12).Draw(t, "valid_months")
	if rapid.Bool().Draw(t, "overdraft") {
		rules.Overdraft = storedtest.Amount(t, "overdraft_limit", 3)
	}
	bought := storedtest.Instant(t, storeT0, 120, "bought")
	p, err := rules.Purchase(prepaid.PurchaseParams{
		ID: "PC-1", Account: "acct", Denomination: decimal.NewFromInt(100 * rapid.Int64Range(1, 500).Draw(t, "hundreds")), At: bought,
	}, storedtest.Zone(t, rapid.SampledFrom(storedtest.ZoneNames).Draw(t, "customer")))
	if err != nil {
		t.Fatal(err)
	}
	c, at := p.Card, bought
	for i, n := 0, rapid.IntRange(0, 8).Draw(t, "ops"); i < n; i++ {
		at = storedtest.Instant(t, at, 120, "at")
		var w prepaid.Card
		switch rapid.IntRange(0, 4).Draw(t, "op") {
		case 0:
			if s := c.Spendable(); s.IsPositive() {
				w, err = c.Apply(storedtest.Spend(c.ID(), "CNY", c.Balance(), storedtest.Part(t, s, "used"), fmt.Sprint("B-", i)), at)
			}
		case 1:
			w, _, err = c.Repay(storedtest.Amount(t, "repaid", 3), at)
		case 2:
			w, err = c.WithOverdraft(storedtest.Amount(t, "new_overdraft", 3), at)
		case 3:
			var cards []prepaid.Card
			cards, _, _, err = prepaid.OffsetOverdue([]prepaid.Card{c}, storedtest.Amount(t, "top_up", 3), at)
			w = cards[0]
		case 4:
			w, err = c.Expire(at)
		}
		if err == nil && w.ID() != "" {
			c = w
		}
	}
	return c
}

// cardView is everything a host can read of a card, as text.
func cardView(c prepaid.Card) []string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	return []string{
		c.ID(), c.Account(), c.Currency(), c.Denomination().String(), c.Balance().String(), c.Overdraft().String(),
		c.Used().String(), c.Repaid().String(), c.Forfeited().String(), c.Owed().String(), ts(c.PurchasedAt()),
		ts(c.ValidUntil()), string(c.Status()), ts(c.ClosedAt()),
		fmt.Sprint(c.Balance().Exponent(), c.Overdraft().Exponent(), c.Used().Exponent()),
	}
}

func TestPropertyStoredCardRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCard(t)
		got := storedtest.RoundTrip(t, c)
		if diff := cmp.Diff(cardView(c), cardView(got)); diff != "" {
			t.Fatalf("round trip (-stored +read):\n%s", diff)
		}
		if !got.Equal(c) || !c.Equal(got) {
			t.Fatal("Equal says the card read back differs")
		}
		if diff := cmp.Diff(c.Instrument(), got.Instrument()); diff != "" {
			t.Fatalf("instrument (-stored +read):\n%s", diff)
		}
	})
}

// genPrepayment opens a balance and takes it through drawn deposits,
// spendings with purposes, and refunds.
func genPrepayment(t *rapid.T) prepaid.Prepayment {
	b, err := prepaid.NewPrepayment(prepaid.PrepaymentParams{ID: "pp", Account: "acct", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	at := storeT0
	purpose := func(label string) prepaid.Purpose {
		return prepaid.Purpose{
			Product: rapid.SampledFrom([]string{"", "ecs", "rds"}).Draw(t, label+"_product"),
			Note:    rapid.SampledFrom([]string{"", "Q3 servers", "✓ note"}).Draw(t, label+"_note"),
		}
	}
	for i, n := 0, rapid.IntRange(0, 8).Draw(t, "ops"); i < n; i++ {
		at = storedtest.Instant(t, at, 120, "at")
		switch rapid.IntRange(0, 2).Draw(t, "op") {
		case 0:
			b, err = b.Deposit(prepaid.Deposit{ID: fmt.Sprint("d", i), At: at, Amount: storedtest.Amount(t, "deposit", 3),
				Method: rapid.SampledFrom([]string{"", "bank_transfer"}).Draw(t, "method"), Purpose: purpose("deposit")})
		case 1:
			if bal := b.Balance(); bal.IsPositive() {
				b, err = b.ApplyFor(storedtest.Spend(b.ID(), "USD", bal, storedtest.Part(t, bal, "used"), fmt.Sprint("B-", i)), at, purpose("spend"))
			}
		case 2:
			if b.Balance().IsPositive() {
				b, _, err = b.Refund(at)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestPropertyStoredPrepaymentRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := genPrepayment(t)
		got := storedtest.RoundTrip(t, b)
		view := func(b prepaid.Prepayment) []string {
			out := []string{b.ID(), b.Account(), b.Currency(), b.Balance().String(), fmt.Sprint(b.Balance().Exponent())}
			for _, r := range b.Records() {
				out = append(out, fmt.Sprintf("%s %s %s(%d) %q %q %q", r.Type, r.At.UTC().Format(time.RFC3339Nano), r.Amount, r.Amount.Exponent(), r.Ref, r.Method, r.Purpose))
			}
			return out
		}
		if diff := cmp.Diff(view(b), view(got)); diff != "" {
			t.Fatalf("round trip (-stored +read):\n%s", diff)
		}
		if !got.Equal(b) || !b.Equal(got) {
			t.Fatal("Equal says the balance read back differs")
		}
	})
}

// TestStoredEqual: Equal tells different states apart, so that the round
// trip properties mean something.
func TestStoredEqual(t *testing.T) {
	p, _ := prepaid.GuanceRules().Purchase(prepaid.PurchaseParams{ID: "PC-1", Account: "acct", Denomination: decimal.NewFromInt(100), At: storeT0}, nil)
	c := p.Card
	used, _ := c.Apply(storedtest.Spend("PC-1", "CNY", c.Balance(), decimal.NewFromInt(40), "B-1"), storeT0)
	wider, _ := c.WithOverdraft(decimal.NewFromInt(10), storeT0)
	if !c.Equal(c) || c.Equal(used) || c.Equal(wider) || c.Equal(prepaid.Card{}) {
		t.Error("Card.Equal does not tell the states apart")
	}
	b, _ := prepaid.NewPrepayment(prepaid.PrepaymentParams{ID: "pp", Account: "acct", Currency: "USD"})
	b1, _ := b.Deposit(prepaid.Deposit{ID: "d1", At: storeT0, Amount: decimal.NewFromInt(10)})
	b2, _ := b.Deposit(prepaid.Deposit{ID: "d1", At: storeT0, Amount: decimal.NewFromInt(10), Purpose: prepaid.Purpose{Note: "x"}})
	if !b1.Equal(b1) || b.Equal(b1) || b1.Equal(b2) {
		t.Error("Prepayment.Equal does not tell the states apart")
	}
}

// storedCard is a valid stored card: 10,000, 9,000 used, overdraft 500.
const storedCard = `{"version":1,"id":"PC-1001","account":"acct-7","currency":"CNY","denomination":"10000","overdraft":"500",
	"purchased_at":"2024-03-01T00:00:00Z","valid_until":"2025-03-01T00:00:00Z","status":"active","balance":"1000","used":"9000"}`

const storedPrepayment = `{"version":1,"id":"pp","account":"acct","currency":"USD","balance":"3800",
	"records":[{"type":"deposit","at":"2024-07-01T10:00:00Z","amount":"5000","ref":"d1","method":"bank_transfer","purpose":{"product":"ecs","note":"Q3"}},
	{"type":"spend","at":"2024-07-05T10:00:00Z","amount":"1200","ref":"B-1","purpose":{"product":"rds"}}]}`

func TestUnmarshalRefuses(t *testing.T) {
	const seedGuance, seedAlibaba = "Guance billing center wallet (002)", "Alibaba Cloud prepayment balance (001)"
	tests := []struct {
		name, base, edit string // edit replaces the first "old=>new" in base
		want             []string
		reason           string
	}{
		{"card_valid", storedCard, "", nil, "the base card is valid"},
		{"card_unknown_fields", storedCard, `"used":"9000"=>"used":"9000","refundable":true,"colour":"red"`, []string{"refundable: unknown field", "colour: unknown field"}, "every misspelt or invented field is named"},
		{"card_unknown_status", storedCard, `"status":"active"=>"status":"frozen"`, []string{`status "frozen" is not active, used_up or expired`}, "statuses are a closed set"},
		{"card_balance_above_face_value", storedCard, `"balance":"1000","used":"9000"=>"balance":"11000"`, []string{"balance 11000 is above the face value 10000"}, seedGuance + ": a card holds at most what it was bought for"},
		{"card_below_overdraft", storedCard, `"balance":"1000","used":"9000"=>"balance":"-600","used":"10600"`, []string{"balance -600 is below −overdraft 500"}, seedGuance + ": overdraft only up to its limit"},
		{"card_validity_reversed", storedCard, `"valid_until":"2025-03-01T00:00:00Z"=>"valid_until":"2024-02-01T00:00:00Z"`, []string{"valid until 2024-02-01T00:00:00Z must be after purchased at 2024-03-01T00:00:00Z"}, "validity ends after the purchase"},
		{"card_negative", storedCard, `"overdraft":"500"=>"overdraft":"-500"`, []string{"overdraft -500 must not be negative"}, "amounts are not negative"},
		{"card_version", storedCard, `"version":1=>"version":3`, []string{"version: 3 is not supported"}, "unknown versions are refused"},
		{"card_used_up_with_room", storedCard, `"status":"active"=>"status":"used_up","closed_at":"2024-03-20T00:00:00Z"`, []string{"a used-up card has nothing to draw"}, "used up means nothing more may be drawn"},
		{"card_active_without_room", storedCard, `"balance":"1000","used":"9000"=>"balance":"-500","used":"10500"`, []string{"an active card has something to draw"}, "an active card can pay"},
		{"card_expired_early", storedCard, `"status":"active"=>"status":"expired","closed_at":"2024-12-01T00:00:00Z"`, []string{`an expired card closed at the end of its validity "2025-03-01T00:00:00Z", not "2024-12-01T00:00:00Z"`, "an expired card's positive balance 1000 is void"}, seedGuance + ": expired cards are void at the end of validity"},
		{"card_forfeited_while_active", storedCard, `"balance":"1000","used":"9000"=>"balance":"1000","used":"8000","forfeited":"1000"`, []string{"only an expired card has forfeited anything"}, "forfeiting is expiry's"},
		{"card_repaid_more_than_used", storedCard, `"balance":"1000","used":"9000"=>"balance":"10000","used":"100","repaid":"100.5","forfeited":"0.5"`, []string{"repaid 100.5 is more than was used (100)", "only an expired card has forfeited"}, "only what was used can be repaid"},
		{"card_currency", storedCard, `"currency":"CNY"=>"currency":"cny"`, []string{`currency "cny" is not three upper-case letters`}, "ISO 4217 codes"},
		{"card_no_face_value", storedCard, `"denomination":"10000"=>"denomination":"-10000"`, []string{"denomination -10000 must be positive"}, seedGuance + ": cards are bought for at least 100"},
		{"card_balance_off", storedCard, `"used":"9000"=>"used":"8000"`, []string{"balance 1000 is not denomination 10000 − used 8000 + repaid 0 − forfeited 0 = 2000"}, "the balance is what the card's movements leave"},
		{"prepayment_valid", storedPrepayment, "", nil, "the base balance is valid"},
		{"prepayment_balance_differs", storedPrepayment, `"balance":"3800"=>"balance":"9800"`, []string{"the records leave 3800; balance says 9800"}, seedAlibaba + ": the balance is what the records leave"},
		{"prepayment_overspent", storedPrepayment, `"amount":"1200"=>"amount":"6200"`, []string{"records[1]: the balance would go below zero (-1200)"}, seedAlibaba + ": the balance never goes negative"},
		{"prepayment_unknown_record_field", storedPrepayment, `"ref":"B-1"=>"ref":"B-1","invoice":"I-1"`, []string{"records[1].invoice: unknown field"}, "records are strict too"},
		{"prepayment_unknown_purpose_field", storedPrepayment, `"product":"rds"=>"prodct":"rds"`, []string{"records[1].purpose.prodct: unknown field"}, "nested objects are strict too"},
		{"prepayment_duplicate_deposit", storedPrepayment, `{"type":"spend"=>{"type":"deposit","at":"2024-07-02T10:00:00Z","amount":"1","ref":"d1"},{"type":"spend"`, []string{`records[1]: a deposit has an id of its own (ref "d1")`, "the records leave 3801"}, seedAlibaba + ": a deposit is recorded once"},
		{"prepayment_partial_refund", storedPrepayment, `"balance":"3800"=>"balance":"800"`, []string{"the records leave 3800; balance says 800"}, "a refund is recorded"},
		{"prepayment_negative", storedPrepayment, `"balance":"3800"=>"balance":"-3800"`, []string{"balance -3800 must not be negative"}, seedAlibaba + ": the balance never goes negative"},
		{"prepayment_zero_record", storedPrepayment, `"amount":"1200"=>"amount":"0"`, []string{"records[1].amount 0 must be positive"}, "records move money"},
		{"prepayment_spend_method", storedPrepayment, `"ref":"B-1"=>"ref":"B-1","method":"card"`, []string{"records[1]: a spend has no payment method"}, "a method is how a deposit was paid"},
		{"prepayment_emptied_without_refund", storedPrepayment, `"balance":"3800"=>"balance":"0"`, []string{"the records leave 3800; balance says 0"}, "emptying a balance is a refund record"},
		{"prepayment_unknown_record_type", storedPrepayment, `"type":"spend"=>"type":"withdrawal"`, []string{`records[1].type "withdrawal" is not deposit, spend or refund`}, "record types are a closed set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := storedtest.Edit(t, tt.base, tt.edit)
			var err error
			var left bool
			if tt.base == storedCard {
				var c prepaid.Card
				err = json.Unmarshal([]byte(doc), &c)
				left = !c.Equal(prepaid.Card{})
			} else {
				var b prepaid.Prepayment
				err = json.Unmarshal([]byte(doc), &b)
				left = !b.Equal(prepaid.Prepayment{})
			}
			if tt.want == nil {
				if err != nil || !left {
					t.Fatalf("valid document: %v", err)
				}
				return
			}
			storedtest.Refused(t, err, prepaid.ErrInvalid, tt.want, tt.reason)
			if left {
				t.Error("a refused document left a value behind; want the zero value")
			}
		})
	}
}

func FuzzUnmarshalCard(f *testing.F) {
	f.Add([]byte(storedCard))
	f.Add([]byte(`{"version":1,"id":"c","account":"a","currency":"CNY","denomination":"100","purchased_at":"2024-03-01T00:00:00Z","valid_until":"2024-04-01T00:00:00Z","status":"expired","closed_at":"2024-04-01T00:00:00Z","balance":"0","used":"60","forfeited":"40"}`))
	f.Fuzz(func(t *testing.T, data []byte) { storedtest.FuzzDecoder(t, data, prepaid.Card{}) })
}

func FuzzUnmarshalPrepayment(f *testing.F) {
	f.Add([]byte(storedPrepayment))
	f.Add([]byte(`{"version":1,"id":"pp","account":"a","currency":"USD","balance":"0","records":[{"type":"deposit","at":"2024-01-01T00:00:00Z","amount":"5","ref":"d"},{"type":"refund","at":"2024-01-02T00:00:00Z","amount":"5"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { storedtest.FuzzDecoder(t, data, prepaid.Prepayment{}) })
}

// Example_storeAndRestore shows a host keeping a customer's prepaid card
// between two requests: bought, stored as JSON after a bill used most of
// it, read back to build the next bill's wallet (with
// ledger.WithBalances(journal, wallet) when the host keeps a journal,
// which owns the balances).
func Example_storeAndRestore() {
	shanghai := time.FixedZone("CST", 8*3600) // time.LoadLocation("Asia/Shanghai") in a host
	rules := prepaid.GuanceRules()
	rules.Overdraft = decimal.NewFromInt(500)
	buy, _ := rules.Purchase(prepaid.PurchaseParams{ID: "PC-1001", Account: "acct-7",
		Denomination: decimal.NewFromInt(10000), At: time.Date(2024, 3, 1, 0, 0, 0, 0, shanghai)}, shanghai)
	bill := allocation.Bill{ID: "B-1", Currency: "CNY", At: time.Date(2024, 3, 20, 0, 0, 0, 0, shanghai), Mode: "payg",
		Lines: []allocation.Line{{ID: "metrics", Amount: decimal.NewFromInt(9000)}}}
	split, _ := allocation.Allocate(bill, prepaid.Wallet([]prepaid.Card{buy.Card}, "acct-7"), allocation.Policy{})
	card, _ := buy.Card.Apply(split, bill.At)

	row, err := json.Marshal(card) // the host saves row in its database
	if err != nil {
		panic(err)
	}
	fmt.Println(string(row))

	var restored prepaid.Card // next request: load and decode
	if err := json.Unmarshal(row, &restored); err != nil {
		panic(err)
	}
	wallet := prepaid.Wallet([]prepaid.Card{restored}, "acct-7")
	fmt.Println(restored.Equal(card), wallet[0].ID, wallet[0].Balance, wallet[0].Overdraft, restored.ValidUntil().In(shanghai).Format(time.DateTime))
	// Output:
	// {"version":1,"id":"PC-1001","account":"acct-7","currency":"CNY","denomination":"10000","overdraft":"500","purchased_at":"2024-02-29T16:00:00Z","valid_until":"2025-02-28T16:00:00Z","status":"active","balance":"1000.00","used":"9000.00"}
	// true PC-1001 1000 500 2025-03-01 00:00:00
}

func TestPropertyRulesRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := prepaid.Rules{
			Currency: rapid.SampledFrom([]string{"CNY", "USD", "JPY"}).Draw(t, "currency"), Multiple: storedtest.Amount(t, "multiple", 3),
			Minimum: storedtest.Amount(t, "minimum", 3), ValidMonths: rapid.IntRange(0, 60).Draw(t, "valid_months"),
		}
		if rapid.Bool().Draw(t, "overdraft") {
			r.Overdraft = storedtest.Amount(t, "overdraft_limit", 3)
		}
		threshold, bonus := decimal.Zero, decimal.Zero
		for i, n := 0, rapid.IntRange(0, 4).Draw(t, "tiers"); i < n; i++ {
			threshold, bonus = threshold.Add(storedtest.Amount(t, "step", 3)), bonus.Add(storedtest.Amount(t, "more_bonus", 3))
			r.Tiers = append(r.Tiers, prepaid.Tier{Threshold: threshold, Bonus: bonus})
		}
		got := storedtest.RoundTrip(t, r)
		if diff := cmp.Diff(r, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) && a.Exponent() == b.Exponent() })); diff != "" {
			t.Fatalf("round trip (-stored +read):\n%s", diff)
		}
	})
}

func TestUnmarshalRefundRecords(t *testing.T) {
	refund := func(amount, extra string) string {
		return strings.TrimSuffix(strings.Replace(storedPrepayment, `"balance":"3800"`, `"balance":"0"`, 1), "]}") +
			`,{"type":"refund","at":"2024-07-06T10:00:00Z","amount":"` + amount + `"` + extra + `}]}`
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"whole", refund("3800", ""), ""},
		{"partial", refund("800", ""), "records[2]: a refund pays back the whole balance 3800, not 800"},
		{"with_ref", refund("3800", `,"ref":"R-1"`), "records[2]: a refund has no reference, method or purpose"},
	} {
		var b prepaid.Prepayment
		err := json.Unmarshal([]byte(tc.doc), &b)
		if tc.want == "" {
			if err != nil || !b.Balance().IsZero() || len(b.Records()) != 3 {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, prepaid.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v; want one wrapping ErrInvalid saying %q", tc.name, err, tc.want)
		}
	}
}

func TestUnmarshalRulesRefuses(t *testing.T) {
	guance, err := json.Marshal(prepaid.GuanceRules())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, edit string
		want       []string
	}{
		{"valid", "", nil},
		{"forgotten_validity", `"valid_months":12,=>`, []string{"valid_months: missing"}},
		{"misspelt", `"overdraft"=>"overdraf"`, []string{"overdraf: unknown field"}},
		{"tiers_descending", `"threshold":"30000"=>"threshold":"3000"`, []string{"tier 1: threshold 3000 must be above the previous 10000"}},
		{"bad_tier", `"bonus":"1000"=>"bonus":"1000","percent":"10"`, []string{"tiers[0].percent: unknown field"}},
		{"not_positive", `"multiple":"100"=>"multiple":"0"`, []string{"multiple 0 must be positive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := storedtest.Edit(t, string(guance), tc.edit)
			r := prepaid.GuanceRules()
			err := json.Unmarshal([]byte(doc), &r)
			if tc.want == nil {
				if err != nil || r.ValidMonths != 12 || len(r.Tiers) != 3 {
					t.Errorf("%v %+v", err, r)
				}
				return
			}
			storedtest.Refused(t, err, prepaid.ErrInvalid, tc.want, "")
			if r.Currency != "" || r.Tiers != nil {
				t.Errorf("refused rules left %+v; want the zero Rules", r)
			}
		})
	}
}

func FuzzUnmarshalRules(f *testing.F) {
	guance, _ := json.Marshal(prepaid.GuanceRules())
	f.Add(guance)
	f.Fuzz(func(t *testing.T, data []byte) {
		var r prepaid.Rules
		if err := json.Unmarshal(data, &r); err != nil {
			if r.Currency != "" || r.Tiers != nil || !r.Multiple.IsZero() {
				t.Fatalf("refused %q but left %+v", data, r)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted %q, which is not valid: %v", data, err)
		}
	})
}

// ExampleRules_UnmarshalJSON reads card rules from a host's configuration
// file and sells a card under them.
func ExampleRules_UnmarshalJSON() {
	config := `{"currency":"CNY","multiple":"100","minimum":"100","valid_months":6,"overdraft":"0",
		"tiers":[{"threshold":"10000","bonus":"1000"}]}`
	var rules prepaid.Rules
	if err := json.Unmarshal([]byte(config), &rules); err != nil {
		panic(err)
	}
	buy, _ := rules.Purchase(prepaid.PurchaseParams{ID: "PC-1", Account: "acct", Denomination: decimal.NewFromInt(10000),
		At: time.Date(2024, 8, 31, 10, 0, 0, 0, time.UTC)}, time.UTC)
	fmt.Println(buy.Bonus, buy.Card.ValidUntil().Format(time.DateOnly))

	err := json.Unmarshal([]byte(`{"currency":"CNY","multiple":"100","minimum":"100","tiers":[]}`), &rules)
	fmt.Println(err)
	// Output:
	// 1000 2025-02-28
	// prepaid: invalid rules "CNY": valid_months: missing
}
