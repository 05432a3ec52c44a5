package ledger

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// jsonForms are the struct types with a JSON form and the fields the
// decoder reads for each.
var jsonForms = []struct {
	v      any
	fields []string
}{
	{Posting{}, postingFields[:]},
	{Terms{}, termsFields[:]},
	{Transaction{}, transactionFields[:]},
	{Entry{}, entryFields[:]},
}

// snake returns the snake_case form of a Go field name: ID → id,
// NotCashable → not_cashable.
func snake(name string) string {
	if name == "ID" {
		return "id"
	}
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The JSON forms name every exported field of their Go types, in order, so
// that a field added to a type cannot be left out of its form unnoticed
// (decoding would then refuse it as unknown, or drop it).
func TestJSONFormsNameEveryField(t *testing.T) {
	for _, f := range jsonForms {
		typ := reflect.TypeOf(f.v)
		var want []string
		for i := range typ.NumField() {
			if typ.Field(i).IsExported() {
				want = append(want, snake(typ.Field(i).Name))
			}
		}
		if !slices.Equal(want, f.fields) {
			t.Errorf("%s: the decoder reads %q; the type has %q", typ.Name(), f.fields, want)
		}
	}
}

// fillValue sets every field of the struct v points to a non-zero value.
func fillValue(v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch x := f.Addr().Interface().(type) {
		case *decimal.Decimal:
			*x = decimal.RequireFromString("-1.50")
		case *time.Time:
			*x = time.Date(2024, 3, 1, 9, 30, 0, 5, time.UTC)
		case *Account:
			*x = InstrumentAccount("v:1", "USD")
		case *[]Posting:
			*x = make([]Posting, 1)
			fillValue(reflect.ValueOf(&(*x)[0]).Elem())
		case *[]Terms:
			*x = make([]Terms, 1)
			fillValue(reflect.ValueOf(&(*x)[0]).Elem())
		default:
			switch f.Kind() {
			case reflect.String:
				f.SetString("x-" + v.Type().Field(i).Name)
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Int:
				f.SetInt(7)
			default:
				panic("fill: no value for field " + v.Type().Field(i).Name)
			}
		}
	}
}

// With every field set, each form writes every field and reads it back.
func TestJSONFormsCarryEveryField(t *testing.T) {
	for _, f := range jsonForms {
		p := reflect.New(reflect.TypeOf(f.v))
		fillValue(p.Elem())
		data, err := json.Marshal(p.Elem().Interface())
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			t.Fatal(err)
		}
		for _, name := range f.fields {
			if _, ok := fields[name]; !ok {
				t.Errorf("%T: %s lacks %q", f.v, data, name)
			}
		}
		back := reflect.New(reflect.TypeOf(f.v))
		if err := json.Unmarshal(data, back.Interface()); err != nil {
			t.Fatalf("%T: decoding %s: %v", f.v, data, err)
		}
		// Field by field; a Transaction's Equal does not look at every
		// field of its Terms, so they are compared apart.
		byValue := cmp.Options{cmp.Comparer(func(x, y decimal.Decimal) bool { return x.Equal(y) }),
			cmp.Comparer(func(x, y time.Time) bool { return x.Equal(y) })}
		txs := cmp.Comparer(func(x, y Transaction) bool { return x.Equal(y) && cmp.Equal(x.Terms, y.Terms, byValue) })
		if d := cmp.Diff(p.Elem().Interface(), back.Elem().Interface(), byValue, txs); d != "" {
			t.Errorf("%T round trip (-want +got):\n%s", f.v, d)
		}
	}
}
