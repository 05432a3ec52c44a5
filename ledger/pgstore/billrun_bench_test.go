//go:build unix

package pgstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

// The month-end benchmarks (BenchmarkBareInsert, BenchmarkBillRun) book
// BILLFOLD_BENCH_BILLS bills (default 20,000; the target is
// 100,000), in groups of BILLFOLD_BENCH_GROUP (default 500) over
// BILLFOLD_BENCH_WORKERS connections (default 2), on a server with fsync,
// full_page_writes and synchronous_commit on: a server of their own
// (unlike the other tests', which run without durability), or
// $DATABASE_URL's, whose settings they report. Run them alone, once:
//
//	go test -run '^$' -bench 'BareInsert|BillRun' -benchtime 1x
//
// BILLFOLD_BENCH_CPUPROFILE=PREFIX profiles BenchmarkBillRun's runs alone
// (see profileRun).
func benchSize(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// durableServer returns the URL of a durable server (see above): a
// server of b's, stopped when b ends, unless $DATABASE_URL is set. With a
// server of its own, cpu returns the processor time its processes have
// used so far; else cpu is nil.
func durableServer(b *testing.B) (url string, cpu func() time.Duration) {
	b.Helper()
	if url := os.Getenv("DATABASE_URL"); url != "" {
		return url, nil
	}
	c, err := startClusterWith(true) // synchronous_commit on
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.stop)
	// Restart with fsync and full_page_writes on (the later -c wins).
	c.cmd.Process.Signal(os.Interrupt)
	<-c.done
	c.cmd = nil
	c.settings = append(c.settings, "fsync=on", "full_page_writes=on")
	if err := c.start(); err != nil {
		b.Fatal(err)
	}
	return c.url, func() time.Duration { return processCPU(append(children(c.cmdPid), c.cmdPid)...) }
}

// processCPU is the processor time (user and system) the processes pids
// have used, from /proc; those gone count nothing.
func processCPU(pids ...int) time.Duration {
	var ticks int64
	for _, pid := range pids {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid … utime stime: fields 14 and 15.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 12 {
			u, _ := strconv.ParseInt(fields[11], 10, 64)
			s, _ := strconv.ParseInt(fields[12], 10, 64)
			ticks += u + s
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// selfCPU is the processor time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A cpuMeter reports the processor time a benchmark's work took per bill,
// in the client (this process: the Store, pgx, the ledger, allocation,
// the garbage collector) and in the server, when it is the benchmark's.
type cpuMeter struct {
	server             func() time.Duration
	client0, server0   time.Duration
	clientAt, serverAt time.Duration
}

func (m *cpuMeter) start() {
	m.client0 = selfCPU()
	if m.server != nil {
		m.server0 = m.server()
	}
}

func (m *cpuMeter) stop() {
	m.clientAt += selfCPU() - m.client0
	if m.server != nil {
		m.serverAt += m.server() - m.server0
	}
}

func (m *cpuMeter) report(b *testing.B, bills int) {
	b.ReportMetric(float64(m.clientAt.Microseconds())/float64(bills), "client-cpu-µs/bill")
	if m.server != nil {
		b.ReportMetric(float64(m.serverAt.Microseconds())/float64(bills), "server-cpu-µs/bill")
	}
}

// durablePool returns a pool of conns connections into a fresh schema of
// the server at url, migrated up to step, and the schema.
func durablePool(b *testing.B, url string, conns int32, step int) (*pgxpool.Pool, string) {
	b.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	schema := fmt.Sprintf("billfold_bench_%d", rand.Uint32())
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	var fsync, fpw, sync string
	if err := admin.QueryRow(ctx, `SELECT current_setting('fsync'), current_setting('full_page_writes'), current_setting('synchronous_commit')`).Scan(&fsync, &fpw, &sync); err != nil {
		b.Fatal(err)
	}
	b.Logf("server: fsync=%s full_page_writes=%s synchronous_commit=%s", fsync, fpw, sync)
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), url); err == nil {
			c.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			c.Close(context.Background())
		}
	})
	cfg.MaxConns = conns
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	if err := pgstore.MigrateTo(ctx, pgstore.New(pool, pgstore.Options{Schema: schema}), step); err != nil {
		b.Fatal(err)
	}
	return pool, schema
}

// runWallet is the wallet of every customer of the month-end: five
// instruments of five kinds, as in package ledger's BenchmarkRunBills.
func runWallet() allocation.Wallet {
	in := func(id, kind string) allocation.Instrument {
		return allocation.Instrument{ID: id, Kind: kind, Currency: "USD"}
	}
	return allocation.Wallet{in("voucher", "voucher"), in("gift", "gift"), in("credit", "credit"), in("card", "prepaid"), in("cash", "cash")}
}

// runGrants are the grants of a customer before the run: small enough
// that a bill draws on every instrument, as a month-end's bills do when
// vouchers and gift balances run out.
func runGrants() []ledger.Transaction {
	var txs []ledger.Transaction
	for k, in := range runWallet() {
		amount := decimal.New(int64(20+10*k), 0)
		if in.ID == "cash" {
			amount = decimal.New(1_000_000, 0)
		}
		txs = append(txs, ledger.Grant("g:"+in.ID, t0, ledger.Terms{Account: acct(in.ID), Kind: in.Kind}, amount, ""))
	}
	return txs
}

// runBill is customer c's bill of month m: five lines of one product.
func runBill(c, m int) allocation.Bill {
	bill := allocation.Bill{ID: "c" + strconv.Itoa(c) + "-" + strconv.Itoa(m), Currency: "USD", At: t0.AddDate(0, 1+m, 0)}
	for l := range 5 {
		bill.Lines = append(bill.Lines, allocation.Line{ID: "l" + strconv.Itoa(l), Product: "ecs", Amount: decimal.New(int64(30+l), 0)})
	}
	return bill
}

// templateSpend is the spend a customer's first bill books: what every
// bill of the bare insert writes, under its own id.
func templateSpend(b *testing.B) ledger.Transaction {
	b.Helper()
	j, _, _, err := ledger.Journal{}.ApplyAll(runGrants())
	if err != nil {
		b.Fatal(err)
	}
	bill, wallet := runBill(0, 0), runWallet()
	split, err := allocation.Allocate(bill, ledger.WithBalances(j, wallet), allocation.Policy{})
	if err != nil {
		b.Fatal(err)
	}
	tx, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if err != nil {
		b.Fatal(err)
	}
	tx.ID = "spend:" + bill.ID
	return tx
}

// A bareRow is the row of one bill: its stream, and its spend as stored.
type bareRow struct {
	stream, id, bill string
	body             string
}

// BenchmarkBareInsert is the physical limit of a month-end run on
// PostgreSQL: the rows booking the bills writes (for each bill, its
// stream's row and its spend's transaction row with the JSON body; the
// postings are in the body since migration step 2) inserted with plain
// multi-row statements, a group of bills per commit, several connections
// at once, with no read, lock or check. form=unnest sends each column as
// an array (the Store's statements); form=copy uses COPY;
// step1-posting-rows is form=unnest writing also the posting rows of the
// schema before step 2 (checked by a foreign key, indexed by account):
// what step 2 saves. It reports bills/s, the body's size, and the
// processor time per bill of the client and of the server.
func BenchmarkBareInsert(b *testing.B) {
	n := benchSize(b, "BILLFOLD_BENCH_BILLS", 20_000)
	groupSize := benchSize(b, "BILLFOLD_BENCH_GROUP", 500)
	workers := benchSize(b, "BILLFOLD_BENCH_WORKERS", 2)
	tx := templateSpend(b)
	url, serverCPU := durableServer(b)
	for _, c := range []struct {
		name     string
		copy     bool
		postings bool // step 1's posting rows
	}{
		{"form=unnest", false, false},
		{"form=copy", true, false},
		{"step1-posting-rows", false, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			step := 2
			if c.postings {
				step = 1
			}
			pool, _ := durablePool(b, url, int32(workers), step)
			ctx := context.Background()
			var size int
			m := cpuMeter{server: serverCPU}
			b.ResetTimer()
			for it := range b.N {
				b.StopTimer()
				rows := make([]bareRow, n)
				for i := range rows {
					t := tx
					t.ID, t.Bill = "spend:c"+strconv.Itoa(i)+"-0", "c"+strconv.Itoa(i)+"-0"
					body, err := json.Marshal(t)
					if err != nil {
						b.Fatal(err)
					}
					rows[i] = bareRow{stream: "c" + strconv.Itoa(i) + "/" + strconv.Itoa(it), id: t.ID, bill: t.Bill, body: string(body)}
					size = len(body)
				}
				b.StartTimer()
				m.start()
				inGroups(b, rows, groupSize, workers, func(g []bareRow) error {
					return bareInsert(ctx, pool, g, tx, c.copy, c.postings)
				})
				m.stop()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "bills/s")
			m.report(b, n*b.N)
			b.ReportMetric(float64(size), "body-bytes")
			b.ReportMetric(float64(len(tx.Postings)), "postings/bill")
		})
	}
}

// inGroups hands rows to write in groups of size, from workers
// goroutines at once, and fails b on the first error of each.
func inGroups(b *testing.B, rows []bareRow, size, workers int, write func([]bareRow) error) {
	groups := make(chan []bareRow, len(rows)/size+1)
	for i := 0; i < len(rows); i += size {
		groups <- rows[i:min(i+size, len(rows))]
	}
	close(groups)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range groups {
				if err := write(g); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// columns returns the columns of the rows of g, as arrays for unnest, all
// booked at time at.
func columns(g []bareRow, at time.Time) (streams, ids, bills, bodies []string, times []time.Time) {
	streams, ids, bills, bodies = make([]string, len(g)), make([]string, len(g)), make([]string, len(g)), make([]string, len(g))
	times = make([]time.Time, len(g))
	for i, r := range g {
		streams[i], ids[i], bills[i], bodies[i], times[i] = r.stream, r.id, r.bill, r.body, at
	}
	return streams, ids, bills, bodies, times
}

// bareInsert writes the rows of one group of bills in one database
// transaction.
func bareInsert(ctx context.Context, pool *pgxpool.Pool, g []bareRow, tx ledger.Transaction, copy, postings bool) error {
	streams, ids, bills, bodies, times := columns(g, tx.Time)
	if copy {
		return pgx.BeginFunc(ctx, pool, func(t pgx.Tx) error {
			if _, err := t.CopyFrom(ctx, pgx.Identifier{"billfold_streams"}, []string{"stream", "version", "last"},
				pgx.CopyFromSlice(len(g), func(i int) ([]any, error) { return []any{streams[i], int64(1), ids[i]}, nil })); err != nil {
				return err
			}
			_, err := t.CopyFrom(ctx, pgx.Identifier{"billfold_transactions"}, []string{"stream", "position", "id", "kind", "time", "bill", "body"},
				pgx.CopyFromSlice(len(g), func(i int) ([]any, error) {
					return []any{streams[i], int64(0), ids[i], string(tx.Kind), times[i], bills[i], bodies[i]}, nil
				}))
			return err
		})
	}
	var b pgx.Batch
	b.Queue("BEGIN")
	b.Queue(`INSERT INTO billfold_streams (stream, version, last) SELECT s, 1, l FROM unnest($1::text[], $2::text[]) AS u (s, l)`, streams, ids)
	b.Queue(`INSERT INTO billfold_transactions (stream, position, id, kind, time, bill, ref, body)
		SELECT t.stream, 0, t.id, $5, t.time, t.bill, NULL, t.body::json
		FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $6::text[]) AS t (stream, id, time, bill, body)`,
		streams, ids, times, bills, string(tx.Kind), bodies)
	if postings {
		var (
			pStreams, accounts, curs, amounts, lines, prods []string
			idx                                             []int32
		)
		for _, s := range streams {
			for k, p := range tx.Postings {
				pStreams, idx = append(pStreams, s), append(idx, int32(k))
				accounts, curs = append(accounts, p.Account.String()), append(curs, p.Account.Currency())
				amounts = append(amounts, p.Amount.String())
				lines, prods = append(lines, p.Line), append(prods, p.Product)
			}
		}
		b.Queue(`INSERT INTO billfold_postings (stream, position, idx, account, currency, amount, line, product)
			SELECT p.stream, 0, p.idx, p.account, p.currency, p.amount::numeric, nullif(p.line, ''), nullif(p.product, '')
			FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
				AS p (stream, idx, account, currency, amount, line, product)`,
			pStreams, idx, accounts, curs, amounts, lines, prods)
	}
	b.Queue("COMMIT")
	return pool.SendBatch(ctx, &b).Close()
}

// BenchmarkBillRun is the month-end run through the Store: ledger.RunBills
// over BILLFOLD_BENCH_BILLS customers, each with the five instruments of
// runWallet granted before the timer, booking one bill of 5 lines each
// (allocation, FromSplit, the journal's checks), BILLFOLD_BENCH_WORKERS
// workers each booking groups of BILLFOLD_BENCH_GROUP bills with one
// LoadBatch and one AppendBatch. Each iteration is one more month on the
// same streams.
//
// With cache=cold the Store keeps its default cache, far smaller than the
// run, so every journal is read and rebuilt from the database, as at a
// real month-end; with cache=warm the Store that booked the grants keeps
// every journal, so LoadBatch only checks that they are current. It
// reports bills/s (compare with BenchmarkBareInsert's), and the time spent
// in LoadBatch and AppendBatch per bill, summed over the workers.
func BenchmarkBillRun(b *testing.B) {
	n := benchSize(b, "BILLFOLD_BENCH_BILLS", 20_000)
	groupSize := benchSize(b, "BILLFOLD_BENCH_GROUP", 500)
	workers := benchSize(b, "BILLFOLD_BENCH_WORKERS", 2)
	every := benchSize(b, "BILLFOLD_BENCH_CHECKPOINT_EVERY", pgstore.DefaultCheckpointEvery)
	url, serverCPU := durableServer(b)
	for _, c := range []struct {
		name string
		warm bool
	}{{"cache=cold", false}, {"cache=warm", true}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			pool, schema := durablePool(b, url, int32(workers), pgstore.Steps) // every step: the Store reads checkpoints
			// Cold, the Store keeps what its workers' groups need between
			// LoadBatch and AppendBatch, as a host sizes it for a run.
			opt := pgstore.Options{Schema: schema, CacheStreams: max(pgstore.DefaultCacheStreams, 4*workers*groupSize), CheckpointEvery: every}
			if c.warm {
				opt.CacheStreams, opt.CacheBytes = n+1, 1<<34
			}
			s := &timedStore{Store: pgstore.New(pool, opt)}
			streams := openCustomers(b, s.Store, n)
			wallet := runWallet()
			m := cpuMeter{server: serverCPU}
			b.ReportAllocs()
			stopProfile := profileRun(b, c.name)
			b.ResetTimer()
			m.start()
			for month := range b.N {
				jobs := func(yield func(ledger.BillJob) bool) {
					for c, stream := range streams {
						if !yield(ledger.BillJob{Stream: stream, Bill: runBill(c, month), Wallet: wallet}) {
							return
						}
					}
				}
				r, err := ledger.RunBills(ctx, s, jobs, ledger.RunOptions{Workers: workers, Batch: groupSize})
				if err != nil || r.Booked != n {
					b.Fatalf("booked %d of %d, %d rejected (%v): %v", r.Booked, n, len(r.Rejected), r.Rejected[:min(len(r.Rejected), 1)], err)
				}
			}
			b.StopTimer()
			m.stop()
			stopProfile()
			m.report(b, n*b.N)
			bills := float64(n * b.N)
			b.ReportMetric(bills/b.Elapsed().Seconds(), "bills/s")
			b.ReportMetric(float64(s.load.Load())/1e3/bills, "µs-load/bill")
			b.ReportMetric(float64(s.append.Load())/1e3/bills, "µs-append/bill")
			var txs int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM billfold_transactions WHERE kind = 'spend'`).Scan(&txs); err != nil || txs != n*b.N {
				b.Fatalf("%d spends stored after %d months of %d bills: %v", txs, b.N, n, err)
			}
		})
	}
}

// openCustomers grants n customers, streams "c0", "c1", …, the
// instruments of runGrants through s, a thousand to a commit, and
// returns their streams.
func openCustomers(b *testing.B, s *pgstore.Store, n int) []string {
	b.Helper()
	streams := make([]string, n)
	for c := range streams {
		streams[c] = "c" + strconv.Itoa(c)
	}
	for c := 0; c < n; c += 1000 {
		var appends []ledger.StreamAppend
		for _, stream := range streams[c:min(c+1000, n)] {
			appends = append(appends, ledger.StreamAppend{Stream: stream, Txs: runGrants()})
		}
		verdicts, err := s.AppendBatch(context.Background(), appends)
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range verdicts {
			if v != nil {
				b.Fatal(v)
			}
		}
	}
	return streams
}

// profileRun starts a CPU profile of the run alone (not the grants booked
// before it, which -cpuprofile would mix in) when BILLFOLD_BENCH_CPUPROFILE
// names a file prefix: the profile goes to PREFIX-NAME.cpu, "=" in name
// written "-". It returns what stops it.
func profileRun(b *testing.B, name string) (stop func()) {
	prefix := os.Getenv("BILLFOLD_BENCH_CPUPROFILE")
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(prefix + "-" + strings.ReplaceAll(name, "=", "-") + ".cpu")
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// A timedStore is a Store that counts the time spent in its batch calls.
type timedStore struct {
	*pgstore.Store
	load, append atomic.Int64 // nanoseconds
}

func (t *timedStore) LoadBatch(ctx context.Context, streams []string) ([]ledger.Journal, error) {
	start := time.Now()
	defer func() { t.load.Add(int64(time.Since(start))) }()
	return t.Store.LoadBatch(ctx, streams)
}

func (t *timedStore) AppendBatch(ctx context.Context, appends []ledger.StreamAppend) ([]error, error) {
	start := time.Now()
	defer func() { t.append.Add(int64(time.Since(start))) }()
	return t.Store.AppendBatch(ctx, appends)
}
