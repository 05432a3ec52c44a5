package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// Every store keeps a transaction exactly as given, or refuses it up front
// with ErrInvalid: a string a database or JSON would rewrite, an id too
// long for an index, an amount beyond a numeric column, or a time RFC 3339
// cannot write is a malformed transaction, in memory as in PostgreSQL.
func TestValidateLimits(t *testing.T) {
	long := strings.Repeat("x", ledger.MaxIDBytes+1)
	rows := []struct {
		name   string
		break_ func(tx *ledger.Transaction)
	}{
		{"invalid_utf8_in_note", func(tx *ledger.Transaction) { tx.Note = "a\xffb" }},
		{"nul_in_note", func(tx *ledger.Transaction) { tx.Note = "a\x00b" }},
		{"invalid_utf8_in_id", func(tx *ledger.Transaction) { tx.ID = "t\xff" }},
		{"nul_in_id", func(tx *ledger.Transaction) { tx.ID = "t\x00" }},
		{"invalid_utf8_in_bill", func(tx *ledger.Transaction) { tx.Bill = "\xc3" }},
		{"nul_in_ref", func(tx *ledger.Transaction) { tx.Ref = "\x00" }},
		{"invalid_utf8_in_line", func(tx *ledger.Transaction) { tx.Postings[0].Line = "\xff" }},
		{"nul_in_product", func(tx *ledger.Transaction) { tx.Postings[1].Product = "p\x00" }},
		{"invalid_utf8_in_instrument_id", func(tx *ledger.Transaction) {
			tx.Postings[1].Account = acct("v\xff")
			tx.Terms = nil
		}},
		{"nul_in_instrument_id", func(tx *ledger.Transaction) { tx.Terms[0].Account = acct("v\x00") }},
		{"invalid_utf8_in_terms_kind", func(tx *ledger.Transaction) { tx.Terms[0].Kind = "a\xffb" }},
		{"nul_in_terms_group", func(tx *ledger.Transaction) { tx.Terms[0].Group = "g\x00" }},
		{"id_too_long", func(tx *ledger.Transaction) { tx.ID = long }},
		{"instrument_id_too_long", func(tx *ledger.Transaction) { tx.Terms[0].Account = acct(long) }},
		{"amount_too_large", func(tx *ledger.Transaction) {
			tx.Postings[0].Amount = decimal.New(-1, ledger.MaxAmountIntegerDigits)
			tx.Postings[1].Amount = decimal.New(1, ledger.MaxAmountIntegerDigits)
		}},
		{"amount_absurdly_large", func(tx *ledger.Transaction) {
			tx.Postings[0].Amount = decimal.New(-1, 1<<30) // refused without computing 10^(2^30)
			tx.Postings[1].Amount = decimal.New(1, 1<<30)
		}},
		{"amount_too_precise", func(tx *ledger.Transaction) {
			tx.Postings[0].Amount = decimal.New(-1, -ledger.MaxAmountPlaces-1)
			tx.Postings[1].Amount = decimal.New(1, -ledger.MaxAmountPlaces-1)
		}},
		{"overdraft_too_large", func(tx *ledger.Transaction) { tx.Terms[0].Overdraft = decimal.New(1, 1<<20) }},
		{"expires_beyond_rfc_3339", func(tx *ledger.Transaction) {
			tx.Terms[0].Expires = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		}},
		{"expires_before_year_1", func(tx *ledger.Transaction) {
			tx.Terms[0].Expires = time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)
		}},
		{"time_with_a_day_long_offset", func(tx *ledger.Transaction) {
			tx.Time = time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("odd", 24*3600))
		}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			tx := valid()
			row.break_(&tx)
			err := tx.Validate()
			if !errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
			if _, _, err := (ledger.Journal{}).Apply(tx); !errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("Apply = %v, want ErrInvalid", err)
			}
			var s ledger.MemoryStore
			if _, err := s.Append(context.Background(), "c", 0, []ledger.Transaction{tx}); !errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("MemoryStore.Append = %v, want ErrInvalid", err)
			}
		})
	}
	t.Run("at_the_limits", func(t *testing.T) {
		tx := valid()
		tx.ID = strings.Repeat("é", ledger.MaxIDBytes/2)
		tx.Note = "ünïcode ✓"
		big := decimal.New(1, ledger.MaxAmountIntegerDigits-1)
		fine := decimal.New(1, -ledger.MaxAmountPlaces)
		tx.Postings = []ledger.Posting{
			{Account: sys(ledger.Issued), Amount: big.Add(fine).Neg()},
			{Account: acct(strings.Repeat("v", ledger.MaxIDBytes)), Amount: big.Add(fine)},
		}
		tx.Terms = []ledger.Terms{{Account: acct("v"), Expires: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}}
		if err := tx.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestValidStream(t *testing.T) {
	for _, s := range []string{"", "c\x00", "c\xff", strings.Repeat("c", ledger.MaxIDBytes+1)} {
		if err := ledger.ValidStream(s); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("ValidStream(%q) = %v, want ErrInvalid", s, err)
		}
		var m ledger.MemoryStore
		if _, err := m.Append(context.Background(), s, 0, []ledger.Transaction{valid()}); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("MemoryStore.Append to %q = %v, want ErrInvalid", s, err)
		}
		if _, err := m.Load(context.Background(), s); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("MemoryStore.Load of %q = %v, want ErrInvalid", s, err)
		}
	}
	if err := ledger.ValidStream(strings.Repeat("c", ledger.MaxIDBytes)); err != nil {
		t.Error(err)
	}
}

// A transaction Validate accepts survives its JSON form unchanged: what a
// store keeps is what was appended, whatever bytes its strings hold.
func TestPropertyValidSurvivesJSON(t *testing.T) {
	str := rapid.OneOf(rapid.String(), rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }))
	rapid.Check(t, func(t *rapid.T) {
		tx := valid()
		tx.ID = "t" + str.Draw(t, "id")
		tx.Note = str.Draw(t, "note")
		tx.Bill = str.Draw(t, "bill")
		tx.Postings[1].Line = str.Draw(t, "line")
		tx.Terms[0].Kind = str.Draw(t, "kind")
		tx.Terms[0].Group = str.Draw(t, "group")
		tx.Terms[0].Expires = time.Unix(rapid.Int64Range(-70000000000, 260000000000).Draw(t, "expires"), 0).UTC()
		if tx.Validate() != nil {
			return
		}
		b, err := json.Marshal(tx)
		if err != nil {
			t.Fatalf("a valid transaction does not encode: %v", err)
		}
		var back ledger.Transaction
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("its encoding does not decode: %v", err)
		}
		if !back.Equal(tx) {
			t.Fatalf("JSON changed a valid transaction:\n got %+v\nwant %+v", back, tx)
		}
	})
}
