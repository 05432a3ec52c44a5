package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

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
	if j.Base() != 39 || j.Len() != 40 || all.Base() != 0 { // the checkpoint before the write crossing 40
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

// A write retried cold, after it crossed a checkpoint, is still told a
// replay from a conflict: the checkpoint stored with a write is that of
// the journal before it, so the write's transactions lie after it and a
// helper rebuilds them on the journal they were built on.
func TestRetryAcrossCheckpointIsReplay(t *testing.T) {
	ctx := context.Background()
	stream := newStream("retry-checkpoint")
	store := func() *pgstore.Store {
		return pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1, CheckpointEvery: 2})
	}
	refund := func(id, amount string) func(ledger.Journal) ([]ledger.Transaction, error) {
		return func(j ledger.Journal) ([]ledger.Transaction, error) {
			tx, err := ledger.Reverse(j, id, at(2), "s", dec(amount), "")
			return []ledger.Transaction{tx}, err
		}
	}
	for _, build := range []func(ledger.Journal) ([]ledger.Transaction, error){
		func(ledger.Journal) ([]ledger.Transaction, error) {
			return []ledger.Transaction{ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("100"), "")}, nil
		},
		func(ledger.Journal) ([]ledger.Transaction, error) {
			return []ledger.Transaction{spendTx("s", at(1), acct("cash"), "40")}, nil // crosses 2: a checkpoint at 1
		},
		refund("r0", "10"),
		refund("r1", "5"), // crosses 4: a checkpoint at 3
	} {
		if _, _, err := store().Update(ctx, stream, build); err != nil {
			t.Fatal(err)
		}
	}
	j, err := store().Load(ctx, stream)
	if err != nil || j.Base() != 3 || j.Len() != 4 {
		t.Fatalf("load: base %d, length %d, %v", j.Base(), j.Len(), err)
	}
	if _, rs, err := store().Update(ctx, stream, refund("r1", "5")); err != nil || !rs[0].Replayed || rs[0].Seq != 3 {
		t.Fatalf("the last write again: %+v, %v; want a replay", rs, err)
	}
	if _, _, err := store().Update(ctx, stream, refund("r1", "6")); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("the last write's id for another refund: %v; want ErrConflict", err)
	}
	if _, rs, err := store().Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
		return []ledger.Transaction{spendTx("s", at(1), acct("cash"), "40")}, nil
	}); err != nil || !rs[0].Replayed || rs[0].Seq != 1 {
		t.Fatalf("an older transaction again, as stored: %+v, %v; want a replay", rs, err)
	}
	// r0 is older than the newest checkpoint: rebuilding it with the
	// helper is refused, neither taken for new nor for a conflict.
	if _, _, err := store().Update(ctx, stream, refund("r0", "10")); !errors.Is(err, ledger.ErrBeforeCheckpoint) {
		t.Fatalf("a helper's retry of a write before the checkpoint: %v; want ErrBeforeCheckpoint", err)
	}
}

// A host reads a long customer's journal cold: from its newest checkpoint
// and the rows after it. To ask it about an older transaction, it recalls
// that one first.
func ExampleStore_Recall() {
	ctx := context.Background()
	store := pgstore.New(db, pgstore.Options{Schema: testSchema, CheckpointEvery: 4})
	customer := newStream("example-recall")
	cash := ledger.InstrumentAccount("cash", "USD")
	day := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	txs := []ledger.Transaction{ledger.Grant("grant:cash", day, ledger.Terms{Account: cash}, dec("100"), "")}
	for i := 1; i <= 9; i++ {
		txs = append(txs, spendTx(fmt.Sprint("spend:bill-", i), day.Add(time.Duration(i)*time.Hour), cash, "5"))
	}
	for _, tx := range txs {
		if _, _, err := store.Update(ctx, customer, func(ledger.Journal) ([]ledger.Transaction, error) { return []ledger.Transaction{tx}, nil }); err != nil {
			fmt.Println(err)
			return
		}
	}

	cold := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	j, err := cold.Load(ctx, customer)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("length", j.Len(), "from checkpoint", j.Base(), "- cash", j.Balance(cash))
	fmt.Println("knows bill-1's spend:", j.Knows("spend:bill-1"))
	if j, err = cold.Recall(ctx, customer, j, "spend:bill-1"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("knows it now:", j.Knows("spend:bill-1"), "- reversible", j.Reversible("spend:bill-1"))
	// Output:
	// length 10 from checkpoint 7 - cash 55
	// knows bill-1's spend: false
	// knows it now: true - reversible 5
}
