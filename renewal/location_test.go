package renewal

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// stamp writes t with its offset and zone name, so two times that are the
// same instant in different Locations read differently.
func stamp(t time.Time) string { return t.Format(time.RFC3339Nano) + " " + t.Location().String() }

// errText is an error's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// observe calls every function of the package on the same inputs, with
// every time value re-attached to view (the same instants), and writes down
// what a host would see: the times the package computes or reports with
// their zone, errors as text, and the instances and wallets it hands back
// compared by value (their instants by Equal, as go-cmp does).
type observation struct {
	Text      []string
	Instances [][]Instance
	Wallets   []allocation.Wallet
	Splits    []allocation.Split
}

func observe(fleet []Instance, wallet allocation.Wallet, at time.Time, loc, view *time.Location,
	months, day int) observation {
	var o observation
	note := func(format string, args ...any) { o.Text = append(o.Text, fmt.Sprintf(format, args...)) }

	fleet = append([]Instance(nil), fleet...)
	for k := range fleet {
		fleet[k].ExpiresAt = fleet[k].ExpiresAt.In(view)
	}
	wallet = append(allocation.Wallet(nil), wallet...)
	for k := range wallet {
		if !wallet[k].ValidUntil.IsZero() {
			wallet[k].ValidUntil = wallet[k].ValidUntil.In(view)
		}
	}
	at = at.In(view)

	for _, in := range fleet {
		note("%s: next %s anchored %s, due %v, expired %v", in.ID, stamp(NextExpiry(in.ExpiresAt, months, loc)),
			stamp(in.NextExpiry(months, loc)), in.DueAt(at, loc), in.ExpiredAt(at))
		note("%s: plain anchored %s, clock %s", in.ID,
			stamp(NextExpiryAnchored(in.ExpiresAt, in.AnchorDay, in.AnchorClock, months, loc)), ClockOf(in.ExpiresAt, loc))
		_, err := in.EnableAuto(at)
		note("%s: enable auto: %s", in.ID, errText(err))
		r, err := Renew(in, months, at, loc, wallet, prices(), allocation.Policy{})
		note("%s: renew %s → %s, bill %s at %s: %s", in.ID, stamp(r.From), stamp(r.To), r.Bill.ID, stamp(r.Bill.At), errText(err))
		o.Instances = append(o.Instances, []Instance{r.Instance})
		o.Wallets = append(o.Wallets, r.Wallet)
		o.Splits = append(o.Splits, r.Split)
	}
	for _, in := range Due(fleet, at, loc) {
		note("due %s", in.ID)
	}
	run, err := RunAuto(fleet, at, loc, wallet, prices(), allocation.Policy{})
	note("run: %s", errText(err))
	for _, r := range run.Results {
		note("run %s %s %s → %s, bill %s at %s: %s", r.Instance.ID, r.Outcome, stamp(r.From), stamp(r.To),
			r.Bill.ID, stamp(r.Bill.At), errText(r.Err))
		o.Splits = append(o.Splits, r.Split)
	}
	o.Instances = append(o.Instances, run.Instances)
	o.Wallets = append(o.Wallets, run.Wallet)

	q, err := Unify(fleet, day, at, loc, prices(), allocation.Rounding{})
	note("unify: %s", errText(err))
	for _, l := range q.Lines {
		note("unify %s %s → %s clock %s days %d/%d fee %s: %s", l.Instance, stamp(l.From), stamp(l.To), l.Clock,
			l.Days, l.PeriodDays, l.Fee, errText(l.Err))
	}
	applied, err := q.Apply(fleet)
	note("apply: %s", errText(err))
	o.Instances = append(o.Instances, applied)
	// A stale quote: applied to the instances it already moved.
	if _, err := q.Apply(applied); err != nil {
		note("apply again: %s", err)
	}
	return o
}

// TestLocationIndependence: every function gives the same result for the
// same instants whatever Location the time values carry (issue 17.2): the
// account's zone, UTC (as PostgreSQL returns times) or a third zone. The
// times it computes or reports are in the account's zone loc.
func TestLocationIndependence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := loadZone(t, rapid.SampledFrom(dstZones).Draw(t, "account_zone"))
		other := loadZone(t, rapid.SampledFrom([]string{"Asia/Kathmandu", "America/Santiago", "Pacific/Chatham", "America/St_Johns"}).Draw(t, "third_zone"))
		at := time.Date(2024, 3, 1, 0, 0, 0, 0, loc).Add(time.Duration(rapid.IntRange(0, 400*24*60).Draw(t, "at_minute")) * time.Minute)
		n := rapid.IntRange(1, 5).Draw(t, "instances")
		fleet := make([]Instance, n)
		for k := range fleet {
			in := kec(fmt.Sprintf("i-%d", k), at.Add(time.Duration(rapid.IntRange(-3*24*60, 40*24*60).Draw(t, "expiry_minute"))*time.Minute))
			in.Policy = rapid.SampledFrom([]Policy{Auto, Auto, Manual}).Draw(t, "policy")
			if rapid.Bool().Draw(t, "anchored") {
				in.AnchorDay = rapid.IntRange(1, 31).Draw(t, "anchor_day")
				in.AnchorClock = clock(fmt.Sprintf("%02d:30", rapid.IntRange(0, 23).Draw(t, "anchor_hour")))
			}
			fleet[k] = in
		}
		wallet := allocation.Wallet{
			voucher("v", "30.00", at.Add(time.Duration(rapid.IntRange(-48, 48).Draw(t, "voucher_hours"))*time.Hour)),
			cash("cash", "150.00", "0"),
		}
		months := rapid.IntRange(1, 3).Draw(t, "months")
		day := rapid.IntRange(1, 31).Draw(t, "day")

		want := observe(fleet, wallet, at, loc, loc, months, day)
		for _, view := range []*time.Location{time.UTC, other} {
			got := observe(fleet, wallet, at, loc, view, months, day)
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Fatalf("inputs in %s instead of %s (-account zone +%s):\n%s", view, loc, view, diff)
			}
		}
	})
}
