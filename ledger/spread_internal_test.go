package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestSpreadLargestRemainder checks spread against its contract: shares
// add up to the amount exactly, none exceeds its base, each is within one
// unit below or above its exact proportional share (largest remainder),
// and a base that got a unit more than its floor never has a smaller
// remainder than one that did not, with ties to the earlier base.
func TestSpreadLargestRemainder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		scale := int32(rapid.IntRange(0, 3).Draw(t, "scale"))
		var bases []decimal.Decimal
		var total int64
		for range rapid.IntRange(1, 6).Draw(t, "n") {
			b := rapid.Int64Range(0, 100000).Draw(t, "base")
			bases = append(bases, decimal.New(b, -scale))
			total += b
		}
		if total == 0 {
			t.Skip("nothing to spread over")
		}
		a := rapid.Int64Range(0, total).Draw(t, "amount")
		amount := decimal.New(a, -scale)
		shares := spread(amount, bases, scale)
		var sum decimal.Decimal
		unit := decimal.New(1, -scale)
		up := make([]bool, len(bases))
		rem := make([]decimal.Decimal, len(bases))
		for k, s := range shares {
			sum = sum.Add(s)
			if s.Cmp(bases[k]) > 0 || s.IsNegative() {
				t.Fatalf("share %d = %s beyond its base %s", k, s, bases[k])
			}
			// share·total versus amount·base, in units: within one total.
			diff := s.Mul(decimal.New(total, -scale)).Sub(amount.Mul(bases[k]))
			if diff.Abs().Cmp(decimal.New(total, -scale).Mul(unit)) >= 0 {
				t.Fatalf("share %d = %s, exact %s·%s/%s: off by a unit or more", k, s, amount, bases[k], decimal.New(total, -scale))
			}
			up[k] = diff.IsPositive()
			rem[k] = diff // negative: what the floor left over
			if up[k] {
				rem[k] = diff.Sub(decimal.New(total, -scale).Mul(unit))
			}
		}
		if !sum.Equal(amount) {
			t.Fatalf("shares add up to %s, not %s", sum, amount)
		}
		for k := range shares {
			for l := range shares {
				// rem is minus the remainder: a unit went up to k, not to l,
				// only if k's remainder is larger, or equal and k earlier.
				if up[k] && !up[l] && (rem[k].Cmp(rem[l]) > 0 || rem[k].Equal(rem[l]) && k > l) {
					t.Fatalf("base %d got the unit before base %d: remainders %s, %s", k, l, rem[k].Neg(), rem[l].Neg())
				}
			}
		}
	})
}
