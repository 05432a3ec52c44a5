package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/ledgertest"
	"github.com/billfold/billfold/ledger/pgstore"
)

// updater is a read-modify-write of a stream: Store.Update, or
// ledger.Update over the Store.
type updater func(ctx context.Context, s *pgstore.Store, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error)

func locking(ctx context.Context, s *pgstore.Store, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	return s.Update(ctx, stream, build)
}

func optimistic(ctx context.Context, s *pgstore.Store, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	return ledger.Update(ctx, s, stream, 10000, build)
}

// Sixteen clients spend one wallet at once, 500 bills each, through two
// Stores (two processes) sharing the database, each bill booked through
// FromSplit and some booked twice. No spend may be lost or booked twice,
// and the wallet may never be overspent: what the journal and the tables
// hold must add up to exactly the spends the clients were told were
// accepted (ledgertest.ConcurrentSpends checks all of it; checkStored then
// checks the tables). The bills add up to about twice the wallet, so it
// runs dry half way through, and clients race at its floor.
//
// Both ways of writing are run: Store.Update (the stream's row locked
// from load to store) and ledger.Update (optimistic: Append fails on a
// version conflict, and the client retries from a fresh load).
func TestConcurrentSpends(t *testing.T) {
	const (
		workers = 16
		bills   = 500
	)
	for _, c := range []struct {
		name   string
		update updater
		grant  string
	}{
		{"locking", locking, "22000"},
		// A retry of ledger.Update applies to a journal another client
		// has extended, which copies the journal (ledger.Journal.Apply):
		// a smaller wallet keeps that affordable here.
		{"optimistic", optimistic, "2000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			ctx := context.Background()
			pool := newPool(t, workers)
			stores := []*pgstore.Store{pgstore.New(pool, pgstore.Options{Schema: testSchema}), pgstore.New(pool, pgstore.Options{Schema: testSchema})}
			stream := newStream("concurrent")
			update := func(w int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
				return c.update(ctx, stores[w%len(stores)], stream, build)
			}
			load := func() (ledger.Journal, error) { // from a Store keeping nothing in memory
				return pgstore.New(pool, pgstore.Options{Schema: testSchema, CacheStreams: -1}).LoadAll(ctx, stream)
			}
			out := ledgertest.ConcurrentSpends(t, ledgertest.Spends{Workers: workers, Bills: bills, Grant: dec(c.grant), Seed: 9}, update, load)
			checkStored(t, stream, out.Journal)
			t.Logf("%d clients × %d bills in %v: %d accepted, %d refused, balance %s",
				workers, bills, time.Since(start).Round(time.Millisecond), out.Accepted, out.Refused, out.Balance)
		})
	}
}
