package allocation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// fuzzSeeds are scenario files to start fuzzing from; more, each named for
// what it exercises, are in testdata/fuzz/<FuzzName>/.
var fuzzSeeds = []string{
	// Kingsoft (000_f04d44448bd9d2a1.txt): vouchers, gift, credit line.
	`{"policy":{"steps":[{"name":"vouchers","kinds":["voucher"],"order":["expires_first","largest_first"]},{"name":"gift","kinds":["gift"]},{"name":"credit","kinds":["credit_line"],"draw":"all"}]},
	  "bill":{"id":"B","currency":"CNY","at":"2024-06-01T00:00:00Z","mode":"payg","lines":[{"id":"L1","product":"ecs","category":"compute","amount":"120.00"},{"id":"L2","product":"ebs","amount":"80"}]},
	  "wallet":[{"id":"V1","kind":"voucher","currency":"CNY","balance":"50","valid_until":"2024-07-01T00:00:00Z","scope":{"products":["ecs"]}},
	            {"id":"G1","kind":"gift","currency":"CNY","balance":"40","scope":{"exclude_modes":["trial"]}},
	            {"id":"C1","kind":"credit_line","currency":"CNY","balance":"10","overdraft":"50","invoiceable":true},
	            {"id":"P1","kind":"coupon","currency":"CNY","percent":"10"}]}`,
	// Guance (002_974120889ed2e661.txt): SMS only by cash and prepaid
	// cards, then prepaid-card overdraft; max_coverage.
	`{"policy":{"strategy":"max_coverage","steps":[{"name":"cards","kinds":["prepaid_card"]},{"name":"cash","kinds":["cash"]},{"name":"overdue","kinds":["prepaid_card"],"draw":"overdraft"}],"restrictions":[{"categories":["sms"],"allow_kinds":["cash","prepaid_card"]}]},
	  "bill":{"id":"G","currency":"CNY","at":"2024-06-01T08:00:00+08:00","lines":[{"id":"S","category":"sms","amount":"3.5"},{"id":"M","category":"metrics","amount":"100"}]},
	  "wallet":[{"id":"PC","kind":"prepaid_card","currency":"CNY","balance":"-20","overdraft":"100"},{"id":"CA","kind":"cash","currency":"CNY","balance":"1"}]}`,
	// A percentage coupon worth 10^18 units of the working scale.
	`{"policy":{},"bill":{"id":"B1","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[{"id":"L1","amount":"10000000000000000"}]},"wallet":[{"id":"P","kind":"coupon","currency":"CNY","percent":"100"}]}`,
	// Input Allocate rejects, and input ParseScenario rejects.
	`{"policy":{"strategy":"greedy"},"bill":{"currency":"cny","lines":[{"id":"L","amount":"-1"}]},"wallet":[{"id":"x"},{"id":"x"}]}`,
	`{"policy":{"steps":[{"nmae":"typo"}]},"bill":{},"wallet":[]}`,
	`[]`,
	`null`,
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
}

// checkInvalid fails t unless err is the documented kind of error: an
// *InvalidError wrapping ErrInvalid, listing one or more problems, each a
// single non-empty line.
func checkInvalid(t *testing.T, err error) {
	t.Helper()
	var ie *allocation.InvalidError
	if !errors.Is(err, allocation.ErrInvalid) || !errors.As(err, &ie) || len(ie.Problems) == 0 {
		t.Fatalf("error %q is not an *InvalidError wrapping ErrInvalid with problems", err)
	}
	for _, p := range ie.Problems {
		if p == "" || strings.Contains(p, "\n") {
			t.Fatalf("problem %q is not one non-empty line", p)
		}
	}
}

// FuzzParseScenario: ParseScenario never panics, fails only with an
// *InvalidError, and what it accepts encodes to JSON it reads back the
// same.
func FuzzParseScenario(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := allocation.ParseScenario(data)
		if err != nil {
			checkInvalid(t, err)
			return
		}
		enc, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("a parsed scenario does not encode: %v", err)
		}
		back, err := allocation.ParseScenario(enc)
		if err != nil {
			t.Fatalf("an encoded scenario does not parse: %v\n%s", err, enc)
		}
		if d := cmp.Diff(sc, back, jsonOptions()); d != "" {
			t.Fatalf("scenario changed in a round trip (-parsed +reparsed):\n%s\n%s", d, enc)
		}
	})
}

// FuzzAllocate: on any scenario ParseScenario accepts, Allocate never
// panics and either rejects the input with an *InvalidError or returns a
// Split that keeps every invariant, encodes to JSON, comes out the same
// twice, and, under in_order, agrees with the reference.
func FuzzAllocate(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := allocation.ParseScenario(data)
		if err != nil {
			return
		}
		split, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if err != nil {
			checkInvalid(t, err)
			return
		}
		allocationtest.CheckInvariants(t, sc.Bill, sc.Wallet, sc.Policy, split)
		first, err := json.Marshal(split)
		if err != nil {
			t.Fatalf("a split does not encode: %v", err)
		}
		again, _ := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if second, _ := json.Marshal(again); !bytes.Equal(first, second) {
			t.Fatalf("two calls differ:\n%s\n%s", first, second)
		}
		if sc.Policy.Strategy == "" || sc.Policy.Strategy == allocation.InOrder {
			if d := allocationtest.Diff(referenceAllocate(sc.Bill, sc.Wallet, sc.Policy), split); d != "" {
				t.Fatalf("Allocate differs from the reference (-reference +Allocate):\n%s", d)
			}
		}
	})
}

// Amounts a Go caller can build but JSON cannot carry (decimal refuses
// exponents beyond ±10000 when decoding) must meet the same Limits, and
// quickly: nothing may be computed on an amount before its size is
// checked. An exponent near ±2^31 used to invent a cent (a line of
// 1e-2147483648 was billed 0.01), or hang validation (a percentage compared
// with 100) or the engine (an uncapped coupon's ignored balance). Errors
// are not printed: their text may spell the amount out.
func TestAllocateExtremeExponents(t *testing.T) {
	bill := allocationtest.NewBill()
	line := func(d decimal.Decimal) allocation.Line { return allocation.Line{ID: "L1", Amount: d} }
	coupon := func(pct, balance decimal.Decimal) allocation.Instrument {
		c := allocationtest.PercentCoupon("P", "10", "")
		c.Percent, c.Balance = decimal.NewNullDecimal(pct), balance
		return c
	}
	ten := decimal.NewFromInt(10)
	for _, tt := range []struct {
		name    string
		line    decimal.Decimal
		in      allocation.Instrument
		invalid bool
	}{
		{"line of 41 decimals", decimal.New(1, -41), allocationtest.Gift("G1", "5"), true},
		{"line of 2^31 decimals", decimal.New(1, math.MinInt32), allocationtest.Gift("G1", "5"), true},
		{"line of 2^31 - 1 decimals", decimal.New(1, math.MinInt32+1), allocationtest.Gift("G1", "5"), true},
		{"percent of 2^31 decimals", ten, coupon(decimal.New(1, math.MinInt32), decimal.Zero), true},
		{"percent of 2^31 - 1 digits", ten, coupon(decimal.New(1, math.MaxInt32), decimal.Zero), true},
		{"uncapped coupon's ambiguous balance of 2^31 - 1 digits", ten, coupon(ten, decimal.New(1, math.MaxInt32)), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := bill
			b.Lines = []allocation.Line{line(tt.line)}
			done := make(chan error, 1)
			go func() {
				_, err := allocation.Allocate(b, allocation.Wallet{tt.in}, allocationtest.NewPolicy())
				done <- err
			}()
			select {
			case err := <-done:
				if got := errors.Is(err, allocation.ErrInvalid); got != tt.invalid {
					t.Errorf("rejected: %v, want %v", got, tt.invalid)
				}
			case <-time.After(10 * time.Second):
				// Stop the process: the call may be building a number of
				// billions of digits.
				panic("Allocate did not return within 10 s on " + tt.name)
			}
		})
	}
}

// decodeSeeds start FuzzDecode: a document of each JSON type, by the index
// of its type in decodeTypes.
var decodeSeeds = []struct {
	typ  string
	data string
}{
	{"Bill", `{"id":"B","currency":"CNY","at":"2024-06-01T00:00:00Z","mode":"payg","lines":[{"id":"sms-1","product":"sms","category":"sms","amount":"12.50"}],"exclude_kinds":["voucher"]}`},
	{"Bill", `{"id":"B","lines":[{"id":"sms-1","categry":"sms","amount":"12,50"}],"at":"2024-06-01"}`},
	{"Line", `{"id":"L","amount":12.5}`},
	{"Wallet", `[{"id":"P","kind":"coupon","currency":"EUR","percent":"15","balance":null},{"id":"Q","kind":"coupon","currency":"EUR","percent":15,"balance":"0"}]`},
	{"Instrument", `{"id":"C","kind":"credit_line","currency":"CNY","balance":"-20","overdraft":"100","scope":{"exclude_modes":["trial"]},"valid_until":"2024-07-01T00:00:00+08:00","priority":2,"invoiceable":true}`},
	{"Scope", `{"products":["ecs"],"categories":[],"modes":null}`},
	{"Policy", `{"strategy":"max_coverage","rounding":{"places":0,"mode":"half_up","strict":true},"steps":[{"name":"a","kinds":["gift"],"scope":"specific","order":["priority","oldest_first"],"draw":"overdraft"}],"restrictions":[{"categories":["sms"],"allow_kinds":["cash"]}],"limits":{"max_lines":3}}`},
	{"Step", `{"name":"s","order":["expiry_first"]}`},
	{"Restriction", `{"products":["p"],"allow_kinds":[]}`},
	{"Rounding", `{"places":-1}`},
	{"Limits", `{"max_decimal_places":1e3}`},
	{"Split", `{"bill":"B","currency":"CNY","total":"10.00","discounted":"0.00","paid":"10.00","outstanding":"0.00","invoiceable":"0.00","allocations":[{"instrument":"V","line":"L","step":"s","amount":"10.00"}],"instruments":[{"id":"V","used":"10.00","balance_after":"0.00","skipped":[]},{"id":"W","used":"0","balance_after":"5","skipped":["expired","nothing_left"]}],"lines":[{"id":"L","amount":"10.00","discounted":"0","covered":"10.00","outstanding":"0"}]}`},
	{"Allocation", `{"instrument":"V","line":"L","step":"s","amount":"1e-3"}`},
	{"InstrumentResult", `{"id":"V","skipped":["bill_covered"]}`},
	{"LineResult", `{"id":"L","amount":"1","covered":"1"}`},
	{"Scenario", fuzzSeeds[0]},
	{"Strategy", `"in_order"`},
	{"StepScope", `""`},
	{"OrderKey", `"largest_first"`},
	{"Draw", `"all"`},
	{"RoundingMode", `"down"`},
	{"Reason", `"nothing_left"`},
}

// decodeTypes is jsonTypes in a fixed order, so a fuzz input picks one by
// number.
func decodeTypes() []string {
	names := make([]string, 0, len(jsonTypes))
	for n := range jsonTypes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// FuzzDecode: for every type with a JSON form, decoding never panics,
// fails only with an *InvalidError of one-line problems (leaving the value
// as it was), and what it accepts encodes to JSON that decodes to the same
// value.
func FuzzDecode(f *testing.F) {
	types := decodeTypes()
	for _, s := range decodeSeeds {
		f.Add(uint8(slices.Index(types, s.typ)), []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		typ := types[int(which)%len(types)]
		v := jsonTypes[typ]()
		if err := json.Unmarshal(data, v); err != nil {
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				return // encoding/json's own check, before ours
			}
			if !reflect.ValueOf(v).Elem().IsZero() {
				t.Fatalf("%s: a failed decode left %+v", typ, v)
			}
			checkInvalid(t, err)
			return
		}
		enc, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: a decoded value does not encode: %v", typ, err)
		}
		back := jsonTypes[typ]()
		if err := json.Unmarshal(enc, back); err != nil {
			t.Fatalf("%s: %s does not decode: %v", typ, enc, err)
		}
		if d := cmp.Diff(v, back, jsonOptions()); d != "" {
			t.Fatalf("%s changed in a round trip (-decoded +again):\n%s\n%s", typ, d, enc)
		}
	})
}
