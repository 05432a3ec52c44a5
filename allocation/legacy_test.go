package allocation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
)

// The scenario decoder as it was before issue 16 (strict encoding/json on
// plain structs), kept to show that every input it accepted still decodes
// to the same values. Its result is given in today's representation:
// Capped for a percentage instrument with a balance (it said Uncapped for
// one without), and the rounding places JSON meant (absent: Places 0; 0:
// WholeUnits; it said CurrencyPlaces and 0, and wrote half_even as the
// mode of a bare "places": 0, which an empty mode means too).

type legacyScope struct {
	Products          []string `json:"products"`
	ExcludeProducts   []string `json:"exclude_products"`
	Categories        []string `json:"categories"`
	ExcludeCategories []string `json:"exclude_categories"`
	Modes             []string `json:"modes"`
	ExcludeModes      []string `json:"exclude_modes"`
}

type legacyInstrument struct {
	ID          string           `json:"id"`
	Kind        string           `json:"kind"`
	Currency    string           `json:"currency"`
	Balance     *decimal.Decimal `json:"balance"`
	Overdraft   decimal.Decimal  `json:"overdraft"`
	Percent     *decimal.Decimal `json:"percent"`
	MinSpend    decimal.Decimal  `json:"min_spend"`
	ValidFrom   time.Time        `json:"valid_from"`
	ValidUntil  time.Time        `json:"valid_until"`
	Scope       legacyScope      `json:"scope"`
	Priority    int              `json:"priority"`
	IssuedAt    time.Time        `json:"issued_at"`
	Status      string           `json:"status"`
	Group       string           `json:"group"`
	Invoiceable bool             `json:"invoiceable"`
}

type legacyLine struct {
	ID       string          `json:"id"`
	Product  string          `json:"product"`
	Category string          `json:"category"`
	Amount   decimal.Decimal `json:"amount"`
}

type legacyBill struct {
	ID                 string            `json:"id"`
	Currency           string            `json:"currency"`
	At                 time.Time         `json:"at"`
	Mode               string            `json:"mode"`
	Lines              []json.RawMessage `json:"lines"`
	ExcludeInstruments []string          `json:"exclude_instruments"`
	ExcludeKinds       []string          `json:"exclude_kinds"`
}

type legacyPolicy struct {
	Name     string `json:"name"`
	Strategy string `json:"strategy"`
	Rounding struct {
		Places *int32 `json:"places"`
		Mode   string `json:"mode"`
		Strict bool   `json:"strict"`
	} `json:"rounding"`
	Steps []struct {
		Name  string   `json:"name"`
		Kinds []string `json:"kinds"`
		Scope string   `json:"scope"`
		Order []string `json:"order"`
		Draw  string   `json:"draw"`
	} `json:"steps"`
	Restrictions []allocation.Restriction `json:"restrictions"`
	Limits       struct {
		MaxLines         int `json:"max_lines"`
		MaxInstruments   int `json:"max_instruments"`
		MaxIDLength      int `json:"max_id_length"`
		MaxIntegerDigits int `json:"max_integer_digits"`
		MaxDecimalPlaces int `json:"max_decimal_places"`
	} `json:"limits"`
}

func legacyStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// legacyParseScenario is ParseScenario's decoding before issue 16, without
// its error messages.
func legacyParseScenario(data []byte) (allocation.Scenario, error) {
	var sc allocation.Scenario
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return sc, errors.New("not an object")
	}
	for _, k := range []string{"policy", "bill", "wallet"} {
		if _, ok := top[k]; !ok {
			return sc, errors.New("missing " + k)
		}
	}
	var p legacyPolicy
	if err := legacyStrict(top["policy"], &p); err != nil {
		return sc, err
	}
	sc.Policy = allocation.Policy{Name: p.Name, Strategy: allocation.Strategy(p.Strategy),
		Rounding:     allocation.Rounding{Mode: allocation.RoundingMode(p.Rounding.Mode), Strict: p.Rounding.Strict},
		Restrictions: p.Restrictions, Limits: allocation.Limits(p.Limits)}
	if r := p.Rounding.Places; r != nil && *r == 0 {
		sc.Policy.Rounding.Places = allocation.WholeUnits
	} else if r != nil && *r != allocation.CurrencyPlaces {
		sc.Policy.Rounding.Places = *r
	}
	if p.Steps != nil {
		sc.Policy.Steps = []allocation.Step{}
	}
	for _, s := range p.Steps {
		step := allocation.Step{Name: s.Name, Kinds: s.Kinds, Scope: allocation.StepScope(s.Scope), Draw: allocation.Draw(s.Draw)}
		for _, k := range s.Order {
			step.Order = append(step.Order, allocation.OrderKey(k))
		}
		sc.Policy.Steps = append(sc.Policy.Steps, step)
	}
	var b legacyBill
	if err := legacyStrict(top["bill"], &b); err != nil {
		return sc, err
	}
	sc.Bill = allocation.Bill{ID: b.ID, Currency: b.Currency, At: b.At, Mode: b.Mode,
		ExcludeInstruments: b.ExcludeInstruments, ExcludeKinds: b.ExcludeKinds}
	for _, raw := range b.Lines {
		var l legacyLine
		if err := legacyStrict(raw, &l); err != nil {
			return sc, err
		}
		sc.Bill.Lines = append(sc.Bill.Lines, allocation.Line(l))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(top["wallet"], &items); err != nil {
		return sc, err
	}
	for _, raw := range items {
		var w legacyInstrument
		if err := legacyStrict(raw, &w); err != nil {
			return sc, err
		}
		in := allocation.Instrument{ID: w.ID, Kind: w.Kind, Currency: w.Currency,
			Overdraft: w.Overdraft, MinSpend: w.MinSpend, ValidFrom: w.ValidFrom, ValidUntil: w.ValidUntil,
			Scope: allocation.Scope(w.Scope), Priority: w.Priority, IssuedAt: w.IssuedAt, Status: w.Status,
			Group: w.Group, Invoiceable: w.Invoiceable}
		if w.Balance != nil {
			in.Balance = *w.Balance
		}
		if w.Percent != nil {
			in.Percent = decimal.NewNullDecimal(*w.Percent)
			in.Capped = w.Balance != nil
		}
		sc.Wallet = append(sc.Wallet, in)
	}
	return sc, nil
}

// newlyRejected reports whether problem is one of the rejections issue 16
// added on purpose: a field name in the wrong case (encoding/json matched
// names ignoring case), a value outside a vocabulary (Allocate rejected
// those later), or negative rounding places (idem).
func newlyRejected(problem string) bool {
	if strings.Contains(problem, "is not a") || strings.Contains(problem, "expected 0 or more decimal places") {
		return true
	}
	_, meant, ok := strings.Cut(problem, "unknown field ")
	if !ok {
		return false
	}
	var got, want string
	if _, err := fmtSscanQuoted(meant, &got, &want); err != nil {
		return false
	}
	return strings.EqualFold(got, want)
}

// fmtSscanQuoted reads `"got"; did you mean "want"?`.
func fmtSscanQuoted(s string, got, want *string) (int, error) {
	a, rest, ok := strings.Cut(s, "; did you mean ")
	if !ok {
		return 0, errors.New("no suggestion")
	}
	if err := json.Unmarshal([]byte(a), got); err != nil {
		return 0, err
	}
	return 2, json.Unmarshal([]byte(strings.TrimSuffix(rest, "?")), want)
}

// FuzzDecodeMatchesLegacy: every scenario the decoder before issue 16
// accepted decodes to the same values today, unless it is one of the
// inputs rejected on purpose (see newlyRejected).
func FuzzDecodeMatchesLegacy(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"policy":{"Strategy":"in_order","rounding":{"places":0}},"bill":{"ID":"B","lines":null},"wallet":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		old, err := legacyParseScenario(data)
		if err != nil {
			return
		}
		var now allocation.Scenario
		if err := json.Unmarshal(data, &now); err != nil {
			var inv *allocation.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("legacy accepted, now: %v", err)
			}
			for _, p := range inv.Problems {
				if !newlyRejected(p) {
					t.Fatalf("legacy accepted, now rejected: %s\n%s", p, data)
				}
			}
			return
		}
		if d := cmp.Diff(old, now, jsonOptions()); d != "" {
			t.Fatalf("decoded differently (-legacy +now):\n%s\n%s", d, data)
		}
	})
}

// The scenarios kept in the repository (the CLI's examples and the fuzz
// corpora) decode as they did.
func TestDecodeMatchesLegacyOnStoredScenarios(t *testing.T) {
	var inputs [][]byte
	files, _ := filepath.Glob(filepath.Join("..", "examples", "allocate", "testdata", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	corpus, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	for _, f := range corpus {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// go test fuzz v1 \n []byte("…")
		_, lit, _ := strings.Cut(string(b), "[]byte(")
		s, err := strconv.Unquote(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(lit), ")")))
		if err == nil {
			inputs = append(inputs, []byte(s))
		}
	}
	for _, s := range fuzzSeeds {
		inputs = append(inputs, []byte(s))
	}
	accepted := 0
	for _, data := range inputs {
		old, err := legacyParseScenario(data)
		if err != nil {
			continue
		}
		accepted++
		var now allocation.Scenario
		if err := json.Unmarshal(data, &now); err != nil {
			var inv *allocation.InvalidError
			if !errors.As(err, &inv) || slices.ContainsFunc(inv.Problems, func(p string) bool { return !newlyRejected(p) }) {
				t.Errorf("accepted before, rejected now: %v\n%s", err, data)
			}
			continue
		}
		if d := cmp.Diff(old, now, jsonOptions()); d != "" {
			t.Errorf("decoded differently (-legacy +now):\n%s", d)
		}
	}
	if len(files) < 2 || accepted < 10 {
		t.Fatalf("only %d files and %d accepted scenarios: the inputs moved?", len(files), accepted)
	}
}

// bigScenario is a scenario file of n lines and n instruments.
func bigScenario(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"policy":{"steps":[{"name":"v","kinds":["voucher"],"order":["expires_first"]}]},"bill":{"id":"B","currency":"CNY","at":"2024-06-01T00:00:00Z","lines":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"L%d","product":"ecs","category":"compute","amount":"%d.50"}`, i, i)
	}
	b.WriteString(`]},"wallet":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"V%d","kind":"voucher","currency":"CNY","balance":"%d","valid_until":"2024-07-01T00:00:00Z","scope":{"products":["ecs"]}}`, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// Decoding with paths and every problem costs this much more than the
// decoder before issue 16 (no Allocate involved).
func BenchmarkParseScenario1000(b *testing.B) {
	data := bigScenario(1000)
	b.SetBytes(int64(len(data)))
	for range b.N {
		if _, err := allocation.ParseScenario(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLegacyParseScenario1000(b *testing.B) {
	data := bigScenario(1000)
	b.SetBytes(int64(len(data)))
	for range b.N {
		if _, err := legacyParseScenario(data); err != nil {
			b.Fatal(err)
		}
	}
}
