//go:build unix

package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

// Clients book spends on a few customers while the database fails under
// them, each spend retried as the error classes say (the same
// transaction, until it is booked or refused):
//
//   - kill_server: every server process is killed (SIGKILL to the
//     postmaster and its backends, as a crash would) and the server
//     restarted, which recovers from its log, twice;
//   - terminate_backends: the clients' backends are terminated
//     (pg_terminate_backend), one every few milliseconds;
//   - cut_after_commit: a proxy on 127.0.0.1 cuts one connection in four
//     right after a COMMIT is sent, so the client never learns whether it
//     committed.
//
// Each ends with the same checks: every spend a client was told is booked
// is stored, once, as sent; every refused one is absent; nothing else is
// stored; no floor was broken (every stored transaction applies, and the
// balance is what the grant minus the booked spends leaves); every
// transaction is balanced; SQL sums of the postings equal the journal's
// balances. The server runs on its own, with synchronous_commit on.
func TestCrash(t *testing.T) {
	c, err := startClusterWith(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	ctx := context.Background()
	// Every connection goes through a proxy, whose address outlives the
	// server's: a restarted server may have to take another port (a
	// free port can be taken by anyone while the server is down).
	var cutting atomic.Bool
	var commits atomic.Int64
	prx := startProxy(t, "127.0.0.1:"+strconv.Itoa(c.port), func() bool {
		return cutting.Load() && commits.Add(1)%4 == 0
	})
	pool := func(t *testing.T, maxConns int32, app string) *pgxpool.Pool {
		cfg, err := pgxpool.ParseConfig(c.url)
		if err != nil {
			t.Fatal(err)
		}
		host, port, _ := net.SplitHostPort(prx.addr())
		n, _ := strconv.Atoi(port)
		cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(n)
		cfg.ConnConfig.RuntimeParams["application_name"] = app
		cfg.MaxConns = maxConns
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	admin := pool(t, 2, "billfold-crash-admin")
	if err := pgstore.New(admin, pgstore.Options{}).Migrate(ctx); err != nil { // in public, the default
		t.Fatal(err)
	}
	restart := func() error {
		var err error
		for try := range 4 {
			if try >= 2 {
				c.port = 0 // on another port: ours may have been taken
			}
			if err = c.start(); err == nil {
				prx.retarget("127.0.0.1:" + strconv.Itoa(c.port))
				return nil
			}
			time.Sleep(200 * time.Millisecond)
		}
		return err
	}

	for _, fc := range []struct {
		name string
		// store returns the Store the clients use.
		store func(t *testing.T) *pgstore.Store
		// fault breaks the database until stop is closed; it returns how
		// many faults it made.
		fault func(t *testing.T, stop <-chan struct{}) int
	}{
		{"kill_server", func(t *testing.T) *pgstore.Store {
			return pgstore.New(pool(t, 8, "billfold-crash"), pgstore.Options{})
		}, func(t *testing.T, stop <-chan struct{}) int {
			n := 0
			for n < 2 {
				select {
				case <-stop:
					return n
				case <-time.After(400 * time.Millisecond):
				}
				if err := c.kill(); err != nil {
					t.Error(err)
					return n
				}
				n++
				if err := restart(); err != nil {
					t.Error(err)
					return n
				}
			}
			return n
		}},
		{"terminate_backends", func(t *testing.T) *pgstore.Store {
			return pgstore.New(pool(t, 8, "billfold-crash"), pgstore.Options{})
		}, func(t *testing.T, stop <-chan struct{}) int {
			n := 0
			for {
				select {
				case <-stop:
					return n
				case <-time.After(40 * time.Millisecond):
				}
				var done int
				err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity
					WHERE application_name = 'billfold-crash' AND pid <> pg_backend_pid() ORDER BY random() LIMIT 1) b`).Scan(&done)
				if err != nil {
					t.Error(err)
					return n
				}
				n += done
			}
		}},
		{"cut_after_commit", func(t *testing.T) *pgstore.Store {
			return pgstore.New(pool(t, 8, "billfold-crash"), pgstore.Options{})
		}, func(t *testing.T, stop <-chan struct{}) int {
			cutting.Store(true)
			<-stop
			cutting.Store(false)
			return 1
		}},
	} {
		t.Run(fc.name, func(t *testing.T) {
			store := fc.store(t)
			customers := make([]string, 4)
			grant := ledger.Grant("grant", t0, ledger.Terms{Account: acct("cash")}, dec("1500"), "")
			for i := range customers {
				customers[i] = newStream("crash")
				if _, err := pgstore.New(admin, pgstore.Options{}).Append(ctx, customers[i], 0, []ledger.Transaction{grant}); err != nil {
					t.Fatal(err)
				}
			}
			out := crashWorkload(t, store, customers, 4, 2500*time.Millisecond, func(stop <-chan struct{}) int { return fc.fault(t, stop) })
			t.Logf("%d faults; %d spends booked, %d refused; %d transient failures and %d unknown outcomes retried",
				out.faults, len(out.booked), len(out.refused), out.transient.Load(), out.unknown.Load())
			if out.faults == 0 || out.transient.Load()+out.unknown.Load() == 0 {
				t.Fatal("the faults never reached a client")
			}
			if fc.name == "cut_after_commit" && out.unknown.Load() == 0 {
				t.Fatal("no outcome was unknown")
			}
			checkCrash(t, admin, customers, grant, out)
		})
	}
}

// A crashOutcome is what the clients of crashWorkload were told.
type crashOutcome struct {
	mu                 sync.Mutex
	booked, refused    map[string]crashSpend // by transaction id
	transient, unknown atomic.Int64
	faults             int
}

type crashSpend struct {
	customer string
	tx       ledger.Transaction
}

// crashWorkload runs clients booking spends on customers for about d
// while fault breaks the database, then lets each client finish the
// spend it is booking. Half the clients use Store.Update, half
// ledger.Update over the Store (Append).
func crashWorkload(t *testing.T, store *pgstore.Store, customers []string, clients int, d time.Duration, fault func(stop <-chan struct{}) int) *crashOutcome {
	out := &crashOutcome{booked: map[string]crashSpend{}, refused: map[string]crashSpend{}}
	stop := make(chan struct{})
	faulted := make(chan int)
	go func() { faulted <- fault(stop) }()
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 18))
			for i := 0; time.Now().Before(deadline); i++ {
				customer := customers[rng.IntN(len(customers))]
				amount := decimal.New(int64(1+rng.IntN(2000)), -2) // 0.01–20.00
				tx := spendTx(fmt.Sprintf("c%d-%d", w, i), at(1+i), acct("cash"), amount.String())
				booked, err := bookRetrying(store, customer, tx, w%2 == 0, out)
				if err != nil {
					t.Errorf("client %d, spend %s: %v", w, tx.ID, err)
					return
				}
				out.mu.Lock()
				if booked {
					out.booked[tx.ID] = crashSpend{customer, tx}
				} else {
					out.refused[tx.ID] = crashSpend{customer, tx}
				}
				out.mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Until(deadline))
	close(stop)
	out.faults = <-faulted
	wg.Wait()
	return out
}

// bookRetrying books tx on customer, retrying the same transaction after
// ErrTransient and ErrUnknownOutcome (for at most 30 s), and reports
// whether it is booked (true) or refused for the floor (false).
func bookRetrying(store *pgstore.Store, customer string, tx ledger.Transaction, locking bool, out *crashOutcome) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	build := func(ledger.Journal) ([]ledger.Transaction, error) { return []ledger.Transaction{tx}, nil }
	for attempt := 0; ; attempt++ {
		var err error
		if locking {
			_, _, err = store.Update(ctx, customer, build)
		} else {
			_, _, err = ledger.Update(ctx, store, customer, 50, build)
		}
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, ledger.ErrInsufficient):
			return false, nil
		case errors.Is(err, pgstore.ErrUnknownOutcome):
			out.unknown.Add(1)
		case errors.Is(err, pgstore.ErrTransient):
			out.transient.Add(1)
		default:
			return false, err
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("still failing after %d attempts: %w", attempt+1, err)
		case <-time.After(time.Duration(5+5*min(attempt, 20)) * time.Millisecond):
		}
	}
}

// checkCrash checks the books of customers against what the clients were
// told.
func checkCrash(t *testing.T, admin *pgxpool.Pool, customers []string, grant ledger.Transaction, out *crashOutcome) {
	t.Helper()
	ctx := context.Background()
	fresh := pgstore.New(admin, pgstore.Options{CacheStreams: -1})
	for _, customer := range customers {
		j, err := fresh.LoadAll(ctx, customer) // applies every stored transaction: floors, balance, ids
		if err != nil {
			t.Fatalf("%s: %v", customer, err)
		}
		want := dec("1500")
		n := 1
		for id, s := range out.booked {
			if s.customer != customer {
				continue
			}
			n++
			got, ok := j.Transaction(id)
			if !ok {
				t.Fatalf("%s: spend %s was booked and is lost", customer, id)
			}
			if !got.Equal(s.tx) {
				t.Fatalf("%s: spend %s is stored as %+v, was sent as %+v", customer, id, got, s.tx)
			}
			want = want.Sub(s.tx.Postings[1].Amount)
		}
		for id, s := range out.refused {
			if _, ok := j.Transaction(id); ok && s.customer == customer {
				t.Fatalf("%s: spend %s was refused and is stored", customer, id)
			}
		}
		if j.Len() != n {
			t.Fatalf("%s: %d transactions stored, the grant and %d booked spends were", customer, j.Len(), n-1)
		}
		if got := j.Balance(acct("cash")); !got.Equal(want) || got.IsNegative() {
			t.Fatalf("%s: balance %s, want %s", customer, got, want)
		}
		for _, tx := range j.Transactions() {
			if err := tx.Validate(); err != nil { // balanced, among the rest
				t.Fatalf("%s: %v", customer, err)
			}
		}
		checkStoredIn(t, admin, customer, j)
	}
}
