package ledgertest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/ledgertest"
	"github.com/shopspring/decimal"
)

// recorder is a TB that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

var spends = ledgertest.Spends{Workers: 8, Bills: 20, Grant: decimal.New(300, 0), Seed: 1}

// memory is the Update and load of a MemoryStore stream.
func memory(s *ledger.MemoryStore) (ledgertest.Update, func() (ledger.Journal, error)) {
	ctx := context.Background()
	update := func(_ int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
		return ledger.Update(ctx, s, "cust", 1000, build)
	}
	return update, func() (ledger.Journal, error) { return s.Load(ctx, "cust") }
}

func TestConcurrentSpendsPassesAMemoryStore(t *testing.T) {
	var s ledger.MemoryStore
	update, load := memory(&s)
	out := ledgertest.ConcurrentSpends(t, spends, update, load)
	if out.Accepted == 0 || out.Refused == 0 || out.Journal.Len() != out.Accepted+1 {
		t.Errorf("outcome %d accepted, %d refused, journal of %d", out.Accepted, out.Refused, out.Journal.Len())
	}
}

// Stores that lose, double or overspend are caught.
func TestConcurrentSpendsCatchesBrokenStores(t *testing.T) {
	for _, tc := range []struct {
		name   string
		broken func(next ledgertest.Update) ledgertest.Update
		want   string
	}{
		{"loses every tenth spend", func(next ledgertest.Update) ledgertest.Update {
			var mu sync.Mutex
			n := 0
			return func(w int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
				mu.Lock()
				n++
				lose := n > 1 && n%10 == 0
				mu.Unlock()
				if lose {
					return ledger.Journal{}, []ledger.Result{{}}, nil // says it stored, stores nothing
				}
				return next(w, build)
			}
		}, "accepted true, in the journal false"},
		{"never reports a replay", func(next ledgertest.Update) ledgertest.Update {
			return func(w int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
				j, rs, err := next(w, build)
				for i := range rs {
					rs[i].Replayed = false
				}
				return j, rs, err
			}
		}, "booked twice"},
		{"ignores the floor", func(next ledgertest.Update) ledgertest.Update {
			return func(w int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
				j, rs, err := next(w, build)
				if errors.Is(err, ledger.ErrInsufficient) {
					return j, []ledger.Result{{}}, nil // claims a refused spend was stored
				}
				return j, rs, err
			}
		}, "in the journal false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s ledger.MemoryStore
			update, load := memory(&s)
			var r recorder
			ledgertest.ConcurrentSpends(&r, spends, tc.broken(update), load)
			if !strings.Contains(strings.Join(r.errors, "\n"), tc.want) {
				t.Errorf("no error mentions %q; got:\n%s", tc.want, strings.Join(r.errors, "\n"))
			}
		})
	}
}

// A run in which the wallet never reaches its floor proves nothing about
// racing at it, and says so.
func TestConcurrentSpendsWantsTheWalletToRunDry(t *testing.T) {
	var s ledger.MemoryStore
	update, load := memory(&s)
	var r recorder
	big := spends
	big.Grant = decimal.New(100_000, 0)
	ledgertest.ConcurrentSpends(&r, big, update, load)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "did not run dry") {
		t.Errorf("errors %q, want one saying the wallet did not run dry", r.errors)
	}
}
