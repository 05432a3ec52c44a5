package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"pgregory.net/rapid"
)

// grantTx grants amount of cash on a stream.
func grantTx(id, amount string) ledger.Transaction {
	return ledger.Grant(id, t0, ledger.Terms{Account: acct("cash")}, dec(amount), "")
}

// AppendBatch gives each append the verdict Append would give it alone,
// and stores the accepted ones, and only those: a fresh stream, a replay
// with a new spend, a pure replay and an empty append are accepted; a
// stale version, an overspend, an overspend on a new stream, a stream
// named twice and an invalid stream id are refused, without harm to the
// others. What the tables hold then adds up, in SQL, to the journals'
// balances.
func TestAppendBatch(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(db, pgstore.Options{Schema: testSchema})
	fresh, stale, poor, replay, again, empty, newPoor := newStream("batch"), newStream("batch"), newStream("batch"),
		newStream("batch"), newStream("batch"), newStream("batch"), newStream("batch")
	for _, st := range []string{stale, poor, replay, again, empty} {
		if _, err := s.Append(ctx, st, 0, []ledger.Transaction{grantTx("g", "10")}); err != nil {
			t.Fatal(err)
		}
	}
	appends := []ledger.StreamAppend{
		{Stream: fresh, Expected: 0, Txs: []ledger.Transaction{grantTx("g", "5"), spendTx("s1", at(1), acct("cash"), "2")}},
		{Stream: stale, Expected: 0, Txs: []ledger.Transaction{grantTx("g2", "5")}},
		{Stream: poor, Expected: 1, Txs: []ledger.Transaction{spendTx("s1", at(1), acct("cash"), "50")}},
		{Stream: replay, Expected: 1, Txs: []ledger.Transaction{grantTx("g", "10"), spendTx("s1", at(1), acct("cash"), "3")}},
		{Stream: again, Expected: 1, Txs: []ledger.Transaction{grantTx("g", "10")}},
		{Stream: fresh, Expected: 0, Txs: []ledger.Transaction{grantTx("g", "5")}},
		{Stream: "", Expected: 0, Txs: []ledger.Transaction{grantTx("g", "5")}},
		{Stream: empty, Expected: 1},
		{Stream: newPoor, Expected: 0, Txs: []ledger.Transaction{spendTx("s1", at(1), acct("cash"), "1")}},
	}
	verdicts, err := s.AppendBatch(ctx, appends)
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, ledger.ErrVersion, ledger.ErrInsufficient, nil, nil, ledger.ErrInvalid, ledger.ErrInvalid, nil, ledger.ErrInsufficient}
	if len(verdicts) != len(want) {
		t.Fatalf("%d verdicts for %d appends", len(verdicts), len(appends))
	}
	for i, v := range verdicts {
		if errClass(v) != errClass(want[i]) {
			t.Errorf("append %d (stream %q): verdict %v, want %v", i, appends[i].Stream, v, want[i])
		}
	}
	var ve *ledger.VersionError
	if !errors.As(verdicts[1], &ve) || ve.Actual != 1 || ve.Expected != 0 {
		t.Errorf("stale version verdict %#v", verdicts[1])
	}

	// What is stored, read back by a Store that keeps nothing, is what
	// each append alone leaves on a MemoryStore.
	var mem ledger.MemoryStore
	for _, st := range []string{stale, poor, replay, again, empty} {
		mem.Append(ctx, st, 0, []ledger.Transaction{grantTx("g", "10")})
	}
	for i, a := range appends {
		if i == 5 || a.Stream == "" {
			continue // refused by the batch alone
		}
		mem.Append(ctx, a.Stream, a.Expected, a.Txs)
	}
	cold := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	for _, st := range []string{fresh, stale, poor, replay, again, empty, newPoor} {
		j, err := cold.Load(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := mem.Load(ctx, st)
		sameJournal(t, st, j, m)
		checkStored(t, st, j)
	}
	if st := readStored(t, newPoor); st.version > 0 || st.txs > 0 {
		t.Errorf("refused append to a new stream left version %d, %d transactions", st.version, st.txs)
	}
	if j, _ := cold.Load(ctx, replay); j.Len() != 2 {
		t.Errorf("replay stream holds %d transactions, want the grant and the new spend", j.Len())
	}

	// A batch with nothing to store, and an empty batch, store nothing.
	if v, err := s.AppendBatch(ctx, []ledger.StreamAppend{{Stream: again, Expected: 1, Txs: []ledger.Transaction{grantTx("g", "10")}}}); err != nil || v[0] != nil {
		t.Fatalf("pure replay: %v, %v", v, err)
	}
	if v, err := s.AppendBatch(ctx, nil); err != nil || len(v) != 0 {
		t.Fatalf("empty batch: %v, %v", v, err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AppendBatch(canceled, appends[:1]); !errors.Is(err, context.Canceled) {
		t.Fatalf("AppendBatch with a canceled context: %v", err)
	}
}

// LoadBatch returns what Load returns for each stream, in order, repeated
// and unknown streams included, through a Store that keeps journals
// (reading only what another Store added since) and one that keeps none.
func TestLoadBatch(t *testing.T) {
	ctx := context.Background()
	writer := pgstore.New(db, pgstore.Options{Schema: testSchema})
	keeping := pgstore.New(db, pgstore.Options{Schema: testSchema})
	cold := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	a, b, unknown := newStream("loadbatch"), newStream("loadbatch"), newStream("loadbatch")
	for _, st := range []string{a, b} {
		if _, err := writer.Append(ctx, st, 0, []ledger.Transaction{grantTx("g", "10"), spendTx("s0", at(1), acct("cash"), "1")}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string) {
		t.Helper()
		streams := []string{b, unknown, a, b}
		for _, s := range []*pgstore.Store{keeping, cold} {
			js, err := s.LoadBatch(ctx, streams)
			if err != nil {
				t.Fatal(err)
			}
			if len(js) != len(streams) {
				t.Fatalf("%s: %d journals for %d streams", what, len(js), len(streams))
			}
			for i, st := range streams {
				want, err := cold.Load(ctx, st)
				if err != nil {
					t.Fatal(err)
				}
				sameJournal(t, what+" "+st, js[i], want)
			}
		}
	}
	check("first")
	if n := pgstore.KeptLen(keeping, a); n != 2 {
		t.Fatalf("LoadBatch kept %d transactions of %s", n, a)
	}
	if _, err := writer.Append(ctx, a, 2, []ledger.Transaction{spendTx("s1", at(2), acct("cash"), "1")}); err != nil {
		t.Fatal(err)
	}
	check("after another store appended")
	if n := pgstore.KeptLen(keeping, a); n != 3 {
		t.Fatalf("LoadBatch kept %d transactions of %s after the append", n, a)
	}
	if _, err := keeping.LoadBatch(ctx, []string{a, ""}); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("LoadBatch of an invalid stream id: %v", err)
	}
}

// Two Stores book spends on overlapping streams at once, each with
// AppendBatch over the streams in a random order and with Update: nothing
// is lost or booked twice, every stream ends with the grant and exactly
// the spends whose verdict was nil, and no database transaction
// deadlocks (the Stores do not retry, so a deadlock would surface).
func TestAppendBatchConcurrent(t *testing.T) {
	t.Run("read_committed", func(t *testing.T) {
		testBatchConcurrent(t, newPool(t, 8), pgstore.Options{Schema: testSchema, Retries: -1})
	})
	t.Run("serializable", func(t *testing.T) {
		// Serialization failures are part of SERIALIZABLE: the Stores
		// retry them (and deadlocks, which the locking order avoids).
		testBatchConcurrent(t, serializablePool(t, 8), pgstore.Options{Schema: testSchema, Serializable: true, Retries: 200})
	})
}

func testBatchConcurrent(t *testing.T, pool *pgxpool.Pool, opt pgstore.Options) {
	ctx := context.Background()
	stores := []*pgstore.Store{pgstore.New(pool, opt), pgstore.New(pool, opt)}
	streams := make([]string, 8)
	for i := range streams {
		streams[i] = newStream("batchrace")
		if _, err := stores[0].Append(ctx, streams[i], 0, []ledger.Transaction{grantTx("g", "1000")}); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu     sync.Mutex
		booked = map[string][]string{} // stream -> spend ids booked
		wg     sync.WaitGroup
		ids    atomic.Int64
		fails  atomic.Int64
	)
	record := func(stream, id string) {
		mu.Lock()
		booked[stream] = append(booked[stream], id)
		mu.Unlock()
	}
	fail := func(format string, args ...any) {
		fails.Add(1)
		t.Errorf(format, args...)
	}
	for w := range 4 {
		s := stores[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for round := 0; round < 25 && fails.Load() == 0; round++ {
				if w >= 2 { // Update on one stream
					stream := streams[rng.IntN(len(streams))]
					id := fmt.Sprintf("u%d", ids.Add(1))
					_, _, err := s.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
						return []ledger.Transaction{spendTx(id, at(1), acct("cash"), "1")}, nil
					})
					if err != nil {
						fail("Update %s: %v", stream, err)
						return
					}
					record(stream, id)
					continue
				}
				group := slices.Clone(streams)
				rng.Shuffle(len(group), func(i, j int) { group[i], group[j] = group[j], group[i] })
				group = group[:3+rng.IntN(len(group)-3)]
				js, err := s.LoadBatch(ctx, group)
				if err != nil {
					fail("LoadBatch: %v", err)
					return
				}
				appends := make([]ledger.StreamAppend, len(group))
				for i, stream := range group {
					id := fmt.Sprintf("b%d", ids.Add(1))
					appends[i] = ledger.StreamAppend{Stream: stream, Expected: js[i].Len(),
						Txs: []ledger.Transaction{spendTx(id, at(1), acct("cash"), "1")}}
				}
				verdicts, err := s.AppendBatch(ctx, appends)
				if err != nil {
					var pe *pgconn.PgError
					if errors.As(err, &pe) && pe.Code == "40P01" {
						fail("AppendBatch deadlocked: %v", err)
					} else {
						fail("AppendBatch: %v", err)
					}
					return
				}
				for i, v := range verdicts {
					switch {
					case v == nil:
						record(appends[i].Stream, appends[i].Txs[0].ID)
					case !errors.Is(v, ledger.ErrVersion):
						fail("verdict on %s: %v", appends[i].Stream, v)
					}
				}
			}
		}()
	}
	wg.Wait()
	cold := pgstore.New(pool, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	total := 0
	for _, stream := range streams {
		j, err := cold.LoadAll(ctx, stream) // whole: every spend, not those after the newest checkpoint
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tx := range j.Transactions() {
			if tx.Kind == ledger.KindSpend {
				got = append(got, tx.ID)
			}
		}
		want := booked[stream]
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("stream %s holds spends %v, the writers booked %v", stream, got, want)
		}
		checkStored(t, stream, j)
		total += len(got)
	}
	if total == 0 {
		t.Fatal("nothing booked")
	}
	t.Logf("%d spends booked", total)
}

// A host books a group of bills, one spend per customer, in one commit,
// and reads each verdict: the customers whose spend was refused are told
// why, and the others' spends are stored together.
func ExampleStore_AppendBatch() {
	ctx := context.Background()
	// In a host: pool, _ := pgxpool.New(ctx, os.Getenv("DATABASE_URL")).
	store := pgstore.New(db, pgstore.Options{Schema: testSchema})
	cash := ledger.InstrumentAccount("cash", "USD")
	customers := []string{newStream("alice"), newStream("bob")}
	for i, c := range customers {
		grant := ledger.Grant("grant:cash", t0, ledger.Terms{Account: cash}, dec(fmt.Sprint(10*(i+1))), "")
		if _, err := store.Append(ctx, c, 0, []ledger.Transaction{grant}); err != nil {
			fmt.Println(err)
			return
		}
	}
	js, err := store.LoadBatch(ctx, customers)
	if err != nil {
		fmt.Println(err)
		return
	}
	var appends []ledger.StreamAppend
	for i, c := range customers {
		spend := spendTx("spend:bill-1", at(1), cash, "15")
		appends = append(appends, ledger.StreamAppend{Stream: c, Expected: js[i].Len(), Txs: []ledger.Transaction{spend}})
	}
	verdicts, err := store.AppendBatch(ctx, appends)
	if err != nil {
		fmt.Println("nothing booked:", err) // ErrTransient, ErrUnknownOutcome (reload and look), …
		return
	}
	for i, v := range verdicts {
		switch {
		case v == nil:
			fmt.Printf("customer %d: booked\n", i)
		case errors.Is(v, ledger.ErrInsufficient):
			fmt.Printf("customer %d: refused, insufficient funds\n", i)
		default:
			fmt.Printf("customer %d: %v\n", i, v)
		}
	}
	// Output:
	// customer 0: refused, insufficient funds
	// customer 1: booked
}

// A property: any sequence of batches, over a few streams, with right and
// stale versions, new spends, overspends, replays, conflicting ids,
// repeated streams and empty appends, gets from the Store the verdicts
// (by class) MemoryStore.AppendBatch gives, and leaves the same journals,
// whose postings add up in SQL to their balances.
func TestAppendBatchMatchesMemory(t *testing.T) {
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		s := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: rapid.SampledFrom([]int{-1, 0}).Draw(t, "cache")})
		var mem ledger.MemoryStore
		streams := []string{newStream("prop"), newStream("prop"), newStream("prop")}
		for range rapid.IntRange(1, 4).Draw(t, "batches") {
			var appends []ledger.StreamAppend
			for range rapid.IntRange(0, 4).Draw(t, "appends") {
				stream := rapid.SampledFrom(streams).Draw(t, "stream")
				cur, _ := mem.Load(ctx, stream)
				a := ledger.StreamAppend{Stream: stream, Expected: cur.Len() + rapid.IntRange(-1, 1).Draw(t, "version skew")}
				for range rapid.IntRange(0, 2).Draw(t, "txs") {
					id := fmt.Sprintf("t%d", rapid.IntRange(0, 5).Draw(t, "id"))
					switch rapid.IntRange(0, 2).Draw(t, "kind") {
					case 0:
						a.Txs = append(a.Txs, grantTx(id, "10"))
					case 1:
						a.Txs = append(a.Txs, spendTx(id, at(1), acct("cash"), "4"))
					default:
						a.Txs = append(a.Txs, spendTx(id, at(1), acct("cash"), "25")) // an overspend, or a conflict of id
					}
				}
				appends = append(appends, a)
			}
			want, err := mem.AppendBatch(ctx, appends)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.AppendBatch(ctx, appends)
			if err != nil {
				t.Fatal(err)
			}
			for i := range appends {
				if errClass(got[i]) != errClass(want[i]) {
					t.Fatalf("append %d of %+v: verdict %v, MemoryStore's %v", i, appends, got[i], want[i])
				}
			}
		}
		cold := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})
		js, err := cold.LoadBatch(ctx, streams)
		if err != nil {
			t.Fatal(err)
		}
		for i, stream := range streams {
			m, _ := mem.Load(ctx, stream)
			sameJournal(t, stream, js[i], m)
			checkStored(t, stream, js[i])
		}
	})
}

// outcomes returns the OutcomeErrors err holds.
func outcomes(err error) []*pgstore.OutcomeError {
	var out []*pgstore.OutcomeError
	switch e := err.(type) {
	case *pgstore.OutcomeError:
		return []*pgstore.OutcomeError{e}
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			out = append(out, outcomes(x)...)
		}
	case interface{ Unwrap() error }:
		out = outcomes(e.Unwrap())
	}
	return out
}

// A batch whose database transaction fails stores none of its appends:
// before the commit (here a stream's lock not granted within
// LockTimeout) with ErrTransient; once the commit was sent (here the
// session killed in the commit) with ErrUnknownOutcome, joining an
// OutcomeError per stream that names its transactions. Either way the
// batch can then be booked again.
func TestAppendBatchFaults(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(db, pgstore.Options{Schema: testSchema, LockTimeout: 300 * time.Millisecond})
	newPair := func() []string {
		t.Helper()
		pair := []string{newStream("batchfault"), newStream("batchfault")}
		for _, st := range pair {
			if _, err := s.Append(ctx, st, 0, []ledger.Transaction{grantTx("g", "100")}); err != nil {
				t.Fatal(err)
			}
		}
		return pair
	}
	spends := func(pair []string) []ledger.StreamAppend {
		return []ledger.StreamAppend{
			{Stream: pair[0], Expected: 1, Txs: []ledger.Transaction{spendTx("s1", at(1), acct("cash"), "30")}},
			{Stream: pair[1], Expected: 1, Txs: []ledger.Transaction{spendTx("s1", at(1), acct("cash"), "30"), spendTx("s2", at(2), acct("cash"), "5")}},
		}
	}
	untouched := func(pair []string) {
		t.Helper()
		for _, st := range pair {
			if got := readStored(t, st); got.version != 1 || got.txs != 1 {
				t.Fatalf("stream %s after the fault: %+v", st, got)
			}
		}
		// Booked again, the batch is stored whole.
		verdicts, err := s.AppendBatch(ctx, spends(pair))
		if err != nil || verdicts[0] != nil || verdicts[1] != nil {
			t.Fatalf("the batch again: %v, %v", verdicts, err)
		}
		for _, st := range pair {
			j, err := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1}).Load(ctx, st)
			if err != nil || j.Len() < 2 {
				t.Fatalf("Load %s: %d, %v", st, j.Len(), err)
			}
			checkStored(t, st, j)
		}
	}

	t.Run("lock_timeout_before_commit", func(t *testing.T) {
		pair := newPair()
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			_, _, err := pgstore.New(db, pgstore.Options{Schema: testSchema}).Update(ctx, pair[1], func(ledger.Journal) ([]ledger.Transaction, error) {
				close(held)
				<-release
				return nil, nil
			})
			done <- err
		}()
		<-held
		_, err := s.AppendBatch(ctx, spends(pair))
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !errors.Is(err, pgstore.ErrTransient) || errors.Is(err, pgstore.ErrUnknownOutcome) {
			t.Fatalf("AppendBatch behind a held lock: %v", err)
		}
		untouched(pair)
	})

	t.Run("terminated_in_commit", func(t *testing.T) {
		pair := newPair()
		pauseWrites(t)
		if _, err := db.Exec(ctx, `INSERT INTO billfold_test_pause VALUES ($1, 'commit')`, pair[0]); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := s.AppendBatch(ctx, spends(pair))
			done <- err
		}()
		terminate(t, backend(t, `wait_event = 'PgSleep'`))
		err := <-done
		if !errors.Is(err, pgstore.ErrUnknownOutcome) {
			t.Fatalf("AppendBatch killed in its commit: %v", err)
		}
		got := outcomes(err)
		if len(got) != 2 || got[0].Stream != pair[0] || !slices.Equal(got[0].IDs, []string{"s1"}) ||
			got[1].Stream != pair[1] || !slices.Equal(got[1].IDs, []string{"s1", "s2"}) {
			t.Fatalf("the unknown outcome does not name the appends: %v", err)
		}
		if _, err := db.Exec(ctx, `DELETE FROM billfold_test_pause`); err != nil {
			t.Fatal(err)
		}
		untouched(pair)
	})
}
