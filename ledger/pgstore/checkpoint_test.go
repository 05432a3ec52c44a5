package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
)

// A stream written through a Store taking a checkpoint every 8
// transactions is read cold from its newest checkpoint and at most 8 rows:
// the journal answers as the whole stream's, and writes that need older
// transactions (the reversal of an early spend, the capture of a hold
// taken before the checkpoint, replays and conflicts of early ids) recall
// them and come out as on the whole journal.
func TestCheckpointColdReadAndRecall(t *testing.T) {
	ctx := context.Background()
	const every = 8
	w := pgstore.New(db, pgstore.Options{Schema: testSchema, CheckpointEvery: every})
	stream := newStream("checkpoint")
	book := func(s *pgstore.Store, txs ...ledger.Transaction) (ledger.Journal, error) {
		j, _, err := s.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) { return txs, nil })
		return j, err
	}
	if _, err := book(w, ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("1000"), "")); err != nil {
		t.Fatal(err)
	}
	if _, err := book(w, spendTx("early", at(1), acct("cash"), "30")); err != nil {
		t.Fatal(err)
	}
	hold := ledger.Transaction{ID: "hold:h", Time: at(2), Kind: ledger.KindHold, Bill: "h",
		Postings: []ledger.Posting{{Account: acct("cash"), Amount: dec("-20")}, {Account: ledger.HeldAccount("hold:h", "cash", "USD"), Amount: dec("20")}},
		Terms:    []ledger.Terms{{Account: ledger.HeldAccount("hold:h", "cash", "USD"), Expires: at(1000)}}}
	if _, err := book(w, hold); err != nil {
		t.Fatal(err)
	}
	for i := range 37 {
		if _, err := book(w, spendTx(fmt.Sprint("s", i), at(3+i), acct("cash"), "1")); err != nil {
			t.Fatal(err)
		}
	}
	var cps int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM billfold_checkpoints WHERE stream = $1`, stream).Scan(&cps); err != nil {
		t.Fatal(err)
	}
	if cps != 40/every {
		t.Fatalf("%d checkpoints for 40 transactions, every %d", cps, every)
	}

	cold := func() *pgstore.Store {
		return pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1, CheckpointEvery: every})
	}
	j, err := cold().Load(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	all, err := cold().LoadAll(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	if j.Base() != 40 || j.Len() != 40 || all.Base() != 0 {
		t.Fatalf("Load: base %d, length %d; LoadAll: base %d", j.Base(), j.Len(), all.Base())
	}
	for _, a := range all.Accounts() {
		if !j.Balance(a).Equal(all.Balance(a)) || !j.Held(a).Equal(all.Held(a)) {
			t.Fatalf("%s: balance %s held %s, the whole stream's %s %s", a, j.Balance(a), j.Held(a), all.Balance(a), all.Held(a))
		}
	}
	if j.Knows("early") {
		t.Fatal("a cold journal knows an id before its checkpoint")
	}
	if j, err = cold().Recall(ctx, stream, j, "early"); err != nil || !j.Reversible("early").Equal(dec("30")) {
		t.Fatalf("recalled: reversible %s, %v", j.Reversible("early"), err)
	}

	// Writes through cold Stores, each needing the past.
	s := cold()
	if _, _, err := s.Update(ctx, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
		tx, err := ledger.Reverse(j, "refund", at(100), "early", dec("10"), "")
		return []ledger.Transaction{tx}, err
	}); err != nil {
		t.Fatalf("reverse of an early spend: %v", err)
	}
	if _, _, err := cold().Update(ctx, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
		tx, err := ledger.Reverse(j, "refund2", at(101), "early", dec("25"), "")
		return []ledger.Transaction{tx}, err
	}); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("reversing more than is left of an early spend: %v, want ErrInvalid", err)
	}
	if _, _, err := cold().Update(ctx, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
		tx, err := ledger.Capture(j, "cap", at(102), "hold:h", dec("5"), true, "")
		return []ledger.Transaction{tx}, err
	}); err != nil {
		t.Fatalf("capture of a hold taken before the checkpoint: %v", err)
	}
	_, rs, err := cold().Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
		return []ledger.Transaction{spendTx("early", at(1), acct("cash"), "30")}, nil
	})
	if err != nil || !rs[0].Replayed || rs[0].Seq != 1 {
		t.Fatalf("replay of an early id: %+v, %v", rs, err)
	}
	if _, err := book(cold(), spendTx("s3", at(200), acct("cash"), "2")); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("an early id with other content: %v, want ErrConflict", err)
	}

	j, err = cold().Load(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	all, err = cold().LoadAll(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, stream, all)
	want := dec("1000").Sub(dec("30")).Sub(dec("37")).Add(dec("10")).Sub(dec("5"))
	for _, x := range []ledger.Journal{j, all} {
		if !x.Balance(acct("cash")).Equal(want) || !x.Held(acct("cash")).IsZero() || x.Len() != 42 {
			t.Fatalf("after the writes: cash %s, held %s, length %d; want %s, 0, 42", x.Balance(acct("cash")), x.Held(acct("cash")), x.Len(), want)
		}
	}
}

// The checkpoints step can run again (and so be ordered among other
// steps freely): applied to a schema that has it, it changes nothing.
func TestCheckpointStepIsIdempotent(t *testing.T) {
	ctx := context.Background()
	for range 2 {
		if _, err := db.Exec(ctx, pgstore.CheckpointStep); err != nil {
			t.Fatal(err)
		}
	}
}
