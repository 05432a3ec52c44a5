package allocation

import (
	"slices"
	"strings"
)

// A Wallet is the set of instruments a customer could pay with. Its order
// does not matter: [Allocate] orders instruments by the policy alone, with the
// instrument id as the final tie-break. A nil Wallet holds no funds.
type Wallet []Instrument

// After returns a copy of w in which every instrument s used has the
// balance s reports it left (for a percentage instrument, what is left of
// its cap; an uncapped one keeps none). Instruments s did not use, or does
// not mention, are unchanged. w itself is not changed.
//
// It is how a host carries a wallet from one [Allocate] to the next so
// that nothing is spent twice; instrument lifecycles (a voucher used up, a
// credit listed as used) belong to the domain packages.
func (w Wallet) After(s Split) Wallet {
	out := slices.Clone(w)
	byID := slices.Clone(s.Instruments)
	slices.SortFunc(byID, func(a, b InstrumentResult) int { return strings.Compare(a.ID, b.ID) })
	for i := range out {
		in := &out[i]
		k, found := slices.BinarySearchFunc(byID, in.ID, func(r InstrumentResult, id string) int { return strings.Compare(r.ID, id) })
		if !found || byID[k].Used.Sign() == 0 || (in.IsPercent() && !in.Capped) {
			continue
		}
		in.Balance = byID[k].BalanceAfter
	}
	return out
}
