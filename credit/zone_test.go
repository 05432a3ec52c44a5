package credit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/internal/stored/storedtest"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestPaidValidityCountsInCustomerZone is the case of issue 17: a credit
// bought at 2024-02-28 20:00 UTC, which is Feb 29 05:00 in Seoul. Counted on
// a Korean customer's calendar it is valid until Feb 28, 2029 05:00 KST
// (2029-02-27T20:00Z), however the host's clock or database hands the
// instant over; before, a host passing the instant in UTC got a day more.
func TestPaidValidityCountsInCustomerZone(t *testing.T) {
	seoul := storedtest.Zone(t, "Asia/Seoul")
	bought := time.Date(2024, 2, 28, 20, 0, 0, 0, time.UTC)
	want := time.Date(2029, 2, 27, 20, 0, 0, 0, time.UTC)
	for _, attached := range []*time.Location{time.UTC, seoul, storedtest.Zone(t, "America/New_York")} {
		c, err := credit.NewPaid(credit.PaidParams{ID: "PC-1", Domain: "acme", Group: "main", Currency: "KRW",
			Amount: decimal.NewFromInt(1000000), PurchasedAt: bought.In(attached)}, seoul)
		if err != nil {
			t.Fatal(err)
		}
		if !c.ValidUntil().Equal(want) {
			t.Errorf("bought %v: valid until %v; want %v (003_b4fbba3f981e0ca6.txt: 5 years from the date of purchase, in the customer's zone)",
				bought.In(attached), c.ValidUntil().UTC(), want)
		}
		if got := c.ValidUntil().In(seoul).Format(time.DateTime); got != "2029-02-28 05:00:00" {
			t.Errorf("valid until %s in Seoul; want 2029-02-28 05:00:00", got)
		}
	}
}

// TestListWindowCountsInCustomerZone: a credit used up on Nov 30 at 23:30
// in New York (Dec 1 04:30 UTC) is listed until Feb 28 at 23:30 New York
// time when the customer is there, and until Mar 1 04:30 UTC when the host
// counts in UTC, whichever Location the instants carry.
func TestListWindowCountsInCustomerZone(t *testing.T) {
	ny := storedtest.Zone(t, "America/New_York")
	usedUpAt := time.Date(2024, 11, 30, 23, 30, 0, 0, ny)
	c := usedUp(t, usedUpAt.UTC())
	for _, tc := range []struct {
		name   string
		loc    *time.Location
		at     time.Time
		listed bool
	}{
		{"ny_last_instant", ny, time.Date(2025, 2, 28, 23, 29, 59, 0, ny), true},
		{"ny_hidden", ny, time.Date(2025, 2, 28, 23, 30, 0, 0, ny), false},
		{"utc_last_instant", time.UTC, time.Date(2025, 3, 1, 4, 29, 59, 0, time.UTC), true},
		{"utc_hidden", time.UTC, time.Date(2025, 3, 1, 4, 30, 0, 0, time.UTC), false},
	} {
		for _, attached := range []*time.Location{time.UTC, ny, storedtest.Zone(t, "Asia/Seoul")} {
			got := len(credit.List([]credit.Credit{c}, "main", tc.at.In(attached), tc.loc)) == 1
			if got != tc.listed {
				t.Errorf("%s, at in %s: listed %v; want %v (003_b4fbba3f981e0ca6.txt: listed for three months)", tc.name, attached, got, tc.listed)
			}
		}
	}
}

// usedUp returns a free credit of group main used up at at.
func usedUp(t interface{ Fatal(...any) }, at time.Time) credit.Credit {
	c, err := credit.NewFree(credit.FreeParams{ID: "FC-1", Domain: "acme", Group: "main", Currency: "KRW",
		Amount: decimal.NewFromInt(100), GrantedAt: at.Add(-24 * time.Hour), ValidUntil: at.AddDate(2, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	split := allocation.Split{Bill: "B-1", Currency: "KRW", Instruments: []allocation.InstrumentResult{{ID: "FC-1", Used: decimal.NewFromInt(100), BalanceAfter: decimal.Zero}}}
	c, err = c.Apply(split, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPropertyCalendarIgnoresAttachedLocation: the same instants handed over
// in any three Locations give the same validity and the same listing.
func TestPropertyCalendarIgnoresAttachedLocation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		instant := func(label string) time.Time {
			return time.Unix(rapid.Int64Range(946684800, 4102444800).Draw(t, label), 0) // 2000–2100
		}
		customer := storedtest.Zone(t, rapid.SampledFrom(storedtest.ZoneNames).Draw(t, "customer"))
		bought, zeroAt := instant("bought"), instant("zero_at")
		at := zeroAt.Add(time.Duration(rapid.Int64Range(0, 120*24).Draw(t, "hours_later")) * time.Hour)
		var want string
		for i, name := range rapid.SliceOfN(rapid.SampledFrom(storedtest.ZoneNames), 3, 3).Draw(t, "attached") {
			in := storedtest.Zone(t, name)
			paid, err := credit.NewPaid(credit.PaidParams{ID: "PC-1", Domain: "acme", Group: "main", Currency: "KRW",
				Amount: decimal.NewFromInt(1), PurchasedAt: bought.In(in)}, customer)
			if err != nil {
				t.Fatal(err)
			}
			listed := credit.List([]credit.Credit{usedUp(t, zeroAt.In(in))}, "main", at.In(in), customer)
			got := fmt.Sprintf("paid valid until %s; listed %d", paid.ValidUntil().UTC().Format(time.RFC3339), len(listed))
			if i == 0 {
				want = got
			} else if got != want {
				t.Fatalf("instants in %s: %s; in the first Location: %s", name, got, want)
			}
		}
	})
}
