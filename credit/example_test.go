package credit_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/credit"
	"github.com/shopspring/decimal"
)

func ExampleCredit_Transfer() {
	at := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	free, _ := credit.NewFree(credit.FreeParams{
		ID: "welcome", Name: "Welcome credit", Domain: "acme", Group: "main",
		Currency: "KRW", Amount: decimal.NewFromInt(300000),
		GrantedAt: at.AddDate(0, -1, 0), ValidUntil: at.AddDate(0, 5, 0),
	})
	from, to, err := free.Transfer(credit.Destination{ID: "welcome-dev", Domain: "acme", Group: "dev"}, decimal.NewFromInt(100000), at)
	if err != nil {
		panic(err)
	}
	for _, c := range []credit.Credit{from, to} {
		e := c.History()[len(c.History())-1]
		fmt.Printf("%-5s %-22s %-4s %7s remaining %s\n", c.Group(), e.Type, e.Group, e.Amount, c.Remaining())
	}

	paid, _ := credit.NewPaid(credit.PaidParams{
		ID: "bought", Domain: "acme", Group: "main", Currency: "KRW",
		Amount: decimal.NewFromInt(1000000), PurchasedAt: at,
	}, time.UTC) // five years counted on the customer's calendar
	_, _, err = paid.Transfer(credit.Destination{ID: "bought-dev", Domain: "acme", Group: "dev"}, decimal.NewFromInt(1), at)
	fmt.Println(errors.Is(err, credit.ErrNotTransferable), paid.ValidUntil().Format(time.DateOnly))
	// Output:
	// main  transfer_deduction     dev   100000 remaining 200000
	// dev   transfer_accumulation  main  100000 remaining 100000
	// true 2029-04-01
}

func ExampleList() {
	granted := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c, _ := credit.NewFree(credit.FreeParams{
		ID: "event", Domain: "acme", Group: "main", Currency: "KRW",
		Amount: decimal.NewFromInt(50000), GrantedAt: granted, ValidUntil: granted.AddDate(0, 2, 0),
	})
	// The credit is never touched again: its usage period ends Mar 1, it is
	// listed as expired until three months later.
	for _, at := range []string{"2024-02-15", "2024-03-01", "2024-05-31", "2024-06-01"} {
		when, _ := time.Parse(time.DateOnly, at)
		var shown []string
		for _, c := range credit.List([]credit.Credit{c}, "main", when, time.UTC) {
			shown = append(shown, fmt.Sprintf("%s %s %s", c.ID(), c.Status(), c.Remaining()))
		}
		fmt.Println(at, shown)
	}
	// Output:
	// 2024-02-15 [event available 50000]
	// 2024-03-01 [event expired 0]
	// 2024-05-31 [event expired 0]
	// 2024-06-01 []
}

func ExampleLine_TopUp() {
	l, _ := credit.NewLine(credit.LineParams{
		ID: "avail", Account: "acct", Currency: "CNY",
		Limit: decimal.NewFromInt(5000), Available: decimal.NewFromInt(-1200),
	})
	fmt.Println("owed", l.Owed(), "may still spend", l.Spendable())
	l, tu, _ := l.TopUp(decimal.NewFromInt(2000), time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println("repaid", tu.Repaid, "credited", tu.Credited, "available", l.Available())
	// Output:
	// owed 1200 may still spend 3800
	// repaid 1200 credited 800 available 800
}

func ExampleGift() {
	at := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	gift, _ := credit.NewGift(credit.GiftParams{ID: "gift", Account: "acct", Currency: "CNY", Balance: decimal.NewFromInt(100)})
	for _, mode := range []string{"payg", credit.ModeTrial} {
		bill := allocation.Bill{ID: "B-" + mode, Currency: "CNY", At: at, Mode: mode,
			Lines: []allocation.Line{{ID: "l1", Amount: decimal.NewFromInt(30)}}}
		split, _ := allocation.Allocate(bill, allocation.Wallet{gift.Instrument()}, allocation.Policy{})
		r, _ := split.Instrument("gift")
		fmt.Println(mode, "paid", r.Used, r.Skipped, "invoiceable", split.Invoiceable)
	}
	_, _, err := gift.Refund(at)
	fmt.Println(errors.Is(err, credit.ErrNotRefundable))
	// Output:
	// payg paid 30 [] invoiceable 0
	// trial paid 0 [mode_excluded] invoiceable 30
	// true
}
