package ledger_test

import (
	"errors"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// An instrument account may not be drawn below minus its overdraft: a
// spend is accepted exactly when balance − amount ≥ −overdraft, in exact
// decimal arithmetic, whatever the amounts' sizes and decimals, on the
// newest version of a journal and on an older one (whose balance is read
// from its entries, not the running head), and the refusal reports the
// balance the spend would have left.
func TestFloorIsExact(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		amount := func(name string) decimal.Decimal {
			d := decimal.New(rapid.Int64Range(0, 1e15).Draw(rt, name), -int32(rapid.IntRange(0, 8).Draw(rt, name+" places")))
			if rapid.Bool().Draw(rt, name+" huge") {
				d = d.Mul(decimal.New(1, 12)) // past an int64 at its scale
			}
			return d
		}
		v := acct("v")
		granted, overdraft := amount("grant"), amount("overdraft")
		j := applyEach(rt, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: v, Overdraft: overdraft}, granted.Add(decimal.New(1, -8)), ""))
		old := j // an older version once more is booked after it
		j = applyEach(rt, j, spendTx("first", at(1), v, "0.00000001"))
		draw := amount("draw")
		switch rapid.IntRange(0, 2).Draw(rt, "at the floor") {
		case 1: // to the floor exactly: accepted
			draw = granted.Add(overdraft)
		case 2: // one unit of the smallest scale past it: refused
			draw = granted.Add(overdraft).Add(decimal.New(1, -8))
		}
		if draw.IsZero() {
			draw = decimal.New(1, -2)
		}
		tx := spendTx("s", at(2), v, draw.String())
		after := granted.Sub(draw)
		want := after.Cmp(overdraft.Neg()) >= 0
		for _, c := range []struct {
			name string
			j    ledger.Journal
			left decimal.Decimal
		}{{"newest", j, after}, {"older", old, after.Add(decimal.New(1, -8))}} {
			err := c.j.Check(tx)
			if c.name == "older" {
				want = c.left.Cmp(overdraft.Neg()) >= 0
			}
			if got := err == nil; got != want {
				rt.Fatalf("%s: balance %s, spend %s, overdraft %s: accepted %v, want %v (%v)",
					c.name, c.j.Balance(v), draw, overdraft, got, want, err)
			}
			var ie *ledger.InsufficientError
			if err != nil && (!errors.As(err, &ie) || len(ie.Shortfalls) != 1 ||
				!ie.Shortfalls[0].Balance.Equal(c.left) || !ie.Shortfalls[0].Overdraft.Equal(overdraft)) {
				rt.Fatalf("%s: refusal %v, want a shortfall leaving %s over overdraft %s", c.name, err, c.left, overdraft)
			}
		}
	})
}
