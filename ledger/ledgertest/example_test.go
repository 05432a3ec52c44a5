package ledgertest_test

import (
	"context"
	"fmt"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/ledgertest"
	"github.com/shopspring/decimal"
)

// A host checks its own Store (here a MemoryStore stands in for it) by
// handing ConcurrentSpends the store's read-modify-write and load; in a
// test, t is the *testing.T.
func ExampleConcurrentSpends() {
	ctx := context.Background()
	var store ledger.MemoryStore
	update := func(_ int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
		return ledger.Update(ctx, &store, "customer-1", 100, build)
	}
	load := func() (ledger.Journal, error) { return store.Load(ctx, "customer-1") }
	var t recorder
	out := ledgertest.ConcurrentSpends(&t, ledgertest.Spends{Workers: 4, Bills: 50, Grant: decimal.New(200, 0), Seed: 1}, update, load)
	fmt.Println("problems:", len(t.errors))
	fmt.Println("ran dry:", out.Refused > 0, "balance at least -50:", out.Balance.GreaterThanOrEqual(decimal.New(-50, 0)))
	// Output:
	// problems: 0
	// ran dry: true balance at least -50: true
}
