package allocationtest_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// Each rule of eligibility, alone, on a bill of three lines and a policy
// that draws vouchers and coupons (percentage or not) to zero, credit
// lines into overdraft, and reserves SMS to cash.
func TestEligibility(t *testing.T) {
	bill := allocationtest.NewBill(
		allocationtest.Line("L1", "ecs", "compute", "100"),
		allocationtest.Line("L2", "ebs", "storage", "50"),
		allocationtest.Line("L3", "sms", "sms", "10"),
	)
	bill.ExcludeInstruments = []string{"X"}
	bill.ExcludeKinds = []string{"points"}
	credit := allocationtest.Step("credit", "credit_line")
	credit.Draw = allocation.DrawOverdraft
	policy := allocationtest.NewPolicy(allocationtest.Step("vouchers", "voucher", "discount_voucher"), credit)
	policy.Restrictions = []allocation.Restriction{{Categories: []string{"sms"}, AllowKinds: []string{"cash"}}}

	v := func(change func(*allocation.Instrument)) allocation.Instrument {
		in := allocationtest.Voucher("V", "10", "")
		change(&in)
		return in
	}
	general := []int{0, 1} // L3 is reserved to cash
	tests := []struct {
		name    string
		in      allocation.Instrument
		lines   []int
		reasons []allocation.Reason
	}{
		{"usable", v(func(*allocation.Instrument) {}), general, nil},
		{"active", v(func(in *allocation.Instrument) { in.Status = "active" }), general, nil},
		{"inactive", v(func(in *allocation.Instrument) { in.Status = "used_up" }), general, []allocation.Reason{allocation.ReasonInactive}},
		{"expires at the bill's time", v(func(in *allocation.Instrument) { in.ValidUntil = bill.At }), general, []allocation.Reason{allocation.ReasonExpired}},
		{"expires a second later", v(func(in *allocation.Instrument) { in.ValidUntil = bill.At.Add(1) }), general, nil},
		{"valid from the bill's time", v(func(in *allocation.Instrument) { in.ValidFrom = bill.At }), general, nil},
		{"not yet valid", v(func(in *allocation.Instrument) { in.ValidFrom = bill.At.Add(1) }), general, []allocation.Reason{allocation.ReasonNotYetValid}},
		{"other currency", v(func(in *allocation.Instrument) { in.Currency = "EUR" }), general, []allocation.Reason{allocation.ReasonCurrencyMismatch}},
		{"excluded by id", v(func(in *allocation.Instrument) { in.ID = "X" }), general, []allocation.Reason{allocation.ReasonExcludedByBill}},
		{"excluded by kind", v(func(in *allocation.Instrument) { in.Kind = "points" }), general,
			[]allocation.Reason{allocation.ReasonExcludedByBill, allocation.ReasonNotInPolicy}},
		{"mode not listed", v(func(in *allocation.Instrument) { in.Scope.Modes = []string{"trial"} }), general, []allocation.Reason{allocation.ReasonModeExcluded}},
		{"mode listed", v(func(in *allocation.Instrument) { in.Scope.Modes = []string{"trial", "payg"} }), general, nil},
		{"mode excluded", v(func(in *allocation.Instrument) { in.Scope.ExcludeModes = []string{"payg"} }), general, []allocation.Reason{allocation.ReasonModeExcluded}},
		{"kind in no step", v(func(in *allocation.Instrument) { in.Kind = "gift" }), general, []allocation.Reason{allocation.ReasonNotInPolicy}},
		{"min spend met", v(func(in *allocation.Instrument) { in.MinSpend = allocationtest.Dec("150") }), general, nil},
		{"min spend counts eligible lines only", v(func(in *allocation.Instrument) { in.MinSpend = allocationtest.Dec("150.01") }), general,
			[]allocation.Reason{allocation.ReasonBelowMinSpend}},
		{"no balance", v(func(in *allocation.Instrument) { in.Balance = decimal.Zero }), general, []allocation.Reason{allocation.ReasonNoBalance}},
		{"overdrawn", v(func(in *allocation.Instrument) { in.Balance = allocationtest.Dec("-1") }), general, []allocation.Reason{allocation.ReasonNoBalance}},
		{"overdraft unused by a balance step", v(func(in *allocation.Instrument) { in.Balance, in.Overdraft = decimal.Zero, allocationtest.Dec("5") }), general,
			[]allocation.Reason{allocation.ReasonNoBalance}},
		{"overdraft a step draws", allocationtest.CreditLine("C", "5"), general, nil},
		{"overdrawn beyond the overdraft", func() allocation.Instrument {
			c := allocationtest.CreditLine("C", "5")
			c.Balance = allocationtest.Dec("-5")
			return c
		}(), general, []allocation.Reason{allocation.ReasonNoBalance}},
		{"zero percent", allocationtest.PercentCoupon("P", "0", ""), general, []allocation.Reason{allocation.ReasonNoBalance}},
		{"exhausted cap", allocationtest.PercentCoupon("P", "10", "0"), general, []allocation.Reason{allocation.ReasonNoBalance}},
		{"uncapped percent", allocationtest.PercentCoupon("P", "10", ""), general, nil},
		{"products", v(func(in *allocation.Instrument) { in.Scope.Products = []string{"ebs"} }), []int{1}, nil},
		{"products or categories", v(func(in *allocation.Instrument) {
			in.Scope.Products, in.Scope.Categories = []string{"ebs"}, []string{"compute"}
		}), []int{0, 1}, nil},
		{"excluded category", v(func(in *allocation.Instrument) { in.Scope.ExcludeCategories = []string{"compute"} }), []int{1}, nil},
		{"excluded product wins", v(func(in *allocation.Instrument) {
			in.Scope.Products, in.Scope.ExcludeProducts = []string{"ebs"}, []string{"ebs"}
		}), nil, []allocation.Reason{allocation.ReasonOutOfScope}},
		{"out of scope", v(func(in *allocation.Instrument) { in.Scope.Products = []string{"cdn"} }), nil, []allocation.Reason{allocation.ReasonOutOfScope}},
		{"restricted", v(func(in *allocation.Instrument) { in.Scope.Categories = []string{"sms"} }), nil, []allocation.Reason{allocation.ReasonRestrictedCategory}},
		{"several, in vocabulary order", v(func(in *allocation.Instrument) {
			in.Status, in.Currency, in.Scope.Products = "revoked", "USD", []string{"cdn"}
		}), nil, []allocation.Reason{allocation.ReasonInactive, allocation.ReasonCurrencyMismatch, allocation.ReasonOutOfScope}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, reasons := allocationtest.Eligibility(bill, policy, tt.in)
			if !slices.Equal(lines, tt.lines) || !slices.Equal(reasons, tt.reasons) {
				t.Errorf("Eligibility = %v, %v; want %v, %v", lines, reasons, tt.lines, tt.reasons)
			}
			// The engine agrees on the reasons of an unused instrument.
			split, err := allocation.Allocate(bill, allocation.Wallet{tt.in}, policy)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.reasons; len(want) > 0 {
				if diff := cmp.Diff(want, split.Instruments[0].Skipped); diff != "" {
					t.Errorf("Allocate's reasons differ (-Eligibility +Allocate):\n%s", diff)
				}
			}
		})
	}
}

func TestTakes(t *testing.T) {
	specific := allocationtest.Voucher("S", "1", "")
	specific.Scope.Categories = []string{"compute"}
	excluding := allocationtest.Voucher("E", "1", "")
	excluding.Scope.ExcludeProducts = []string{"ecs"} // still general
	for _, tt := range []struct {
		scope allocation.StepScope
		kinds []string
		in    allocation.Instrument
		want  bool
	}{
		{"", nil, specific, true},
		{allocation.ScopeAny, []string{"voucher"}, specific, true},
		{allocation.ScopeAny, []string{"gift"}, specific, false},
		{allocation.ScopeSpecific, nil, specific, true},
		{allocation.ScopeSpecific, nil, excluding, false},
		{allocation.ScopeGeneral, nil, excluding, true},
		{allocation.ScopeGeneral, nil, specific, false},
	} {
		step := allocation.Step{Scope: tt.scope, Kinds: tt.kinds}
		if got := allocationtest.Takes(step, tt.in); got != tt.want {
			t.Errorf("Takes(%+v, %s) = %v, want %v", step, tt.in.ID, got, tt.want)
		}
	}
}
