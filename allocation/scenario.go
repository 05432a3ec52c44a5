package allocation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
// an [*InvalidError] listing one problem per policy, bill or wallet entry
// that failed to decode; the values are not validated (Allocate does that).
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
	for _, key := range [...]string{"policy", "bill", "wallet"} {
		if _, ok := top[key]; !ok {
			p.addf("scenario: %q is missing", key)
		}
	}
	if raw, ok := top["policy"]; ok {
		if err := decodeStrict(raw, &sc.Policy); err != nil {
			p.addf("policy: %s", jsonProblem(raw, err))
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
		}
		sc.Bill = b.Bill
		sc.Bill.Lines = make([]Line, len(b.Lines))
		for i, item := range b.Lines {
			if err := decodeStrict(item, &sc.Bill.Lines[i]); err != nil {
				p.addf("bill.lines[%d]: %s", i, jsonProblem(item, err))
			}
		}
	}
	if raw, ok := top["wallet"]; ok {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			p.addf("wallet: %s", jsonProblem(raw, err))
		}
		if len(items) > 0 {
			sc.Wallet = make(Wallet, len(items))
		}
		for i, item := range items {
			if err := sc.Wallet[i].UnmarshalJSON(item); err != nil {
				p.addf("wallet[%d]: %s", i, jsonProblem(item, err))
			}
		}
	}
	if err := p.err(); err != nil {
		return Scenario{}, err
	}
	return sc, nil
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
	return trimJSONPrefix(err.Error())
}

// trimJSONPrefix drops encoding/json's "json: " prefix.
func trimJSONPrefix(s string) string {
	if rest, ok := bytes.CutPrefix([]byte(s), []byte("json: ")); ok {
		return string(rest)
	}
	return s
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
