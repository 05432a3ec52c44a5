package renewal

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

func TestPrices(t *testing.T) {
	p := prices()
	if got, ok := p.Price("KRDS", 3); !ok || !got.Equal(dec("900")) {
		t.Errorf("Price(KRDS, 3) = %s, %v; want 900 (exact multiple, no rounding)", got, ok)
	}
	if got, ok := p.Price("KXX", 1); ok || !got.IsZero() {
		t.Errorf("Price(KXX) = %s, %v; want not found", got, ok)
	}
	if got, ok := (Prices{}).Price("KEC", 1); ok || !got.IsZero() {
		t.Errorf("zero Prices: %s, %v", got, ok)
	}
	var ps problems
	p.validate(&ps)
	if len(ps) != 0 {
		t.Errorf("valid prices: %v", ps.err())
	}
	bad := Prices{Currency: "CN1", Monthly: map[string]decimal.Decimal{"b": dec("-1"), "a": dec("-2"), "c": dec("0")}}
	ps = nil
	bad.validate(&ps)
	err := ps.err()
	want := "renewal: invalid input:\n\tprices: currency \"CN1\" is not three upper-case letters" +
		"\n\tprices: product \"a\": negative monthly price -2\n\tprices: product \"b\": negative monthly price -1"
	if err == nil || err.Error() != want || !errors.Is(err, ErrInvalid) {
		t.Errorf("problems in product order:\n%v\nwant\n%s", err, want)
	}
	for _, c := range []string{"CNY", "USD", "AAA", "ZZZ"} {
		ps = nil
		Prices{Currency: c}.validate(&ps)
		if len(ps) != 0 {
			t.Errorf("%q rejected: %v", c, ps.err())
		}
	}
	for _, c := range []string{"", "CN", "CNYY", "cny", "C1Y", "[NY", "CN@"} {
		ps = nil
		Prices{Currency: c}.validate(&ps)
		if len(ps) != 1 {
			t.Errorf("%q accepted", c)
		}
	}
}

func TestPricesJSON(t *testing.T) {
	p := Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{"KRDS": dec("300.50"), "KEC": dec("100")}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"currency":"CNY","monthly":{"KEC":"100","KRDS":"300.5"}}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back Prices
	if err := json.Unmarshal([]byte(`{"currency":"JPY","monthly":{"A":"12.5","B":7}}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Currency != "JPY" || !back.Monthly["A"].Equal(dec("12.5")) || !back.Monthly["B"].Equal(dec("7")) {
		t.Errorf("decoded %+v", back)
	}
	for _, bad := range []string{`{"currency":1}`, `{"currency":"CNY","montly":{"A":"1"}}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("bad JSON %s accepted", bad)
		}
	}
}

func TestDivRound(t *testing.T) {
	for _, tc := range []struct {
		num    string
		den    int64
		places int32
		mode   allocation.RoundingMode
		want   string
	}{
		{"1", 8, 2, allocation.HalfEven, "0.12"},  // 0.125
		{"1", 8, 2, allocation.HalfUp, "0.13"},    // 0.125
		{"1", 8, 2, allocation.Down, "0.12"},      // 0.125
		{"3", 8, 2, allocation.HalfEven, "0.38"},  // 0.375
		{"2", 3, 2, allocation.HalfEven, "0.67"},  // 0.666…
		{"2", 3, 2, allocation.Down, "0.66"},      // 0.666…
		{"1", 3, 2, allocation.HalfUp, "0.33"},    // 0.333…
		{"5", 2, 0, allocation.HalfEven, "2"},     // 2.5
		{"7", 2, 0, allocation.HalfEven, "4"},     // 3.5
		{"7", 2, 0, allocation.HalfUp, "4"},       // 3.5
		{"0", 31, 2, allocation.HalfEven, "0"},    // zero
		{"62", 31, 2, allocation.HalfEven, "2"},   // exact
		{"1.005", 1, 2, allocation.HalfEven, "1"}, // 1.005 → 1.00
		{"1.015", 1, 2, allocation.HalfEven, "1.02"},
	} {
		if got := divRound(dec(tc.num), tc.den, tc.places, tc.mode); !got.Equal(dec(tc.want)) {
			t.Errorf("divRound(%s, %d, %d, %s) = %s, want %s", tc.num, tc.den, tc.places, tc.mode, got, tc.want)
		}
	}
}
