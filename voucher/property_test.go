package voucher

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func genAmount(t *rapid.T, label string, max int64) decimal.Decimal {
	return decimal.New(rapid.Int64Range(0, max*100).Draw(t, label), -2)
}

// checkBounds asserts the balance invariants of any voucher.
func checkBounds(t *rapid.T, v Voucher) {
	if v.Balance().IsNegative() {
		t.Fatalf("balance %s below zero", v.Balance())
	}
	if !v.Uncapped() {
		if v.Balance().GreaterThan(v.Denomination()) {
			t.Fatalf("balance %s exceeds denomination %s", v.Balance(), v.Denomination())
		}
		if s := v.Balance().Add(v.Used()).Add(v.Forfeited()); !s.Equal(v.Denomination()) {
			t.Fatalf("balance + used + forfeited = %s ≠ denomination %s", s, v.Denomination())
		}
	}
	if v.Status().Final() != !v.ClosedAt().IsZero() {
		t.Fatalf("status %s with closed at %v", v.Status(), v.ClosedAt())
	}
}

func TestPropertyLifecycleBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Params{
			ID: "v", Type: rapid.SampledFrom([]Type{Regular, Discount, Percentage}).Draw(t, "type"),
			Currency: "CNY", IssuedAt: t0, ValidFor: time.Duration(rapid.IntRange(0, 40).Draw(t, "days")) * day,
		}
		p.Denomination = genAmount(t, "denomination", 500)
		if p.Type == Percentage {
			p.Percent = decimal.NewFromInt(int64(rapid.IntRange(1, 100).Draw(t, "percent")))
		} else {
			p.Denomination = p.Denomination.Add(d("0.01"))
		}
		v := mustNew(t, p)
		now := t0
		for i := 0; i < 12; i++ {
			now = now.Add(time.Duration(rapid.IntRange(0, 10).Draw(t, "step")) * day)
			before := v
			snapshot := fmt.Sprintf("%+v", v)
			var w Voucher
			var err error
			switch rapid.IntRange(0, 4).Draw(t, "op") {
			case 0:
				w, err = v.Activate("a", now)
			case 1:
				u := genAmount(t, "used", 600)
				w, err = v.Apply(used("v", "CNY", v.Balance(), u), now)
			case 2:
				w, err = v.Expire(now)
			case 3:
				w, err = v.Revoke(now)
			case 4:
				w, err = v.Apply(used("v", "CNY", v.Balance(), v.Balance()), now)
			}
			if fmt.Sprintf("%+v", before) != snapshot {
				t.Fatal("an operation changed its receiver")
			}
			if err != nil {
				if fmt.Sprintf("%+v", w) != snapshot {
					t.Fatalf("a refused operation returned a changed voucher: %v", err)
				}
				continue
			}
			if before.Status().Final() && w.Status() != before.Status() {
				t.Fatalf("left final status %s for %s", before.Status(), w.Status())
			}
			v = w
			checkBounds(t, v)
		}
	})
}

func TestPropertyAllocateThenApply(t *testing.T) {
	policy := allocation.Policy{Steps: []allocation.Step{
		{Name: "coupons", Kinds: []string{KindCoupon}},
		{Name: "vouchers", Kinds: []string{KindVoucher}, Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst}},
		{Name: "discount", Kinds: []string{KindDiscountVoucher}},
	}}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 5).Draw(t, "vouchers")
		vs := make([]Voucher, n)
		var wallet allocation.Wallet
		for i := range vs {
			p := Params{
				ID:       fmt.Sprintf("v%d", i),
				Type:     rapid.SampledFrom([]Type{Regular, Discount, Percentage}).Draw(t, "type"),
				Currency: "CNY", IssuedAt: t0, ValidFor: time.Duration(rapid.IntRange(1, 60).Draw(t, "days")) * day,
				Denomination: genAmount(t, "denomination", 300).Add(d("0.01")),
				Scope:        allocation.Scope{Products: rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"kec", "ebs", "cdn"}), 0, 2, rapid.ID[string]).Draw(t, "products")},
			}
			if p.Type == Percentage {
				p.Percent = decimal.NewFromInt(int64(rapid.IntRange(1, 100).Draw(t, "percent")))
			}
			vs[i] = mustActive(t, p, t0)
			wallet = append(wallet, vs[i].Instrument())
		}
		bill := allocation.Bill{ID: "bill", Currency: "CNY", At: t0.Add(time.Duration(rapid.IntRange(0, 70).Draw(t, "at")) * day)}
		for i, m := 0, rapid.IntRange(1, 4).Draw(t, "lines"); i < m; i++ {
			bill.Lines = append(bill.Lines, allocation.Line{
				ID: fmt.Sprintf("l%d", i), Product: rapid.SampledFrom([]string{"kec", "ebs", "cdn"}).Draw(t, "product"),
				Amount: genAmount(t, "amount", 400),
			})
		}
		split, err := allocation.Allocate(bill, wallet, policy)
		if err != nil {
			t.Fatal(err)
		}
		total := decimal.Zero
		for i, v := range vs {
			w, err := v.Apply(split, bill.At)
			if err != nil {
				t.Fatalf("Apply of a split Allocate made: %v", err)
			}
			r, _ := split.Instrument(v.ID())
			if !w.Used().Sub(v.Used()).Equal(r.Used) {
				t.Fatalf("voucher %s took %s; split used %s", v.ID(), w.Used().Sub(v.Used()), r.Used)
			}
			total = total.Add(r.Used)
			checkBounds(t, w)
			vs[i] = w
		}
		if want := split.Paid.Add(split.Discounted); !total.Equal(want) {
			t.Fatalf("vouchers took %s; split paid and discounted %s", total, want)
		}
	})
}
