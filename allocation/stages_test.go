package allocation

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// This file is compiled with the tests only. BenchScenario is shared with
// bench_test.go; the stage benchmarks below time the parts of one
// Allocate call on its 5 × 20 scenario, to show where the time goes.

// BenchScenario builds a realistic bill of nLines over 20 products and a
// wallet of nIns instruments: a third scoped vouchers, a third general
// vouchers with expiries, the rest gift, credit line and cash-like
// balances, under a four-step policy with ordering keys.
func BenchScenario(nLines, nIns int) (Bill, Wallet, Policy) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := Bill{ID: "bench", Currency: "CNY", At: at, Mode: "payg"}
	for l := range nLines {
		bill.Lines = append(bill.Lines, Line{
			ID:       fmt.Sprintf("l%05d", l),
			Product:  fmt.Sprintf("p%02d", l%20),
			Category: fmt.Sprintf("c%d", l%5),
			Amount:   decimal.New(int64(1000+(l*7919)%9000), -2),
		})
	}
	wallet := make(Wallet, 0, nIns)
	for i := range nIns {
		in := Instrument{
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
	policy := Policy{Steps: []Step{
		{Name: "vouchers", Kinds: []string{"voucher"}, Order: []OrderKey{ExpiresFirst, LargestFirst}},
		{Name: "gift", Kinds: []string{"gift"}},
		{Name: "credit", Kinds: []string{"credit_line"}, Draw: DrawAll},
	}}
	return bill, wallet, policy
}

func BenchmarkStage5x20Validate(b *testing.B) {
	bill, wallet, policy := BenchScenario(5, 20)
	b.ReportAllocs()
	for range b.N {
		if _, err := validate(&bill, wallet, &policy); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStage5x20Engine times what the engine does before it builds the
// Split: its working state, eligibility, ordering and paying.
func BenchmarkStage5x20Engine(b *testing.B) {
	bill, wallet, policy := BenchScenario(5, 20)
	v, err := validate(&bill, wallet, &policy)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		var e engine
		e.init(&bill, wallet, &policy, v)
		e.discounts()
		e.payInOrder()
	}
}
