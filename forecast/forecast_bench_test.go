package forecast_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/forecast"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

// bigAccount is 100 monthly auto instances on every day of the month and 50
// instruments: 47 vouchers expiring over the year, one of them per product,
// a gift balance, cash with a credit line and a prepaid balance, funded for
// about eight months; plus a monthly grant and an auto top-up rule.
func bigAccount(b *testing.B, months int) forecast.Input {
	start := day(2024, 1, 1, 0, 5)
	products := []string{"KEC", "KRDS", "EBS", "KCDN", "SLB"}
	prices := renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{}}
	for k, p := range products {
		prices.Monthly[p] = decimal.New(int64(2000+1750*k), -2)
	}
	in := forecast.Input{Prices: prices, Loc: cst, Start: start, Until: start.AddDate(0, months, 0),
		AdviseTo: ledger.InstrumentAccount("cash", "CNY")}
	for k := range 100 {
		in.Instances = append(in.Instances, renewal.Instance{ID: fmt.Sprintf("i%03d", k), Product: products[k%len(products)],
			Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2024, 1, 1+k%28, k%24, 0)})
	}
	var amounts []decimal.Decimal
	for k := range 47 {
		v := allocation.Instrument{ID: fmt.Sprintf("v%02d", k), Kind: renewal.VoucherKind, Currency: "CNY",
			ValidUntil: start.AddDate(0, 0, 7*(k+1))}
		if k%10 == 0 {
			v.Scope.Products = []string{products[k/10]}
		}
		in.Wallet = append(in.Wallet, v)
		amounts = append(amounts, decimal.New(int64(10000+1000*k), -2))
	}
	in.Wallet = append(in.Wallet,
		allocation.Instrument{ID: "gift", Kind: renewal.GiftKind, Currency: "CNY"},
		allocation.Instrument{ID: "cash", Kind: renewal.CashKind, Currency: "CNY", Overdraft: money("1000.00")},
		allocation.Instrument{ID: "line", Kind: renewal.CreditLineKind, Currency: "CNY"})
	amounts = append(amounts, money("2000.00"), money("20000.00"), money("5000.00"))
	for k, w := range in.Wallet {
		var err error
		if in.Journal, _, err = in.Journal.Apply(ledger.Grant("grant:"+w.ID, start.Add(-time.Hour), ledger.TermsOf(w), amounts[k], "")); err != nil {
			b.Fatal(err)
		}
	}
	in.Grants = []ledger.GrantSchedule{{ID: "monthly", Currency: "CNY", Kind: renewal.GiftKind, Amount: money("500.00"),
		Period: ledger.Period{Anchor: day(2024, 1, 1, 0, 0), Months: 1}, Rollover: ledger.Rollover{MaxPercent: money("50"), Places: 2}}}
	in.TopUps = []ledger.AutoTopUp{{ID: "recharge", Account: ledger.InstrumentAccount("line", "CNY"),
		Threshold: money("500.00"), Target: money("2000.00"), Places: 2, Cap: money("2000.00"),
		CapPeriod: ledger.Period{Anchor: day(2024, 1, 1, 0, 0), Months: 1}}}
	return in
}

// BenchmarkForecast12Months: 12 months (366 daily runs) of 100 instances
// over 50 instruments, with a grant schedule and an auto top-up, without
// the advice search (one replay) and with it (doubling, then binary search
// in cents: one replay per probe).
func BenchmarkForecast12Months(b *testing.B) {
	for _, advise := range []bool{false, true} {
		b.Run(map[bool]string{false: "replay", true: "with_advice"}[advise], func(b *testing.B) {
			in := bigAccount(b, 12)
			if !advise {
				in.AdviseTo = ledger.Account{}
			}
			var f forecast.Forecast
			for range b.N {
				var err error
				if f, err = forecast.Run(in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(f.Events)), "events")
			b.ReportMetric(float64(len(f.Failures())), "failures")
			b.ReportMetric(float64(f.Advice.Reruns), "reruns")
		})
	}
}
