package prepaid_test

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/prepaid"
	"github.com/shopspring/decimal"
)

func ExampleRules_Purchase() {
	rules := prepaid.GuanceRules()
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, amount := range []int64{5000, 10000, 30000, 100000} {
		p, err := rules.Purchase(prepaid.PurchaseParams{
			ID: fmt.Sprint("card-", amount), Account: "acct",
			Denomination: decimal.NewFromInt(amount), At: at,
		}, time.UTC) // validity counted on the customer's calendar
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Card.Denomination(), "bonus", p.Bonus, "invoice", p.Invoiceable, "until", p.Card.ValidUntil().Format(time.DateOnly))
	}
	_, err := rules.Purchase(prepaid.PurchaseParams{ID: "odd", Account: "acct", Denomination: decimal.NewFromInt(150), At: at}, time.UTC)
	fmt.Println(err)
	// Output:
	// 5000 bonus 0 invoice 5000 until 2025-05-01
	// 10000 bonus 1000 invoice 10000 until 2025-05-01
	// 30000 bonus 5000 invoice 30000 until 2025-05-01
	// 100000 bonus 20000 invoice 100000 until 2025-05-01
	// prepaid: invalid prepaid card "odd": denomination 150 is not a multiple of 100
}

func ExampleOffsetOverdue() {
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	rules := prepaid.GuanceRules()
	rules.Overdraft = decimal.NewFromInt(1000)
	p, _ := rules.Purchase(prepaid.PurchaseParams{ID: "card", Account: "acct", Denomination: decimal.NewFromInt(500), At: at}, time.UTC)
	card := p.Card
	// A pay-as-you-go bill larger than the card, with no cash: the card runs
	// into overdraft in the policy's overdraft step.
	bill := allocation.Bill{ID: "B-1", Currency: "CNY", At: at.AddDate(0, 0, 10), Mode: "payg",
		Lines: []allocation.Line{{ID: "metrics", Amount: decimal.NewFromInt(800)}}}
	policy := allocation.Policy{Steps: []allocation.Step{
		{Name: "prepaid_cards", Kinds: []string{prepaid.KindCard}},
		{Name: "prepaid_card_overdraft", Kinds: []string{prepaid.KindCard}, Draw: allocation.DrawOverdraft},
	}}
	split, _ := allocation.Allocate(bill, prepaid.Wallet([]prepaid.Card{card}, "acct"), policy)
	card, _ = card.Apply(split, bill.At)
	fmt.Println("balance", card.Balance(), "owed", card.Owed(), card.Status())

	// A cash top-up first offsets what is overdue.
	cards, repaid, rest, _ := prepaid.OffsetOverdue([]prepaid.Card{card}, decimal.NewFromInt(1000), bill.At.AddDate(0, 0, 1))
	fmt.Println("repaid", repaid, "to cash", rest, "balance", cards[0].Balance())
	// Output:
	// balance -300 owed 300 active
	// repaid 300 to cash 700 balance 0
}

func ExamplePrepayment_ApplyFor() {
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	b, _ := prepaid.NewPrepayment(prepaid.PrepaymentParams{ID: "prepay", Account: "acct", Currency: "USD"})
	b, _ = b.Deposit(prepaid.Deposit{ID: "wire-1", At: at, Amount: decimal.NewFromInt(2000), Method: "bank_transfer",
		Purpose: prepaid.Purpose{Product: "ecs", Note: "web servers"}})

	bill := allocation.Bill{ID: "order-7", Currency: "USD", At: at.AddDate(0, 0, 2), Mode: "subscription",
		Lines: []allocation.Line{{ID: "rds", Product: "rds", Amount: decimal.NewFromInt(750)}}}
	split, _ := allocation.Allocate(bill, allocation.Wallet{b.Instrument()}, allocation.Policy{})
	b, _ = b.ApplyFor(split, bill.At, prepaid.Purpose{Product: "rds", Note: "database instead"})

	b, refunded, _ := b.Refund(at.AddDate(0, 1, 0))
	for _, r := range b.Records() {
		fmt.Printf("%-8s %5s %-8s [%s]\n", r.Type, r.Amount, r.Ref, r.Purpose.Product)
	}
	fmt.Println("refunded", refunded, "invoiceable", split.Invoiceable)
	// Output:
	// deposit   2000 wire-1   [ecs]
	// spend      750 order-7  [rds]
	// refund    1250          []
	// refunded 1250 invoiceable 750
}
