package ledger

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Fast paths for a transaction's JSON form, for the hot paths of stores
// that write and read back many transactions (a bill run on PostgreSQL).
//
// appendTransaction writes by hand exactly the bytes encoding/json writes
// for a jsonTransaction (fastjson_internal_test.go compares them), and
// leaves to encoding/json what it does not handle alike: a time it cannot
// write, and strings it would escape (it writes those with json.Marshal).
//
// readCanonical reads only the canonical form (what MarshalJSON writes
// for strings that need no escape: fields in order, no white space, no
// escapes, only printable ASCII in strings) and returns false for
// anything else, which the strict decoder then reads and judges: it
// returns true only where the strict decoder returns the same transaction
// and no error.

// appendTransaction appends tx's JSON form to b, or returns false when a
// time cannot be written (encoding/json reports why).
func appendTransaction(b []byte, tx Transaction) ([]byte, bool) {
	var ok bool
	b = append(b, `{"id":`...)
	b = appendString(b, tx.ID)
	b = append(b, `,"time":`...)
	if b, ok = appendTime(b, tx.Time); !ok {
		return nil, false
	}
	b = append(b, `,"kind":`...)
	b = appendString(b, string(tx.Kind))
	if tx.Bill != "" {
		b = append(b, `,"bill":`...)
		b = appendString(b, tx.Bill)
	}
	if tx.Ref != "" {
		b = append(b, `,"ref":`...)
		b = appendString(b, tx.Ref)
	}
	if tx.Note != "" {
		b = append(b, `,"note":`...)
		b = appendString(b, tx.Note)
	}
	b = append(b, `,"postings":[`...)
	for i, p := range tx.Postings {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"account":`...)
		b = appendAccount(b, p.Account)
		b = append(b, `,"amount":`...)
		b = appendAmount(b, p.Amount)
		if p.Line != "" {
			b = append(b, `,"line":`...)
			b = appendString(b, p.Line)
		}
		if p.Product != "" {
			b = append(b, `,"product":`...)
			b = appendString(b, p.Product)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if len(tx.Terms) > 0 {
		b = append(b, `,"terms":[`...)
		for i, t := range tx.Terms {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"account":`...)
			b = appendAccount(b, t.Account)
			if t.Kind != "" {
				b = append(b, `,"kind":`...)
				b = appendString(b, t.Kind)
			}
			if t.Group != "" {
				b = append(b, `,"group":`...)
				b = appendString(b, t.Group)
			}
			if !t.Overdraft.IsZero() {
				b = append(b, `,"overdraft":`...)
				b = appendAmount(b, t.Overdraft)
			}
			if !t.Expires.IsZero() {
				b = append(b, `,"expires":`...)
				if b, ok = appendTime(b, t.Expires); !ok {
					return nil, false
				}
			}
			if t.Transferable {
				b = append(b, `,"transferable":true`...)
			}
			if t.NotCashable {
				b = append(b, `,"not_cashable":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

// plain reports whether encoding/json writes s as is between quotes:
// printable ASCII other than the quote, the backslash and the HTML
// characters it escapes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// appendString appends s as a JSON string, as encoding/json writes it.
func appendString(b []byte, s string) []byte {
	if plain(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// appendTime appends t as time.Time's MarshalJSON writes it, or returns
// false when it cannot: a year outside 0…9999, a zone offset of 24 hours
// or more (MarshalJSON's own checks on the same text).
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	b = append(b, '"')
	n0 := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	if len(b) < n0+len("9999-") || b[n0+len("9999")] != '-' {
		return nil, false
	}
	if b[len(b)-1] != 'Z' {
		c, h := b[len(b)-len("Z07:00")], b[len(b)-len("07:00"):]
		if '0' <= c && c <= '9' || 10*(h[0]-'0')+(h[1]-'0') >= 24 {
			return nil, false
		}
	}
	return append(b, '"'), true
}

// appendAmount appends d as jsonAmount's MarshalText writes it, quoted.
func appendAmount(b []byte, d decimal.Decimal) []byte {
	b = append(b, '"')
	b = appendExact(b, d)
	return append(b, '"')
}

// appendExact appends exact(d): for a coefficient of at most 18 digits
// without converting it to a big integer and a string.
func appendExact(b []byte, d decimal.Decimal) []byte {
	e := d.Exponent()
	if d.NumDigits() > 18 || e < -18 {
		return append(b, exact(d)...)
	}
	c := d.CoefficientInt64()
	if c == 0 {
		b = append(b, '0')
		if e < 0 {
			b = append(b, '.')
			for range -e {
				b = append(b, '0')
			}
		}
		return b
	}
	u := uint64(c)
	if c < 0 {
		b, u = append(b, '-'), -u
	}
	if e >= 0 {
		b = strconv.AppendUint(b, u, 10)
		for range e {
			b = append(b, '0')
		}
		return b
	}
	var buf [20]byte
	ds := strconv.AppendUint(buf[:0], u, 10)
	places := int(-e)
	if len(ds) <= places {
		b = append(b, "0."...)
		for range places - len(ds) {
			b = append(b, '0')
		}
		return append(b, ds...)
	}
	b = append(b, ds[:len(ds)-places]...)
	b = append(b, '.')
	return append(b, ds[len(ds)-places:]...)
}

// appendAccount appends a's text form ([Account.String]) as a JSON string.
func appendAccount(b []byte, a Account) []byte {
	if a.hold != "" || !plain(a.id) || !plain(a.currency) || !plain(string(a.sys)) {
		return appendString(b, a.String())
	}
	b = append(b, '"')
	switch {
	case a.IsZero():
	case a.sys == "":
		b = append(b, "instrument:"...)
		b = append(b, a.currency...)
		b = append(b, ':')
		b = append(b, a.id...)
	default:
		b = append(b, a.sys...)
		b = append(b, ':')
		b = append(b, a.currency...)
	}
	return append(b, '"')
}

// A scanner reads the canonical form; ok turns false at the first byte it
// does not expect, and then every read returns a zero value.
type scanner struct {
	b  []byte
	i  int
	ok bool
}

// lit consumes s if the input continues with it.
func (s *scanner) lit(lit string) bool {
	if s.ok && len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// must consumes lit, or fails the scan.
func (s *scanner) must(lit string) {
	if !s.lit(lit) {
		s.ok = false
	}
}

// str reads a JSON string of plain characters (see plain) and returns its
// bytes, within the input.
func (s *scanner) str() []byte {
	if !s.lit(`"`) {
		s.ok = false
		return nil
	}
	for j := s.i; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[s.i:j]
			s.i = j + 1
			return v
		case c < 0x20 || c > 0x7e || c == '\\':
			s.ok = false
			return nil
		}
	}
	s.ok = false
	return nil
}

// time reads a time as the strict decoder does, from a plain string.
func (s *scanner) time() time.Time {
	start := s.i
	s.str()
	var t time.Time
	if s.ok && t.UnmarshalJSON(s.b[start:s.i]) != nil {
		s.ok = false
	}
	return t
}

// amount reads an amount as the strict decoder does, from a plain string.
func (s *scanner) amount() decimal.Decimal {
	text := s.str()
	if !s.ok || len(text) == 0 || digits(string(text)) > maxAmountDigits {
		s.ok = false
		return decimal.Decimal{}
	}
	if v, ok := smallDecimal(text); ok {
		return v
	}
	v, err := decimal.NewFromString(string(text))
	if e := int64(v.Exponent()); err != nil || int64(v.NumDigits())+max(e, -e) > maxAmountDigits {
		s.ok = false
		return decimal.Decimal{}
	}
	return v
}

// smallDecimal parses text of the form -?D+(.D+)? with at most 18 digits
// D, as decimal.NewFromString does (the same coefficient and exponent),
// without a big integer parsed from a string; ok is false for any other
// text.
func smallDecimal(text []byte) (decimal.Decimal, bool) {
	i, neg := 0, false
	if len(text) > 0 && text[0] == '-' {
		i, neg = 1, true
	}
	var c int64
	n, point, places := 0, false, 0
	for ; i < len(text); i++ {
		switch ch := text[i]; {
		case '0' <= ch && ch <= '9':
			c = 10*c + int64(ch-'0')
			if n++; point {
				places++
			}
		case ch == '.' && !point && n > 0:
			point = true
		default:
			return decimal.Decimal{}, false
		}
	}
	if n == 0 || n > 18 || point && places == 0 {
		return decimal.Decimal{}, false
	}
	if neg {
		c = -c
	}
	return decimal.New(c, int32(-places)), true
}

// account reads a non-empty account as the strict decoder does.
func (s *scanner) account() Account {
	text := s.str()
	if !s.ok || len(text) == 0 {
		s.ok = false
		return Account{}
	}
	a, err := ParseAccount(string(text))
	if err != nil {
		s.ok = false
	}
	return a
}

// readCanonical reads a transaction in the canonical form (see above): ok
// is false for any other input, valid or not.
func readCanonical(data []byte) (tx Transaction, ok bool) {
	s := scanner{b: data, ok: true}
	s.must(`{"id":`)
	tx.ID = string(s.str())
	s.must(`,"time":`)
	tx.Time = s.time()
	s.must(`,"kind":`)
	tx.Kind = Kind(s.str())
	if s.lit(`,"bill":`) {
		tx.Bill = string(s.str())
	}
	if s.lit(`,"ref":`) {
		tx.Ref = string(s.str())
	}
	if s.lit(`,"note":`) {
		tx.Note = string(s.str())
	}
	s.must(`,"postings":[`)
	if n := bytes.Count(data[s.i:], []byte(`{"account":`)); s.ok && n > 0 {
		tx.Postings = make([]Posting, 0, n) // at most n: terms have accounts too
	}
	for s.ok && !s.lit(`]`) {
		if len(tx.Postings) > 0 {
			s.must(`,`)
		}
		var p Posting
		s.must(`{"account":`)
		p.Account = s.account()
		s.must(`,"amount":`)
		p.Amount = s.amount()
		if s.lit(`,"line":`) {
			p.Line = string(s.str())
		}
		if s.lit(`,"product":`) {
			p.Product = string(s.str())
		}
		s.must(`}`)
		tx.Postings = append(tx.Postings, p)
	}
	if len(tx.Postings) == 0 {
		tx.Postings = nil // as the strict decoder leaves it
	}
	if s.lit(`,"terms":[`) {
		for s.ok && !s.lit(`]`) {
			if len(tx.Terms) > 0 {
				s.must(`,`)
			}
			var t Terms
			s.must(`{"account":`)
			t.Account = s.account()
			if s.lit(`,"kind":`) {
				t.Kind = string(s.str())
			}
			if s.lit(`,"group":`) {
				t.Group = string(s.str())
			}
			if s.lit(`,"overdraft":`) {
				t.Overdraft = s.amount()
			}
			if s.lit(`,"expires":`) {
				t.Expires = s.time()
			}
			t.Transferable = s.lit(`,"transferable":true`)
			t.NotCashable = s.lit(`,"not_cashable":true`)
			s.must(`}`)
			tx.Terms = append(tx.Terms, t)
		}
	}
	s.must(`}`)
	if !s.ok || s.i != len(data) {
		return Transaction{}, false
	}
	return tx, true
}
