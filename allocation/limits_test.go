package allocation_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// TestAllocateRejectsHugeExponentsQuickly: amounts and percentages whose
// exponent is near the int32 limits are refused by their size alone, before
// anything would expand them to 2^31 digits.
func TestAllocateRejectsHugeExponentsQuickly(t *testing.T) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := allocation.Bill{ID: "b", Currency: "CNY", At: at, Lines: []allocation.Line{{ID: "l", Amount: decimal.NewFromInt(10)}}}
	for _, tc := range []struct {
		name string
		in   allocation.Instrument
		want string
	}{
		{"tiny_percent", allocation.Instrument{Percent: decimal.NewNullDecimal(decimal.New(1, math.MinInt32))}, "decimal places"},
		{"huge_percent", allocation.Instrument{Percent: decimal.NewNullDecimal(decimal.New(1, math.MaxInt32))}, "outside 0–100"},
		{"huge_balance", allocation.Instrument{Balance: decimal.New(1, math.MaxInt32)}, "out of range"},
		{"tiny_min_spend", allocation.Instrument{Balance: decimal.NewFromInt(1), MinSpend: decimal.New(1, math.MinInt32)}, "out of range"},
		{"huge_overdraft_on_a_coupon", allocation.Instrument{Percent: decimal.NewNullDecimal(decimal.NewFromInt(5)), Overdraft: decimal.New(-1, math.MinInt32)}, "no meaning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.ID, in.Kind, in.Currency = "x", "k", "CNY"
			done := make(chan error, 1)
			go func() {
				_, err := allocation.Allocate(bill, allocation.Wallet{in}, allocation.Policy{})
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, allocation.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want ErrInvalid mentioning %q", err, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Allocate did not return within 5 s")
			}
		})
	}
	// A balance on an uncapped coupon is ambiguous, and rejected at once
	// whatever its size.
	coupon := allocation.Instrument{ID: "c", Kind: "k", Currency: "CNY", Percent: decimal.NewNullDecimal(decimal.NewFromInt(10)),
		Balance: decimal.New(1, math.MaxInt32)}
	if _, err := allocation.Allocate(bill, allocation.Wallet{coupon}, allocation.Policy{}); !errors.Is(err, allocation.ErrInvalid) {
		t.Errorf("uncapped coupon with a balance: error %v, want ErrInvalid", err)
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := allocation.Bill{ID: strings.Repeat("b", 300), Currency: "CNY", At: at}
	for i := range 3 {
		bill.Lines = append(bill.Lines, allocation.Line{ID: string(rune('a' + i)), Amount: decimal.RequireFromString("1.5")})
	}
	wallet := allocation.Wallet{{ID: "v", Kind: "k", Currency: "CNY", Balance: decimal.RequireFromString("1234")}}
	_, err := allocation.Allocate(bill, wallet, allocation.Policy{})
	if err == nil || !strings.Contains(err.Error(), "300 bytes long, more than the limit of 256") {
		t.Errorf("default id limit: error %v", err)
	}
	bill.ID = "b"
	strict := allocation.Policy{Limits: allocation.Limits{MaxLines: 2, MaxInstruments: 1}}
	if _, err := allocation.Allocate(bill, wallet, strict); err == nil || !strings.Contains(err.Error(), "3 lines is more than the limit of 2") {
		t.Errorf("MaxLines: error %v", err)
	}
	strict = allocation.Policy{Limits: allocation.Limits{MaxIntegerDigits: 3},
		Rounding: allocation.Rounding{Places: allocation.CurrencyPlaces, Strict: true}}
	bill.Currency, wallet[0].Currency = "JPY", "JPY"
	_, err = allocation.Allocate(bill, wallet, strict)
	var inv *allocation.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 4 {
		t.Fatalf("digit limits: want 4 problems (three 1.5 lines in strict JPY, a 4-digit balance), got %v", err)
	}
	if _, err := allocation.Allocate(bill, wallet, allocation.Policy{Limits: allocation.Limits{MaxLines: 3}}); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

// Limits raised far beyond reason are held to MaxDigitsCeiling, so
// exponents near the int32 limits are refused instead of overflowing the
// working scale (found by review: a panic in the units table).
func TestLimitsCeiling(t *testing.T) {
	bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "10"))
	huge := allocationtest.Gift("G1", "5")
	huge.Balance = decimal.New(1, math.MaxInt32-1)
	tiny := allocationtest.Gift("G2", "5")
	tiny.MinSpend = decimal.New(1, math.MinInt32)
	policy := allocationtest.NewPolicy()
	policy.Limits = allocation.Limits{MaxIntegerDigits: math.MaxInt, MaxDecimalPlaces: math.MaxInt}
	_, err := allocation.Allocate(bill, allocation.Wallet{huge, tiny}, policy)
	var inv *allocation.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Fatalf("want 2 problems (G1's balance, G2's min_spend), got %v", err)
	}
}

// A line within one rounding unit of the int64 path's bound, discounted
// 100 %: the discount rounds up past the line, and is capped by it rather
// than converted as is (found by review: an internal-error panic).
func TestFullDiscountAtTheInt64Bound(t *testing.T) {
	bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "23058430092136939.5"))
	bill.Currency = "JPY"
	coupon := allocationtest.PercentCoupon("P", "100", "")
	coupon.Currency = "JPY"
	coupon.MinSpend = decimal.RequireFromString("0.01") // working scale 2
	sp, err := allocation.Allocate(bill, allocation.Wallet{coupon}, allocationtest.NewPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if !sp.Discounted.Equal(sp.Total) || !sp.Outstanding.IsZero() {
		t.Fatalf("want the whole %s discounted, got discounted %s, outstanding %s", sp.Total, sp.Discounted, sp.Outstanding)
	}
}

// Each limit admits input exactly at it and refuses one past it.
func TestLimitsBoundaries(t *testing.T) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	lim := allocation.Limits{MaxLines: 2, MaxInstruments: 2, MaxIDLength: 3, MaxIntegerDigits: 4, MaxDecimalPlaces: 5}
	valid := func() (allocation.Bill, allocation.Wallet, allocation.Policy) {
		bill := allocation.Bill{ID: "bbb", Currency: "CNY", At: at, Lines: []allocation.Line{
			{ID: "l1", Amount: decimal.RequireFromString("9999.12345")}, // 4 digits before, 5 after
			{ID: "l2", Amount: decimal.RequireFromString("1")},
		}}
		wallet := allocation.Wallet{
			{ID: "abc", Kind: "k", Currency: "CNY", Balance: decimal.RequireFromString("1.5")},
			{ID: "x", Kind: "k", Currency: "CNY", Balance: decimal.RequireFromString("1")},
		}
		return bill, wallet, allocation.Policy{Limits: lim, Rounding: allocation.Rounding{Places: 5, Mode: allocation.HalfEven}}
	}
	bill, wallet, policy := valid()
	if _, err := allocation.Allocate(bill, wallet, policy); err != nil {
		t.Fatalf("everything exactly at its limit: %v", err)
	}
	for name, past := range map[string]func(b *allocation.Bill, w *allocation.Wallet, p *allocation.Policy){
		"lines": func(b *allocation.Bill, _ *allocation.Wallet, _ *allocation.Policy) {
			b.Lines = append(b.Lines, allocation.Line{ID: "l3"})
		},
		"instruments": func(_ *allocation.Bill, w *allocation.Wallet, _ *allocation.Policy) {
			*w = append(*w, (*w)[1])
			(*w)[2].ID = "y"
		},
		"id length": func(_ *allocation.Bill, w *allocation.Wallet, _ *allocation.Policy) { (*w)[0].ID = "abcd" },
		"integer digits": func(b *allocation.Bill, _ *allocation.Wallet, _ *allocation.Policy) {
			b.Lines[1].Amount = decimal.RequireFromString("10000")
		},
		"decimal places": func(b *allocation.Bill, _ *allocation.Wallet, _ *allocation.Policy) {
			b.Lines[1].Amount = decimal.RequireFromString("0.000001")
		},
		"rounding places": func(_ *allocation.Bill, _ *allocation.Wallet, p *allocation.Policy) { p.Rounding.Places = 6 },
	} {
		bill, wallet, policy := valid()
		past(&bill, &wallet, &policy)
		if _, err := allocation.Allocate(bill, wallet, policy); !errors.Is(err, allocation.ErrInvalid) {
			t.Errorf("one past the %s limit: error %v, want ErrInvalid", name, err)
		}
	}
}

// Strict rounding admits amounts written with exactly the currency's
// decimals, or more when they are zeros, and refuses a significant one
// more.
func TestStrictRoundingBoundary(t *testing.T) {
	policy := allocationtest.NewPolicy()
	policy.Rounding = allocation.Rounding{Places: allocation.CurrencyPlaces, Strict: true}
	for amount, ok := range map[string]bool{"10.25": true, "10.250": true, "10.255": false} {
		bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", amount))
		_, err := allocation.Allocate(bill, nil, policy)
		if (err == nil) != ok {
			t.Errorf("strict CNY %s: error %v, want accepted=%v", amount, err, ok)
		}
	}
}

// A problem names an element without an id by its position.
func TestProblemsNameElementsWithoutID(t *testing.T) {
	bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "1"))
	wallet := allocation.Wallet{allocationtest.Cash("C", "1"), allocationtest.Cash("", "1")}
	_, err := allocation.Allocate(bill, wallet, allocationtest.NewPolicy())
	if err == nil || !strings.Contains(err.Error(), "instrument #2: id is empty") {
		t.Fatalf("error %v, want it to name instrument #2", err)
	}
}
