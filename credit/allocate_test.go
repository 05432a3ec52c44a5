package credit

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// kakaoPolicy is allocation/policies/kakao-credits.json, built here so the
// package's tests stand alone.
var kakaoPolicy = allocation.Policy{Steps: []allocation.Step{
	{Name: "free_general", Kinds: []string{KindFreeCredit}, Scope: allocation.ScopeGeneral, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
	{Name: "free_specific", Kinds: []string{KindFreeCredit}, Scope: allocation.ScopeSpecific, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
	{Name: "paid", Kinds: []string{KindPaidCredit}, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
}}

func TestPropertyCreditsAllocateThenApply(t *testing.T) {
	categories := []string{"compute", "storage", CategoryMarketplace, CategoryOSImage}
	rapid.Check(t, func(t *rapid.T) {
		var credits []Credit
		for i, n := 0, rapid.IntRange(1, 5).Draw(t, "credits"); i < n; i++ {
			amt := decimal.New(rapid.Int64Range(1, 50000).Draw(t, "amount"), 0)
			if rapid.Bool().Draw(t, "paid") {
				p := paidParams()
				p.ID, p.Amount = fmt.Sprintf("p%d", i), amt
				credits = append(credits, mustPaid(t, p))
				continue
			}
			p := freeParams()
			p.ID, p.Amount = fmt.Sprintf("f%d", i), amt
			p.ValidUntil = t0.AddDate(0, rapid.IntRange(1, 12).Draw(t, "months"), 0)
			if rapid.Bool().Draw(t, "specific") {
				p.Services = []string{rapid.SampledFrom([]string{"vm", "db"}).Draw(t, "service")}
			}
			credits = append(credits, mustFree(t, p))
		}
		bill := allocation.Bill{ID: "inv", Currency: "KRW", At: t0.AddDate(0, rapid.IntRange(0, 13).Draw(t, "month"), 0)}
		for i, n := 0, rapid.IntRange(1, 5).Draw(t, "lines"); i < n; i++ {
			bill.Lines = append(bill.Lines, allocation.Line{
				ID: fmt.Sprintf("l%d", i), Product: rapid.SampledFrom([]string{"vm", "db", "img"}).Draw(t, "product"),
				Category: rapid.SampledFrom(categories).Draw(t, "category"),
				Amount:   decimal.New(rapid.Int64Range(0, 40000).Draw(t, "amount"), 0),
			})
		}
		split, err := allocation.Allocate(bill, Wallet(credits, "main"), kakaoPolicy)
		if err != nil {
			t.Fatal(err)
		}
		category := map[string]string{}
		for _, l := range bill.Lines {
			category[l.ID] = l.Category
		}
		kinds := map[string]Type{}
		for _, c := range credits {
			kinds[c.ID()] = c.Type()
		}
		for _, a := range split.Allocations {
			if kinds[a.Instrument] == Free && (category[a.Line] == CategoryMarketplace || category[a.Line] == CategoryOSImage) {
				t.Fatalf("free credit %s paid %s line %s (%s)", a.Instrument, category[a.Line], a.Line, seedKakao)
			}
		}
		for _, c := range credits {
			w, err := c.Apply(split, bill.At.Add(time.Hour))
			if err != nil {
				t.Fatalf("Apply of a split Allocate made: %v", err)
			}
			if w.Remaining().IsNegative() || w.Remaining().GreaterThan(w.Accumulated()) {
				t.Fatalf("remaining %s outside [0, %s]", w.Remaining(), w.Accumulated())
			}
			if w.Remaining().IsZero() != (w.Status() == UsedUp) {
				t.Fatalf("remaining %s with status %s", w.Remaining(), w.Status())
			}
		}
	})
}

// kingsoftPolicy is allocation/policies/kingsoft-account-assets.json.
var kingsoftPolicy = allocation.Policy{Steps: []allocation.Step{
	{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
	{Name: "gift_balance", Kinds: []string{KindGift}},
	{Name: "available_credit", Kinds: []string{KindCreditLine}, Draw: allocation.DrawAll},
}}

func TestPropertyGiftAndLineAllocateThenApply(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := mustGift(t, decimal.New(rapid.Int64Range(0, 50000).Draw(t, "gift"), -2).String())
		limit := decimal.New(rapid.Int64Range(0, 50000).Draw(t, "limit"), -2)
		avail := decimal.New(rapid.Int64Range(-limit.Shift(2).IntPart(), 50000).Draw(t, "available"), -2)
		l := mustLine(t, limit.String(), avail.String())
		bill := allocation.Bill{ID: "b", Currency: "CNY", At: t0, Mode: rapid.SampledFrom([]string{"payg", "subscription", ModeTrial}).Draw(t, "mode")}
		for i, n := 0, rapid.IntRange(1, 4).Draw(t, "lines"); i < n; i++ {
			bill.Lines = append(bill.Lines, allocation.Line{ID: fmt.Sprintf("l%d", i), Amount: decimal.New(rapid.Int64Range(0, 60000).Draw(t, "amount"), -2)})
		}
		split, err := allocation.Allocate(bill, allocation.Wallet{g.Instrument(), l.Instrument()}, kingsoftPolicy)
		if err != nil {
			t.Fatal(err)
		}
		g2, err := g.Apply(split, t0)
		if err != nil {
			t.Fatal(err)
		}
		l2, err := l.Apply(split, t0)
		if err != nil {
			t.Fatal(err)
		}
		if bill.Mode == ModeTrial && !g2.Used().IsZero() {
			t.Fatalf("gift paid %s of a trial (%s)", g2.Used(), seedKingsoft)
		}
		if g2.Balance().IsNegative() || l2.Available().LessThan(limit.Neg()) {
			t.Fatalf("gift %s, available %s below −%s", g2.Balance(), l2.Available(), limit)
		}
		// The gift is used first: the line pays only once the gift is empty
		// or the bill is a trial.
		if !l2.Available().Equal(l.Available()) && g2.Balance().IsPositive() && bill.Mode != ModeTrial {
			t.Fatalf("credit line used while gift balance %s was left (%s: gift balance is used first)", g2.Balance(), seedKingsoft)
		}
		if !split.Outstanding.IsZero() && l2.Spendable().IsPositive() {
			t.Fatalf("outstanding %s while the line could still pay %s", split.Outstanding, l2.Spendable())
		}
	})
}
