package ledger_test

import (
	"testing"

	"github.com/billfold/billfold/ledger"
)

// An older version of a resumed journal, extended differently, books what
// it is given, as an older version of a whole journal does: the log's
// positions count from the checkpoint, so the transaction another version
// appended at the same position is not taken for this one.
func TestOlderVersionOfResumedJournalBooksWhatItIsGiven(t *testing.T) {
	cash := acct("cash")
	full, _, err := ledger.Journal{}.Apply(ledger.Grant("g", t0, ledger.Terms{Account: cash, Kind: "cash"}, dec("100"), ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []ledger.Journal{full, resume(t, full)} {
		j0, err := base.Recall([]string{"a", "b"}, nil) // neither is stored before the checkpoint
		if err != nil {
			t.Fatal(err)
		}
		a, b := spendTx("a", t0.Add(1), cash, "30"), spendTx("b", t0.Add(2), cash, "20")
		j1, _, err := j0.Apply(a)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := j1.Apply(b); err != nil {
			t.Fatal(err)
		}
		j2, r, err := j0.Apply(b) // b at position 1, where another version holds a
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := j2.Transaction("b"); !ok || !got.Equal(b) || r.Seq != 1 || !j2.Balance(cash).Equal(dec("80")) {
			t.Fatalf("base %d: b at %d (held: %v), cash %s; want b at 1 and cash 80", base.Base(), r.Seq, ok, j2.Balance(cash))
		}
		if _, ok := j2.Transaction("a"); ok {
			t.Fatalf("base %d: the version b was applied to holds a", base.Base())
		}
	}
}

// resume returns j resumed from its own checkpoint, with nothing after it.
func resume(t *testing.T, j ledger.Journal) ledger.Journal {
	t.Helper()
	r, err := ledger.Resume(j.Checkpoint(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
