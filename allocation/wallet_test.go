package allocation_test

import (
	"testing"

	"github.com/billfold/billfold/allocation"
)

func TestWalletAfterCarriesBalancesForward(t *testing.T) {
	sc := parse(t, scenario(`{"steps":[{"name":"all","order":["priority"]}]}`,
		`{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"l","amount":"100"}]}`, `[
		{"id":"card","kind":"card","currency":"CNY","balance":"30","priority":2},
		{"id":"coupon","kind":"coupon","currency":"CNY","percent":"10","priority":1},
		{"id":"cap","kind":"coupon","currency":"CNY","percent":"50","balance":"5","priority":3},
		{"id":"spare","kind":"card","currency":"CNY","balance":"500","priority":4}]`))
	first, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
	if err != nil {
		t.Fatal(err)
	}
	after := sc.Wallet.After(first)
	want := map[string]string{"card": "0", "coupon": "0", "cap": "0", "spare": "445"}
	for _, in := range after {
		if in.Balance.String() != want[in.ID] {
			t.Errorf("%s: balance after %s, want %s", in.ID, in.Balance, want[in.ID])
		}
	}
	if card, _ := first.Instrument("card"); after[1].Capped || !sc.Wallet[0].Balance.Equal(after[0].Balance.Add(card.Used)) {
		t.Errorf("uncapped coupon lost its flag, or card balance does not match its payment: %+v", after)
	}
	if sc.Wallet[0].Balance.String() != "30" {
		t.Errorf("After changed the wallet it was called on")
	}
	// A second bill can only use what is left.
	second, err := allocation.Allocate(sc.Bill, after, sc.Policy)
	if err != nil {
		t.Fatal(err)
	}
	if got := second.Paid.String(); got != "90" {
		t.Errorf("second bill paid %s, want 90 (coupon 10 %% again, then spare)", got)
	}
}

func TestMinorUnits(t *testing.T) {
	for c, want := range map[string]int32{"CNY": 2, "USD": 2, "JPY": 0, "KRW": 0, "VND": 0, "KWD": 3, "BHD": 3, "CLF": 4, "": 2} {
		if got := allocation.MinorUnits(c); got != want {
			t.Errorf("MinorUnits(%q) = %d, want %d", c, got, want)
		}
	}
}

func TestValidCurrency(t *testing.T) {
	for code, want := range map[string]bool{"CNY": true, "KRW": true, "XYZ": true, "AAA": true, "ZZZ": true, "@AA": false, "ZZ[": false, "cny": false, "CN": false, "CNYY": false, "C1Y": false, "": false} {
		if got := allocation.ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q) = %v, want %v", code, got, want)
		}
	}
}
