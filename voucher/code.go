package voucher

import (
	"crypto/subtle"
	"fmt"
	"io"
	"unicode"
)

// Activation codes.
//
// A code is 16 symbols of a 31-symbol alphabet, printed in four groups of
// four: "7K3M-Q9XA-2HWD-PT4C". The first 15 symbols are random; the 16th is a
// check symbol.
//
// The alphabet is the digits and the upper-case letters without I, L, O and
// U (as in Crockford's base 32) and without Z, which is easily read as 2.
// That leaves 31 symbols, a prime number, which is what makes the check
// strong: the symbols' values v₁…v₁₆ (0…30) satisfy
//
//	1·v₁ + 2·v₂ + … + 16·v₁₆ ≡ 0 (mod 31)
//
// Changing one symbol changes the sum by i·d with 1 ≤ i ≤ 16 and
// 0 < |d| ≤ 30, never a multiple of the prime 31, so every single-symbol
// substitution is caught; swapping two symbols at positions i < j changes it
// by (j−i)·(a−b), also never a multiple of 31, so every transposition
// (adjacent or not) is caught. A random mistyped code passes the check with
// probability 1/31.
//
// Entropy: 15 random symbols carry 15·log₂31 ≈ 74.3 bits, so an attacker
// guessing against a million live codes needs about 2⁵⁴ tries per hit.
const (
	alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXY"
	// radix is len(alphabet), a prime.
	radix = 31
	// CodeLength is the number of symbols in a code, check symbol included.
	CodeLength = 16
	// payloadLength is the number of random symbols.
	payloadLength = CodeLength - 1
	// groupSize is the number of symbols between dashes in [Code.String].
	groupSize = 4
	// CodeEntropyBits is the entropy of a generated code in whole bits
	// (15·log₂31 ≈ 74.3).
	CodeEntropyBits = 74
)

// symbolValue maps an ASCII byte, upper or lower case, to its value, or
// −1. The look-alikes O, I and L are read as 0, 1 and 1.
var symbolValue = func() (t [128]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < radix; i++ {
		t[alphabet[i]] = int8(i)
		t[unicode.ToLower(rune(alphabet[i]))] = int8(i)
	}
	for _, c := range "Oo" {
		t[c] = 0
	}
	for _, c := range "IiLl" {
		t[c] = 1
	}
	return t
}()

// A Code is a voucher activation code. Codes are comparable; two codes are
// equal when they are the same code, however they were typed.
//
// The zero Code means "no code" ([Code.IsZero]); it is not a valid code.
type Code struct {
	// s is the canonical form: CodeLength symbols of alphabet, no dashes.
	s string
}

// GenerateCode returns a new random code, reading randomness from r (for
// example crypto/rand.Reader; the package keeps no source of its own). Each
// of the 15 random symbols is drawn uniformly by rejection sampling, so a
// code carries [CodeEntropyBits] bits of entropy when r is uniformly random.
// It returns an error wrapping [ErrInvalid] if r fails or is so far from
// random that 256 bytes do not yield a code.
func GenerateCode(r io.Reader) (Code, error) {
	if r == nil {
		return Code{}, &InvalidError{Problems: []string{"random source is nil"}}
	}
	var (
		syms [CodeLength]byte
		n    int
		buf  [32]byte
	)
	// A byte below 248 = 8·31 maps to b mod 31 uniformly; others are
	// rejected. 256 bytes fail to give 15 symbols with probability < 2⁻¹⁰⁰⁰
	// for a uniform source.
	for round := 0; round < 8 && n < payloadLength; round++ {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return Code{}, &InvalidError{Problems: []string{"reading random source: " + err.Error()}}
		}
		for _, b := range buf {
			if b >= 8*radix || n == payloadLength {
				continue
			}
			syms[n] = byte(b % radix)
			n++
		}
	}
	if n < payloadLength {
		return Code{}, &InvalidError{Problems: []string{"random source is not random enough"}}
	}
	syms[payloadLength] = checkSymbol(syms[:payloadLength])
	var s [CodeLength]byte
	for i, v := range syms {
		s[i] = alphabet[v]
	}
	return Code{s: string(s[:])}, nil
}

// checkSymbol returns the value c such that the weighted sum of payload
// followed by c is a multiple of radix.
func checkSymbol(payload []byte) byte {
	sum := weightedSum(payload)
	w := len(payload) + 1
	for c := range radix {
		if (sum+w*c)%radix == 0 {
			return byte(c)
		}
	}
	panic("voucher: no check symbol") // unreachable: radix is prime and w < radix
}

// weightedSum returns Σ (i+1)·v[i] mod radix.
func weightedSum(v []byte) int {
	sum := 0
	for i, x := range v {
		sum = (sum + (i+1)*int(x)) % radix
	}
	return sum
}

// maxCodeInput bounds the input ParseCode looks at, so that garbage of any
// size is rejected at once.
const maxCodeInput = 64

// ParseCode reads an activation code as a person may type it: upper or lower
// case, with or without spaces and dashes anywhere, with the letters O, I
// and L read as the digits 0, 1 and 1. It returns an error wrapping
// [ErrCode] (a [*CodeError] saying what is wrong) if a character is not in
// the code alphabet, if there are not [CodeLength] symbols, or if the check
// symbol does not match, which catches every single mistyped or swapped
// symbol before any lookup.
func ParseCode(input string) (Code, error) {
	quoted := input[:min(len(input), maxCodeInput)]
	if len(input) > maxCodeInput {
		return Code{}, &CodeError{Input: quoted, Problem: fmt.Sprintf("too long: an activation code has %d symbols", CodeLength)}
	}
	var vals [CodeLength]byte
	n := 0
	for i, r := range input {
		if r == '-' || unicode.IsSpace(r) {
			continue
		}
		if int(r) >= len(symbolValue) || symbolValue[r] < 0 {
			return Code{}, &CodeError{Input: quoted, Problem: fmt.Sprintf("character %q at byte %d is not used in activation codes", r, i)}
		}
		if n == CodeLength {
			return Code{}, &CodeError{Input: quoted, Problem: fmt.Sprintf("has more than %d symbols", CodeLength)}
		}
		vals[n] = byte(symbolValue[r])
		n++
	}
	if n != CodeLength {
		return Code{}, &CodeError{Input: quoted, Problem: fmt.Sprintf("has %d symbols, want %d", n, CodeLength)}
	}
	if weightedSum(vals[:]) != 0 {
		return Code{}, &CodeError{Input: quoted, Problem: "check symbol does not match: a symbol was mistyped"}
	}
	var s [CodeLength]byte
	for i, v := range vals {
		s[i] = alphabet[v]
	}
	return Code{s: string(s[:])}, nil
}

// MustParseCode is like [ParseCode] but panics on error. It is meant for
// tests and examples with literal codes.
func MustParseCode(input string) Code {
	c, err := ParseCode(input)
	if err != nil {
		panic(err)
	}
	return c
}

// IsZero reports whether c is the zero Code ("no code").
func (c Code) IsZero() bool { return c.s == "" }

// String returns the code in its canonical printed form, upper case in
// groups of four separated by dashes ("7K3M-Q9XA-2HWD-PT4C"), or "" for the
// zero Code. ParseCode(c.String()) returns c.
func (c Code) String() string {
	if c.s == "" {
		return ""
	}
	var b []byte
	for i := 0; i < len(c.s); i++ {
		if i > 0 && i%groupSize == 0 {
			b = append(b, '-')
		}
		b = append(b, c.s[i])
	}
	return string(b)
}

// Equal reports whether c and d are the same code, in time independent of
// where they differ (so that comparing a typed code with a stored one leaks
// nothing through timing).
func (c Code) Equal(d Code) bool {
	return subtle.ConstantTimeCompare([]byte(c.s), []byte(d.s)) == 1
}

// MarshalText returns [Code.String]; the zero Code marshals as "".
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText parses text with [ParseCode]; empty text gives the zero
// Code.
func (c *Code) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*c = Code{}
		return nil
	}
	p, err := ParseCode(string(text))
	if err != nil {
		return err
	}
	*c = p
	return nil
}
