// Command billrun runs a month-end bill run on PostgreSQL with pgstore:
// it generates customers with seed-like wallets, books their opening
// grants, allocates and books every customer's bill of the month with
// ledger.RunBills while a progress bar runs on stderr, and prints what
// the journals then hold for the month, summed in SQL, and the
// throughput.
//
//	DATABASE_URL=postgres://USER@HOST:PORT/DB go run ./examples/billrun [-customers 10000] [-month 2026-11]
//
// Each customer (stream cust-NNNNNNN) holds five instruments, drawn in the
// order of one policy that mixes the seeds' rules:
//
//   - a voucher scoped to compute and storage (Kingsoft Cloud account
//     assets (000), Guance billing center wallet (002));
//   - a gift balance (Kingsoft Cloud account assets (000));
//   - a prepaid card that may go below zero once the others are spent
//     (Guance billing center wallet (002));
//   - a cash balance, the only instrument besides the card that may pay
//     SMS (Guance billing center wallet (002));
//   - a credit line: nothing to spend but an overdraft (Kingsoft Cloud
//     account assets (000): available credit down to the credit line),
//     of 50.00 to 300.00 for three customers in five, none for the others.
//
// What no instrument pays is booked as owed (Receivable), left to the
// host to collect (Kingsoft Cloud account assets (000): online payment).
// Each bill has five lines; one bill in about 400 carries a negative
// correction line, which the run rejects (a correction is a credit note,
// not a bill line) and reports with its reason.
//
// The wallets are opened a chunk of customers at a time; when the Store
// is a ledger.BatchStore (as RunBills, it then books many streams per
// database transaction), with one read and one commit per chunk.
//
// Everything is derived from -seed and the customer's number, so a run
// can be repeated: the grants and spends have stable ids, and running the
// command again with the same flags books nothing twice (every bill is
// reported as replayed) and prints the same totals. A run killed at any
// point and started again books every bill exactly once. A later -month
// books that month's bills over what the earlier months left.
//
// -parts N and -part I (0 ≤ I < N) split the run between N processes over
// the same database: each books the customers whose stream falls in its
// part (ledger.StreamPart), with no other coordination. The totals each
// prints are the database's for the month, all parts together.
//
// -schema puts the tables in a schema of their own (created if missing),
// so runs can be kept apart in one database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// config is the command line.
type config struct {
	customers   int
	workers     int
	part, parts int
	month       string
	seed        uint64
	schema      string
}

func main() {
	var c config
	flag.IntVar(&c.customers, "customers", 10_000, "how many customers to bill")
	flag.IntVar(&c.workers, "workers", 4*runtime.GOMAXPROCS(0), "how many bills to book at once")
	flag.IntVar(&c.part, "part", 0, "this process's part of the run, 0 to parts-1")
	flag.IntVar(&c.parts, "parts", 1, "how many processes share the run")
	flag.StringVar(&c.month, "month", "2026-11", "the month to bill, YYYY-MM (2025-01 or later)")
	flag.Uint64Var(&c.seed, "seed", 1, "the seed customers, wallets and bills are generated from")
	flag.StringVar(&c.schema, "schema", pgstore.DefaultSchema, "the schema holding the ledger's tables (created if missing)")
	flag.Parse()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "billrun: set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		os.Exit(2)
	}
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "billrun:", err)
		os.Exit(2)
	}
	// An interrupt stops the run after the bills in flight; run the same
	// command again to finish it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, url, c, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "billrun:", err)
		os.Exit(1)
	}
}

// check reports every problem of the flags.
func (c config) check() error {
	var errs []error
	if c.customers < 0 {
		errs = append(errs, fmt.Errorf("-customers %d: want 0 or more", c.customers))
	}
	if c.workers < 1 {
		errs = append(errs, fmt.Errorf("-workers %d: want 1 or more", c.workers))
	}
	if c.parts < 1 || c.part < 0 || c.part >= c.parts {
		errs = append(errs, fmt.Errorf("-part %d -parts %d: want parts ≥ 1 and 0 ≤ part < parts", c.part, c.parts))
	}
	if m, err := time.Parse("2006-01", c.month); err != nil || m.Before(opening) {
		errs = append(errs, fmt.Errorf("-month %q: want a month YYYY-MM, %s or later", c.month, opening.Format("2006-01")))
	}
	if c.schema == "" {
		errs = append(errs, errors.New("-schema: want a schema name"))
	}
	return errors.Join(errs...)
}

func run(ctx context.Context, url string, c config, out, progress io.Writer) error {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.MaxConns = int32(c.workers + 2)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if c.schema != pgstore.DefaultSchema {
		if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{c.schema}.Sanitize()); err != nil {
			return err
		}
	}
	store := pgstore.New(pool, pgstore.Options{Schema: c.schema})
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	gen := generator{seed: c.seed, customers: c.customers, part: c.part, parts: c.parts}
	total := 0
	for range gen.streams() {
		total++
	}

	start := time.Now()
	opened, err := open(ctx, store, gen, c.workers)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "billrun: %d wallets opened (%d new) in %.2f s\n", total, opened, time.Since(start).Seconds())

	bar := progressBar{w: progress, total: total}
	start = time.Now()
	report, err := ledger.RunBills(ctx, store, gen.jobs(c.month), ledger.RunOptions{
		Workers: c.workers, Part: c.part, Parts: c.parts, Total: total,
		Clock: time.Now, Progress: bar.draw, Every: max(total/200, 1),
	})
	elapsed := time.Since(start)
	fmt.Fprintln(progress)
	if err != nil {
		return fmt.Errorf("%w\nstopped after %d bills booked, %d replayed, %d rejected: run the same command again to finish (nothing is booked twice)",
			err, report.Booked, report.Replayed, len(report.Rejected))
	}
	n := report.Booked + report.Replayed + len(report.Rejected)
	fmt.Fprintf(out, "run %s, part %d of %d: %d bills: booked %d, replayed %d, rejected %d%s\n",
		c.month, c.part, c.parts, n, report.Booked, report.Replayed, len(report.Rejected), reasons(report.Rejected))
	fmt.Fprintf(out, "throughput: %.0f bills/s (%d bills in %.2f s, %d workers)\n",
		float64(n)/max(elapsed.Seconds(), 1e-9), n, elapsed.Seconds(), c.workers)
	t, err := monthTotals(ctx, pool, c.schema, c.month)
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, t.String())
	return err
}

// reasons counts the rejections by reason: " (invalid 2, conflict 1)",
// by reason name.
func reasons(rs []ledger.Rejection) string {
	if len(rs) == 0 {
		return ""
	}
	counts := map[string]int{}
	for _, r := range rs {
		counts[reason(r.Err)]++
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, counts[n])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// reason names the class of a rejection.
func reason(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{
		{allocation.ErrInvalid, "invalid bill"},
		{ledger.ErrConflict, "conflict (booked before with another split)"},
		{ledger.ErrInsufficient, "insufficient"},
		{ledger.ErrVersion, "stream busy"},
		{ledger.ErrInvalid, "invalid booking"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "other"
}

// progressBar draws a bill run's progress on one line, redrawn in place.
type progressBar struct {
	w     io.Writer
	total int
}

func (b progressBar) draw(p ledger.Progress) {
	const width = 30
	n := p.Done + p.Failed
	filled := width
	if b.total > 0 {
		filled = min(width*n/b.total, width)
	}
	eta := "-"
	if p.Left > 0 || (p.Rate > 0 && n >= b.total) {
		eta = p.Left.Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d bills, %d failed, %.0f bills/s, ETA %s   ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), n, b.total, p.Failed, p.Rate, eta)
}
