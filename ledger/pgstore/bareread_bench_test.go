//go:build unix

package pgstore_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkBareReadWrite is the physical limit of a month-end run that,
// like any exactly-once run over balances, reads each stream before it
// writes: BenchmarkBareInsert's rows, written on streams that hold a
// customer's five grants (as BenchmarkBillRun's do), each group of bills
// first reading its streams and then, in one database transaction sent
// as one pipeline, locking them, inserting the spends and moving the
// streams' versions. No decoding, no ledger, no allocation, no check: the
// database's and the driver's share of a bill run.
//
// With read=rows a group reads every row of its streams (a Store that
// keeps no journal: BenchmarkBillRun's cache=cold); with read=versions
// it reads only their versions (a Store that keeps them: cache=warm).
// Compare its bills/s with BenchmarkBareInsert's and BenchmarkBillRun's
// in the same run: the gap to the bare insert is the cost of reading and
// locking, which no bill run can avoid; the gap to the bill run is what
// billfold adds.
func BenchmarkBareReadWrite(b *testing.B) {
	n := benchSize(b, "BILLFOLD_BENCH_BILLS", 20_000)
	groupSize := benchSize(b, "BILLFOLD_BENCH_GROUP", 500)
	workers := benchSize(b, "BILLFOLD_BENCH_WORKERS", 2)
	url, serverCPU := durableServer(b)
	tx := templateSpend(b)
	for _, c := range []struct {
		name string
		rows bool
	}{{"read=rows", true}, {"read=versions", false}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			pool, schema := durablePool(b, url, int32(workers), pgstore.Steps)
			streams := openCustomers(b, pgstore.New(pool, pgstore.Options{Schema: schema}), n)
			version := int64(len(runGrants()))
			m := cpuMeter{server: serverCPU}
			b.ResetTimer()
			for month := range b.N {
				b.StopTimer()
				rows := make([]bareRow, n)
				for i := range rows {
					t := tx
					t.Bill = runBill(i, month).ID
					t.ID = "spend:" + t.Bill
					body, err := json.Marshal(t)
					if err != nil {
						b.Fatal(err)
					}
					rows[i] = bareRow{stream: streams[i], id: t.ID, bill: t.Bill, body: string(body)}
				}
				b.StartTimer()
				m.start()
				inGroups(b, rows, groupSize, workers, func(g []bareRow) error {
					return bareReadWrite(ctx, pool, g, tx, version, c.rows)
				})
				m.stop()
				version++
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "bills/s")
			m.report(b, n*b.N)
		})
	}
}

// bareReadWrite reads the streams of one group of bills (every row, or
// only the versions), then writes the group's spends at position version
// in one database transaction, one pipeline: lock the streams in id
// order, insert the spends, move the versions, commit.
func bareReadWrite(ctx context.Context, pool *pgxpool.Pool, g []bareRow, tx ledger.Transaction, version int64, rows bool) error {
	streams, ids, bills, bodies, times := columns(g, tx.Time)
	var read pgx.Rows
	var err error
	if rows {
		// The Store's own query for journals it does not keep: each
		// stream's newest checkpoint, then its rows from there.
		read, err = pool.Query(ctx, `SELECT q.i, -1::bigint, ''::text, c.body
			FROM unnest($1::text[]) WITH ORDINALITY AS q (stream, i)
			CROSS JOIN LATERAL (SELECT body FROM billfold_checkpoints
				WHERE stream = q.stream ORDER BY position DESC LIMIT 1) AS c
			UNION ALL
			SELECT q.i, t.position, t.id, t.body
			FROM unnest($1::text[]) WITH ORDINALITY AS q (stream, i)
			CROSS JOIN LATERAL (SELECT position, id, body FROM billfold_transactions
				WHERE stream = q.stream AND position >= coalesce((SELECT position - 1 FROM billfold_checkpoints
					WHERE stream = q.stream ORDER BY position DESC LIMIT 1), 0)
				ORDER BY position) AS t
			ORDER BY 1, 2`, streams)
	} else {
		read, err = pool.Query(ctx, `SELECT stream, version, last FROM billfold_streams WHERE stream = ANY($1::text[])`, streams)
	}
	if err != nil {
		return err
	}
	for read.Next() {
		_ = read.RawValues() // read, not decoded
	}
	if err := read.Err(); err != nil {
		return err
	}
	var b pgx.Batch
	b.Queue("BEGIN")
	b.Queue(`SELECT stream FROM billfold_streams WHERE stream = ANY($1::text[]) ORDER BY stream COLLATE "C" FOR UPDATE`, streams)
	b.Queue(`INSERT INTO billfold_transactions (stream, position, id, kind, time, bill, ref, body)
		SELECT t.stream, $6, t.id, $5, t.time, t.bill, NULL, t.body::json
		FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $7::text[]) AS t (stream, id, time, bill, body)`,
		streams, ids, times, bills, string(tx.Kind), version, bodies)
	b.Queue(`UPDATE billfold_streams AS s SET version = $3, last = u.last
		FROM unnest($1::text[], $2::text[]) AS u (stream, last) WHERE s.stream = u.stream`, streams, ids, version+1)
	b.Queue("COMMIT")
	return pool.SendBatch(ctx, &b).Close()
}
