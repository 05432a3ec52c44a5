package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
)

// BenchmarkColdSpend books a two-posting spend with Store.Update on a
// stream with 5 (fresh), 100,000 or 1,000,000 past transactions (spends
// over five instruments, one in 1,000 a partial reversal): "cold" through
// a Store that keeps nothing in memory, so each spend reads the stream
// under its lock (its newest checkpoint and the rows after it), and
// "warm" through one that keeps the journal. The streams are written in
// bulk (COPY) with checkpoints every pgstore.DefaultCheckpointEvery
// transactions, as the Store writes them; 1,000,000 only with
// BILLFOLD_BENCH_1M=1 (its setup takes about a minute).
func BenchmarkColdSpend(b *testing.B) {
	sizes := []int{5, 100_000}
	if os.Getenv("BILLFOLD_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	ctx := context.Background()
	for _, n := range sizes {
		stream := bulkStream(b, n)
		for _, c := range []struct {
			name  string
			cache int
		}{{"cold", -1}, {"warm", 0}} {
			b.Run(fmt.Sprintf("past=%d/%s", n, c.name), func(b *testing.B) {
				s := pgstore.New(newPool(b, 2), pgstore.Options{Schema: testSchema, CacheStreams: c.cache})
				spend := func(i int) {
					// A fresh id each time, across -count runs too: a replay
					// would store nothing.
					tx := spendTx(fmt.Sprintf("%s-%d", c.name, benchIDs.Add(1)), t0.Add(time.Duration(n+i)*time.Minute), acct("in0"), "1.25")
					if _, _, err := s.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
						return []ledger.Transaction{tx}, nil
					}); err != nil {
						b.Fatal(err)
					}
				}
				spend(-1) // the warm Store reads the stream here
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					spend(i)
				}
			})
		}
	}
}

var benchIDs atomic.Int64

// bulkStream writes a stream of n transactions with COPY, with a
// checkpoint every pgstore.DefaultCheckpointEvery, and returns its id.
func bulkStream(b *testing.B, n int) string {
	b.Helper()
	ctx := context.Background()
	stream := newStream("bulk")
	var (
		j     ledger.Journal
		rows  [][]any
		cps   [][]any
		every = pgstore.DefaultCheckpointEvery
	)
	add := func(tx ledger.Transaction) {
		var err error
		if j, _, err = j.Apply(tx); err != nil {
			b.Fatal(err)
		}
		body, err := json.Marshal(tx)
		if err != nil {
			b.Fatal(err)
		}
		var ref any
		if tx.Ref != "" {
			ref = tx.Ref
		}
		rows = append(rows, []any{stream, int64(j.Len() - 1), tx.ID, string(tx.Kind), tx.Time, nil, ref, string(body)})
		if j.Len()%every == 0 {
			cp, err := json.Marshal(j.Checkpoint())
			if err != nil {
				b.Fatal(err)
			}
			cps = append(cps, []any{stream, int64(j.Len()), string(cp)})
		}
	}
	for i := range 5 {
		id := "in" + strconv.Itoa(i)
		add(ledger.Grant("g"+id, t0, ledger.Terms{Account: acct(id), Kind: "gift"}, dec("1000000000000"), ""))
	}
	for i := 5; i < n; i++ {
		when := t0.Add(time.Duration(i) * time.Minute)
		id := "h" + strconv.Itoa(i)
		if i%1000 == 3 {
			tx, err := ledger.Reverse(j, id, when, "h"+strconv.Itoa(i-1), dec("0.5"), "")
			if err != nil {
				b.Fatal(err)
			}
			add(tx)
			continue
		}
		add(spendTx(id, when, acct("in"+strconv.Itoa(i%5)), "1.25"))
	}
	conn, err := db.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `INSERT INTO billfold_streams (stream, version, last) VALUES ($1, $2, $3)`,
		stream, n, rows[n-1][2]); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Conn().CopyFrom(ctx, pgx.Identifier{testSchema, "billfold_transactions"},
		[]string{"stream", "position", "id", "kind", "time", "bill", "ref", "body"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Conn().CopyFrom(ctx, pgx.Identifier{testSchema, "billfold_checkpoints"},
		[]string{"stream", "position", "body"}, pgx.CopyFromRows(cps)); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE billfold_transactions`); err != nil {
		b.Fatal(err)
	}
	return stream
}
