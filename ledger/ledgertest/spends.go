// Package ledgertest checks an implementation of [ledger.Store] the way
// billfold checks its own stores ([ledger.MemoryStore] and
// ledger/pgstore): many clients spending one wallet at once.
package ledgertest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// TB is the part of *testing.T that [ConcurrentSpends] uses. Errorf is
// called from several goroutines at once, as *testing.T allows.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Spends sets up [ConcurrentSpends].
type Spends struct {
	// Workers is the number of clients spending at once; Bills, how many
	// bills each books.
	Workers, Bills int
	// Grant is what the wallet holds before the first bill. The bills
	// cost 1.00 to 9.99 USD each; they must add up to more than Grant +
	// 50, so that the wallet runs dry and clients race at its floor.
	Grant decimal.Decimal
	// Seed makes the bills' amounts (client w draws from the PCG seeded
	// with w and Seed).
	Seed uint64
}

// An Update is one read-modify-write of the stream under test on behalf of
// client w: [ledger.Update] over the store, or a store's own update.
type Update func(w int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error)

// Outcome is what [ConcurrentSpends] saw.
type Outcome struct {
	// Journal is the stream after the run, as load returned it.
	Journal ledger.Journal
	// Accepted and Refused count the bills.
	Accepted, Refused int
	// Balance is the wallet's balance after the run.
	Balance decimal.Decimal
}

// The wallet under test: cash that may go 50 below zero.
var (
	cash  = allocation.Instrument{ID: "cash", Kind: "cash", Currency: "USD", Overdraft: decimal.New(50, 0)}
	start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ConcurrentSpends grants a cash wallet (overdraft 50 USD) through update
// on an empty stream, then has s.Workers clients book s.Bills bills each
// at once, every bill through [ledger.FromSplit] and update, some booked a
// second time. It then loads the stream with load and reports through t
// every way the store lost a spend, booked one twice, or let the wallet
// be overspent: each bill must be accepted or refused on its first
// booking and replayed on its second; the journal must hold the grant and
// exactly the accepted spends; the balance must be the grant less what
// they spent, and revenue what they spent; the balance must not go below
// −50, and must end within one bill of it.
func ConcurrentSpends(t TB, s Spends, update Update, load func() (ledger.Journal, error)) Outcome {
	t.Helper()
	grant := ledger.Grant("g", start, ledger.TermsOf(cash), s.Grant, "")
	if _, _, err := update(0, func(ledger.Journal) ([]ledger.Transaction, error) {
		return []ledger.Transaction{grant}, nil
	}); err != nil {
		t.Errorf("granting the wallet: %v", err)
		return Outcome{}
	}
	type booking struct {
		id     string
		amount decimal.Decimal
		ok     bool
	}
	results := make([][]booking, s.Workers)
	var wg sync.WaitGroup
	for w := range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), s.Seed))
			for b := range s.Bills {
				id := fmt.Sprintf("w%d-b%d", w, b)
				amount := decimal.New(int64(rng.IntN(900)+100), -2) // 1.00 to 9.99
				bill := allocation.Bill{ID: id, Currency: "USD", At: start.Add(time.Duration(b) * time.Hour),
					Lines: []allocation.Line{{ID: "l1", Product: "ecs", Amount: amount}}}
				split := allocation.Split{Bill: id, Currency: "USD", Allocations: []allocation.Allocation{{Instrument: "cash", Line: "l1", Amount: amount}}}
				tx, err := ledger.FromSplit(bill, allocation.Wallet{cash}, split, ledger.SpendOptions{})
				if err != nil {
					t.Errorf("%s: %v", id, err)
					return
				}
				for try := range 1 + rng.IntN(2) { // sometimes book the same bill twice
					_, rs, err := update(w, func(ledger.Journal) ([]ledger.Transaction, error) {
						return []ledger.Transaction{tx}, nil
					})
					switch {
					case errors.Is(err, ledger.ErrInsufficient):
						if try == 0 {
							results[w] = append(results[w], booking{id, amount, false})
						}
					case err != nil:
						t.Errorf("%s: %v", id, err)
						return
					case try == 0 && !rs[0].Replayed:
						results[w] = append(results[w], booking{id, amount, true})
					case try > 0 && !rs[0].Replayed:
						t.Errorf("%s booked twice", id)
					}
				}
			}
		}()
	}
	wg.Wait()

	j, err := load()
	if err != nil {
		t.Errorf("loading the stream: %v", err)
		return Outcome{}
	}
	out := Outcome{Journal: j, Balance: j.Balance(ledger.InstrumentAccount(cash.ID, cash.Currency))}
	spent := decimal.Decimal{}
	for _, rs := range results {
		for _, r := range rs {
			if _, inJournal := j.Transaction("spend:" + r.id); inJournal != r.ok {
				t.Errorf("%s: accepted %v, in the journal %v", r.id, r.ok, inJournal)
			}
			if r.ok {
				spent, out.Accepted = spent.Add(r.amount), out.Accepted+1
			} else {
				out.Refused++
			}
		}
	}
	if n := out.Accepted + out.Refused; n != s.Workers*s.Bills {
		t.Errorf("%d outcomes for %d bills", n, s.Workers*s.Bills)
	}
	if j.Len() != out.Accepted+1 {
		t.Errorf("journal holds %d transactions, %d spends were accepted", j.Len(), out.Accepted)
	}
	revenue := j.Balance(ledger.SystemAccount(ledger.Revenue, "USD"))
	if !out.Balance.Equal(s.Grant.Sub(spent)) || !revenue.Equal(spent) {
		t.Errorf("balance %s, revenue %s after spending %s", out.Balance, revenue, spent)
	}
	if out.Balance.LessThan(decimal.New(-50, 0)) {
		t.Errorf("overspent: balance %s below the -50 floor", out.Balance)
	}
	if out.Refused == 0 || out.Balance.GreaterThan(decimal.New(-40, 0)) {
		// The bills add up to more than the wallet: it must have run dry,
		// to within one bill of the floor.
		t.Errorf("the wallet did not run dry: %d bills booked, balance %s", out.Accepted, out.Balance)
	}
	return out
}
