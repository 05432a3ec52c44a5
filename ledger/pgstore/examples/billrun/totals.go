package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

// Totals are what the journals hold for one month's bills, all parts of
// the run together, summed in SQL from the stored postings: nothing is
// taken from the generator.
type Totals struct {
	Month string
	// Bills counts the spends booked for the month's bills.
	Bills int
	// Billed is what those spends posted to Revenue: what instruments
	// paid plus what is owed.
	Billed decimal.Decimal
	// Paid is what each instrument kind paid, by kind (the kind of the
	// terms the account was granted with).
	Paid []KindPaid
	// Outstanding is what no instrument paid, booked as owed
	// (Receivable).
	Outstanding decimal.Decimal
}

// KindPaid is what the instruments of one kind paid.
type KindPaid struct {
	Kind   string
	Amount decimal.Decimal
}

// monthTotals sums what the tables of schema hold for month's bills
// (bill ids month + "/…").
func monthTotals(ctx context.Context, pool *pgxpool.Pool, schema, month string) (Totals, error) {
	s := pgx.Identifier{schema}.Sanitize()
	t := Totals{Month: month}
	// The month's spends; each instrument account's kind, from the terms
	// last set for it on its stream; the spends' postings summed by
	// system account or instrument kind.
	rows, err := pool.Query(ctx, `
WITH spends AS (
	SELECT stream, position FROM `+s+`.billfold_transactions
	WHERE kind = $1 AND left(bill, length($2)) = $2
), kinds AS (
	SELECT DISTINCT ON (t.stream, tm->>'account') t.stream, tm->>'account' AS account, tm->>'kind' AS kind
	FROM `+s+`.billfold_transactions t CROSS JOIN LATERAL json_array_elements(t.body->'terms') tm
	WHERE t.stream IN (SELECT stream FROM spends)
	ORDER BY t.stream, tm->>'account', t.position DESC
)
SELECT CASE WHEN p.account LIKE 'instrument:%' THEN 'instrument' ELSE p.account END,
	coalesce(k.kind, ''), sum(p.amount)::text, count(DISTINCT (p.stream, p.position))
FROM spends sp JOIN `+s+`.billfold_postings p ON p.stream = sp.stream AND p.position = sp.position
LEFT JOIN kinds k ON k.stream = p.stream AND k.account = p.account
GROUP BY 1, 2 ORDER BY 1, 2`, string(ledger.KindSpend), month+"/")
	if err != nil {
		return Totals{}, err
	}
	revenue := ledger.SystemAccount(ledger.Revenue, "USD").String()
	receivable := ledger.SystemAccount(ledger.Receivable, "USD").String()
	var (
		what, kind, sum string
		n               int
	)
	t.Billed, t.Outstanding = decimal.Zero, decimal.Zero
	_, err = pgx.ForEachRow(rows, []any{&what, &kind, &sum, &n}, func() error {
		amount, err := decimal.NewFromString(sum)
		if err != nil {
			return err
		}
		switch what {
		case revenue:
			t.Billed = amount
			t.Bills = n // every spend of a bill posts revenue
		case receivable:
			t.Outstanding = amount.Neg()
		case "instrument":
			t.Paid = append(t.Paid, KindPaid{Kind: kind, Amount: amount.Neg()})
		default:
			return fmt.Errorf("month %s: spends posted %s to %s, which a bill's spend does not post to", month, sum, what)
		}
		return nil
	})
	if err != nil {
		return Totals{}, err
	}
	return t, nil
}

// String prints the totals, one per line, amounts with two places.
func (t Totals) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "totals of %s in the journals (all parts):\n", t.Month)
	fmt.Fprintf(&b, "  %-26s %14d\n", "bills booked", t.Bills)
	fmt.Fprintf(&b, "  %-26s %14s\n", "billed", t.Billed.StringFixed(2))
	for _, p := range t.Paid {
		fmt.Fprintf(&b, "  %-26s %14s\n", "paid by "+p.Kind, p.Amount.StringFixed(2))
	}
	fmt.Fprintf(&b, "  %-26s %14s\n", "outstanding (receivable)", t.Outstanding.StringFixed(2))
	return b.String()
}
