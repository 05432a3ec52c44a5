package renewal_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

// The account's time zone: Beijing time, as in the Kingsoft console.
var cst = time.FixedZone("CST", 8*3600)

func ExampleNextExpiry() {
	jan31 := time.Date(2024, 1, 31, 10, 0, 0, 0, cst)
	for months := 1; months <= 3; months++ {
		fmt.Println(renewal.NextExpiry(jan31, months, cst).Format("2006-01-02 15:04"))
	}
	// Across a daylight-saving change the wall-clock time is kept.
	ny, _ := time.LoadLocation("America/New_York")
	feb := time.Date(2024, 2, 10, 10, 0, 0, 0, ny)
	fmt.Println(renewal.NextExpiry(feb, 1, ny).Format(time.RFC3339))
	// Output:
	// 2024-02-29 10:00
	// 2024-03-31 10:00
	// 2024-04-30 10:00
	// 2024-03-10T10:00:00-04:00
}

func ExampleInstance_NextExpiry() {
	// A subscription bought on Jan 31 renews on the month's last day: the
	// instance remembers its anchor day when February hides it.
	in := renewal.Instance{ExpiresAt: time.Date(2024, 2, 29, 10, 0, 0, 0, cst), AnchorDay: 31}
	fmt.Println(in.NextExpiry(1, cst).Format("2006-01-02"))
	// Without the anchor, Feb 29 is just the 29th.
	fmt.Println(renewal.NextExpiry(in.ExpiresAt, 1, cst).Format("2006-01-02"))
	// Output:
	// 2024-03-31
	// 2024-03-29
}

func ExampleNextExpiryAnchored() {
	// A host stores only expires_at and the anchor (day and time of day).
	// America/Havana skips midnight on 2024-03-10, so that renewal lands on
	// 01:00; the next one is back at midnight.
	hav, _ := time.LoadLocation("America/Havana")
	midnight, _ := renewal.ParseClock("00:00")
	expiry := time.Date(2024, 2, 10, 0, 0, 0, 0, hav)
	for range 3 {
		expiry = renewal.NextExpiryAnchored(expiry, 10, midnight, 1, hav)
		fmt.Println(expiry.Format("2006-01-02 15:04 MST"))
	}
	// The stateless NextExpiry keeps 01:00 once the gap moved it there.
	fmt.Println(renewal.NextExpiry(time.Date(2024, 3, 10, 1, 0, 0, 0, hav), 1, hav).Format("2006-01-02 15:04 MST"))
	// Output:
	// 2024-03-10 01:00 CDT
	// 2024-04-10 00:00 CDT
	// 2024-05-10 00:00 CDT
	// 2024-04-10 01:00 CDT
}

func ExampleDue() {
	fleet := []renewal.Instance{
		{ID: "web", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 15, 10, 0, 0, 0, cst)},
		{ID: "db", Product: "KRDS", Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 15, 9, 0, 0, 0, cst)},
		{ID: "cdn", Product: "KCDN", Renewable: true, Policy: renewal.Manual, ExpiresAt: time.Date(2024, 3, 15, 9, 0, 0, 0, cst)},
		{ID: "try", Product: "KEC", Kind: renewal.Trial, Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 15, 9, 0, 0, 0, cst)},
		{ID: "next", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 16, 9, 0, 0, 0, cst)},
	}
	for _, in := range renewal.Due(fleet, time.Date(2024, 3, 15, 0, 5, 0, 0, cst), cst) {
		fmt.Println(in.ID, in.ExpiresAt.Format("15:04"))
	}
	// Output:
	// db 09:00
	// web 10:00
}

func ExampleRunAuto() {
	prices := renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
		"KEC":  decimal.RequireFromString("100.00"),
		"KRDS": decimal.RequireFromString("300.00"),
	}}
	wallet := allocation.Wallet{
		{ID: "v-apr", Kind: renewal.VoucherKind, Currency: "CNY", Balance: decimal.RequireFromString("50.00"),
			ValidUntil: time.Date(2024, 4, 30, 0, 0, 0, 0, cst)},
		{ID: "v-mar", Kind: renewal.VoucherKind, Currency: "CNY", Balance: decimal.RequireFromString("30.00"),
			ValidUntil: time.Date(2024, 3, 31, 0, 0, 0, 0, cst)},
		{ID: "cash", Kind: renewal.CashKind, Currency: "CNY", Balance: decimal.RequireFromString("120.00")},
	}
	fleet := []renewal.Instance{
		{ID: "db", Product: "KRDS", Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 15, 11, 0, 0, 0, cst)},
		{ID: "web", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: time.Date(2024, 3, 15, 10, 0, 0, 0, cst)},
	}
	run, err := renewal.RunAuto(fleet, time.Date(2024, 3, 15, 0, 5, 0, 0, cst), cst, wallet, prices, allocation.Policy{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range run.Results {
		fmt.Printf("%-4s %-8s until %s", r.Instance.ID, r.Outcome, r.To.Format("01-02"))
		for _, a := range r.Split.Allocations {
			fmt.Printf("  %s %s", a.Instrument, a.Amount.StringFixed(2))
		}
		fmt.Println()
		if errors.Is(r.Err, renewal.ErrInsufficientBalance) {
			fmt.Println("     ", r.Err)
		}
	}
	for _, in := range run.Wallet {
		fmt.Printf("%s %s\n", in.ID, in.Balance.StringFixed(2))
	}
	// Output:
	// web  renewed  until 04-15  v-mar 30.00  v-apr 50.00  cash 20.00
	// db   failed   until 03-15  cash 100.00
	//       renewal: insufficient balance: instance "db": 200.00 CNY short
	// v-apr 0.00
	// v-mar 0.00
	// cash 100.00
}

func ExampleRenew() {
	prices := renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{"KEC": decimal.RequireFromString("100.00")}}
	// Automatic renewal failed on Mar 15: the instance is expired, blocked,
	// and still auto.
	failed := renewal.Instance{ID: "web", Product: "KEC", Renewable: true, Policy: renewal.Auto,
		Status: renewal.Expired, AutoBlocked: true, ExpiresAt: time.Date(2024, 3, 15, 10, 0, 0, 0, cst)}
	wallet := allocation.Wallet{{ID: "cash", Kind: renewal.CashKind, Currency: "CNY", Balance: decimal.RequireFromString("500.00")}}

	// The customer tops up and renews by hand for three months on Mar 18:
	// the new period starts at the renewal time.
	r, err := renewal.Renew(failed, 3, time.Date(2024, 3, 18, 14, 30, 0, 0, cst), cst, wallet, prices, allocation.Policy{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.From.Format("2006-01-02 15:04"), "→", r.To.Format("2006-01-02 15:04"))
	fmt.Println(r.Instance.Status, r.Instance.Policy, r.Instance.AutoBlocked)
	fmt.Println("paid", r.Split.Paid.StringFixed(2), "cash left", r.Wallet[0].Balance.StringFixed(2))
	// Output:
	// 2024-03-18 14:30 → 2024-06-18 14:30
	// active auto false
	// paid 300.00 cash left 200.00
}

// A percentage coupon is single-use: renewing in a loop, the host passes
// each Renewal's Wallet to the next call, so the coupon discounts one
// renewal and is then used up. A coupon the host lists as reusable (a
// standing discount) discounts every renewal.
func ExampleRenew_coupon() {
	prices := renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{"KEC": decimal.RequireFromString("100.00")}}
	coupon := func(id string) allocation.Instrument {
		return allocation.Instrument{ID: id, Kind: renewal.VoucherKind, Currency: "CNY",
			Percent: decimal.NewNullDecimal(decimal.RequireFromString("20")), Uncapped: true}
	}
	cash := allocation.Instrument{ID: "cash", Kind: renewal.CashKind, Currency: "CNY", Balance: decimal.RequireFromString("500.00")}
	at := time.Date(2024, 3, 15, 9, 0, 0, 0, cst)
	for _, c := range []struct {
		coupon   string
		reusable []string
	}{{"welcome-20", nil}, {"partner-20", []string{"partner-20"}}} {
		wallet := allocation.Wallet{coupon(c.coupon), cash}
		for _, id := range []string{"web-1", "web-2"} {
			in := renewal.Instance{ID: id, Product: "KEC", Renewable: true, ExpiresAt: time.Date(2024, 3, 20, 10, 0, 0, 0, cst)}
			r, err := renewal.Renew(in, 1, at, cst, wallet, prices, allocation.Policy{}, c.reusable...)
			if err != nil {
				fmt.Println(err)
				return
			}
			wallet = r.Wallet
			fmt.Printf("%s %s: %s off, coupon %q\n", c.coupon, id, r.Split.Discounted.StringFixed(2), wallet[0].Status)
		}
	}
	// Output:
	// welcome-20 web-1: 20.00 off, coupon "used_up"
	// welcome-20 web-2: 0.00 off, coupon "used_up"
	// partner-20 web-1: 20.00 off, coupon ""
	// partner-20 web-2: 20.00 off, coupon ""
}

func ExampleInstance_EnableAuto() {
	expired := renewal.Instance{ID: "cdn", Product: "KCDN", Renewable: true, Policy: renewal.Manual,
		ExpiresAt: time.Date(2024, 3, 1, 0, 0, 0, 0, cst)}
	_, err := expired.EnableAuto(time.Date(2024, 3, 15, 0, 0, 0, 0, cst))
	fmt.Println(errors.Is(err, renewal.ErrExpiredManual))

	kcm := renewal.Instance{ID: "cert", Product: "KCM", Renewable: false, ExpiresAt: time.Date(2024, 9, 1, 0, 0, 0, 0, cst)}
	_, err = kcm.EnableAuto(time.Date(2024, 3, 15, 0, 0, 0, 0, cst))
	fmt.Println(err)
	fmt.Println(errors.Is(err, renewal.ErrNotRenewable), errors.Is(err, renewal.ErrProductNotRenewable))
	// Output:
	// true
	// renewal: instance "cert" refused: product cannot be renewed in the console
	// true true
}

func ExampleUnify() {
	prices := renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
		"KEC":  decimal.RequireFromString("100.00"),
		"KRDS": decimal.RequireFromString("300.00"),
	}}
	fleet := []renewal.Instance{
		{ID: "web", Product: "KEC", Renewable: true, ExpiresAt: time.Date(2024, 3, 20, 10, 0, 0, 0, cst)},
		{ID: "db", Product: "KRDS", Renewable: true, ExpiresAt: time.Date(2024, 3, 25, 0, 0, 0, 0, cst)},
		{ID: "try", Product: "KEC", Kind: renewal.Trial, ExpiresAt: time.Date(2024, 3, 22, 0, 0, 0, 0, cst)},
	}
	q, err := renewal.Unify(fleet, 1, time.Date(2024, 3, 12, 9, 0, 0, 0, cst), cst, prices, allocation.Rounding{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range q.Lines {
		if l.Err != nil {
			fmt.Printf("%-4s %v\n", l.Instance, l.Err)
			continue
		}
		fmt.Printf("%-4s %s → %s  %2d/%d days  %6s\n", l.Instance, l.From.Format("01-02"), l.To.Format("01-02"),
			l.Days, l.PeriodDays, l.Fee.StringFixed(2))
	}
	fmt.Println("total", q.Total.StringFixed(2))
	fleet, _ = q.Apply(fleet)
	fmt.Println(fleet[0].ExpiresAt.Format("2006-01-02"), fleet[1].ExpiresAt.Format("2006-01-02"))
	// Output:
	// web  03-20 → 04-01  12/31 days   38.71
	// try  renewal: instance "try" refused: trial instances are not renewed
	// db   03-25 → 04-01   7/31 days   67.74
	// total 106.45
	// 2024-04-01 2024-04-01
}

// A host stores instances as JSON between requests. The form is versioned
// and decoding is strict: every problem is listed, and nothing is half-built.
func ExampleInstance_UnmarshalJSON() {
	midnight, _ := renewal.ParseClock("00:00")
	in := renewal.Instance{ID: "web-1", Product: "KEC", Renewable: true, Policy: renewal.Auto,
		ExpiresAt: time.Date(2024, 3, 31, 0, 0, 0, 0, cst), AnchorDay: 31, AnchorClock: midnight}
	stored, _ := json.Marshal(in)
	fmt.Println(string(stored))

	var back renewal.Instance
	fmt.Println(json.Unmarshal(stored, &back), back.ExpiresAt.Equal(in.ExpiresAt), back.AnchorClock)

	err := json.Unmarshal([]byte(`{"id":"web-2","product":"KEC","renewable":true,"policy":"auto","status":"activ","expires_at":"2024-03-31","anchr_day":31}`), &back)
	fmt.Println(errors.Is(err, renewal.ErrInvalid))
	fmt.Println(err)
	// Output:
	// {"version":1,"id":"web-1","product":"KEC","renewable":true,"policy":"auto","expires_at":"2024-03-31T00:00:00+08:00","anchor_day":31,"anchor_clock":"00:00:00"}
	// <nil> true 00:00:00
	// true
	// renewal: invalid input:
	// 	instance "web-2": "anchr_day": unknown field (known: version, id, product, kind, renewable, policy, status, expires_at, period_months, anchor_day, anchor_clock, auto_blocked)
	// 	instance "web-2": expires_at: "2024-03-31" is not an RFC 3339 time (write 2024-03-31T10:00:00+08:00)
	// 	instance "web-2": unknown status "activ" (want active, expired or released)
}
