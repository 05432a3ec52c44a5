// Command pgledger keeps one customer's books in PostgreSQL with pgstore.
// It grants a voucher and a prepaid card that may go 20.00 below zero,
// pays a bill by allocating it over the wallet as the journal has it and
// booking the split while the stream is locked, lets eight clients race
// to spend the card, and prints every balance twice: as the journal
// derives it, and as SQL sums the postings table.
//
//	DATABASE_URL=postgres://USER@HOST:PORT/DB go run ./examples/pgledger [-stream NAME]
//
// It creates its tables if needed (pgstore's Migrate). Every transaction
// has a fixed id and time, so running it again changes nothing: each one
// is reported as a replay, and the balances stay as they were.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

var (
	day    = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	usd    = func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	wallet = allocation.Wallet{
		{ID: "voucher-june", Kind: "voucher", Currency: "USD", ValidUntil: day.AddDate(0, 1, 0)},
		{ID: "card", Kind: "prepaid_card", Currency: "USD", Overdraft: usd("20")},
	}
	policy = allocation.Policy{
		Name:     "vouchers, then the card down to its overdraft",
		Rounding: allocation.Rounding{Places: 2, Mode: allocation.HalfEven},
		Steps: []allocation.Step{
			{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
			{Name: "card", Kinds: []string{"prepaid_card"}, Draw: allocation.DrawAll},
		},
	}
)

func main() {
	stream := flag.String("stream", "pgledger-demo", "the stream (customer) to book in")
	flag.Parse()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "pgledger: set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		os.Exit(2)
	}
	if err := run(context.Background(), url, *stream); err != nil {
		fmt.Fprintln(os.Stderr, "pgledger:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, stream string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := pgstore.New(pool, pgstore.Options{})
	if err := store.Migrate(ctx); err != nil {
		return err
	}

	// Grants: a retried grant is a replay, so this is safe to run again.
	_, rs, err := store.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
		return []ledger.Transaction{
			ledger.Grant("grant:voucher-june", day, ledger.TermsOf(wallet[0]), usd("30"), "June promotion"),
			ledger.Grant("grant:card", day, ledger.TermsOf(wallet[1]), usd("100"), "card bought for 100.00"),
		}, nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("grants: voucher %s, card %s\n", outcome(rs[0]), outcome(rs[1]))

	// A bill, allocated over the balances the locked journal shows.
	bill := allocation.Bill{ID: "2024-06/001", Currency: "USD", At: day.Add(time.Hour), Mode: "payg",
		Lines: []allocation.Line{
			{ID: "vm", Product: "ecs", Amount: usd("45.00")},
			{ID: "disk", Product: "ebs", Amount: usd("12.50")},
		}}
	j, rs, err := store.Update(ctx, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
		if tx, ok := j.Transaction("spend:" + bill.ID); ok {
			return []ledger.Transaction{tx}, nil // booked by an earlier run
		}
		w := ledger.WithBalances(j, wallet)
		split, err := allocation.Allocate(bill, w, policy)
		if err != nil {
			return nil, err
		}
		tx, err := ledger.FromSplit(bill, w, split, ledger.SpendOptions{Receivable: true})
		return []ledger.Transaction{tx}, err
	})
	if err != nil {
		return err
	}
	fmt.Printf("bill %s (57.50): %s\n", bill.ID, outcome(rs[0]))
	for _, e := range j.History(ledger.InstrumentAccount("card", "USD"), ledger.Filter{}) {
		fmt.Printf("  card %-8s %8s  balance %8s\n", e.Kind, e.Amount.StringFixed(2), e.Balance.StringFixed(2))
	}

	// Eight clients spend 15.00 each from the card at once. It holds
	// 72.50 and may go to -20.00: six spends fit and two are refused,
	// whatever the order they arrive in.
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			card := ledger.InstrumentAccount("card", "USD")
			tx := ledger.Transaction{ID: fmt.Sprintf("race:%d", i), Time: day.Add(2 * time.Hour), Kind: ledger.KindSpend,
				Postings: []ledger.Posting{
					{Account: card, Amount: usd("-15.00"), Product: "sms"},
					{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: usd("15.00"), Product: "sms"},
				}}
			_, rs, err := store.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
				return []ledger.Transaction{tx}, nil
			})
			switch {
			case errors.Is(err, ledger.ErrInsufficient):
				results[i] = "refused: the card would fall below -20.00"
			case err != nil:
				results[i] = "error: " + err.Error()
			default:
				results[i] = outcome(rs[0])
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		fmt.Printf("client %d: %s\n", i, r)
	}

	// Balances: derived by the journal, and summed by SQL.
	if j, err = store.Load(ctx, stream); err != nil {
		return err
	}
	sums := map[string]decimal.Decimal{}
	rows, err := pool.Query(ctx, `SELECT account, sum(amount)::text FROM billfold_postings WHERE stream = $1 GROUP BY account`, stream)
	if err != nil {
		return err
	}
	for rows.Next() {
		var a, sum string
		if err := rows.Scan(&a, &sum); err != nil {
			return err
		}
		sums[a] = usd(sum)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Printf("\n%d transactions; balances (journal, SQL):\n", j.Len())
	for _, a := range j.Accounts() {
		fmt.Printf("  %-26s %9s %9s\n", a, j.Balance(a).StringFixed(2), sums[a.String()].StringFixed(2))
	}
	return nil
}

func outcome(r ledger.Result) string {
	if r.Replayed {
		return fmt.Sprintf("replay of position %d (booked by an earlier run)", r.Seq)
	}
	return fmt.Sprintf("booked at position %d", r.Seq)
}
