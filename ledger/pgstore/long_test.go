package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
)

// A Store that does not keep a stream's journal reads it before taking
// the stream's lock, not while holding it: on a long stream that read is
// what takes time, and other writers of the customer would wait for it.
// Here the lock is held by another writer while a cold Store starts its
// write: by the time the cold Store waits for the lock, it has read the
// whole journal.
func TestLongStreamReadBeforeLock(t *testing.T) {
	ctx := context.Background()
	const n = 2000
	stream := newStream("long")
	w := pgstore.New(db, pgstore.Options{Schema: testSchema})
	txs := []ledger.Transaction{ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("100000"), "")}
	for i := 1; i < n; i++ {
		txs = append(txs, spendTx(fmt.Sprint("s", i), at(i), acct("cash"), "1"))
	}
	for i := 0; i < n; i += 500 {
		if _, err := w.Append(ctx, stream, i, txs[i:i+500]); err != nil {
			t.Fatal(err)
		}
	}

	holder := pgstore.New(db, pgstore.Options{Schema: testSchema})
	held, release, holderDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, _, err := holder.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
			close(held)
			<-release
			return []ledger.Transaction{spendTx("holder", at(n), acct("cash"), "1")}, nil
		})
		holderDone <- err
	}()
	<-held
	cold := pgstore.New(db, pgstore.Options{Schema: testSchema})
	coldDone := make(chan error, 1)
	go func() {
		_, _, err := cold.Update(ctx, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
			if j.Len() != n+1 {
				return nil, fmt.Errorf("build saw %d transactions, want %d", j.Len(), n+1)
			}
			return []ledger.Transaction{spendTx("cold", at(n+1), acct("cash"), "1")}, nil
		})
		coldDone <- err
	}()
	backend(t, `wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'`)
	kept := pgstore.KeptLen(cold, stream)
	close(release)
	if err := <-holderDone; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-coldDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the cold write did not finish")
	}
	if kept != n {
		t.Fatalf("waiting for the lock, the cold Store kept %d transactions of the stream's %d", kept, n)
	}
	j, err := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1}).LoadAll(ctx, stream)
	if err != nil || j.Len() != n+2 {
		t.Fatalf("after both: %d, %v", j.Len(), err)
	}
	checkStored(t, stream, j)
}
