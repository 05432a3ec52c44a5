package ledger_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// A credit note gives back part of one line, spread over the instruments
// that paid it (voucher 50, gift 20) in proportion, in fen, the odd fen to
// the larger remainder; a cash refund of a line paid with
// gift balance is refused, naming the gift (Kingsoft Cloud 000: gift
// balance cannot be cashed).
func ExampleIssueCredit() {
	wallet := allocation.Wallet{
		{ID: "voucher", Kind: "voucher", Currency: "CNY", Balance: decimal.RequireFromString("50")},
		{ID: "gift", Kind: "gift", Currency: "CNY", Balance: decimal.RequireFromString("30")},
	}
	var j ledger.Journal
	for _, in := range wallet {
		j = must(j.Apply(ledger.Grant("grant:"+in.ID, day, ledger.TermsOf(in), in.Balance, "")))
	}
	bill := allocation.Bill{ID: "b1", Currency: "CNY", At: day, Lines: []allocation.Line{
		{ID: "ecs", Product: "ecs", Amount: decimal.RequireFromString("70")}}}
	kingsoft := allocation.Policy{Steps: []allocation.Step{ // vouchers, then gift balance
		{Name: "vouchers", Kinds: []string{"voucher"}}, {Name: "gift", Kinds: []string{"gift"}}}}
	split, err := allocation.Allocate(bill, wallet, kingsoft)
	if err != nil {
		panic(err)
	}
	spend, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(spend))

	note, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: "cn-1", Time: day.Add(time.Hour), Spend: spend.ID,
		Lines: []ledger.LineAmount{{Line: "ecs", Amount: decimal.RequireFromString("10")}}, Note: "goodwill"})
	if err != nil {
		panic(err)
	}
	j = must(j.Apply(note.Transaction))
	for _, it := range note.Items {
		fmt.Printf("%s  %-22s %5s → %s\n", it.Line, it.From, it.Amount.StringFixed(2), it.To)
	}
	fmt.Println("left:", j.Creditable(spend.ID)[0].Amount.StringFixed(2))

	_, err = ledger.IssueCredit(j, ledger.CreditRequest{ID: "cn-2", Time: day.Add(time.Hour), Spend: spend.ID, To: ledger.ToCash})
	var nc *ledger.NotCashableError
	if errors.As(err, &nc) {
		for _, r := range nc.Refusals {
			fmt.Println("no cash from", r.Account, r.Reason)
		}
	}
	// Output:
	// ecs  instrument:CNY:gift     2.86 → instrument:CNY:gift
	// ecs  instrument:CNY:voucher  7.14 → instrument:CNY:voucher
	// left: 60.00
	// no cash from instrument:CNY:gift not_cashable
	// no cash from instrument:CNY:voucher not_cashable
}
