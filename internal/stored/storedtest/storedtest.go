// Package storedtest is the test scaffolding the stored-form tests of the
// instrument packages (voucher, credit, prepaid) share: rapid generators
// of amounts and of instants in real zones, the round trip of a stored
// value, the fuzz check of a strict decoder, and the edits and checks of
// the refusal tables. It is imported by tests only.
package storedtest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// ZoneNames are real zones: month ends, leap days and daylight-saving
// changes of every kind (Havana skips midnight, Lord Howe moves by 30
// minutes, Santiago is in the southern hemisphere).
var ZoneNames = []string{
	"UTC", "Asia/Shanghai", "Asia/Seoul", "America/New_York", "America/Havana",
	"America/Santiago", "Europe/London", "Australia/Lord_Howe",
}

// Zone loads the zone name, failing t if it cannot.
func Zone(t interface{ Fatal(...any) }, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Amount draws a positive amount with 0 to places decimals, so that the
// stored form must keep scales like "12.50".
func Amount(t *rapid.T, label string, places int) decimal.Decimal {
	return decimal.New(rapid.Int64Range(1, 5_000_000).Draw(t, label), -int32(rapid.IntRange(0, places).Draw(t, label+"_places")))
}

// Instant draws an instant up to days days after from, in one of
// [ZoneNames] (the stored form keeps the instant, not the Location).
func Instant(t *rapid.T, from time.Time, days int64, label string) time.Time {
	at := from.Add(time.Duration(rapid.Int64Range(0, days*24*3600).Draw(t, label)) * time.Second)
	return at.In(Zone(t, rapid.SampledFrom(ZoneNames).Draw(t, label+"_zone")))
}

// Part draws an amount from 0 (exclusive) up to all of total.
func Part(t *rapid.T, total decimal.Decimal, label string) decimal.Decimal {
	if rapid.Bool().Draw(t, label+"_all") {
		return total
	}
	p := total.Mul(decimal.New(rapid.Int64Range(1, 99).Draw(t, label), -2)).Truncate(3)
	if !p.IsPositive() {
		return total
	}
	return p
}

// Spend is the split of bill in currency that uses amount of the
// instrument id holding balance.
func Spend(id, currency string, balance, amount decimal.Decimal, bill string) allocation.Split {
	return allocation.Split{Bill: bill, Currency: currency, Instruments: []allocation.InstrumentResult{
		{ID: id, Used: amount, BalanceAfter: balance.Sub(amount)},
	}}
}

// RoundTrip stores v, reads it back into a fresh value and stores that
// again, failing on any error or on a second form that differs.
func RoundTrip[T any](t *rapid.T, v T) T {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got T
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("reading back %s: %v", data, err)
	}
	if again, err := json.Marshal(got); err != nil || string(again) != string(data) {
		t.Fatalf("stored: %s\nread back and stored again: %s (%v)", data, again, err)
	}
	return got
}

// FuzzDecoder checks that no input makes a decoder panic, that what it
// accepts stores again and reads back Equal, and that what it refuses
// leaves the zero value.
func FuzzDecoder[T interface{ Equal(T) bool }](t *testing.T, data []byte, zero T) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		if !v.Equal(zero) {
			t.Fatalf("refused %q but left a value", data)
		}
		return
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("accepted %q but cannot store it: %v", data, err)
	}
	var w T
	if err := json.Unmarshal(out, &w); err != nil || !w.Equal(v) {
		t.Fatalf("accepted %q, stored %s, read back %v", data, out, err)
	}
}

// Edit replaces, in doc, the first "old" of each "old=>new" edit, failing
// t if an old is not in doc.
func Edit(t testing.TB, doc string, edits ...string) string {
	t.Helper()
	for _, e := range edits {
		old, new, _ := strings.Cut(e, "=>")
		if !strings.Contains(doc, old) {
			t.Fatalf("edit %q does not apply to %s", old, doc)
		}
		doc = strings.Replace(doc, old, new, 1)
	}
	return doc
}

// Refused fails t unless err wraps sentinel (at once) and says each of
// want; reason, why the document is refused, is named in every failure
// unless it is "".
func Refused(t testing.TB, err, sentinel error, want []string, reason string) {
	t.Helper()
	if reason != "" {
		reason = " (" + reason + ")"
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v; want one wrapping %v%s", err, sentinel, reason)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q%s", err, w, reason)
		}
	}
}
