package allocationtest_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

func TestFixtures(t *testing.T) {
	july := time.Date(2024, time.July, 1, 0, 0, 0, 0, time.UTC)
	d := allocationtest.Dec
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"bill", allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "12.50")),
			allocation.Bill{ID: "B1", Currency: "CNY", At: allocationtest.DefaultAt(), Mode: "payg",
				Lines: []allocation.Line{{ID: "L1", Product: "ecs", Category: "compute", Amount: d("12.5")}}}},
		{"voucher", allocationtest.Voucher("V1", "50", "2024-07-01"),
			allocation.Instrument{ID: "V1", Kind: "voucher", Currency: "CNY", Balance: d("50"), ValidUntil: july}},
		{"voucher without expiry", allocationtest.Voucher("V2", "5", ""),
			allocation.Instrument{ID: "V2", Kind: "voucher", Currency: "CNY", Balance: d("5")}},
		{"gift", allocationtest.Gift("G1", "40"),
			allocation.Instrument{ID: "G1", Kind: "gift", Currency: "CNY", Balance: d("40")}},
		{"cash", allocationtest.Cash("X1", "7"),
			allocation.Instrument{ID: "X1", Kind: "cash", Currency: "CNY", Balance: d("7"), Invoiceable: true}},
		{"credit line", allocationtest.CreditLine("C1", "100"),
			allocation.Instrument{ID: "C1", Kind: "credit_line", Currency: "CNY", Overdraft: d("100"), Invoiceable: true}},
		{"prepaid card", allocationtest.PrepaidCard("P1", "300", "50"),
			allocation.Instrument{ID: "P1", Kind: "prepaid_card", Currency: "CNY", Balance: d("300"), Overdraft: d("50")}},
		{"capped coupon", allocationtest.PercentCoupon("D1", "15", "20"),
			allocation.Instrument{ID: "D1", Kind: "discount_voucher", Currency: "CNY", Percent: decimal.NewNullDecimal(d("15")), Capped: true, Balance: d("20")}},
		{"uncapped coupon", allocationtest.PercentCoupon("D2", "15", ""),
			allocation.Instrument{ID: "D2", Kind: "discount_voucher", Currency: "CNY", Percent: decimal.NewNullDecimal(d("15"))}},
		{"stored value", allocationtest.StoredValue("F1", "free_credit", "9"),
			allocation.Instrument{ID: "F1", Kind: "free_credit", Currency: "CNY", Balance: d("9")}},
		{"policy", allocationtest.NewPolicy(allocationtest.Step("vouchers", "voucher")),
			allocation.Policy{Name: "test", Strategy: allocation.InOrder, Steps: []allocation.Step{
				{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
			}}},
		{"date", allocationtest.Date("2024-07-01"), july},
		{"rfc 3339 time", allocationtest.Date("2024-07-01T09:00:00+09:00"), july},
		{"no date", allocationtest.Date(""), time.Time{}},
		{"empty decimal", allocationtest.Dec(""), decimal.Zero},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got, allocationtest.Options()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// Fixtures are valid input: the kit's own scenario allocates.
func TestFixturesAllocate(t *testing.T) {
	bill, wallet, policy := kingsoftLike()
	if _, err := allocation.Allocate(bill, wallet, policy); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedLiteralsPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"Dec":  func() { allocationtest.Dec("12,50") },
		"Date": func() { allocationtest.Date("01/07/2024") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s accepted a malformed literal", name)
				}
			}()
			f()
		})
	}
}
