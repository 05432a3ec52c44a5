package ledger_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
)

// historyOf returns a journal of n spends on one paid balance with an auto
// top-up booked whenever the rule charges, and the rule.
func historyOf(b *testing.B, n int) (ledger.Journal, ledger.AutoTopUp) {
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("100"), Target: dec("1000")}
	j := walletWith(b, "1000", "0")
	for i := range n {
		when := t0.Add(time.Duration(i) * time.Minute)
		j = applyEach(b, j, spendTx(fmt.Sprint("s", i), when, acct("paid"), "7.5"))
		if c, ok, err := ledger.EvaluateTopUp(j, rule, when, nil); err != nil {
			b.Fatal(err)
		} else if ok {
			j = book(b, j, c, when)
		}
	}
	return j, rule
}

// BenchmarkAfterSpend measures what a host runs after each spend: the
// alert rules over the new position and the auto top-up rule, on
// journals of growing length. The cost should not grow with the history.
func BenchmarkAfterSpend(b *testing.B) {
	rules := []ledger.ThresholdRule{
		{ID: "half", Watch: ledger.Watch{Currency: "USD"}, Percent: dec("50"), Of: dec("1000")},
		{ID: "tenth", Watch: ledger.Watch{Currency: "USD", Instrument: "paid"}, Percent: dec("10"), Of: dec("1000")},
	}
	for _, n := range []int{1000, 100000} {
		j, rule := historyOf(b, n)
		b.Run(fmt.Sprint("history=", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := ledger.Crossings(j, j.Len()-1, j.Len(), rules); err != nil {
					b.Fatal(err)
				}
				if _, _, err := ledger.EvaluateTopUp(j, rule, t0, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
