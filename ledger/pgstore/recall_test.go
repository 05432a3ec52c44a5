//go:build unix

package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
)

// RecallBatch recalls for many journals what Recall recalls for each:
// a transaction before the checkpoint found by its id, one found as
// another's ref, an id stored nowhere (then known to be absent), on two
// streams at once; a journal read whole is returned as it is.
func TestRecallBatch(t *testing.T) {
	ctx := context.Background()
	const every = 4
	s := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1, CheckpointEvery: every})
	a, b, whole := newStream("recall-batch-a"), newStream("recall-batch-b"), newStream("recall-batch-whole")
	for _, stream := range []string{a, b} {
		j := ledger.Journal{}
		txs := []ledger.Transaction{grantTx("g", "100"), spendTx("early", at(1), acct("cash"), "30")}
		j, _, _, err := j.ApplyAll(txs)
		if err != nil {
			t.Fatal(err)
		}
		refund, err := ledger.Reverse(j, "refund", at(2), "early", dec("5"), "")
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, refund)
		for i := range 2 * every {
			txs = append(txs, spendTx(fmt.Sprint("s", i), at(3+i), acct("cash"), "1"))
		}
		for i, tx := range txs { // one a write: checkpoints fall due
			if _, err := s.Append(ctx, stream, i, []ledger.Transaction{tx}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.Append(ctx, whole, 0, []ledger.Transaction{grantTx("g", "1")}); err != nil {
		t.Fatal(err)
	}
	js, err := s.LoadBatch(ctx, []string{a, b, whole})
	if err != nil {
		t.Fatal(err)
	}
	if js[0].Base() == 0 || js[1].Base() == 0 || js[2].Base() != 0 {
		t.Fatalf("bases %d, %d, %d: want two journals resumed from a checkpoint and one read whole", js[0].Base(), js[1].Base(), js[2].Base())
	}
	recalls := []ledger.StreamRecall{
		{Stream: a, Journal: js[0], IDs: []string{"early", "nowhere"}},
		{Stream: b, Journal: js[1], IDs: []string{"g", "early", "early"}},
		{Stream: whole, Journal: js[2], IDs: []string{"g"}},
	}
	got, err := s.RecallBatch(ctx, recalls)
	if err != nil {
		t.Fatal(err)
	}
	// Recall, for comparison, on journals of their own: Recall fills in a
	// journal's log, which RecallBatch's journals share.
	fresh, err := s.LoadBatch(ctx, []string{a, b, whole})
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range recalls {
		want, err := s.Recall(ctx, r.Stream, fresh[k], r.IDs...)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range append(r.IDs, "refund") {
			gt, gok := got[k].Transaction(id)
			wt, wok := want.Transaction(id)
			if got[k].Knows(id) != want.Knows(id) || gok != wok || !gt.Equal(wt) {
				t.Errorf("%s: %q known %v held %v, Recall: known %v held %v", r.Stream, id, got[k].Knows(id), gok, want.Knows(id), wok)
			}
		}
		if !got[k].Reversible("early").Equal(want.Reversible("early")) {
			t.Errorf("%s: early reversible %s, Recall: %s", r.Stream, got[k].Reversible("early"), want.Reversible("early"))
		}
	}
	if !got[0].Knows("nowhere") || !got[0].Reversible("early").Equal(dec("25")) {
		t.Errorf("a: nowhere known %v, early reversible %s; want known (absent) and 25", got[0].Knows("nowhere"), got[0].Reversible("early"))
	}
	if got[2] != js[2] {
		t.Error("a journal read whole was changed")
	}
}

// AppendBatch on a journal resumed from a checkpoint recalls what its
// appends need with one query, by id and by ref: a second refund of a
// spend stored before the checkpoint, refunded in part before it too, is
// judged against the first (refused for more than is left, accepted for
// the rest).
func TestAppendBatchRecallsReversalsByRef(t *testing.T) {
	ctx := context.Background()
	const every = 4
	s := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1, CheckpointEvery: every})
	stream := newStream("batch-recall-ref")
	txs := []ledger.Transaction{grantTx("g", "100"), spendTx("early", at(1), acct("cash"), "30")}
	j, _, _, err := ledger.Journal{}.ApplyAll(txs)
	if err != nil {
		t.Fatal(err)
	}
	first, err := ledger.Reverse(j, "refund-1", at(2), "early", dec("20"), "")
	if err != nil {
		t.Fatal(err)
	}
	txs = append(txs, first)
	for i := range 2 * every {
		txs = append(txs, spendTx(fmt.Sprint("s", i), at(3+i), acct("cash"), "1"))
	}
	for i, tx := range txs {
		if _, err := s.Append(ctx, stream, i, []ledger.Transaction{tx}); err != nil {
			t.Fatal(err)
		}
	}
	second := first // the same refund of 20 again, under another id: 10 is left
	second.ID = "refund-2"
	verdicts, err := s.AppendBatch(ctx, []ledger.StreamAppend{{Stream: stream, Expected: len(txs), Txs: []ledger.Transaction{second}}})
	if err != nil || !errors.Is(verdicts[0], ledger.ErrInvalid) {
		t.Fatalf("a second refund of 20 where 10 is left: %v, %v; want ErrInvalid", verdicts, err)
	}
	js, err := s.LoadBatch(ctx, []string{stream})
	if err != nil || js[0].Base() == 0 {
		t.Fatalf("base %d, %v: want a journal resumed from a checkpoint", js[0].Base(), err)
	}
	js, err = s.RecallBatch(ctx, []ledger.StreamRecall{{Stream: stream, Journal: js[0], IDs: []string{"early"}}})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := ledger.Reverse(js[0], "refund-2", at(20), "early", js[0].Reversible("early"), "")
	if err != nil || !js[0].Reversible("early").Equal(dec("10")) {
		t.Fatalf("early reversible %s, %v; want 10", js[0].Reversible("early"), err)
	}
	verdicts, err = s.AppendBatch(ctx, []ledger.StreamAppend{{Stream: stream, Expected: len(txs), Txs: []ledger.Transaction{rest}}})
	if err != nil || verdicts[0] != nil {
		t.Fatalf("the rest refunded: %v, %v", verdicts, err)
	}
}

// singleCounter is a Store that counts the appends made one stream at a
// time, outside AppendBatch.
type singleCounter struct {
	*pgstore.Store
	singles atomic.Int32
}

func (c *singleCounter) Append(ctx context.Context, stream string, expected int, txs []ledger.Transaction) (int, error) {
	c.singles.Add(1)
	return c.Store.Append(ctx, stream, expected, txs)
}

// A bill run over streams with checkpoints books them in groups, as over
// fresh ones: each group's resumed journals learn with one RecallBatch
// that their spends' ids are new, and no bill is booked alone. Month
// after month it books what a run on a MemoryStore books, and run again
// it replays every bill.
func TestRunBillsOverCheckpointsCommitsInGroups(t *testing.T) {
	ctx := context.Background()
	const customers, months = 12, 4
	s := &singleCounter{Store: pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1, CheckpointEvery: 2})}
	var mem ledger.MemoryStore
	streams := make([]string, customers)
	for c := range streams {
		streams[c] = newStream(fmt.Sprint("run-cp-", c))
		for _, st := range []ledger.Store{s, &mem} {
			if _, err := st.Append(ctx, streams[c], 0, runGrants()); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.singles.Store(0)
	jobs := func(month int) func(yield func(ledger.BillJob) bool) {
		return func(yield func(ledger.BillJob) bool) {
			for c, stream := range streams {
				if !yield(ledger.BillJob{Stream: stream, Bill: runBill(c, month), Wallet: runWallet(), Options: ledger.SpendOptions{Receivable: true}}) {
					return
				}
			}
		}
	}
	for month := range months {
		for _, st := range []ledger.Store{s, &mem} {
			r, err := ledger.RunBills(ctx, st, jobs(month), ledger.RunOptions{Workers: 2})
			if err != nil || r.Booked != customers {
				t.Fatalf("month %d: %+v, %v", month, r, err)
			}
		}
	}
	js, err := s.LoadBatch(ctx, streams)
	if err != nil {
		t.Fatal(err)
	}
	for c, j := range js {
		if j.Base() == 0 {
			t.Fatalf("stream %d was never checkpointed: the run did not book resumed journals", c)
		}
	}
	if n := s.singles.Load(); n != 0 {
		t.Fatalf("%d bills booked one at a time over resumed journals, want every one in a group", n)
	}
	again, err := ledger.RunBills(ctx, s, jobs(months-1), ledger.RunOptions{Workers: 2})
	if err != nil || again.Booked != 0 || again.Replayed != customers || s.singles.Load() != 0 {
		t.Fatalf("rerun of the last month: %+v, %v, %d booked alone; want every bill replayed", again, err, s.singles.Load())
	}
	for _, stream := range streams {
		got, err := s.LoadAll(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := mem.Load(ctx, stream)
		if got.Len() != want.Len() {
			t.Fatalf("stream %s: %d transactions, %d on a MemoryStore", stream, got.Len(), want.Len())
		}
		for i, tx := range want.Transactions() {
			if g, _ := got.Transaction(tx.ID); !g.Equal(tx) {
				t.Fatalf("stream %s, position %d: %+v, on a MemoryStore %+v", stream, i, g, tx)
			}
		}
	}
}

// A host holding journals read cold, some resumed from a checkpoint, asks
// about transactions older than their checkpoints (here: whether a bill
// was already charged, and how much of a spend may still be refunded)
// for all its customers with one query, before reading the answers.
func ExampleStore_RecallBatch() {
	ctx := context.Background()
	// In a host: pool, _ := pgxpool.New(ctx, os.Getenv("DATABASE_URL")).
	store := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1, CheckpointEvery: 2})
	cash := ledger.InstrumentAccount("cash", "USD")
	customers := []string{newStream("carol"), newStream("dave")}
	for _, c := range customers {
		txs := []ledger.Transaction{ledger.Grant("grant:cash", t0, ledger.Terms{Account: cash}, dec("100"), "")}
		for m := range 4 {
			txs = append(txs, spendTx(fmt.Sprint("spend:bill-", m), at(m+1), cash, "10"))
		}
		for i, tx := range txs {
			if _, err := store.Append(ctx, c, i, []ledger.Transaction{tx}); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	js, err := store.LoadBatch(ctx, customers)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resumed:", js[0].Base() > 0, js[1].Base() > 0, "knows bill-0:", js[0].Knows("spend:bill-0"))
	var recalls []ledger.StreamRecall
	for i, c := range customers {
		recalls = append(recalls, ledger.StreamRecall{Stream: c, Journal: js[i], IDs: []string{"spend:bill-0", "spend:bill-9"}})
	}
	js, err = store.RecallBatch(ctx, recalls)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range customers {
		_, charged := js[i].Transaction("spend:bill-0")
		_, never := js[i].Transaction("spend:bill-9")
		fmt.Printf("customer %d: bill-0 charged %v, refundable %s; bill-9 charged %v (known: %v)\n",
			i, charged, js[i].Reversible("spend:bill-0"), never, js[i].Knows("spend:bill-9"))
	}
	// Output:
	// resumed: true true knows bill-0: false
	// customer 0: bill-0 charged true, refundable 10; bill-9 charged false (known: true)
	// customer 1: bill-0 charged true, refundable 10; bill-9 charged false (known: true)
}
