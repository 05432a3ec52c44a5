package ledger_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// rulesFile is what a host keeps in configuration: the automation of one
// billing group, in snake_case JSON.
type rulesFile struct {
	Alerts []ledger.ThresholdRule `json:"alerts"`
	TopUp  ledger.AutoTopUp       `json:"top_up"`
	Grant  ledger.GrantSchedule   `json:"grant"`
}

// Rules are plain values a host can keep in a config file: they decode
// strictly from snake_case JSON and encode back to what decodes equal.
func TestAutomationRulesAreJSON(t *testing.T) {
	const config = `{
  "alerts": [{"id": "free-50", "watch": {"currency": "KRW", "kind": "free_credit"}, "percent": "50", "of": "100000", "level": "0"}],
  "top_up": {"id": "PC-auto", "account": "instrument:KRW:PC-auto", "threshold": "100000", "amount": "100000", "target": "0",
             "rate": "0", "places": 0, "min": "100000", "max": "500000", "cap": "600000",
             "cap_period": {"anchor": "2024-01-01T00:00:00Z", "months": 1}},
  "grant": {"id": "FC-monthly", "currency": "KRW", "kind": "free_credit", "group": "main", "transferable": true, "overdraft": "0",
            "amount": "100000", "period": {"anchor": "2024-01-01T00:00:00Z", "months": 1}, "lasts": 1,
            "rollover": {"max_amount": "30000", "max_percent": "0", "places": 0, "lasts": 1, "preserve_overage": false}}
}`
	anchor := ledger.Period{Anchor: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Months: 1}
	want := rulesFile{
		Alerts: []ledger.ThresholdRule{{ID: "free-50", Watch: ledger.Watch{Currency: "KRW", Kind: "free_credit"}, Percent: dec("50"), Of: dec("100000")}},
		TopUp: ledger.AutoTopUp{ID: "PC-auto", Account: ledger.InstrumentAccount("PC-auto", "KRW"), Threshold: dec("100000"), Amount: dec("100000"),
			Min: dec("100000"), Max: dec("500000"), Cap: dec("600000"), CapPeriod: anchor},
		Grant: ledger.GrantSchedule{ID: "FC-monthly", Currency: "KRW", Kind: "free_credit", Group: "main", Transferable: true,
			Amount: dec("100000"), Period: anchor, Lasts: 1, Rollover: ledger.Rollover{MaxAmount: dec("30000"), Lasts: 1}},
	}
	byValue := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
	decode := func(b []byte) rulesFile {
		t.Helper()
		var f rulesFile
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err := d.Decode(&f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	got := decode([]byte(config))
	if diff := cmp.Diff(want, got, byValue); diff != "" {
		t.Fatalf("decoded (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, decode(b), byValue); diff != "" {
		t.Errorf("round trip (-decoded +again):\n%s\n%s", diff, b)
	}
}
