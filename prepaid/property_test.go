package prepaid

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func checkCard(t *rapid.T, c Card) {
	if c.Balance().GreaterThan(c.Denomination()) {
		t.Fatalf("balance %s exceeds denomination %s", c.Balance(), c.Denomination())
	}
	if c.Balance().LessThan(c.Overdraft().Neg()) {
		t.Fatalf("balance %s below −overdraft %s", c.Balance(), c.Overdraft())
	}
	if s := c.Denomination().Sub(c.Used()).Add(c.Repaid()).Sub(c.Forfeited()); !s.Equal(c.Balance()) {
		t.Fatalf("denomination − used + repaid − forfeited = %s ≠ balance %s", s, c.Balance())
	}
	if c.Status() == Active && !c.Spendable().IsPositive() {
		t.Fatalf("active with nothing to draw")
	}
	if c.Status() == UsedUp && c.Spendable().IsPositive() {
		t.Fatalf("used up with %s to draw", c.Spendable())
	}
}

func TestPropertyCardBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := mustCard(t, "c", fmt.Sprint(100*rapid.IntRange(1, 50).Draw(t, "hundreds")), fmt.Sprint(rapid.IntRange(0, 3000).Draw(t, "overdraft")), t0)
		now := t0
		for i := 0; i < 12; i++ {
			now = now.Add(time.Duration(rapid.IntRange(0, 60).Draw(t, "days")) * 24 * time.Hour)
			amt := decimal.New(rapid.Int64Range(0, 800000).Draw(t, "amount"), -2)
			var w Card
			var err error
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0:
				w, err = c.Apply(used("c", "CNY", c.Balance(), amt), now)
			case 1:
				w, _, err = c.Repay(amt, now)
			case 2:
				w, err = c.Expire(now)
			case 3:
				w, err = c.WithOverdraft(amt, now)
			}
			if err != nil {
				continue
			}
			if c.Status() == Expired && w.Status() != Expired {
				t.Fatal("left expired")
			}
			c = w
			checkCard(t, c)
		}
	})
}

func TestPropertyOffsetOverdue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var cards []Card
		owed := decimal.Zero
		for i, n := 0, rapid.IntRange(0, 5).Draw(t, "cards"); i < n; i++ {
			c := mustCard(t, fmt.Sprintf("c%d", i), "100", "1000", t0.Add(time.Duration(rapid.IntRange(0, 3).Draw(t, "hour"))*time.Hour))
			if spend := rapid.IntRange(0, 1100).Draw(t, "spend"); spend > 0 {
				c = mustApply(t, c, fmt.Sprint(spend))
			}
			owed = owed.Add(c.Owed())
			cards = append(cards, c)
		}
		amt := decimal.New(rapid.Int64Range(1, 500000).Draw(t, "topup"), -2)
		got, repaid, rest, err := OffsetOverdue(cards, amt, t0)
		if err != nil {
			t.Fatal(err)
		}
		if !repaid.Add(rest).Equal(amt) || !repaid.Equal(decimal.Min(amt, owed)) {
			t.Fatalf("repaid %s rest %s of %s with %s owed: the overdue balance is offset first", repaid, rest, amt, owed)
		}
		after := decimal.Zero
		for i, c := range got {
			checkCard(t, c)
			if c.ID() != cards[i].ID() {
				t.Fatal("order changed")
			}
			after = after.Add(c.Owed())
		}
		if !after.Equal(owed.Sub(repaid)) {
			t.Fatalf("owed after %s; want %s", after, owed.Sub(repaid))
		}
	})
}

// guancePolicy is allocation/policies/guance-billing-center.json.
var guancePolicy = allocation.Policy{
	Steps: []allocation.Step{
		{Name: "regular_vouchers", Kinds: []string{"voucher"}},
		{Name: "discount_vouchers", Kinds: []string{"discount_voucher"}},
		{Name: "prepaid_cards", Kinds: []string{KindCard}, Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.OldestFirst}},
		{Name: "cash", Kinds: []string{"cash"}},
		{Name: "prepaid_card_overdraft", Kinds: []string{KindCard}, Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.OldestFirst}, Draw: allocation.DrawOverdraft},
	},
	Restrictions: []allocation.Restriction{{Categories: []string{"sms", "dial_testing"}, AllowKinds: []string{"cash", KindCard}}},
}

func TestPropertyCardsAllocateThenApply(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var cards []Card
		var wallet allocation.Wallet
		for i, n := 0, rapid.IntRange(1, 4).Draw(t, "cards"); i < n; i++ {
			c := mustCard(t, fmt.Sprintf("c%d", i), fmt.Sprint(100*rapid.IntRange(1, 20).Draw(t, "hundreds")),
				fmt.Sprint(rapid.IntRange(0, 1000).Draw(t, "overdraft")), t0.AddDate(0, -rapid.IntRange(0, 14).Draw(t, "age"), 0))
			cards = append(cards, c)
			wallet = append(wallet, c.Instrument())
		}
		cash := decimal.New(rapid.Int64Range(0, 100000).Draw(t, "cash"), -2)
		wallet = append(wallet, allocation.Instrument{ID: "cash", Kind: "cash", Currency: "CNY", Balance: cash, Invoiceable: true})
		bill := allocation.Bill{ID: "b", Currency: "CNY", At: t0, Mode: "payg"}
		if rapid.Bool().Draw(t, "subscription") {
			bill.Mode = "subscription"
			if rapid.Bool().Draw(t, "optOut") {
				bill.ExcludeKinds = []string{KindCard}
			}
		}
		for i, n := 0, rapid.IntRange(1, 4).Draw(t, "lines"); i < n; i++ {
			bill.Lines = append(bill.Lines, allocation.Line{
				ID: fmt.Sprintf("l%d", i), Category: rapid.SampledFrom([]string{"metrics", "logs", "sms", "dial_testing"}).Draw(t, "category"),
				Amount: decimal.New(rapid.Int64Range(0, 300000).Draw(t, "amount"), -2),
			})
		}
		split, err := allocation.Allocate(bill, wallet, guancePolicy)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cards {
			w, err := c.Apply(split, t0)
			if err != nil {
				t.Fatalf("Apply of a split Allocate made: %v", err)
			}
			checkCard(t, w)
			if len(bill.ExcludeKinds) > 0 && !w.Used().Equal(c.Used()) {
				t.Fatalf("card %s paid a subscription order the customer opted out of (%s: optional at prepaid checkout)", c.ID(), seedGuance)
			}
			if w.StatusAt(t0) == Expired && !w.Used().Equal(c.Used()) {
				t.Fatalf("expired card %s paid (%s: expired cards become void)", c.ID(), seedGuance)
			}
		}
		// Overdraft is drawn only once cash is exhausted.
		if r, _ := split.Instrument("cash"); !r.BalanceAfter.IsZero() {
			for _, a := range split.Allocations {
				if a.Step == "prepaid_card_overdraft" {
					t.Fatalf("card overdraft drawn while cash %s was left (%s: cash before negative card balance)", r.BalanceAfter, seedGuance)
				}
			}
		}
	})
}
