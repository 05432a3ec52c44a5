package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
)

// A host books a spend and branches on the error classes. The spend
// depends on the journal (here, half of what is left), so it is built
// once and kept: after an unknown outcome the first attempt may be
// booked, and a spend rebuilt from the journal would differ and fail with
// ledger.ErrConflict under the same id. Retrying the kept transaction is
// always right: a replay if it was booked, booked now if not.
func Example_retry() {
	ctx := context.Background()
	// In a host: pool, _ := pgxpool.New(ctx, os.Getenv("DATABASE_URL")).
	store := pgstore.New(db, pgstore.Options{Schema: testSchema})
	customer := newStream("example")
	cash := ledger.InstrumentAccount("cash", "USD")
	day := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	grant := ledger.Grant("grant:cash", day, ledger.Terms{Account: cash}, dec("80"), "")
	if _, err := store.Append(ctx, customer, 0, []ledger.Transaction{grant}); err != nil {
		fmt.Println(err)
		return
	}

	var kept []ledger.Transaction // the first transactions built, retried as they are
	build := func(j ledger.Journal) ([]ledger.Transaction, error) {
		if kept == nil {
			half := j.Balance(cash).Div(dec("2")).Round(2)
			kept = []ledger.Transaction{spendTx("spend:bill-7", day.Add(time.Hour), cash, half.String())}
		}
		return kept, nil
	}
	for attempt := 1; ; attempt++ {
		j, _, err := store.Update(ctx, customer, build)
		switch {
		case err == nil:
			fmt.Println("booked; cash left:", j.Balance(cash))
			return
		case attempt < 5 && (errors.Is(err, pgstore.ErrUnknownOutcome) || errors.Is(err, pgstore.ErrTransient)):
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
			// Retry with kept: never rebuild after an unknown outcome.
			// (Store.Resolve can also say whether it was booked.)
		case errors.Is(err, ledger.ErrInsufficient), errors.Is(err, ledger.ErrConflict), errors.Is(err, ledger.ErrInvalid):
			fmt.Println("refused:", err) // a verdict on the transactions: never retry
			return
		default:
			fmt.Println("giving up:", err) // ErrSetup, ErrCorrupt, ctx's error, or out of attempts
			return
		}
	}
	// Output:
	// booked; cash left: 40
}
