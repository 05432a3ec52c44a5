package forecast_test

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/forecast"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

// A support engineer asks what the next three months hold for an account
// with a voucher, a cash balance and one monthly database (Kingsoft Cloud
// renewal management, 004), and how much the customer should top up today.
func ExampleRun() {
	beijing := time.FixedZone("CST", 8*3600)
	voucher := allocation.Instrument{ID: "voucher", Kind: renewal.VoucherKind, Currency: "CNY",
		ValidUntil: time.Date(2024, 2, 1, 0, 0, 0, 0, beijing)}
	cash := allocation.Instrument{ID: "cash", Kind: renewal.CashKind, Currency: "CNY"}
	var j ledger.Journal
	j, _, _ = j.Apply(ledger.Grant("grant:voucher", time.Date(2024, 1, 1, 0, 0, 0, 0, beijing),
		ledger.TermsOf(voucher), decimal.RequireFromString("350.00"), ""))
	j, _, _ = j.Apply(ledger.Grant("grant:cash", time.Date(2024, 1, 1, 0, 0, 0, 0, beijing),
		ledger.TermsOf(cash), decimal.RequireFromString("280.00"), ""))

	f, err := forecast.Run(forecast.Input{
		Instances: []renewal.Instance{{ID: "db", Product: "KRDS", Renewable: true, Policy: renewal.Auto,
			ExpiresAt: time.Date(2024, 1, 12, 8, 0, 0, 0, beijing)}},
		Journal: j,
		Wallet:  allocation.Wallet{voucher, cash},
		Prices: renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
			"KRDS": decimal.RequireFromString("300.00")}},
		Loc:      beijing,
		Start:    time.Date(2024, 1, 1, 0, 5, 0, 0, beijing),
		Until:    time.Date(2024, 4, 1, 0, 5, 0, 0, beijing),
		AdviseTo: ledger.InstrumentAccount("cash", "CNY"),
	})
	if err != nil {
		panic(err)
	}
	for _, e := range f.Events {
		fmt.Print(e.At.Format("2006-01-02"), " ", e.Kind, " ", e.Instance+e.Instrument, " ", e.Amount.StringFixed(2))
		for _, p := range e.Paid {
			fmt.Print(" ", p.Instrument, ":", p.Amount.StringFixed(2))
		}
		if e.Kind == forecast.Failed {
			fmt.Print(" missing ", e.Missing.StringFixed(2))
		}
		fmt.Println()
	}
	fmt.Println("top up today:", f.Advice.Amount.StringFixed(2))
	for _, e := range f.Advice.OneLess {
		fmt.Println("one cent less:", e.Instance, "fails on", e.At.Format("2006-01-02"), "missing", e.Missing.StringFixed(2))
	}
	// The failure blocks db, so the forecast stops charging it; the advice
	// pays for February's missing 20.00 and for March too.

	// Output:
	// 2024-01-12 renewed db 300.00 voucher:300.00
	// 2024-02-01 expired voucher 50.00
	// 2024-02-12 failed db 300.00 missing 20.00
	// top up today: 320.00
	// one cent less: db fails on 2024-03-12 missing 0.01
}
