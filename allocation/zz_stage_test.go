package allocation

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func stageScenario(nLines, nIns int) (Bill, Wallet, Policy) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := Bill{ID: "bench", Currency: "CNY", At: at, Mode: "payg"}
	for l := range nLines {
		bill.Lines = append(bill.Lines, Line{ID: fmt.Sprintf("l%05d", l), Product: fmt.Sprintf("p%02d", l%20), Category: fmt.Sprintf("c%d", l%5), Amount: decimal.New(int64(1000+(l*7919)%9000), -2)})
	}
	wallet := make(Wallet, 0, nIns)
	for i := range nIns {
		in := Instrument{ID: fmt.Sprintf("i%05d", i), Currency: "CNY", Balance: decimal.New(int64(500+(i*104729)%5000), -2)}
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
			in.ValidUntil = at.AddDate(0, 0, -1)
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

func BenchmarkStage(b *testing.B) {
	bill, wallet, policy := stageScenario(5, 20)
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			validate(&bill, wallet, &policy)
		}
	})
	v, _ := validate(&bill, wallet, &policy)
	b.Run("newEngine", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var e engine
			e.init(&bill, wallet, &policy, v)
		}
	})
	b.Run("pay", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var e engine
			e.init(&bill, wallet, &policy, v)
			e.discounts()
			e.payInOrder()
		}
	})
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var e engine
			e.init(&bill, wallet, &policy, v)
			e.discounts()
			e.payInOrder()
			e.split()
		}
	})
}

func BenchmarkValidateParts(b *testing.B) {
	bill, wallet, policy := stageScenario(5, 20)
	b.Run("nowallet", func(b *testing.B) {
		for range b.N {
			validate(&bill, nil, &policy)
		}
	})
	b.Run("sort", func(b *testing.B) {
		for range b.N {
			sortedByID(len(wallet), func(i int) string { return wallet[i].ID })
		}
	})
	b.Run("full", func(b *testing.B) {
		for range b.N {
			validate(&bill, wallet, &policy)
		}
	})
}

func BenchmarkEligOnly(b *testing.B) {
	bill, wallet, policy := stageScenario(5, 20)
	v, _ := validate(&bill, wallet, &policy)
	var e engine
	e.init(&bill, wallet, &policy, v)
	arena := len(e.allLines)
	b.ResetTimer()
	for range b.N {
		e.arena = e.arena[:arena]
		e.listSlab = e.listSlab[:0]
		e.kinds = e.kinds[:0]
		for i := range e.ins {
			e.ins[i].reasons = 0
			e.ins[i].list = nil
			e.eligibility(&e.ins[i])
		}
	}
}

func BenchmarkSplitOnly(b *testing.B) {
	bill, wallet, policy := stageScenario(5, 20)
	v, _ := validate(&bill, wallet, &policy)
	var e engine
	e.init(&bill, wallet, &policy, v)
	e.discounts()
	e.payInOrder()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.split()
	}
}
