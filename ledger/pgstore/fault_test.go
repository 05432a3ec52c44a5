package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
)

// pauseWrites installs triggers that make a write to a stream listed in
// billfold_test_pause sleep (for its seconds), once its last
// transaction's postings are inserted, at the point it names: "update",
// the last statement of a write, "commit", a deferred constraint trigger
// that runs inside COMMIT, or "abort", the same but failing the COMMIT
// after its sleep. It removes them when the test ends.
func pauseWrites(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE billfold_test_pause (stream text PRIMARY KEY, point text NOT NULL, seconds float NOT NULL DEFAULT 60)`,
		`CREATE FUNCTION billfold_test_pause() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			-- Sleep only once the write's rows are in: else the write
			-- succeeds and the test fails.
			IF EXISTS (SELECT FROM billfold_test_pause WHERE stream = NEW.stream AND point = TG_ARGV[0])
				AND EXISTS (SELECT FROM billfold_postings WHERE stream = NEW.stream AND position = NEW.version - 1) THEN
				PERFORM pg_sleep((SELECT seconds FROM billfold_test_pause WHERE stream = NEW.stream));
			END IF;
			IF TG_ARGV[0] = 'commit' AND EXISTS (SELECT FROM billfold_test_pause WHERE stream = NEW.stream AND point = 'abort') THEN
				PERFORM pg_sleep((SELECT seconds FROM billfold_test_pause WHERE stream = NEW.stream));
				RAISE EXCEPTION 'billfold test: commit refused';
			END IF;
			RETURN NEW;
		END $$`,
		`CREATE TRIGGER billfold_test_pause_update BEFORE UPDATE ON billfold_streams
			FOR EACH ROW EXECUTE FUNCTION billfold_test_pause('update')`,
		`CREATE CONSTRAINT TRIGGER billfold_test_pause_commit AFTER UPDATE ON billfold_streams
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billfold_test_pause('commit')`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, q := range []string{
			`DROP TRIGGER billfold_test_pause_update ON billfold_streams`,
			`DROP TRIGGER billfold_test_pause_commit ON billfold_streams`,
			`DROP FUNCTION billfold_test_pause()`,
			`DROP TABLE billfold_test_pause`,
		} {
			if _, err := db.Exec(context.Background(), q); err != nil {
				t.Error(err)
			}
		}
	})
}

// backend waits for a backend matching the condition on pg_stat_activity
// and returns its pid.
func backend(t *testing.T, where string) int32 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var pid int32
		err := db.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND `+where+` LIMIT 1`).Scan(&pid)
		if err == nil {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no backend where %s: %v", where, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func terminate(t *testing.T, pid int32) {
	t.Helper()
	var ok bool
	if err := db.QueryRow(context.Background(), `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, ok, err)
	}
}

// A write whose connection dies, or whose context ends, part way through
// its database transaction leaves nothing behind: not the transactions
// inserted before, nor their postings, nor the version, nor the stream's
// lock. Retrying it then succeeds.
func TestFault(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(db, pgstore.Options{Schema: testSchema})
	g := ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("100"), "")
	batch := []ledger.Transaction{spendTx("s1", at(1), acct("cash"), "30"), spendTx("s2", at(2), acct("cash"), "40")}
	cases := []struct {
		name string
		// point is where the write pauses ("": it does not).
		point string
		// fault breaks the write in flight; cancel ends its context.
		fault func(t *testing.T, cancel context.CancelFunc)
		// update writes with Store.Update, whose build waits, holding the
		// stream's lock, until the fault is done; else with Append.
		update bool
		// class is the error class the broken write must return. Once
		// the commit is sent, neither a context that ended nor a session
		// the server ended can tell whether it committed (a session may
		// be terminated just after its commit).
		class error
	}{
		{"terminate_after_inserts", "update", func(t *testing.T, _ context.CancelFunc) {
			terminate(t, backend(t, `wait_event = 'PgSleep'`))
		}, false, pgstore.ErrUnknownOutcome},
		{"terminate_in_commit", "commit", func(t *testing.T, _ context.CancelFunc) {
			terminate(t, backend(t, `wait_event = 'PgSleep'`))
		}, false, pgstore.ErrUnknownOutcome},
		{"cancel_after_inserts", "update", func(t *testing.T, cancel context.CancelFunc) {
			backend(t, `wait_event = 'PgSleep'`)
			cancel()
		}, false, pgstore.ErrUnknownOutcome},
		{"cancel_in_commit", "commit", func(t *testing.T, cancel context.CancelFunc) {
			backend(t, `wait_event = 'PgSleep'`)
			cancel()
		}, false, pgstore.ErrUnknownOutcome},
		{"terminate_holding_lock", "", func(t *testing.T, _ context.CancelFunc) {
			terminate(t, backend(t, `state = 'idle in transaction' AND query LIKE '%FOR UPDATE%'`))
		}, true, pgstore.ErrUnknownOutcome},
	}
	streams := make([]string, len(cases))
	for i := range cases {
		streams[i] = newStream("fault")
		if _, err := s.Append(ctx, streams[i], 0, []ledger.Transaction{g}); err != nil {
			t.Fatal(err)
		}
	}
	pauseWrites(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := streams[i]
			if c.point != "" {
				if _, err := db.Exec(ctx, `INSERT INTO billfold_test_pause VALUES ($1, $2)`, stream, c.point); err != nil {
					t.Fatal(err)
				}
			}
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			held, release := make(chan struct{}), make(chan struct{})
			done := make(chan error, 1)
			go func() {
				if !c.update {
					_, err := s.Append(wctx, stream, 1, batch)
					done <- err
					return
				}
				_, _, err := s.Update(wctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
					close(held)
					<-release
					return batch, nil
				})
				done <- err
			}()
			if c.update {
				<-held
			}
			c.fault(t, cancel)
			close(release)
			err := <-done
			if err == nil || errors.Is(err, ledger.ErrVersion) || errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("the broken write returned %v", err)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("the fault did not reach the write: %v", err)
			}
			t.Logf("the broken write: %v", err)
			if !errors.Is(err, c.class) {
				t.Fatalf("the broken write returned %v, want %v", err, c.class)
			}
			if c.class == pgstore.ErrUnknownOutcome {
				var oe *pgstore.OutcomeError
				if !errors.As(err, &oe) || oe.Stream != stream || len(oe.IDs) != 2 || oe.IDs[0] != "s1" {
					t.Fatalf("the unknown outcome does not name the write: %#v", err)
				}
			}

			// Nothing half-written: one grant, its two postings, version 1.
			if st := readStored(t, stream); st.version != 1 || st.txs != 1 || st.postings != 2 {
				t.Fatalf("after the fault the tables hold %+v", st)
			}
			for _, st := range []*pgstore.Store{s, pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})} {
				if j, err := st.Load(ctx, stream); err != nil || j.Len() != 1 {
					t.Fatalf("Load after the fault: %d, %v", j.Len(), err)
				}
			}
			// The lock is free and the write can be retried.
			if _, err := db.Exec(ctx, `DELETE FROM billfold_test_pause WHERE stream = $1`, stream); err != nil {
				t.Fatal(err)
			}
			rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
			defer rcancel()
			j, _, err := s.Update(rctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) { return batch, nil })
			if err != nil || j.Len() != 3 || !j.Balance(acct("cash")).Equal(dec("30")) {
				t.Fatalf("retry: %d, %v", j.Len(), err)
			}
			checkStored(t, stream, j)
		})
	}
}
