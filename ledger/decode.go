package ledger

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

// A decoder reads the JSON forms strictly, collecting every problem with
// its JSON path instead of stopping at the first.
type decoder struct{ problems []string }

// addf records a problem at path ("" for the value itself).
func (d *decoder) addf(path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.problems = append(d.problems, msg)
}

// err returns the problems found as an [*InvalidError] for the transaction
// id, or nil.
func (d *decoder) err(id string) error {
	if len(d.problems) == 0 {
		return nil
	}
	return &InvalidError{ID: id, Problems: d.problems}
}

// decode reads data, a whole JSON form, with read into a fresh value and
// assigns it to dst if there was no problem; the error is for the
// transaction id returns from what was read (none if id is nil).
func decode[T any](data []byte, dst *T, read func(*decoder, string, []byte) T, id func(T) string) error {
	var d decoder
	var v T
	if d.valid(data) {
		v = read(&d, "", data)
	}
	txID := ""
	if id != nil {
		txID = id(v)
	}
	if err := d.err(txID); err != nil {
		return err
	}
	*dst = v
	return nil
}

// field returns the path of field name of the object at path.
func field(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// isNull reports whether raw is absent or the JSON null.
func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// found describes a JSON value for a problem: a string as written
// (shortened if long), a number or literal as is, an object or array by
// what it is.
func found(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		if len(raw) > 60 {
			return string(raw[:56]) + `…"`
		}
		return string(raw)
	case 't', 'f', 'n':
		return string(raw)
	}
	if len(raw) > 40 {
		return "the number " + string(raw[:39]) + "…"
	}
	return "the number " + string(raw)
}

// An object is a JSON object as [decoder.object] read it: the value of
// each of its names, in that order (nil where absent).
type object struct {
	path  string
	names []string
	vals  []json.RawMessage
}

// get returns the path and value (nil if absent) of the field name, which
// must be one of o's names (it is absent otherwise). It is small enough to
// be inlined, so that the path does not escape to the heap.
func (o object) get(name string) (string, []byte) {
	return field(o.path, name), o.val(name)
}

// val returns the value of the field name, or nil.
func (o object) val(name string) []byte {
	for i, n := range o.names {
		if n == name {
			return o.vals[i]
		}
	}
	return nil
}

// object reads the JSON object raw at path, what naming it in problems ("a
// posting"), and returns the value of each of names. Field names match in
// any letter case, an exact match first, as encoding/json does. Unknown
// fields and fields given twice are problems. For null every value is nil;
// for anything else that is not an object it records the problem and
// returns ok false. raw must be valid JSON (see [decoder.valid]).
func (d *decoder) object(path string, raw []byte, what string, names ...string) (o object, ok bool) {
	vals := make([]json.RawMessage, len(names))
	o = object{path, names, vals}
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return o, true
	}
	if raw[0] != '{' {
		d.addf(path, "found %s; want %s", found(raw), what)
		return o, false
	}
	seen := make([]string, len(names))
	for i := skipSpace(raw, 1); raw[i] != '}'; {
		n := skipString(raw[i:])
		key := unquote(raw[i : i+n])
		i = skipSpace(raw, i+n) + 1 // the ':'
		i = skipSpace(raw, i)
		n = skipValue(raw[i:])
		v := raw[i : i+n]
		if i = skipSpace(raw, i+n); raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		k := match(names, key)
		switch {
		case k < 0:
			d.addf(path, "unknown field %q; %s has the fields %s", key, what, strings.Join(names, ", "))
		case seen[k] != "":
			d.addf(path, "field %q given twice (as %q and %q)", names[k], seen[k], key)
		default:
			seen[k], vals[k] = key, v
		}
	}
	return o, true
}

// match returns the index of key in names: an exact match, else one in
// another letter case, else -1.
func match(names []string, key string) int {
	for i, n := range names {
		if n == key {
			return i
		}
	}
	for i, n := range names {
		if strings.EqualFold(n, key) {
			return i
		}
	}
	return -1
}

// array reads the JSON array raw at path, calling each with the path and
// value of every element in order. Null is an empty array. raw must be
// valid JSON.
func (d *decoder) array(path string, raw []byte, what string, each func(path string, raw json.RawMessage)) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return
	}
	if raw[0] != '[' {
		d.addf(path, "found %s; want %s", found(raw), what)
		return
	}
	for i, k := skipSpace(raw, 1), 0; raw[i] != ']'; k++ {
		n := skipValue(raw[i:])
		each(path+"["+strconv.Itoa(k)+"]", raw[i:i+n])
		if i = skipSpace(raw, i+n); raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
}

// valid reports whether data is valid JSON, recording a problem if not.
// The methods reading a JSON form call it once on their input: encoding/json
// has checked it already, but a caller may call UnmarshalJSON directly.
func (d *decoder) valid(data []byte) bool {
	if json.Valid(data) {
		return true
	}
	d.addf("", "not valid JSON")
	return false
}

// The scanning functions below walk valid JSON without decoding it.

// skipSpace returns the index of the first byte of b from i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the length of the JSON string b starts with.
func skipString(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the length of the JSON value b starts with.
func skipValue(b []byte) int {
	switch b[0] {
	case '"':
		return skipString(b)
	case '{', '[':
		depth := 0
		for i := 0; i < len(b); i++ {
			switch b[i] {
			case '"':
				i += skipString(b[i:]) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	i := 0 // a number or literal
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}

// unquote returns the string the JSON string s holds, as encoding/json
// decodes it.
func unquote(s []byte) string {
	if inner := s[1 : len(s)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var v string
	_ = json.Unmarshal(s, &v) // s is a valid JSON string
	return v
}

// str reads a string; null is "".
func (d *decoder) str(path string, raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return ""
	}
	if raw[0] != '"' {
		d.addf(path, "found %s; want a string", found(raw))
		return ""
	}
	return unquote(raw)
}

// boolean reads true or false; null is false.
func (d *decoder) boolean(path string, raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case "true":
		return true
	case "false", "null", "":
		return false
	}
	d.addf(path, "found %s; want true or false", found(raw))
	return false
}

// position reads a whole number from 0 (an entry's Seq); null is 0.
func (d *decoder) position(path string, raw []byte) int {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return 0
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 0 {
		d.addf(path, "found %s; want a position, a whole number from 0", found(raw))
		return 0
	}
	return n
}

// timestamp reads an RFC 3339 time; null is the zero time.
func (d *decoder) timestamp(path string, raw []byte) time.Time {
	raw = bytes.TrimSpace(raw)
	var t time.Time
	if isNull(raw) {
		return t
	}
	if raw[0] != '"' {
		d.addf(path, "found %s; want an RFC 3339 time such as \"2024-03-01T09:00:00Z\"", found(raw))
		return t
	}
	if err := t.UnmarshalJSON(raw); err != nil {
		d.addf(path, "%s is not an RFC 3339 time; want one such as \"2024-03-01T09:00:00Z\"", found(raw))
	}
	return t
}

// amount reads a decimal amount, written as a string (or, as older JSON
// may have it, a number); null is zero.
func (d *decoder) amount(path string, raw []byte) decimal.Decimal {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return decimal.Decimal{}
	}
	var text string
	switch c := raw[0]; {
	case c == '"':
		text = unquote(raw)
	case c == '-' || '0' <= c && c <= '9':
		text = string(raw)
	default:
		d.addf(path, "found %s; want a decimal string such as \"12.50\"", found(raw))
		return decimal.Decimal{}
	}
	if digits(text) > maxAmountDigits {
		d.addf(path, "%s has more than %d digits", found(raw), maxAmountDigits)
		return decimal.Decimal{}
	}
	v, err := decimal.NewFromString(text)
	if err != nil {
		hint := `want a decimal such as "12.50"`
		if w := strings.Replace(text, ",", ".", 1); strings.Count(text, ",") == 1 && validDecimal(w) {
			hint = "write " + w
		}
		d.addf(path, "%s is not a decimal amount; %s", found(raw), hint)
		return decimal.Decimal{}
	}
	if e := int64(v.Exponent()); int64(v.NumDigits())+max(e, -e) > maxAmountDigits {
		d.addf(path, "%s has more than %d digits", found(raw), maxAmountDigits)
		return decimal.Decimal{}
	}
	return v
}

// digits counts the decimal digits of a number's text before any exponent,
// so that a long one is refused before it is parsed.
func digits(text string) int {
	n := 0
	for _, c := range []byte(text) {
		if c == 'e' || c == 'E' {
			break
		}
		if '0' <= c && c <= '9' {
			n++
		}
	}
	return n
}

// validDecimal reports whether s parses as a decimal.
func validDecimal(s string) bool {
	_, err := decimal.NewFromString(s)
	return err == nil
}

// account reads an account's text form; null and "" are the zero Account.
func (d *decoder) account(path string, raw []byte) Account {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return Account{}
	}
	if raw[0] != '"' {
		d.addf(path, "found %s; want an account such as \"instrument:USD:v1\" or \"revenue:USD\"", found(raw))
		return Account{}
	}
	s := d.str(path, raw)
	if s == "" {
		return Account{}
	}
	a, err := ParseAccount(s)
	if err != nil {
		d.addf(path, "%s", strings.TrimPrefix(err.Error(), "ledger: "))
	}
	return a
}

// The fields of each JSON form, in the order of the Go struct's fields
// (json_internal_test.go checks that they name every field): the decoder
// reads exactly these and MarshalJSON writes them.
var (
	postingFields     = [...]string{"account", "amount", "line", "product"}
	termsFields       = [...]string{"account", "kind", "group", "overdraft", "expires", "transferable", "not_cashable"}
	transactionFields = [...]string{"id", "time", "kind", "bill", "ref", "note", "postings", "terms"}
	entryFields       = [...]string{"seq", "id", "time", "kind", "bill", "ref", "note", "account", "amount", "line", "product", "balance"}
)

// posting reads a posting.
func (d *decoder) posting(path string, raw []byte) Posting {
	o, ok := d.object(path, raw, "a posting", postingFields[:]...)
	if !ok {
		return Posting{}
	}
	return Posting{
		Account: d.account(o.get("account")),
		Amount:  d.amount(o.get("amount")),
		Line:    d.str(o.get("line")),
		Product: d.str(o.get("product")),
	}
}

// terms reads terms.
func (d *decoder) terms(path string, raw []byte) Terms {
	o, ok := d.object(path, raw, "terms", termsFields[:]...)
	if !ok {
		return Terms{}
	}
	return Terms{
		Account:      d.account(o.get("account")),
		Kind:         d.str(o.get("kind")),
		Group:        d.str(o.get("group")),
		Overdraft:    d.amount(o.get("overdraft")),
		Expires:      d.timestamp(o.get("expires")),
		Transferable: d.boolean(o.get("transferable")),
		NotCashable:  d.boolean(o.get("not_cashable")),
	}
}

// transaction reads a transaction; its postings and terms are nil when
// empty.
func (d *decoder) transaction(path string, raw []byte) Transaction {
	o, ok := d.object(path, raw, "a transaction", transactionFields[:]...)
	if !ok {
		return Transaction{}
	}
	tx := Transaction{
		ID:   d.str(o.get("id")),
		Time: d.timestamp(o.get("time")),
		Kind: Kind(d.str(o.get("kind"))),
		Bill: d.str(o.get("bill")),
		Ref:  d.str(o.get("ref")),
		Note: d.str(o.get("note")),
	}
	at, v := o.get("postings")
	d.array(at, v, "an array of postings", func(path string, raw json.RawMessage) {
		tx.Postings = append(tx.Postings, d.posting(path, raw))
	})
	at, v = o.get("terms")
	d.array(at, v, "an array of terms", func(path string, raw json.RawMessage) {
		tx.Terms = append(tx.Terms, d.terms(path, raw))
	})
	return tx
}

// entry reads a statement entry.
func (d *decoder) entry(path string, raw []byte) Entry {
	o, ok := d.object(path, raw, "an entry", entryFields[:]...)
	if !ok {
		return Entry{}
	}
	return Entry{
		Seq:     d.position(o.get("seq")),
		ID:      d.str(o.get("id")),
		Time:    d.timestamp(o.get("time")),
		Kind:    Kind(d.str(o.get("kind"))),
		Bill:    d.str(o.get("bill")),
		Ref:     d.str(o.get("ref")),
		Note:    d.str(o.get("note")),
		Account: d.account(o.get("account")),
		Amount:  d.amount(o.get("amount")),
		Line:    d.str(o.get("line")),
		Product: d.str(o.get("product")),
		Balance: d.amount(o.get("balance")),
	}
}
