package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/billfold/billfold/allocation"
)

func TestRunPrintsTheSplitAsJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-f", "testdata/max_coverage.json"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr not empty: %s", stderr.String())
	}
	var got allocation.Split
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not a Split: %v\n%s", err, stdout.String())
	}
	if got.Outstanding.StringFixed(2) != "20.00" {
		t.Errorf("outstanding %s, want 20.00 (issue 4's max_coverage example)", got.Outstanding)
	}
	if !strings.Contains(stdout.String(), `"outstanding": "20.00"`) {
		t.Errorf("amounts are not fixed-point decimal strings:\n%s", stdout.String())
	}
}

func TestRunReadsStdinAndPrintsTables(t *testing.T) {
	data, err := os.ReadFile("testdata/kingsoft.json")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-table"}, bytes.NewReader(data), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"outstanding", "V2", "expired", "not_in_policy",
		// The legend: what invoiceable is, and every reason given.
		"invoiceable    the outstanding amount plus what instruments marked invoiceable paid; never discounts",
		"not_in_policy  no step of the policy draws its kind"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	valid := `{"policy":{},"bill":{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"l","amount":"1"}]},"wallet":[]}`
	for _, tc := range []struct {
		name, input string
		args        []string
		problems    []string // each must appear, one per stderr line
	}{
		{"empty", "", nil, []string{"empty input"}},
		{"truncated", valid[:40], nil, []string{"unexpected end"}},
		{"not_an_object", `[1,2]`, nil, []string{"scenario:"}},
		{"missing_parts", `{"bill":{}}`, nil, []string{`"policy" is missing`, `"wallet" is missing`}},
		{"policy_typo", strings.Replace(valid, `"policy":{}`, `"policy":{"stratgy":"in_order"}`, 1), nil, []string{`unknown field "stratgy"`}},
		{"instrument_typo_and_wrong_type", strings.Replace(valid, `"wallet":[]`,
			`"wallet":[{"id":"a","kind":"k","currency":"CNY","balanse":"5"},{"id":"b","kind":"k","currency":"CNY","balance":true}]`, 1),
			nil, []string{`wallet[0] (id "a"): unknown field "balanse"; did you mean "balance"?`, `wallet[1] (id "b").balance: found true, expected a decimal amount`}},
		{"invalid_values", strings.Replace(strings.Replace(valid, `"amount":"1"`, `"amount":"-1"`, 1), `"currency":"CNY"`, `"currency":"yuan"`, 1),
			nil, []string{"is negative", `currency "yuan"`}},
		{"decode_and_value_problems_together", strings.Replace(strings.Replace(valid, `"amount":"1"`, `"amount":"-1"},{"id":"m","amount":true`, 1), `"wallet":[]`,
			`"wallet":[{"id":"a","kind":"k","currency":"CNY","balanse":"5"},{"id":"p","kind":"k","currency":"CNY","percent":"150"}]`, 1),
			nil, []string{`bill.lines[1] (id "m").amount: found true`, `wallet[0] (id "a"): unknown field "balanse"`, `amount -1 is negative`, `percent 150 is outside`}},
		{"absurd_amount", strings.Replace(valid, `"amount":"1"`, `"amount":"1e5000"`, 1), nil, []string{"out of range"}},
		{"unknown_flag", valid, []string{"-x"}, []string{"flag provided but not defined"}},
		{"missing_file", "", []string{"-f", "testdata/nope.json"}, []string{"nope.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, strings.NewReader(tc.input), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty on bad input:\n%s", stdout.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			for _, p := range tc.problems {
				found := false
				for _, l := range lines {
					found = found || strings.Contains(l, p)
				}
				if !found {
					t.Errorf("no stderr line mentions %q:\n%s", p, stderr.String())
				}
			}
			if len(tc.problems) > 1 && len(lines) < len(tc.problems) {
				t.Errorf("want one line per problem, got %d lines:\n%s", len(lines), stderr.String())
			}
		})
	}
}

// TestRunBigInput: 20,000 lines × 2,000 instruments is valid input, and
// both strategies give a correct result in well under a second or two.
func TestRunBigInput(t *testing.T) {
	if testing.Short() {
		t.Skip("big input")
	}
	var b strings.Builder
	b.WriteString(`{"bill":{"id":"big","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[`)
	for i := range 20000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"l%d","product":"p%d","amount":"%d.%02d"}`, i, i%50, 1+i%97, i%100)
	}
	b.WriteString(`]},"wallet":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		scope := ""
		if i%3 == 0 {
			scope = fmt.Sprintf(`,"scope":{"products":["p%d","p%d"]}`, i%50, (i*7)%50)
		}
		fmt.Fprintf(&b, `{"id":"i%d","kind":"%s","currency":"CNY","balance":"%d.50"%s}`, i, []string{"voucher", "gift", "cash"}[i%3], 100+i%900, scope)
	}
	b.WriteString(`],"policy":{"strategy":"STRATEGY","steps":[{"name":"v","kinds":["voucher"],"order":["largest_first"]},{"name":"rest","kinds":["gift","cash"]}]}}`)
	for _, strategy := range []string{"in_order", "max_coverage"} {
		input := strings.Replace(b.String(), "STRATEGY", strategy, 1)
		var stdout, stderr bytes.Buffer
		if code := run(nil, strings.NewReader(input), &stdout, &stderr); code != 0 {
			t.Fatalf("%s: exit %d: %s", strategy, code, stderr.String())
		}
		var s allocation.Split
		if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", strategy, err)
		}
		if len(s.Lines) != 20000 || len(s.Instruments) != 2000 {
			t.Fatalf("%s: %d lines, %d instruments in the split", strategy, len(s.Lines), len(s.Instruments))
		}
		if !s.Total.Equal(s.Discounted.Add(s.Paid).Add(s.Outstanding)) {
			t.Errorf("%s: total %s ≠ discounted %s + paid %s + outstanding %s", strategy, s.Total, s.Discounted, s.Paid, s.Outstanding)
		}
	}
}

// The table shows every amount at the split's places, as the JSON does:
// a cap of 5.5 on a zero bill is 5.50 in CNY, not rounded to 6.
func TestTableShowsTheSplitsPlaces(t *testing.T) {
	input := `{"policy":{},"bill":{"id":"b","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"L","amount":"0"}]},
		"wallet":[{"id":"P","kind":"c","currency":"CNY","percent":"10","balance":"5.5"},
		          {"id":"F","kind":"c","currency":"CNY","balance":"0.125"}]}`
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-table"}, strings.NewReader(input), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{" 5.500 ", " 0.125 ", " 0.000 "} { // 3 places: F's balance has 3 decimals
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, stdout.String())
		}
	}
}
