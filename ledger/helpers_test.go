package ledger_test

import (
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// dec parses a decimal literal of a test.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func acct(id string) ledger.Account { return ledger.InstrumentAccount(id, "USD") }

func sys(s ledger.System) ledger.Account { return ledger.SystemAccount(s, "USD") }

// at returns t0 plus h hours.
func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// spendTx is a hand-built spend of amount from account into revenue.
func spendTx(id string, when time.Time, from ledger.Account, amount string) ledger.Transaction {
	return ledger.Transaction{ID: id, Time: when, Kind: ledger.KindSpend, Postings: []ledger.Posting{
		{Account: from, Amount: dec(amount).Neg()},
		{Account: ledger.SystemAccount(ledger.Revenue, from.Currency()), Amount: dec(amount)},
	}}
}

// apply applies tx to j and fails the test on an error.
func apply(t testing.TB, j ledger.Journal, tx ledger.Transaction) ledger.Journal {
	t.Helper()
	j, _, err := j.Apply(tx)
	if err != nil {
		t.Fatalf("Apply(%s): %v", tx.ID, err)
	}
	return j
}

// A step of a scenario builds one transaction from the journal and applies
// it, expecting err (from building or applying) and, without an error,
// whether Apply reports a replay.
type step struct {
	build  func(j ledger.Journal) (ledger.Transaction, error)
	err    error
	replay bool
}

// tx is a step applying a fixed transaction.
func tx(t ledger.Transaction) step {
	return step{build: func(ledger.Journal) (ledger.Transaction, error) { return t, nil }}
}

// fails returns s expecting err.
func (s step) fails(err error) step { s.err = err; return s }

// replays returns s expecting a replay.
func (s step) replays() step { s.replay = true; return s }

// A scenario runs steps and then checks balances. Reason cites the seed
// document whose rule it encodes.
type scenario struct {
	name, reason string
	steps        []step
	want         map[ledger.Account]string
}

// run runs the scenarios as subtests. Like go-cmp's own tables it refuses
// a scenario without a reason or with a duplicate name.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	seen := map[string]bool{}
	for _, sc := range scenarios {
		if sc.reason == "" || seen[sc.name] {
			panic("scenario " + sc.name + ": missing reason or duplicate name")
		}
		seen[sc.name] = true
		t.Run(sc.name, func(t *testing.T) {
			var j ledger.Journal
			for i, s := range sc.steps {
				tx, err := s.build(j)
				next, r := j, ledger.Result{}
				if err == nil {
					next, r, err = j.Apply(tx)
				}
				switch {
				case s.err != nil && !errors.Is(err, s.err):
					t.Fatalf("step %d (%s): got error %v, want %v\nreason: %s", i, tx.ID, err, s.err, sc.reason)
				case s.err == nil && err != nil:
					t.Fatalf("step %d (%s): %v\nreason: %s", i, tx.ID, err, sc.reason)
				case s.err != nil && next != j:
					t.Fatalf("step %d (%s): rejected, yet the journal changed", i, tx.ID)
				case s.err == nil && r.Replayed != s.replay:
					t.Fatalf("step %d (%s): replayed = %v, want %v\nreason: %s", i, tx.ID, r.Replayed, s.replay, sc.reason)
				}
				j = next
			}
			for a, want := range sc.want {
				if got := j.Balance(a); !got.Equal(dec(want)) {
					t.Errorf("balance of %s = %s, want %s\nreason: %s", a, got, want, sc.reason)
				}
			}
		})
	}
}
