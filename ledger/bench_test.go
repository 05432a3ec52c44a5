package ledger_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// BenchmarkApply measures appending two-posting spends to a growing
// journal, one Apply each (validation, replay lookup, floor check, index).
func BenchmarkApply(b *testing.B) {
	cash := acct("cash")
	j := apply(b, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: cash}, decimal.New(1, 12), ""))
	txs := make([]ledger.Transaction, b.N)
	amount := dec("1.25")
	for i := range txs {
		txs[i] = ledger.Transaction{ID: strconv.Itoa(i), Time: t0.Add(time.Duration(i) * time.Second), Kind: ledger.KindSpend,
			Postings: []ledger.Posting{{Account: cash, Amount: amount.Neg()}, {Account: sys(ledger.Revenue), Amount: amount}}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		var err error
		if j, _, err = j.Apply(txs[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyFromSplit measures booking a five-line bill paid by five
// instruments: FromSplit and Apply.
func BenchmarkApplyFromSplit(b *testing.B) {
	var j ledger.Journal
	var wallet allocation.Wallet
	bill := allocation.Bill{Currency: "USD", At: t0}
	split := allocation.Split{Currency: "USD"}
	for i := range 5 {
		id := "in" + strconv.Itoa(i)
		wallet = append(wallet, allocation.Instrument{ID: id, Currency: "USD"})
		j = apply(b, j, ledger.Grant("g"+id, t0, ledger.Terms{Account: acct(id)}, decimal.New(1, 12), ""))
		line := "l" + strconv.Itoa(i)
		bill.Lines = append(bill.Lines, allocation.Line{ID: line, Product: "ecs", Amount: dec("10")})
		split.Allocations = append(split.Allocations, allocation.Allocation{Instrument: id, Line: line, Amount: dec("10")})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		bill.ID = strconv.Itoa(i)
		split.Bill = bill.ID
		tx, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if j, _, err = j.Apply(tx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHoldCapture measures the two-phase form of the booking of
// BenchmarkApplyFromSplit (five lines paid by five instruments): Hold and
// Apply, then with "capture" also a partial, final Capture (which releases
// the rest) and Apply, so each iteration books two transactions.
func BenchmarkHoldCapture(b *testing.B) {
	for _, capture := range []bool{false, true} {
		name := "hold"
		if capture {
			name = "hold_capture"
		}
		b.Run(name, func(b *testing.B) {
			var j ledger.Journal
			var wallet allocation.Wallet
			bill := allocation.Bill{Currency: "USD", At: t0}
			split := allocation.Split{Currency: "USD"}
			for i := range 5 {
				id := "in" + strconv.Itoa(i)
				wallet = append(wallet, allocation.Instrument{ID: id, Currency: "USD"})
				j = apply(b, j, ledger.Grant("g"+id, t0, ledger.Terms{Account: acct(id)}, decimal.New(1, 12), ""))
				line := "l" + strconv.Itoa(i)
				bill.Lines = append(bill.Lines, allocation.Line{ID: line, Product: "ecs", Amount: dec("10")})
				split.Allocations = append(split.Allocations, allocation.Allocation{Instrument: id, Line: line, Amount: dec("10")})
			}
			until, part := t0.Add(time.Hour), dec("35")
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				bill.ID = strconv.Itoa(i)
				split.Bill = bill.ID
				tx, err := ledger.Hold(bill, wallet, split, until, "")
				if err != nil {
					b.Fatal(err)
				}
				if j, _, err = j.Apply(tx); err != nil {
					b.Fatal(err)
				}
				if !capture {
					continue
				}
				if tx, err = ledger.Capture(j, "c"+bill.ID, t0, tx.ID, part, true, ""); err != nil {
					b.Fatal(err)
				}
				if j, _, err = j.Apply(tx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var (
	bigOnce    sync.Once
	bigJournal ledger.Journal
)

// big returns a journal of 500,000 spends of one account into revenue, one
// minute apart, products cycling over four: 1,000,000 entries. It is built
// once per test binary, and only by the benchmarks that need it.
func big(b *testing.B) ledger.Journal {
	bigOnce.Do(func() {
		cash := acct("cash")
		rev := sys(ledger.Revenue)
		j := apply(b, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: cash}, decimal.New(1, 12), ""))
		amounts := []decimal.Decimal{dec("1.25"), dec("0.40"), dec("12"), dec("3.05")}
		prods := []string{"ecs", "rds", "sms", "oss"}
		for i := range 500_000 {
			a := amounts[i%4]
			tx := ledger.Transaction{ID: strconv.Itoa(i), Time: t0.Add(time.Duration(i) * time.Minute), Kind: ledger.KindSpend,
				Postings: []ledger.Posting{{Account: cash, Amount: a.Neg(), Product: prods[i%4]}, {Account: rev, Amount: a, Product: prods[i%4]}}}
			var err error
			if j, _, err = j.Apply(tx); err != nil {
				b.Fatal(err)
			}
		}
		bigJournal = j
	})
	return bigJournal
}

// BenchmarkHistory1M queries one account of a 1M-entry journal: a one-day
// time range (binary search, 1,440 entries), a product over the whole
// history (a scan returning 125,000 entries, collected or streamed with
// Entries), a kind that matches nothing (a bare scan of 500,000 entries),
// and the balance.
func BenchmarkHistory1M(b *testing.B) {
	cash := acct("cash")
	day := t0.Add(200 * 24 * time.Hour)
	for _, c := range []struct {
		name   string
		filter ledger.Filter
		want   int
	}{
		{"day", ledger.Filter{From: day, To: day.Add(24 * time.Hour)}, 1440},
		{"product", ledger.Filter{Products: []string{"sms"}}, 125_000},
		{"no_match", ledger.Filter{Kinds: []ledger.Kind{ledger.KindRefund}}, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			j := big(b)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if n := len(j.History(cash, c.filter)); n != c.want {
					b.Fatalf("%d entries, want %d", n, c.want)
				}
			}
		})
	}
	b.Run("product_streamed", func(b *testing.B) {
		j := big(b)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			n := 0
			for range j.Entries(cash, ledger.Filter{Products: []string{"sms"}}) {
				n++
			}
			if n != 125_000 {
				b.Fatalf("%d entries", n)
			}
		}
	})
	b.Run("balance", func(b *testing.B) {
		j := big(b)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			j.Balance(cash)
		}
	})
}
