package pgstore_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
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
	if !slices.Equal(steps, []int32{1, 2}) {
		t.Fatalf("steps recorded: %v", steps)
	}
}
