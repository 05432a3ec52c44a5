package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
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
// overspent. Run it with -race.
func TestConcurrentSpends(t *testing.T) {
	const (
		workers = 16
		bills   = 25
	)
	ctx := context.Background()
	var s ledger.MemoryStore
	cash := allocation.Instrument{ID: "cash", Kind: "cash", Currency: "USD", Overdraft: dec("50")}
	if _, err := s.Append(ctx, "cust", 0, []ledger.Transaction{ledger.Grant("g", t0, ledger.TermsOf(cash), dec("1000"), "")}); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		id     string
		amount decimal.Decimal
		ok     bool
	}
	results := make([][]outcome, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for b := range bills {
				id := fmt.Sprintf("w%d-b%d", w, b)
				amount := decimal.New(int64(rng.IntN(900)+100), -2) // 1.00 to 9.99
				bill := allocation.Bill{ID: id, Currency: "USD", At: at(b), Lines: []allocation.Line{{ID: "l1", Product: "ecs", Amount: amount}}}
				split := allocation.Split{Bill: id, Currency: "USD", Allocations: []allocation.Allocation{{Instrument: "cash", Line: "l1", Amount: amount}}}
				tx, err := ledger.FromSplit(bill, allocation.Wallet{cash}, split, ledger.SpendOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				for try := range 1 + rng.IntN(2) { // sometimes book the same bill twice
					_, rs, err := ledger.Update(ctx, &s, "cust", 1000, func(ledger.Journal) ([]ledger.Transaction, error) {
						return []ledger.Transaction{tx}, nil
					})
					switch {
					case errors.Is(err, ledger.ErrInsufficient):
						if try == 0 {
							results[w] = append(results[w], outcome{id, amount, false})
						}
					case err != nil:
						t.Error(err)
						return
					case try == 0 && !rs[0].Replayed:
						results[w] = append(results[w], outcome{id, amount, true})
					case try > 0 && !rs[0].Replayed:
						t.Errorf("%s booked twice", id)
					}
				}
			}
		}()
	}
	wg.Wait()

	j, _ := s.Load(ctx, "cust")
	spent, booked := decimal.Decimal{}, 0
	for _, rs := range results {
		for _, r := range rs {
			_, inJournal := j.Transaction("spend:" + r.id)
			if inJournal != r.ok {
				t.Errorf("%s: accepted %v, in the journal %v", r.id, r.ok, inJournal)
			}
			if r.ok {
				spent, booked = spent.Add(r.amount), booked+1
			}
		}
	}
	if j.Len() != booked+1 {
		t.Errorf("journal holds %d transactions, %d spends were accepted", j.Len(), booked)
	}
	bal := j.Balance(ledger.InstrumentAccount("cash", "USD"))
	if !bal.Equal(dec("1000").Sub(spent)) || !j.Balance(sys(ledger.Revenue)).Equal(spent) {
		t.Errorf("balance %s, revenue %s after spending %s", bal, j.Balance(sys(ledger.Revenue)), spent)
	}
	if bal.LessThan(dec("-50")) {
		t.Errorf("overspent: balance %s below the -50 floor", bal)
	}
	if booked == workers*bills || bal.GreaterThan(dec("-40")) {
		// The bills add up to far more than 1050: the wallet must have
		// run dry, to within one bill of the floor.
		t.Errorf("the wallet did not run dry: %d bills booked, balance %s", booked, bal)
	}
}
