package renewal

import (
	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// maxPlaces bounds the rounding places a caller may ask for.
const maxPlaces = 18

// resolveRounding resolves r for currency as [allocation.Rounding] documents it:
// Places 0 and [allocation.CurrencyPlaces] are the currency's minor units
// whatever the Mode, [allocation.WholeUnits] is 0 places; Mode is half-even
// when empty. Strict is not used: prices are multiplied and divided, never
// truncated on input.
func resolveRounding(r allocation.Rounding, currency string, p *problems) (int32, allocation.RoundingMode) {
	places := r.Places
	switch places {
	case 0, allocation.CurrencyPlaces:
		places = allocation.MinorUnits(currency)
	case allocation.WholeUnits:
		places = 0
	}
	mode := r.Mode
	switch mode {
	case "":
		mode = allocation.HalfEven
	case allocation.HalfEven, allocation.HalfUp, allocation.Down:
	default:
		p.addf("rounding: unknown mode %q", r.Mode)
	}
	if places < 0 || places > maxPlaces {
		p.addf("rounding: places %d outside 0..%d", r.Places, maxPlaces)
	}
	return places, mode
}

// divRound returns num/den rounded to places decimal places with mode; num
// must not be negative and den must be positive. It is exact: the quotient
// is truncated and the remainder decides the last digit, so no
// decimal.DivisionPrecision is involved.
func divRound(num decimal.Decimal, den int64, places int32, mode allocation.RoundingMode) decimal.Decimal {
	d := decimal.NewFromInt(den)
	q, r := num.QuoRem(d, places)
	if r.Sign() == 0 || mode == allocation.Down {
		return q
	}
	unit := decimal.New(1, -places)
	// Compare the remainder with half a unit of the quotient: 2r vs d·unit.
	c := r.Add(r).Cmp(d.Mul(unit))
	if c > 0 || c == 0 && (mode == allocation.HalfUp || q.Shift(places).BigInt().Bit(0) == 1) {
		return q.Add(unit)
	}
	return q
}
