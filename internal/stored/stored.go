// Package stored reads and writes the stored JSON forms of the instrument
// packages (voucher, credit, prepaid): amounts as exact decimal strings,
// instants as RFC 3339 strings in UTC, and a strict reader that collects
// every problem of a document (with the JSON path of each) instead of
// stopping at the first.
package stored

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// Version is the version of the stored forms this build writes and reads.
const Version = 1

// Amount returns d as an exact decimal string, keeping its scale ("1.50"
// stays "1.50"), whatever decimal's package globals say.
func Amount(d decimal.Decimal) string {
	return d.StringFixed(max(0, -d.Exponent()))
}

// OptAmount is [Amount], or "" for zero (an omitted field).
func OptAmount(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return Amount(d)
}

// Time returns t in RFC 3339 with nanoseconds, in UTC, or "" for the zero
// time (an omitted field).
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// maxAmount bounds the length of an amount string, so that no input makes
// arithmetic on it expensive.
const maxAmount = 40

var amountRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// A Reader decodes one stored document, collecting its problems.
type Reader struct {
	// Problems found so far, in document order.
	Problems problems.List
	// Broken is set when a value could not be read (missing, malformed,
	// not an object, another version): the value built from the document
	// is then not worth checking further. Unknown and repeated fields
	// leave it unset.
	Broken bool
}

func (r *Reader) fail(format string, args ...any) {
	r.Broken = true
	r.Problems.Add(format, args...)
}

// An Object is one JSON object being read. Every getter marks its key as
// known; [Object.Done] reports the keys no getter asked for.
type Object struct {
	r      *Reader
	path   string
	keys   []string
	fields map[string]json.RawMessage
	used   map[string]bool
	bad    bool // not an object: getters report nothing more
}

// Object parses data as the JSON object at path ("" for the document
// itself). Not an object, malformed JSON, trailing data and duplicate keys
// are problems; an object that is not one reads as empty without further
// problems.
func (r *Reader) Object(path string, data []byte) *Object {
	o := &Object{r: r, path: path, fields: map[string]json.RawMessage{}, used: map[string]bool{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		o.bad = true
		r.fail("%s: %s is not a JSON object", o.where(), describe(data))
		return o
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			o.bad = true
			r.fail("%s: malformed JSON: %v", o.where(), err)
			return o
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			o.bad = true
			r.fail("%s: malformed JSON: %v", o.sub(key), err)
			return o
		}
		if _, dup := o.fields[key]; dup {
			r.Problems.Add("%s: field appears twice", o.sub(key))
			continue
		}
		o.keys = append(o.keys, key)
		o.fields[key] = raw
	}
	if _, err := dec.Token(); err != nil {
		o.bad = true
		r.fail("%s: malformed JSON: %v", o.where(), err)
		return o
	}
	if _, err := dec.Token(); err != io.EOF {
		r.fail("%s: data after the object", o.where())
	}
	return o
}

func describe(data []byte) string {
	s := strings.TrimSpace(string(data))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	if s == "" {
		return "empty input"
	}
	return fmt.Sprintf("%q", s)
}

func (o *Object) where() string {
	if o.path == "" {
		return "document"
	}
	return o.path
}

func (o *Object) sub(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// Path returns the JSON path of the field key of o, for problems about it.
func (o *Object) Path(key string) string { return o.sub(key) }

// Bad reports whether o was not a JSON object.
func (o *Object) Bad() bool { return o.bad }

// raw returns the field key, or nil if it is absent or null; with required
// set, an absent or null field is a problem.
func (o *Object) raw(key string, required bool) json.RawMessage {
	o.used[key] = true
	v, ok := o.fields[key]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		if required && !o.bad {
			o.r.fail("%s: missing", o.sub(key))
		}
		return nil
	}
	return v
}

func (o *Object) str(key string, required bool, what string) (string, bool) {
	v := o.raw(key, required)
	if v == nil {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		o.r.fail("%s: %s is not %s", o.sub(key), describe(v), what)
		return "", false
	}
	return s, true
}

// String returns the string field key ("" if absent).
func (o *Object) String(key string, required bool) string {
	s, _ := o.str(key, required, "a string")
	if required && s == "" && !o.bad {
		if _, ok := o.fields[key]; ok {
			o.r.fail("%s: empty", o.sub(key))
		}
	}
	return s
}

// Amount returns the decimal field key, a string such as "12.50" (zero if
// absent). A JSON number is read the same way.
func (o *Object) Amount(key string, required bool) decimal.Decimal {
	v := o.raw(key, required)
	if v == nil {
		return decimal.Zero
	}
	s := string(bytes.TrimSpace(v))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(v, &s); err != nil {
			o.r.fail("%s: %s is not a decimal amount", o.sub(key), describe(v))
			return decimal.Zero
		}
	}
	if len(s) > maxAmount || !amountRE.MatchString(s) {
		hint := ""
		if fixed := strings.Replace(s, ",", ".", 1); len(fixed) <= maxAmount && amountRE.MatchString(fixed) {
			hint = "; write " + fixed
		}
		o.r.fail("%s: %q is not a decimal amount (digits, an optional point and up to %d characters)%s", o.sub(key), cut(s), maxAmount, hint)
		return decimal.Zero
	}
	return decimal.RequireFromString(s) // cannot fail: checked above
}

func cut(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Time returns the RFC 3339 field key (the zero time if absent), in UTC.
func (o *Object) Time(key string, required bool) time.Time {
	s, ok := o.str(key, required, "an RFC 3339 time")
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.IsZero() {
		o.r.fail("%s: %q is not an RFC 3339 time such as 2024-03-01T00:00:00Z", o.sub(key), cut(s))
		return time.Time{}
	}
	return t.UTC()
}

// Duration returns the field key, a Go duration string such as "720h" (0
// if absent).
func (o *Object) Duration(key string) time.Duration {
	s, ok := o.str(key, false, "a duration")
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		o.r.fail("%s: %q is not a duration such as 720h", o.sub(key), cut(s))
		return 0
	}
	return d
}

// Int returns the integer field key (0 if absent).
func (o *Object) Int(key string, required bool) int {
	v := o.raw(key, required)
	if v == nil {
		return 0
	}
	var n int
	if err := json.Unmarshal(v, &n); err != nil {
		o.r.fail("%s: %s is not an integer", o.sub(key), describe(v))
	}
	return n
}

// Bool returns the boolean field key (false if absent).
func (o *Object) Bool(key string) bool {
	v := o.raw(key, false)
	if v == nil {
		return false
	}
	var b bool
	if err := json.Unmarshal(v, &b); err != nil {
		o.r.fail("%s: %s is not true or false", o.sub(key), describe(v))
	}
	return b
}

// Strings returns the field key, an array of non-empty strings (nil if
// absent or empty).
func (o *Object) Strings(key string) []string {
	v := o.raw(key, false)
	if v == nil {
		return nil
	}
	var ss []string
	if err := json.Unmarshal(v, &ss); err != nil {
		o.r.fail("%s: %s is not an array of strings", o.sub(key), describe(v))
		return nil
	}
	for i, s := range ss {
		if s == "" {
			o.r.fail("%s[%d]: empty", o.sub(key), i)
		}
	}
	if len(ss) == 0 {
		return nil
	}
	return ss
}

// Object returns the field key as an object (nil if absent).
func (o *Object) Object(key string) *Object {
	v := o.raw(key, false)
	if v == nil {
		return nil
	}
	return o.r.Object(o.sub(key), v)
}

// Array calls each for every element of the field key, an array of
// objects, with the element's index; absent means empty.
func (o *Object) Array(key string, each func(i int, el *Object)) {
	v := o.raw(key, false)
	if v == nil {
		return
	}
	var els []json.RawMessage
	if err := json.Unmarshal(v, &els); err != nil {
		o.r.fail("%s: %s is not an array", o.sub(key), describe(v))
		return
	}
	for i, el := range els {
		each(i, o.r.Object(fmt.Sprintf("%s[%d]", o.sub(key), i), el))
	}
}

// Version checks the field "version": present and equal to [Version]. It
// returns false, having reported the problem, for any other value: a
// document of another version is not read further.
func (o *Object) Version() bool {
	if o.bad {
		return false
	}
	v := o.raw("version", false)
	if v == nil {
		o.r.fail("%s: missing: this build reads version %d", o.sub("version"), Version)
		return false
	}
	var n int
	if err := json.Unmarshal(v, &n); err != nil || n != Version {
		o.r.fail("%s: %s is not supported: this build reads version %d", o.sub("version"), cut(string(bytes.TrimSpace(v))), Version)
		return false
	}
	return true
}

// Done reports every field of o that no getter asked for, in document
// order.
func (o *Object) Done() {
	if o == nil {
		return
	}
	for _, k := range o.keys {
		if !o.used[k] {
			o.r.Problems.Add("%s: unknown field", o.sub(k))
		}
	}
}

// Read reads data as one stored document of this build's [Version], the
// same way for every stored form: read takes the value from the
// document's object (and may report problems of its own on r), the
// fields no getter asked for are then reported as unknown, and check,
// unless a value could not be read ([Reader.Broken]), adds every rule the
// value breaks. A document of another version is not read further: the
// value is the zero T. Read then sets *dst to the value when no problem
// was found and to the zero T otherwise (never a half-built value), and
// returns the value (whose id may name it in an error) and every problem
// found, in that order.
func Read[T any](dst *T, data []byte, read func(r *Reader, o *Object) T, check func(T, *problems.List)) (T, problems.List) {
	var r Reader
	o := r.Object("", data)
	var v T
	if o.Version() {
		v = read(&r, o)
		o.Done()
		if !r.Broken {
			check(v, &r.Problems)
		}
	}
	if len(r.Problems) > 0 {
		var zero T
		*dst = zero
	} else {
		*dst = v
	}
	return v, r.Problems
}
