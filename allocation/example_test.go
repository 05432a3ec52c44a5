package allocation_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
)

// Kingsoft (000_f04d44448bd9d2a1.txt): vouchers first, then gift balance,
// then available credit; what is left is paid online.
func ExampleAllocate() {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := allocation.Bill{ID: "june", Currency: "CNY", At: at, Mode: "payg", Lines: []allocation.Line{
		{ID: "kec", Product: "kec", Amount: decimal.RequireFromString("300")},
	}}
	wallet := allocation.Wallet{
		{ID: "credit", Kind: "credit_line", Currency: "CNY", Overdraft: decimal.RequireFromString("100")},
		{ID: "gift", Kind: "gift", Currency: "CNY", Balance: decimal.RequireFromString("50")},
		{ID: "v-july", Kind: "voucher", Currency: "CNY", Balance: decimal.RequireFromString("80"), ValidUntil: at.AddDate(0, 1, 0)},
		{ID: "v-may", Kind: "voucher", Currency: "CNY", Balance: decimal.RequireFromString("20"), ValidUntil: at.AddDate(0, -1, 0)},
	}
	policy := allocation.Policy{Steps: []allocation.Step{
		{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst}},
		{Name: "gift", Kinds: []string{"gift"}},
		{Name: "credit", Kinds: []string{"credit_line"}, Draw: allocation.DrawAll},
	}}
	split, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		panic(err)
	}
	for _, a := range split.Allocations {
		fmt.Printf("%-8s %-7s %s\n", a.Step, a.Instrument, a.Amount.StringFixed(2))
	}
	for _, r := range split.Instruments {
		if len(r.Skipped) > 0 {
			fmt.Printf("%s skipped: %v\n", r.ID, r.Skipped)
		}
	}
	fmt.Println("outstanding", split.Outstanding.StringFixed(2))
	// Output:
	// vouchers v-july  80.00
	// gift     gift    50.00
	// credit   credit  100.00
	// v-may skipped: [expired]
	// outstanding 70.00
}

// A percentage coupon reduces the bill before anything pays; its discount
// is rounded once and spread over the lines by largest remainder.
func ExampleAllocate_percentCoupon() {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := allocation.Bill{ID: "b", Currency: "USD", At: at, Lines: []allocation.Line{
		{ID: "a", Amount: decimal.RequireFromString("3.33")},
		{ID: "b", Amount: decimal.RequireFromString("3.33")},
		{ID: "c", Amount: decimal.RequireFromString("3.34")},
	}}
	wallet := allocation.Wallet{{ID: "ten", Kind: "coupon", Currency: "USD",
		Percent: decimal.NewNullDecimal(decimal.RequireFromString("10"))}}
	split, _ := allocation.Allocate(bill, wallet, allocation.Policy{})
	for _, l := range split.Lines {
		fmt.Println(l.ID, l.Discounted.StringFixed(2), l.Outstanding.StringFixed(2))
	}
	fmt.Println("discounted", split.Discounted.StringFixed(2))
	// Output:
	// a 0.33 3.00
	// b 0.33 3.00
	// c 0.34 3.00
	// discounted 1.00
}

// Places tells a report how many decimals to show, so that every amount of
// the split reads alike: an input written "5.5" or "12" is shown at the
// working scale, which is the currency's two places here and three once a
// line is priced in thousandths.
func ExampleSplit_Places() {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	wallet := allocation.Wallet{{ID: "gift", Kind: "gift", Currency: "CNY", Balance: decimal.RequireFromString("5.5")}}
	for _, price := range []string{"12", "0.125"} {
		bill := allocation.Bill{ID: "b", Currency: "CNY", At: at, Lines: []allocation.Line{
			{ID: "l", Amount: decimal.RequireFromString(price)},
		}}
		split, err := allocation.Allocate(bill, wallet, allocation.Policy{})
		if err != nil {
			panic(err)
		}
		p := split.Places()
		fmt.Println(p, split.Total.StringFixed(p), split.Paid.StringFixed(p), split.Outstanding.StringFixed(p))
	}
	// Output:
	// 2 12.00 5.50 6.50
	// 3 0.125 0.125 0.000
}

// A bill decoded with encoding/json is strict: a misspelt field is an
// error, not a silently lost category, and every problem says where.
func ExampleBill_UnmarshalJSON() {
	var bill allocation.Bill
	err := json.Unmarshal([]byte(`{"id":"june","currency":"CNY","at":"2024-06-01T00:00:00Z",
		"lines":[{"id":"sms-1","product":"sms","categry":"sms","amount":"12,50"}]}`), &bill)
	fmt.Println(errors.Is(err, allocation.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// allocation: invalid input:
	//	bill.lines[0] (id "sms-1"): unknown field "categry"; did you mean "category"?
	//	bill.lines[0] (id "sms-1").amount: "12,50" is not a decimal amount; write 12.50 (a point, not a comma)
}

// Validate checks a policy built in Go as Allocate would, before any bill.
func ExamplePolicy_Validate() {
	policy := allocation.Policy{Steps: []allocation.Step{
		{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{"expiry_first"}},
		{Name: "vouchers", Kinds: []string{"gift"}},
	}}
	fmt.Println(policy.Validate())
	// Output:
	// allocation: invalid input:
	//	policy step "vouchers": unknown order key "expiry_first"
	//	policy step "vouchers": duplicate step name
}

// Meaning explains a reason in words for people, as a report's legend.
func ExampleReason_Meaning() {
	fmt.Println(allocation.ReasonNothingLeft, "=", allocation.ReasonNothingLeft.Meaning())
	// Output:
	// nothing_left = the bill was already covered where it may pay; its balance is untouched
}
