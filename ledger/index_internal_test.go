package ledger

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// The newest version of a journal answers from indexes kept as it grows
// (what open holds reserve, which holds are open, which accounts are
// live); an older version, a prefix of a longer log, answers from the
// entries, as a journal did before those indexes. This property builds a
// random history of grants, spends with receivables, holds, captures,
// releases, reversals, top-ups and expiries, and checks that at every
// length the two give the same answers: Balance, Held, Terms, History,
// Reversible, Owed amounts through Reverse, OpenHolds, HoldStatus, what
// Expire and TopUp build, and replays and conflicts of every past id.
func TestIndexedJournalAnswersAsFullHistory(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ins := []string{"a", "b", "c"}
	rapid.Check(t, func(rt *rapid.T) {
		var j Journal
		var txs []Transaction
		var spends, holds []string
		try := func(tx Transaction, err error) {
			if err != nil {
				return
			}
			if next, r, err := j.Apply(tx); err == nil && !r.Replayed {
				j, txs = next, append(txs, tx)
			}
		}
		amt := func(label string) decimal.Decimal {
			return decimal.New(int64(rapid.IntRange(1, 40).Draw(rt, label)), -1)
		}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for i := range steps {
			at := t0.Add(time.Duration(i) * time.Hour)
			id := fmt.Sprint("t", i)
			in := rapid.SampledFrom(ins).Draw(rt, "instrument")
			a := InstrumentAccount(in, "USD")
			switch rapid.IntRange(0, 6).Draw(rt, "op") {
			case 0:
				expires := time.Time{}
				if rapid.Bool().Draw(rt, "expires") {
					expires = at.Add(time.Duration(rapid.IntRange(1, 20).Draw(rt, "life")) * time.Hour)
				}
				try(Grant(id, at, Terms{Account: a, Kind: "gift", Expires: expires}, amt("grant"), ""), nil)
			case 1, 2:
				bill := allocation.Bill{ID: id, Currency: "USD", At: at, Lines: []allocation.Line{{ID: "l", Product: "ecs", Amount: amt("bill")}}}
				wallet := allocation.Wallet{{ID: in, Kind: "gift", Currency: "USD"}}
				split, err := allocation.Allocate(bill, WithBalances(j, wallet), allocation.Policy{})
				if err != nil {
					rt.Fatal(err)
				}
				if rapid.Bool().Draw(rt, "hold") {
					tx, err := Hold(bill, wallet, split, at.Add(time.Duration(rapid.IntRange(1, 10).Draw(rt, "until"))*time.Hour), "")
					try(tx, err)
					holds = append(holds, tx.ID)
				} else {
					tx, err := FromSplit(bill, wallet, split, SpendOptions{Receivable: true})
					try(tx, err)
					spends = append(spends, tx.ID)
				}
			case 3:
				if len(holds) > 0 {
					h := rapid.SampledFrom(holds).Draw(rt, "held")
					if rapid.Bool().Draw(rt, "capture") {
						try(Capture(j, id, at, h, amt("capture"), rapid.Bool().Draw(rt, "final"), ""))
					} else {
						try(Release(j, id, at, h, ""))
					}
				}
			case 4:
				if len(spends) > 0 {
					try(Reverse(j, id, at, rapid.SampledFrom(spends).Draw(rt, "ref"), amt("reverse"), ""))
				}
			case 5:
				try(TopUp(j, id, at, a, amt("top-up"), ""))
			case 6:
				tx, _ := Expire(j, at)
				try(tx, nil)
			}
		}
		for k := 1; k <= len(txs); k++ { // the empty journal has no log to index
			indexed, _, _, err := Journal{}.ApplyAll(txs[:k]) // the newest version of its own log
			if err != nil {
				rt.Fatal(err)
			}
			old := Journal{j.l, k} // a prefix of the longer log: answers from the entries
			if !indexed.l.newest(k) || (k < len(txs) && old.l.newest(k)) {
				rt.Fatalf("length %d: not the versions this property compares", k)
			}
			compareJournals(rt, k, indexed, old, txs, t0.Add(time.Duration(k)*time.Hour))
		}
	})
}

// compareJournals fails rt if a and b answer any query differently.
func compareJournals(rt *rapid.T, k int, a, b Journal, txs []Transaction, at time.Time) {
	eq := func(what string, x, y any) {
		if diff := cmp.Diff(x, y, cmp.AllowUnexported(Account{})); diff != "" {
			rt.Fatalf("length %d: %s (-indexed +old):\n%s", k, what, diff)
		}
	}
	eq("accounts", a.Accounts(), b.Accounts())
	eq("live accounts", a.liveAccounts(), b.liveAccounts())
	for _, acc := range a.Accounts() {
		eq("balance of "+acc.String(), a.Balance(acc).String(), b.Balance(acc).String())
		eq("held of "+acc.String(), a.Held(acc).String(), b.Held(acc).String())
		ta, _ := a.Terms(acc)
		tb, _ := b.Terms(acc)
		eq("terms of "+acc.String(), ta, tb)
		eq("history of "+acc.String(), a.History(acc, Filter{}), b.History(acc, Filter{}))
	}
	eq("open holds", a.OpenHolds(), b.OpenHolds())
	ea, oka := Expire(a, at)
	eb, okb := Expire(b, at)
	eq("expire", []any{ea, oka}, []any{eb, okb})
	ua, erra := TopUp(a, "top-up-probe", at, InstrumentAccount("a", "USD"), decimal.New(5, 0), "")
	ub, errb := TopUp(b, "top-up-probe", at, InstrumentAccount("a", "USD"), decimal.New(5, 0), "")
	eq("top-up", []any{ua, fmt.Sprint(erra)}, []any{ub, fmt.Sprint(errb)})
	for _, tx := range txs[:k] {
		eq("reversible "+tx.ID, a.Reversible(tx.ID).String(), b.Reversible(tx.ID).String())
		sa, _ := a.HoldStatus(tx.ID)
		sb, _ := b.HoldStatus(tx.ID)
		eq("hold status "+tx.ID, sa, sb)
		_, ra, erra := a.Apply(tx)
		_, rb, errb := b.Apply(tx)
		if erra != nil || errb != nil || !ra.Replayed || ra != rb {
			rt.Fatalf("length %d: applying %s again: %+v, %v (indexed) and %+v, %v (old); want the same replay", k, tx.ID, ra, erra, rb, errb)
		}
		changed := tx.clone()
		changed.Note += " changed"
		eq("replay and conflict of "+tx.ID, []any{fmt.Sprint(a.Check(tx)), fmt.Sprint(a.Check(changed))},
			[]any{fmt.Sprint(b.Check(tx)), fmt.Sprint(b.Check(changed))})
		if !errors.Is(a.Check(changed), ErrConflict) {
			rt.Fatalf("length %d: %s changed is not a conflict", k, tx.ID)
		}
	}
}

// A sum (an account's running balance, kept as a scaled int64 while it
// fits) adds to exactly what decimal.Decimal.Add from zero gives, digit for
// digit and exponent for exponent, also past the int64 range.
func TestSumAddsAsDecimal(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var s sum
		var want decimal.Decimal
		for i := range rapid.IntRange(0, 50).Draw(rt, "n") {
			d := decimal.New(rapid.Int64().Draw(rt, "coefficient"), int32(rapid.IntRange(-20, 20).Draw(rt, "exp")))
			if rapid.Bool().Draw(rt, "huge") {
				d = d.Mul(decimal.New(1, 30))
			}
			s.add(d)
			want = want.Add(d)
			got := s.value()
			if got.String() != want.String() || got.Exponent() != want.Exponent() || s.isZero() != want.IsZero() || s.sign() != want.Sign() {
				rt.Fatalf("after %d additions: sum %s (exp %d), want %s (exp %d)", i+1, got, got.Exponent(), want, want.Exponent())
			}
		}
	})
}
