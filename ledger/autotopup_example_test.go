package ledger_test

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// After each spend the host evaluates its auto top-up rule; a charge is
// sized to the whole shortfall, carries an id derived from the spend that
// crossed the threshold, and is booked with TopUp. Evaluating again
// charges nothing more.
func ExampleEvaluateTopUp() {
	paid := ledger.InstrumentAccount("paid", "USD")
	rule := ledger.AutoTopUp{ID: "recharge", Account: paid, Threshold: decimal.RequireFromString("20"),
		Amount: decimal.RequireFromString("25"), Places: 2}
	var j ledger.Journal
	j = must(j.Apply(ledger.Grant("open", day, ledger.Terms{Account: paid, Overdraft: decimal.RequireFromString("100")}, decimal.RequireFromString("50"), "")))
	j = must(j.Apply(ledger.Transaction{ID: "spend:b1", Time: day, Kind: ledger.KindSpend, Postings: []ledger.Posting{
		{Account: paid, Amount: decimal.RequireFromString("-95")},
		{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: decimal.RequireFromString("95")},
	}}))

	c, ok, err := ledger.EvaluateTopUp(j, rule, day, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(ok, c.ID, c.Money)
	fmt.Println(c.Reason)
	tx, err := c.Book(j, day)
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(tx))
	fmt.Println("balance", j.Balance(paid))

	_, ok, _ = ledger.EvaluateTopUp(j, rule, day, nil)
	fmt.Println("again:", ok)
	// Output:
	// true autotopup:recharge:1 75
	// auto top-up recharge: balance -45 below 20 after transaction 1; 3 × 25 to clear the shortfall of 65 below 20
	// balance 30
	// again: false
}

// Monthly periods anchored on January 31 keep the month end, as renewals
// do; Index finds the period of an instant.
func ExamplePeriod() {
	p := ledger.Period{Anchor: time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), Months: 1}
	fmt.Println(p.Key(0), p.Key(1), p.Key(2), p.Key(3))
	fmt.Println(p.Index(time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC)))
	// Output:
	// 2024-01-31 2024-02-29 2024-03-31 2024-04-30
	// 1
}
