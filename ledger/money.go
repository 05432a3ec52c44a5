package ledger

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// currencySum is a running total in one currency.
type currencySum struct {
	currency string
	sum      decimal.Decimal
}

// addToSum adds d to the total of currency in sums, appending a new total
// for a currency not seen yet.
func addToSum(sums []currencySum, currency string, d decimal.Decimal) []currencySum {
	for i := range sums {
		if sums[i].currency == currency {
			sums[i].sum = sums[i].sum.Add(d)
			return sums
		}
	}
	return append(sums, currencySum{currency, d})
}

// A currencyTotal is a running total in one currency that allocates
// nothing while it fits an int64 ([sum]).
type currencyTotal struct {
	currency string
	total    sum
}

// addToTotal adds d to the total of currency in ts, appending a new total
// for a currency not seen yet.
func addToTotal(ts []currencyTotal, currency string, d decimal.Decimal) []currencyTotal {
	for i := range ts {
		if ts[i].currency == currency {
			ts[i].total.add(d)
			return ts
		}
	}
	ts = append(ts, currencyTotal{currency: currency})
	ts[len(ts)-1].total.set(d)
	return ts
}

// sortedSums sorts sums by currency, so that what is reported from them
// never depends on the order postings came in.
func sortedSums(sums []currencySum) []currencySum {
	slices.SortFunc(sums, func(a, b currencySum) int { return strings.Compare(a.currency, b.currency) })
	return sums
}

// exact formats d with exactly the decimals it carries, whatever decimal's
// package-level formatting switches say (String obeys them; StringFixed
// does not).
func exact(d decimal.Decimal) string {
	return d.StringFixed(max(0, -d.Exponent()))
}

// minDec returns the smaller of a and b.
func minDec(a, b decimal.Decimal) decimal.Decimal {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}
