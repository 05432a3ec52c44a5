package ledger_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// A checkout reserves what the split takes from a prepayment balance
// (Alibaba Cloud prepayment balance, 001: the balance pays subscription
// orders); while the hold is open another bill cannot spend that money;
// delivery captures part of it and the final flag gives the rest back.
func ExampleHold() {
	balance := ledger.InstrumentAccount("balance", "CNY")
	wallet := allocation.Wallet{{ID: "balance", Kind: "prepayment", Currency: "CNY"}}
	var j ledger.Journal
	j = must(j.Apply(ledger.Deposit("dep-1", day, balance, decimal.RequireFromString("100"), "ecs", "")))

	bill := allocation.Bill{ID: "order-1", Currency: "CNY", At: day, Mode: "subscription", Lines: []allocation.Line{
		{ID: "l1", Product: "ecs", Amount: decimal.RequireFromString("80")}}}
	split, err := allocation.Allocate(bill, ledger.WithBalances(j, wallet), allocation.Policy{})
	if err != nil {
		panic(err)
	}
	hold, err := ledger.Hold(bill, wallet, split, day.Add(24*time.Hour), "checkout")
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(hold))
	fmt.Println("available", j.Balance(balance), "held", j.Held(balance))

	_, _, err = j.Apply(ledger.Refund("refund-1", day, balance, decimal.RequireFromString("30"), ""))
	fmt.Println("refund of 30:", errors.Is(err, ledger.ErrInsufficient))

	capture, err := ledger.Capture(j, "deliver-1", day.Add(time.Hour), hold.ID, decimal.RequireFromString("55"), true, "delivered")
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(capture))
	st, _ := j.HoldStatus(hold.ID)
	fmt.Println(st.State, "captured", st.Captured, "released", st.Released)
	fmt.Println("available", j.Balance(balance), "revenue", j.Balance(ledger.SystemAccount(ledger.Revenue, "CNY")))
	// Output:
	// available 20 held 80
	// refund of 30: true
	// captured captured 55 released 25
	// available 45 revenue 55
}

// A hold nobody settles lapses at the first Expire at or after its Until;
// a capture after that is refused.
func ExampleExpire_lapsedHold() {
	card := ledger.InstrumentAccount("card", "CNY")
	wallet := allocation.Wallet{{ID: "card", Kind: "prepaid_card", Currency: "CNY"}}
	var j ledger.Journal
	j = must(j.Apply(ledger.Grant("card", day, ledger.TermsOf(wallet[0]), decimal.RequireFromString("50"), "")))
	bill := allocation.Bill{ID: "order-2", Currency: "CNY", At: day, Lines: []allocation.Line{
		{ID: "l1", Product: "rds", Amount: decimal.RequireFromString("50")}}}
	split := allocation.Split{Bill: "order-2", Currency: "CNY", Allocations: []allocation.Allocation{
		{Instrument: "card", Line: "l1", Amount: decimal.RequireFromString("50")}}}
	hold, err := ledger.Hold(bill, wallet, split, day.Add(2*time.Hour), "")
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(hold))

	lapse, _ := ledger.Expire(j, day.Add(3*time.Hour))
	j = must(j.Apply(lapse))
	st, _ := j.HoldStatus(hold.ID)
	fmt.Println(st.State, st.Lapsed, "available", j.Balance(card))

	_, err = ledger.Capture(j, "late", day.Add(time.Hour), hold.ID, decimal.RequireFromString("10"), false, "")
	fmt.Println(errors.Is(err, ledger.ErrHoldExpired))
	// Output:
	// lapsed 50 available 50
	// true
}
