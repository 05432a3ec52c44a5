package ledger_test

import (
	"fmt"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// A host evaluates its alert rules over what each append added: every
// crossing is reported once, by the transaction that caused it, however
// the spends are batched, and a replayed spend reports nothing.
func ExampleCrossings() {
	credit := ledger.InstrumentAccount("FC-1", "KRW")
	rules := []ledger.ThresholdRule{
		{ID: "half", Watch: ledger.Watch{Currency: "KRW"}, Percent: decimal.RequireFromString("50"), Of: decimal.RequireFromString("100000")},
		{ID: "tenth", Watch: ledger.Watch{Currency: "KRW"}, Percent: decimal.RequireFromString("10"), Of: decimal.RequireFromString("100000")},
	}
	spend := func(id, amount string) ledger.Transaction {
		return ledger.Transaction{ID: id, Time: day, Kind: ledger.KindSpend, Postings: []ledger.Posting{
			{Account: credit, Amount: decimal.RequireFromString(amount).Neg()},
			{Account: ledger.SystemAccount(ledger.Revenue, "KRW"), Amount: decimal.RequireFromString(amount)},
		}}
	}
	var j ledger.Journal
	j = must(j.Apply(ledger.Grant("grant", day, ledger.Terms{Account: credit, Kind: "free_credit"}, decimal.RequireFromString("100000"), "")))
	for _, batch := range [][]ledger.Transaction{
		{spend("s1", "30000")},
		{spend("s2", "30000"), spend("s3", "35000")},
		{spend("s3", "35000")}, // a retry: replayed, not appended
	} {
		before := j.Len()
		next, _, _, err := j.ApplyAll(batch)
		if err != nil {
			panic(err)
		}
		cs, err := ledger.Crossings(next, before, next.Len(), rules)
		if err != nil {
			panic(err)
		}
		for _, c := range cs {
			fmt.Printf("%s: %s took the balance from %s to %s, below %s\n", c.ID(), c.Transaction, c.Before, c.After, c.Level)
		}
		j = next
	}
	// Output:
	// threshold:half:2: s2 took the balance from 70000 to 40000, below 50000
	// threshold:tenth:3: s3 took the balance from 40000 to 5000, below 10000
}
