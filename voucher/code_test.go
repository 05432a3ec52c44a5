package voucher

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

const seedGuance = "002_974120889ed2e661.txt"

// testCode returns a code generated from a fixed seed.
func testCode(t testing.TB, seed uint64) Code {
	t.Helper()
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	c, err := GenerateCode(rand.NewChaCha8(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// replaceAt returns s with the symbol at position i (no dashes) replaced.
func replaceAt(s string, i int, b byte) string {
	r := []byte(s)
	r[i] = b
	return string(r)
}

func TestParseCode(t *testing.T) {
	c := testCode(t, 1)
	canon := c.s
	wrongCheck := replaceAt(canon, CodeLength-1, alphabet[(strings.IndexByte(alphabet, canon[CodeLength-1])+1)%radix])
	swapped := []byte(canon)
	i := 0
	for swapped[i] == swapped[i+1] {
		i++
	}
	swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
	// A code with 0 and 1 in it, to check the look-alike letters.
	withDigits := "01" + canon[2:CodeLength-1]
	withDigits += string(alphabet[checkSymbol(values(withDigits))])

	// A code full of A, to see lower-case a read as A.
	allA := strings.Repeat("A", payloadLength)
	allA += string(alphabet[checkSymbol(values(allA))])

	tests := []struct {
		name, input string
		want        string // canonical; "" means an error wrapping ErrCode
		reason      string
		problem     string // for errors: what the problem must say
	}{
		{"canonical", c.String(), canon, seedGuance + ": a code as printed is accepted", ""},
		{"no_dashes", canon, canon, seedGuance + ": dashes are optional", ""},
		{"lower_case", strings.ToLower(c.String()), canon, seedGuance + ": case does not matter to a person typing a code", ""},
		{"spaces_and_dashes_anywhere", " " + canon[:3] + " - " + canon[3:9] + "\t" + canon[9:] + " ", canon, "spaces, tabs and dashes are normalised away", ""},
		{"look_alikes", "OI" + withDigits[2:], withDigits, "O reads as 0 and I as 1 (Crockford)", ""},
		{"look_alike_l", "0l" + withDigits[2:], withDigits, "l reads as 1 (Crockford)", ""},
		{"empty", "", "", "no code", "has 0 symbols, want 16"},
		{"only_dashes", "----", "", "no symbols", "has 0 symbols"},
		{"too_short", canon[:CodeLength-1], "", "a missing symbol is caught by the length", "has 15 symbols, want 16"},
		{"too_many_symbols", canon + "0", "", "an extra symbol is caught", "more than 16 symbols"},
		{"too_long_input", strings.Repeat("-", 65), "", "garbage of any size is rejected at once", "too long"},
		{"letter_u", "U" + canon[1:], "", "U is not in the alphabet", "'U' at byte 0 is not used"},
		{"letter_z", "Z" + canon[1:], "", "Z is not in the alphabet (reads as 2)", "'Z' at byte 0 is not used"},
		{"punctuation", canon[:8] + "!" + canon[9:], "", "punctuation is not in the alphabet", "'!' at byte 8"},
		{"non_ascii", "é" + canon[1:], "", "non-ASCII is not in the alphabet", "'é' at byte 0"},
		{"invalid_utf8", "\xff" + canon[1:], "", "invalid UTF-8 is not in the alphabet", "is not used"},
		{"first_non_ascii", "\u0080" + canon[1:], "", "the first rune past ASCII", "is not used"},
		{"wrong_check_symbol", wrongCheck, "", seedGuance + ": a mistyped check symbol is caught before any lookup", "check symbol does not match"},
		{"adjacent_transposition", string(swapped), "", "two swapped neighbours are caught by the weighted check", "check symbol does not match"},
		{"lower_a", strings.ToLower(allA), allA, "lower-case a is A", ""},
		{"exactly_64_bytes", canon + strings.Repeat(" ", maxCodeInput-CodeLength), canon, "64 bytes of input are still read", ""},
		{"lower_look_alikes", "ol" + withDigits[2:], withDigits, "o and l read as 0 and 1", ""},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		if tt.reason == "" || seen[tt.name] {
			t.Fatalf("row %q: missing reason or duplicate name", tt.name)
		}
		seen[tt.name] = true
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCode(tt.input)
			if tt.want == "" {
				var ce *CodeError
				if !errors.Is(err, ErrCode) || !errors.As(err, &ce) || ce.Problem == "" {
					t.Fatalf("ParseCode(%q) = %v, %v; want a *CodeError wrapping ErrCode (%s)", tt.input, got, err, tt.reason)
				}
				if !got.IsZero() {
					t.Errorf("ParseCode(%q) returned code %v with an error", tt.input, got)
				}
				if !strings.Contains(ce.Problem, tt.problem) {
					t.Errorf("problem %q; want it to say %q (%s)", ce.Problem, tt.problem, tt.reason)
				}
				if !strings.HasPrefix(err.Error(), "voucher: activation code ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if err != nil || got.s != tt.want {
				t.Fatalf("ParseCode(%q) = %q, %v; want %q (%s)", tt.input, got.s, err, tt.want, tt.reason)
			}
		})
	}
}

// values maps canonical symbols to their values.
func values(s string) []byte {
	v := make([]byte, len(s))
	for i := range s {
		v[i] = byte(symbolValue[s[i]])
	}
	return v
}

func TestParseCodeErrorQuotesShortenedInput(t *testing.T) {
	in := strings.Repeat("A", 100)
	_, err := ParseCode(in)
	var ce *CodeError
	if !errors.As(err, &ce) || len(ce.Input) != maxCodeInput {
		t.Fatalf("ParseCode(100 × A) = %v; want a CodeError quoting %d bytes", err, maxCodeInput)
	}
}

func TestCodeExhaustiveTypos(t *testing.T) {
	// Every single substitution and every adjacent transposition of a code
	// is rejected (seed 002: typos are caught before any lookup).
	for seed := uint64(0); seed < 20; seed++ {
		c := testCode(t, seed)
		for i := 0; i < CodeLength; i++ {
			for k := 0; k < radix; k++ {
				if alphabet[k] == c.s[i] {
					continue
				}
				typo := replaceAt(c.s, i, alphabet[k])
				if _, err := ParseCode(typo); !errors.Is(err, ErrCode) {
					t.Fatalf("substitution %q → %q at %d accepted", c.s, typo, i)
				}
			}
			if i+1 < CodeLength && c.s[i] != c.s[i+1] {
				b := []byte(c.s)
				b[i], b[i+1] = b[i+1], b[i]
				if _, err := ParseCode(string(b)); !errors.Is(err, ErrCode) {
					t.Fatalf("transposition %q → %q at %d accepted", c.s, b, i)
				}
			}
		}
	}
}

func TestGenerateCode(t *testing.T) {
	a, b := testCode(t, 7), testCode(t, 7)
	if a != b || !a.Equal(b) {
		t.Errorf("same seed gave %v and %v; generation must depend only on the reader", a, b)
	}
	if c := testCode(t, 8); c == a || c.Equal(a) {
		t.Errorf("different seeds gave the same code %v", a)
	}
	if len(a.String()) != CodeLength+3 || strings.Count(a.String(), "-") != 3 {
		t.Errorf("String() = %q; want four groups of four", a.String())
	}
	for i, g := range strings.Split(a.String(), "-") {
		if len(g) != groupSize {
			t.Errorf("group %d = %q; want %d symbols", i, g, groupSize)
		}
	}
	// Rejection sampling: bytes ≥ 248 are skipped, others map mod 31.
	in := append(bytes.Repeat([]byte{0xFF}, 17), bytes.Repeat([]byte{31 + 2}, 15)...)
	c, err := GenerateCode(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("2", payloadLength); c.s[:payloadLength] != want {
		t.Errorf("payload %q; want %q (bytes ≥ 248 rejected, 33 mod 31 = 2)", c.s[:payloadLength], want)
	}
	// 247 is the last accepted byte: 247 mod 31 = 30 = 'Y'.
	c, err = GenerateCode(bytes.NewReader(bytes.Repeat([]byte{247}, 32)))
	if err != nil || c.s[:payloadLength] != strings.Repeat("Y", payloadLength) {
		t.Errorf("GenerateCode(247…) = %v, %v; want Y…", c, err)
	}
	// 248 is the first rejected byte.
	if _, err := GenerateCode(bytes.NewReader(bytes.Repeat([]byte{248}, 256))); !errors.Is(err, ErrInvalid) {
		t.Errorf("GenerateCode(248…) err = %v; want ErrInvalid (not random enough)", err)
	}
	// A source that yields a code only in its last 32 bytes still works.
	late := append(bytes.Repeat([]byte{0xFF}, 7*32), bytes.Repeat([]byte{5}, 32)...)
	if c, err := GenerateCode(bytes.NewReader(late)); err != nil || c.s[:payloadLength] != strings.Repeat("5", payloadLength) {
		t.Errorf("GenerateCode(late) = %v, %v; want 5…", c, err)
	}
	// Eight rounds of 32 bytes, all rejected: give up, even if good bytes
	// would follow.
	tooLate := append(bytes.Repeat([]byte{0xFF}, 8*32), bytes.Repeat([]byte{5}, 32)...)
	if _, err := GenerateCode(bytes.NewReader(tooLate)); err == nil || !strings.Contains(err.Error(), "not random enough") {
		t.Errorf("GenerateCode(8 rounds of rejects) err = %v; want not random enough", err)
	}
	if _, err := GenerateCode(endless(0xFF)); err == nil || !strings.Contains(err.Error(), "not random enough") {
		t.Errorf("GenerateCode(endless rejects) err = %v; want not random enough, after a bounded read", err)
	}
	for name, r := range map[string]io.Reader{
		"nil":    nil,
		"short":  bytes.NewReader(make([]byte, 10)),
		"failed": iotestErr{},
	} {
		if c, err := GenerateCode(r); !errors.Is(err, ErrInvalid) || !c.IsZero() {
			t.Errorf("GenerateCode(%s) = %v, %v; want zero, ErrInvalid", name, c, err)
		}
	}
}

// endless reads b forever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("broken") }

func TestCodeText(t *testing.T) {
	type doc struct {
		Code Code `json:"code"`
	}
	c := testCode(t, 3)
	b, err := json.Marshal(doc{c})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"code":"` + c.String() + `"}`; string(b) != want {
		t.Errorf("json = %s; want %s", b, want)
	}
	var d doc
	if err := json.Unmarshal(b, &d); err != nil || d.Code != c {
		t.Errorf("round trip = %v, %v; want %v", d.Code, err, c)
	}
	if b, _ := json.Marshal(doc{}); string(b) != `{"code":""}` {
		t.Errorf("zero code json = %s", b)
	}
	d = doc{Code: c}
	if err := json.Unmarshal([]byte(`{"code":""}`), &d); err != nil || !d.Code.IsZero() {
		t.Errorf("empty code decoded to %v, %v; want zero", d.Code, err)
	}
	if err := json.Unmarshal([]byte(`{"code":"nope"}`), &d); !errors.Is(err, ErrCode) {
		t.Errorf("bad code decoded with err %v; want ErrCode", err)
	}
	if (Code{}).String() != "" || !(Code{}).IsZero() || c.IsZero() {
		t.Error("zero Code must print empty and be zero; a generated one must not")
	}
}

func TestMustParseCode(t *testing.T) {
	c := testCode(t, 4)
	if MustParseCode(c.String()) != c {
		t.Error("MustParseCode does not round-trip")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseCode of garbage did not panic")
		}
	}()
	MustParseCode("garbage")
}

func genCode(t *rapid.T) Code {
	src := rapid.SliceOfN(rapid.Byte(), 256, 256).Draw(t, "random")
	c, err := GenerateCode(bytes.NewReader(src))
	if err != nil {
		t.Skip("source too biased") // 256 bytes ≥ 248 only, astronomically rare
	}
	return c
}

func TestPropertyCodeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCode(t)
		// Re-type it: random case, random separators.
		var b strings.Builder
		for i := 0; i < len(c.s); i++ {
			if rapid.Bool().Draw(t, "sep") {
				b.WriteString(rapid.SampledFrom([]string{"-", " ", "  ", "\t", "- "}).Draw(t, "which"))
			}
			ch := c.s[i]
			if rapid.Bool().Draw(t, "lower") {
				ch = byte(strings.ToLower(string(ch))[0])
			}
			b.WriteByte(ch)
		}
		for _, in := range []string{c.String(), b.String()} {
			got, err := ParseCode(in)
			if err != nil || got != c {
				t.Fatalf("ParseCode(%q) = %v, %v; want %v", in, got, err, c)
			}
		}
	})
}

func TestPropertyCodeTyposDetected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCode(t)
		i := rapid.IntRange(0, CodeLength-1).Draw(t, "pos")
		k := rapid.IntRange(1, radix-1).Draw(t, "shift")
		v := (int(symbolValue[c.s[i]]) + k) % radix
		typo := replaceAt(c.s, i, alphabet[v])
		if _, err := ParseCode(typo); !errors.Is(err, ErrCode) {
			t.Fatalf("single substitution %q → %q not detected", c.s, typo)
		}
		j := rapid.IntRange(0, CodeLength-1).Draw(t, "other")
		if c.s[i] != c.s[j] {
			b := []byte(c.s)
			b[i], b[j] = b[j], b[i]
			if _, err := ParseCode(string(b)); !errors.Is(err, ErrCode) {
				t.Fatalf("transposition %q → %q not detected", c.s, b)
			}
		}
	})
}

func FuzzParseCode(f *testing.F) {
	f.Add("")                    // empty
	f.Add("7K3M-Q9XA-2HWD-PT4C") // shaped like a code
	f.Add(testCode(f, 1).String())
	f.Add(strings.ToLower(testCode(f, 2).String()))
	f.Add("OIL0-1111-2222-3333")
	f.Add("\xff\xfe")
	f.Add(strings.Repeat("9", 64))
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCode(in)
		if err != nil {
			if !errors.Is(err, ErrCode) || !c.IsZero() {
				t.Fatalf("ParseCode(%q) = %v, %v: errors must wrap ErrCode and return the zero Code", in, c, err)
			}
			return
		}
		if len(c.s) != CodeLength || weightedSum(values(c.s)) != 0 {
			t.Fatalf("ParseCode(%q) accepted a malformed code %q", in, c.s)
		}
		again, err := ParseCode(c.String())
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %v, %v", c, again, err)
		}
	})
}
