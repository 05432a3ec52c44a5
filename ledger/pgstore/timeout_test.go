package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
)

// A writer that stalls while it holds a stream's lock (its client hangs,
// or is cut off from the database) does not block the customer's other
// writers for longer than its IdleTimeout: the server ends its session,
// which releases the lock, and the stalled write stores nothing. A writer
// waiting for a lock gives up after its LockTimeout with ErrTransient (as
// does one terminated while it waits).
func TestBoundedWaits(t *testing.T) {
	ctx := context.Background()
	grant := ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("100"), "")

	// stall starts an Update through s whose build blocks until release
	// is closed, and returns once it holds the lock, with the channel
	// the write's error arrives on.
	stall := func(t *testing.T, s *pgstore.Store, stream string, release chan struct{}) chan error {
		held, done := make(chan struct{}), make(chan error, 1)
		go func() {
			_, _, err := s.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
				close(held)
				<-release
				return []ledger.Transaction{spendTx("stalled", at(1), acct("cash"), "1")}, nil
			})
			done <- err
		}()
		select {
		case <-held:
		case err := <-done:
			t.Fatalf("the stalling write ended first: %v", err)
		}
		return done
	}

	t.Run("idle_writer_loses_the_lock", func(t *testing.T) {
		stream := newStream("idle")
		other := pgstore.New(db, pgstore.Options{Schema: testSchema, LockTimeout: 10 * time.Second})
		if _, err := other.Append(ctx, stream, 0, []ledger.Transaction{grant}); err != nil {
			t.Fatal(err)
		}
		stalled := pgstore.New(db, pgstore.Options{Schema: testSchema, IdleTimeout: 300 * time.Millisecond})
		release := make(chan struct{})
		done := stall(t, stalled, stream, release)
		start := time.Now()
		j, _, err := other.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
			return []ledger.Transaction{spendTx("other", at(2), acct("cash"), "2")}, nil
		})
		waited := time.Since(start)
		close(release)
		if err != nil || j.Len() != 2 {
			t.Fatalf("the other writer: %d, %v", j.Len(), err)
		}
		if waited > 3*time.Second {
			t.Fatalf("the other writer waited %v for a lock held by an idle writer with a 300 ms IdleTimeout", waited)
		}
		err = <-done
		if !errors.Is(err, pgstore.ErrTransient) {
			t.Fatalf("the stalled write returned %v, want ErrTransient", err)
		}
		t.Logf("the other writer waited %v; the stalled write: %v", waited, err)
		j, err = other.Load(ctx, stream)
		if err != nil || j.Len() != 2 {
			t.Fatalf("after both: %d, %v", j.Len(), err)
		}
		if _, ok := j.Transaction("stalled"); ok {
			t.Fatal("the stalled write was stored")
		}
		checkStored(t, stream, j)
	})

	t.Run("lock_wait_is_bounded", func(t *testing.T) {
		stream := newStream("lockwait")
		holder := pgstore.New(db, pgstore.Options{Schema: testSchema, IdleTimeout: 20 * time.Second})
		if _, err := holder.Append(ctx, stream, 0, []ledger.Transaction{grant}); err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		done := stall(t, holder, stream, release)
		waiter := pgstore.New(db, pgstore.Options{Schema: testSchema, LockTimeout: 200 * time.Millisecond})
		start := time.Now()
		_, _, err := waiter.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
			return []ledger.Transaction{spendTx("waiter", at(2), acct("cash"), "2")}, nil
		})
		waited := time.Since(start)
		_, _, rerr := waiter.Resolve(ctx, stream, "stalled")
		// A writer terminated while it waits for the lock had sent no
		// commit: nothing stored, ErrTransient.
		patient := pgstore.New(db, pgstore.Options{Schema: testSchema, LockTimeout: 20 * time.Second})
		patientDone := make(chan error, 1)
		go func() {
			_, _, err := patient.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
				return []ledger.Transaction{spendTx("patient", at(3), acct("cash"), "3")}, nil
			})
			patientDone <- err
		}()
		terminate(t, backend(t, `wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'`))
		if err := <-patientDone; !errors.Is(err, pgstore.ErrTransient) {
			t.Fatalf("a writer terminated while waiting for the lock returned %v, want ErrTransient", err)
		}
		close(release)
		if !errors.Is(err, pgstore.ErrTransient) || waited > 3*time.Second {
			t.Fatalf("a writer waiting on a held lock returned %v after %v, want ErrTransient after about 200 ms", err, waited)
		}
		if !errors.Is(rerr, pgstore.ErrTransient) {
			t.Fatalf("Resolve waiting on a held lock returned %v, want ErrTransient", rerr)
		}
		if err := <-done; err != nil {
			t.Fatalf("the holder: %v", err)
		}
		j, err := holder.Load(ctx, stream)
		if err != nil || j.Len() != 2 {
			t.Fatalf("after both: %d, %v", j.Len(), err)
		}
		checkStored(t, stream, j)
	})
}
