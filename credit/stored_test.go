package credit_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/internal/stored/storedtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var storeT0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

const seedKakao = "KakaoCloud credits (003)"

// genCredit grants a free or buys a paid credit with drawn terms and takes
// it (or what it transferred to another group) through a drawn part of its
// public lifecycle.
func genCredit(t *rapid.T) credit.Credit {
	granted := storedtest.Instant(t, storeT0, 200, "granted")
	var c credit.Credit
	var err error
	if rapid.Bool().Draw(t, "free") {
		p := credit.FreeParams{
			ID: "FC-1", Name: rapid.SampledFrom([]string{"", "Welcome", "Spring event"}).Draw(t, "name"),
			Domain: "acme", Group: "main", Currency: rapid.SampledFrom([]string{"KRW", "USD"}).Draw(t, "currency"),
			Amount: storedtest.Amount(t, "amount", 3), GrantedAt: granted,
			ValidUntil:                storedtest.Instant(t, granted.Add(time.Hour), 200, "valid_until"),
			Services:                  rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"vm", "gpu", "db"}), 0, 2, rapid.ID[string]).Draw(t, "services"),
			AllowMarketplaceAndImages: rapid.Bool().Draw(t, "allow_marketplace"),
		}
		if rapid.Bool().Draw(t, "later_start") {
			p.ValidFrom = granted.Add(time.Minute)
		}
		c, err = credit.NewFree(p)
	} else {
		c, err = credit.NewPaid(credit.PaidParams{
			ID: "PC-1", Domain: "acme", Group: "main", Currency: "KRW", Amount: storedtest.Amount(t, "amount", 3),
			PurchasedAt: granted, InvoiceOnUse: rapid.Bool().Draw(t, "invoice_on_use"),
		}, storedtest.Zone(t, rapid.SampledFrom(storedtest.ZoneNames).Draw(t, "customer")))
	}
	if err != nil {
		t.Fatal(err)
	}
	at := granted
	for i, n := 0, rapid.IntRange(0, 6).Draw(t, "ops"); i < n; i++ {
		at = storedtest.Instant(t, at, 200, "at")
		var w credit.Credit
		switch rapid.IntRange(0, 4).Draw(t, "op") {
		case 0:
			rem := c.Remaining()
			w, err = c.Apply(storedtest.Spend(c.ID(), c.Currency(), rem, storedtest.Part(t, rem, "used"), fmt.Sprint("B-", i)), at)
		case 1:
			var received credit.Credit
			w, received, err = c.Transfer(credit.Destination{ID: fmt.Sprint(c.ID(), "-t", i), Domain: "acme", Group: fmt.Sprint("g", i)}, storedtest.Part(t, c.Remaining(), "transferred"), at)
			if err == nil && rapid.Bool().Draw(t, "follow_transfer") {
				w = received
			}
		case 2:
			if rapid.Bool().Draw(t, "wait_for_expiry") {
				at = storedtest.Instant(t, c.ValidUntil(), 200, "expiry_checked")
			}
			w, err = c.Expire(at)
		case 3:
			w, err = c.Recover(at)
		case 4:
			w, _, err = c.Refund(at)
		}
		if err == nil {
			c = w
		}
	}
	return c
}

// creditView is everything a host can read of a credit, as text.
func creditView(c credit.Credit) []string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	out := []string{
		c.ID(), c.Name(), string(c.Type()), c.Domain(), c.Group(), c.Currency(),
		c.Accumulated().String(), fmt.Sprint(c.Accumulated().Exponent()), c.Remaining().String(), c.Used().String(),
		ts(c.ValidFrom()), ts(c.ValidUntil()), fmt.Sprintf("%q", c.Scope()), fmt.Sprint(c.Specific()),
		ts(c.GrantedAt()), string(c.Status()), ts(c.ZeroAt()), fmt.Sprint(c.Instrument().Invoiceable),
	}
	for _, e := range c.History() {
		out = append(out, fmt.Sprintf("%s %s %s(%d) %s %s", e.Type, ts(e.At), e.Amount, e.Amount.Exponent(), e.Group, e.Ref))
	}
	return out
}

func TestPropertyStoredCreditRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCredit(t)
		got := storedtest.RoundTrip(t, c)
		if diff := cmp.Diff(creditView(c), creditView(got)); diff != "" {
			t.Fatalf("round trip (-stored +read):\n%s", diff)
		}
		if !got.Equal(c) || !c.Equal(got) {
			t.Fatal("Equal says the credit read back differs")
		}
		if !creditInvariants(c) {
			t.Fatal("the generator broke a credit's invariants")
		}
		if diff := cmp.Diff(c.Instrument(), got.Instrument(), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("instrument (-stored +read):\n%s", diff)
		}
	})
}

func genGift(t *rapid.T) credit.Gift {
	opening := decimal.Zero
	if rapid.Bool().Draw(t, "opened_with_balance") {
		opening = storedtest.Amount(t, "opening", 3)
	}
	g, err := credit.NewGift(credit.GiftParams{ID: "gift", Account: "acct", Currency: "CNY", Balance: opening})
	if err != nil {
		t.Fatal(err)
	}
	at := storeT0
	for i, n := 0, rapid.IntRange(0, 6).Draw(t, "ops"); i < n; i++ {
		at = at.Add(time.Hour)
		if rapid.Bool().Draw(t, "grant") {
			g, _ = g.Grant(storedtest.Amount(t, "granted", 3), at)
		} else if g.Balance().IsPositive() {
			g, err = g.Apply(storedtest.Spend(g.ID(), "CNY", g.Balance(), storedtest.Part(t, g.Balance(), "used"), "B"), at)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return g
}

func TestPropertyStoredGiftRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genGift(t)
		got := storedtest.RoundTrip(t, g)
		view := func(g credit.Gift) string {
			return fmt.Sprint(g.ID(), g.Account(), g.Currency(), g.Balance(), g.Granted(), g.Used(), g.Balance().Exponent(), g.Used().Exponent())
		}
		if view(got) != view(g) || !got.Equal(g) {
			t.Fatalf("read back %s; stored %s", view(got), view(g))
		}
	})
}

func genLine(t *rapid.T) credit.Line {
	limit := storedtest.Amount(t, "limit", 3)
	l, err := credit.NewLine(credit.LineParams{ID: "avail", Account: "acct", Currency: "CNY", Limit: limit, Available: storedtest.Part(t, limit, "opening").Neg()})
	if err != nil {
		t.Fatal(err)
	}
	at := storeT0
	for i, n := 0, rapid.IntRange(0, 6).Draw(t, "ops"); i < n; i++ {
		at = at.Add(time.Hour)
		switch rapid.IntRange(0, 2).Draw(t, "op") {
		case 0:
			l, _, _ = l.TopUp(storedtest.Amount(t, "top_up", 3), at)
		case 1:
			l, _ = l.WithLimit(storedtest.Amount(t, "new_limit", 3), at)
		case 2:
			if s := l.Spendable(); s.IsPositive() {
				if l, err = l.Apply(storedtest.Spend(l.ID(), "CNY", l.Available(), storedtest.Part(t, s, "used"), "B"), at); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return l
}

func TestPropertyStoredLineRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLine(t)
		got := storedtest.RoundTrip(t, l)
		view := func(l credit.Line) string {
			return fmt.Sprint(l.ID(), l.Account(), l.Currency(), l.Limit(), l.Available(), l.Limit().Exponent(), l.Available().Exponent())
		}
		if view(got) != view(l) || !got.Equal(l) {
			t.Fatalf("read back %s; stored %s", view(got), view(l))
		}
	})
}

// TestStoredEqual: Equal tells different states apart, so that the round
// trip properties mean something.
func TestStoredEqual(t *testing.T) {
	c, _ := credit.NewPaid(credit.PaidParams{ID: "PC-1", Domain: "acme", Group: "main", Currency: "KRW", Amount: decimal.NewFromInt(100), PurchasedAt: storeT0}, nil)
	used, _ := c.Apply(storedtest.Spend("PC-1", "KRW", decimal.NewFromInt(100), decimal.NewFromInt(40), "B-1"), storeT0.Add(time.Hour))
	otherBill, _ := c.Apply(storedtest.Spend("PC-1", "KRW", decimal.NewFromInt(100), decimal.NewFromInt(40), "B-2"), storeT0.Add(time.Hour))
	if !c.Equal(c) || c.Equal(used) || used.Equal(otherBill) || c.Equal(credit.Credit{}) {
		t.Error("Credit.Equal does not tell the states apart")
	}
	g, _ := credit.NewGift(credit.GiftParams{ID: "gift", Account: "acct", Currency: "CNY", Balance: decimal.NewFromInt(10)})
	g2, _ := g.Grant(decimal.NewFromInt(1), storeT0)
	l, _ := credit.NewLine(credit.LineParams{ID: "avail", Account: "acct", Currency: "CNY", Limit: decimal.NewFromInt(10)})
	l2, _ := l.WithLimit(decimal.NewFromInt(20), storeT0)
	if !g.Equal(g) || g.Equal(g2) || !l.Equal(l) || l.Equal(l2) {
		t.Error("Gift.Equal or Line.Equal does not tell the states apart")
	}
}

// storedPaid is a valid stored paid credit: bought, 400 of 1000 used.
const storedPaid = `{"version":1,"id":"PC-1","type":"paid","domain":"acme","group":"main","currency":"KRW",
	"accumulated":"1000","granted_at":"2024-02-28T20:00:00Z","valid_from":"2024-02-28T20:00:00Z",
	"valid_until":"2029-02-27T20:00:00Z","status":"available","remaining":"600",
	"history":[{"type":"accumulation","at":"2024-02-28T20:00:00Z","amount":"1000"},
	{"type":"use","at":"2024-03-31T15:00:00Z","amount":"400","ref":"B-1"}]}`

func TestUnmarshalCreditRefuses(t *testing.T) {
	tests := []struct {
		name, edit string // edit replaces the first "old=>new"
		want       []string
		reason     string
	}{
		{"valid", "", nil, "the base document is valid"},
		{"unknown_fields", `"remaining":"600"=>"remainig":"600","remaining":"600","note":"x"`, []string{"remainig: unknown field", "note: unknown field"}, "a misspelt field is not silently dropped; every one is named"},
		{"unknown_entry_field", `"ref":"B-1"=>"ref":"B-1","bill":"B-1"`, []string{"history[1].bill: unknown field"}, "entries are strict too, and named by index"},
		{"unknown_status", `"status":"available"=>"status":"frozen"`, []string{`status "frozen" is not`}, seedKakao + ": available, used up, expired, recovered or refunded"},
		{"remaining_above_accumulated", `"remaining":"600"=>"remaining":"1600"`, []string{"the history leaves 600; remaining says 1600"}, "a credit never holds more than was accumulated"},
		{"negative_amount", `"amount":"400"=>"amount":"-400"`, []string{"history[1].amount -400 must be positive", "the history leaves 1400"}, "history amounts are positive"},
		{"period_reversed", `"valid_until":"2029-02-27T20:00:00Z"=>"valid_until":"2024-01-01T00:00:00Z"`, []string{"valid until 2024-01-01T00:00:00Z must be after valid from 2024-02-28T20:00:00Z"}, "a usage period ends after it starts"},
		{"paid_recovered", `"status":"available","remaining":"600"=>"status":"recovered","remaining":"0","zero_at":"2024-04-01T00:00:00Z"`, []string{"a paid credit cannot be recovered", "the history leaves 600; remaining says 0"}, seedKakao + ": paid credits are refunded, not recovered"},
		{"opening_mismatch", `"amount":"1000"=>"amount":"900"`, []string{"history[0]: the opening entry is the accumulated 1000", "the history leaves 500; remaining says 600"}, "the history opens with the grant"},
		{"paid_transferred", `"ref":"B-1"}=>"ref":"B-1"},{"type":"transfer_deduction","at":"2024-04-01T00:00:00Z","amount":"100","group":"dev","ref":"PC-2"}`, []string{"history[2]: only a free credit is transferred", "the history leaves 500; remaining says 600"}, seedKakao + ": paid credits are not transferable"},
		{"available_with_zero_at", `"remaining":"600"=>"remaining":"600","zero_at":"2024-04-01T00:00:00Z"`, []string{"an available credit has not reached zero"}, "only a closed credit reached zero"},
		{"used_up_without_last_use", `"status":"available","remaining":"600"=>"status":"used_up","remaining":"0","zero_at":"2024-04-01T00:00:00Z"`, []string{"the history leaves 600; remaining says 0", "the last entry at 2024-03-31T15:00:00Z is when the credit reached zero"}, "used up is when the last use took the rest"},
		{"unknown_version", `"version":1=>"version":"1"`, []string{`version: "1" is not supported`}, "the version is a number this build knows"},
		{"everything_at_once", `"currency":"KRW"=>"currency":"won","colour":"red"`, []string{`colour: unknown field`, `currency "won"`}, "all problems in one error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := storedtest.Edit(t, storedPaid, tt.edit)
			c, _ := credit.NewPaid(credit.PaidParams{ID: "before", Domain: "d", Group: "g", Currency: "KRW", Amount: decimal.NewFromInt(1), PurchasedAt: storeT0}, nil)
			err := json.Unmarshal([]byte(doc), &c)
			if tt.want == nil {
				if err != nil || c.ID() != "PC-1" || !c.Remaining().Equal(decimal.NewFromInt(600)) {
					t.Fatalf("valid document: %q, %v", c.ID(), err)
				}
				return
			}
			storedtest.Refused(t, err, credit.ErrInvalid, tt.want, tt.reason)
			if !c.Equal(credit.Credit{}) {
				t.Errorf("a refused document left %q behind; want the zero Credit", c.ID())
			}
		})
	}
}

func TestUnmarshalGiftAndLineRefuse(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
		into      interface {
			json.Unmarshaler
			json.Marshaler
		}
	}{
		{"gift_balance_above_granted", `{"version":1,"id":"gift","account":"acct","currency":"CNY","balance":"170","granted":"100","used":"30"}`, []string{"balance 170 is not granted 100 − used 30"}, new(credit.Gift)},
		{"gift_negative", `{"version":1,"id":"gift","account":"acct","currency":"CNY","balance":"-10","granted":"20","used":"30"}`, []string{"balance -10 must not be negative"}, new(credit.Gift)},
		{"gift_unknown_field", `{"version":1,"id":"gift","account":"acct","currency":"CNY","balance":"70","granted":"100","used":"30","cashable":true}`, []string{"cashable: unknown field"}, new(credit.Gift)},
		{"line_below_limit", `{"version":1,"id":"avail","account":"acct","currency":"CNY","limit":"5000","available":"-5000.01"}`, []string{"available -5000.01 is below −limit 5000"}, new(credit.Line)},
		{"line_negative_limit", `{"version":1,"id":"avail","account":"acct","currency":"CNY","limit":"-1","available":"0"}`, []string{"limit -1 must not be negative"}, new(credit.Line)},
		{"line_missing_version", `{"id":"avail","account":"acct","currency":"CNY","limit":"1","available":"0"}`, []string{"version: missing"}, new(credit.Line)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := json.Unmarshal([]byte(tc.doc), tc.into)
			storedtest.Refused(t, err, credit.ErrInvalid, tc.want, "")
			if _, err := tc.into.MarshalJSON(); !errors.Is(err, credit.ErrInvalid) {
				t.Error("a refused document left a value behind that can be stored")
			}
		})
	}
}

// creditInvariants are what every accepted credit keeps.
func creditInvariants(c credit.Credit) bool {
	h := c.History()
	left := c.Accumulated()
	for _, e := range h[1:] {
		left = left.Sub(e.Amount)
	}
	return len(h) > 0 && left.Equal(c.Remaining()) && !c.Remaining().IsNegative() &&
		(c.Status() == credit.Available) == c.Remaining().IsPositive() &&
		(c.Status() == credit.Available) == c.ZeroAt().IsZero() && c.ValidUntil().After(c.ValidFrom())
}

func FuzzUnmarshalCredit(f *testing.F) {
	f.Add([]byte(storedPaid))
	f.Add([]byte(`{"version":1,"history":[{"type":"use"},null,7]}`))
	f.Add([]byte(`{"version":1,"id":"FC","type":"free","domain":"d","group":"g","currency":"KRW","accumulated":"5","granted_at":"2024-01-01T00:00:00Z","valid_from":"2024-01-01T00:00:00Z","valid_until":"2024-02-01T00:00:00Z","scope":{"exclude_categories":["marketplace"]},"status":"used_up","remaining":"0","zero_at":"2024-01-02T00:00:00Z","history":[{"type":"transfer_accumulation","at":"2024-01-01T00:00:00Z","amount":"5","group":"h","ref":"FC0"},{"type":"transfer_deduction","at":"2024-01-02T00:00:00Z","amount":"5","group":"k","ref":"FC2"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		storedtest.FuzzDecoder(t, data, credit.Credit{})
		var c credit.Credit
		if json.Unmarshal(data, &c) == nil && !creditInvariants(c) {
			t.Fatalf("accepted %q, which breaks a credit's invariants", data)
		}
	})
}

func FuzzUnmarshalGift(f *testing.F) {
	f.Add([]byte(`{"version":1,"id":"gift","account":"acct","currency":"CNY","balance":"70","granted":"100","used":"30"}`))
	f.Fuzz(func(t *testing.T, data []byte) { storedtest.FuzzDecoder(t, data, credit.Gift{}) })
}

func FuzzUnmarshalLine(f *testing.F) {
	f.Add([]byte(`{"version":1,"id":"avail","account":"acct","currency":"CNY","limit":"5000","available":"-1200"}`))
	f.Fuzz(func(t *testing.T, data []byte) { storedtest.FuzzDecoder(t, data, credit.Line{}) })
}

// Example_storeAndRestore shows a host keeping a billing group's credits
// between two requests: a paid credit bought by a Korean customer, stored
// as JSON after a bill used part of it, read back to build the next bill's
// wallet (with ledger.WithBalances(journal, wallet) when the host keeps a
// journal, which owns the balances).
func Example_storeAndRestore() {
	seoul := time.FixedZone("KST", 9*3600) // time.LoadLocation("Asia/Seoul") in a host
	bought := time.Date(2024, 2, 28, 20, 0, 0, 0, time.UTC)
	paid, _ := credit.NewPaid(credit.PaidParams{ID: "PC-1", Domain: "acme", Group: "main", Currency: "KRW",
		Amount: decimal.NewFromInt(1000000), PurchasedAt: bought}, seoul)
	bill := allocation.Bill{ID: "2024-03/main", Currency: "KRW", At: time.Date(2024, 3, 31, 15, 0, 0, 0, time.UTC),
		Lines: []allocation.Line{{ID: "vm", Product: "vm", Amount: decimal.NewFromInt(250000)}}}
	split, _ := allocation.Allocate(bill, credit.Wallet([]credit.Credit{paid}, "main"), allocation.Policy{})
	paid, _ = paid.Apply(split, bill.At)

	row, err := json.Marshal(paid) // the host saves row in its database
	if err != nil {
		panic(err)
	}
	fmt.Println(string(row))

	var restored credit.Credit // next request: load and decode
	if err := json.Unmarshal(row, &restored); err != nil {
		panic(err)
	}
	wallet := credit.Wallet([]credit.Credit{restored}, "main")
	fmt.Println(restored.Equal(paid), wallet[0].ID, wallet[0].Balance, restored.ValidUntil().In(seoul).Format(time.DateTime))
	// Output:
	// {"version":1,"id":"PC-1","type":"paid","domain":"acme","group":"main","currency":"KRW","accumulated":"1000000","granted_at":"2024-02-28T20:00:00Z","valid_from":"2024-02-28T20:00:00Z","valid_until":"2029-02-27T20:00:00Z","status":"available","remaining":"750000","history":[{"type":"accumulation","at":"2024-02-28T20:00:00Z","amount":"1000000"},{"type":"use","at":"2024-03-31T15:00:00Z","amount":"250000","ref":"2024-03/main"}]}
	// true PC-1 750000 2029-02-28 05:00:00
}

// storedFree is a valid stored free credit received by transfer and used
// up by a use.
const storedFree = `{"version":1,"id":"FC-2","type":"free","domain":"acme","group":"dev","currency":"KRW","accumulated":"100",
	"granted_at":"2024-05-02T00:00:00Z","valid_from":"2024-03-01T00:00:00Z","valid_until":"2024-09-01T00:00:00Z",
	"scope":{"exclude_categories":["marketplace","os_image"]},"status":"used_up","remaining":"0","zero_at":"2024-05-31T00:00:00Z",
	"history":[{"type":"transfer_accumulation","at":"2024-05-02T00:00:00Z","amount":"100","group":"main","ref":"FC-1"},
	{"type":"use","at":"2024-05-31T00:00:00Z","amount":"100","ref":"B-5"}]}`

// TestUnmarshalCreditLifecycle: each rule a stored credit's state and
// history must keep is checked on its own.
func TestUnmarshalCreditLifecycle(t *testing.T) {
	const expired = `"status":"available","remaining":"600"=>"status":"expired","remaining":"0","zero_at":"2029-01-01T00:00:00Z"`
	const closeWith = `"ref":"B-1"}=>"ref":"B-1"},{"type":"%s","at":"2029-01-01T00:00:00Z","amount":"600"%s}`
	for _, tc := range []struct {
		name, base string
		edits      []string
		want       string
	}{
		{"free_valid", storedFree, nil, ""},
		{"remaining_negative", storedPaid, []string{`"remaining":"600"=>"remaining":"-600"`}, "remaining -600 must not be negative"},
		{"free_invoiceable", storedFree, []string{`"status"=>"invoiceable":true,"status"`}, "a free credit is not invoiceable"},
		{"paid_scoped", storedPaid, []string{`"status"=>"scope":{"products":["vm"]},"status"`}, "a paid credit may pay any service: its scope is empty"},
		{"unknown_type", storedPaid, []string{`"type":"paid"=>"type":"bonus"`}, `type "bonus" is not free or paid`},
		{"available_empty", storedPaid, []string{`"remaining":"600"=>"remaining":"0"`}, "an available credit has something remaining (remaining 0)"},
		{"closed_with_remaining", storedPaid, []string{`"status":"available"=>"status":"used_up","zero_at":"2024-03-31T15:00:00Z"`}, "a credit in status used_up has nothing remaining (remaining 600)"},
		{"closed_without_zero_at", storedFree, []string{`,"zero_at":"2024-05-31T00:00:00Z"=>`}, "a credit in status used_up has the instant it reached zero (zero at is missing)"},
		{"expired_off_period", storedPaid, []string{expired, fmt.Sprintf(closeWith, "expiry", "")}, "an expired credit reached zero at the end of its usage period 2029-02-27T20:00:00Z, not 2029-01-01T00:00:00Z"},
		{"empty_history", storedPaid, []string{`"history":[=>"history":[],"old_history":[`}, "history: empty; it opens with the grant"},
		{"opens_with_use", storedPaid, []string{`"type":"accumulation"=>"type":"use"`}, "history[0]: a paid credit opens with an accumulation"},
		{"use_names_group", storedPaid, []string{`"ref":"B-1"=>"ref":"B-1","group":"dev"`}, "history[1]: a use names no group"},
		{"closing_entry_not_last", storedPaid, []string{`{"type":"use"=>{"type":"expiry","at":"2024-03-01T00:00:00Z","amount":"1"},{"type":"use"`}, "history[1]: an entry of type expiry closes a credit: it comes last"},
		{"closing_entry_with_ref", storedPaid, []string{`"status":"available","remaining":"600"=>"status":"refunded","remaining":"0","zero_at":"2029-01-01T00:00:00Z"`, fmt.Sprintf(closeWith, "refund", `,"ref":"R-1"`)}, "history[2]: an entry of type refund names no group or reference"},
		{"unknown_entry_type", storedPaid, []string{`"type":"use"=>"type":"spend"`}, `history[1].type "spend" is not use, transfer_deduction, expiry, recovery or refund`},
		{"overdrawn", storedPaid, []string{`"amount":"400"=>"amount":"1400"`}, "history[1]: deducts 1400, more than the 1000 remaining"},
		{"zero_without_entry", storedPaid, []string{`"status":"available","remaining":"600"=>"status":"used_up","remaining":"0","zero_at":"2024-03-31T15:00:00Z"`, `"amount":"400"=>"amount":"400"},{"type":"use","at":"2024-04-30T15:00:00Z","amount":"600","ref":"B-2"`}, "history: the last entry at 2024-04-30T15:00:00Z is when the credit reached zero; zero at says 2024-03-31T15:00:00Z"},
		{"closed_by_accumulation", storedPaid, []string{`"status":"available","remaining":"600"=>"status":"used_up","remaining":"0","zero_at":"2024-02-28T20:00:00Z"`, `"amount":"400"=>"amount":"1000"`, `"type":"use"=>"type":"expiry"`}, "history: the last entry of a credit in status used_up says how it reached zero, not \"expiry\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c credit.Credit
			err := json.Unmarshal([]byte(storedtest.Edit(t, tc.base, tc.edits...)), &c)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, credit.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want one wrapping ErrInvalid saying %q", err, tc.want)
			}
		})
	}
	var g credit.Gift
	if err := json.Unmarshal([]byte(`{"version":1,"id":"gift","account":"acct","currency":"CNY","balance":"0","granted":"-30","used":"-30"}`), &g); err == nil ||
		!strings.Contains(err.Error(), "granted -30 and used -30 must not be negative") {
		t.Errorf("negative gift totals: %v", err)
	}
}
