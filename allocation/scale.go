package allocation

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// money is an exact number of units of 10^-scale, the working scale of
// a call: an int64 while the value fits, a math/big integer beyond. The
// operations engine code uses most are small enough to be inlined on the
// int64 form; a result that would overflow an int64 moves to math/big, so
// money is never wrapped, rounded or refused for its size within [Limits].
// Values are immutable; the zero value is 0.
type money struct {
	n int64
	b *big.Int // if non-nil, the value (never changed once set), and n is 0
}

// moneyOf converts d, which has at most scale decimals, to units.
func moneyOf(d decimal.Decimal, scale int32) money {
	if u, ok := fastUnits(d, scale); ok {
		return money{n: u}
	}
	c := d.Coefficient()
	if shift := int64(scale) + int64(d.Exponent()); shift > 0 {
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	}
	return money{b: c}
}

// int returns a as a big.Int, which the caller must not change.
func (a money) int() *big.Int {
	if a.b != nil {
		return a.b
	}
	return big.NewInt(a.n)
}

// bigMoney returns x, in the int64 form if it fits.
func bigMoney(x *big.Int) money {
	if x.IsInt64() {
		return money{n: x.Int64()}
	}
	return money{b: x}
}

func (a money) add(b money) money {
	s := a.n + b.n
	if a.b != nil || b.b != nil || (s^a.n)&(s^b.n) < 0 {
		return addBig(a, b)
	}
	return money{n: s}
}

func (a money) sub(b money) money {
	d := a.n - b.n
	if a.b != nil || b.b != nil || (a.n^b.n)&(d^a.n) < 0 {
		return subBig(a, b)
	}
	return money{n: d}
}

func addBig(a, b money) money { return bigMoney(new(big.Int).Add(a.int(), b.int())) }
func subBig(a, b money) money { return bigMoney(new(big.Int).Sub(a.int(), b.int())) }

// inc returns a + 1 unit.
func (a money) inc() money { return a.add(money{n: 1}) }

func (a money) cmp(b money) int {
	if a.b != nil || b.b != nil {
		return cmpBig(a, b)
	}
	if a.n < b.n {
		return -1
	}
	if a.n > b.n {
		return 1
	}
	return 0
}

func cmpBig(a, b money) int { return a.int().Cmp(b.int()) }

func (a money) sign() int {
	if a.b != nil {
		return signBig(a)
	}
	if a.n < 0 {
		return -1
	}
	if a.n > 0 {
		return 1
	}
	return 0
}

func signBig(a money) int { return a.b.Sign() }

// mulDiv returns a×b/c and the remainder, for 0 ≤ a ≤ c, b ≥ 0, c > 0.
func (a money) mulDiv(b, c money) (q, r money) {
	if a.b == nil && b.b == nil && c.b == nil {
		hi, lo := bits.Mul64(uint64(a.n), uint64(b.n))
		qu, ru := bits.Div64(hi, lo, uint64(c.n)) // hi < c since a ≤ c
		return money{n: int64(qu)}, money{n: int64(ru)}
	}
	qb, rb := new(big.Int).QuoRem(new(big.Int).Mul(a.int(), b.int()), c.int(), new(big.Int))
	return bigMoney(qb), bigMoney(rb)
}

// quoRem returns a/c and the remainder, for a ≥ 0, c > 0.
func (a money) quoRem(c money) (q, r money) {
	if a.b == nil && c.b == nil {
		return money{n: a.n / c.n}, money{n: a.n % c.n}
	}
	qb, rb := new(big.Int).QuoRem(a.int(), c.int(), new(big.Int))
	return bigMoney(qb), bigMoney(rb)
}

// mul returns a×b, for a, b ≥ 0.
func (a money) mul(b money) money {
	if a.b == nil && b.b == nil && a.n >= 0 && b.n >= 0 {
		hi, lo := bits.Mul64(uint64(a.n), uint64(b.n))
		if hi == 0 && lo <= math.MaxInt64 {
			return money{n: int64(lo)}
		}
	}
	return bigMoney(new(big.Int).Mul(a.int(), b.int()))
}

// decimal converts a to a Decimal; zero gives the zero Decimal, which
// costs no allocation.
func (a money) decimal(scale int32) decimal.Decimal {
	switch {
	case a.b != nil:
		return decimal.NewFromBigInt(a.b, -scale)
	case a.n == 0:
		return decimal.Decimal{}
	}
	return decimal.New(a.n, -scale)
}

func minMoney(a, b money) money {
	if a.cmp(b) <= 0 {
		return a
	}
	return b
}

func maxMoney(a, b money) money {
	if a.cmp(b) >= 0 {
		return a
	}
	return b
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
// if d has more decimals than scale or its units do not fit an int64.
func fastUnits(d decimal.Decimal, scale int32) (int64, bool) {
	if d.IsZero() {
		return 0, true
	}
	shift := int64(scale) + int64(d.Exponent())
	if shift < 0 || shift >= int64(len(pow10)) || d.NumDigits() > 18 {
		return 0, false
	}
	c, m := d.CoefficientInt64(), pow10[shift]
	if c > math.MaxInt64/m || c < -math.MaxInt64/m {
		return 0, false
	}
	return c * m, true
}
