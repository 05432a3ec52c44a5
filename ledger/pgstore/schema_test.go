package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrate is idempotent, and several callers at once take turns.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = pgstore.New(db, pgstore.Options{Schema: testSchema}).Migrate(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var steps []int32
	rows, _ := db.Query(ctx, `SELECT step FROM billfold_schema ORDER BY step`)
	var n int32
	if _, err := pgx.ForEachRow(rows, []any{&n}, func() error { steps = append(steps, n); return nil }); err != nil {
		t.Fatal(err)
	}
	if !allSteps(steps) {
		t.Fatalf("steps recorded: %v", steps)
	}
}

// Step 2 replaces the postings table by a view over the transactions'
// bodies. A ledger written at step 1, posting rows and all, reads the same
// posting rows through the view after Migrate, its journals load as
// before, writes go on, SQL sums of the postings per account stay the
// journals' balances, and Migrate again changes nothing.
func TestMigratePostingsView(t *testing.T) {
	ctx := context.Background()
	schema := fmt.Sprintf("billfold_step2_%d", rand.Uint32())
	if _, err := db.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	cfg := poolConfig.Copy()
	cfg.MaxConns = 4
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := pgstore.New(pool, pgstore.Options{Schema: schema})
	if err := pgstore.MigrateTo(ctx, s, 1); err != nil {
		t.Fatal(err)
	}
	// Today's Store reads and writes checkpoints; the step that adds them
	// is idempotent, so running it ahead of step 2 lets this Store stand
	// in for step 1's, and Migrate runs it again below.
	if _, err := pool.Exec(ctx, pgstore.CheckpointStep); err != nil {
		t.Fatal(err)
	}

	// Step 1's rows, as the Store of step 1 wrote them: the transaction
	// rows, and one posting row per posting.
	krw := ledger.InstrumentAccount("free:1", "KRW")
	txs := []ledger.Transaction{
		ledger.Grant("g", t0, ledger.Terms{Account: krw, Kind: "free_credit"}, dec("1000.000"), ""),
		ledger.Grant("g2", t0, ledger.Terms{Account: acct("cash")}, dec("25"), ""),
		{ID: "spend:b1", Time: at(1), Kind: ledger.KindSpend, Bill: "b1", Postings: []ledger.Posting{
			{Account: krw, Amount: dec("-0.0010"), Line: "l1", Product: "ecs"},
			{Account: ledger.SystemAccount(ledger.Revenue, "KRW"), Amount: dec("0.0010"), Line: "l1", Product: "ecs"},
		}},
		spendTx("spend:b2", at(2), acct("cash"), "7.5"),
		{ID: "event", Time: at(3), Kind: ledger.KindGrant},
	}
	streams := []string{"alice", "bob"}
	for _, stream := range streams {
		if _, err := s.Append(ctx, stream, 0, txs); err != nil {
			t.Fatal(err)
		}
		for pos, tx := range txs {
			for idx, p := range tx.Postings {
				_, err := pool.Exec(ctx, `INSERT INTO billfold_postings (stream, position, idx, account, currency, amount, line, product)
					VALUES ($1, $2, $3, $4, $5, $6::numeric, nullif($7, ''), nullif($8, ''))`,
					stream, pos, idx, p.Account.String(), p.Account.Currency(), p.Amount.StringFixed(max(0, -p.Amount.Exponent())), p.Line, p.Product)
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	postings := func() []string {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT concat_ws('|', stream, position, idx, account, currency, amount, line, product)
			FROM billfold_postings ORDER BY stream, position, idx`)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := postings()
	n := 0
	for _, tx := range txs {
		n += len(tx.Postings)
	}
	if len(before) != len(streams)*n || n == 0 {
		t.Fatalf("%d posting rows at step 1", len(before))
	}

	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var kind string
	if err := pool.QueryRow(ctx, `SELECT relkind::text FROM pg_class WHERE oid = to_regclass('billfold_postings')`).Scan(&kind); err != nil || kind != "v" {
		t.Fatalf("billfold_postings is of kind %q after step 2, %v", kind, err)
	}
	if after := postings(); !slices.Equal(after, before) {
		t.Fatalf("posting rows after step 2:\n%v\nat step 1:\n%v", after, before)
	}
	rows, _ := pool.Query(ctx, `SELECT step FROM billfold_schema ORDER BY step`)
	got, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil || !allSteps(got) {
		t.Fatalf("steps recorded: %v, %v", got, err)
	}

	// Written after the migration, by Append and AppendBatch.
	more := spendTx("spend:b3", at(4), acct("cash"), "0.25")
	if _, err := s.Append(ctx, "alice", len(txs), []ledger.Transaction{more}); err != nil {
		t.Fatal(err)
	}
	if v, err := s.AppendBatch(ctx, []ledger.StreamAppend{{Stream: "bob", Expected: len(txs), Txs: []ledger.Transaction{more}}}); err != nil || v[0] != nil {
		t.Fatalf("AppendBatch after step 2: %v, %v", v, err)
	}
	cold := pgstore.New(pool, pgstore.Options{Schema: schema, CacheStreams: -1})
	for _, stream := range streams {
		j, err := cold.Load(ctx, stream)
		if err != nil || j.Len() != len(txs)+1 {
			t.Fatalf("Load %s after step 2: %d transactions, %v", stream, j.Len(), err)
		}
		checkStoredIn(t, pool, stream, j)
	}
	var products int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM billfold_postings WHERE product = 'ecs' AND line = 'l1'`).Scan(&products); err != nil || products != 4 {
		t.Fatalf("%d postings of product ecs, %v", products, err)
	}
}

// allSteps reports whether steps are 1, 2, …, n: every migration step of
// this version, each once.
func allSteps(steps []int32) bool {
	for i, s := range steps {
		if s != int32(i+1) {
			return false
		}
	}
	return len(steps) == pgstore.Steps
}
