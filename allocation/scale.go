package allocation

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// money is an exact amount in units of 10^-scale, the working scale of a
// call. A call whose amounts all fit comfortably in an int64 (see fastMax)
// works on the int64 path, where a money is the number of units itself and
// arithmetic is plain int64 arithmetic, inlined. Any other call works on
// the exact path, where a money is a handle: the index of a math/big
// integer in the call's table (every result is a new entry, so the table
// grows with the work done; the exact path is for rare, huge amounts).
// The methods of arith hide the difference; values are immutable, and 0
// is zero on both paths.
type money int64

// fastMax bounds every amount, and the sum of all amounts of a call, on
// the int64 path, so that no sum or difference the engine forms can
// overflow.
const fastMax = math.MaxInt64 / 4

// fastScale is the largest working scale of the int64 path.
const fastScale = 18

// arith does the arithmetic of a call: plain int64 on the int64 path, and
// on the exact path through its table of math/big integers.
type arith struct {
	wide bool       // the call is on the exact path
	ints []*big.Int // handle → value; ints[0] is 0; never changed once added
}

// handle adds v to the table and returns its handle.
func (x *arith) handle(v *big.Int) money {
	x.ints = append(x.ints, v)
	return money(len(x.ints) - 1)
}

// small returns the money of u units.
func (x *arith) small(u int64) money {
	if x.wide {
		return x.handle(big.NewInt(u))
	}
	return money(u)
}

// The exact path of add, sub and cmp is kept out of line (go:noinline) so
// that their int64 path, which is most of what the engine does, is inlined.

func (x *arith) add(a, b money) money {
	if x.wide {
		return x.addBig(a, b)
	}
	return a + b
}

//go:noinline
func (x *arith) addBig(a, b money) money { return x.handle(new(big.Int).Add(x.ints[a], x.ints[b])) }

func (x *arith) sub(a, b money) money {
	if x.wide {
		return x.subBig(a, b)
	}
	return a - b
}

//go:noinline
func (x *arith) subBig(a, b money) money { return x.handle(new(big.Int).Sub(x.ints[a], x.ints[b])) }

func (x *arith) cmp(a, b money) int {
	if x.wide {
		return x.cmpBig(a, b)
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

//go:noinline
func (x *arith) cmpBig(a, b money) int { return x.ints[a].Cmp(x.ints[b]) }

func (x *arith) sign(a money) int {
	if x.wide {
		return x.ints[a].Sign()
	}
	if a < 0 {
		return -1
	}
	if a > 0 {
		return 1
	}
	return 0
}

func (x *arith) min(a, b money) money {
	if x.wide && x.cmpBig(a, b) > 0 || !x.wide && a > b {
		return b
	}
	return a
}

func (x *arith) max(a, b money) money {
	if x.wide && x.cmpBig(a, b) < 0 || !x.wide && a < b {
		return b
	}
	return a
}

// mulDiv returns a×b/c and the remainder, for 0 ≤ a ≤ c, b ≥ 0, c > 0.
func (x *arith) mulDiv(a, b, c money) (q, r money) {
	if x.wide {
		qb, rb := new(big.Int).QuoRem(new(big.Int).Mul(x.ints[a], x.ints[b]), x.ints[c], new(big.Int))
		return x.handle(qb), x.handle(rb)
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	qu, ru := bits.Div64(hi, lo, uint64(c)) // hi < c since a ≤ c
	return money(qu), money(ru)
}

// quoRem returns a/c and the remainder, for a ≥ 0, c > 0.
func (x *arith) quoRem(a, c money) (q, r money) {
	if x.wide {
		qb, rb := new(big.Int).QuoRem(x.ints[a], x.ints[c], new(big.Int))
		return x.handle(qb), x.handle(rb)
	}
	return a / c, a % c
}

// mul returns a×b; the caller knows it fits the path's bound.
func (x *arith) mul(a, b money) money {
	if x.wide {
		return x.handle(new(big.Int).Mul(x.ints[a], x.ints[b]))
	}
	return a * b
}

// decimal converts a to a Decimal at scale; zero gives the zero Decimal,
// which costs no allocation.
func (x *arith) decimal(a money, scale int32) decimal.Decimal {
	switch {
	case x.sign(a) == 0:
		return decimal.Decimal{}
	case x.wide:
		return decimal.NewFromBigInt(x.ints[a], -scale)
	}
	return decimal.New(int64(a), -scale)
}

// of converts d, which has at most scale decimals, to units.
func (x *arith) of(d decimal.Decimal, scale int32) money {
	if !x.wide {
		u, ok := fastUnits(d, scale)
		if !ok {
			// validate chose this path because every amount fits, and what
			// the engine derives stays within the bound (a rounded discount
			// is capped by the remaining amount it is taken from first).
			panic("allocation: internal error: " + d.String() + " does not fit the int64 path")
		}
		return money(u)
	}
	if d.IsZero() {
		return 0
	}
	c := d.Coefficient()
	if shift := int64(scale) + int64(d.Exponent()); shift > 0 {
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	}
	return x.handle(c)
}

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
	var c int64
	if d.NumDigits() <= 18 {
		c = d.CoefficientInt64()
	} else if big := d.Coefficient(); big.IsInt64() { // a computed value may carry zeros
		c = big.Int64()
	} else {
		return 0, false
	}
	return scaledUnits(c, d.Exponent(), scale)
}

// scaledUnits returns c×10^exp in units of 10^-scale as an int64. It
// reports false if that is not a whole number of units, the scale is
// beyond the int64 path's, or the units exceed fastMax.
func scaledUnits(c int64, exp, scale int32) (int64, bool) {
	shift := int64(scale) + int64(exp)
	if scale > fastScale || shift < 0 || shift > fastScale {
		return 0, false
	}
	if bound := fastMaxCoefficient[shift]; c > bound || c < -bound {
		return 0, false
	}
	return c * pow10[shift], true
}

// fastMaxCoefficient[k] is the largest coefficient whose units at a shift
// of k places stay within fastMax (a table, so that the conversion does
// not divide).
var fastMaxCoefficient = func() (t [fastScale + 1]int64) {
	for k := range t {
		t[k] = fastMax / pow10[k]
	}
	return t
}()
