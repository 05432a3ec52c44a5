package allocation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A Scenario is one allocation problem as kept in a file:
// {"policy": …, "bill": …, "wallet": […]}. It is what
// examples/allocate reads.
type Scenario struct {
	Policy Policy `json:"policy"`
	Bill   Bill   `json:"bill"`
	Wallet Wallet `json:"wallet"`
}

// ParseScenario decodes a scenario file. The policy, bill and wallet keys
// are required; other top-level keys (a description, expected results) are
// ignored. Inside them decoding is strict: an unknown field is an error, so
// a misspelt field cannot silently change who pays. The error, if any, is
// an [*InvalidError] listing one problem per part, line or instrument that
// failed to decode; when only lines or instruments failed, it also lists
// what [Allocate] finds wrong with the rest, so one call reports every
// problem. A scenario that decodes is returned unvalidated: Allocate
// validates it.
func ParseScenario(data []byte) (Scenario, error) {
	var sc Scenario
	var p problems
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		p.addf("scenario: %s", jsonProblem(data, err))
		return sc, p.err()
	}
	if top == nil {
		p.addf("scenario: want a JSON object with policy, bill and wallet, got null")
		return sc, p.err()
	}
	whole := true // policy, bill and wallet are there and decoded, but for entries
	for _, key := range [...]string{"policy", "bill", "wallet"} {
		if _, ok := top[key]; !ok {
			p.addf("scenario: %q is missing", key)
			whole = false
		}
	}
	if raw, ok := top["policy"]; ok {
		if err := decodeStrict(raw, &sc.Policy); err != nil {
			p.addf("policy: %s", jsonProblem(raw, err))
			whole = false
		}
	}
	if raw, ok := top["bill"]; ok {
		// Lines one by one, so a problem names its line.
		var b struct {
			Bill
			Lines []json.RawMessage `json:"lines"`
		}
		if err := decodeStrict(raw, &b); err != nil {
			p.addf("bill: %s", jsonProblem(raw, err))
			whole = false
		}
		sc.Bill = b.Bill
		sc.Bill.Lines = make([]Line, 0, len(b.Lines))
		for i, item := range b.Lines {
			var l Line
			if err := decodeStrict(item, &l); err != nil {
				p.addf("bill.lines[%d]: %s", i, jsonProblem(item, err))
				continue
			}
			sc.Bill.Lines = append(sc.Bill.Lines, l)
		}
	}
	if raw, ok := top["wallet"]; ok {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			p.addf("wallet: %s", jsonProblem(raw, err))
			whole = false
		}
		for i, item := range items {
			var in Instrument
			if err := in.UnmarshalJSON(item); err != nil {
				p.addf("wallet[%d]: %s", i, jsonProblem(item, err))
				continue
			}
			sc.Wallet = append(sc.Wallet, in)
		}
	}
	if len(p) == 0 {
		return sc, nil
	}
	if whole {
		// Only some lines or instruments failed to decode: check the rest
		// too, so that one call reports every problem.
		if _, err := validate(&sc.Bill, sc.Wallet, &sc.Policy); err != nil {
			var inv *InvalidError
			if errors.As(err, &inv) {
				p = append(p, inv.Problems...)
			}
		}
	}
	return Scenario{}, p.err()
}

// jsonProblem turns a decoding error into a message that says where in
// data the problem is.
func jsonProblem(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return fmt.Sprintf("invalid JSON at line %d, column %d: %s", line, col, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("%s: want %s, got JSON %s", field, typ.Type, typ.Value)
	case err.Error() == "unexpected EOF":
		return "invalid JSON: unexpected end of input"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// position converts a byte offset to a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}
