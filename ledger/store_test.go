package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/ledgertest"
)

func TestMemoryStore(t *testing.T) {
	ctx := context.Background()
	var s ledger.MemoryStore
	if j, err := s.Load(ctx, "c1"); err != nil || j.Len() != 0 {
		t.Fatalf("Load of an unknown stream: %d, %v", j.Len(), err)
	}
	g := ledger.Grant("g1", t0, ledger.Terms{Account: acct("v")}, dec("10"), "")
	if v, err := s.Append(ctx, "c1", 0, []ledger.Transaction{g, g}); err != nil || v != 1 {
		t.Fatalf("Append = %d, %v (a replay in the batch is a no-op)", v, err)
	}
	_, err := s.Append(ctx, "c1", 0, []ledger.Transaction{spendTx("s1", at(1), acct("v"), "1")})
	var ve *ledger.VersionError
	if !errors.As(err, &ve) || ve.Stream != "c1" || ve.Expected != 0 || ve.Actual != 1 || !errors.Is(err, ledger.ErrVersion) {
		t.Fatalf("stale Append = %v", err)
	}
	// A rejected transaction stores nothing of its batch.
	v, err := s.Append(ctx, "c1", 1, []ledger.Transaction{spendTx("s1", at(1), acct("v"), "1"), spendTx("s2", at(1), acct("v"), "10")})
	if !errors.Is(err, ledger.ErrInsufficient) || v != 1 {
		t.Fatalf("Append of an overspend = %d, %v", v, err)
	}
	if j, _ := s.Load(ctx, "c1"); j.Len() != 1 || !j.Balance(acct("v")).Equal(dec("10")) {
		t.Fatalf("after a rejected batch: len %d, balance %s", j.Len(), j.Balance(acct("v")))
	}
	if j, _ := s.Load(ctx, "c2"); j.Len() != 0 {
		t.Fatal("streams are not separate")
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Load(done, "c1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: %v", err)
	}
	if _, err := s.Append(done, "c1", 1, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context: %v", err)
	}
}

// racingStore lets another writer append just before each of the first
// `races` appends of the wrapped store.
type racingStore struct {
	*ledger.MemoryStore
	races int
	n     int
}

func (s *racingStore) Append(ctx context.Context, stream string, expected int, txs []ledger.Transaction) (int, error) {
	if s.races > 0 {
		s.races--
		s.n++
		j, _ := s.MemoryStore.Load(ctx, stream)
		other := ledger.Grant(fmt.Sprint("other", s.n), t0, ledger.Terms{Account: acct("other")}, dec("1"), "")
		if _, err := s.MemoryStore.Append(ctx, stream, j.Len(), []ledger.Transaction{other}); err != nil {
			return 0, err
		}
	}
	return s.MemoryStore.Append(ctx, stream, expected, txs)
}

func TestUpdateRetries(t *testing.T) {
	ctx := context.Background()
	s := &racingStore{MemoryStore: &ledger.MemoryStore{}, races: 2}
	calls := 0
	build := func(j ledger.Journal) ([]ledger.Transaction, error) {
		calls++
		return []ledger.Transaction{ledger.Grant("g1", t0, ledger.Terms{Account: acct("v")}, dec("5"), "")}, nil
	}
	j, rs, err := ledger.Update(ctx, s, "c", 3, build)
	if err != nil || calls != 3 || j.Len() != 3 || len(rs) != 1 || rs[0].Seq != 2 || rs[0].Replayed {
		t.Fatalf("Update = len %d, %+v, %v after %d calls", j.Len(), rs, err, calls)
	}
	// A replay appends nothing.
	j, rs, err = ledger.Update(ctx, s, "c", 1, build)
	if err != nil || !rs[0].Replayed || j.Len() != 3 {
		t.Fatalf("replaying Update = len %d, %+v, %v", j.Len(), rs, err)
	}
	// Out of attempts: the version error.
	s.races = 5
	_, _, err = ledger.Update(ctx, s, "c", 2, func(ledger.Journal) ([]ledger.Transaction, error) {
		return []ledger.Transaction{ledger.Grant("g2", t0, ledger.Terms{Account: acct("v")}, dec("5"), "")}, nil
	})
	if !errors.Is(err, ledger.ErrVersion) {
		t.Fatalf("Update out of attempts = %v", err)
	}
	// Errors of build and Apply are returned as they are; nothing is
	// appended.
	boom := errors.New("boom")
	if _, _, err := ledger.Update(ctx, s, "c", 1, func(ledger.Journal) ([]ledger.Transaction, error) { return nil, boom }); err != boom {
		t.Fatalf("build error: %v", err)
	}
	before, _ := s.Load(ctx, "c")
	_, _, err = ledger.Update(ctx, s, "c", 1, func(ledger.Journal) ([]ledger.Transaction, error) {
		return []ledger.Transaction{ledger.Grant("g3", t0, ledger.Terms{Account: acct("v")}, dec("1"), ""), spendTx("s", at(1), acct("v"), "1000")}, nil
	})
	if after, _ := s.Load(ctx, "c"); !errors.Is(err, ledger.ErrInsufficient) || after != before {
		t.Fatalf("Apply error: %v, changed %v", err, after != before)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := ledger.Update(cancelled, s, "c", 1, build); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// Many goroutines spend one wallet through the store at once, each booking
// bills through FromSplit, some retrying bills they already booked. No
// spend may be lost or booked twice, and the wallet may never be
// overspent (ledgertest.ConcurrentSpends checks). Run it with -race.
func TestConcurrentSpends(t *testing.T) {
	ctx := context.Background()
	var s ledger.MemoryStore
	update := func(_ int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
		return ledger.Update(ctx, &s, "cust", 1000, build)
	}
	load := func() (ledger.Journal, error) { return s.Load(ctx, "cust") }
	ledgertest.ConcurrentSpends(t, ledgertest.Spends{Workers: 16, Bills: 25, Grant: dec("1000"), Seed: 7}, update, load)
}
