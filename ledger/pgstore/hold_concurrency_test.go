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

// Eight clients check out orders against one prepayment balance at once,
// through two Stores sharing the database. Each order is held over the
// wallet the journal gives (ledger.WithBalances), or, one time in four,
// over a stale wallet that ignores the holds, which the ledger must refuse
// when it would use held money. Each accepted hold is then settled by two
// racing clients, one capturing part of it (final) and one releasing it:
// exactly one may win, the other must get ErrHoldSettled. One hold in
// five is left open, to lapse at the end.
//
// Afterwards the stored journal, rebuilt by a Store keeping nothing in
// memory, must equal the one the clients built, know every open hold, and
// add up: the balance never went below zero, revenue is exactly what the
// winning captures took, the balance plus what is held is the deposit less
// that revenue, and SQL sums per account equal the journal's balances.
func TestConcurrentHolds(t *testing.T) {
	const (
		workers = 8
		orders  = 25
	)
	for _, c := range []struct {
		name   string
		update updater
	}{{"locking", locking}, {"optimistic", optimistic}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			pool := newPool(t, workers*2)
			stores := []*pgstore.Store{pgstore.New(pool, pgstore.Options{Schema: testSchema}), pgstore.New(pool, pgstore.Options{Schema: testSchema})}
			stream := newStream("holds")
			balance := acct("prepayment")
			wallet := allocation.Wallet{{ID: "prepayment", Kind: "prepayment", Currency: "USD"}}
			deposit := dec("5000")
			if _, _, err := c.update(ctx, stores[0], stream, func(ledger.Journal) ([]ledger.Transaction, error) {
				return []ledger.Transaction{ledger.Deposit("deposit", t0, balance, deposit, "", "")}, nil
			}); err != nil {
				t.Fatal(err)
			}
			var (
				mu                       sync.Mutex
				captured                 decimal.Decimal
				held, refused, stale     int
				open                     []string
				captures, releases, lost int
			)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 42))
					store := stores[w%2]
					for o := range orders {
						id := fmt.Sprintf("w%d-o%d", w, o)
						bill := allocation.Bill{ID: id, Currency: "USD", At: t0.Add(time.Duration(o) * time.Minute), Mode: "subscription",
							Lines: []allocation.Line{{ID: "l1", Product: "ecs", Amount: decimal.New(int64(50+rng.IntN(200)), 0)}}}
						useStale := rng.IntN(4) == 0
						var outstanding bool
						_, _, err := c.update(ctx, store, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
							current := ledger.WithBalances(j, wallet)
							if useStale {
								current[0].Balance = j.Balance(balance).Add(j.Held(balance))
							}
							split, err := allocation.Allocate(bill, current, allocation.Policy{})
							if err != nil {
								return nil, err
							}
							if outstanding = !split.Outstanding.IsZero(); outstanding {
								return nil, nil // the balance cannot pay it all: no checkout
							}
							tx, err := ledger.Hold(bill, current, split, at(1000), "")
							return []ledger.Transaction{tx}, err
						})
						mu.Lock()
						switch {
						case errors.Is(err, ledger.ErrInsufficient) && useStale:
							stale++
						case err != nil:
							mu.Unlock()
							t.Errorf("hold %s: %v", id, err)
							return
						case outstanding:
							refused++
						default:
							held++
						}
						mu.Unlock()
						if err != nil || outstanding {
							continue
						}
						hold := "hold:" + id
						if rng.IntN(5) == 0 {
							mu.Lock()
							open = append(open, hold)
							mu.Unlock()
							continue
						}
						part := decimal.New(int64(1+rng.IntN(50)), 0)
						var race sync.WaitGroup
						errs := make([]error, 2)
						race.Add(2)
						go func() {
							defer race.Done()
							_, _, errs[0] = c.update(ctx, store, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
								tx, err := ledger.Capture(j, "capture:"+id, bill.At.Add(time.Hour), hold, part, true, "")
								return []ledger.Transaction{tx}, err
							})
						}()
						go func() {
							defer race.Done()
							_, _, errs[1] = c.update(ctx, stores[(w+1)%2], stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
								tx, err := ledger.Release(j, "release:"+id, bill.At.Add(time.Hour), hold, "cancelled")
								return []ledger.Transaction{tx}, err
							})
						}()
						race.Wait()
						mu.Lock()
						switch {
						case errs[0] == nil && errors.Is(errs[1], ledger.ErrHoldSettled):
							captures++
							captured = captured.Add(part)
						case errs[1] == nil && errors.Is(errs[0], ledger.ErrHoldSettled):
							releases++
						default:
							lost++
							t.Errorf("hold %s: capture %v, release %v: want exactly one to settle it", hold, errs[0], errs[1])
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			j, err := pgstore.New(pool, pgstore.Options{Schema: testSchema, CacheStreams: -1}).LoadAll(ctx, stream)
			if err != nil {
				t.Fatal(err)
			}
			mine, err := stores[0].Load(ctx, stream)
			if err != nil {
				t.Fatal(err)
			}
			sameJournal(t, "rebuilt journal", j, mine)
			checkStored(t, stream, j)
			for _, e := range j.History(balance, ledger.Filter{}) {
				if e.Balance.IsNegative() {
					t.Fatalf("%s: available balance %s after %s", balance, e.Balance, e.ID)
				}
			}
			var gotOpen []string
			for _, h := range j.OpenHolds() {
				gotOpen = append(gotOpen, h.ID)
			}
			if len(gotOpen) != len(open) {
				t.Fatalf("the stored journal knows %d open holds, the clients left %d", len(gotOpen), len(open))
			}
			for _, h := range open {
				if st, ok := j.HoldStatus(h); !ok || st.State != ledger.HoldOpen {
					t.Fatalf("hold %s left open is %+v", h, st)
				}
			}
			revenue := j.Balance(sys(ledger.Revenue))
			if !revenue.Equal(captured) {
				t.Fatalf("revenue %s, the winning captures took %s", revenue, captured)
			}
			if whole := j.Balance(balance).Add(j.Held(balance)); !whole.Equal(deposit.Sub(captured)) {
				t.Fatalf("balance %s + held %s ≠ deposit %s − captured %s", j.Balance(balance), j.Held(balance), deposit, captured)
			}
			// The open holds lapse; then nothing is held.
			if _, _, err := c.update(ctx, stores[0], stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
				tx, _ := ledger.Expire(j, at(1000))
				return []ledger.Transaction{tx}, nil
			}); err != nil {
				t.Fatal(err)
			}
			j, err = pgstore.New(pool, pgstore.Options{Schema: testSchema, CacheStreams: -1}).LoadAll(ctx, stream)
			if err != nil {
				t.Fatal(err)
			}
			if !j.Held(balance).IsZero() || len(j.OpenHolds()) != 0 || !j.Balance(balance).Equal(deposit.Sub(captured)) {
				t.Fatalf("after Expire: held %s, %d open, balance %s", j.Held(balance), len(j.OpenHolds()), j.Balance(balance))
			}
			checkStored(t, stream, j)
			if held == 0 || stale == 0 || captures == 0 || releases == 0 || refused == 0 {
				t.Fatalf("the race did not cover every case: %d held, %d stale refused, %d not payable, %d captures, %d releases",
					held, stale, refused, captures, releases)
			}
			t.Logf("%d clients × %d orders: %d held (%d left open), %d stale holds refused, %d not payable; %d captures, %d releases won",
				workers, orders, held, len(open), stale, refused, captures, releases)
		})
	}
}
