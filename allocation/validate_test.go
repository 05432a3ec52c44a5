package allocation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// The path a call takes is invisible in its Split (both paths give the
// same one), so these tests look at what validation hands the engine.

// TestUnitsPathChoice pins when validation converts the amounts for the
// int64 path, and what it converts them to: units of the working scale,
// which is the policy's places or more when an amount has more decimals.
func TestUnitsPathChoice(t *testing.T) {
	big := fmt.Sprint(int64(fastMax / 100)) // fastMax's units at 2 places, rounded down
	for _, tc := range []struct {
		name      string
		lines     []string
		balances  []string // one cash instrument each
		places    int32    // CurrencyPlaces when 0
		wantScale int32
		want      []money // nil: the exact path
	}{
		{"policy places", []string{"10.5"}, []string{"3"}, 0, 2,
			[]money{1050, 300, 0, 0}},
		{"a zero amount stays 0", []string{"0", "1.25"}, []string{"0"}, 0, 2,
			[]money{0, 125, 0, 0, 0}},
		{"a negative balance", []string{"1"}, []string{"-2.5"}, 0, 2,
			[]money{100, -250, 0, 0}},
		{"an amount with more decimals widens the scale", []string{"10.5", "0.0023"}, []string{"1.1"}, 0, 4,
			[]money{105000, 23, 11000, 0, 0}},
		{"policy places beyond the currency's", []string{"1.5"}, nil, 6, 6,
			[]money{1500000}},
		{"every magnitude counts against fastMax", []string{big}, []string{"-" + big}, 0, 2, nil},
		{"just under fastMax", []string{big}, nil, 0, 2,
			[]money{money(fastMax / 100 * 100)}},
		{"fits at the policy's places, not at the wider scale", []string{big, "0.001"}, nil, 0, 3, nil},
		{"a coefficient of 19 digits", []string{"1000000000000000000"}, nil, 0, 2, nil},
		{"18 digits", []string{"0.100000000000000000"}, nil, 0, 18,
			[]money{100000000000000000}},
		{"places beyond fastScale", []string{"1"}, nil, fastScale + 1, fastScale + 1, nil},
		{"places beyond fastScale, every amount 0", []string{"0"}, []string{"0"}, fastScale + 1, fastScale + 1, nil},
		{"an amount beyond fastScale", []string{"1", "0.0000000000000000001"}, nil, 0, fastScale + 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bill, wallet := cashScenario("CNY", tc.lines, tc.balances)
			policy := Policy{Rounding: Rounding{Places: tc.places, Mode: HalfEven}}
			if tc.places == 0 {
				policy.Rounding.Places = CurrencyPlaces
			}
			v, err := validate(&bill, wallet, &policy)
			if err != nil {
				t.Fatal(err)
			}
			if v.scale != tc.wantScale {
				t.Errorf("scale %d, want %d", v.scale, tc.wantScale)
			}
			if !slices.Equal(v.units, tc.want) || (v.units == nil) != (tc.want == nil) {
				t.Errorf("units %v, want %v (nil: the exact path)", v.units, tc.want)
			}
		})
	}
}

// cashScenario returns a bill in currency with one line per amount and a
// wallet with one cash instrument per balance.
func cashScenario(currency string, lines, balances []string) (Bill, Wallet) {
	bill := Bill{ID: "b", Currency: currency, At: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
	for i, a := range lines {
		bill.Lines = append(bill.Lines, Line{ID: fmt.Sprint("L", i), Amount: decimal.RequireFromString(a)})
	}
	var wallet Wallet
	for i, b := range balances {
		wallet = append(wallet, Instrument{ID: fmt.Sprint("c", i), Kind: "cash", Currency: currency, Balance: decimal.RequireFromString(b)})
	}
	return bill, wallet
}

// An uncapped coupon has no balance: its slot stays 0 and the call stays on
// the int64 path; a balance on it is ambiguous (a cap without Capped?) and
// rejected before it is read, whatever its size.
func TestUnitsOfAnUncappedCoupon(t *testing.T) {
	bill := Bill{ID: "b", Currency: "CNY", At: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		Lines: []Line{{ID: "L", Amount: decimal.RequireFromString("10")}}}
	coupon := Instrument{ID: "p", Kind: "coupon", Currency: "CNY", Percent: decimal.NewNullDecimal(decimal.New(10, 0))}
	v, err := validate(&bill, Wallet{coupon}, &Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []money{1000, 0, 0, 0}; v.scale != 2 || !slices.Equal(v.units, want) {
		t.Errorf("scale %d, units %v; want 2, %v", v.scale, v.units, want)
	}
	for _, balance := range []string{"0.123", "1e30"} {
		coupon.Balance = decimal.RequireFromString(balance)
		if _, err := validate(&bill, Wallet{coupon}, &Policy{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("balance %s without Capped: %v, want ErrInvalid", balance, err)
		}
	}
}

func TestSortedByID(t *testing.T) {
	// Many ids, few distinct: equal ids come in index order whatever the
	// sort algorithm does with them (insertion sort keeps equal ids apart
	// from the tie-break only for short lists).
	var few []string
	for k := range 40 {
		few = append(few, string(rune('a'+(k*7)%5)))
	}
	wantFew := make([]int32, len(few))
	for i := range wantFew {
		wantFew[i] = int32(i)
	}
	slices.SortStableFunc(wantFew, func(a, b int32) int { return strings.Compare(few[a], few[b]) })
	if order, _ := sortedByID(len(few), func(i int) string { return few[i] }); !slices.Equal(order, wantFew) {
		t.Errorf("sortedByID of 40 ids, 5 distinct = %v, want %v", order, wantFew)
	}

	for _, tc := range []struct {
		ids       []string
		wantOrder []int32 // nil: already sorted
		wantDups  []int   // indices whose id appears at a smaller index
	}{
		{[]string{"a", "b", "c"}, nil, nil},
		{[]string{"a", "a", "b", "b", "b"}, nil, []int{1, 3, 4}},
		{[]string{"b", "a", "c"}, []int32{1, 0, 2}, nil},
		{[]string{"b", "a", "b", "c", "a"}, []int32{1, 4, 0, 2, 3}, []int{2, 4}},
		{[]string{"a", "a", "c", "b"}, []int32{0, 1, 3, 2}, []int{1}},                       // a duplicate before the disorder
		{[]string{"c", "b", "b", "a", "b", "b"}, []int32{3, 1, 2, 4, 5, 0}, []int{2, 4, 5}}, // equal ids by index
		{nil, nil, nil},
	} {
		order, dups := sortedByID(len(tc.ids), func(i int) string { return tc.ids[i] })
		var gotDups []int
		for i, d := range dups {
			if d {
				gotDups = append(gotDups, i)
			}
		}
		if !slices.Equal(order, tc.wantOrder) || (order == nil) != (tc.wantOrder == nil) ||
			!slices.Equal(gotDups, tc.wantDups) || (dups == nil) != (tc.wantDups == nil) {
			t.Errorf("sortedByID(%q) = %v, dups at %v (%v); want %v, dups at %v", tc.ids, order, gotDups, dups, tc.wantOrder, tc.wantDups)
		}
		// duplicateIDs agrees, pairwise for few ids and by sorting for many.
		many := slices.Concat(tc.ids, []string{"~0", "~1", "~2", "~3", "~4", "~5", "~6", "~7", "~8", "~9", "~a", "~b", "~c", "~d", "~e", "~f", "~g"})
		for _, ids := range [][]string{tc.ids, many} {
			got := duplicateIDs(len(ids), func(i int) string { return ids[i] })
			var at []int
			for i, d := range got {
				if d {
					at = append(at, i)
				}
			}
			if !slices.Equal(at, tc.wantDups) || (got == nil) != (tc.wantDups == nil) {
				t.Errorf("duplicateIDs(%q) marks %v, want %v", ids, at, tc.wantDups)
			}
		}
	}
}

// The int64 path takes a call whose magnitudes add up to exactly fastMax,
// and not one more unit, whether the amounts are converted at the policy's
// places or at a wider scale.
func TestUnitsAtFastMax(t *testing.T) {
	for _, tc := range []struct {
		lines    []string // JPY: the policy's places are 0
		balances []string // of cash instruments
		fits     bool
	}{
		{[]string{"999999999999999999", "999999999999999999", "305843009213693953"}, nil, true},
		{[]string{"999999999999999999", "999999999999999999", "305843009213693954"}, nil, false},
		{[]string{"99999999999999999.9", "99999999999999999.9", "30584300921369395.3"}, nil, true},
		{[]string{"99999999999999999.9", "99999999999999999.9", "30584300921369395.4"}, nil, false},
		// A negative balance counts by its magnitude, at either scale.
		{[]string{"999999999999999999", "305843009213693953"}, []string{"-999999999999999999"}, true},
		{[]string{"999999999999999999", "305843009213693954"}, []string{"-999999999999999999"}, false},
		{[]string{"99999999999999999.9", "30584300921369395.3"}, []string{"-99999999999999999.9"}, true},
		{[]string{"99999999999999999.9", "30584300921369395.4"}, []string{"-99999999999999999.9"}, false},
	} {
		bill, wallet := cashScenario("JPY", tc.lines, tc.balances)
		v, err := validate(&bill, wallet, &Policy{})
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, u := range v.units {
			sum += max(int64(u), -int64(u))
		}
		if fits := v.units != nil; fits != tc.fits || fits && sum != fastMax {
			t.Errorf("%v, %v: int64 path %t (magnitudes adding up to %d), want %t", tc.lines, tc.balances, fits, sum, tc.fits)
		}
	}
}
