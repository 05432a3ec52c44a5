package allocation_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
)

// row is one rule, stated as a scenario and what the split must show.
type row struct {
	name   string
	reason string // the rule and where it comes from
	// scenario is {"policy","bill","wallet"} JSON; bill "at" and currency
	// default to 2024-06-01T00:00:00Z and CNY when left out.
	scenario string
	// allocs lists every allocation in order as "instrument line step amount".
	allocs []string
	// skipped maps unused instruments to their reasons.
	skipped map[string][]allocation.Reason
	// outstanding, discounted: the split's totals.
	outstanding string
	discounted  string
}

func parse(t *testing.T, js string) allocation.Scenario {
	t.Helper()
	sc, err := allocation.ParseScenario([]byte(js))
	if err != nil {
		t.Fatalf("scenario does not parse: %v", err)
	}
	return sc
}

func runRows(t *testing.T, rows []row) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rows {
		if r.reason == "" || seen[r.name] {
			t.Fatalf("row %q: every row needs a reason and a unique name", r.name)
		}
		seen[r.name] = true
		t.Run(r.name, func(t *testing.T) {
			sc := parse(t, r.scenario)
			s, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
			if err != nil {
				t.Fatalf("%s\nAllocate: %v", r.reason, err)
			}
			var got []string
			for _, a := range s.Allocations {
				got = append(got, fmt.Sprintf("%s %s %s %s", a.Instrument, a.Line, a.Step, a.Amount.StringFixed(2)))
			}
			if !slices.Equal(got, r.allocs) {
				t.Errorf("%s\nallocations:\n got %q\nwant %q", r.reason, got, r.allocs)
			}
			used := map[string]decimal.Decimal{}
			for _, a := range s.Allocations {
				used[a.Instrument] = used[a.Instrument].Add(a.Amount)
			}
			if len(s.Instruments) != len(sc.Wallet) {
				t.Errorf("%d instrument results for %d instruments", len(s.Instruments), len(sc.Wallet))
			}
			for _, ir := range s.Instruments {
				if want := r.skipped[ir.ID]; !slices.Equal(ir.Skipped, want) {
					t.Errorf("%s\ninstrument %s skipped %v, want %v", r.reason, ir.ID, ir.Skipped, want)
				}
				if !ir.Used.Equal(used[ir.ID]) {
					t.Errorf("instrument %s used %s, its allocations add up to %s", ir.ID, ir.Used, used[ir.ID])
				}
				for _, in := range sc.Wallet {
					if in.ID == ir.ID && (!in.IsPercent() || in.Capped) && !ir.BalanceAfter.Equal(in.Balance.Sub(ir.Used)) {
						t.Errorf("instrument %s balance_after %s, want %s − %s", ir.ID, ir.BalanceAfter, in.Balance, ir.Used)
					}
				}
			}
			if r.outstanding != "" && s.Outstanding.StringFixed(2) != r.outstanding {
				t.Errorf("%s\noutstanding %s, want %s", r.reason, s.Outstanding.StringFixed(2), r.outstanding)
			}
			if r.discounted != "" && s.Discounted.StringFixed(2) != r.discounted {
				t.Errorf("%s\ndiscounted %s, want %s", r.reason, s.Discounted.StringFixed(2), r.discounted)
			}
			checkScaleInvariance(t, sc, s)
		})
	}
}

// scenario assembles a scenario from its three JSON parts.
func scenario(policy, bill, wallet string) string {
	return `{"policy":` + policy + `,"bill":` + bill + `,"wallet":` + wallet + `}`
}

const kingsoftPolicy = `{"name":"kingsoft account assets","rounding":{"places":2,"mode":"half_even"},"steps":[
	{"name":"vouchers","kinds":["voucher"],"order":["expires_first","largest_first"]},
	{"name":"gift","kinds":["gift"]},
	{"name":"credit","kinds":["credit_line"],"draw":"all"}]}`

func TestAllocateKingsoftAccountAssets(t *testing.T) {
	wallet := `[
		{"id":"credit","kind":"credit_line","currency":"CNY","balance":"20","overdraft":"100"},
		{"id":"gift","kind":"gift","currency":"CNY","balance":"30","scope":{"exclude_modes":["trial"]}},
		{"id":"v1","kind":"voucher","currency":"CNY","balance":"25","valid_until":"2024-12-31T00:00:00Z"}]`
	runRows(t, []row{{
		name:   "vouchers_then_gift_then_credit",
		reason: "000_f04d44448bd9d2a1.txt: vouchers first, then gift balance, then available credit, then online payment",
		scenario: scenario(kingsoftPolicy, `{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","mode":"payg","lines":[
			{"id":"ecs","product":"ecs","amount":"200.00"}]}`, wallet),
		allocs: []string{"v1 ecs vouchers 25.00", "gift ecs gift 30.00", "credit ecs credit 120.00"},
		// 200 − 25 − 30 − (20 + 100 credit line) = 25 left for online payment
		outstanding: "25.00",
	}, {
		name:   "gift_not_for_trials",
		reason: "000_f04d44448bd9d2a1.txt: gift balance can pay any expense except product trials",
		scenario: scenario(kingsoftPolicy, `{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","mode":"trial","lines":[
			{"id":"trial","product":"ecs","amount":"40.00"}]}`, wallet),
		allocs:      []string{"v1 trial vouchers 25.00", "credit trial credit 15.00"},
		skipped:     map[string][]allocation.Reason{"gift": {allocation.ReasonModeExcluded}},
		outstanding: "0.00",
	}, {
		name:   "available_credit_goes_negative_up_to_the_line",
		reason: "000_f04d44448bd9d2a1.txt: negative available credit is what is owed; it may not pass the granted credit line",
		scenario: scenario(kingsoftPolicy, `{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"l","amount":"500"}]}`,
			`[{"id":"credit","kind":"credit_line","currency":"CNY","balance":"-30","overdraft":"100"}]`),
		allocs:      []string{"credit l credit 70.00"},
		outstanding: "430.00",
	}})
}

func TestAllocateKingsoftRenewalVouchers(t *testing.T) {
	policy := `{"steps":[{"name":"vouchers","kinds":["voucher"],"order":["expires_first","largest_first"]},{"name":"balance","kinds":["cash"]}]}`
	runRows(t, []row{{
		name:   "soonest_expiring_voucher_first",
		reason: "004_436d555c5a6b9a35.txt: vouchers that will expire soon are used first",
		scenario: scenario(policy, `{"id":"r","currency":"CNY","at":"2024-06-01T00:00:00Z","mode":"renewal","lines":[{"id":"ecs","amount":"60"}]}`, `[
			{"id":"late","kind":"voucher","currency":"CNY","balance":"100","valid_until":"2024-09-01T00:00:00Z"},
			{"id":"soon","kind":"voucher","currency":"CNY","balance":"50","valid_until":"2024-07-01T00:00:00Z"},
			{"id":"cash","kind":"cash","currency":"CNY","balance":"1000"}]`),
		allocs:      []string{"soon ecs vouchers 50.00", "late ecs vouchers 10.00"},
		skipped:     map[string][]allocation.Reason{"cash": {allocation.ReasonNothingLeft}},
		outstanding: "0.00",
	}, {
		name:   "same_expiry_largest_deduction_first",
		reason: "004_436d555c5a6b9a35.txt: if several vouchers expire at the same time, the one with the largest deduction is used first",
		scenario: scenario(policy, `{"id":"r","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"ecs","amount":"60"}]}`, `[
			{"id":"a","kind":"voucher","currency":"CNY","balance":"20","valid_until":"2024-07-01T00:00:00Z"},
			{"id":"b","kind":"voucher","currency":"CNY","balance":"45","valid_until":"2024-07-01T00:00:00Z"},
			{"id":"c","kind":"voucher","currency":"CNY","balance":"500","valid_until":"2024-08-01T00:00:00Z"}]`),
		allocs:      []string{"b ecs vouchers 45.00", "a ecs vouchers 15.00"},
		skipped:     map[string][]allocation.Reason{"c": {allocation.ReasonNothingLeft}},
		outstanding: "0.00",
	}, {
		name:   "largest_deduction_is_capped_by_the_bill",
		reason: "004_436d555c5a6b9a35.txt: the deduction is what the voucher can take off this bill, so equal deductions fall back to the id",
		scenario: scenario(policy, `{"id":"r","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"ecs","amount":"30"}]}`, `[
			{"id":"z","kind":"voucher","currency":"CNY","balance":"100","valid_until":"2024-07-01T00:00:00Z"},
			{"id":"y","kind":"voucher","currency":"CNY","balance":"40","valid_until":"2024-07-01T00:00:00Z"}]`),
		allocs:      []string{"y ecs vouchers 30.00"},
		skipped:     map[string][]allocation.Reason{"z": {allocation.ReasonNothingLeft}},
		outstanding: "0.00",
	}})
}

const guancePolicy = `{"name":"guance billing center","steps":[
	{"name":"regular vouchers","kinds":["voucher"],"order":["expires_first"]},
	{"name":"discount vouchers","kinds":["discount_voucher"],"order":["expires_first"]},
	{"name":"prepaid cards","kinds":["prepaid_card"],"order":["expires_first"]},
	{"name":"cash","kinds":["cash"]},
	{"name":"prepaid overdraft","kinds":["prepaid_card"],"order":["expires_first"],"draw":"overdraft"}],
	"restrictions":[{"categories":["sms","dial_testing"],"allow_kinds":["cash","prepaid_card"]}]}`

func TestAllocateGuanceWallet(t *testing.T) {
	wallet := `[
		{"id":"cash","kind":"cash","currency":"CNY","balance":"10"},
		{"id":"card","kind":"prepaid_card","currency":"CNY","balance":"40","overdraft":"200","valid_until":"2025-01-01T00:00:00Z"},
		{"id":"dv","kind":"discount_voucher","currency":"CNY","balance":"30"},
		{"id":"rv","kind":"voucher","currency":"CNY","balance":"20"}]`
	runRows(t, []row{{
		name:   "deduction_order",
		reason: "002_974120889ed2e661.txt: regular vouchers, discount vouchers, prepaid cards, cash, prepaid card balance (negative for overdue)",
		scenario: scenario(guancePolicy, `{"id":"g","currency":"CNY","at":"2024-06-01T00:00:00Z","mode":"payg","lines":[
			{"id":"metrics","category":"metering","amount":"150"}]}`, wallet),
		allocs: []string{"rv metrics regular vouchers 20.00", "dv metrics discount vouchers 30.00",
			"card metrics prepaid cards 40.00", "cash metrics cash 10.00", "card metrics prepaid overdraft 50.00"},
		outstanding: "0.00",
	}, {
		name:   "sms_and_dial_testing_only_cash_and_prepaid_cards",
		reason: "002_974120889ed2e661.txt: SMS and dial testing can only be paid with cash or prepaid cards",
		scenario: scenario(guancePolicy, `{"id":"g","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[
			{"id":"sms","category":"sms","amount":"30"},{"id":"dial","category":"dial_testing","amount":"25"}]}`, wallet),
		allocs: []string{"card sms prepaid cards 30.00", "card dial prepaid cards 10.00", "cash dial cash 10.00",
			"card dial prepaid overdraft 5.00"},
		skipped: map[string][]allocation.Reason{
			"dv": {allocation.ReasonRestrictedCategory},
			"rv": {allocation.ReasonRestrictedCategory},
		},
		outstanding: "0.00",
	}, {
		name:   "prepaid_card_optional_at_subscription_checkout",
		reason: "002_974120889ed2e661.txt: at checkout of prepaid orders the user chooses whether to use the prepaid card",
		scenario: scenario(guancePolicy, `{"id":"g","currency":"CNY","at":"2024-06-01T00:00:00Z","mode":"subscription","exclude_kinds":["prepaid_card"],
			"lines":[{"id":"plan","category":"plan","amount":"100"}]}`, wallet),
		allocs:      []string{"rv plan regular vouchers 20.00", "dv plan discount vouchers 30.00", "cash plan cash 10.00"},
		skipped:     map[string][]allocation.Reason{"card": {allocation.ReasonExcludedByBill}},
		outstanding: "40.00",
	}, {
		name:        "expired_prepaid_card_is_void",
		reason:      "002_974120889ed2e661.txt: expired prepaid cards become void",
		scenario:    scenario(guancePolicy, `{"id":"g","currency":"CNY","at":"2025-01-01T00:00:00Z","lines":[{"id":"m","amount":"15"}]}`, wallet),
		allocs:      []string{"rv m regular vouchers 15.00"},
		skipped:     map[string][]allocation.Reason{"card": {allocation.ReasonExpired}, "cash": {allocation.ReasonNothingLeft}, "dv": {allocation.ReasonNothingLeft}},
		outstanding: "0.00",
	}})
}

func TestAllocateKakaoCredits(t *testing.T) {
	policy := `{"name":"kakao credits","rounding":{"places":0,"mode":"half_even"},"steps":[
		{"name":"free, earliest expiry","kinds":["free_credit"],"scope":"general","order":["expires_first"]},
		{"name":"free, specific services","kinds":["free_credit"],"scope":"specific","order":["expires_first"]},
		{"name":"paid, earliest expiry","kinds":["paid_credit"],"order":["expires_first"]}]}`
	free := `{"exclude_categories":["marketplace","os_image"]}`
	runRows(t, []row{{
		name:   "free_then_specific_then_paid",
		reason: "003_b4fbba3f981e0ca6.txt: free credit with the earliest expiry, then free credit for specific services, then paid credit with the earliest expiry",
		scenario: scenario(policy, `{"id":"k","currency":"KRW","at":"2024-06-01T00:00:00Z","lines":[
			{"id":"vm","product":"vm","category":"compute","amount":"10000"},
			{"id":"db","product":"mysql","category":"database","amount":"5000"}]}`, `[
			{"id":"paid-1","kind":"paid_credit","currency":"KRW","balance":"50000","valid_until":"2029-01-01T00:00:00Z"},
			{"id":"free-db","kind":"free_credit","currency":"KRW","balance":"3000","valid_until":"2024-07-01T00:00:00Z","scope":{"products":["mysql"]}},
			{"id":"free-late","kind":"free_credit","currency":"KRW","balance":"4000","valid_until":"2024-12-01T00:00:00Z","scope":`+free+`},
			{"id":"free-soon","kind":"free_credit","currency":"KRW","balance":"2000","valid_until":"2024-08-01T00:00:00Z","scope":`+free+`}]`),
		allocs: []string{"free-soon vm free, earliest expiry 2000.00", "free-late vm free, earliest expiry 4000.00",
			"free-db db free, specific services 3000.00", "paid-1 vm paid, earliest expiry 4000.00", "paid-1 db paid, earliest expiry 2000.00"},
		outstanding: "0.00",
	}, {
		name:   "free_credit_not_for_marketplace_or_os_images",
		reason: "003_b4fbba3f981e0ca6.txt: free credits can pay service fees excluding marketplace and OS images",
		scenario: scenario(policy, `{"id":"k","currency":"KRW","at":"2024-06-01T00:00:00Z","lines":[
			{"id":"mkt","category":"marketplace","amount":"7000"},{"id":"img","category":"os_image","amount":"1000"}]}`, `[
			{"id":"free","kind":"free_credit","currency":"KRW","balance":"9000","scope":`+free+`},
			{"id":"paid","kind":"paid_credit","currency":"KRW","balance":"5000"}]`),
		allocs:      []string{"paid mkt paid, earliest expiry 5000.00"},
		skipped:     map[string][]allocation.Reason{"free": {allocation.ReasonOutOfScope}},
		outstanding: "3000.00",
	}, {
		name:   "only_available_credits_are_deducted",
		reason: "003_b4fbba3f981e0ca6.txt: only credits with the status of Available are deducted",
		scenario: scenario(policy, `{"id":"k","currency":"KRW","at":"2024-06-01T00:00:00Z","lines":[{"id":"vm","amount":"100"}]}`, `[
			{"id":"recovered","kind":"free_credit","currency":"KRW","balance":"500","status":"recovered"},
			{"id":"paid","kind":"paid_credit","currency":"KRW","balance":"500","status":"active"}]`),
		allocs:      []string{"paid vm paid, earliest expiry 100.00"},
		skipped:     map[string][]allocation.Reason{"recovered": {allocation.ReasonInactive}},
		outstanding: "0.00",
	}})
}

func TestAllocatePercentDiscounts(t *testing.T) {
	policy := func(mode string) string {
		return `{"rounding":{"places":2,"mode":"` + mode + `"},"steps":[{"name":"coupons","kinds":["coupon"]},{"name":"cash","kinds":["cash"]}]}`
	}
	bill := `{"id":"p","currency":"USD","at":"2024-06-01T00:00:00Z","lines":[
		{"id":"a","amount":"10.00"},{"id":"b","amount":"10.00"},{"id":"c","amount":"10.00"}]}`
	runRows(t, []row{{
		name:   "largest_remainder_keeps_cents_exact",
		reason: "DESIGN.md: discounts are rounded once and spread across lines by largest remainder so cents never drift",
		// 15 % of 30.00 = 4.50; 1.50 per line.
		scenario:   scenario(policy("half_even"), bill, `[{"id":"p15","kind":"coupon","currency":"USD","percent":"15"}]`),
		allocs:     []string{"p15 a coupons 1.50", "p15 b coupons 1.50", "p15 c coupons 1.50"},
		discounted: "4.50", outstanding: "25.50",
	}, {
		name:   "remainder_cent_goes_to_the_smallest_line_id",
		reason: "DESIGN.md: line discounts add up exactly to the instrument's discount; 1.00 over three equal lines leaves one cent for line id a, wherever it stands",
		scenario: scenario(policy("half_even"), `{"id":"p","currency":"USD","at":"2024-06-01T00:00:00Z","lines":[
			{"id":"c","amount":"10.00"},{"id":"a","amount":"10.00"},{"id":"b","amount":"10.00"}]}`,
			`[{"id":"cap","kind":"coupon","currency":"USD","percent":"50","balance":"1.00"}]`),
		allocs:     []string{"cap c coupons 0.33", "cap a coupons 0.34", "cap b coupons 0.33"},
		discounted: "1.00", outstanding: "29.00",
	}, {
		name:   "rounding_mode_half_up",
		reason: "DESIGN.md: the discount is rounded with the policy's rounding (12.5 % of 0.20 = 0.025 → 0.03 half up)",
		scenario: scenario(policy("half_up"), `{"id":"p","currency":"USD","at":"2024-06-01T00:00:00Z","lines":[{"id":"a","amount":"0.20"}]}`,
			`[{"id":"q","kind":"coupon","currency":"USD","percent":"12.5"}]`),
		allocs: []string{"q a coupons 0.03"}, discounted: "0.03",
	}, {
		name:   "rounding_mode_half_even",
		reason: "DESIGN.md: the discount is rounded with the policy's rounding (12.5 % of 0.20 = 0.025 → 0.02 half even)",
		scenario: scenario(policy("half_even"), `{"id":"p","currency":"USD","at":"2024-06-01T00:00:00Z","lines":[{"id":"a","amount":"0.20"}]}`,
			`[{"id":"q","kind":"coupon","currency":"USD","percent":"12.5"}]`),
		allocs: []string{"q a coupons 0.02"}, discounted: "0.02",
	}, {
		name:   "rounding_mode_down",
		reason: "DESIGN.md: the discount is rounded with the policy's rounding (17 % of 0.50 = 0.085 → 0.08 down)",
		scenario: scenario(policy("down"), `{"id":"p","currency":"USD","at":"2024-06-01T00:00:00Z","lines":[{"id":"a","amount":"0.50"}]}`,
			`[{"id":"q","kind":"coupon","currency":"USD","percent":"17"}]`),
		allocs: []string{"q a coupons 0.08"}, discounted: "0.08",
	}, {
		name:   "discounts_before_payments",
		reason: "DESIGN.md: percentage instruments reduce what is owed before stored-value instruments pay, whatever the step order",
		scenario: scenario(`{"steps":[{"name":"cash","kinds":["cash"]},{"name":"coupons","kinds":["coupon"]}]}`,
			`{"id":"p","currency":"USD","at":"2024-06-01T00:00:00Z","lines":[{"id":"a","amount":"100"}]}`,
			`[{"id":"cash","kind":"cash","currency":"USD","balance":"100"},{"id":"ten","kind":"coupon","currency":"USD","percent":"10"}]`),
		allocs:     []string{"ten a coupons 10.00", "cash a cash 90.00"},
		discounted: "10.00", outstanding: "0.00",
	}, {
		name:   "second_coupon_applies_to_what_remains",
		reason: "DESIGN.md: each percentage applies, in step order, on the remaining eligible amount",
		scenario: scenario(`{"steps":[{"name":"coupons","kinds":["coupon"],"order":["priority"]}]}`,
			`{"id":"p","currency":"USD","at":"2024-06-01T00:00:00Z","lines":[{"id":"a","amount":"100"}]}`,
			`[{"id":"x","kind":"coupon","currency":"USD","percent":"10","priority":2},{"id":"y","kind":"coupon","currency":"USD","percent":"50","priority":1}]`),
		allocs:     []string{"y a coupons 50.00", "x a coupons 5.00"},
		discounted: "55.00", outstanding: "45.00",
	}, {
		name:   "discount_spread_in_whole_units_of_the_rounding",
		reason: "DESIGN.md: cents (here whole yen) never drift; an amount written as 10.0 must not split a yen",
		// JPY: 15 % of 20 = 3 yen, 1.5 + 1.5 → 2 + 1 (tie to the smaller id).
		scenario: scenario(`{"steps":[{"name":"coupons","kinds":["coupon"]},{"name":"vouchers","kinds":["voucher"]}]}`,
			`{"id":"j","currency":"JPY","at":"2024-06-01T00:00:00Z","lines":[{"id":"L1","product":"a","amount":"10"},{"id":"L2","product":"b","amount":"10"}]}`,
			`[{"id":"P","kind":"coupon","currency":"JPY","percent":"15"},{"id":"V","kind":"voucher","currency":"JPY","balance":"10.0","scope":{"products":["b"]}}]`),
		allocs:     []string{"P L1 coupons 2.00", "P L2 coupons 1.00", "V L2 vouchers 9.00"},
		discounted: "3.00", outstanding: "8.00",
	}, {
		name:   "sub_unit_cap_is_spread_at_the_working_scale",
		reason: "DESIGN.md: line discounts add up exactly to the discount, even a cap written with more decimals than the rounding",
		// 0.025: two whole cents to a and b (ties by id), then the half cent
		// in mills: a 0.012, b 0.011, c 0.002 (printed here at 2 places).
		scenario: scenario(policy("half_even"), bill,
			`[{"id":"odd","kind":"coupon","currency":"USD","percent":"50","balance":"0.025"}]`),
		allocs:     []string{"odd a coupons 0.01", "odd b coupons 0.01", "odd c coupons 0.00"},
		discounted: "0.03", outstanding: "29.98",
	}, {
		name:   "exhausted_cap_has_no_balance",
		reason: "DESIGN.md: balance caps a percentage discount; a cap of zero gives nothing",
		scenario: scenario(policy("half_even"), bill,
			`[{"id":"spent","kind":"coupon","currency":"USD","percent":"50","balance":"0"}]`),
		skipped:    map[string][]allocation.Reason{"spent": {allocation.ReasonNoBalance}},
		discounted: "0.00", outstanding: "30.00",
	}})
}

func TestAllocateEligibility(t *testing.T) {
	policy := `{"steps":[{"name":"all","order":["expires_first"]}]}`
	bill := `{"id":"e","currency":"EUR","at":"2024-06-01T00:00:00Z","mode":"payg","exclude_instruments":["excl"],"lines":[
		{"id":"a","product":"vm","category":"compute","amount":"40"},{"id":"b","product":"s3","category":"storage","amount":"60"}]}`
	runRows(t, []row{{
		name:   "validity_window_is_half_open",
		reason: "DESIGN.md: valid_until is exclusive; valid_from inclusive",
		scenario: scenario(policy, bill, `[
			{"id":"ends-now","kind":"v","currency":"EUR","balance":"5","valid_until":"2024-06-01T00:00:00Z"},
			{"id":"starts-now","kind":"v","currency":"EUR","balance":"5","valid_from":"2024-06-01T00:00:00Z"},
			{"id":"later","kind":"v","currency":"EUR","balance":"5","valid_from":"2024-06-01T00:00:01Z"}]`),
		allocs: []string{"starts-now a all 5.00"},
		skipped: map[string][]allocation.Reason{
			"ends-now": {allocation.ReasonExpired},
			"later":    {allocation.ReasonNotYetValid},
		},
	}, {
		name:   "every_reason_in_vocabulary_order",
		reason: "issue 3: when several reasons apply, they are reported in vocabulary order",
		scenario: scenario(`{"steps":[{"name":"vouchers","kinds":["v"]}]}`, bill, `[
			{"id":"many","kind":"gift","currency":"USD","balance":"0","status":"revoked","valid_until":"2024-01-01T00:00:00Z","min_spend":"1000","scope":{"products":["db"],"modes":["subscription"]}},
			{"id":"excl","kind":"v","currency":"EUR","balance":"5","valid_from":"2025-01-01T00:00:00Z"}]`),
		skipped: map[string][]allocation.Reason{
			"many": {allocation.ReasonInactive, allocation.ReasonExpired, allocation.ReasonCurrencyMismatch,
				allocation.ReasonModeExcluded, allocation.ReasonNotInPolicy, allocation.ReasonBelowMinSpend,
				allocation.ReasonNoBalance, allocation.ReasonOutOfScope},
			"excl": {allocation.ReasonNotYetValid, allocation.ReasonExcludedByBill},
		},
		outstanding: "100.00",
	}, {
		name:   "min_spend_counts_only_eligible_lines",
		reason: "DESIGN.md: min_spend is met by the lines eligible to the instrument, before any discount or payment",
		scenario: scenario(policy, bill, `[
			{"id":"vm-50","kind":"v","currency":"EUR","balance":"10","min_spend":"50","scope":{"products":["vm"]}},
			{"id":"any-100","kind":"v","currency":"EUR","balance":"10","min_spend":"100"}]`),
		allocs:  []string{"any-100 a all 10.00"},
		skipped: map[string][]allocation.Reason{"vm-50": {allocation.ReasonBelowMinSpend}},
	}, {
		name:   "scope_includes_and_excludes",
		reason: "DESIGN.md: a scoped instrument pays only lines of its products or categories, never excluded ones",
		scenario: scenario(policy, bill, `[
			{"id":"storage","kind":"v","currency":"EUR","balance":"100","scope":{"categories":["storage"]}},
			{"id":"not-vm","kind":"v","currency":"EUR","balance":"100","valid_until":"2030-01-01T00:00:00Z","scope":{"exclude_products":["vm"]}}]`),
		allocs:  []string{"not-vm b all 60.00"},
		skipped: map[string][]allocation.Reason{"storage": {allocation.ReasonNothingLeft}},
	}, {
		name:   "nothing_left_when_others_covered_the_bill",
		reason: "DESIGN.md: an unused instrument says why: the lines it could pay were already covered",
		scenario: scenario(policy, bill, `[
			{"id":"big","kind":"v","currency":"EUR","balance":"500","valid_until":"2024-07-01T00:00:00Z"},
			{"id":"small","kind":"v","currency":"EUR","balance":"5"}]`),
		allocs:  []string{"big a all 40.00", "big b all 60.00"},
		skipped: map[string][]allocation.Reason{"small": {allocation.ReasonNothingLeft}},
	}})
}

func TestAllocateDraw(t *testing.T) {
	bill := `{"id":"d","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"l","amount":"100"}]}`
	runRows(t, []row{{
		name:   "balance_step_stops_at_zero",
		reason: "DESIGN.md: draw balance (the default) goes down to zero only",
		scenario: scenario(`{"steps":[{"name":"card","kinds":["prepaid_card"]}]}`, bill,
			`[{"id":"c","kind":"prepaid_card","currency":"CNY","balance":"30","overdraft":"50"}]`),
		allocs: []string{"c l card 30.00"}, outstanding: "70.00",
	}, {
		name:   "overdraft_step_cannot_skip_the_positive_balance",
		reason: "DESIGN.md: draw overdraft has the same floor as all; a balance cannot skip its positive part",
		scenario: scenario(`{"steps":[{"name":"over","kinds":["prepaid_card"],"draw":"overdraft"}]}`, bill,
			`[{"id":"c","kind":"prepaid_card","currency":"CNY","balance":"30","overdraft":"50"}]`),
		allocs: []string{"c l over 80.00"}, outstanding: "20.00",
	}, {
		name:   "negative_balance_leaves_the_rest_of_the_room",
		reason: "issue 3: a balance already negative leaves only the rest of the overdraft room",
		scenario: scenario(`{"steps":[{"name":"card","kinds":["prepaid_card"]},{"name":"over","kinds":["prepaid_card"],"draw":"all"}]}`, bill,
			`[{"id":"c","kind":"prepaid_card","currency":"CNY","balance":"-20","overdraft":"50"}]`),
		allocs: []string{"c l over 30.00"}, outstanding: "70.00",
	}, {
		name:   "unnamed_steps_are_labelled_by_position",
		reason: "allocations must say which step paid: an unnamed balance step and an unnamed overdraft step are step 1 and step 2",
		scenario: scenario(`{"steps":[{"kinds":["prepaid_card"]},{"kinds":["prepaid_card"],"draw":"overdraft"}]}`, bill,
			`[{"id":"c","kind":"prepaid_card","currency":"CNY","balance":"30","overdraft":"50"}]`),
		allocs: []string{"c l step 1 30.00", "c l step 2 50.00"}, outstanding: "20.00",
	}, {
		name:   "no_balance_without_room",
		reason: "DESIGN.md: an instrument with nothing it may draw is skipped as no_balance",
		scenario: scenario(`{"steps":[{"name":"card","kinds":["prepaid_card"]}]}`, bill,
			`[{"id":"c","kind":"prepaid_card","currency":"CNY","balance":"-20","overdraft":"50"}]`),
		skipped: map[string][]allocation.Reason{"c": {allocation.ReasonNoBalance}}, outstanding: "100.00",
	}})
}

func TestAllocateRejectsInvalidInput(t *testing.T) {
	sc := parse(t, scenario(`{}`,
		`{"id":"x","currency":"usd","lines":[{"id":"a","amount":"-1"},{"id":"a","amount":"2"}]}`, `[
		{"id":"v","kind":"voucher","currency":"USD","percent":"150","overdraft":"-3"},
		{"id":"v","kind":"","currency":"USD","balance":"1"}]`))
	// Values JSON decoding rejects (see TestDecodeProblems), built in Go.
	sc.Policy = allocation.Policy{Strategy: "cheapest", Rounding: allocation.Rounding{Places: 2, Mode: "ceiling"},
		Steps: []allocation.Step{{Name: "s", Order: []allocation.OrderKey{"newest_first"}, Draw: "everything", Scope: "narrow"}}}
	_, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
	if !errors.Is(err, allocation.ErrInvalid) {
		t.Fatalf("Allocate error = %v, want one wrapping ErrInvalid", err)
	}
	var inv *allocation.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("error %T is not an *InvalidError", err)
	}
	wantMentions := []string{`currency "usd"`, "at is missing", "-1 is negative", `duplicate line id`,
		"percent 150", "overdraft -3", `duplicate instrument id`, "kind is empty", `strategy "cheapest"`,
		`rounding mode "ceiling"`, `order key "newest_first"`, `draw "everything"`, `scope "narrow"`}
	if len(inv.Problems) != len(wantMentions) {
		t.Errorf("got %d problems, want %d:\n%s", len(inv.Problems), len(wantMentions), strings.Join(inv.Problems, "\n"))
	}
	all := strings.Join(inv.Problems, "\n")
	for _, m := range wantMentions {
		if !strings.Contains(all, m) {
			t.Errorf("no problem mentions %q in:\n%s", m, all)
		}
	}
}

// checkScaleInvariance re-runs a scenario with every amount moved 32
// decimal places down (34 decimals; the rounding places move with them), and, without
// percentages, 25 places up: past what an int64 can hold, so Allocate takes
// its exact path. The split must be the same, moved by as many places.
func checkScaleInvariance(t *testing.T, sc allocation.Scenario, want allocation.Split) {
	t.Helper()
	shifts := []int32{-32}
	percent := false
	for _, in := range sc.Wallet {
		percent = percent || in.IsPercent()
	}
	if !percent {
		shifts = append(shifts, 25)
	}
	for _, k := range shifts {
		moved := shiftScenario(sc, k)
		got, err := allocation.Allocate(moved.Bill, moved.Wallet, moved.Policy)
		if err != nil {
			t.Errorf("shifted by %d: %v", k, err)
			continue
		}
		back := func(d decimal.Decimal) decimal.Decimal { return d.Shift(-k) }
		same := len(got.Allocations) == len(want.Allocations) && back(got.Outstanding).Equal(want.Outstanding) &&
			back(got.Discounted).Equal(want.Discounted) && back(got.Paid).Equal(want.Paid) && back(got.Total).Equal(want.Total)
		for i := 0; same && i < len(got.Allocations); i++ {
			a, b := got.Allocations[i], want.Allocations[i]
			same = a.Instrument == b.Instrument && a.Line == b.Line && back(a.Amount).Equal(b.Amount)
		}
		for i := 0; same && i < len(got.Instruments); i++ {
			a, b := got.Instruments[i], want.Instruments[i]
			same = back(a.Used).Equal(b.Used) && back(a.BalanceAfter).Equal(b.BalanceAfter) && slices.Equal(a.Skipped, b.Skipped)
		}
		if !same {
			t.Errorf("amounts shifted by %d places give another split:\n got %+v\nwant %+v", k, got, want)
		}
	}
}

// shiftScenario moves every amount of sc by k decimal places.
func shiftScenario(sc allocation.Scenario, k int32) allocation.Scenario {
	out := sc
	out.Bill.Lines = slices.Clone(sc.Bill.Lines)
	for i := range out.Bill.Lines {
		out.Bill.Lines[i].Amount = out.Bill.Lines[i].Amount.Shift(k)
	}
	out.Wallet = slices.Clone(sc.Wallet)
	for i := range out.Wallet {
		in := &out.Wallet[i]
		in.Balance, in.Overdraft, in.MinSpend = in.Balance.Shift(k), in.Overdraft.Shift(k), in.MinSpend.Shift(k)
	}
	if k < 0 {
		r := sc.Policy.Rounding
		switch r.Places {
		case 0, allocation.CurrencyPlaces:
			r.Places = allocation.MinorUnits(sc.Bill.Currency)
		case allocation.WholeUnits:
			r.Places = 0
		}
		if r.Mode == "" {
			r.Mode = allocation.HalfEven
		}
		r.Places -= k
		out.Policy.Rounding = r
	}
	return out
}

func TestAllocateRejectsAmbiguousStepLabels(t *testing.T) {
	for _, steps := range []string{
		`[{"name":"cards","kinds":["c"]},{"name":"cards","kinds":["c"],"draw":"all"}]`,
		`[{"name":"step 2","kinds":["c"]},{"kinds":["c"],"draw":"all"}]`,
	} {
		sc := parse(t, scenario(`{"steps":`+steps+`}`, `{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[]}`, `[]`))
		_, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if !errors.Is(err, allocation.ErrInvalid) || !strings.Contains(err.Error(), "duplicate step name") {
			t.Errorf("steps %s: error %v, want a duplicate step name", steps, err)
		}
	}
}

func TestRoundingInJSON(t *testing.T) {
	bill := `{"id":"r","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"a","amount":"19.99"}]}`
	coupon := `[{"id":"p","kind":"coupon","currency":"CNY","percent":"15"}]`
	for _, tc := range []struct{ name, rounding, discounted string }{
		{"mode_alone_keeps_the_currency_places", `{"mode":"down"}`, "2.99"},       // 2.9985
		{"places_zero_is_whole_units", `{"places":0}`, "3"},                       // half even
		{"empty_is_the_currency_default", `{}`, "3.00"},                           // 2.9985 half even
		{"explicit_places_and_mode", `{"places":1,"mode":"half_up"}`, "3.0"},      // 2.9985
		{"strict_alone_keeps_the_currency_places", `{"strict":true}`, "3.00"},     // half even
		{"currency_places_are_written_by_omission", `{"mode":"half_up"}`, "3.00"}, // 2.9985
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := parse(t, scenario(`{"rounding":`+tc.rounding+`}`, bill, coupon))
			s, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
			if err != nil {
				t.Fatal(err)
			}
			places := int32(2)
			if tc.rounding == `{"places":0}` {
				places = 0
			} else if strings.Contains(tc.rounding, `"places":1`) {
				places = 1
			}
			if got := s.Discounted.StringFixed(places); got != tc.discounted || !s.Discounted.Equal(decimal.RequireFromString(tc.discounted)) {
				t.Errorf("discounted %s, want %s", s.Discounted, tc.discounted)
			}
			// The policy survives a JSON round trip unchanged.
			data, err := json.Marshal(sc.Policy)
			if err != nil {
				t.Fatal(err)
			}
			var back allocation.Policy
			if err := json.Unmarshal(data, &back); err != nil || back.Rounding != sc.Policy.Rounding {
				t.Errorf("rounding %+v came back as %+v (%s, %v)", sc.Policy.Rounding, back.Rounding, data, err)
			}
		})
	}
}

func TestStrictRoundingAllowsOnlyTheCurrencyDecimals(t *testing.T) {
	policy := `{"rounding":{"strict":true}}`
	for _, tc := range []struct{ currency, amount, problem string }{
		{"JPY", "10.5", `amount 10.5 has more decimals than JPY allows (0)`},
		{"JPY", "10.000", ""},
		{"CNY", "10.000", ""},
		{"CNY", "10.001", `amount 10.001 has more decimals than CNY allows (2)`},
		{"KWD", "1.234", ""},
	} {
		sc := parse(t, scenario(policy, `{"id":"s","currency":"`+tc.currency+`","at":"2024-06-01T00:00:00Z","lines":[{"id":"l","amount":"`+tc.amount+`"}]}`, `[]`))
		_, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("%s %s: %v", tc.currency, tc.amount, err)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("%s %s: error %v, want %q", tc.currency, tc.amount, err, tc.problem)
		}
	}
}

// Places is the working scale: the policy's places, more when an input
// amount has more decimals, and 0 for a decoded Split.
func TestSplitPlaces(t *testing.T) {
	for _, tc := range []struct {
		policy, amount string
		want           int32
	}{
		{`{}`, "10", 2},
		{`{"rounding":{"places":4}}`, "10", 4},
		{`{}`, "0.125", 3},
		{`{"rounding":{"places":0,"mode":"down"}}`, "10", 0},
	} {
		sc := parse(t, scenario(tc.policy, `{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"L","amount":"`+tc.amount+`"}]}`, `[]`))
		sp, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if err != nil {
			t.Fatal(err)
		}
		if sp.Places() != tc.want {
			t.Errorf("policy %s, amount %s: Places %d, want %d", tc.policy, tc.amount, sp.Places(), tc.want)
		}
		b, err := json.Marshal(sp)
		if err != nil {
			t.Fatal(err)
		}
		var back allocation.Split
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back.Places() != 0 {
			t.Errorf("decoded Split: Places %d, want 0", back.Places())
		}
	}
}
