package allocation_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
)

// benchScenario builds a realistic bill of nLines over 20 products and a
// wallet of nIns instruments: a third scoped vouchers, a third general
// vouchers with expiries, the rest gift, credit line and cash-like
// balances, under a four-step policy with ordering keys.
func benchScenario(nLines, nIns int) (allocation.Bill, allocation.Wallet, allocation.Policy) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := allocation.Bill{ID: "bench", Currency: "CNY", At: at, Mode: "payg"}
	for l := range nLines {
		bill.Lines = append(bill.Lines, allocation.Line{
			ID:       fmt.Sprintf("l%05d", l),
			Product:  fmt.Sprintf("p%02d", l%20),
			Category: fmt.Sprintf("c%d", l%5),
			Amount:   decimal.New(int64(1000+(l*7919)%9000), -2),
		})
	}
	wallet := make(allocation.Wallet, 0, nIns)
	for i := range nIns {
		in := allocation.Instrument{
			ID:       fmt.Sprintf("i%05d", i),
			Currency: "CNY",
			Balance:  decimal.New(int64(500+(i*104729)%5000), -2),
		}
		switch i % 6 {
		case 0, 1:
			in.Kind = "voucher"
			in.Scope.Products = []string{fmt.Sprintf("p%02d", i%20)}
			in.ValidUntil = at.AddDate(0, 0, 1+i%40)
		case 2, 3:
			in.Kind = "voucher"
			in.ValidUntil = at.AddDate(0, 0, 1+i%30)
		case 4:
			in.Kind = "gift"
			in.Scope.ExcludeModes = []string{"trial"}
		default:
			in.Kind = "credit_line"
			in.Overdraft = decimal.New(10000, -2)
		}
		if i%17 == 0 {
			in.ValidUntil = at.AddDate(0, 0, -1) // expired
		}
		wallet = append(wallet, in)
	}
	policy := allocation.Policy{Steps: []allocation.Step{
		{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst}},
		{Name: "gift", Kinds: []string{"gift"}},
		{Name: "credit", Kinds: []string{"credit_line"}, Draw: allocation.DrawAll},
	}}
	return bill, wallet, policy
}

func benchmarkAllocate(b *testing.B, nLines, nIns int, strategy allocation.Strategy) {
	bill, wallet, policy := benchScenario(nLines, nIns)
	policy.Strategy = strategy
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := allocation.Allocate(bill, wallet, policy); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAllocate_5x20_InOrder(b *testing.B) { benchmarkAllocate(b, 5, 20, allocation.InOrder) }
func BenchmarkAllocate_100x1000_InOrder(b *testing.B) {
	benchmarkAllocate(b, 100, 1000, allocation.InOrder)
}
func BenchmarkAllocate_1000x10000_InOrder(b *testing.B) {
	benchmarkAllocate(b, 1000, 10000, allocation.InOrder)
}
func BenchmarkAllocate_5x20_MaxCoverage(b *testing.B) {
	benchmarkAllocate(b, 5, 20, allocation.MaxCoverage)
}
func BenchmarkAllocate_100x1000_MaxCoverage(b *testing.B) {
	benchmarkAllocate(b, 100, 1000, allocation.MaxCoverage)
}

// BenchmarkBareGreedy5x20 is the yardstick of DESIGN.md: a scaled-int64
// greedy loop over the same 5 × 20 scenario that builds no result and
// explains nothing (instruments assumed pre-sorted and pre-filtered).
func BenchmarkBareGreedy5x20(b *testing.B) {
	bill, wallet, _ := benchScenario(5, 20)
	lines := make([]int64, len(bill.Lines))
	for i, l := range bill.Lines {
		lines[i] = l.Amount.Shift(2).IntPart()
	}
	bal := make([]int64, len(wallet))
	for i, in := range wallet {
		bal[i] = in.Balance.Shift(2).IntPart()
	}
	rem := make([]int64, len(lines))
	b.ReportAllocs()
	b.ResetTimer()
	var sink int64
	for range b.N {
		copy(rem, lines)
		for _, room := range bal {
			for l := range rem {
				if room == 0 {
					break
				}
				pay := min(room, rem[l])
				rem[l] -= pay
				room -= pay
				sink += pay
			}
		}
	}
	_ = sink
}
