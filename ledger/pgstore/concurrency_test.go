package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/shopspring/decimal"
)

// updater is a read-modify-write of a stream: Store.Update, or
// ledger.Update over the Store.
type updater func(ctx context.Context, s *pgstore.Store, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error)

func locking(ctx context.Context, s *pgstore.Store, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	return s.Update(ctx, stream, build)
}

func optimistic(ctx context.Context, s *pgstore.Store, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	return ledger.Update(ctx, s, stream, 10000, build)
}

// Sixteen clients spend one wallet at once, 500 bills each, through two
// Stores (two processes) sharing the database, each bill booked through
// FromSplit and some booked twice. No spend may be lost or booked twice,
// and the wallet may never be overspent: what the journal and the tables
// hold must add up to exactly the spends the clients were told were
// accepted. The bills add up to about twice the wallet, so it runs dry
// half way through, and clients race at its floor.
//
// Both ways of writing are run: Store.Update (the stream's row locked
// from load to store) and ledger.Update (optimistic: Append fails on a
// version conflict, and the client retries from a fresh load).
func TestConcurrentSpends(t *testing.T) {
	const (
		workers = 16
		bills   = 500
	)
	for _, c := range []struct {
		name   string
		update updater
		grant  string
	}{
		{"locking", locking, "22000"},
		// A retry of ledger.Update applies to a journal another client
		// has extended, which copies the journal (ledger.Journal.Apply):
		// a smaller wallet keeps that affordable here.
		{"optimistic", optimistic, "2000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			ctx := context.Background()
			pool := newPool(t, workers)
			stores := []*pgstore.Store{pgstore.New(pool, pgstore.Options{}), pgstore.New(pool, pgstore.Options{})}
			stream := newStream("concurrent")
			cash := allocation.Instrument{ID: "cash", Kind: "cash", Currency: "USD", Overdraft: dec("50")}
			grant := ledger.Grant("g", t0, ledger.TermsOf(cash), dec(c.grant), "")
			if _, err := stores[0].Append(ctx, stream, 0, []ledger.Transaction{grant}); err != nil {
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
					s := stores[w%len(stores)]
					rng := rand.New(rand.NewPCG(uint64(w), 9))
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
							_, rs, err := c.update(ctx, s, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
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
			elapsed := time.Since(start)

			j, err := pgstore.New(pool, pgstore.Options{CacheStreams: -1}).Load(ctx, stream)
			if err != nil {
				t.Fatal(err)
			}
			spent, booked, rejected := decimal.Decimal{}, 0, 0
			for _, rs := range results {
				for _, r := range rs {
					_, inJournal := j.Transaction("spend:" + r.id)
					if inJournal != r.ok {
						t.Errorf("%s: accepted %v, in the journal %v", r.id, r.ok, inJournal)
					}
					if r.ok {
						spent, booked = spent.Add(r.amount), booked+1
					} else {
						rejected++
					}
				}
			}
			if booked+rejected != workers*bills {
				t.Errorf("%d outcomes for %d bills", booked+rejected, workers*bills)
			}
			if j.Len() != booked+1 {
				t.Errorf("journal holds %d transactions, %d spends were accepted", j.Len(), booked)
			}
			bal := j.Balance(ledger.InstrumentAccount("cash", "USD"))
			if !bal.Equal(dec(c.grant).Sub(spent)) || !j.Balance(sys(ledger.Revenue)).Equal(spent) {
				t.Errorf("balance %s, revenue %s after spending %s", bal, j.Balance(sys(ledger.Revenue)), spent)
			}
			if bal.LessThan(dec("-50")) {
				t.Errorf("overspent: balance %s below the -50 floor", bal)
			}
			if rejected == 0 || bal.GreaterThan(dec("-40")) {
				// The bills add up to far more than the wallet: it must
				// have run dry, to within one bill of the floor.
				t.Errorf("the wallet did not run dry: %d bills booked, balance %s", booked, bal)
			}
			checkStored(t, stream, j)
			t.Logf("%d clients × %d bills in %v: %d accepted, %d refused, balance %s",
				workers, bills, elapsed.Round(time.Millisecond), booked, rejected, bal)
		})
	}
}
