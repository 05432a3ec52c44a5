package forecast_test

import (
	"fmt"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin, whatever the machine has installed

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/forecast"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// berlin has daylight saving time.
var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// cents draws an amount of whole cents from lo to hi.
func cents(rt *rapid.T, lo, hi int64, label string) decimal.Decimal {
	return decimal.New(rapid.Int64Range(lo, hi).Draw(rt, label), -2)
}

// genInput draws an account: auto and manual instances expiring over the
// next weeks, vouchers expiring, a gift balance, cash, maybe a monthly
// grant of gift credit with rollover and maybe an auto top-up of the cash.
// The horizon is left to the caller.
func genInput(rt *rapid.T) forecast.Input {
	// Beijing time, or Berlin's, whose clocks change on March 31 and
	// October 27, 2024 (runs at 02:30 meet the spring gap).
	loc := rapid.SampledFrom([]*time.Location{cst, berlin}).Draw(rt, "loc")
	start := time.Date(2024, time.Month(rapid.IntRange(1, 12).Draw(rt, "month")), rapid.IntRange(1, 28).Draw(rt, "start"),
		rapid.SampledFrom([]int{0, 2}).Draw(rt, "hour"), 30, 0, 0, loc)
	products := []string{"KEC", "KRDS", "EBS"}
	in := forecast.Input{
		Prices: renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
			"KEC": money("100.00"), "KRDS": money("300.00"), "EBS": cents(rt, 1, 9999, "ebs")}},
		Loc:   loc,
		Start: start,
	}
	for k := range rapid.IntRange(1, 5).Draw(rt, "instances") {
		in.Instances = append(in.Instances, renewal.Instance{
			ID: fmt.Sprintf("i%d", k), Product: rapid.SampledFrom(products).Draw(rt, "product"),
			Kind:      rapid.SampledFrom([]renewal.Kind{"", "", "", renewal.Trial}).Draw(rt, "kind"),
			Renewable: true, Policy: rapid.SampledFrom([]renewal.Policy{renewal.Auto, renewal.Auto, renewal.Auto, renewal.Manual}).Draw(rt, "policy"),
			// Some expire before the first run: their window has passed
			// (missed), or they failed already (blocked).
			ExpiresAt:   start.Add(time.Duration(rapid.IntRange(-48, 40*24).Draw(rt, "expires")) * time.Hour),
			AutoBlocked: rapid.IntRange(0, 5).Draw(rt, "blocked") == 0,
		})
		if in.Instances[k].AutoBlocked {
			in.Instances[k].Status = renewal.Expired
		}
	}
	var amounts []decimal.Decimal
	for k := range rapid.IntRange(0, 3).Draw(rt, "vouchers") {
		in.Wallet = append(in.Wallet, allocation.Instrument{ID: fmt.Sprintf("v%d", k), Kind: renewal.VoucherKind,
			Currency: "CNY", ValidUntil: start.AddDate(0, 0, rapid.IntRange(1, 60).Draw(rt, "valid"))})
		amounts = append(amounts, cents(rt, 1, 30000, "voucher"))
	}
	if rapid.Bool().Draw(rt, "coupon") {
		// A single-use 20 % coupon capped at its balance: it discounts
		// one renewal, then is used up.
		in.Wallet = append(in.Wallet, allocation.Instrument{ID: "coupon", Kind: renewal.VoucherKind, Currency: "CNY",
			Percent: decimal.NewNullDecimal(money("20"))})
		amounts = append(amounts, cents(rt, 1000, 20000, "coupon cap"))
	}
	in.Wallet = append(in.Wallet,
		allocation.Instrument{ID: "gift", Kind: renewal.GiftKind, Currency: "CNY"},
		allocation.Instrument{ID: "cash", Kind: renewal.CashKind, Currency: "CNY"})
	amounts = append(amounts, cents(rt, 0, 10000, "gift"), cents(rt, 0, 60000, "cash"))
	for k, w := range in.Wallet {
		var err error
		in.Journal, _, err = in.Journal.Apply(ledger.Grant("grant:"+w.ID, start.Add(-time.Hour), ledger.TermsOf(w), amounts[k], ""))
		if err != nil {
			rt.Fatal(err)
		}
	}
	if rapid.Bool().Draw(rt, "grants") {
		in.Grants = []ledger.GrantSchedule{{ID: "monthly", Currency: "CNY", Kind: renewal.GiftKind,
			Amount:   cents(rt, 100, 10000, "grant"),
			Period:   ledger.Period{Anchor: day(2024, 1, rapid.IntRange(1, 28).Draw(rt, "anchor"), 0, 0), Months: 1},
			Rollover: ledger.Rollover{MaxPercent: money("50"), Places: 2}}}
	}
	if rapid.Bool().Draw(rt, "topup") {
		in.TopUps = []ledger.AutoTopUp{{ID: "recharge", Account: ledger.InstrumentAccount("cash", "CNY"),
			Threshold: cents(rt, 0, 20000, "threshold"), Amount: cents(rt, 1, 20000, "increment"), Places: 2,
			Cap: cents(rt, 0, 50000, "cap"), CapPeriod: ledger.Period{Anchor: day(2024, 1, 1, 0, 0), Months: 1}}}
	}
	return in
}

// host is what a host's daily job does, written out with the library's
// functions, without the forecast package: every day reset every grant
// schedule (a replay after the first day of a period), expire, top up,
// run the automatic renewals and book them, top up again.
type host struct {
	j         ledger.Journal
	instances []renewal.Instance
	defs      allocation.Wallet
	failures  []string
	renewals  int
}

func (h *host) apply(t fataler, txs ...ledger.Transaction) {
	t.Helper()
	j, _, _, err := h.j.ApplyAll(txs)
	if err != nil {
		t.Fatal(err)
	}
	h.j = j
}

func (h *host) topUps(t fataler, in forecast.Input, at time.Time) {
	for _, r := range in.TopUps {
		c, ok, err := ledger.EvaluateTopUp(h.j, r, at, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			tx, err := c.Book(h.j, at)
			if err != nil {
				t.Fatal(err)
			}
			h.apply(t, tx)
		}
	}
}

func (h *host) run(t fataler, in forecast.Input, at time.Time) {
	for _, g := range in.Grants {
		if n := g.Period.Index(at); n >= 0 {
			r, err := g.Reset(h.j, n)
			if err != nil {
				t.Fatal(err)
			}
			h.apply(t, r.Transactions...)
		}
	}
	if tx, ok := ledger.Expire(h.j, at); ok {
		h.apply(t, tx)
	}
	h.topUps(t, in, at)
	// The wallet: the definitions, and this period's grant and rollover
	// accounts, valid until the next period starts.
	wallet := slices.Clone(h.defs)
	for _, g := range in.Grants {
		if n := g.Period.Index(at); n >= 0 {
			for _, a := range []ledger.Account{g.GrantAccount(n), g.RolloverAccount(n)} {
				wallet = append(wallet, allocation.Instrument{ID: a.Instrument(), Kind: g.Kind, Currency: g.Currency,
					ValidUntil: g.Period.Start(n + 1)})
			}
		}
	}
	wallet = ledger.WithBalances(h.j, wallet)
	run, err := renewal.RunAuto(h.instances, at, in.Loc, wallet, in.Prices, in.Policy, in.Reusable...)
	if err != nil {
		t.Fatal(err)
	}
	h.instances = run.Instances
	copy(h.defs, run.Wallet[:len(h.defs)])
	for k := range h.defs {
		h.defs[k].Balance = decimal.Zero // the journal owns balances
	}
	for _, r := range run.Results {
		switch r.Outcome {
		case renewal.Renewed:
			tx, err := ledger.FromSplit(r.Bill, wallet, r.Split, ledger.SpendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h.apply(t, tx)
			h.renewals++
		case renewal.Failed:
			h.failures = append(h.failures, fmt.Sprintf("%s %s %s", at.Format(time.DateOnly), r.Instance.ID, r.Split.Outstanding))
		}
	}
	h.topUps(t, in, at)
}

// A forecast over n days is the real functions run day by day for n days:
// the same journal, transaction for transaction, the same instances and the
// same failures, each missing the same amount.
func TestForecastIsTheRealRun(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		in := genInput(rt)
		n := rapid.IntRange(1, 70).Draw(rt, "days")
		in.Until = in.Start.AddDate(0, 0, n)
		f, err := forecast.Run(in)
		if err != nil {
			rt.Fatal(err)
		}
		h := host{j: in.Journal, instances: slices.Clone(in.Instances), defs: slices.Clone(in.Wallet)}
		for k := range n {
			h.run(rt, in, in.Start.In(in.Loc).AddDate(0, 0, k))
		}
		if f.Runs != n {
			rt.Fatalf("runs %d, want %d", f.Runs, n)
		}
		var want, got []ledger.Transaction
		for _, tx := range h.j.Transactions() {
			want = append(want, tx)
		}
		for _, tx := range f.Journal.Transactions() {
			got = append(got, tx)
		}
		if len(want) != len(got) {
			rt.Fatalf("journal: %d transactions, the real run booked %d", len(got), len(want))
		}
		for k := range want {
			if !want[k].Equal(got[k]) {
				rt.Fatalf("transaction %d: forecast %+v, real run %+v", k, got[k], want[k])
			}
		}
		if diff := cmp.Diff(h.instances, f.Instances); diff != "" {
			rt.Fatalf("instances (-real +forecast):\n%s", diff)
		}
		var failures []string
		renewals := 0
		for _, e := range f.Events {
			switch e.Kind {
			case forecast.Failed:
				failures = append(failures, fmt.Sprintf("%s %s %s", e.At.Format(time.DateOnly), e.Instance, e.Missing))
			case forecast.Renewed:
				renewals++
			}
		}
		if diff := cmp.Diff(h.failures, failures); diff != "" {
			rt.Fatalf("failures (-real +forecast):\n%s", diff)
		}
		if renewals != h.renewals {
			rt.Fatalf("renewals %d, real run %d", renewals, h.renewals)
		}
		// Each event's balances are the journal's at that point: the last
		// event's are the final journal's.
		if len(f.Events) > 0 {
			for _, b := range f.Events[len(f.Events)-1].Balances {
				if bal := f.Journal.Balance(ledger.InstrumentAccount(b.Instrument, "CNY")); !bal.Equal(b.Amount) && lastIsLast(f) {
					rt.Fatalf("balance of %s after the last event %s, journal says %s", b.Instrument, b.Amount, bal)
				}
			}
		}
	})
}

// lastIsLast reports whether the last event booked the journal's last
// transaction (or nothing after it was booked), so that its balances are the
// journal's final ones.
func lastIsLast(f forecast.Forecast) bool {
	e := f.Events[len(f.Events)-1]
	if e.Transaction == "" {
		return false
	}
	var last string
	for _, tx := range f.Journal.Transactions() {
		last = tx.ID
	}
	return last == e.Transaction
}

// fataler is what the host loop needs of a *testing.T or *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
}
