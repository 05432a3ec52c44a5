package renewal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// InstanceJSONVersion is the version of the JSON form of an [Instance] that
// [Instance.MarshalJSON] writes and [Instance.UnmarshalJSON] reads.
const InstanceJSONVersion = 1

// instanceJSON is the wire form of an Instance, version 1, in field order.
type instanceJSON struct {
	Version      int       `json:"version"`
	ID           string    `json:"id"`
	Product      string    `json:"product"`
	Kind         Kind      `json:"kind,omitempty"`
	Renewable    bool      `json:"renewable"`
	Policy       Policy    `json:"policy,omitempty"`
	Status       Status    `json:"status,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
	PeriodMonths int       `json:"period_months,omitempty"`
	AnchorDay    int       `json:"anchor_day,omitempty"`
	AnchorClock  string    `json:"anchor_clock,omitempty"`
	AutoBlocked  bool      `json:"auto_blocked,omitempty"`
}

// MarshalJSON encodes i in its versioned JSON form:
//
//	{"version":1,"id":"web-1","product":"KEC","kind":"standard","renewable":true,
//	 "policy":"auto","status":"active","expires_at":"2024-03-31T10:00:00+08:00",
//	 "period_months":1,"anchor_day":31,"anchor_clock":"10:00:00","auto_blocked":false}
//
// "version" is [InstanceJSONVersion]; "id", "product", "renewable" and
// "expires_at" (RFC 3339 with nanoseconds where there are some, at the
// offset of ExpiresAt's Location, or in UTC where that offset has seconds,
// as local mean times before 1900 do, which RFC 3339 cannot write) are
// always written; the other fields are
// left out at their zero value, which is also what their absence means on
// decoding. anchor_clock is the text form of [Clock]. MarshalJSON does not
// validate i; it fails only where encoding/json fails for a time (a year
// outside 0–9999).
func (i Instance) MarshalJSON() ([]byte, error) {
	expires := i.ExpiresAt
	if _, off := expires.Zone(); off%60 != 0 {
		expires = expires.UTC() // RFC 3339 cannot write an offset with seconds
	}
	return json.Marshal(instanceJSON{
		Version: InstanceJSONVersion, ID: i.ID, Product: i.Product, Kind: i.Kind,
		Renewable: i.Renewable, Policy: i.Policy, Status: i.Status, ExpiresAt: expires,
		PeriodMonths: i.PeriodMonths, AnchorDay: i.AnchorDay, AnchorClock: i.AnchorClock.String(),
		AutoBlocked: i.AutoBlocked,
	})
}

// instanceFields are the names of the fields of the JSON form, in order.
var instanceFields = []string{"version", "id", "product", "kind", "renewable", "policy", "status",
	"expires_at", "period_months", "anchor_day", "anchor_clock", "auto_blocked"}

// UnmarshalJSON decodes i from the JSON form [Instance.MarshalJSON] writes,
// and validates it as [Instance.Validate] does. An object without
// "version" is read as version 1 (instances stored before the form had a
// version have the same fields).
//
// It is strict: an unknown or repeated field, a value of the wrong JSON
// type, a time that is not RFC 3339, a number that is not a whole number,
// an anchor_clock that [ParseClock] refuses, a version other than
// [InstanceJSONVersion], an unknown kind, policy or status, and every other
// problem Validate finds are all reported, each naming the field and the
// instance id, in one [*InvalidError] wrapping [ErrInvalid]. On error i is
// left unchanged. JSON null leaves i unchanged, as for encoding/json's own
// types, and so does null as a field's value, which reads as the field's
// absence.
func (i *Instance) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var p problems
	fields, err := objectFields(data)
	if err != nil {
		p.addf("instance: %v", err)
		return p.err()
	}
	var id string
	if raw, ok := fields.values["id"]; ok {
		_ = json.Unmarshal(raw, &id) // reported below if not a string
	}
	where := func(field string) string { return fmt.Sprintf("instance %q: %s", id, field) }
	if id == "" {
		where = func(field string) string { return "instance: " + field }
	}
	for _, name := range fields.order {
		if fields.dup[name] {
			p.addf("%s: appears more than once", where(strconv.Quote(name)))
		}
		if !slices.Contains(instanceFields, name) {
			p.addf("%s: unknown field (known: %s)", where(strconv.Quote(name)), strings.Join(instanceFields, ", "))
		}
	}
	// value returns the raw value of a field that is present and not null.
	value := func(name string) (json.RawMessage, bool) {
		raw, ok := fields.values[name]
		return raw, ok && string(raw) != "null"
	}
	str := func(name string) string {
		var s string
		if raw, ok := value(name); ok && json.Unmarshal(raw, &s) != nil {
			p.addf("%s: %s is not a JSON string", where(name), raw)
		}
		return s
	}
	boolean := func(name string) bool {
		var b bool
		if raw, ok := value(name); ok && json.Unmarshal(raw, &b) != nil {
			p.addf("%s: %s is not true or false", where(name), raw)
		}
		return b
	}
	integer := func(name string, absent int) int {
		raw, ok := value(name)
		if !ok {
			return absent
		}
		n, err := strconv.Atoi(string(raw))
		if err != nil {
			p.addf("%s: %s is not a whole number", where(name), raw)
			return absent // reported once, not again as out of range
		}
		return n
	}

	if v := integer("version", InstanceJSONVersion); v != InstanceJSONVersion {
		p.addf("%s: version %s is not known; this package reads version %d", where("version"),
			fields.values["version"], InstanceJSONVersion)
	}
	out := Instance{
		ID:           str("id"),
		Product:      str("product"),
		Kind:         Kind(str("kind")),
		Renewable:    boolean("renewable"),
		Policy:       Policy(str("policy")),
		Status:       Status(str("status")),
		PeriodMonths: integer("period_months", 0),
		AnchorDay:    integer("anchor_day", 0),
		AutoBlocked:  boolean("auto_blocked"),
	}
	expiresRead := true
	if raw, ok := value("expires_at"); ok {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			p.addf("%s: %s is not a JSON string", where("expires_at"), raw)
			expiresRead = false
		} else if err := out.ExpiresAt.UnmarshalText([]byte(s)); err != nil {
			p.addf("%s: %q is not an RFC 3339 time (write 2024-03-31T10:00:00+08:00)", where("expires_at"), s)
			expiresRead = false
		}
	}
	if s := str("anchor_clock"); s != "" {
		var err error
		if out.AnchorClock, err = ParseClock(s); err != nil {
			p.addf("%s: %q is not a time of day (write 00:00, 02:30 or 10:00:00)", where("anchor_clock"), s)
		}
	}
	probe := out
	if !expiresRead {
		probe.ExpiresAt = time.Unix(0, 0) // already reported; not again as missing
	}
	probe.validate(&p)
	if err := p.err(); err != nil {
		return err
	}
	*i = out
	return nil
}

// fieldSet is the members of one JSON object.
type fieldSet struct {
	values map[string]json.RawMessage
	order  []string        // each name once, in order of first appearance
	dup    map[string]bool // names that appear more than once
}

// objectFields reads data as exactly one JSON object and returns its
// members, or an error saying why data is not one object.
func objectFields(data []byte) (fieldSet, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fieldSet{}, fmt.Errorf("not JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fieldSet{}, errors.New("not a JSON object")
	}
	fs := fieldSet{values: map[string]json.RawMessage{}, dup: map[string]bool{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fieldSet{}, fmt.Errorf("not JSON: %v", err)
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fieldSet{}, fmt.Errorf("not JSON: %v", err)
		}
		if _, seen := fs.values[name]; seen {
			fs.dup[name] = true
		} else {
			fs.order = append(fs.order, name)
		}
		fs.values[name] = raw
	}
	if _, err := dec.Token(); err != nil {
		return fieldSet{}, fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fieldSet{}, errors.New("more data after the JSON object")
	}
	return fs, nil
}
