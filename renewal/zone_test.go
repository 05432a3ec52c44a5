package renewal_test

import (
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

// A host that loads expiries from PostgreSQL gets them in UTC; the account's
// zone is what counts, so the renewal is the same as with times in the
// account's zone (issue 17.2).
func TestRenewalCountsInTheAccountZone(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	// Feb 29 00:00 in Seoul is Feb 28 15:00 UTC: read in UTC it would be
	// the 28th, and the anchor day would be lost.
	expiry := time.Date(2024, 2, 29, 0, 0, 0, 0, seoul)
	prices := renewal.Prices{Currency: "KRW", Monthly: map[string]decimal.Decimal{"VM": decimal.NewFromInt(10000)}}
	wallet := allocation.Wallet{{ID: "cash", Kind: renewal.CashKind, Currency: "KRW", Balance: decimal.NewFromInt(50000)}}
	var got []string
	for _, view := range []*time.Location{seoul, time.UTC, time.FixedZone("PST", -8*3600)} {
		in := renewal.Instance{ID: "vm-1", Product: "VM", Renewable: true, Policy: renewal.Auto,
			ExpiresAt: expiry.In(view), AnchorDay: 31}
		at := expiry.Add(-time.Hour).In(view)
		run, err := renewal.RunAuto([]renewal.Instance{in}, at, seoul, wallet, prices, allocation.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Results) != 1 || run.Results[0].Outcome != renewal.Renewed {
			t.Fatalf("inputs in %s: %+v", view, run.Results)
		}
		r := run.Results[0]
		got = append(got, r.From.Format(time.RFC3339)+" → "+r.To.Format(time.RFC3339)+" "+r.Bill.At.Format(time.RFC3339))
	}
	want := "2024-02-29T00:00:00+09:00 → 2024-03-31T00:00:00+09:00 2024-02-28T23:00:00+09:00"
	for k, g := range got {
		if g != want {
			t.Errorf("view %d: %s, want %s", k, g, want)
		}
	}
}
