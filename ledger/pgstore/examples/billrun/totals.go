package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
// (bill ids month + "/…"): it counts their spends, sums their postings by
// account, and names each instrument account's kind from the terms its
// stream holds for it. When every instrument account id has one kind in
// the whole schema, the postings are summed by account alone; otherwise
// by stream and account, each with its own stream's kind
// (monthTotalsByStream), which costs a join of every posting.
func monthTotals(ctx context.Context, pool *pgxpool.Pool, schema, month string) (Totals, error) {
	s := pgx.Identifier{schema}.Sanitize()
	kinds := map[string]string{}
	ambiguous := false
	rows, err := pool.Query(ctx, `
SELECT DISTINCT tm->>'account', tm->>'kind'
FROM `+s+`.billfold_transactions t CROSS JOIN LATERAL json_array_elements(t.body->'terms') tm
WHERE tm->>'account' LIKE 'instrument:%'`)
	if err != nil {
		return Totals{}, err
	}
	var account, kind string
	_, err = pgx.ForEachRow(rows, []any{&account, &kind}, func() error {
		if k, ok := kinds[account]; ok && k != kind {
			ambiguous = true
		}
		kinds[account] = kind
		return nil
	})
	if err != nil {
		return Totals{}, err
	}
	if ambiguous {
		return monthTotalsByStream(ctx, pool, schema, month)
	}
	rows, err = pool.Query(ctx, `
SELECT p.account, sum(p.amount)::text,
	(SELECT count(*) FROM `+s+`.billfold_transactions WHERE kind = $1 AND left(bill, length($2)) = $2)
FROM `+s+`.billfold_transactions t JOIN `+s+`.billfold_postings p ON p.stream = t.stream AND p.position = t.position
WHERE t.kind = $1 AND left(t.bill, length($2)) = $2
GROUP BY 1 ORDER BY 1`, string(ledger.KindSpend), month+"/")
	if err != nil {
		return Totals{}, err
	}
	return collect(rows, month, func(account string) (string, bool) {
		if !strings.HasPrefix(account, "instrument:") {
			return account, false
		}
		return kinds[account], true
	})
}

// monthTotalsByStream is monthTotals with each instrument account's kind
// taken from its own stream's terms (the last set for it).
func monthTotalsByStream(ctx context.Context, pool *pgxpool.Pool, schema, month string) (Totals, error) {
	s := pgx.Identifier{schema}.Sanitize()
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
SELECT CASE WHEN p.account LIKE 'instrument:%' THEN 'instrument:' || coalesce(k.kind, '') ELSE p.account END,
	sum(p.amount)::text, (SELECT count(*) FROM spends)
FROM spends sp JOIN `+s+`.billfold_postings p ON p.stream = sp.stream AND p.position = sp.position
LEFT JOIN kinds k ON k.stream = p.stream AND k.account = p.account
GROUP BY 1 ORDER BY 1`, string(ledger.KindSpend), month+"/")
	if err != nil {
		return Totals{}, err
	}
	return collect(rows, month, func(what string) (string, bool) {
		kind, ok := strings.CutPrefix(what, "instrument:")
		return kind, ok
	})
}

// collect reads rows of (what, sum, bills) into Totals: what is an
// account, or an instrument account's kind when name says so.
func collect(rows pgx.Rows, month string, name func(what string) (kind string, instrument bool)) (Totals, error) {
	revenue := ledger.SystemAccount(ledger.Revenue, "USD").String()
	receivable := ledger.SystemAccount(ledger.Receivable, "USD").String()
	t := Totals{Month: month, Billed: decimal.Zero, Outstanding: decimal.Zero}
	paid := map[string]decimal.Decimal{}
	var (
		what, sum string
		bills     int
	)
	_, err := pgx.ForEachRow(rows, []any{&what, &sum, &bills}, func() error {
		amount, err := decimal.NewFromString(sum)
		if err != nil {
			return err
		}
		t.Bills = bills
		kind, instrument := name(what)
		switch {
		case instrument:
			paid[kind] = paid[kind].Sub(amount)
		case what == revenue:
			t.Billed = amount
		case what == receivable:
			t.Outstanding = amount.Neg()
		default:
			return fmt.Errorf("month %s: spends posted %s to %s, which a bill's spend does not post to", month, sum, what)
		}
		return nil
	})
	if err != nil {
		return Totals{}, err
	}
	for _, kind := range slices.Sorted(maps.Keys(paid)) {
		t.Paid = append(t.Paid, KindPaid{Kind: kind, Amount: paid[kind]})
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
		kind := p.Kind
		if kind == "" {
			kind = "(instruments without a kind)"
		}
		fmt.Fprintf(&b, "  %-26s %14s\n", "paid by "+kind, p.Amount.StringFixed(2))
	}
	fmt.Fprintf(&b, "  %-26s %14s\n", "outstanding (receivable)", t.Outstanding.StringFixed(2))
	return b.String()
}
