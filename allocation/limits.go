package allocation

// Limits bound the input [Allocate] accepts, so that a host can rely on
// how much work and memory one call may take, whatever its input. Input
// beyond a limit is rejected with an [*InvalidError], quickly: nothing is
// computed on an amount before its size is checked.
//
// A zero field takes its default, so the zero Limits are the defaults.
// MaxIntegerDigits and MaxDecimalPlaces are at most [MaxDigitsCeiling]:
// larger values count as the ceiling, which keeps every exponent and the
// working scale well inside the int32 exponents decimals use.
type Limits struct {
	// MaxLines bounds the lines of a bill (default 100,000).
	MaxLines int `json:"max_lines,omitempty"`
	// MaxInstruments bounds the instruments of a wallet (default 100,000).
	MaxInstruments int `json:"max_instruments,omitempty"`
	// MaxIDLength bounds, in bytes, the ids of the bill, its lines and
	// instruments, and step names (default 256).
	MaxIDLength int `json:"max_id_length,omitempty"`
	// MaxIntegerDigits bounds the digits before the decimal point of every
	// amount (default 30).
	MaxIntegerDigits int `json:"max_integer_digits,omitempty"`
	// MaxDecimalPlaces bounds the digits after the decimal point of every
	// amount and percentage, and the rounding places (default 40).
	MaxDecimalPlaces int `json:"max_decimal_places,omitempty"`
}

// Default limits.
const (
	DefaultMaxLines         = 100_000
	DefaultMaxInstruments   = 100_000
	DefaultMaxIDLength      = 256
	DefaultMaxIntegerDigits = 30
	DefaultMaxDecimalPlaces = 40
)

// MaxDigitsCeiling is the most MaxIntegerDigits and MaxDecimalPlaces can
// allow, whatever they are set to (JSON decoding, too, refuses exponents
// beyond ±10,000).
const MaxDigitsCeiling = 10_000

// effective returns l with zero fields set to their defaults.
func (l Limits) effective() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxLines, DefaultMaxLines)
	def(&l.MaxInstruments, DefaultMaxInstruments)
	def(&l.MaxIDLength, DefaultMaxIDLength)
	def(&l.MaxIntegerDigits, DefaultMaxIntegerDigits)
	def(&l.MaxDecimalPlaces, DefaultMaxDecimalPlaces)
	l.MaxIntegerDigits = min(l.MaxIntegerDigits, MaxDigitsCeiling)
	l.MaxDecimalPlaces = min(l.MaxDecimalPlaces, MaxDigitsCeiling)
	return l
}
