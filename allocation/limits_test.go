package allocation_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
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
		{"tiny_percent", allocation.Instrument{Percent: decimal.NewNullDecimal(decimal.New(1, math.MinInt32)), Uncapped: true}, "decimal places"},
		{"huge_percent", allocation.Instrument{Percent: decimal.NewNullDecimal(decimal.New(1, math.MaxInt32)), Uncapped: true}, "outside 0–100"},
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
	// The ignored balance of an uncapped coupon may be anything.
	coupon := allocation.Instrument{ID: "c", Kind: "k", Currency: "CNY", Percent: decimal.NewNullDecimal(decimal.NewFromInt(10)),
		Uncapped: true, Balance: decimal.New(1, math.MaxInt32)}
	split, err := allocation.Allocate(bill, allocation.Wallet{coupon}, allocation.Policy{})
	if err != nil || split.Discounted.String() != "1" {
		t.Errorf("uncapped coupon: discounted %s, error %v; want 1 and none", split.Discounted, err)
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
