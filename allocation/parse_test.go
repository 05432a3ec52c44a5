package allocation_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// Validate makes exactly the checks on a policy that Allocate makes: for
// every bad policy, the problems are the same, word for word.
func TestPolicyValidateIsAllocatesCheck(t *testing.T) {
	long := strings.Repeat("x", allocation.DefaultMaxIDLength+1)
	bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "10"))
	for _, p := range []allocation.Policy{
		{Strategy: "greedy"},
		{Rounding: allocation.Rounding{Places: -3}},
		{Rounding: allocation.Rounding{Places: 41}},
		{Rounding: allocation.Rounding{Places: 5}, Limits: allocation.Limits{MaxDecimalPlaces: 4}},
		{Rounding: allocation.Rounding{Mode: "ceiling"}},
		{Steps: []allocation.Step{{Name: "a"}, {Name: "a"}, {Name: long}}},
		{Steps: []allocation.Step{{Scope: "narrow", Order: []allocation.OrderKey{"newest_first"}, Draw: "everything"}}},
		{Restrictions: []allocation.Restriction{{AllowKinds: []string{"cash"}}}},
	} {
		t.Run(fmt.Sprintf("%+v", p)[:40], func(t *testing.T) {
			_, allocErr := allocation.Allocate(bill, nil, p)
			want := problemsOf(t, allocErr)
			got := problemsOf(t, p.Validate())
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Validate and Allocate disagree (-Allocate +Validate):\n%s", d)
			}
		})
	}
}

// Every policy the generators draw (all valid) passes Validate, and so do
// the zero Policy and the rounding spellings of the currency's places.
func TestPropertyValidPoliciesValidate(t *testing.T) {
	for _, p := range []allocation.Policy{{}, {Rounding: allocation.Rounding{Places: allocation.CurrencyPlaces}}, {Rounding: allocation.Rounding{Places: allocation.WholeUnits}}} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		p := allocationtest.Policy().Draw(t, "policy")
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := allocation.ParsePolicy(b)
		if err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if d := cmp.Diff(p, back, jsonOptions()); d != "" {
			t.Fatalf("ParsePolicy(Marshal(p)) (-p +parsed):\n%s", d)
		}
	})
}

// A policy fails when it is loaded, not at the first Allocate (issue 16):
// an unknown key, an order key outside the vocabulary, and, once the host
// says which kinds it has, a misspelt kind.
func TestParsePolicy(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		kinds      []string
		want       []string // nil: valid
	}{
		{"order_at_top_level", `{"order":["expiry_first"]}`, nil,
			[]string{`policy: unknown field "order"; expected one of name, strategy, rounding, steps, restrictions, limits`}},
		{"misspelt_order_key", `{"steps":[{"name":"v","order":["expiry_first"]}]}`, nil,
			[]string{`policy.steps[0] (name "v").order[0]: "expiry_first" is not an order key; did you mean "expires_first"?`}},
		{"misspelt_kind_known_kinds", `{"steps":[{"name":"v","kinds":["vouchers"]}],"restrictions":[{"categories":["sms"],"allow_kinds":["csh"]}]}`,
			[]string{"voucher", "cash", "gift"},
			[]string{`policy step "v": kind "vouchers" is not a known instrument kind; did you mean "voucher"?`,
				`policy restriction #1: allowed kind "csh" is not a known instrument kind; did you mean "cash"?`}},
		{"kind_far_from_any", `{"steps":[{"name":"v","kinds":["coupon"]}]}`, []string{"voucher", "cash"},
			[]string{`policy step "v": kind "coupon" is not a known instrument kind; known kinds: cash, voucher`}},
		{"any_kind_without_known_kinds", `{"steps":[{"name":"v","kinds":["vouchers"]}]}`, nil, nil},
		{"decoding_and_validation_problems_together", `{"steps":[{"name":"a","kinds":["voucher"]},{"name":"a","kinds":"gift"}]}`, []string{"voucher"},
			[]string{`policy.steps[1] (name "a").kinds: found "gift", expected a list of strings (a JSON array)`,
				`policy step "a": duplicate step name`}},
		{"null", `null`, nil, []string{`policy: found null, expected a policy (a JSON object)`}},
		{"seed_policy", `{"name":"kingsoft","rounding":{"places":2,"mode":"half_even"},"steps":[{"name":"vouchers","kinds":["voucher"],"order":["expires_first"]},{"name":"credit","kinds":["credit_line"],"draw":"all"}]}`,
			[]string{"voucher", "credit_line"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := allocation.ParsePolicy([]byte(tc.data), tc.kinds...)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if d := cmp.Diff(tc.want, problemsOf(t, err)); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
			if !cmp.Equal(p, allocation.Policy{}) {
				t.Errorf("a rejected policy came back: %+v", p)
			}
		})
	}
	// ValidateKinds checks a policy built in Go the same way.
	p := allocation.Policy{Steps: []allocation.Step{{Name: "v", Kinds: []string{"vouchers"}}}}
	if err := p.ValidateKinds("voucher"); !errors.Is(err, allocation.ErrInvalid) {
		t.Errorf("ValidateKinds = %v, want ErrInvalid", err)
	}
	if err := p.ValidateKinds(); err != nil {
		t.Errorf("ValidateKinds without kinds = %v, want Validate's nil", err)
	}
}

// One rule for zero values (issue 16): what a Go field left at its zero
// value means is what the JSON field left out means.
func TestZeroValuesMeanWhatAbsentJSONMeans(t *testing.T) {
	// A 15 % coupon on 85.55 CNY: 12.8325, so 12.83 at the currency's
	// places; 13 in whole units.
	bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "85.55"))
	coupon := allocationtest.PercentCoupon("P", "15", "")
	discount := func(t *testing.T, p allocation.Policy, in allocation.Instrument) string {
		t.Helper()
		s, err := allocation.Allocate(bill, allocation.Wallet{in}, p)
		if err != nil {
			t.Fatal(err)
		}
		return s.Discounted.String()
	}
	fromJSON := func(t *testing.T, data string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(data), v); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		goValue  allocation.Rounding
		jsonForm string
		want     string
	}{
		{"mode_alone_is_the_currency's_places", allocation.Rounding{Mode: allocation.HalfUp}, `{"mode":"half_up"}`, "12.83"},
		{"zero_rounding", allocation.Rounding{}, `{}`, "12.83"},
		{"whole_units", allocation.Rounding{Places: allocation.WholeUnits, Mode: allocation.HalfUp}, `{"places":0,"mode":"half_up"}`, "13"},
		{"explicit_places", allocation.Rounding{Places: 1, Mode: allocation.Down}, `{"places":1,"mode":"down"}`, "12.8"},
	} {
		t.Run("rounding/"+tc.name, func(t *testing.T) {
			if got := discount(t, allocation.Policy{Rounding: tc.goValue}, coupon); got != tc.want {
				t.Errorf("Go %+v: discount %s, want %s", tc.goValue, got, tc.want)
			}
			var r allocation.Rounding
			fromJSON(t, tc.jsonForm, &r)
			if got := discount(t, allocation.Policy{Rounding: r}, coupon); got != tc.want {
				t.Errorf("JSON %s: discount %s, want %s", tc.jsonForm, got, tc.want)
			}
			if b, _ := json.Marshal(tc.goValue); string(b) != tc.jsonForm {
				t.Errorf("Go %+v encodes as %s, want %s", tc.goValue, b, tc.jsonForm)
			}
		})
	}

	// A percentage coupon: no balance in Go is no balance in JSON.
	for _, tc := range []struct {
		name     string
		goValue  allocation.Instrument
		jsonForm string
		want     string
	}{
		{"no_balance_is_uncapped", allocation.Instrument{ID: "P", Kind: "coupon", Currency: "CNY", Percent: allocationtest.PercentCoupon("", "15", "").Percent},
			`{"id":"P","kind":"coupon","currency":"CNY","percent":"15"}`, "12.8325"},
		{"a_cap", allocationtest.PercentCoupon("P", "15", "5"),
			`{"id":"P","kind":"discount_voucher","currency":"CNY","balance":"5","percent":"15"}`, "5"},
		{"a_spent_cap", allocationtest.PercentCoupon("P", "15", "0"),
			`{"id":"P","kind":"discount_voucher","currency":"CNY","balance":"0","percent":"15"}`, "0"},
	} {
		t.Run("instrument/"+tc.name, func(t *testing.T) {
			p := allocation.Policy{Rounding: allocation.Rounding{Places: 4}}
			if got := discount(t, p, tc.goValue); got != tc.want {
				t.Errorf("Go: discount %s, want %s", got, tc.want)
			}
			var in allocation.Instrument
			fromJSON(t, tc.jsonForm, &in)
			if got := discount(t, p, in); got != tc.want {
				t.Errorf("JSON: discount %s, want %s", got, tc.want)
			}
			if b, _ := json.Marshal(tc.goValue); string(b) != tc.jsonForm {
				t.Errorf("Go value encodes as %s, want %s", b, tc.jsonForm)
			}
		})
	}
	// What Go can say and JSON cannot is rejected, not guessed.
	ambiguous := allocation.Instrument{ID: "P", Kind: "coupon", Currency: "CNY",
		Percent: coupon.Percent, Balance: allocationtest.Dec("5")}
	_, err := allocation.Allocate(bill, allocation.Wallet{ambiguous}, allocation.Policy{})
	if p := problemsOf(t, err); len(p) != 1 || !strings.Contains(p[0], `instrument "P": balance 5 of a percentage instrument is a cap only if Capped is set`) {
		t.Errorf("a balance without Capped: %q", p)
	}
	cash := allocationtest.Cash("C", "5")
	cash.Capped = true
	_, err = allocation.Allocate(bill, allocation.Wallet{cash}, allocation.Policy{})
	if p := problemsOf(t, err); len(p) != 1 || !strings.Contains(p[0], "capped applies only to percentage instruments") {
		t.Errorf("Capped on stored value: %q", p)
	}
}

// A host loads its policy from configuration, with the kinds its
// instruments have, so a typo fails at start-up rather than leaving every
// voucher unused.
func ExampleParsePolicy() {
	config := []byte(`{"name": "checkout", "steps": [
		{"name": "vouchers", "kinds": ["vouchers"], "order": ["expires_first"]},
		{"name": "gift", "kinds": ["gift"]}]}`)
	_, err := allocation.ParsePolicy(config, "voucher", "gift", "credit_line")
	fmt.Println(err)
	// Output:
	// allocation: invalid input:
	//	policy step "vouchers": kind "vouchers" is not a known instrument kind; did you mean "voucher"?
}
