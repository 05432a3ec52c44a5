package policies_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/policies"
)

// A host pays a Kingsoft Cloud bill with the ready-made policy of the
// Kingsoft Cloud account assets FAQ (000): vouchers, then gift balance,
// then available credit.
func ExampleLoad() {
	policy, err := policies.Load("kingsoft-account-assets")
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := allocation.Bill{ID: "june", Currency: "CNY", At: at, Lines: []allocation.Line{
		{ID: "kec", Product: "kec", Amount: decimal.RequireFromString("150")},
	}}
	wallet := allocation.Wallet{
		{ID: "credit", Kind: "credit_line", Currency: "CNY", Overdraft: decimal.RequireFromString("100")},
		{ID: "gift", Kind: "gift", Currency: "CNY", Balance: decimal.RequireFromString("30")},
		{ID: "v1", Kind: "voucher", Currency: "CNY", Balance: decimal.RequireFromString("80")},
	}
	split, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range split.Allocations {
		fmt.Printf("%-16s %-6s %s\n", a.Step, a.Instrument, a.Amount.StringFixed(2))
	}
	// Output:
	// vouchers         v1     80.00
	// gift_balance     gift   30.00
	// available_credit credit 40.00
}
