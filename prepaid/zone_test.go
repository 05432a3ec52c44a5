package prepaid_test

import (
	"testing"
	"time"

	"github.com/billfold/billfold/internal/stored/storedtest"
	"github.com/billfold/billfold/prepaid"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestCardValidityCountsInCustomerZone: a card bought on Aug 31 at 02:00 in
// Shanghai (Aug 30 18:00 UTC) is valid for six months on the Chinese
// customer's calendar, until Feb 28 at 02:00 there, whichever Location the
// host passes the instant in; counted in UTC it would end on Feb 28 at 18:00
// UTC (Aug 30 + 6 months), a whole day later.
func TestCardValidityCountsInCustomerZone(t *testing.T) {
	shanghai := storedtest.Zone(t, "Asia/Shanghai")
	rules := prepaid.GuanceRules()
	rules.ValidMonths = 6
	bought := time.Date(2024, 8, 31, 2, 0, 0, 0, shanghai)
	for _, tc := range []struct {
		loc  *time.Location
		want time.Time
	}{
		{shanghai, time.Date(2025, 2, 28, 2, 0, 0, 0, shanghai)},
		{time.UTC, time.Date(2025, 2, 28, 18, 0, 0, 0, time.UTC)},
	} {
		for _, attached := range []*time.Location{time.UTC, shanghai, storedtest.Zone(t, "Europe/London")} {
			p, err := rules.Purchase(prepaid.PurchaseParams{ID: "PC-1", Account: "acct", Denomination: decimal.NewFromInt(100), At: bought.In(attached)}, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Card.ValidUntil(); !got.Equal(tc.want) || got.Location() != tc.loc {
				t.Errorf("counted in %s, bought %v: valid until %v; want %v (002_974120889ed2e661.txt: cards have a validity period)", tc.loc, bought.In(attached), got, tc.want)
			}
		}
	}
}

// TestPropertyCardValidityIgnoresAttachedLocation: the same purchase
// instant handed over in any three Locations gives the same validity, in
// the customer's zone.
func TestPropertyCardValidityIgnoresAttachedLocation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rules := prepaid.GuanceRules()
		rules.ValidMonths = rapid.IntRange(1, 36).Draw(t, "months")
		customer := storedtest.Zone(t, rapid.SampledFrom(storedtest.ZoneNames).Draw(t, "customer"))
		bought := time.Unix(rapid.Int64Range(946684800, 4102444800).Draw(t, "bought"), 0) // 2000–2100
		var want time.Time
		for i, name := range rapid.SliceOfN(rapid.SampledFrom(storedtest.ZoneNames), 3, 3).Draw(t, "attached") {
			p, err := rules.Purchase(prepaid.PurchaseParams{ID: "PC-1", Account: "acct", Denomination: decimal.NewFromInt(100), At: bought.In(storedtest.Zone(t, name))}, customer)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Card.ValidUntil()
			if got.Location() != customer {
				t.Fatalf("valid until %v is not in the customer's zone %s", got, customer)
			}
			if i == 0 {
				want = got
			} else if !got.Equal(want) {
				t.Fatalf("bought %v in %s: valid until %v; in the first Location %v", bought, name, got, want)
			}
		}
	})
}
