package ledger

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Limits on what a transaction may hold, so that every [Store] can keep it
// exactly as given: a store that rewrote a string or refused an amount
// would either return a different transaction than was appended (and a
// retry would then conflict with it) or fail in a way a host cannot tell
// from a dropped connection. [Transaction.Validate] enforces them, for
// every store alike, with [ErrInvalid]:
//
//   - every string (ids, bill, ref, note, line, product, kinds, groups) is
//     valid UTF-8 without NUL bytes (text columns and JSON cannot hold
//     either);
//   - a transaction id and an instrument id have at most [MaxIDBytes]
//     bytes, and so does a stream id ([ValidStream]): they are index keys
//     in a database; a held account's hold id (%-escaped, as its text
//     form writes it) and instrument id have at most MaxIDBytes together,
//     so an account's text stays within the same bound;
//   - an amount (a posting's, an overdraft) has at most
//     [MaxAmountIntegerDigits] digits before the decimal point and
//     [MaxAmountPlaces] after it, counting the trailing zeros it carries
//     (1.50 has two places);
//   - every time (Transaction.Time, Terms.Expires) is in the years
//     0001–9999 with a zone offset under 24 hours: what RFC 3339, the
//     JSON form, can write.
const (
	// MaxIDBytes is the longest transaction, instrument or stream id, in
	// bytes. PostgreSQL's btree indexes hold keys of up to about 2.7 KB;
	// a stream id and an account together stay well under that.
	MaxIDBytes = 1000
	// MaxAmountIntegerDigits is how many digits an amount may have before
	// the decimal point.
	MaxAmountIntegerDigits = 64
	// MaxAmountPlaces is how many decimal places an amount may carry.
	MaxAmountPlaces = 64
)

// ValidStream reports what makes stream unusable as a [Store]'s stream id:
// empty, longer than [MaxIDBytes], not valid UTF-8 or holding a NUL byte.
// The error wraps [ErrInvalid]; nil means the id is fine.
// [MemoryStore] and the PostgreSQL store refuse such ids with this error.
func ValidStream(stream string) error {
	var p string
	if stream == "" {
		p = "empty stream id"
	} else {
		p = idProblem("stream id", stream)
	}
	if p == "" {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalid, p)
}

// textProblem describes what makes s unstorable as text, or returns "".
func textProblem(what, s string) string {
	switch {
	case !utf8.ValidString(s):
		return fmt.Sprintf("%s %q is not valid UTF-8", what, s)
	case containsNUL(s):
		return fmt.Sprintf("%s %q contains a NUL byte", what, s)
	}
	return ""
}

// idProblem is textProblem plus the length limit of ids.
func idProblem(what, s string) string {
	if len(s) > MaxIDBytes {
		return fmt.Sprintf("%s is %d bytes long, more than %d", what, len(s), MaxIDBytes)
	}
	return textProblem(what, s)
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// amountProblem describes what puts d outside the amount limits, or
// returns "". It never rescales d, so that an absurd exponent costs
// nothing.
func amountProblem(what string, d decimal.Decimal) string {
	exp := d.Exponent()
	if exp < -MaxAmountPlaces {
		return fmt.Sprintf("%s has %d decimal places, more than %d", what, -int64(exp), MaxAmountPlaces)
	}
	if d.IsZero() {
		return ""
	}
	if n := int64(d.NumDigits()) + int64(exp); n > MaxAmountIntegerDigits {
		return fmt.Sprintf("%s has %d digits before the decimal point, more than %d", what, n, MaxAmountIntegerDigits)
	}
	return ""
}

// timeProblem describes what keeps t from being written in RFC 3339, or
// returns "".
func timeProblem(what string, t time.Time) string {
	if y := t.Year(); y < 1 || y > 9999 {
		return fmt.Sprintf("%s %v is outside the years 0001–9999", what, t)
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return fmt.Sprintf("%s %v has a zone offset of 24 hours or more", what, t)
	}
	return ""
}
