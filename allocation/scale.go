package allocation

import (
	"math"

	"github.com/shopspring/decimal"
)

// maxScale is the largest number of decimal places the engine works at.
const maxScale = 18

// maxUnits bounds every amount, in units of the working scale, and the sum
// of all of them, so that no sum or difference the engine forms can
// overflow an int64.
const maxUnits = math.MaxInt64 / 4

var pow10 = [...]int64{
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
	1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
	10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
	10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
}

// decimals returns how many decimal places d is written with (0 for a
// whole number written without a fraction).
func decimals(d decimal.Decimal) int32 {
	if e := d.Exponent(); e < 0 {
		return -e
	}
	return 0
}

// toUnits converts d to an integer number of 10^-scale units. It reports
// false if d has more decimals than scale or does not fit in maxUnits.
func toUnits(d decimal.Decimal, scale int32) (int64, bool) {
	exp := d.Exponent()
	if d.IsZero() {
		return 0, true
	}
	if exp < -scale || d.NumDigits() > 18 {
		return 0, false
	}
	shift := int64(scale) + int64(exp)
	if shift > maxScale {
		return 0, false
	}
	c := d.CoefficientInt64()
	m := pow10[shift]
	if c > maxUnits/m || c < -maxUnits/m {
		return 0, false
	}
	return c * m, true
}

// fromUnits converts units of 10^-scale back to a decimal. Zero gives the
// zero Decimal, which costs no allocation.
func fromUnits(u int64, scale int32) decimal.Decimal {
	if u == 0 {
		return decimal.Decimal{}
	}
	return decimal.New(u, -scale)
}
