package renewal

import (
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/calendar"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func TestUnify(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		expiry   time.Time
		anchor   int
		day      int
		monthly  string
		currency string
		rounding allocation.Rounding
		to       time.Time
		days     int
		period   int
		fee      string
	}{
		{
			name:   "later_this_month",
			reason: seedRenewal + ": unified expiration time; Mar 10 → Mar 15 is 5 of the 31 days of the month starting Mar 10",
			expiry: at(shanghai, 2024, 3, 10, 10, 0), day: 15, monthly: "100.00",
			to: at(shanghai, 2024, 3, 15, 10, 0), days: 5, period: 31, fee: "16.13",
		},
		{
			name:   "next_month",
			reason: seedRenewal + ": unified expiration time; Mar 20 → Apr 15 is 26 of 31 days",
			expiry: at(shanghai, 2024, 3, 20, 10, 0), day: 15, monthly: "100.00",
			to: at(shanghai, 2024, 4, 15, 10, 0), days: 26, period: 31, fee: "83.87",
		},
		{
			name:   "already_aligned",
			reason: "contract: zero days cost zero and the expiry stays",
			expiry: at(shanghai, 2024, 3, 15, 10, 0), day: 15, monthly: "100.00",
			to: at(shanghai, 2024, 3, 15, 10, 0), days: 0, period: 31, fee: "0.00",
		},
		{
			name:   "day_clamped_to_month_end",
			reason: "contract: in a month shorter than the day, the last day; Apr 10 → Apr 30 is 20 of 30 days",
			expiry: at(shanghai, 2024, 4, 10, 10, 0), day: 31, monthly: "100.00",
			to: at(shanghai, 2024, 4, 30, 10, 0), days: 20, period: 30, fee: "66.67",
		},
		{
			name:   "whole_month_costs_the_monthly_price",
			reason: "contract: Jan 31 aligned to the 28th reaches Feb 28, exactly one billing month",
			expiry: at(shanghai, 2023, 1, 31, 10, 0), day: 28, monthly: "99.99",
			to: at(shanghai, 2023, 2, 28, 10, 0), days: 28, period: 28, fee: "99.99",
		},
		{
			name:   "clamped_day_already_aligned",
			reason: "contract: Feb 29 is the 30th of February, so aligning to the 30th adds nothing",
			expiry: at(shanghai, 2024, 2, 29, 10, 0), anchor: 31, day: 30, monthly: "100.00",
			to: at(shanghai, 2024, 2, 29, 10, 0), days: 0, period: 31, fee: "0.00",
		},
		{
			name:   "period_uses_the_hidden_anchor",
			reason: "contract: the billing month from Feb 29 anchored on the 31st ends Mar 31 (31 days)",
			expiry: at(shanghai, 2024, 2, 29, 10, 0), anchor: 31, day: 15, monthly: "100.00",
			to: at(shanghai, 2024, 3, 15, 10, 0), days: 15, period: 31, fee: "48.39",
		},
		{
			name:   "tie_half_even_down",
			reason: "DESIGN Money: rounded once with the policy mode; 3.75/30 = 0.125 → 0.12 half-even",
			expiry: at(shanghai, 2024, 4, 10, 10, 0), day: 11, monthly: "3.75",
			to: at(shanghai, 2024, 4, 11, 10, 0), days: 1, period: 30, fee: "0.12",
		},
		{
			name:   "tie_half_even_up",
			reason: "DESIGN Money: 4.05/30 = 0.135 → 0.14 half-even",
			expiry: at(shanghai, 2024, 4, 10, 10, 0), day: 11, monthly: "4.05",
			to: at(shanghai, 2024, 4, 11, 10, 0), days: 1, period: 30, fee: "0.14",
		},
		{
			name:   "tie_half_up",
			reason: "DESIGN Money: 3.75/30 = 0.125 → 0.13 half-up",
			expiry: at(shanghai, 2024, 4, 10, 10, 0), day: 11, monthly: "3.75",
			rounding: allocation.Rounding{Places: 2, Mode: allocation.HalfUp},
			to:       at(shanghai, 2024, 4, 11, 10, 0), days: 1, period: 30, fee: "0.13",
		},
		{
			name:   "down_truncates",
			reason: "DESIGN Money: 100×26/31 = 83.870… → 83.87 down, 83.8 at one place",
			expiry: at(shanghai, 2024, 3, 20, 10, 0), day: 15, monthly: "100.00",
			rounding: allocation.Rounding{Places: 1, Mode: allocation.Down},
			to:       at(shanghai, 2024, 4, 15, 10, 0), days: 26, period: 31, fee: "83.8",
		},
		{
			name:   "currency_places_with_a_mode",
			reason: "allocation.Rounding: Places CurrencyPlaces with a Mode keeps CNY's 2 places; 3.75/30 = 0.125 → 0.13 half-up",
			expiry: at(shanghai, 2024, 4, 10, 10, 0), day: 11, monthly: "3.75",
			rounding: allocation.Rounding{Places: allocation.CurrencyPlaces, Mode: allocation.HalfUp},
			to:       at(shanghai, 2024, 4, 11, 10, 0), days: 1, period: 30, fee: "0.13",
		},
		{
			name:   "places_without_mode_is_half_even",
			reason: "allocation.Rounding: Places with an empty Mode rounds half-even; 0.125 → 0.12",
			expiry: at(shanghai, 2024, 4, 10, 10, 0), day: 11, monthly: "3.75",
			rounding: allocation.Rounding{Places: 2},
			to:       at(shanghai, 2024, 4, 11, 10, 0), days: 1, period: 30, fee: "0.12",
		},
		{
			name:   "whole_units_of_a_cent_currency",
			reason: "allocation.Rounding: Places 0 with a Mode rounds to whole units; 16.13 → 16",
			expiry: at(shanghai, 2024, 3, 10, 10, 0), day: 15, monthly: "100.00",
			rounding: allocation.Rounding{Mode: allocation.HalfUp},
			to:       at(shanghai, 2024, 3, 15, 10, 0), days: 5, period: 31, fee: "16",
		},
		{
			name:   "currency_without_minor_unit",
			reason: "allocation.Rounding: the zero Rounding is the currency's minor units; JPY has none",
			expiry: at(shanghai, 2024, 3, 10, 10, 0), day: 15, monthly: "1000", currency: "JPY",
			to: at(shanghai, 2024, 3, 15, 10, 0), days: 5, period: 31, fee: "161",
		},
		{
			name:   "currency_with_three_places",
			reason: "allocation.Rounding: the zero Rounding is the currency's minor units; KWD has three",
			expiry: at(shanghai, 2024, 3, 10, 10, 0), day: 15, monthly: "100", currency: "KWD",
			to: at(shanghai, 2024, 3, 15, 10, 0), days: 5, period: 31, fee: "16.129",
		},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := kec("web", tc.expiry)
			in.AnchorDay = tc.anchor
			cur := tc.currency
			if cur == "" {
				cur = "CNY"
			}
			p := Prices{Currency: cur, Monthly: map[string]decimal.Decimal{"KEC": dec(tc.monthly)}}
			q, err := Unify([]Instance{in}, tc.day, tc.expiry.Add(-24*time.Hour), shanghai, p, tc.rounding)
			if err != nil {
				t.Fatalf("Unify: %v", err)
			}
			if len(q.Lines) != 1 {
				t.Fatalf("%d lines", len(q.Lines))
			}
			l := q.Lines[0]
			if l.Err != nil || l.Instance != "web" || l.Product != "KEC" || !l.From.Equal(tc.expiry) ||
				!l.To.Equal(tc.to) || l.Days != tc.days || l.PeriodDays != tc.period || !l.Monthly.Equal(dec(tc.monthly)) {
				t.Errorf("line %+v\nwant to %s, %d of %d days\nreason: %s", l, tc.to, tc.days, tc.period, tc.reason)
			}
			if !l.Fee.Equal(dec(tc.fee)) || !q.Total.Equal(l.Fee) {
				t.Errorf("fee %s, total %s, want %s\nreason: %s", l.Fee, q.Total, tc.fee, tc.reason)
			}
			if q.Day != tc.day || q.Currency != cur {
				t.Errorf("quote day %d currency %s", q.Day, q.Currency)
			}
		})
	}
}

func TestUnifyFleet(t *testing.T) {
	quoteAt := at(shanghai, 2024, 3, 12, 9, 0)
	mk := func(id, product string, expiry time.Time, edit func(*Instance)) Instance {
		in := kec(id, expiry)
		in.Product = product
		if edit != nil {
			edit(&in)
		}
		return in
	}
	fleet := []Instance{
		mk("web-2", "KEC", at(shanghai, 2024, 3, 20, 10, 0), func(i *Instance) { i.Policy = Manual }),
		mk("trial", "KEC", at(shanghai, 2024, 3, 18, 10, 0), func(i *Instance) { i.Kind = Trial }),
		mk("web-1", "KEC", at(shanghai, 2024, 3, 20, 10, 0), nil),
		mk("db", "KRDS", at(shanghai, 2024, 3, 25, 0, 0), nil),
		mk("lapsed", "KEC", at(shanghai, 2024, 3, 11, 10, 0), nil),
		mk("kad", "KAD", at(shanghai, 2024, 3, 14, 10, 0), func(i *Instance) { i.Renewable = false }),
		mk("unpriced", "KXX", at(shanghai, 2024, 3, 11, 10, 0), nil), // expired: no price needed
	}
	orig := slices.Clone(fleet)
	q, err := Unify(fleet, 1, quoteAt, shanghai, prices(), allocation.Rounding{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID   string
		Days int
		Fee  string
		Err  error
	}
	var got []row
	for _, l := range q.Lines {
		got = append(got, row{l.Instance, l.Days, l.Fee.StringFixed(2), l.Err})
	}
	// Renewal order; 004_436d555c5a6b9a35.txt excludes trial instances and
	// KAD from renewal management; expired instances must be renewed first.
	want := []row{
		{"lapsed", 0, "0.00", ErrExpired},
		{"unpriced", 0, "0.00", ErrExpired},
		{"kad", 0, "0.00", ErrProductNotRenewable},
		{"trial", 0, "0.00", ErrTrial},
		{"web-1", 12, "38.71", nil}, // 100 × 12/31 = 38.709…
		{"web-2", 12, "38.71", nil},
		{"db", 7, "67.74", nil}, // Mar 25 00:00 → Apr 1 00:00: 300 × 7/31 = 67.741…
	}
	errIs := cmp.Comparer(func(a, b error) bool {
		return a == nil && b == nil || a != nil && b != nil && (errors.Is(a, b) || errors.Is(b, a))
	})
	if diff := cmp.Diff(want, got, errIs); diff != "" {
		t.Errorf("quote (-want +got):\n%s", diff)
	}
	if !q.Total.Equal(dec("145.16")) {
		t.Errorf("total %s, want 145.16", q.Total)
	}
	if diff := cmp.Diff(orig, fleet); diff != "" {
		t.Errorf("Unify changed its input:\n%s", diff)
	}

	// The bill to pay first: one line per aligned instance with a fee.
	b := q.Bill("unify-1", quoteAt)
	var lines []string
	for _, l := range b.Lines {
		lines = append(lines, l.ID+"/"+l.Product+"/"+l.Amount.StringFixed(2))
	}
	if diff := cmp.Diff([]string{"web-1/KEC/38.71", "web-2/KEC/38.71", "db/KRDS/67.74"}, lines); diff != "" {
		t.Errorf("bill lines (-want +got):\n%s", diff)
	}
	if b.ID != "unify-1" || b.Currency != "CNY" || !b.At.Equal(quoteAt) || b.Mode != BillMode {
		t.Errorf("bill %+v", b)
	}
	split, err := allocation.Allocate(b, allocation.Wallet{cash("cash", "1000.00", "0")}, DefaultPolicy())
	if err != nil || !split.Outstanding.IsZero() || !split.Paid.Equal(q.Total) {
		t.Errorf("paying the quote: %+v, %v", split, err)
	}

	// Applying moves the aligned expiries and anchors them on the day.
	applied, err := q.Apply(fleet)
	if err != nil {
		t.Fatal(err)
	}
	wantFleet := slices.Clone(fleet)
	for k, in := range wantFleet {
		switch in.ID {
		case "web-1", "web-2":
			wantFleet[k].ExpiresAt, wantFleet[k].AnchorDay, wantFleet[k].AnchorClock = at(shanghai, 2024, 4, 1, 10, 0), 1, clock("10:00")
		case "db":
			wantFleet[k].ExpiresAt, wantFleet[k].AnchorDay, wantFleet[k].AnchorClock = at(shanghai, 2024, 4, 1, 0, 0), 1, clock("00:00")
		}
	}
	if diff := cmp.Diff(wantFleet, applied); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(orig, fleet); diff != "" {
		t.Errorf("Apply changed its input:\n%s", diff)
	}
	// Applying twice is refused: the expiries moved.
	if _, err := q.Apply(applied); !errors.Is(err, ErrStale) {
		t.Errorf("second Apply: %v, want ErrStale", err)
	}
	// A missing or duplicated instance is refused too.
	if _, err := q.Apply(slices.Delete(slices.Clone(fleet), 1, 2)); err != nil { // without the trial
		t.Errorf("Apply without a refused instance: %v", err)
	}
	if _, err := q.Apply(fleet[:2]); !errors.Is(err, ErrStale) {
		t.Errorf("Apply without web-1: %v, want ErrStale", err)
	}
	if _, err := q.Apply(append(slices.Clone(fleet), fleet[2])); !errors.Is(err, ErrStale) {
		t.Errorf("Apply with web-1 twice: %v, want ErrStale", err)
	}
	// The zero Quote changes nothing.
	if got, err := (Quote{}).Apply(fleet); err != nil || cmp.Diff(fleet, got) != "" {
		t.Errorf("zero Quote Apply: %v", err)
	}
}

func TestUnifyThenRenew(t *testing.T) {
	// After aligning to the 31st, monthly renewals stay on the month's end.
	in := kec("web", at(shanghai, 2024, 4, 10, 10, 0))
	q, err := Unify([]Instance{in}, 31, at(shanghai, 2024, 4, 1, 0, 0), shanghai, prices(), allocation.Rounding{})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := q.Apply([]Instance{in})
	if err != nil {
		t.Fatal(err)
	}
	if got := fleet[0].ExpiresAt; !got.Equal(at(shanghai, 2024, 4, 30, 10, 0)) {
		t.Fatalf("aligned to %s", got)
	}
	if got := fleet[0].NextExpiry(1, shanghai); !got.Equal(at(shanghai, 2024, 5, 31, 10, 0)) {
		t.Errorf("next renewal %s, want May 31", got)
	}
}

func TestUnifyInvalid(t *testing.T) {
	good := []Instance{kec("web", expiry)}
	tests := []struct {
		name      string
		reason    string
		instances []Instance
		day       int
		at        time.Time
		prices    func(*Prices)
		rounding  allocation.Rounding
		want      []error
		problems  int
	}{
		{"day_zero", "contract: day is 1..31", good, 0, runAt, nil, allocation.Rounding{}, []error{ErrInvalid}, 1},
		{"day_32", "contract: day is 1..31", good, 32, runAt, nil, allocation.Rounding{}, []error{ErrInvalid}, 1},
		{"zero_at", "time is an argument", good, 1, time.Time{}, nil, allocation.Rounding{}, []error{ErrInvalid}, 1},
		{"duplicate_ids", "quotes name instances by id",
			[]Instance{kec("web", expiry), kec("web", expiry)}, 1, runAt, nil, allocation.Rounding{}, []error{ErrInvalid}, 1},
		{"no_price", "an instance to align must be priced", good, 1, runAt,
			func(p *Prices) { delete(p.Monthly, "KEC") }, allocation.Rounding{}, []error{ErrInvalid, ErrNoPrice}, 1},
		{"bad_mode", "rounding modes are half_even, half_up, down", good, 1, runAt, nil,
			allocation.Rounding{Places: 2, Mode: "ceiling"}, []error{ErrInvalid}, 1},
		{"negative_places", "rounding places are 0..18 (or CurrencyPlaces, -1)", good, 1, runAt, nil,
			allocation.Rounding{Places: -2, Mode: allocation.Down}, []error{ErrInvalid}, 1},
		{"too_many_places", "rounding places are 0..18", good, 1, runAt, nil,
			allocation.Rounding{Places: 19}, []error{ErrInvalid}, 1},
		{"bad_currency", "prices need an ISO 4217 currency", good, 1, runAt,
			func(p *Prices) { p.Currency = "" }, allocation.Rounding{}, []error{ErrInvalid}, 1},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			p := prices()
			if tc.prices != nil {
				tc.prices(&p)
			}
			q, err := Unify(tc.instances, tc.day, tc.at, shanghai, p, tc.rounding)
			checkWraps(t, "Unify", err, tc.want)
			checkProblems(t, "Unify", err, tc.problems)
			if q.Lines != nil || q.Day != 0 {
				t.Errorf("Unify returned a quote with an error: %+v", q)
			}
		})
	}
	// Boundaries that are valid.
	for _, r := range []allocation.Rounding{{Places: 18}, {Places: 0, Mode: allocation.Down}} {
		if _, err := Unify(good, 31, runAt, nil, prices(), r); err != nil {
			t.Errorf("rounding %+v: %v", r, err)
		}
	}
	if _, err := Unify(good, 1, runAt, nil, prices(), allocation.Rounding{}); err != nil {
		t.Errorf("day 1: %v", err)
	}
}

// ratRound rounds the exact fraction n/d (n ≥ 0, d > 0) to places with
// mode: the slow obvious reference for divRound.
func ratRound(n, d *big.Rat, places int32, mode allocation.RoundingMode) decimal.Decimal {
	x := new(big.Rat).Quo(n, d)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	x.Mul(x, new(big.Rat).SetInt(scale))
	q, r := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	twice := new(big.Int).Mul(r, big.NewInt(2))
	switch c := twice.Cmp(x.Denom()); {
	case mode == allocation.Down || r.Sign() == 0:
	case c > 0, c == 0 && mode == allocation.HalfUp, c == 0 && q.Bit(0) == 1:
		q.Add(q, big.NewInt(1))
	}
	return decimal.NewFromBigInt(q, -places)
}

func TestProrateProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cents := rapid.Int64Range(0, 1_000_000_00).Draw(t, "cents")
		scale := rapid.Int32Range(0, 4).Draw(t, "scale")
		monthly := decimal.New(cents, -scale)
		period := rapid.IntRange(28, 31).Draw(t, "period")
		days := rapid.IntRange(0, period).Draw(t, "days")
		places := rapid.Int32Range(0, 4).Draw(t, "places")
		mode := rapid.SampledFrom([]allocation.RoundingMode{allocation.HalfEven, allocation.HalfUp, allocation.Down}).Draw(t, "mode")

		if got := prorate(monthly, period, period, places, mode); !got.Equal(monthly) {
			t.Fatalf("whole month: %s, want the monthly price %s", got, monthly)
		}
		if got := prorate(monthly, 0, period, places, mode); !got.IsZero() {
			t.Fatalf("zero days: %s", got)
		}
		if got := prorate(monthly, days+1, 0, places, mode); !got.IsZero() {
			t.Fatalf("an empty period: %s, want zero (nothing to divide by)", got)
		}
		got := prorate(monthly, days, period, places, mode)
		if days > 0 && days < period {
			want := ratRound(new(big.Rat).Mul(monthly.Rat(), big.NewRat(int64(days), 1)), big.NewRat(int64(period), 1), places, mode)
			if !got.Equal(want) {
				t.Fatalf("%s × %d/%d at %d %s = %s, want %s", monthly, days, period, places, mode, got, want)
			}
		}
		if got.Sign() < 0 || got.Cmp(monthly.RoundUp(places)) > 0 {
			t.Fatalf("fee %s outside 0..%s", got, monthly)
		}
	})
}

func TestUnifyProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := genLoc(t)
		e := genTime(t, loc, "expiry")
		day := rapid.IntRange(1, 31).Draw(t, "day")
		cents := rapid.Int64Range(0, 10_000_00).Draw(t, "cents")
		p := Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{"KEC": decimal.New(cents, -2)}}
		in := kec("web", e)
		q, err := Unify([]Instance{in}, day, e.Add(-time.Hour), loc, p, allocation.Rounding{})
		if err != nil {
			t.Fatal(err)
		}
		l := q.Lines[0]
		if l.Err != nil {
			t.Fatal(l.Err)
		}
		if l.Days < 0 || l.Days > l.PeriodDays || l.PeriodDays < 28 || l.PeriodDays > 31 {
			t.Fatalf("%d of %d days", l.Days, l.PeriodDays)
		}
		if l.To.Before(l.From) || l.To.After(in.NextExpiry(1, loc)) {
			t.Fatalf("aligned %s → %s, beyond one month", l.From, l.To)
		}
		if l.Days == 0 && (!l.Fee.IsZero() || !l.To.Equal(l.From)) {
			t.Fatalf("zero days: fee %s, %s → %s", l.Fee, l.From, l.To)
		}
		if l.Days == l.PeriodDays && !l.Fee.Equal(l.Monthly) {
			t.Fatalf("whole month: fee %s, monthly %s", l.Fee, l.Monthly)
		}
		// To reads the aligned day at From's wall-clock time, unless that
		// civil time does not exist (a DST gap, Apia's lost 2011-12-30):
		// then it lands after it, within a day.
		from, to := l.From.In(loc), l.To.In(loc)
		fy, fm, fd := from.Date()
		next := 0
		if min(day, calendar.DaysIn(fy, fm)) < fd {
			next = 1
		}
		wy, wm, wd := calendar.AddMonths(fy, fm, day, next)
		want := time.Date(wy, wm, wd, from.Hour(), from.Minute(), from.Second(), 0, time.UTC)
		shifted := !civil(to).Equal(want)
		if shifted {
			back := time.Date(want.Year(), want.Month(), want.Day(), want.Hour(), want.Minute(), want.Second(), 0, loc)
			if civil(back).Equal(want) || !civil(to).After(want) || civil(to).Sub(want) > 25*time.Hour {
				t.Fatalf("aligned to %s, want %s in %s", to, want.Format("2006-01-02 15:04"), loc)
			}
		}
		if l.Fee.Sign() < 0 || l.Fee.Cmp(l.Monthly) > 0 || !q.Total.Equal(l.Fee) {
			t.Fatalf("fee %s, monthly %s, total %s", l.Fee, l.Monthly, q.Total)
		}
		// Applying the quote, then quoting again, adds nothing.
		applied, err := q.Apply([]Instance{in})
		if err != nil {
			t.Fatal(err)
		}
		q2, err := Unify(applied, day, e.Add(-time.Hour), loc, p, allocation.Rounding{})
		if err != nil {
			t.Fatal(err)
		}
		if l2 := q2.Lines[0]; l2.Days != 0 && !shifted {
			t.Fatalf("aligned again by %d days", l2.Days)
		}
	})
}

func TestUnifyKeepsAnAlignedExpiryExactly(t *testing.T) {
	// 01:30 occurs twice on 2024-11-03 in New York. An instance expiring at
	// the second one (EST) is already on the 3rd: aligning it must not move
	// it to the first 01:30, an hour earlier.
	ny := zone(t, "America/New_York")
	second := time.Date(2024, 11, 3, 6, 30, 0, 0, time.UTC).In(ny)
	in := kec("web", second)
	q, err := Unify([]Instance{in}, 3, second.Add(-48*time.Hour), ny, prices(), allocation.Rounding{})
	if err != nil {
		t.Fatal(err)
	}
	if l := q.Lines[0]; !l.To.Equal(second) || l.Days != 0 || !l.Fee.IsZero() {
		t.Errorf("aligned %s → %s (%d days, fee %s), want unchanged", l.From, l.To, l.Days, l.Fee)
	}
}

func TestQuoteBillSkipsFreeLines(t *testing.T) {
	// Zero-day and free-product lines have nothing to pay.
	p := prices()
	free := kec("free", at(shanghai, 2024, 3, 20, 10, 0))
	free.Product = "FREE"
	q, err := Unify([]Instance{kec("aligned", at(shanghai, 2024, 4, 1, 10, 0)), free,
		kec("web", at(shanghai, 2024, 3, 20, 10, 0))}, 1, runAt, shanghai, p, allocation.Rounding{})
	if err != nil {
		t.Fatal(err)
	}
	b := q.Bill("b", runAt)
	if len(b.Lines) != 1 || b.Lines[0].ID != "web" {
		t.Errorf("bill lines %+v, want web only", b.Lines)
	}
	if n := len(q.Lines); n != 3 {
		t.Errorf("%d quote lines, want 3", n)
	}
}

func TestQuoteApplyDuplicate(t *testing.T) {
	a, b := kec("a", at(shanghai, 2024, 3, 20, 10, 0)), kec("b", at(shanghai, 2024, 3, 20, 10, 0))
	q, err := Unify([]Instance{a, b}, 1, runAt, shanghai, prices(), allocation.Rounding{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Apply([]Instance{a, b, b}); !errors.Is(err, ErrStale) {
		t.Errorf("Apply with b twice: %v, want ErrStale", err)
	}
	if _, err := q.Apply([]Instance{a, a, b}); !errors.Is(err, ErrStale) {
		t.Errorf("Apply with a twice: %v, want ErrStale", err)
	}
}
