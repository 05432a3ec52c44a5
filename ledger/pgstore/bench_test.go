package pgstore_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/shopspring/decimal"
)

// BenchmarkSpend measures booking spends (a two-posting transaction, each
// checked against the journal and stored with its postings) by 1 or 16
// concurrent clients, each with a connection of its own, through one
// Store: all on one wallet (one stream, the contended case), or each
// client on a wallet of its own. It reports spends per second; the
// allocations are those of the client side (pgx, the ledger, the store).
//
// The locking rows write with Store.Update; the optimistic ones with
// ledger.Update over the Store, whose retries after a version conflict
// copy the journal, so their cost grows with its length: compare them at
// a fixed -benchtime=Nx.
func BenchmarkSpend(b *testing.B) {
	for _, c := range []struct {
		name             string
		update           updater
		clients, streams int
	}{
		{"locking/clients=1", locking, 1, 1},
		{"locking/clients=16", locking, 16, 1},
		{"locking/clients=16/streams=16", locking, 16, 16},
		{"optimistic/clients=1", optimistic, 1, 1},
		{"optimistic/clients=16", optimistic, 16, 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			s := pgstore.New(newPool(b, int32(c.clients)), pgstore.Options{Schema: testSchema})
			streams := make([]string, c.streams)
			for i := range streams {
				streams[i] = newStream("bench")
				g := ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, decimal.New(1, 12), "")
				if _, err := s.Append(ctx, streams[i], 0, []ledger.Transaction{g}); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for w := range c.clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					stream := streams[w%len(streams)]
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						tx := spendTx("s"+strconv.FormatInt(i, 10), t0, acct("cash"), "1.25")
						_, _, err := c.update(ctx, s, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
							return []ledger.Transaction{tx}, nil
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "spends/s")
		})
	}
}
