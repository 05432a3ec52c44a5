package allocation

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// number is the arithmetic the engine needs on amounts counted in units of
// 10^-scale (the working scale of a call). [fast] serves every call whose
// amounts fit in an int64 with room to spare; [exact] serves the rest, so
// money is never rounded or refused for its size within [Limits].
// Values are immutable; the zero value is 0.
type number[N any] interface {
	add(N) N
	sub(N) N
	cmp(N) int
	sign() int
	// mulDiv returns a×b/c and the remainder, for 0 ≤ a ≤ c, b ≥ 0, c > 0.
	mulDiv(b, c N) (q, r N)
	// quoRem returns a/c and the remainder, for a ≥ 0, c > 0.
	quoRem(c N) (q, r N)
	// mul returns a×b; the caller knows it fits.
	mul(b N) N
	// inc returns a + 1 unit.
	inc() N
	// decimal converts to a Decimal; zero gives the zero Decimal, which
	// costs no allocation.
	decimal(scale int32) decimal.Decimal
	// of converts d, which has at most scale decimals, to units.
	of(d decimal.Decimal, scale int32) N
}

func minN[N number[N]](a, b N) N {
	if a.cmp(b) <= 0 {
		return a
	}
	return b
}

func maxN[N number[N]](a, b N) N {
	if a.cmp(b) >= 0 {
		return a
	}
	return b
}

// fastScale is the largest working scale of the int64 path.
const fastScale = 18

// fastMax bounds every amount, and the sum of all amounts of a call, on
// the int64 path, so that no sum or difference the engine forms can
// overflow.
const fastMax = math.MaxInt64 / 4

var pow10 = [...]int64{
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
	1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
	10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
	10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
}

// decimals returns how many decimal places d is written with (0 for a
// whole number written without a fraction). It is an int64 because the
// exponent may be math.MinInt32.
func decimals(d decimal.Decimal) int64 {
	if e := d.Exponent(); e < 0 {
		return -int64(e)
	}
	return 0
}

// integerDigits returns how many digits d has before the decimal point.
func integerDigits(d decimal.Decimal) int64 {
	if d.IsZero() {
		return 0
	}
	return int64(d.NumDigits()) + int64(d.Exponent())
}

// fastUnits converts d to units of 10^-scale as an int64. It reports false
// if d has more decimals than scale or its units exceed fastMax.
func fastUnits(d decimal.Decimal, scale int32) (int64, bool) {
	if d.IsZero() {
		return 0, true
	}
	shift := int64(scale) + int64(d.Exponent())
	if scale > fastScale || shift < 0 || shift > fastScale {
		return 0, false
	}
	var c int64
	if d.NumDigits() <= 18 {
		c = d.CoefficientInt64()
	} else if big := d.Coefficient(); big.IsInt64() {
		c = big.Int64()
	} else {
		return 0, false
	}
	m := pow10[shift]
	if c > fastMax/m || c < -fastMax/m {
		return 0, false
	}
	return c * m, true
}

// fast is an amount on the int64 path.
type fast int64

func (a fast) add(b fast) fast { return a + b }
func (a fast) sub(b fast) fast { return a - b }
func (a fast) inc() fast       { return a + 1 }

func (a fast) cmp(b fast) int { return cmp.Compare(a, b) }

func (a fast) sign() int { return a.cmp(0) }

func (a fast) mulDiv(b, c fast) (fast, fast) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c)) // hi < c since a ≤ c
	return fast(q), fast(r)
}

func (a fast) quoRem(c fast) (fast, fast) { return a / c, a % c }
func (a fast) mul(b fast) fast            { return a * b }

func (a fast) decimal(scale int32) decimal.Decimal {
	if a == 0 {
		return decimal.Decimal{}
	}
	return decimal.New(int64(a), -scale)
}

func (fast) of(d decimal.Decimal, scale int32) fast {
	u, ok := fastUnits(d, scale)
	if !ok {
		// validate chose this path because every amount fits, and what the
		// engine derives (a rounded discount) stays within the bound.
		panic("allocation: internal error: " + d.String() + " does not fit the int64 path")
	}
	return fast(u)
}

// exact is an amount on the math/big path; a nil v is 0. A *big.Int
// held in an exact is never changed.
type exact struct{ v *big.Int }

var bigZero, bigOne = big.NewInt(0), big.NewInt(1)

func (a exact) int() *big.Int {
	if a.v == nil {
		return bigZero
	}
	return a.v
}

func (a exact) add(b exact) exact { return exact{new(big.Int).Add(a.int(), b.int())} }
func (a exact) sub(b exact) exact { return exact{new(big.Int).Sub(a.int(), b.int())} }
func (a exact) inc() exact        { return exact{new(big.Int).Add(a.int(), bigOne)} }
func (a exact) cmp(b exact) int   { return a.int().Cmp(b.int()) }
func (a exact) sign() int         { return a.int().Sign() }

func (a exact) mulDiv(b, c exact) (exact, exact) {
	q, r := new(big.Int), new(big.Int)
	q.QuoRem(new(big.Int).Mul(a.int(), b.int()), c.int(), r)
	return exact{q}, exact{r}
}

func (a exact) quoRem(c exact) (exact, exact) {
	q, r := new(big.Int), new(big.Int)
	q.QuoRem(a.int(), c.int(), r)
	return exact{q}, exact{r}
}

func (a exact) mul(b exact) exact { return exact{new(big.Int).Mul(a.int(), b.int())} }

func (a exact) decimal(scale int32) decimal.Decimal {
	if a.sign() == 0 {
		return decimal.Decimal{}
	}
	return decimal.NewFromBigInt(a.v, -scale)
}

func (exact) of(d decimal.Decimal, scale int32) exact {
	if d.IsZero() {
		return exact{}
	}
	c := d.Coefficient()
	if shift := int64(scale) + int64(d.Exponent()); shift > 0 {
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	}
	return exact{c}
}
