package ledger_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestZeroJournal(t *testing.T) {
	var j ledger.Journal
	if j.Len() != 0 || !j.Balance(acct("v")).IsZero() || j.Accounts() != nil || j.History(acct("v"), ledger.Filter{}) != nil {
		t.Error("the zero Journal is not empty")
	}
	if tm, ok := j.Terms(acct("v")); ok || tm.Account != acct("v") {
		t.Errorf("Terms = %+v, %v", tm, ok)
	}
	if _, ok := j.Transaction("x"); ok {
		t.Error("Transaction found in the zero Journal")
	}
	for range j.Transactions() {
		t.Error("Transactions yields in the zero Journal")
	}
	if !j.Reversible("x").IsZero() {
		t.Error("Reversible in the zero Journal")
	}
	if err := j.Check(ledger.Grant("g", t0, ledger.Terms{Account: acct("v")}, dec("1"), "")); err != nil {
		t.Errorf("Check(grant) = %v", err)
	}
	if err := j.Check(ledger.Transaction{ID: "r", Time: t0, Kind: ledger.KindReverse, Ref: "x"}); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("Check(reverse of nothing) = %v", err)
	}
	if _, err := ledger.Reverse(j, "r", t0, "x", dec("1"), ""); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("Reverse in the zero Journal = %v", err)
	}
}

// Journal values are snapshots: applying to one never changes another, and
// applying to an old one starts a new branch.
func TestJournalIsAValue(t *testing.T) {
	v, cash := acct("v"), acct("cash")
	j1 := apply(t, ledger.Journal{}, ledger.Grant("g1", t0, ledger.Terms{Account: v}, dec("100"), ""))
	j2 := apply(t, j1, spendTx("s1", at(1), v, "30"))
	j3 := apply(t, j1, spendTx("s2", at(1), v, "70")) // a branch from j1
	j4 := apply(t, j2, spendTx("s3", at(2), v, "10"))
	j5 := apply(t, j1, ledger.Grant("g2", t0, ledger.Terms{Account: cash}, dec("5"), ""))

	for _, c := range []struct {
		j       ledger.Journal
		ids     string
		v, cash string
	}{
		{j1, "g1", "100", "0"},
		{j2, "g1 s1", "70", "0"},
		{j3, "g1 s2", "30", "0"},
		{j4, "g1 s1 s3", "60", "0"},
		{j5, "g1 g2", "100", "5"},
	} {
		var ids []string
		for i, tx := range c.j.Transactions() {
			ids = append(ids, tx.ID)
			if _, ok := c.j.Transaction(tx.ID); !ok || i >= c.j.Len() {
				t.Errorf("%s: Transaction(%s) missing", c.ids, tx.ID)
			}
		}
		if got := strings.Join(ids, " "); got != c.ids {
			t.Errorf("transactions %q, want %q", got, c.ids)
		}
		if !c.j.Balance(v).Equal(dec(c.v)) || !c.j.Balance(cash).Equal(dec(c.cash)) {
			t.Errorf("%s: balances %s, %s; want %s, %s", c.ids, c.j.Balance(v), c.j.Balance(cash), c.v, c.cash)
		}
	}
	// s2 is only in its branch: j2 may still use the id.
	if _, ok := j2.Transaction("s2"); ok {
		t.Error("s2 leaked into j2")
	}
	apply(t, j2, spendTx("s2", at(1), v, "1"))

	// Applying, to the same journal, the transaction another value already
	// appended gives that value back.
	again, r, err := j1.Apply(spendTx("s1", at(1), v, "30"))
	if err != nil || again != j2 || r.Seq != 1 || r.Replayed {
		t.Errorf("re-applying s1 to j1: %v %+v %v", again == j2, r, err)
	}
}

func TestApplyKeepsItsOwnCopy(t *testing.T) {
	v := acct("v")
	tx := ledger.Grant("g1", t0, ledger.Terms{Account: v}, dec("100"), "")
	j := apply(t, ledger.Journal{}, tx)
	tx.Postings[1].Amount = dec("1")
	tx.Terms[0].Overdraft = dec("50")
	got, _ := j.Transaction("g1")
	got.Postings[0].Amount = dec("7")
	for _, stored := range j.Transactions() {
		stored.Postings[0].Account = sys(ledger.Revenue)
	}
	if !j.Balance(v).Equal(dec("100")) {
		t.Errorf("balance %s", j.Balance(v))
	}
	if tm, _ := j.Terms(v); !tm.Overdraft.IsZero() {
		t.Errorf("terms changed: %+v", tm)
	}
	if again, _ := j.Transaction("g1"); !again.Equal(ledger.Grant("g1", t0, ledger.Terms{Account: v}, dec("100"), "")) {
		t.Errorf("stored transaction changed: %+v", again)
	}
}

func TestReplayAndConflict(t *testing.T) {
	v := acct("v")
	g := ledger.Grant("g1", t0, ledger.Terms{Account: v}, dec("100"), "welcome")
	j := apply(t, ledger.Journal{}, g)
	j = apply(t, j, spendTx("s1", at(1), v, "10"))
	same, r, err := j.Apply(g)
	if err != nil || !r.Replayed || r.Seq != 0 || same != j {
		t.Fatalf("replay: %+v, %v", r, err)
	}
	if err := j.Check(g); err != nil {
		t.Errorf("Check(replay) = %v", err)
	}
	g.Note = "welcome!"
	_, _, err = j.Apply(g)
	var ce *ledger.ConflictError
	if !errors.As(err, &ce) || ce.ID != "g1" || ce.Seq != 0 || !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("conflict: %v", err)
	}
	if !strings.Contains(err.Error(), `"g1"`) {
		t.Errorf("message %q does not name the id", err)
	}
	if err := j.Check(g); !errors.Is(err, ledger.ErrConflict) {
		t.Errorf("Check(conflict) = %v", err)
	}
}

// ApplyAll applies a batch in order and names what a store must append:
// the transactions that are not replays. A batch with a refused
// transaction changes nothing.
func TestApplyAll(t *testing.T) {
	v := acct("v")
	g := ledger.Grant("g1", t0, ledger.Terms{Account: v}, dec("100"), "")
	j := apply(t, ledger.Journal{}, g)
	s1, s2 := spendTx("s1", at(1), v, "10"), spendTx("s2", at(2), v, "20")
	next, rs, fresh, err := j.ApplyAll([]ledger.Transaction{s1, g, s2})
	if err != nil || next.Len() != 3 || next.Balance(v).String() != "70" {
		t.Fatalf("ApplyAll: len %d, balance %s, %v", next.Len(), next.Balance(v), err)
	}
	if len(rs) != 3 || rs[0] != (ledger.Result{Seq: 1}) || rs[1] != (ledger.Result{Seq: 0, Replayed: true}) || rs[2] != (ledger.Result{Seq: 2}) {
		t.Errorf("results %+v", rs)
	}
	if len(fresh) != 2 || fresh[0].ID != "s1" || fresh[1].ID != "s2" {
		t.Errorf("fresh %+v, want s1 and s2", fresh)
	}
	// s3 overdraws after s1: nothing of the batch is applied.
	same, rs, fresh, err := j.ApplyAll([]ledger.Transaction{s1, spendTx("s3", at(3), v, "90.01")})
	if !errors.Is(err, ledger.ErrInsufficient) || same != j || rs != nil || fresh != nil {
		t.Errorf("refused batch: len %d, %+v, %+v, %v", same.Len(), rs, fresh, err)
	}
}

// Terms set by a transaction take effect after it: a transaction cannot
// grant itself an overdraft, or make itself transferable.
func TestTermsTakeEffectAfter(t *testing.T) {
	v, w := acct("v"), acct("w")
	selfOverdraft := spendTx("s1", at(1), v, "50")
	selfOverdraft.Terms = []ledger.Terms{{Account: v, Overdraft: dec("100")}}
	if _, _, err := (ledger.Journal{}).Apply(selfOverdraft); !errors.Is(err, ledger.ErrInsufficient) {
		t.Errorf("spend under its own overdraft: %v", err)
	}
	j := apply(t, ledger.Journal{}, ledger.Grant("g1", t0, ledger.Terms{Account: v, Kind: "paid_credit"}, dec("10"), ""))
	selfTransfer := ledger.Transaction{ID: "t1", Time: at(1), Kind: ledger.KindTransfer,
		Postings: []ledger.Posting{{Account: v, Amount: dec("-1")}, {Account: w, Amount: dec("1")}},
		Terms:    []ledger.Terms{{Account: v, Transferable: true}}}
	var nt *ledger.NotTransferableError
	if _, _, err := j.Apply(selfTransfer); !errors.As(err, &nt) || nt.Kind != "paid_credit" || nt.Account != v || nt.ID != "t1" {
		t.Errorf("transfer under its own terms: %v", err)
	}
	// Terms change over time; older values keep the old ones.
	j2 := apply(t, j, ledger.Grant("g2", at(2), ledger.Terms{Account: v, Overdraft: dec("5")}, decimal.Decimal{}, ""))
	if tm, ok := j.Terms(v); !ok || !tm.Overdraft.IsZero() || tm.Kind != "paid_credit" {
		t.Errorf("old terms %+v", tm)
	}
	if tm, ok := j2.Terms(v); !ok || !tm.Overdraft.Equal(dec("5")) || tm.Kind != "" {
		t.Errorf("new terms %+v", tm)
	}
	apply(t, j2, spendTx("s2", at(3), v, "15"))
	if _, _, err := j.Apply(spendTx("s2", at(3), v, "15")); !errors.Is(err, ledger.ErrInsufficient) {
		t.Errorf("old terms allowed an overdraft: %v", err)
	}
}

func TestInsufficientListsEveryAccount(t *testing.T) {
	v, w, c := acct("v"), acct("w"), acct("c")
	j := apply(t, ledger.Journal{}, ledger.Grant("g1", t0, ledger.Terms{Account: v, Overdraft: dec("1")}, dec("10"), ""))
	j = apply(t, j, ledger.Grant("g2", t0, ledger.Terms{Account: c}, dec("10"), ""))
	tx := ledger.Transaction{ID: "s", Time: at(1), Kind: ledger.KindSpend, Postings: []ledger.Posting{
		{Account: v, Amount: dec("-6")}, {Account: c, Amount: dec("-10")}, {Account: w, Amount: dec("-1")},
		{Account: v, Amount: dec("-6")}, {Account: sys(ledger.Revenue), Amount: dec("23")},
	}}
	_, _, err := j.Apply(tx)
	var ie *ledger.InsufficientError
	if !errors.As(err, &ie) {
		t.Fatalf("Apply = %v", err)
	}
	want := []ledger.Shortfall{{Account: v, Balance: dec("-2"), Overdraft: dec("1")}, {Account: w, Balance: dec("-1")}}
	if diff := cmp.Diff(want, ie.Shortfalls); diff != "" || ie.ID != "s" {
		t.Errorf("shortfalls of %s (-want +got):\n%s", ie.ID, diff)
	}
	if msg := err.Error(); !strings.Contains(msg, "instrument:USD:v: balance -2 below floor -1") || !strings.Contains(msg, "instrument:USD:w") {
		t.Errorf("message %q", msg)
	}
	// System accounts have no floor; an account may rise while below it.
	j = apply(t, j, spendTx("s1", at(1), v, "11"))
	j = apply(t, j, ledger.Grant("g3", at(2), ledger.Terms{Account: v}, dec("0.5"), "")) // floor now 0
	if !j.Balance(v).Equal(dec("-0.5")) || !j.Balance(sys(ledger.Issued)).Equal(dec("-20.5")) {
		t.Errorf("balances %s %s", j.Balance(v), j.Balance(sys(ledger.Issued)))
	}
	if _, _, err := j.Apply(spendTx("s2", at(3), v, "0.01")); !errors.Is(err, ledger.ErrInsufficient) {
		t.Errorf("spend below a raised floor: %v", err)
	}
}

func TestReverseChecks(t *testing.T) {
	v, c := acct("v"), acct("c")
	j := apply(t, ledger.Journal{}, ledger.Grant("g1", t0, ledger.Terms{Account: v}, dec("100"), ""))
	j = apply(t, j, ledger.Grant("g2", t0, ledger.Terms{Account: c}, dec("100"), ""))
	j = apply(t, j, spendTx("s1", at(1), v, "30"))
	rev := func(id string, ps ...ledger.Posting) ledger.Transaction {
		return ledger.Transaction{ID: id, Time: at(2), Kind: ledger.KindReverse, Ref: "s1", Postings: ps}
	}
	p := func(a ledger.Account, amount string) ledger.Posting {
		return ledger.Posting{Account: a, Amount: dec(amount)}
	}
	rv := sys(ledger.Revenue)
	for _, bad := range []ledger.Transaction{
		rev("r", p(c, "1"), p(rv, "-1")),                            // c was not in s1
		rev("r", p(v, "-1"), p(rv, "1")),                            // the same way as s1
		rev("r", p(v, "30.01"), p(rv, "-30.01")),                    // more than s1 moved
		{ID: "r", Time: at(2), Kind: ledger.KindReverse, Ref: "zz"}, // no such ref
	} {
		if _, _, err := j.Apply(bad); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("reverse %+v: %v", bad.Postings, err)
		}
	}
	j = apply(t, j, rev("r1", p(v, "20"), p(rv, "-20")))
	if _, _, err := j.Apply(rev("r2", p(v, "10.01"), p(rv, "-10.01"))); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("second reversal beyond what is left: %v", err)
	}
	j = apply(t, j, rev("r2", p(v, "10"), p(rv, "-10")))
	if _, _, err := j.Apply(ledger.Transaction{ID: "r3", Time: at(2), Kind: ledger.KindReverse, Ref: "r2",
		Postings: []ledger.Posting{p(v, "-1"), p(rv, "1")}}); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("reversal of a reversal: %v", err)
	}
	if !j.Balance(v).Equal(dec("100")) || !j.Reversible("s1").IsZero() {
		t.Errorf("balance %s, reversible %s", j.Balance(v), j.Reversible("s1"))
	}
}

// Balances and histories read at old versions use the stored marks: check
// every version of a long account against a running sum.
func TestBalanceAtEveryVersion(t *testing.T) {
	v := acct("v")
	var versions []ledger.Journal
	var sums []decimal.Decimal
	j, sum := ledger.Journal{}, decimal.Decimal{}
	j = apply(t, j, ledger.Grant("g", t0, ledger.Terms{Account: v, Overdraft: dec("100000")}, dec("1"), ""))
	sum = dec("1")
	for i := range 150 {
		amount := decimal.New(int64(i%7+1), -1)
		j = apply(t, j, spendTx(fmt.Sprintf("s%d", i), at(i+1), v, amount.String()))
		sum = sum.Sub(amount)
		versions, sums = append(versions, j), append(sums, sum)
	}
	for i, jv := range versions {
		if got := jv.Balance(v); !got.Equal(sums[i]) {
			t.Fatalf("version %d: balance %s, want %s", jv.Len(), got, sums[i])
		}
		h := jv.History(v, ledger.Filter{})
		if len(h) != i+2 || !h[len(h)-1].Balance.Equal(sums[i]) {
			t.Fatalf("version %d: %d entries, last balance %s", jv.Len(), len(h), h[len(h)-1].Balance)
		}
		// Entries late in a long history (a short filter) still carry the
		// right balance.
		late := jv.History(v, ledger.Filter{From: at(i + 1)})
		if len(late) != 1 || !late[0].Balance.Equal(sums[i]) {
			t.Fatalf("version %d: late entries %+v", jv.Len(), late)
		}
	}
}

func TestAccounts(t *testing.T) {
	j := apply(t, ledger.Journal{}, ledger.Grant("g1", t0, ledger.Terms{Account: acct("b")}, dec("1"), ""))
	j = apply(t, j, ledger.Grant("g2", t0, ledger.Terms{Account: ledger.InstrumentAccount("a", "KRW")}, dec("0"), ""))
	j2 := apply(t, j, ledger.Grant("g3", t0, ledger.Terms{Account: acct("a")}, dec("1"), ""))
	want := []ledger.Account{ledger.InstrumentAccount("a", "KRW"), acct("b"), sys(ledger.Issued)}
	if diff := cmp.Diff(want, j.Accounts()); diff != "" {
		t.Errorf("Accounts (-want +got):\n%s", diff)
	}
	if got := j2.Accounts(); len(got) != 4 || got[1] != acct("a") {
		t.Errorf("Accounts after g3: %v", got)
	}
}

func TestErrorMessages(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&ledger.NotTransferableError{ID: "t", Account: acct("v")}, `ledger: transaction "t": instrument:USD:v (no terms) is not transferable`},
		{&ledger.NotTransferableError{ID: "t", Account: acct("v"), Kind: "paid_credit"}, `ledger: transaction "t": instrument:USD:v (paid_credit) is not transferable`},
		{&ledger.VersionError{Stream: "s", Expected: 1, Actual: 2}, `ledger: stream "s" is at version 2, not 1`},
		{&ledger.ConflictError{ID: "t", Seq: 3}, `ledger: transaction "t" conflicts with the transaction of that id at position 3`},
		{&ledger.InvalidError{ID: "t", Problems: []string{"a", "b"}}, "ledger: invalid transaction \"t\":\n\ta\n\tb"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
	// A transfer out of an account nobody set terms for.
	j := apply(t, ledger.Journal{}, ledger.Deposit("d", t0, acct("v"), dec("5"), "", ""))
	_, err := ledger.Transfer(j, "t", t0, acct("v"), acct("w"), "g", dec("1"), "")
	var nt *ledger.NotTransferableError
	if !errors.As(err, &nt) || nt.Kind != "" {
		t.Errorf("transfer without terms: %v", err)
	}
}
