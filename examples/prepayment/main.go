// Command prepayment tells the Alibaba Cloud prepayment-balance story of
// seed 001_d1525b524f7b874c.txt with the ledger: the customer deposits by
// bank transfer for an intended product with a note, pays a subscription
// order (changing the intended use at spend time) and a pay-as-you-go bill
// from the balance, looks up the spending records, and has the remaining
// balance refunded. Every bill is allocated with allocation.Allocate under
// the ready-made alibaba-prepayment policy and booked with ledger.FromSplit.
// It prints the account statement, the spending records and the books.
//
//	go run ./examples/prepayment
package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/policies"
	"github.com/billfold/billfold/ledger"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "prepayment:", err)
		os.Exit(1)
	}
}

func day(m time.Month, d int) time.Time { return time.Date(2024, m, d, 10, 0, 0, 0, time.UTC) }

func usd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// run plays the story and writes the statement to w.
func run(w io.Writer) error {
	policy, err := policies.Load("alibaba-prepayment")
	if err != nil {
		return err
	}
	prepay := allocation.Instrument{ID: "prepayment", Kind: "prepayment", Currency: "USD"}
	wallet := allocation.Wallet{prepay}
	account := ledger.InstrumentAccount(prepay.ID, prepay.Currency)
	var j ledger.Journal

	// 1. Deposit by bank transfer, for ECS, with a note.
	j, _, err = j.Apply(ledger.Deposit("deposit-CITI-88231", day(5, 2), account, usd("1000.00"), "ecs",
		"bank transfer CITI-88231: for ECS"))
	if err != nil {
		return err
	}

	// 2. A subscription order, and 3. a pay-as-you-go bill, each paid from
	// the balance as the journal has it.
	for _, b := range []struct {
		bill allocation.Bill
		note string
	}{
		{allocation.Bill{ID: "order-20240506-7731", Currency: "USD", At: day(5, 6), Mode: "subscription",
			Lines: []allocation.Line{{ID: "rds-1y", Product: "rds", Amount: usd("459.00")}}},
			"intended use changed at purchase: RDS instead of ECS"},
		{allocation.Bill{ID: "payg-2024-05", Currency: "USD", At: day(6, 1), Mode: "payg",
			Lines: []allocation.Line{
				{ID: "ecs-may", Product: "ecs", Amount: usd("212.34")},
				{ID: "oss-may", Product: "oss", Amount: usd("18.66")},
			}}, ""},
	} {
		current := ledger.WithBalances(j, wallet)
		split, err := allocation.Allocate(b.bill, current, policy)
		if err != nil {
			return err
		}
		if !split.Outstanding.IsZero() {
			return fmt.Errorf("bill %s: %s outstanding", b.bill.ID, split.Outstanding.StringFixed(2))
		}
		tx, err := ledger.FromSplit(b.bill, current, split, ledger.SpendOptions{Note: b.note})
		if err != nil {
			return err
		}
		if j, _, err = j.Apply(tx); err != nil {
			return err
		}
	}

	// 4. Spending records of May and June, before the refund.
	records := j.History(account, ledger.Filter{From: day(5, 1), To: day(7, 1), Kinds: []ledger.Kind{ledger.KindSpend}})

	// 5. The customer will not spend the rest: refund it.
	j, _, err = j.Apply(ledger.Refund("refund-20240610", day(6, 10), account, j.Balance(account),
		"remaining prepayment balance, work order 5521"))
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "Prepayment balance %s (%s)\n\n", prepay.ID, prepay.Currency)
	if err := table(w, j.History(account, ledger.Filter{}), true); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nSpending records, May-June 2024\n\n")
	if err := table(w, records, false); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nBooks (USD)\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, a := range j.Accounts() {
		fmt.Fprintf(tw, "%s\t%s\t\n", a, j.Balance(a).StringFixed(2))
	}
	return tw.Flush()
}

// table writes entries as a statement, with the balance column if asked.
func table(w io.Writer, entries []ledger.Entry, balance bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "date\trecord\tkind\tproduct\tamount\t")
	if balance {
		fmt.Fprint(tw, "balance\t")
	}
	fmt.Fprintln(tw, "note")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%10s\t", e.Time.Format(time.DateOnly), e.ID, e.Kind, dash(e.Product), e.Amount.StringFixed(2))
		if balance {
			fmt.Fprintf(tw, "%10s\t", e.Balance.StringFixed(2))
		}
		fmt.Fprintln(tw, dash(e.Note))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
