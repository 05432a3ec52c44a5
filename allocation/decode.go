package allocation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Decoding. Every type with a JSON form decodes through a decoder, which
// walks the document member by member, rejects unknown fields, and lists
// every problem it meets, each saying where (a JSON path such as
// bill.lines[0] (id "sms-1").amount), what it found and what it expected.
// A value is only assigned when its whole document decoded without a
// problem: nothing is ever half-built.

// path is where a value sits in a JSON document.
type path string

// dot returns the path of member name of the object at p.
func (p path) dot(name string) path { return p + "." + path(name) }

// index returns the path of element i of the array at p; a non-empty id
// (the element's "id", or a step's "name") is added so that a reader can
// find the element without counting: lines[3] (id "sms-1").
func (p path) index(i int, key, id string) path {
	q := p + path("["+strconv.Itoa(i)+"]")
	if id != "" {
		q += path(fmt.Sprintf(" (%s %q)", key, id))
	}
	return q
}

// decoder collects the problems of one document.
type decoder struct {
	p problems
	// partial drops the lines and instruments that fail to decode, counting
	// their problems in dropped, so that the rest can be validated.
	partial bool
	dropped int
}

// addf records a problem at p.
func (d *decoder) addf(p path, format string, args ...any) {
	d.p.addf("%s: %s", p, fmt.Sprintf(format, args...))
}

// count returns the number of problems so far; an element decoded without
// problems leaves it unchanged.
func (d *decoder) count() int { return len(d.p) }

// decodeDocument decodes data, a whole document whose root is named root,
// with f into a fresh value and assigns it to dst if there was no problem.
// JSON null leaves dst unchanged, as encoding/json does.
func decodeDocument[T any](root path, data []byte, dst *T, f func(*decoder, path, []byte, *T)) error {
	var d decoder
	if !d.valid(root, data) {
		return d.p.err()
	}
	data = bytes.TrimSpace(data)
	if isNull(data) {
		return nil
	}
	var v T
	f(&d, root, data, &v)
	if err := d.p.err(); err != nil {
		return err
	}
	*dst = v
	return nil
}

// valid reports whether data is one JSON value, recording a problem with
// its line and column if it is not.
func (d *decoder) valid(root path, data []byte) bool {
	if json.Valid(data) {
		return true
	}
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		// json.Valid and json.Unmarshal disagree only on what we cannot
		// describe better.
		err = fmt.Errorf("not one JSON value")
	}
	d.addf(root, "%s", jsonProblem(data, err))
	return false
}

func isNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

// found describes a JSON value for a problem message: a string quoted (cut
// short when long), a number as written, or its kind.
func found(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "a malformed string"
		}
		return quote(s)
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return string(raw)
	case 'n':
		return "null"
	}
	return "the number " + cut(string(raw))
}

// quote quotes s for a message, cut short when long.
func quote(s string) string { return strconv.Quote(cut(s)) }

// cut shortens s to about 40 characters.
func cut(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// A member is one name and value of a JSON object, in document order.
type member struct {
	key string
	val json.RawMessage
}

// object returns the members of the object raw, in document order. It
// reports false for null (absent) and, recording a problem, for anything
// but an object; what names what an object was expected to be.
func (d *decoder) object(p path, raw []byte, what string) ([]member, bool) {
	if isNull(raw) {
		return nil, false
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		d.addf(p, "found %s, expected %s (a JSON object)", found(raw), what)
		return nil, false
	}
	ms, ok := members(raw)
	if !ok {
		d.addf(p, "invalid JSON object")
	}
	return ms, ok
}

// The scanner below walks JSON that encoding/json has already found valid
// (every document is checked whole first), without decoding values it does
// not need; on anything unexpected it reports failure rather than panic.

// members splits the JSON object raw into its members.
func members(raw []byte) ([]member, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	ms := make([]member, 0, 8)
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return ms, true
	}
	for i < len(raw) {
		end := stringEnd(raw, i)
		if end < 0 {
			return nil, false
		}
		key, ok := unquote(raw[i:end])
		if !ok {
			return nil, false
		}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		start := skipSpace(raw, i+1)
		end = valueEnd(raw, start)
		if end < 0 {
			return nil, false
		}
		ms = append(ms, member{key, raw[start:end]})
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return ms, true
		default:
			return nil, false
		}
	}
	return nil, false
}

// elements calls each for every element of the JSON array raw, and
// reports false if raw is not one.
func elements(raw []byte, each func(i int, raw []byte)) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return true
	}
	for n := 0; i < len(raw); n++ {
		end := valueEnd(raw, i)
		if end < 0 {
			return false
		}
		each(n, raw[i:end])
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case ']':
			return true
		default:
			return false
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i],
// or -1.
func stringEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at b[i], or
// -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := stringEnd(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// unquote returns the string the JSON string literal q stands for.
func unquote(q []byte) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	if body := q[1 : len(q)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true
	}
	// Escapes, or invalid UTF-8 (which encoding/json turns into U+FFFD).
	var s string
	return s, json.Unmarshal(q, &s) == nil
}

// memberString returns the string value of the member key of the object
// raw (the last, if repeated), or "" if there is none.
func memberString(raw []byte, key string) string {
	ms, ok := members(raw)
	if !ok {
		return ""
	}
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].key == key {
			s, _ := unquote(ms[i].val)
			return cut(s)
		}
	}
	return ""
}

// fields decodes the object raw at p, what naming what it is expected to
// be (see [decoder.object]), member by member with each, which reads the
// member key, whose path is f, and reports false if it has no such field:
// an unknown field, reported with the names in known. It reports whether
// raw was an object.
func (d *decoder) fields(p path, raw []byte, what string, known []string, each func(f path, key string, val []byte) bool) bool {
	ms, ok := d.object(p, raw, what)
	if !ok {
		return false
	}
	for _, m := range ms {
		if !each(p.dot(m.key), m.key, m.val) {
			d.unknown(p, m.key, known)
		}
	}
	return true
}

// unknown records an unknown member key of the object at p, suggesting the
// known field it is closest to, or listing them all.
func (d *decoder) unknown(p path, key string, known []string) {
	d.addf(p, "unknown field %s; %s", quote(key), suggest(key, known))
}

// suggest says what s, which is none of known, should be: the element of
// known it is closest to, or all of them.
func suggest(s string, known []string) string {
	if near := nearest(s, known); near != "" {
		return fmt.Sprintf("did you mean %q?", near)
	}
	return "expected one of " + strings.Join(known, ", ")
}

// nearest returns the element of known closest to s (same letters ignoring
// case, or at most two edits away), or "" if none is close.
func nearest(s string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if strings.EqualFold(s, k) {
			return k
		}
		if n := commonPrefix(s, k); n >= 4 && n >= len(s)-1 {
			return k // "category" for "categories"
		}
		if dist := editDistance(s, k, bestDist); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if bestDist >= len(s) { // "x" is one edit from every one-letter name
		return ""
	}
	return best
}

// commonPrefix returns the length of the longest common prefix of a and b.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// editDistance returns the Levenshtein distance between a and b, or limit
// if it is at least limit.
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 || abs(len(a)-len(b)) >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

func abs(x int) int { return max(x, -x) }

// str decodes a JSON string.
func (d *decoder) str(p path, raw []byte, dst *string) {
	if isNull(raw) {
		return
	}
	s, ok := unquote(raw)
	if !ok {
		d.addf(p, "found %s, expected a string", found(raw))
		return
	}
	*dst = s
}

// array calls each for every element of the JSON array raw; it reports
// false for null (absent) and, recording a problem, for anything but an
// array.
func (d *decoder) array(p path, raw []byte, what string, each func(i int, raw []byte)) bool {
	if isNull(raw) {
		return false
	}
	if raw[0] != '[' {
		d.addf(p, "found %s, expected %s (a JSON array)", found(raw), what)
		return false
	}
	if !elements(raw, each) {
		d.addf(p, "invalid JSON array")
	}
	return true
}

// faulty says what a list does with an element whose decoding recorded a
// problem. It matters where what decoded is checked further despite the
// problems: [ParsePolicy] checks the policy, [ParseScenario] validates the
// rest of a scenario when only lines or instruments failed.
type faulty int

const (
	keepFaulty faulty = iota // keep it, as far as it decoded
	skipFaulty               // leave it out
	dropFaulty               // keep it, unless the decoder is partial: then leave it out, its problems counted as dropped
)

// list decodes the JSON array raw at p (what names it) with read, one
// element at a time, each at a path that names it by its member key ("id",
// a step's "name"; none if key is ""), and assigns the elements to *dst: []
// gives an empty, non-nil slice, as encoding/json does; null (absent) or
// anything but an array leaves *dst alone. An element whose decoding
// recorded a problem is kept or left out as bad says.
func list[T any](d *decoder, p path, raw []byte, what, key string, bad faulty, dst *[]T, read func(*decoder, path, []byte, *T)) {
	out := []T{}
	if d.array(p, raw, what, func(i int, raw []byte) {
		id := ""
		if key != "" {
			id = idOfRaw(raw, key)
		}
		// Decoded in place: a local variable would escape through read.
		var zero T
		out = append(out, zero)
		n := d.count()
		read(d, p.index(i, key, id), raw, &out[len(out)-1])
		if k := d.count() - n; k > 0 {
			switch {
			case bad == skipFaulty:
				out = out[:len(out)-1]
			case bad == dropFaulty && d.partial:
				out = out[:len(out)-1]
				d.dropped += k
			}
		}
	}) {
		*dst = out
	}
}

// strs decodes a JSON array of strings.
func (d *decoder) strs(p path, raw []byte, dst *[]string) {
	list(d, p, raw, "a list of strings", "", skipFaulty, dst, (*decoder).str)
}

// amount decodes a decimal amount, written as a JSON string ("12.50") or,
// as encoding/json accepts for decimals, a number. It reports whether raw
// was not null.
func (d *decoder) amount(p path, raw []byte, dst *decimal.Decimal) bool {
	if isNull(raw) {
		return false
	}
	var s string
	switch raw[0] {
	case '"':
		var ok bool
		if s, ok = unquote(raw); !ok {
			d.addf(p, "found %s, expected a decimal amount such as \"12.50\"", found(raw))
			return true
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		s = string(raw)
	default:
		d.addf(p, "found %s, expected a decimal amount as a string, such as \"12.50\"", found(raw))
		return true
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		d.addf(p, "%s", amountProblem(s, err))
		return true
	}
	*dst = v
	return true
}

// amountProblem says what is wrong with s, which is not a decimal amount,
// and how to write it.
func amountProblem(s string, err error) string {
	if strings.Contains(err.Error(), "exponent") || strings.Contains(err.Error(), "too long") {
		return fmt.Sprintf("%s is out of range for a decimal amount", quote(s))
	}
	t := strings.TrimSpace(s)
	switch {
	case strings.Contains(t, ",") && strings.Contains(t, "."):
		// A thousands separator: 1,234.50.
		if fix := strings.ReplaceAll(t, ",", ""); isDecimal(fix) {
			return fmt.Sprintf("%s is not a decimal amount; write %s (no thousands separators)", quote(s), fix)
		}
	case strings.Count(t, ",") == 1:
		// A decimal comma: 12,50.
		if fix := strings.Replace(t, ",", ".", 1); isDecimal(fix) {
			return fmt.Sprintf("%s is not a decimal amount; write %s (a point, not a comma)", quote(s), fix)
		}
	case t != s && isDecimal(t):
		return fmt.Sprintf("%s is not a decimal amount; write %s (no spaces)", quote(s), t)
	}
	return fmt.Sprintf("%s is not a decimal amount; write digits with an optional sign and decimal point, such as \"12.50\"", quote(s))
}

func isDecimal(s string) bool {
	_, err := decimal.NewFromString(s)
	return err == nil
}

// optAmount decodes an amount that may be null or absent into *dst
// (nil then).
func (d *decoder) optAmount(p path, raw []byte, dst **decimal.Decimal) {
	var v decimal.Decimal
	if d.amount(p, raw, &v) {
		*dst = &v
	}
}

// time decodes an RFC 3339 time.
func (d *decoder) time(p path, raw []byte, dst *time.Time) {
	if isNull(raw) {
		return
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		d.addf(p, "found %s, expected an RFC 3339 time as a string, such as \"2024-06-01T00:00:00Z\"", found(raw))
		return
	}
	if err := dst.UnmarshalJSON(raw); err != nil {
		hint := "write it like \"2024-06-01T00:00:00Z\" or \"2024-06-01T08:00:00+08:00\""
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			hint = fmt.Sprintf("write %q for midnight UTC", t.Format(time.RFC3339))
		}
		d.addf(p, "%s is not an RFC 3339 time (date, \"T\", time and zone); %s", quote(s), hint)
	}
}

// whole decodes a whole JSON number into an int or int32 (one out of its
// range is not one).
func whole[T int | int32](d *decoder, p path, raw []byte, dst *T) {
	if isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		d.addf(p, "found %s, expected a whole number", found(raw))
	}
}

// boolean decodes true or false.
func (d *decoder) boolean(p path, raw []byte, dst *bool) {
	if isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		d.addf(p, "found %s, expected true or false", found(raw))
	}
}

// enum decodes a string that must be one of valid (or empty, if empty is
// true: the documented default). what names the vocabulary.
func enum[T ~string](d *decoder, p path, raw []byte, what string, empty bool, valid []T, dst *T) {
	var s string
	n := d.count()
	d.str(p, raw, &s)
	if d.count() != n || (s == "" && empty) {
		*dst = T(s)
		return
	}
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
		if string(v) == s {
			*dst = v
			return
		}
	}
	d.addf(p, "%s is not %s; %s", quote(s), what, suggest(s, names))
}

// Vocabularies, in documentation order.
var (
	strategies    = []Strategy{InOrder, MaxCoverage}
	stepScopes    = []StepScope{ScopeAny, ScopeGeneral, ScopeSpecific}
	orderKeys     = []OrderKey{ExpiresFirst, LargestFirst, SmallestFirst, PriorityOrder, OldestFirst, SpecificFirst}
	draws         = []Draw{DrawBalance, DrawAll, DrawOverdraft}
	roundingModes = []RoundingMode{HalfEven, HalfUp, Down}
)

// Field names of each JSON object, in documentation order.
var (
	billFields        = []string{"id", "currency", "at", "mode", "lines", "exclude_instruments", "exclude_kinds"}
	lineFields        = []string{"id", "product", "category", "amount"}
	instrumentFields  = []string{"id", "kind", "currency", "balance", "overdraft", "percent", "min_spend", "valid_from", "valid_until", "scope", "priority", "issued_at", "status", "group", "invoiceable"}
	scopeFields       = []string{"products", "exclude_products", "categories", "exclude_categories", "modes", "exclude_modes"}
	policyFields      = []string{"name", "strategy", "rounding", "steps", "restrictions", "limits"}
	stepFields        = []string{"name", "kinds", "scope", "order", "draw"}
	restrictionFields = []string{"categories", "products", "allow_kinds"}
	roundingFields    = []string{"places", "mode", "strict"}
	limitsFields      = []string{"max_lines", "max_instruments", "max_id_length", "max_integer_digits", "max_decimal_places"}
	splitFields       = []string{"bill", "currency", "total", "discounted", "paid", "outstanding", "invoiceable", "allocations", "instruments", "lines"}
	allocationFields  = []string{"instrument", "line", "step", "amount"}
	resultFields      = []string{"id", "used", "balance_after", "skipped"}
	lineResultFields  = []string{"id", "amount", "discounted", "covered", "outstanding"}
)

func (d *decoder) bill(p path, raw []byte, b *Bill) {
	d.fields(p, raw, "a bill", billFields, func(f path, key string, val []byte) bool {
		switch key {
		case "id":
			d.str(f, val, &b.ID)
		case "currency":
			d.str(f, val, &b.Currency)
		case "at":
			d.time(f, val, &b.At)
		case "mode":
			d.str(f, val, &b.Mode)
		case "lines":
			list(d, f, val, "a list of lines", "id", dropFaulty, &b.Lines, (*decoder).line)
		case "exclude_instruments":
			d.strs(f, val, &b.ExcludeInstruments)
		case "exclude_kinds":
			d.strs(f, val, &b.ExcludeKinds)
		default:
			return false
		}
		return true
	})
}

// idOfRaw returns the string member key of the object raw, or "".
func idOfRaw(raw []byte, key string) string {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return ""
	}
	return memberString(raw, key)
}

func (d *decoder) line(p path, raw []byte, l *Line) {
	d.fields(p, raw, "a bill line", lineFields, func(f path, key string, val []byte) bool {
		switch key {
		case "id":
			d.str(f, val, &l.ID)
		case "product":
			d.str(f, val, &l.Product)
		case "category":
			d.str(f, val, &l.Category)
		case "amount":
			d.amount(f, val, &l.Amount)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) wallet(p path, raw []byte, w *Wallet) {
	list(d, p, raw, "a wallet: a list of instruments", "id", dropFaulty, (*[]Instrument)(w), (*decoder).instrument)
}

func (d *decoder) instrument(p path, raw []byte, in *Instrument) {
	var balance, percent *decimal.Decimal
	d.fields(p, raw, "an instrument", instrumentFields, func(f path, key string, val []byte) bool {
		switch key {
		case "id":
			d.str(f, val, &in.ID)
		case "kind":
			d.str(f, val, &in.Kind)
		case "currency":
			d.str(f, val, &in.Currency)
		case "balance":
			balance = nil
			d.optAmount(f, val, &balance)
		case "overdraft":
			d.amount(f, val, &in.Overdraft)
		case "percent":
			percent = nil
			d.optAmount(f, val, &percent)
		case "min_spend":
			d.amount(f, val, &in.MinSpend)
		case "valid_from":
			d.time(f, val, &in.ValidFrom)
		case "valid_until":
			d.time(f, val, &in.ValidUntil)
		case "scope":
			d.scope(f, val, &in.Scope)
		case "priority":
			whole(d, f, val, &in.Priority)
		case "issued_at":
			d.time(f, val, &in.IssuedAt)
		case "status":
			d.str(f, val, &in.Status)
		case "group":
			d.str(f, val, &in.Group)
		case "invoiceable":
			d.boolean(f, val, &in.Invoiceable)
		default:
			return false
		}
		return true
	})
	if balance != nil {
		in.Balance = *balance
	}
	if percent != nil {
		in.Percent = decimal.NewNullDecimal(*percent)
		in.Capped = balance != nil
	}
}

func (d *decoder) scope(p path, raw []byte, s *Scope) {
	d.fields(p, raw, "a scope", scopeFields, func(f path, key string, val []byte) bool {
		switch key {
		case "products":
			d.strs(f, val, &s.Products)
		case "exclude_products":
			d.strs(f, val, &s.ExcludeProducts)
		case "categories":
			d.strs(f, val, &s.Categories)
		case "exclude_categories":
			d.strs(f, val, &s.ExcludeCategories)
		case "modes":
			d.strs(f, val, &s.Modes)
		case "exclude_modes":
			d.strs(f, val, &s.ExcludeModes)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) policy(p path, raw []byte, pol *Policy) {
	d.fields(p, raw, "a policy", policyFields, func(f path, key string, val []byte) bool {
		switch key {
		case "name":
			d.str(f, val, &pol.Name)
		case "strategy":
			enum(d, f, val, "a strategy", true, strategies, &pol.Strategy)
		case "rounding":
			d.rounding(f, val, &pol.Rounding)
		case "steps":
			list(d, f, val, "a list of steps", "name", keepFaulty, &pol.Steps, (*decoder).step)
		case "restrictions":
			list(d, f, val, "a list of restrictions", "", keepFaulty, &pol.Restrictions, (*decoder).restriction)
		case "limits":
			d.limits(f, val, &pol.Limits)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) step(p path, raw []byte, s *Step) {
	d.fields(p, raw, "a policy step", stepFields, func(f path, key string, val []byte) bool {
		switch key {
		case "name":
			d.str(f, val, &s.Name)
		case "kinds":
			d.strs(f, val, &s.Kinds)
		case "scope":
			enum(d, f, val, "a step scope", true, stepScopes, &s.Scope)
		case "order":
			list(d, f, val, "a list of order keys", "", skipFaulty, &s.Order, (*decoder).orderKey)
		case "draw":
			enum(d, f, val, "a draw", true, draws, &s.Draw)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) restriction(p path, raw []byte, r *Restriction) {
	d.fields(p, raw, "a restriction", restrictionFields, func(f path, key string, val []byte) bool {
		switch key {
		case "categories":
			d.strs(f, val, &r.Categories)
		case "products":
			d.strs(f, val, &r.Products)
		case "allow_kinds":
			d.strs(f, val, &r.AllowKinds)
		default:
			return false
		}
		return true
	})
}

// rounding decodes a rounding. A missing "places" is the currency's minor
// units and "places": 0 is whole units, whatever the mode (see
// [Rounding]).
func (d *decoder) rounding(p path, raw []byte, r *Rounding) {
	var places *int32
	if !d.fields(p, raw, "a rounding", roundingFields, func(f path, key string, val []byte) bool {
		switch key {
		case "places":
			places = nil
			if !isNull(val) {
				var n int32
				k := d.count()
				whole(d, f, val, &n)
				switch {
				case d.count() != k:
				case n < 0 && n != CurrencyPlaces:
					d.addf(f, "found %d, expected 0 or more decimal places (leave places out for the currency's minor units)", n)
				default:
					places = &n
				}
			}
		case "mode":
			enum(d, f, val, "a rounding mode", true, roundingModes, &r.Mode)
		case "strict":
			d.boolean(f, val, &r.Strict)
		default:
			return false
		}
		return true
	}) {
		return
	}
	r.Places = roundingPlaces(places)
}

func (d *decoder) limits(p path, raw []byte, l *Limits) {
	d.fields(p, raw, "limits", limitsFields, func(f path, key string, val []byte) bool {
		switch key {
		case "max_lines":
			whole(d, f, val, &l.MaxLines)
		case "max_instruments":
			whole(d, f, val, &l.MaxInstruments)
		case "max_id_length":
			whole(d, f, val, &l.MaxIDLength)
		case "max_integer_digits":
			whole(d, f, val, &l.MaxIntegerDigits)
		case "max_decimal_places":
			whole(d, f, val, &l.MaxDecimalPlaces)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) split(p path, raw []byte, s *Split) {
	d.fields(p, raw, "a split", splitFields, func(f path, key string, val []byte) bool {
		switch key {
		case "bill":
			d.str(f, val, &s.Bill)
		case "currency":
			d.str(f, val, &s.Currency)
		case "total":
			d.amount(f, val, &s.Total)
		case "discounted":
			d.amount(f, val, &s.Discounted)
		case "paid":
			d.amount(f, val, &s.Paid)
		case "outstanding":
			d.amount(f, val, &s.Outstanding)
		case "invoiceable":
			d.amount(f, val, &s.Invoiceable)
		case "allocations":
			list(d, f, val, "a list of allocations", "", keepFaulty, &s.Allocations, (*decoder).allocation)
		case "instruments":
			list(d, f, val, "a list of instrument results", "id", keepFaulty, &s.Instruments, (*decoder).instrumentResult)
		case "lines":
			list(d, f, val, "a list of line results", "id", keepFaulty, &s.Lines, (*decoder).lineResult)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) allocation(p path, raw []byte, a *Allocation) {
	d.fields(p, raw, "an allocation", allocationFields, func(f path, key string, val []byte) bool {
		switch key {
		case "instrument":
			d.str(f, val, &a.Instrument)
		case "line":
			d.str(f, val, &a.Line)
		case "step":
			d.str(f, val, &a.Step)
		case "amount":
			d.amount(f, val, &a.Amount)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) instrumentResult(p path, raw []byte, r *InstrumentResult) {
	d.fields(p, raw, "an instrument result", resultFields, func(f path, key string, val []byte) bool {
		switch key {
		case "id":
			d.str(f, val, &r.ID)
		case "used":
			d.amount(f, val, &r.Used)
		case "balance_after":
			d.amount(f, val, &r.BalanceAfter)
		case "skipped":
			list(d, f, val, "a list of reasons", "", keepFaulty, &r.Skipped, (*decoder).reason)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) reason(p path, raw []byte, r *Reason) {
	enum(d, p, raw, "a reason", false, reasonOrder[:], r)
}

func (d *decoder) orderKey(p path, raw []byte, k *OrderKey) {
	enum(d, p, raw, "an order key", false, orderKeys, k)
}

func (d *decoder) lineResult(p path, raw []byte, l *LineResult) {
	d.fields(p, raw, "a line result", lineResultFields, func(f path, key string, val []byte) bool {
		switch key {
		case "id":
			d.str(f, val, &l.ID)
		case "amount":
			d.amount(f, val, &l.Amount)
		case "discounted":
			d.amount(f, val, &l.Discounted)
		case "covered":
			d.amount(f, val, &l.Covered)
		case "outstanding":
			d.amount(f, val, &l.Outstanding)
		default:
			return false
		}
		return true
	})
}
