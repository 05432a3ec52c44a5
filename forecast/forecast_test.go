package forecast_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/forecast"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// cst is the account's time zone in these tests (Beijing time).
var cst = time.FixedZone("CST", 8*3600)

func day(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, cst) }

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// grantAll books each instrument's opening balance with its terms, as a host
// that issued them would have.
func grantAll(t testing.TB, at time.Time, wallet allocation.Wallet, amounts ...string) ledger.Journal {
	t.Helper()
	var j ledger.Journal
	for k, in := range wallet {
		var err error
		j, _, err = j.Apply(ledger.Grant("grant:"+in.ID, at, ledger.TermsOf(in), money(amounts[k]), ""))
		if err != nil {
			t.Fatal(err)
		}
	}
	return j
}

// story is a small account: a voucher that expires half used, a gift
// balance, cash, and two monthly instances; the cash runs out in month two.
func story(t testing.TB) forecast.Input {
	wallet := allocation.Wallet{
		{ID: "v-jan", Kind: renewal.VoucherKind, Currency: "CNY", ValidUntil: day(2024, 1, 20, 0, 0)},
		{ID: "gift", Kind: renewal.GiftKind, Currency: "CNY"},
		{ID: "cash", Kind: renewal.CashKind, Currency: "CNY"},
	}
	return forecast.Input{
		Instances: []renewal.Instance{
			{ID: "web", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2024, 1, 10, 10, 0)},
			{ID: "db", Product: "KRDS", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2024, 1, 25, 12, 0)},
		},
		Journal: grantAll(t, day(2023, 12, 31, 0, 0), wallet, "150.00", "20.00", "380.00"),
		Wallet:  wallet,
		Prices: renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
			"KEC": money("100.00"), "KRDS": money("300.00")}},
		Loc:      cst,
		Start:    day(2024, 1, 1, 0, 5),
		Until:    day(2024, 3, 1, 0, 5),
		AdviseTo: ledger.InstrumentAccount("cash", "CNY"),
	}
}

// The forecast reports each renewal with what paid it, the voucher's unused
// value forfeited when it expires, and the failure with what was missing
// (Kingsoft Cloud renewal management, 004: vouchers first, soonest expiry
// first; Kingsoft Cloud account assets, 000: gift balance before cash).
func TestRunStory(t *testing.T) {
	f, err := forecast.Run(story(t))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		At              string
		Kind            forecast.Kind
		Who             string
		Amount, Missing string
		Paid            string
	}
	var got []row
	for _, e := range f.Events {
		who := e.Instance + e.Instrument
		r := row{At: e.At.Format("2006-01-02"), Kind: e.Kind, Who: who, Amount: e.Amount.StringFixed(2)}
		if e.Kind == forecast.Failed {
			r.Missing = e.Missing.StringFixed(2)
		}
		for _, p := range e.Paid {
			r.Paid += fmt.Sprintf("%s %s;", p.Instrument, p.Amount.StringFixed(2))
		}
		got = append(got, r)
	}
	want := []row{
		// Jan 10: the voucher pays all of web's 100.
		{At: "2024-01-10", Kind: forecast.Renewed, Who: "web", Amount: "100.00", Paid: "v-jan 100.00;"},
		// Jan 20: the voucher's last 50 is forfeited.
		{At: "2024-01-20", Kind: forecast.Expired, Who: "v-jan", Amount: "50.00"},
		// Jan 25: gift 20, then cash 280 (cash 100 left).
		{At: "2024-01-25", Kind: forecast.Renewed, Who: "db", Amount: "300.00", Paid: "gift 20.00;cash 280.00;"},
		// Feb 10: cash pays web (0 left).
		{At: "2024-02-10", Kind: forecast.Renewed, Who: "web", Amount: "100.00", Paid: "cash 100.00;"},
		// Feb 25: nothing left for db.
		{At: "2024-02-25", Kind: forecast.Failed, Who: "db", Amount: "300.00", Missing: "300.00"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	last := f.Events[len(f.Events)-1].Balances
	if diff := cmp.Diff([]forecast.Amount{
		{Instrument: "cash", Amount: money("0")}, {Instrument: "gift", Amount: money("0")}, {Instrument: "v-jan", Amount: money("0")},
	}, last, cmp.Comparer(decimal.Decimal.Equal)); diff != "" {
		t.Errorf("balances after the failure (-want +got):\n%s", diff)
	}
	if f.Runs != 60 {
		t.Errorf("runs %d, want 60 (Jan 1 to Feb 29)", f.Runs)
	}
	// 300.00 exactly: db's February fee, nothing else fails.
	if !f.Advice.Found || !f.Advice.Amount.Equal(money("300.00")) {
		t.Errorf("advice %+v, want 300.00", f.Advice)
	}
	if len(f.Advice.OneLess) != 1 || f.Advice.OneLess[0].Instance != "db" || !f.Advice.OneLess[0].Missing.Equal(money("0.01")) {
		t.Errorf("one minor unit less: %+v, want db failing by 0.01", f.Advice.OneLess)
	}
}

// The advice is exact and proved: a forecast after topping up the advised
// amount has no failure, one with one minor unit less has one, and more money
// never brings a failure back (the monotonicity the search assumes).
func TestAdviceProof(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		in := genInput(rt)
		in.Until = in.Start.AddDate(0, 0, rapid.IntRange(1, 45).Draw(rt, "days"))
		in.AdviseTo = ledger.InstrumentAccount("cash", "CNY")
		f, err := forecast.Run(in)
		if err != nil {
			rt.Fatal(err)
		}
		adv := f.Advice
		if !adv.Found {
			rt.Fatalf("no advice found: %+v", adv)
		}
		rerun := func(amount decimal.Decimal) []forecast.Event {
			in := in
			in.AdviseTo = ledger.Account{}
			if amount.Sign() > 0 {
				tx, err := ledger.TopUp(in.Journal, "host:topup", in.Start, ledger.InstrumentAccount("cash", "CNY"), amount, "")
				if err != nil {
					rt.Fatal(err)
				}
				if in.Journal, _, err = in.Journal.Apply(tx); err != nil {
					rt.Fatal(err)
				}
			}
			g, err := forecast.Run(in)
			if err != nil {
				rt.Fatal(err)
			}
			return g.Failures()
		}
		if len(f.Failures()) == 0 {
			if !adv.Amount.IsZero() {
				rt.Fatalf("no failure but advice %s", adv.Amount)
			}
			return
		}
		if fs := rerun(adv.Amount); len(fs) != 0 {
			rt.Fatalf("with the advised %s: failures %+v", adv.Amount, fs)
		}
		if fs := rerun(adv.Amount.Sub(money("0.01"))); len(fs) == 0 {
			rt.Fatalf("with one minor unit less than %s: no failure", adv.Amount)
		}
		more := adv.Amount.Add(decimal.New(rapid.Int64Range(1, 100000).Draw(rt, "more"), -2))
		if fs := rerun(more); len(fs) != 0 {
			rt.Fatalf("monotonicity: %s avoids every failure, %s does not: %+v", adv.Amount, more, fs)
		}
	})
}

// Bad input is reported whole: every problem found up front, in one error
// wrapping ErrInvalid.
func TestRunInvalid(t *testing.T) {
	in := story(t)
	in.Start = time.Time{}
	in.AdviseTo = ledger.SystemAccount(ledger.Revenue, "CNY")
	in.TopUps = []ledger.AutoTopUp{{ID: ""}}
	_, err := forecast.Run(in)
	if !errors.Is(err, forecast.ErrInvalid) {
		t.Fatalf("error %v does not wrap ErrInvalid", err)
	}
	var n int
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		n = len(j.Unwrap()) - 1
	}
	if n != 2 {
		t.Errorf("error %v: want 2 problems (start, advise_to; rules are checked from a start)", err)
	}
	in = story(t)
	in.Until = in.Start.AddDate(0, 0, forecast.MaxDays+1)
	in.TopUps = []ledger.AutoTopUp{{ID: "r"}}
	if _, err := forecast.Run(in); !errors.Is(err, forecast.ErrInvalid) || !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("horizon and bad rule: %v", err)
	}
	in = story(t)
	in.Prices.Monthly = nil
	if _, err := forecast.Run(in); !errors.Is(err, forecast.ErrInvalid) || !errors.Is(err, renewal.ErrNoPrice) {
		t.Errorf("no price: %v", err)
	}
}

// Run never changes its arguments.
func TestRunLeavesInputAlone(t *testing.T) {
	in := story(t)
	inst, wallet, n := slices.Clone(in.Instances), slices.Clone(in.Wallet), in.Journal.Len()
	if _, err := forecast.Run(in); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(inst, in.Instances) || !cmp.Equal(wallet, in.Wallet, cmp.Comparer(decimal.Decimal.Equal)) || in.Journal.Len() != n {
		t.Error("Run changed its input")
	}
}

// Grants, what a reset forfeits and auto top-ups are events too: a monthly
// credit of 50.00 for other services (a kind renewals do not draw), of which
// 10.00 rolls over and the rest is forfeited, and cash recharged to 200.00
// when it falls below 100.00.
func TestRunReportsGrantsResetsAndTopUps(t *testing.T) {
	cash := allocation.Instrument{ID: "cash", Kind: renewal.CashKind, Currency: "CNY"}
	in := forecast.Input{
		Instances: []renewal.Instance{{ID: "web", Product: "KEC", Renewable: true, Policy: renewal.Auto,
			ExpiresAt: day(2024, 1, 10, 10, 0)}},
		Journal: grantAll(t, day(2023, 12, 31, 0, 0), allocation.Wallet{cash}, "120.00"),
		Wallet:  allocation.Wallet{cash},
		Prices:  renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{"KEC": money("80.00")}},
		Loc:     cst,
		Grants: []ledger.GrantSchedule{{ID: "free", Currency: "CNY", Kind: "free_credit", Amount: money("50.00"),
			Period:   ledger.Period{Anchor: day(2024, 1, 1, 0, 0), Months: 1},
			Rollover: ledger.Rollover{MaxAmount: money("10.00")}}},
		TopUps: []ledger.AutoTopUp{{ID: "recharge", Account: ledger.InstrumentAccount("cash", "CNY"),
			Threshold: money("100.00"), Target: money("200.00"), Places: 2}},
		Start: day(2024, 1, 1, 0, 5),
		Until: day(2024, 2, 2, 0, 5),
	}
	f, err := forecast.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range f.Events {
		got = append(got, fmt.Sprintf("%s %s %s %s", e.At.Format("01-02"), e.Kind, e.Instance+e.Instrument, e.Amount.StringFixed(2)))
	}
	want := []string{
		"01-01 granted free/2024-01-01 50.00",
		// Cash pays 80 (40 left) and is recharged to 200.
		"01-10 renewed web 80.00",
		"01-10 topped_up cash 160.00",
		// Feb 1: of the 50 left, 10 rolls over, 40 is forfeited.
		"02-01 expired free/2024-01-01 40.00",
		"02-01 granted free/2024-02-01 50.00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	last := f.Events[len(f.Events)-1].Balances
	if b := last[len(last)-1]; b.Instrument != "free/2024-02-01/rollover" || !b.Amount.Equal(money("10.00")) {
		t.Errorf("last balance %+v, want the rollover account with 10.00", b)
	}
}
