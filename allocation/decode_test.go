package allocation_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/billfold/billfold/allocation"
)

// jsonTypes are a fresh value of every type with a JSON form, by name.
var jsonTypes = map[string]func() any{
	"Bill":             func() any { return new(allocation.Bill) },
	"Line":             func() any { return new(allocation.Line) },
	"Wallet":           func() any { return new(allocation.Wallet) },
	"Instrument":       func() any { return new(allocation.Instrument) },
	"Scope":            func() any { return new(allocation.Scope) },
	"Policy":           func() any { return new(allocation.Policy) },
	"Step":             func() any { return new(allocation.Step) },
	"Restriction":      func() any { return new(allocation.Restriction) },
	"Rounding":         func() any { return new(allocation.Rounding) },
	"Limits":           func() any { return new(allocation.Limits) },
	"Split":            func() any { return new(allocation.Split) },
	"Allocation":       func() any { return new(allocation.Allocation) },
	"InstrumentResult": func() any { return new(allocation.InstrumentResult) },
	"LineResult":       func() any { return new(allocation.LineResult) },
	"Scenario":         func() any { return new(allocation.Scenario) },
	"Strategy":         func() any { return new(allocation.Strategy) },
	"StepScope":        func() any { return new(allocation.StepScope) },
	"OrderKey":         func() any { return new(allocation.OrderKey) },
	"Draw":             func() any { return new(allocation.Draw) },
	"RoundingMode":     func() any { return new(allocation.RoundingMode) },
	"Reason":           func() any { return new(allocation.Reason) },
}

// problemsOf returns the problems of err, failing t unless err is an
// *InvalidError wrapping ErrInvalid.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	var inv *allocation.InvalidError
	if !errors.Is(err, allocation.ErrInvalid) || !errors.As(err, &inv) {
		t.Fatalf("error %v is not an *InvalidError wrapping ErrInvalid", err)
	}
	return inv.Problems
}

// A misspelt field is an error in every type with a JSON form, naming
// where it is and the field meant; the value decoded into is unchanged.
// (issue 16: json.Unmarshal into Bill dropped "categry", "mdoe" and
// "ammount" silently, so a voucher paid an SMS line, a trial got the gift
// balance, and a line became free.)
func TestDecodeRejectsUnknownFields(t *testing.T) {
	bill := `{"id":"B","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"sms-1","product":"sms","categry":"sms","amount":"10"}]}`
	for _, tc := range []struct {
		typ, data, want string
	}{
		{"Bill", bill, `bill.lines[0] (id "sms-1"): unknown field "categry"; did you mean "category"?`},
		{"Bill", `{"id":"B","mdoe":"trial"}`, `bill: unknown field "mdoe"; did you mean "mode"?`},
		{"Line", `{"id":"l","ammount":"10"}`, `line: unknown field "ammount"; did you mean "amount"?`},
		{"Wallet", `[{"id":"V1","kind":"voucher","balanse":"5"}]`, `wallet[0] (id "V1"): unknown field "balanse"; did you mean "balance"?`},
		{"Instrument", `{"id":"V1","Scope":{"products":["ecs"]}}`, `instrument: unknown field "Scope"; did you mean "scope"?`},
		{"Instrument", `{"id":"V1","scope":{"product":["ecs"]}}`, `instrument.scope: unknown field "product"; did you mean "products"?`},
		{"Scope", `{"exclude_mode":["trial"]}`, `scope: unknown field "exclude_mode"; did you mean "exclude_modes"?`},
		{"Policy", `{"steps":[{"name":"vouchers","kind":["voucher"]}]}`, `policy.steps[0] (name "vouchers"): unknown field "kind"; did you mean "kinds"?`},
		{"Policy", `{"rounding":{"place":2}}`, `policy.rounding: unknown field "place"; did you mean "places"?`},
		{"Policy", `{"limits":{"max_line":5}}`, `policy.limits: unknown field "max_line"; did you mean "max_lines"?`},
		{"Policy", `{"restrictions":[{"categories":["sms"],"allow":["cash"]}]}`, `policy.restrictions[0]: unknown field "allow"`},
		{"Step", `{"name":"s","oder":["priority"]}`, `step: unknown field "oder"; did you mean "order"?`},
		{"Restriction", `{"category":["sms"]}`, `restriction: unknown field "category"; did you mean "categories"?`},
		{"Rounding", `{"mode":"down","precision":2}`, `rounding: unknown field "precision"; expected one of places, mode, strict`},
		{"Limits", `{"max_lines":5,"lines":6}`, `limits: unknown field "lines"`},
		{"Split", `{"bill":"B","totl":"1"}`, `split: unknown field "totl"; did you mean "total"?`},
		{"Split", `{"instruments":[{"id":"V1","skiped":[]}]}`, `split.instruments[0] (id "V1"): unknown field "skiped"; did you mean "skipped"?`},
		{"Allocation", `{"instrument":"V1","lines":"L1"}`, `allocation: unknown field "lines"; did you mean "line"?`},
		{"InstrumentResult", `{"id":"V1","balance":"1"}`, `instrument result: unknown field "balance"`},
		{"LineResult", `{"id":"L1","paid":"1"}`, `line result: unknown field "paid"`},
		{"Scenario", `{"policy":{},"bill":` + bill + `,"wallet":[]}`, `bill.lines[0] (id "sms-1"): unknown field "categry"`},
		{"Strategy", `"greedy"`, `strategy: "greedy" is not a strategy; expected one of in_order, max_coverage`},
		{"StepScope", `"narrow"`, `scope: "narrow" is not a step scope`},
		{"OrderKey", `"expiry_first"`, `order key: "expiry_first" is not an order key; did you mean "expires_first"?`},
		{"Draw", `"al"`, `draw: "al" is not a draw; did you mean "all"?`},
		{"RoundingMode", `"half_down"`, `mode: "half_down" is not a rounding mode; expected one of half_even, half_up, down`},
		{"Reason", `"bill_covered"`, `reason: "bill_covered" is not a reason`},
	} {
		t.Run(tc.typ+"/"+tc.want, func(t *testing.T) {
			v := jsonTypes[tc.typ]()
			before := reflect.ValueOf(v).Elem().Interface()
			err := json.Unmarshal([]byte(tc.data), v)
			problems := problemsOf(t, err)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("no problem says %q:\n%s", tc.want, strings.Join(problems, "\n"))
			}
			if after := reflect.ValueOf(v).Elem().Interface(); !reflect.DeepEqual(before, after) {
				t.Errorf("a failed decode changed the value: %+v", after)
			}
		})
	}
}

// Every decoding problem says where (JSON path, and the element's id),
// what was found and what is expected, and one error lists them all.
// (issue 16: `bill.lines[0]: error decoding string '"12,50"': can't convert
// 12,50 to decimal` named neither the field nor the line.)
func TestDecodeProblemsSayWhereWhatAndExpected(t *testing.T) {
	data := `{"id":7,"currency":"CNY","at":"2024-06-01","lines":[
		{"id":"sms-1","amount":"12,50"},
		{"id":"ecs-1","amount":"1,234.50"},
		{"id":"cdn-1","amount":true},
		"L4"],
		"exclude_kinds":"voucher"}`
	var b allocation.Bill
	got := problemsOf(t, json.Unmarshal([]byte(data), &b))
	want := []string{
		`bill.id: found the number 7, expected a string`,
		`bill.at: "2024-06-01" is not an RFC 3339 time (date, "T", time and zone); write "2024-06-01T00:00:00Z" for midnight UTC`,
		`bill.lines[0] (id "sms-1").amount: "12,50" is not a decimal amount; write 12.50 (a point, not a comma)`,
		`bill.lines[1] (id "ecs-1").amount: "1,234.50" is not a decimal amount; write 1234.50 (no thousands separators)`,
		`bill.lines[2] (id "cdn-1").amount: found true, expected a decimal amount as a string, such as "12.50"`,
		`bill.lines[3]: found "L4", expected a bill line (a JSON object)`,
		`bill.exclude_kinds: found "voucher", expected a list of strings (a JSON array)`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}

	// A policy: which step, and what the vocabulary is.
	_, err := allocation.ParsePolicy([]byte(`{"strategy":"in-order","steps":[
		{"name":"vouchers","kinds":["voucher"],"order":["expiry_first"]},
		{"name":"gift","kind":"gift","draw":"everything"}],
		"rounding":{"places":-3}}`))
	want = []string{
		`policy.strategy: "in-order" is not a strategy; did you mean "in_order"?`,
		`policy.steps[0] (name "vouchers").order[0]: "expiry_first" is not an order key; did you mean "expires_first"?`,
		`policy.steps[1] (name "gift"): unknown field "kind"; did you mean "kinds"?`,
		`policy.steps[1] (name "gift").draw: "everything" is not a draw; expected one of balance, all, overdraft`,
		`policy.rounding.places: found -3, expected 0 or more decimal places (leave places out for the currency's minor units)`,
	}
	if d := cmp.Diff(want, problemsOf(t, err)); d != "" {
		t.Errorf("policy problems (-want +got):\n%s", d)
	}

	// Syntax errors say where, by line and column.
	_, err = allocation.ParseScenario([]byte("{\"policy\": {},\n \"bill\": {\"id\": }}"))
	if p := problemsOf(t, err); len(p) != 1 || !strings.Contains(p[0], "scenario: invalid JSON at line 2, column") {
		t.Errorf("syntax error: %q", p)
	}
}

// ParseScenario lists the decoding problems of some lines and
// instruments together with what Allocate finds wrong with the rest.
func TestParseScenarioListsEveryProblem(t *testing.T) {
	_, err := allocation.ParseScenario([]byte(`{"policy":{},
		"bill":{"id":"B","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"a","amount":"-1"},{"id":"b","amount":"1O"}]},
		"wallet":[{"id":"V","kind":"voucher","currency":"CNY","balance":"5","valid_until":"tomorrow"},{"id":"G","kind":"","currency":"CNY"}]}`))
	want := []string{
		`bill.lines[1] (id "b").amount: "1O" is not a decimal amount; write digits with an optional sign and decimal point, such as "12.50"`,
		`wallet[0] (id "V").valid_until: "tomorrow" is not an RFC 3339 time (date, "T", time and zone); write it like "2024-06-01T00:00:00Z" or "2024-06-01T08:00:00+08:00"`,
		`line "a": amount -1 is negative`,
		`instrument "G": kind is empty`,
	}
	if d := cmp.Diff(want, problemsOf(t, err)); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
}

// Old valid inputs decode as they did: JSON null leaves a value alone,
// amounts may be numbers, [] is an empty list, a percentage coupon without
// balance is uncapped, with "balance": "0" it is a spent cap.
func TestDecodeKeepsTheContract(t *testing.T) {
	sc, err := allocation.ParseScenario([]byte(`{"description":"ignored","policy":{"rounding":{"mode":"half_up"},"steps":[{"name":"s","kinds":[]}]},
		"bill":{"id":"B","currency":"EUR","at":"2024-06-01T00:00:00+02:00","mode":null,"lines":[{"id":"L","amount":12.5}],"exclude_kinds":[]},
		"wallet":[{"id":"P","kind":"coupon","currency":"EUR","percent":"15","balance":null},
		          {"id":"Q","kind":"coupon","currency":"EUR","percent":15,"balance":"0"},
		          {"id":"S","kind":"gift","currency":"EUR","balance":"1e2","percent":null}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Policy.Rounding != (allocation.Rounding{Mode: allocation.HalfUp}) {
		t.Errorf("rounding %+v, want the currency's places with half_up", sc.Policy.Rounding)
	}
	if k := sc.Policy.Steps[0].Kinds; k == nil || len(k) != 0 {
		t.Errorf("kinds [] decoded as %#v", k)
	}
	if l := sc.Bill.Lines[0]; l.Amount.String() != "12.5" || sc.Bill.Mode != "" || sc.Bill.ExcludeKinds == nil {
		t.Errorf("bill %+v", sc.Bill)
	}
	p, q, s := sc.Wallet[0], sc.Wallet[1], sc.Wallet[2]
	if !p.IsPercent() || p.Capped || !q.IsPercent() || !q.Capped || !q.Balance.IsZero() || s.IsPercent() || s.Balance.String() != "100" {
		t.Errorf("wallet %+v", sc.Wallet)
	}
	// null leaves a value alone, as encoding/json does.
	b := allocation.Bill{ID: "kept"}
	if err := json.Unmarshal([]byte(`null`), &b); err != nil || b.ID != "kept" {
		t.Errorf("null: %v, %+v", err, b)
	}
}
