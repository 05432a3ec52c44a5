package stored

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestAmountKeepsScale(t *testing.T) {
	for _, s := range []string{"0", "1.50", "-12.345", "100", "0.0001", "123456789012345678901234567890.12"} {
		if got := Amount(decimal.RequireFromString(s)); got != s {
			t.Errorf("Amount(%s) = %s; the scale must be kept", s, got)
		}
	}
	if got := Amount(decimal.New(15, 2)); got != "1500" {
		t.Errorf("Amount(15e2) = %s; want 1500", got)
	}
	if OptAmount(decimal.Zero) != "" || OptAmount(decimal.New(0, -2)) != "" {
		t.Error("a zero amount is left out")
	}
}

func TestTimeIsUTC(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 30, 0, 5, time.FixedZone("KST", 9*3600))
	if got := Time(at); got != "2024-03-01T00:30:00.000000005Z" {
		t.Errorf("Time = %s", got)
	}
	if Time(time.Time{}) != "" {
		t.Error("the zero time is left out")
	}
}

// TestReaderCollectsEveryProblem: one pass names every problem, with its
// path, in document order, and unknown fields do not stop the others.
func TestReaderCollectsEveryProblem(t *testing.T) {
	var r Reader
	o := r.Object("", []byte(`{"version":1,"amount":"12,50","at":"yesterday","n":"7","list":["a",""],
		"nested":{"x":1},"items":[{"ok":true,"extra":1},3],"extra":null,"dup":1,"dup":2}`))
	if !o.Version() {
		t.Fatal("version 1 refused")
	}
	o.Amount("amount", true)
	o.Time("at", true)
	o.Int("n", false)
	o.Strings("list")
	o.String("missing", true)
	if n := o.Object("nested"); n != nil {
		n.Done()
	}
	o.Array("items", func(_ int, e *Object) { e.Bool("ok"); e.Done() })
	o.Int("dup", false)
	o.Done()
	want := []string{
		`dup: field appears twice`,
		`amount: "12,50" is not a decimal amount (digits, an optional point and up to 40 characters); write 12.50`,
		`at: "yesterday" is not an RFC 3339 time`,
		`n: "\"7\"" is not an integer`,
		`list[1]: empty`,
		`missing: missing`,
		`nested.x: unknown field`,
		`items[0].extra: unknown field`,
		`items[1]: "3" is not a JSON object`,
		`extra: unknown field`,
	}
	if len(r.Problems) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d", strings.Join(r.Problems, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(r.Problems[i], w) {
			t.Errorf("problem %d = %q; want %q…", i, r.Problems[i], w)
		}
	}
	if !r.Broken {
		t.Error("malformed values leave the reader unbroken")
	}
}

func TestReaderUnknownFieldsAloneLeaveItUnbroken(t *testing.T) {
	var r Reader
	o := r.Object("", []byte(`{"version":1,"a":"x","typo":1}`))
	o.Version()
	o.String("a", true)
	o.Done()
	if r.Broken || len(r.Problems) != 1 {
		t.Errorf("problems %q, broken %v; want only the unknown field, not broken (values are still checked)", r.Problems, r.Broken)
	}
}

func TestReaderRefusesOtherDocuments(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{``, "document: empty input is not a JSON object"},
		{`null`, `document: "null" is not a JSON object`},
		{`{"version":2}`, "version: 2 is not supported: this build reads version 1"},
		{`{}`, "version: missing: this build reads version 1"},
		{`{"version":1} {}`, "document: data after the object"},
		{`{"version":1`, "document: malformed JSON"},
	} {
		var r Reader
		r.Object("", []byte(tc.doc)).Version()
		if len(r.Problems) == 0 || !strings.HasPrefix(r.Problems[0], tc.want) {
			t.Errorf("%q: problems %q; want %q first", tc.doc, r.Problems, tc.want)
		}
	}
}

func TestAmountRefusesWhatIsNotAPlainDecimal(t *testing.T) {
	for _, s := range []string{`"1e9"`, `"1e-999999999"`, `".5"`, `"5."`, `"+5"`, `" 5"`, `"0x10"`, `"NaN"`, `"` + strings.Repeat("9", 41) + `"`, `true`, `1e3`} {
		var r Reader
		r.Object("", []byte(`{"a":`+s+`}`)).Amount("a", true)
		if len(r.Problems) != 1 {
			t.Errorf("%s: problems %q; want it refused", s, r.Problems)
		}
	}
	var r Reader
	if got := r.Object("", []byte(`{"a":12.5}`)).Amount("a", true); !got.Equal(decimal.RequireFromString("12.5")) || len(r.Problems) > 0 {
		t.Errorf("a JSON number reads as the amount: %s %q", got, r.Problems)
	}
}

func TestReaderEdges(t *testing.T) {
	var r Reader
	o := r.Object("", []byte(`{"forty":"`+strings.Repeat("1", 40)+`","long":"`+strings.Repeat("x", 41)+`",
		"zero":"0001-01-01T00:00:00Z","id":"","none":[],"some":["a","b"]}`))
	if got := o.Amount("forty", true); got.String() != strings.Repeat("1", 40) {
		t.Errorf("an amount of 40 characters reads as %s", got)
	}
	o.Amount("long", true)
	o.Time("zero", true)
	o.String("id", true)
	if got := o.Strings("none"); got != nil {
		t.Errorf("an empty list reads as %#v; want nil", got)
	}
	if got := o.Strings("some"); len(got) != 2 || got[1] != "b" {
		t.Errorf("a list reads as %#v", got)
	}
	o.Done()
	want := []string{
		`long: "` + strings.Repeat("x", 40) + `…" is not a decimal amount`,
		`zero: "0001-01-01T00:00:00Z" is not an RFC 3339 time`,
		`id: empty`,
	}
	if len(r.Problems) != len(want) {
		t.Fatalf("problems %q; want %d", r.Problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(r.Problems[i], w) {
			t.Errorf("problem %d = %q; want %q…", i, r.Problems[i], w)
		}
	}
}
