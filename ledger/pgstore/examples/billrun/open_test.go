package main

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// plainStore hides every method of a store but those of ledger.Store.
type plainStore struct{ ledger.Store }

// batchStore is a ledger.BatchStore over a MemoryStore for the tests:
// each append of a batch is made on its own (not in one commit, which
// open does not rely on), and the batches are counted.
type batchStore struct {
	*ledger.MemoryStore
	appendBatches atomic.Int64
}

func (s *batchStore) LoadBatch(ctx context.Context, streams []string) ([]ledger.Journal, error) {
	js := make([]ledger.Journal, len(streams))
	for k, st := range streams {
		j, err := s.Load(ctx, st)
		if err != nil {
			return nil, err
		}
		js[k] = j
	}
	return js, nil
}

func (s *batchStore) AppendBatch(ctx context.Context, appends []ledger.StreamAppend) ([]error, error) {
	s.appendBatches.Add(1)
	verdicts := make([]error, len(appends))
	for k, a := range appends {
		_, verdicts[k] = s.Append(ctx, a.Stream, a.Expected, a.Txs)
	}
	return verdicts, nil
}

// TestOpenBooksGrantsOnce: opening books each customer's five grants
// once, whether the store books many streams per commit or one; opening
// again only reads. A stream that already holds something else gets its
// grants after it, and one that holds other grants under the same ids
// (another -seed) stops the opening with ErrConflict.
func TestOpenBooksGrantsOnce(t *testing.T) {
	ctx := context.Background()
	gen := generator{seed: 1, customers: 50, parts: 1}
	for _, tc := range []struct {
		name  string
		store func() (ledger.Store, *atomic.Int64)
	}{
		{"one_stream_per_commit", func() (ledger.Store, *atomic.Int64) { return plainStore{&ledger.MemoryStore{}}, nil }},
		{"batch_store", func() (ledger.Store, *atomic.Int64) {
			s := &batchStore{MemoryStore: &ledger.MemoryStore{}}
			return s, &s.appendBatches
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, batches := tc.store()
			other := ledger.Grant("welcome", opening, ledger.Terms{Account: ledger.InstrumentAccount("promo", "USD"), Kind: "voucher"}, decimal.New(5, 0), "")
			if _, err := store.Append(ctx, stream(7), 0, []ledger.Transaction{other}); err != nil {
				t.Fatal(err)
			}
			n, err := open(ctx, store, gen, 3)
			if err != nil || n != gen.customers {
				t.Fatalf("open: %d new, %v; want %d new", n, err, gen.customers)
			}
			if batches != nil && batches.Load() == 0 {
				t.Fatal("a BatchStore was opened one stream at a time")
			}
			check := func() {
				t.Helper()
				for i := range gen.customers {
					j, err := store.Load(ctx, stream(i))
					if err != nil {
						t.Fatal(err)
					}
					want := 5
					if i == 7 {
						want = 6 // after the welcome grant
					}
					if j.Len() != want || !holds(j, gen.grants(i)) {
						t.Fatalf("%s: %d transactions, grants held %v; want %d and the grants", stream(i), j.Len(), holds(j, gen.grants(i)), want)
					}
				}
			}
			check()
			before := int64(0)
			if batches != nil {
				before = batches.Load()
			}
			if n, err := open(ctx, store, gen, 3); err != nil || n != 0 {
				t.Fatalf("open again: %d new, %v; want none", n, err)
			}
			if batches != nil && batches.Load() != before {
				t.Fatal("opening again wrote a batch")
			}
			check()

			reseeded := generator{seed: 2, customers: 50, parts: 1}
			if _, err := open(ctx, store, reseeded, 3); !errors.Is(err, ledger.ErrConflict) {
				t.Fatalf("open with another seed: %v; want ErrConflict", err)
			}
		})
	}
}
