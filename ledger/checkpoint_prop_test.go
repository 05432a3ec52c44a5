package ledger_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// history draws a random history of grants (with changing terms), spends
// booking receivables, holds, captures, releases, lapses, reversals,
// credit notes, transfers and top-ups, and returns its transactions with
// the ids of its spends and holds.
func history(rt *rapid.T, t0 time.Time) (txs []ledger.Transaction, spends, holds []string) {
	var j ledger.Journal
	ins := []string{"a", "b", "c"}
	try := func(tx ledger.Transaction, err error) bool {
		if err != nil {
			return false
		}
		next, r, err := j.Apply(tx)
		if err != nil || r.Replayed {
			return false
		}
		j, txs = next, append(txs, tx)
		return true
	}
	amt := func(label string) decimal.Decimal {
		return decimal.New(int64(rapid.IntRange(1, 40).Draw(rt, label)), -1)
	}
	steps := rapid.IntRange(1, 50).Draw(rt, "steps")
	for i := range steps {
		at := t0.Add(time.Duration(i) * time.Hour)
		id := fmt.Sprint("t", i)
		in := rapid.SampledFrom(ins).Draw(rt, "instrument")
		a := ledger.InstrumentAccount(in, "USD")
		switch rapid.IntRange(0, 8).Draw(rt, "op") {
		case 0: // a grant, whose terms replace those in force
			terms := ledger.Terms{Account: a, Kind: rapid.SampledFrom([]string{"gift", "cash"}).Draw(rt, "kind"),
				Transferable: in == "b", Overdraft: decimal.New(int64(rapid.IntRange(0, 2).Draw(rt, "overdraft")), 0)}
			if rapid.Bool().Draw(rt, "expires") {
				terms.Expires = at.Add(time.Duration(rapid.IntRange(1, 20).Draw(rt, "life")) * time.Hour)
			}
			try(ledger.Grant(id, at, terms, amt("grant"), ""), nil)
		case 1, 2:
			bill := allocation.Bill{ID: id, Currency: "USD", At: at, Lines: []allocation.Line{
				{ID: "l1", Product: "ecs", Amount: amt("bill")}, {ID: "l2", Product: "rds", Amount: amt("bill2")}}}
			wallet := allocation.Wallet{{ID: in, Kind: "gift", Currency: "USD"}}
			split, err := allocation.Allocate(bill, ledger.WithBalances(j, wallet), allocation.Policy{})
			if err != nil {
				rt.Fatal(err)
			}
			if rapid.Bool().Draw(rt, "hold") {
				tx, err := ledger.Hold(bill, wallet, split, at.Add(time.Duration(rapid.IntRange(1, 10).Draw(rt, "until"))*time.Hour), "")
				if try(tx, err) {
					holds = append(holds, tx.ID)
				}
			} else {
				tx, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{Receivable: true})
				if try(tx, err) {
					spends = append(spends, tx.ID)
				}
			}
		case 3:
			if len(holds) > 0 {
				h := rapid.SampledFrom(holds).Draw(rt, "held")
				if rapid.Bool().Draw(rt, "capture") {
					try(ledger.Capture(j, id, at, h, amt("capture"), rapid.Bool().Draw(rt, "final"), ""))
				} else {
					try(ledger.Release(j, id, at, h, ""))
				}
			}
		case 4:
			if refs := append(slices.Clone(spends), capturesOf(txs)...); len(refs) > 0 {
				try(ledger.Reverse(j, id, at, rapid.SampledFrom(refs).Draw(rt, "ref"), amt("reverse"), ""))
			}
		case 5:
			try(ledger.TopUp(j, id, at, a, amt("top-up"), ""))
		case 6:
			tx, _ := ledger.Expire(j, at)
			try(tx, nil)
		case 7:
			try(ledger.Transfer(j, id, at, ledger.InstrumentAccount("b", "USD"), ledger.InstrumentAccount("b"+id, "USD"), "g"+id, amt("transfer"), ""))
		case 8:
			if len(spends) > 0 {
				n, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: id, Time: at, Spend: rapid.SampledFrom(spends).Draw(rt, "credited")})
				try(n.Transaction, err)
			}
		}
	}
	return txs, spends, holds
}

// capturesOf returns the ids of the captures among txs.
func capturesOf(txs []ledger.Transaction) []string {
	var out []string
	for _, tx := range txs {
		if tx.Kind == ledger.KindCapture {
			out = append(out, tx.ID)
		}
	}
	return out
}

// A pastStore answers a resumed journal's CheckpointError as a store
// does: with every transaction before the checkpoint whose ID or Ref is
// asked for.
type pastStore []ledger.Transaction

func (s pastStore) recall(t *rapid.T, j ledger.Journal, ids []string) ledger.Journal {
	var past []ledger.Past
	for seq, tx := range s {
		if slices.Contains(ids, tx.ID) || slices.Contains(ids, tx.Ref) {
			past = append(past, ledger.Past{Seq: seq, Transaction: tx})
		}
	}
	j, err := j.Recall(ids, past)
	if err != nil {
		t.Fatalf("recall %q: %v", ids, err)
	}
	return j
}

// retry runs f on *j, recalling what a CheckpointError asks for, until it
// asks for nothing.
func retry[T any](t *rapid.T, s pastStore, j *ledger.Journal, f func(ledger.Journal) (T, error)) (T, error) {
	for range 5 {
		v, err := f(*j)
		var ce *ledger.CheckpointError
		if !errors.As(err, &ce) || len(ce.Need) == 0 {
			return v, err
		}
		*j = s.recall(t, *j, ce.Need)
	}
	t.Fatal("recalling does not end")
	panic("unreachable")
}

// A journal resumed from a checkpoint at a random position, given the
// transactions after it and recalling older ones by id as a store would,
// answers exactly as the journal built from the whole history: Balance,
// Held, Terms, History over random ranges (from the checkpoint on),
// Reversible, HoldStatus, Owed and Transaction of every id, OpenHolds,
// Expire and TopUp, replays and conflicts of every past id, and new
// reversals, captures, releases and spends, accepted or refused alike.
func TestResumedJournalAnswersAsFullHistory(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(rt *rapid.T) {
		txs, spends, holds := history(rt, t0)
		full, _, _, err := ledger.Journal{}.ApplyAll(txs)
		if err != nil {
			rt.Fatal(err)
		}
		c := rapid.IntRange(0, len(txs)).Draw(rt, "checkpoint")
		prefix, _, _, _ := ledger.Journal{}.ApplyAll(txs[:c])
		resumed := resumeVia(rt, prefix.Checkpoint(), txs[c:])
		if rapid.Bool().Draw(rt, "twice") {
			// A checkpoint of a resumed journal, as a store takes them
			// after the first: resumed again, it must answer the same.
			c2 := rapid.IntRange(c, len(txs)).Draw(rt, "second checkpoint")
			mid := resumeVia(rt, prefix.Checkpoint(), txs[c:c2])
			resumed = resumeVia(rt, mid.Checkpoint(), txs[c2:])
			c = c2
			prefix, _, _, _ = ledger.Journal{}.ApplyAll(txs[:c])
		}
		store := pastStore(txs[:c])
		if resumed.Len() != full.Len() || resumed.Base() != c {
			rt.Fatalf("resumed: length %d, base %d; want %d, %d", resumed.Len(), resumed.Base(), full.Len(), c)
		}
		eq := func(what string, want, got any) {
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(ledger.Account{})); diff != "" {
				rt.Fatalf("checkpoint at %d: %s (-full +resumed):\n%s", c, what, diff)
			}
		}
		for _, id := range append(txOf(txs), "absent") {
			if c > 0 && resumed.Knows(id) != slices.ContainsFunc(txs[c:], func(tx ledger.Transaction) bool { return tx.ID == id }) {
				rt.Fatalf("Knows(%s) before any recall", id)
			}
		}
		at := t0.Add(time.Duration(len(txs)) * time.Hour)
		compareResumed(rt, eq, full, resumed, store, prefix, t0, at)

		// Replays, conflicts and questions about every id.
		for _, id := range append(txOf(txs), "absent") {
			r := store.recall(rt, resumed, []string{id})
			eq("knows "+id, true, r.Knows(id))
			eq("reversible "+id, full.Reversible(id).String(), r.Reversible(id).String())
			sf, okf := full.HoldStatus(id)
			sr, okr := r.HoldStatus(id)
			eq("hold status "+id, []any{sf, okf}, []any{sr, okr})
			tf, okf := full.Transaction(id)
			tr, okr := r.Transaction(id)
			eq("transaction "+id, []any{tf, okf}, []any{tr, okr})
		}
		for _, id := range txOf(txs) {
			eq("owed "+id, full.Owed(id).String(), resumed.Owed(id).String())
		}
		for i := range txs {
			tx := txs[rapid.IntRange(0, len(txs)-1).Draw(rt, "replayed")]
			if i > 5 {
				break
			}
			_, rf, ef := full.Apply(tx)
			rr, er := retry(rt, store, &resumed, func(j ledger.Journal) (ledger.Result, error) {
				_, r, err := j.Apply(tx)
				return r, err
			})
			eq("replay of "+tx.ID, []any{rf, fmt.Sprint(ef)}, []any{rr, fmt.Sprint(er)})
			changed := tx
			changed.Note += " changed"
			_, rf, ef = full.Apply(changed)
			rr, er = retry(rt, store, &resumed, func(j ledger.Journal) (ledger.Result, error) {
				_, r, err := j.Apply(changed)
				return r, err
			})
			eq("conflict of "+tx.ID, []any{rf, fmt.Sprint(ef)}, []any{rr, fmt.Sprint(er)})
			if !errors.Is(ef, ledger.ErrConflict) {
				rt.Fatalf("%s changed is not a conflict: %v", tx.ID, ef)
			}
		}

		// New transactions, built by the helpers on each journal and
		// applied to both: the same outcome, step by step.
		fullBefore, resumedBefore := full, resumed
		steps := rapid.IntRange(0, 8).Draw(rt, "new")
		for i := range steps {
			id := fmt.Sprint("new", i)
			at := at.Add(time.Duration(i) * time.Hour)
			var build func(ledger.Journal) (ledger.Transaction, error)
			switch rapid.IntRange(0, 3).Draw(rt, "new op") {
			case 0:
				refs := append(append(slices.Clone(spends), capturesOf(txs)...), "absent")
				ref, amount := rapid.SampledFrom(refs).Draw(rt, "ref"), decimal.New(int64(rapid.IntRange(1, 40).Draw(rt, "amount")), -1)
				build = func(j ledger.Journal) (ledger.Transaction, error) { return ledger.Reverse(j, id, at, ref, amount, "") }
			case 1, 2:
				if len(holds) == 0 {
					continue
				}
				h, amount := rapid.SampledFrom(holds).Draw(rt, "hold"), decimal.New(int64(rapid.IntRange(1, 40).Draw(rt, "amount")), -1)
				build = func(j ledger.Journal) (ledger.Transaction, error) {
					if amount.IntPart() > 2 {
						return ledger.Release(j, id, at, h, "")
					}
					return ledger.Capture(j, id, at, h, amount, false, "")
				}
			case 3:
				in := rapid.SampledFrom([]string{"a", "b", "c"}).Draw(rt, "payer")
				bill := allocation.Bill{ID: id, Currency: "USD", At: at, Lines: []allocation.Line{{ID: "l", Product: "ecs", Amount: decimal.New(int64(rapid.IntRange(1, 40).Draw(rt, "bill")), -1)}}}
				wallet := allocation.Wallet{{ID: in, Kind: "gift", Currency: "USD"}}
				build = func(j ledger.Journal) (ledger.Transaction, error) {
					split, err := allocation.Allocate(bill, ledger.WithBalances(j, wallet), allocation.Policy{})
					if err != nil {
						return ledger.Transaction{}, err
					}
					return ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{Receivable: true})
				}
			}
			txf, ef := build(full)
			txr, er := retry(rt, store, &resumed, build)
			eq("building "+id, []any{txf, fmt.Sprint(ef)}, []any{txr, fmt.Sprint(er)})
			if ef != nil {
				continue
			}
			nf, rf, ef := full.Apply(txf)
			type out struct {
				j ledger.Journal
				r ledger.Result
			}
			o, er := retry(rt, store, &resumed, func(j ledger.Journal) (out, error) {
				n, r, err := j.Apply(txr)
				return out{n, r}, err
			})
			eq("applying "+id, []any{rf, fmt.Sprint(ef)}, []any{o.r, fmt.Sprint(er)})
			if ef == nil {
				full, resumed = nf, o.j
			}
		}
		compareResumed(rt, eq, full, resumed, store, prefix, t0, at.Add(time.Duration(steps)*time.Hour))

		// Applying to the versions before those bookings forks their logs
		// (a resumed one from its checkpoint): still the same answers.
		grant := ledger.Grant("fork-grant", at, ledger.Terms{Account: ledger.InstrumentAccount("a", "USD"), Kind: "cash"}, decimal.New(7, 0), "")
		ff, _, ef := fullBefore.Apply(grant)
		fr, er := retry(rt, store, &resumedBefore, func(j ledger.Journal) (ledger.Journal, error) {
			n, _, err := j.Apply(grant)
			return n, err
		})
		eq("fork", fmt.Sprint(ef), fmt.Sprint(er))
		if ef == nil {
			compareResumed(rt, eq, ff, fr, store, prefix, t0, at)
		}
	})
}

// compareResumed compares what concerns the present, and the history
// from the checkpoint on.
func compareResumed(rt *rapid.T, eq func(string, any, any), full, resumed ledger.Journal, store pastStore, prefix ledger.Journal, t0, at time.Time) {
	c := prefix.Len()
	got := resumed.Accounts()
	for _, a := range full.Accounts() {
		if !slices.Contains(got, a) {
			// Only the held accounts of holds settled before the
			// checkpoint are left out.
			if !a.IsHeld() || !slices.Contains(prefix.Accounts(), a) || !prefix.Balance(a).IsZero() {
				rt.Fatalf("checkpoint at %d: resumed journal lacks account %s", c, a)
			}
			continue
		}
		eq("balance of "+a.String(), full.Balance(a).String(), resumed.Balance(a).String())
		eq("held of "+a.String(), full.Held(a).String(), resumed.Held(a).String())
		tf, okf := full.Terms(a)
		tr, okr := resumed.Terms(a)
		eq("terms of "+a.String(), []any{tf, okf}, []any{tr, okr})
		f := ledger.Filter{}
		if rapid.Bool().Draw(rt, "from") {
			f.From = t0.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "from hour")) * time.Hour)
		}
		if rapid.Bool().Draw(rt, "to") {
			f.To = t0.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "to hour")) * time.Hour)
		}
		if rapid.Bool().Draw(rt, "kinds") {
			f.Kinds = []ledger.Kind{ledger.KindSpend, ledger.KindReverse}
		}
		var want []ledger.Entry
		for _, e := range full.History(a, f) {
			if e.Seq >= c {
				want = append(want, e)
			}
		}
		eq("history of "+a.String(), want, resumed.History(a, f))
	}
	for _, a := range got {
		if !slices.Contains(full.Accounts(), a) {
			rt.Fatalf("checkpoint at %d: resumed journal has account %s", c, a)
		}
	}
	eq("open holds", full.OpenHolds(), resumed.OpenHolds())
	id := "expire:" + at.Format(time.RFC3339Nano)
	resumed = store.recall(rt, resumed, []string{id}) // as a store does when Apply asks
	ef, okf := ledger.Expire(full, at)
	er, okr := ledger.Expire(resumed, at)
	if slices.ContainsFunc(prefixTxs(prefix), func(tx ledger.Transaction) bool { return tx.ID == id }) {
		// Booked before the checkpoint: no version to build it again on,
		// so the resumed journal has nothing to expire.
		ef, okf = ledger.Transaction{}, false
	}
	if !okf && !okr {
		ef, er = ledger.Transaction{}, ledger.Transaction{} // nothing to book; what is built does not matter
	}
	eq("expire", []any{ef, okf}, []any{er, okr})
	probe := func(j ledger.Journal) (ledger.Transaction, error) {
		return ledger.TopUp(j, "top-up-probe", at, ledger.InstrumentAccount("a", "USD"), decimal.New(5, 0), "")
	}
	uf, errf := probe(full)
	ur, errr := retry(rt, store, &resumed, probe)
	eq("top-up", []any{uf, fmt.Sprint(errf)}, []any{ur, fmt.Sprint(errr)})
}

// txOf returns the ids of txs.
func txOf(txs []ledger.Transaction) []string {
	out := make([]string, len(txs))
	for i, tx := range txs {
		out[i] = tx.ID
	}
	return out
}

// prefixTxs returns the transactions of j.
func prefixTxs(j ledger.Journal) []ledger.Transaction {
	var out []ledger.Transaction
	for _, tx := range j.Transactions() {
		out = append(out, tx)
	}
	return out
}

// resumeVia resumes a journal from cp, passed through its JSON form, and
// tail.
func resumeVia(rt *rapid.T, cp ledger.Checkpoint, tail []ledger.Transaction) ledger.Journal {
	data, err := json.Marshal(cp)
	if err != nil {
		rt.Fatal(err)
	}
	var back ledger.Checkpoint
	if err := json.Unmarshal(data, &back); err != nil {
		rt.Fatalf("decoding %s: %v", data, err)
	}
	j, err := ledger.Resume(back, tail)
	if err != nil {
		rt.Fatal(err)
	}
	return j
}
