package pgstore_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/shopspring/decimal"
)

// What PostgreSQL or JSON cannot keep exactly is refused up front with
// ledger.ErrInvalid, which a host never retries: not stored rewritten
// (invalid UTF-8 would come back as U+FFFD, and a retry through another
// Store would then conflict with the booking it made), and not failed
// like a dropped connection (which a host retries for ever).
func TestInputsTheDatabaseCannotKeep(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(db, pgstore.Options{Schema: testSchema})
	long := strings.Repeat("x", 3000) // beyond PostgreSQL's btree key limit
	g := func(id string) ledger.Transaction {
		return ledger.Grant(id, t0, ledger.Terms{Account: acct("cash")}, dec("10"), "")
	}
	cases := []struct {
		name   string
		stream string // "" is a fresh one
		tx     ledger.Transaction
	}{
		{"invalid_utf8_in_note", "", func() ledger.Transaction { tx := g("g"); tx.Note = "a\xffb"; return tx }()},
		{"invalid_utf8_in_terms_kind", "", func() ledger.Transaction { tx := g("g"); tx.Terms[0].Kind = "a\xffb"; return tx }()},
		{"invalid_utf8_in_terms_group", "", func() ledger.Transaction { tx := g("g"); tx.Terms[0].Group = "a\xffb"; return tx }()},
		{"expires_in_year_10000", "", func() ledger.Transaction {
			tx := g("g")
			tx.Terms[0].Expires = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			return tx
		}()},
		{"nul_in_stream", "c\x00", g("g")},
		{"invalid_utf8_in_stream", "c\xff", g("g")},
		{"stream_id_too_long", long, g("g")},
		{"nul_in_id", "", g("g\x00")},
		{"invalid_utf8_in_id", "", g("g\xff")},
		{"id_too_long", "", g(long)},
		{"nul_in_instrument_id", "", ledger.Grant("g", t0, ledger.Terms{Account: acct("c\x00")}, dec("1"), "")},
		{"instrument_id_too_long", "", ledger.Grant("g", t0, ledger.Terms{Account: acct(long)}, dec("1"), "")},
		{"amount_beyond_numeric", "", ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, decimal.New(1, 140000), "")},
		{"amount_too_precise_for_numeric", "", ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, decimal.New(1, -17000), "")},
	}
	// At the limits, with ids random enough not to compress, everything
	// is stored: the limits fit PostgreSQL's index keys.
	t.Run("at_the_limits", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		id := func() string {
			b := make([]byte, ledger.MaxIDBytes)
			for i := range b {
				b[i] = byte(33 + rng.IntN(94))
			}
			return string(b)
		}
		stream, instrument := id(), id()
		tx := ledger.Grant(id(), t0, ledger.Terms{Account: acct(instrument)},
			decimal.New(1, ledger.MaxAmountIntegerDigits-1).Add(decimal.New(1, -ledger.MaxAmountPlaces)), "")
		if _, err := s.Append(ctx, stream, 0, []ledger.Transaction{tx}); err != nil {
			t.Fatal(err)
		}
		j, err := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1}).Load(ctx, stream)
		if err != nil || j.Len() != 1 {
			t.Fatalf("Load: %d, %v", j.Len(), err)
		}
		if got, _ := j.Transaction(tx.ID); !got.Equal(tx) {
			t.Fatalf("stored %+v, appended %+v", got, tx)
		}
		checkStored(t, stream, j)
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := c.stream
			if stream == "" {
				stream = newStream("limits")
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, err := s.Append(wctx, stream, 0, []ledger.Transaction{c.tx})
			if !errors.Is(err, ledger.ErrInvalid) || errors.Is(err, pgstore.ErrTransient) {
				t.Fatalf("Append = %v, want ledger.ErrInvalid only", err)
			}
			_, _, err = s.Update(wctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
				return []ledger.Transaction{c.tx}, nil
			})
			if !errors.Is(err, ledger.ErrInvalid) || errors.Is(err, pgstore.ErrTransient) {
				t.Fatalf("Update = %v, want ledger.ErrInvalid only", err)
			}
			if c.stream != "" {
				if _, err := s.Load(wctx, stream); !errors.Is(err, ledger.ErrInvalid) {
					t.Fatalf("Load = %v, want ledger.ErrInvalid", err)
				}
				return
			}
			if st := readStored(t, stream); st.txs != 0 {
				t.Fatalf("the refused transaction left %+v", st)
			}
		})
	}
}
