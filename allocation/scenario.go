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
// an [*InvalidError] listing every decoding problem, each with its JSON
// path (bill.lines[0] (id "sms-1").amount), what was found and what was
// expected; when only lines or instruments failed to decode, it also lists
// what [Allocate] finds wrong with the rest, so one call reports every
// problem. A scenario that decodes is returned unvalidated: Allocate
// validates it.
func ParseScenario(data []byte) (Scenario, error) {
	d := decoder{partial: true}
	var sc Scenario
	if !d.valid("scenario", data) {
		return Scenario{}, d.p.err()
	}
	d.scenario(data, &sc)
	if len(d.p) == 0 {
		return sc, nil
	}
	if d.dropped == len(d.p) {
		// Only some lines or instruments failed to decode: check the rest
		// too, so that one call reports every problem.
		if _, err := validate(&sc.Bill, sc.Wallet, &sc.Policy); err != nil {
			var inv *InvalidError
			if errors.As(err, &inv) {
				d.p = append(d.p, inv.Problems...)
			}
		}
	}
	return Scenario{}, d.p.err()
}

// UnmarshalJSON decodes a scenario as [ParseScenario] does, without
// validating it: the policy, bill and wallet keys are required, other
// top-level keys are ignored.
func (sc *Scenario) UnmarshalJSON(data []byte) error {
	return decodeDocument("scenario", data, sc, func(d *decoder, _ path, raw []byte, sc *Scenario) {
		d.scenario(raw, sc)
	})
}

// scenario decodes a scenario; its parts' paths are "policy", "bill" and
// "wallet".
func (d *decoder) scenario(raw []byte, sc *Scenario) {
	ms, ok := d.object("scenario", raw, "a scenario with policy, bill and wallet")
	if !ok {
		if isNull(raw) {
			d.addf("scenario", "found null, expected a scenario with policy, bill and wallet (a JSON object)")
		}
		return
	}
	last := make(map[string]int, len(ms))
	for i, m := range ms {
		last[m.key] = i
	}
	for _, key := range [...]string{"policy", "bill", "wallet"} {
		if _, ok := last[key]; !ok {
			d.addf("scenario", "%q is missing", key)
		}
	}
	for i, m := range ms {
		if last[m.key] != i {
			continue // the last of repeated keys counts, as in a JSON object read into a map
		}
		switch m.key {
		case "policy":
			d.policy("policy", m.val, &sc.Policy)
		case "bill":
			d.bill("bill", m.val, &sc.Bill)
		case "wallet":
			d.wallet("wallet", m.val, &sc.Wallet)
		}
	}
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
