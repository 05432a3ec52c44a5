package ledger_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

var day = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// must panics on an error: examples keep their error handling short.
func must(j ledger.Journal, _ ledger.Result, err error) ledger.Journal {
	if err != nil {
		panic(err)
	}
	return j
}

// A spend is booked once: applying it again is a replay, and another spend
// under the same id is a conflict.
func ExampleJournal_Apply() {
	cash := ledger.InstrumentAccount("cash", "USD")
	var j ledger.Journal
	j = must(j.Apply(ledger.Grant("g1", day, ledger.Terms{Account: cash}, decimal.RequireFromString("100"), "")))

	spend := ledger.Transaction{ID: "spend:b1", Time: day, Kind: ledger.KindSpend, Bill: "b1",
		Postings: []ledger.Posting{
			{Account: cash, Amount: decimal.RequireFromString("-30")},
			{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: decimal.RequireFromString("30")},
		}}
	j, r, err := j.Apply(spend)
	fmt.Println("applied at", r.Seq, err, "balance", j.Balance(cash).StringFixed(2))

	j, r, err = j.Apply(spend)
	fmt.Println("replayed:", r.Replayed, err, "balance", j.Balance(cash).StringFixed(2))

	spend.Postings[0].Amount = decimal.RequireFromString("-300")
	spend.Postings[1].Amount = decimal.RequireFromString("300")
	_, _, err = j.Apply(spend)
	fmt.Println("conflict:", errors.Is(err, ledger.ErrConflict))
	// Output:
	// applied at 1 <nil> balance 70.00
	// replayed: true <nil> balance 70.00
	// conflict: true
}

// A spend that would take an instrument below −overdraft is rejected whole.
func ExampleJournal_Apply_overdraft() {
	card := ledger.InstrumentAccount("card", "CNY")
	var j ledger.Journal
	j = must(j.Apply(ledger.Grant("card", day,
		ledger.Terms{Account: card, Kind: "prepaid_card", Overdraft: decimal.RequireFromString("50")},
		decimal.RequireFromString("100"), "")))
	spend := func(id, amount string) ledger.Transaction {
		return ledger.Transaction{ID: id, Time: day, Kind: ledger.KindSpend, Postings: []ledger.Posting{
			{Account: card, Amount: decimal.RequireFromString(amount).Neg()},
			{Account: ledger.SystemAccount(ledger.Revenue, "CNY"), Amount: decimal.RequireFromString(amount)},
		}}
	}
	j = must(j.Apply(spend("s1", "140")))
	_, _, err := j.Apply(spend("s2", "20"))
	fmt.Println(j.Balance(card).StringFixed(2), errors.Is(err, ledger.ErrInsufficient))
	fmt.Println(err)
	// Output:
	// -40.00 true
	// ledger: transaction "s2" would overdraw:
	// 	instrument:CNY:card: balance -60 below floor -50
}

// Validation lists every problem at once.
func ExampleTransaction_Validate() {
	err := ledger.Transaction{ID: "t1", Kind: "gift", Postings: []ledger.Posting{
		{Account: ledger.InstrumentAccount("v1", "usd"), Amount: decimal.RequireFromString("5")},
		{Account: ledger.SystemAccount(ledger.Issued, "USD"), Amount: decimal.RequireFromString("-4")},
	}}.Validate()
	fmt.Println(errors.Is(err, ledger.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// ledger: invalid transaction "t1":
	// 	missing time
	// 	unknown kind "gift"
	// 	posting 0: account instrument:usd:v1: currency "usd" is not three upper-case letters
	// 	postings in "USD" add up to -4, not zero
}

// FromSplit books what each instrument paid; Reverse gives back part of it,
// the most recent allocation first.
func ExampleReverse() {
	wallet := allocation.Wallet{
		{ID: "voucher", Kind: "voucher", Currency: "USD"},
		{ID: "cash", Kind: "cash", Currency: "USD"},
	}
	var j ledger.Journal
	for _, in := range wallet {
		j = must(j.Apply(ledger.Grant("grant:"+in.ID, day, ledger.TermsOf(in), decimal.RequireFromString("50"), "")))
	}
	bill := allocation.Bill{ID: "b1", Currency: "USD", At: day, Lines: []allocation.Line{
		{ID: "l1", Product: "ecs", Amount: decimal.RequireFromString("70")}}}
	split := allocation.Split{Bill: "b1", Currency: "USD", Allocations: []allocation.Allocation{
		{Instrument: "voucher", Line: "l1", Amount: decimal.RequireFromString("50")},
		{Instrument: "cash", Line: "l1", Amount: decimal.RequireFromString("20")},
	}}
	spend, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(spend))

	refund, err := ledger.Reverse(j, "refund-1", day.Add(time.Hour), spend.ID, decimal.RequireFromString("30"), "partial refund")
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(refund))
	for _, p := range refund.Postings {
		fmt.Printf("%-22s %6s\n", p.Account, p.Amount.StringFixed(2))
	}
	fmt.Println("left to reverse:", j.Reversible(spend.ID).StringFixed(2))
	// Output:
	// instrument:USD:cash     20.00
	// revenue:USD            -20.00
	// instrument:USD:voucher  10.00
	// revenue:USD            -10.00
	// left to reverse: 40.00
}

// A cash top-up first offsets what an overdrawn prepaid card owes (Guance).
func ExampleTopUp() {
	card := ledger.InstrumentAccount("card", "CNY")
	cash := ledger.InstrumentAccount("cash", "CNY")
	var j ledger.Journal
	j = must(j.Apply(ledger.Grant("card", day, ledger.Terms{Account: card, Overdraft: decimal.RequireFromString("500")}, decimal.Decimal{}, "")))
	j = must(j.Apply(ledger.Transaction{ID: "s1", Time: day, Kind: ledger.KindSpend, Postings: []ledger.Posting{
		{Account: card, Amount: decimal.RequireFromString("-120")},
		{Account: ledger.SystemAccount(ledger.Revenue, "CNY"), Amount: decimal.RequireFromString("120")},
	}}))
	tx, err := ledger.TopUp(j, "top-1", day, cash, decimal.RequireFromString("200"), "alipay")
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(tx))
	fmt.Println("card", j.Balance(card).StringFixed(2), "cash", j.Balance(cash).StringFixed(2))
	// Output:
	// card 0.00 cash 80.00
}

// Free credit moves to another billing group; paid credit refuses
// (KakaoCloud).
func ExampleTransfer() {
	free := ledger.InstrumentAccount("free-1", "KRW")
	paid := ledger.InstrumentAccount("paid-1", "KRW")
	var j ledger.Journal
	j = must(j.Apply(ledger.Grant("g-free", day, ledger.Terms{Account: free, Kind: "free_credit", Group: "dev", Transferable: true}, decimal.RequireFromString("10000"), "")))
	j = must(j.Apply(ledger.Grant("g-paid", day, ledger.Terms{Account: paid, Kind: "paid_credit", Group: "dev"}, decimal.RequireFromString("10000"), "")))

	tx, err := ledger.Transfer(j, "t1", day, free, ledger.InstrumentAccount("free-1@ops", "KRW"), "ops", decimal.RequireFromString("4000"), "")
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(tx))
	fmt.Println(j.Balance(free), j.Balance(ledger.InstrumentAccount("free-1@ops", "KRW")))

	_, err = ledger.Transfer(j, "t2", day, paid, ledger.InstrumentAccount("paid-1@ops", "KRW"), "ops", decimal.RequireFromString("1"), "")
	var nt *ledger.NotTransferableError
	fmt.Println(errors.As(err, &nt), nt.Kind)
	// Output:
	// 6000 4000
	// true paid_credit
}
