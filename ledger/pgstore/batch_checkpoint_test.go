package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
)

// The group commit reads and writes checkpoints as single writes do:
// LoadBatch reads a long stream cold from its newest checkpoint (not
// whole), AppendBatch recalls what a resumed journal needs to judge an
// append (a new id, the original of a reversal, a replay of an old id)
// and stores a checkpoint when an append crosses a multiple of
// CheckpointEvery.
func TestBatchReadsAndWritesCheckpoints(t *testing.T) {
	ctx := context.Background()
	const every = 8
	w := pgstore.New(db, pgstore.Options{Schema: testSchema, CheckpointEvery: every})
	long, short := newStream("batch-cp-long"), newStream("batch-cp-short")
	grant := ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("1000"), "")
	txs := []ledger.Transaction{grant, spendTx("early", at(1), acct("cash"), "30")}
	for i := range 20 {
		txs = append(txs, spendTx(fmt.Sprint("s", i), at(2+i), acct("cash"), "1"))
	}
	verdicts, err := w.AppendBatch(ctx, []ledger.StreamAppend{{Stream: long, Txs: txs[:1]}, {Stream: short, Txs: txs[:1]}})
	if err != nil || verdicts[0] != nil || verdicts[1] != nil {
		t.Fatalf("opening: %v, %v", verdicts, err)
	}
	for i, tx := range txs[1:] { // one transaction a batch, as a bill run books
		if verdicts, err := w.AppendBatch(ctx, []ledger.StreamAppend{{Stream: long, Expected: 1 + i, Txs: []ledger.Transaction{tx}}}); err != nil || verdicts[0] != nil {
			t.Fatalf("append %d: %v, %v", i, verdicts, err)
		}
	}
	var cps int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM billfold_checkpoints WHERE stream = $1`, long).Scan(&cps); err != nil {
		t.Fatal(err)
	}
	if cps != len(txs)/every {
		t.Fatalf("%d checkpoints for %d transactions booked by AppendBatch, every %d", cps, len(txs), every)
	}

	cold := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1, CheckpointEvery: every})
	// The newest checkpoint is of the journal before the write crossing
	// 16: at 15.
	js, err := cold.LoadBatch(ctx, []string{long, short})
	if err != nil {
		t.Fatal(err)
	}
	if js[0].Base() != 15 || js[0].Len() != len(txs) || js[1].Base() != 0 || js[1].Len() != 1 {
		t.Fatalf("LoadBatch: long base %d length %d, short base %d length %d", js[0].Base(), js[0].Len(), js[1].Base(), js[1].Len())
	}
	if !js[0].Balance(acct("cash")).Equal(dec("950")) {
		t.Fatalf("long stream's cash: %s", js[0].Balance(acct("cash")))
	}

	refund, err := ledger.Reverse(mustRecall(t, cold, long, js[0], "early"), "refund", at(30), "early", dec("10"), "")
	if err != nil {
		t.Fatal(err)
	}
	conflict := spendTx("early", at(1), acct("cash"), "31") // an old id, another content
	verdicts, err = cold.AppendBatch(ctx, []ledger.StreamAppend{
		{Stream: long, Expected: len(txs), Txs: []ledger.Transaction{txs[1], refund}}, // a replay of an old id, and a reversal of it
		{Stream: short, Expected: 1, Txs: []ledger.Transaction{conflict}},
	})
	if err != nil || verdicts[0] != nil {
		t.Fatalf("replay and reversal on a resumed journal: %v, %v", verdicts, err)
	}
	if verdicts[1] != nil {
		t.Fatalf("short stream never held %q: %v", conflict.ID, verdicts[1])
	}
	verdicts, err = cold.AppendBatch(ctx, []ledger.StreamAppend{{Stream: long, Expected: len(txs) + 1, Txs: []ledger.Transaction{conflict}}})
	if err != nil || !errors.Is(verdicts[0], ledger.ErrConflict) {
		t.Fatalf("an old id with another content on a resumed journal: %v, %v; want a conflict", verdicts, err)
	}
	all, err := cold.LoadAll(ctx, long)
	if err != nil {
		t.Fatal(err)
	}
	if all.Len() != len(txs)+1 || !all.Balance(acct("cash")).Equal(dec("960")) || !all.Reversible("early").Equal(dec("20")) {
		t.Fatalf("long stream after the batch: %d transactions, cash %s, early reversible %s", all.Len(), all.Balance(acct("cash")), all.Reversible("early"))
	}
}

// mustRecall recalls ids into j through s.
func mustRecall(t *testing.T, s *pgstore.Store, stream string, j ledger.Journal, ids ...string) ledger.Journal {
	t.Helper()
	j, err := s.Recall(context.Background(), stream, j, ids...)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// A Store keeping a journal resumed from a checkpoint extends it with
// what other Stores wrote since, through Load and LoadBatch alike: a new
// spend (whose id the resumed journal could not place), and a reversal of
// a transaction stored before the checkpoint (which it reads again from
// the checkpoint, as stored rows are taken as they are).
func TestKeptResumedJournalTakesOtherWriters(t *testing.T) {
	ctx := context.Background()
	const every = 8
	writer := pgstore.New(db, pgstore.Options{Schema: testSchema, CheckpointEvery: every})
	stream := newStream("kept-resumed")
	txs := []ledger.Transaction{ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("1000"), ""),
		spendTx("early", at(1), acct("cash"), "30")}
	for i := range 20 {
		txs = append(txs, spendTx(fmt.Sprint("s", i), at(2+i), acct("cash"), "1"))
	}
	for i, tx := range txs {
		if _, err := writer.Append(ctx, stream, i, []ledger.Transaction{tx}); err != nil {
			t.Fatal(err)
		}
	}
	for _, batch := range []bool{true, false} {
		reader := pgstore.New(db, pgstore.Options{Schema: testSchema, CheckpointEvery: every})
		load := func() ledger.Journal {
			t.Helper()
			if !batch {
				j, err := reader.Load(ctx, stream)
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return j
			}
			js, err := reader.LoadBatch(ctx, []string{stream})
			if err != nil {
				t.Fatalf("LoadBatch: %v", err)
			}
			return js[0]
		}
		if j := load(); j.Base() == 0 {
			t.Fatal("the reader's journal was not resumed from a checkpoint")
		}
		n := len(txs) + 2*btoi(!batch) // the second round finds the first round's writes
		spend := spendTx(fmt.Sprint("later-", batch), at(40), acct("cash"), "5")
		if _, err := writer.Append(ctx, stream, n, []ledger.Transaction{spend}); err != nil {
			t.Fatal(err)
		}
		if j := load(); j.Len() != n+1 {
			t.Fatalf("batch %v: after another writer's spend the reader sees %d transactions, want %d", batch, j.Len(), n+1)
		}
		whole, err := writer.LoadAll(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		refund, err := ledger.Reverse(whole, fmt.Sprint("refund-", batch), at(41), "early", dec("1"), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := writer.Append(ctx, stream, n+1, []ledger.Transaction{refund}); err != nil {
			t.Fatal(err)
		}
		j := load()
		if whole, err = writer.LoadAll(ctx, stream); err != nil {
			t.Fatal(err)
		}
		if j.Len() != n+2 || !j.Balance(acct("cash")).Equal(whole.Balance(acct("cash"))) {
			t.Fatalf("batch %v: after a reversal of an early spend the reader sees %d transactions, cash %s; the stream has %d, cash %s",
				batch, j.Len(), j.Balance(acct("cash")), whole.Len(), whole.Balance(acct("cash")))
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
