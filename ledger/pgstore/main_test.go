package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

// The tests run against $DATABASE_URL if it is set, else against a
// throwaway server they start (cluster_test.go). Either way they work in
// a schema of their own, dropped at the end, so a shared database is left
// as it was found.
var (
	poolConfig *pgxpool.Config // connects into the tests' schema
	db         *pgxpool.Pool   // shared by the tests
	testSchema string          // the tests' schema, the Stores' Options.Schema
	dbURL      string          // the database's URL, as the admin
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		c, err := startCluster()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer c.stop()
		url = c.url
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgstore tests: connecting to the database: %v\n", err)
		return 1
	}
	defer admin.Close(ctx)
	dbURL = url
	schema := fmt.Sprintf("billfold_test_%d_%d", os.Getpid(), rand.Uint32())
	testSchema = schema
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		fmt.Fprintf(os.Stderr, "pgstore tests: %v\n", err)
		return 1
	}
	defer admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")

	if poolConfig, err = pgxpool.ParseConfig(url); err != nil {
		fmt.Fprintf(os.Stderr, "pgstore tests: %v\n", err)
		return 1
	}
	poolConfig.ConnConfig.RuntimeParams["search_path"] = schema
	poolConfig.MaxConns = 20
	if db, err = pgxpool.NewWithConfig(ctx, poolConfig); err != nil {
		fmt.Fprintf(os.Stderr, "pgstore tests: %v\n", err)
		return 1
	}
	defer db.Close()
	if err := pgstore.New(db, pgstore.Options{Schema: testSchema}).Migrate(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "pgstore tests: %v\n", err)
		return 1
	}
	return m.Run()
}

// newPool returns a pool of at most maxConns connections into the tests'
// schema, closed when the test ends.
func newPool(t testing.TB, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg := poolConfig.Copy()
	cfg.MaxConns = maxConns
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

var streams atomic.Int64

// newStream returns a stream name no other test uses.
func newStream(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, streams.Add(1))
}

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// at returns t0 plus h hours.
func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// dec parses a decimal literal of a test.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func acct(id string) ledger.Account { return ledger.InstrumentAccount(id, "USD") }

func sys(s ledger.System) ledger.Account { return ledger.SystemAccount(s, "USD") }

// spendTx is a hand-built spend of amount from account into revenue.
func spendTx(id string, when time.Time, from ledger.Account, amount string) ledger.Transaction {
	return ledger.Transaction{ID: id, Time: when, Kind: ledger.KindSpend, Postings: []ledger.Posting{
		{Account: from, Amount: dec(amount).Neg()},
		{Account: ledger.SystemAccount(ledger.Revenue, from.Currency()), Amount: dec(amount)},
	}}
}

// stored is what the tables hold for a stream.
type stored struct {
	version, txs, postings int
	// balances sums the postings' amounts per account, in SQL.
	balances map[string]decimal.Decimal
}

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// readStored reads what the tables hold for stream.
func readStored(t tb, stream string) stored {
	t.Helper()
	return readStoredIn(t, db, stream)
}

// readStoredIn reads what the tables, in the search_path of db's
// connections, hold for stream.
func readStoredIn(t tb, db *pgxpool.Pool, stream string) stored {
	t.Helper()
	ctx := context.Background()
	s := stored{balances: map[string]decimal.Decimal{}}
	err := db.QueryRow(ctx, `SELECT
		coalesce((SELECT version FROM billfold_streams WHERE stream = $1), -1),
		(SELECT count(*) FROM billfold_transactions WHERE stream = $1),
		(SELECT count(*) FROM billfold_postings WHERE stream = $1)`, stream).Scan(&s.version, &s.txs, &s.postings)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT account, sum(amount)::text FROM billfold_postings WHERE stream = $1 GROUP BY account`, stream)
	if err != nil {
		t.Fatal(err)
	}
	var (
		a   string
		sum string
	)
	_, err = pgx.ForEachRow(rows, []any{&a, &sum}, func() error {
		s.balances[a] = dec(sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkStored compares what the tables hold for stream with j: the
// version, one row per transaction, the postings, and balances summed in
// SQL equal to the journal's (balances derived from entries equal the
// balances reported).
func checkStored(t tb, stream string, j ledger.Journal) {
	t.Helper()
	checkStoredIn(t, db, stream, j)
}

// checkStoredIn is checkStored in the tables of db's search_path.
func checkStoredIn(t tb, db *pgxpool.Pool, stream string, j ledger.Journal) {
	t.Helper()
	s := readStoredIn(t, db, stream)
	want := stored{version: j.Len(), txs: j.Len()}
	if j.Len() == 0 {
		want.version = s.version // no row, or a row at 0
	}
	for _, tx := range j.Transactions() {
		want.postings += len(tx.Postings)
	}
	if s.version != want.version || s.txs != want.txs || s.postings != want.postings {
		t.Fatalf("stream %s: tables hold version %d, %d transactions, %d postings; the journal %d, %d, %d",
			stream, s.version, s.txs, s.postings, want.version, want.txs, want.postings)
	}
	for _, a := range j.Accounts() {
		if got := s.balances[a.String()]; !got.Equal(j.Balance(a)) {
			t.Fatalf("stream %s: postings of %s add up to %s in SQL, the journal's balance is %s", stream, a, got, j.Balance(a))
		}
	}
}

// sameJournal fails unless a and b hold equal transactions.
func sameJournal(t tb, what string, got, want ledger.Journal) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("%s: %d transactions, want %d", what, got.Len(), want.Len())
	}
	var ws []ledger.Transaction
	for _, tx := range want.Transactions() {
		ws = append(ws, tx)
	}
	for i, tx := range got.Transactions() {
		if !tx.Equal(ws[i]) {
			t.Fatalf("%s: transaction %d:\n got %+v\nwant %+v", what, i, tx, ws[i])
		}
	}
}

// errClass names the ledger sentinel err wraps, for comparing outcomes.
func errClass(err error) string {
	for _, s := range []error{ledger.ErrVersion, ledger.ErrConflict, ledger.ErrInsufficient,
		ledger.ErrNotTransferable, ledger.ErrInvalid, pgstore.ErrCorrupt, context.Canceled} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return "ok"
}
