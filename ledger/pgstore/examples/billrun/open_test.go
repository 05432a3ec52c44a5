package main

import (
	"context"
	"errors"
	"slices"
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

// resumingStore is a batchStore that hands out journals resumed from a
// checkpoint of their whole history, as pgstore does for streams past its
// checkpoint interval, and recalls older transactions in batches
// (ledger.BatchRecaller). It counts the streams read one at a time.
type resumingStore struct {
	batchStore
	loads atomic.Int64
}

func (s *resumingStore) resumed(j ledger.Journal) (ledger.Journal, error) {
	return ledger.Resume(j.Checkpoint(), nil)
}

func (s *resumingStore) Load(ctx context.Context, stream string) (ledger.Journal, error) {
	s.loads.Add(1)
	j, err := s.MemoryStore.Load(ctx, stream)
	if err != nil {
		return j, err
	}
	return s.resumed(j)
}

func (s *resumingStore) LoadBatch(ctx context.Context, streams []string) ([]ledger.Journal, error) {
	js := make([]ledger.Journal, len(streams))
	for k, st := range streams {
		j, err := s.MemoryStore.Load(ctx, st)
		if err == nil {
			js[k], err = s.resumed(j)
		}
		if err != nil {
			return nil, err
		}
	}
	return js, nil
}

func (s *resumingStore) Recall(ctx context.Context, stream string, j ledger.Journal, ids ...string) (ledger.Journal, error) {
	whole, err := s.MemoryStore.Load(ctx, stream)
	if err != nil {
		return j, err
	}
	var past []ledger.Past
	for seq, tx := range whole.Transactions() {
		if seq < j.Base() && (slices.Contains(ids, tx.ID) || tx.Ref != "" && slices.Contains(ids, tx.Ref)) {
			past = append(past, ledger.Past{Seq: seq, Transaction: tx})
		}
	}
	return j.Recall(ids, past)
}

func (s *resumingStore) RecallBatch(ctx context.Context, recalls []ledger.StreamRecall) ([]ledger.Journal, error) {
	out := make([]ledger.Journal, len(recalls))
	for k, r := range recalls {
		j, err := s.Recall(ctx, r.Stream, r.Journal, r.IDs...)
		if err != nil {
			return nil, err
		}
		out[k] = j
	}
	return out, nil
}

// Opening again customers whose streams are read resumed from a
// checkpoint (their grants older than it) recognises the grants with one
// recall per chunk: nothing is booked, and no stream is read on its own.
func TestOpenAgainPastCheckpoints(t *testing.T) {
	ctx := context.Background()
	gen := generator{seed: 1, customers: 50, parts: 1}
	s := &resumingStore{batchStore: batchStore{MemoryStore: &ledger.MemoryStore{}}}
	if n, err := open(ctx, &s.batchStore, gen, 3); err != nil || n != gen.customers {
		t.Fatalf("open: %d new, %v", n, err)
	}
	batches := s.appendBatches.Load()
	if n, err := open(ctx, s, gen, 3); err != nil || n != 0 {
		t.Fatalf("open again, resumed: %d new, %v; want none", n, err)
	}
	if s.loads.Load() != 0 || s.appendBatches.Load() != batches {
		t.Fatalf("open again read %d streams one at a time and wrote %d batches; want none", s.loads.Load(), s.appendBatches.Load()-batches)
	}
}
