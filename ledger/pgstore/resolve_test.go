package pgstore_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// proxiedPool returns a pool of at most maxConns connections into the
// tests' schema through a proxy that cuts a connection after a COMMIT
// when cut says so. The test is skipped if the database is not reached
// over TCP.
func proxiedPool(t *testing.T, maxConns int32, cut func() bool) *pgxpool.Pool {
	t.Helper()
	cfg := poolConfig.Copy()
	if len(cfg.ConnConfig.Host) > 0 && cfg.ConnConfig.Host[0] == '/' {
		t.Skip("the database is reached through a unix socket; the proxy relays TCP")
	}
	p := startProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))), cut)
	host, port, _ := net.SplitHostPort(p.addr())
	n, _ := strconv.Atoi(port)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Fallbacks = host, uint16(n), nil
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// once returns a cut function that cuts the first COMMIT only.
func once() func() bool {
	var done atomic.Bool
	return func() bool { return done.CompareAndSwap(false, true) }
}

// A write whose commit was sent and whose answer was lost fails with
// ErrUnknownOutcome, naming its transactions. Resolve then says what
// happened, waiting for the stream's lock: a read without it, taken while
// the commit is still under way, would say "not booked" for a grant that
// is booked a moment later. Retrying the same transaction is then a
// replay; rebuilding it differently is a conflict.
func TestResolve(t *testing.T) {
	ctx := context.Background()
	pauseWrites(t)
	direct := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	grant := ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("100"), "")

	for _, c := range []struct {
		name   string
		point  string // where the commit pauses for a second
		booked bool
	}{
		{"commit_lands_after_the_cut", "commit", true},
		{"commit_fails_after_the_cut", "abort", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			stream := newStream("resolve")
			if _, err := db.Exec(ctx, `INSERT INTO billfold_test_pause VALUES ($1, $2, 1)`, stream, c.point); err != nil {
				t.Fatal(err)
			}
			var cutAt atomic.Int64 // unix nanoseconds
			cut := once()
			writer := pgstore.New(proxiedPool(t, 2, func() bool {
				if cut() {
					cutAt.Store(time.Now().UnixNano())
					return true
				}
				return false
			}), pgstore.Options{Schema: testSchema})
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, err := writer.Append(wctx, stream, 0, []ledger.Transaction{grant})
			var oe *pgstore.OutcomeError
			if !errors.As(err, &oe) || !errors.Is(err, pgstore.ErrUnknownOutcome) || oe.Stream != stream || len(oe.IDs) != 1 || oe.IDs[0] != "g" {
				t.Fatalf("the cut write returned %v, want an OutcomeError for g", err)
			}
			// Without the lock, the stream looks untouched: its commit is
			// still sleeping in the database.
			if j, err := direct.Load(wctx, stream); err != nil || j.Len() != 0 {
				t.Fatalf("Load during the commit: %d, %v", j.Len(), err)
			}
			tx, ok, err := direct.Resolve(wctx, stream, "g")
			if err != nil || ok != c.booked {
				t.Fatalf("Resolve = %v, %v; want booked %v", ok, err, c.booked)
			}
			if waited := time.Since(time.Unix(0, cutAt.Load())); waited < 900*time.Millisecond {
				t.Fatalf("Resolve answered %v after the cut, before the commit in progress ended", waited)
			}
			if c.booked && !tx.Equal(grant) {
				t.Fatalf("Resolve returned %+v, want %+v", tx, grant)
			}
			if _, err := db.Exec(ctx, `DELETE FROM billfold_test_pause WHERE stream = $1`, stream); err != nil {
				t.Fatal(err)
			}
			// Retrying the same transaction: a replay if it was booked,
			// booked now if not. Rebuilding it differently conflicts.
			j, rs, err := direct.Update(wctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
				return []ledger.Transaction{grant}, nil
			})
			if err != nil || j.Len() != 1 || rs[0].Replayed != c.booked {
				t.Fatalf("retry: %d, %+v, %v", j.Len(), rs, err)
			}
			rebuilt := grant
			rebuilt.Note = "rebuilt"
			if _, err := direct.Append(wctx, stream, 1, []ledger.Transaction{rebuilt}); !errors.Is(err, ledger.ErrConflict) {
				t.Fatalf("a rebuilt transaction under the same id: %v", err)
			}
			checkStored(t, stream, j)
		})
	}
	if _, ok, err := direct.Resolve(ctx, newStream("resolve"), "nothing"); ok || err != nil {
		t.Fatalf("Resolve in an unknown stream: %v, %v", ok, err)
	}
}
