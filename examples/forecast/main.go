// Command forecast answers the support call of a Kingsoft Cloud customer
// (renewal management, 004; account assets, 000) on January 1, 2024: will my
// instances renew over the next six months, which vouchers will expire
// unused, and how much should I top up today so that nothing lapses?
//
// The account, on Beijing time, has three vouchers expiring on different
// days (one only for databases), a gift balance, cash with a credit line, and five monthly
// instances on different days of the month (one on the 31st, which keeps its
// month-end anchor, and one on manual renewal, which the system leaves
// alone). forecast.Run replays the daily renewal run at 00:05 for six months
// with the functions a real run uses: vouchers pay first, the soonest
// expiring first; then gift balance; then the available credit, down to the
// credit line; a renewal the wallet cannot pay fails, and the instance
// expires and stays blocked from automatic renewal.
//
// It prints a table of the events, with the balances after each, and the
// smallest top-up today that avoids every failure, with its proof; and it
// writes an SVG chart of the balance of each instrument over the six months,
// failures and expiries marked:
//
//	go run ./examples/forecast -svg /tmp/forecast.svg
//
// then open /tmp/forecast.svg in a browser (or
// chromium --headless --screenshot=/tmp/forecast.png --window-size=900,500 /tmp/forecast.svg).
// The output is deterministic.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/forecast"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

func main() {
	svg := flag.String("svg", "forecast.svg", "write the chart to this file")
	flag.Parse()
	f, err := account()
	if err == nil {
		var res forecast.Forecast
		if res, err = forecast.Run(f); err == nil {
			var out bytes.Buffer
			if err = table(&out, f, res); err == nil {
				if err = os.WriteFile(*svg, chart(f, res), 0o644); err == nil {
					_, err = os.Stdout.Write(out.Bytes())
				}
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "forecast:", err)
		os.Exit(1)
	}
}

// cst is the account's time zone (Beijing time, no daylight saving).
var cst = time.FixedZone("CST", 8*3600)

func day(m time.Month, d, h, mi int) time.Time { return time.Date(2024, m, d, h, mi, 0, 0, cst) }

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// account is the customer's account on January 1, 2024: instrument
// definitions, a journal holding their balances, instances and prices.
func account() (forecast.Input, error) {
	wallet := allocation.Wallet{
		// Expires before the first renewal: all of it is forfeited.
		{ID: "v-new-year", Kind: renewal.VoucherKind, Currency: "CNY", ValidUntil: day(1, 4, 0, 0)},
		// For databases only, and it expires two days before db-1's
		// second renewal: what the first one leaves is forfeited.
		{ID: "v-db", Kind: renewal.VoucherKind, Currency: "CNY", ValidUntil: day(2, 10, 0, 0),
			Scope: allocation.Scope{Products: []string{"KRDS"}}},
		{ID: "v-spring", Kind: renewal.VoucherKind, Currency: "CNY", ValidUntil: day(4, 30, 0, 0)},
		{ID: "gift", Kind: renewal.GiftKind, Currency: "CNY"},
		// Available credit with a credit line of 300 (000).
		{ID: "cash", Kind: renewal.CashKind, Currency: "CNY", Overdraft: money("300.00")},
	}
	opening := []string{"50.00", "500.00", "400.00", "120.00", "700.00"}
	var j ledger.Journal
	for k, in := range wallet {
		var err error
		if j, _, err = j.Apply(ledger.Grant("grant:"+in.ID, day(1, 1, 0, 0), ledger.TermsOf(in), money(opening[k]), "")); err != nil {
			return forecast.Input{}, err
		}
	}
	return forecast.Input{
		Instances: []renewal.Instance{
			{ID: "web-1", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(1, 5, 10, 0)},
			{ID: "db-1", Product: "KRDS", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(1, 12, 8, 0)},
			{ID: "disk-1", Product: "EBS", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(1, 20, 12, 0)},
			// Bought on a 31st: renews on the month's last day.
			{ID: "web-2", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(1, 31, 18, 0)},
			// Manual renewal: the customer renews it by hand, if at all.
			{ID: "cdn-1", Product: "KCDN", Renewable: true, Policy: renewal.Manual, ExpiresAt: day(2, 3, 18, 0)},
		},
		Journal: j,
		Wallet:  wallet,
		Prices: renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
			"KEC":  money("100.00"), // cloud server
			"KRDS": money("300.00"), // relational database
			"EBS":  money("45.50"),  // block storage
			"KCDN": money("60.00"),  // content delivery
		}},
		Loc:      cst,
		Start:    day(1, 1, 0, 5),
		Until:    day(7, 1, 0, 5),
		AdviseTo: ledger.InstrumentAccount("cash", "CNY"),
	}, nil
}

// table prints the events, the totals and the advice.
func table(w io.Writer, in forecast.Input, f forecast.Forecast) error {
	fmt.Fprintf(w, "Forecast %s to %s, daily run at 00:05 (Asia/Shanghai, CNY)\n\n",
		in.Start.Format("2006-01-02"), in.Until.AddDate(0, 0, -1).Format("2006-01-02"))
	ids := instruments(in)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "DATE\tEVENT\tWHO\tAMOUNT\tPAID BY / NOTE\t%s\t\n", strings.Join(ids, "\t"))
	var renewed, forfeited decimal.Decimal
	for _, e := range f.Events {
		who, detail := e.Instance+e.Instrument, ""
		switch e.Kind {
		case forecast.Renewed:
			renewed = renewed.Add(e.Amount)
			var parts []string
			for _, p := range e.Paid {
				parts = append(parts, p.Instrument+" "+p.Amount.StringFixed(2))
			}
			detail = strings.Join(parts, ", ")
		case forecast.Failed:
			detail = "missing " + e.Missing.StringFixed(2)
		case forecast.Expired:
			forfeited = forfeited.Add(e.Amount)
			detail = "forfeited"
		}
		bal := make([]string, len(ids))
		for k, id := range ids {
			bal[k] = balanceOf(e.Balances, id).StringFixed(2)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", e.At.Format("2006-01-02"), e.Kind, who,
			e.Amount.StringFixed(2), detail, strings.Join(bal, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fails := f.Failures()
	fmt.Fprintf(w, "\n%d runs: renewals paid %s, vouchers forfeited %s, %d renewal(s) failed.\n",
		f.Runs, renewed.StringFixed(2), forfeited.StringFixed(2), len(fails))
	adv := f.Advice
	switch {
	case !adv.Found:
		fmt.Fprintln(w, "No top-up of the cash balance avoids every failure.")
	case adv.Amount.IsZero():
		fmt.Fprintln(w, "Nothing fails: no top-up needed.")
	default:
		fmt.Fprintf(w, "Top up the cash balance by %s today and nothing fails (forecast rerun: no failure).\n",
			adv.Amount.StringFixed(2))
		for _, e := range adv.OneLess {
			fmt.Fprintf(w, "With %s, %s fails on %s, missing %s.\n", adv.Amount.Sub(money("0.01")).StringFixed(2),
				e.Instance, e.At.Format("2006-01-02"), e.Missing.StringFixed(2))
		}
		fmt.Fprintf(w, "(%d forecasts searched.)\n", adv.Reruns)
	}
	return nil
}

// instruments lists the wallet's instrument ids, in wallet order.
func instruments(in forecast.Input) []string {
	var ids []string
	for _, w := range in.Wallet {
		ids = append(ids, w.ID)
	}
	return ids
}

// balanceOf finds id's balance in bs (zero if absent).
func balanceOf(bs []forecast.Amount, id string) decimal.Decimal {
	for _, b := range bs {
		if b.Instrument == id {
			return b.Amount
		}
	}
	return decimal.Zero
}
