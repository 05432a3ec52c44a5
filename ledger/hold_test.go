package ledger_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// checkout is a customer with a voucher of 30, a prepaid balance of 100 and
// a card with 50 of overdraft, and a two-line order (ecs 40, rds 30) paid
// voucher first, then balance, then card.
type checkout struct {
	j                      ledger.Journal
	wallet                 allocation.Wallet
	voucher, balance, card ledger.Account
}

// tb is what the checkout helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// must3 applies tx to j, stopping t on an error.
func must3(t tb, j ledger.Journal, tx ledger.Transaction) ledger.Journal {
	t.Helper()
	j, _, err := j.Apply(tx)
	if err != nil {
		t.Fatalf("Apply(%s): %v", tx.ID, err)
	}
	return j
}

func newCheckout(t tb) checkout {
	c := checkout{voucher: acct("voucher"), balance: acct("balance"), card: acct("card")}
	c.wallet = allocation.Wallet{
		{ID: "voucher", Kind: "voucher", Currency: "USD"},
		{ID: "balance", Kind: "prepayment", Currency: "USD"},
		{ID: "card", Kind: "prepaid_card", Currency: "USD", Overdraft: dec("50")},
	}
	amounts := []string{"30", "100", "0"}
	for i, in := range c.wallet {
		c.j = must3(t, c.j, ledger.Grant("grant:"+in.ID, t0, ledger.TermsOf(in), dec(amounts[i]), ""))
	}
	return c
}

// order returns bill id of two lines and a split of it paying ecs from the
// voucher (30) and the balance (10), and rds from the balance (30).
func order(id string, when time.Time) (allocation.Bill, allocation.Split) {
	bill := allocation.Bill{ID: id, Currency: "USD", At: when, Lines: []allocation.Line{
		{ID: "l1", Product: "ecs", Amount: dec("40")}, {ID: "l2", Product: "rds", Amount: dec("30")}}}
	split := allocation.Split{Bill: id, Currency: "USD", Allocations: []allocation.Allocation{
		{Instrument: "voucher", Line: "l1", Amount: dec("30")},
		{Instrument: "balance", Line: "l1", Amount: dec("10")},
		{Instrument: "balance", Line: "l2", Amount: dec("30")},
	}}
	return bill, split
}

// hold applies the hold of order id at time when, lapsing a day later.
func (c *checkout) hold(t tb, id string, when time.Time) ledger.Transaction {
	t.Helper()
	bill, split := order(id, when)
	tx, err := ledger.Hold(bill, c.wallet, split, when.Add(24*time.Hour), "order "+id)
	if err != nil {
		t.Fatal(err)
	}
	c.j = must3(t, c.j, tx)
	return tx
}

// zeroSum fails unless every account of j adds up to zero: holds keep the
// books balanced.
func zeroSum(t tb, j ledger.Journal) {
	t.Helper()
	var sum decimal.Decimal
	for _, a := range j.Accounts() {
		sum = sum.Add(j.Balance(a))
	}
	if !sum.IsZero() {
		t.Fatalf("accounts add up to %s, not zero", sum)
	}
}

func TestHold_movesWhatTheSplitTakesIntoHeldAccounts(t *testing.T) {
	c := newCheckout(t)
	tx := c.hold(t, "o1", at(1))
	h := "hold:o1"
	want := []ledger.Posting{
		{Account: c.voucher, Amount: dec("-30"), Line: "l1", Product: "ecs"},
		{Account: ledger.HeldAccount(h, "voucher", "USD"), Amount: dec("30"), Line: "l1", Product: "ecs"},
		{Account: c.balance, Amount: dec("-10"), Line: "l1", Product: "ecs"},
		{Account: ledger.HeldAccount(h, "balance", "USD"), Amount: dec("10"), Line: "l1", Product: "ecs"},
		{Account: c.balance, Amount: dec("-30"), Line: "l2", Product: "rds"},
		{Account: ledger.HeldAccount(h, "balance", "USD"), Amount: dec("30"), Line: "l2", Product: "rds"},
	}
	if diff := cmp.Diff(want, tx.Postings); diff != "" {
		t.Errorf("postings (-want +got):\n%s", diff)
	}
	if tx.ID != h || tx.Kind != ledger.KindHold || tx.Bill != "o1" || len(tx.Terms) != 2 || !tx.Terms[1].Expires.Equal(at(25)) {
		t.Errorf("hold = %+v", tx)
	}
	for _, w := range []struct {
		a               ledger.Account
		available, held string
	}{{c.voucher, "0", "30"}, {c.balance, "60", "40"}, {c.card, "0", "0"}} {
		if got := c.j.Balance(w.a); !got.Equal(dec(w.available)) {
			t.Errorf("Balance(%s) = %s, want %s available", w.a, got, w.available)
		}
		if got := c.j.Held(w.a); !got.Equal(dec(w.held)) {
			t.Errorf("Held(%s) = %s, want %s", w.a, got, w.held)
		}
	}
	zeroSum(t, c.j)
	st, ok := c.j.HoldStatus(h)
	wantSt := ledger.HoldStatus{ID: h, Bill: "o1", Time: at(1), Note: "order o1", Until: at(25), State: ledger.HoldOpen, Currency: "USD",
		Held: dec("70"), Left: dec("70"), Parts: []ledger.HeldPart{
			{Account: c.voucher, Held: dec("30"), Left: dec("30")},
			{Account: c.balance, Held: dec("40"), Left: dec("40")}}}
	if diff := cmp.Diff(wantSt, st); !ok || diff != "" {
		t.Errorf("HoldStatus (-want +got):\n%s", diff)
	}
}

func TestHold_refusesWhatIsNotAHold(t *testing.T) {
	c := newCheckout(t)
	bill, split := order("o1", at(1))
	if _, err := ledger.Hold(bill, c.wallet, split, at(1), ""); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("hold until its own time: %v, want ErrInvalid", err)
	}
	if _, err := ledger.Hold(bill, c.wallet, allocation.Split{Bill: "o1", Currency: "USD"}, at(2), ""); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("hold of nothing: %v, want ErrInvalid", err)
	}
	split.Allocations[0].Instrument = "nope"
	if _, err := ledger.Hold(bill, c.wallet, split, at(2), ""); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("hold of an instrument not in the wallet: %v, want ErrInvalid", err)
	}
}

// Blnk #181: balance checks ignored inflight debits, so money reserved by
// one transaction could be spent by another.
func TestBlnk181_spendAndSecondHoldCannotUseHeldMoney(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	before := c.j
	_, _, err := c.j.Apply(spendTx("s1", at(2), c.balance, "61"))
	var ie *ledger.InsufficientError
	if !errors.As(err, &ie) || len(ie.Shortfalls) != 1 || !ie.Shortfalls[0].Held.Equal(dec("40")) || !ie.Shortfalls[0].Balance.Equal(dec("-1")) {
		t.Fatalf("spend of 61 with 60 available: %v, want ErrInsufficient saying 40 held", err)
	}
	bill, split := order("o2", at(2))
	tx, err := ledger.Hold(bill, c.wallet, split, at(30), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.j.Apply(tx); !errors.Is(err, ledger.ErrInsufficient) {
		t.Fatalf("second hold on the held voucher: %v, want ErrInsufficient", err)
	}
	if c.j != before {
		t.Fatal("a refused transaction changed the journal")
	}
	c.j = apply(t, c.j, spendTx("s2", at(2), c.balance, "60")) // what is available can be spent
}

func TestCapture_partTakesInSplitOrderAndBooksRevenueLikeASpend(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	tx, err := ledger.Capture(c.j, "cap1", at(2), "hold:o1", dec("35"), false, "delivered in part")
	if err != nil {
		t.Fatal(err)
	}
	h := func(in string) ledger.Account { return ledger.HeldAccount("hold:o1", in, "USD") }
	want := []ledger.Posting{
		{Account: h("voucher"), Amount: dec("-30"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Revenue), Amount: dec("30"), Line: "l1", Product: "ecs"},
		{Account: h("balance"), Amount: dec("-5"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Revenue), Amount: dec("5"), Line: "l1", Product: "ecs"},
	}
	if diff := cmp.Diff(want, tx.Postings); diff != "" {
		t.Errorf("first capture (-want +got):\n%s", diff)
	}
	c.j = apply(t, c.j, tx)
	tx, err = ledger.Capture(c.j, "cap2", at(3), "hold:o1", dec("10"), false, "")
	if err != nil {
		t.Fatal(err)
	}
	want = []ledger.Posting{
		{Account: h("balance"), Amount: dec("-5"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Revenue), Amount: dec("5"), Line: "l1", Product: "ecs"},
		{Account: h("balance"), Amount: dec("-5"), Line: "l2", Product: "rds"},
		{Account: sys(ledger.Revenue), Amount: dec("5"), Line: "l2", Product: "rds"},
	}
	if diff := cmp.Diff(want, tx.Postings); diff != "" {
		t.Errorf("second capture continues where the first stopped (-want +got):\n%s", diff)
	}
	c.j = apply(t, c.j, tx)
	if got := c.j.History(sys(ledger.Revenue), ledger.Filter{Products: []string{"rds"}}); len(got) != 1 || !got[0].Amount.Equal(dec("5")) {
		t.Errorf("revenue of rds = %+v, want one entry of 5", got)
	}
	st, _ := c.j.HoldStatus("hold:o1")
	if st.State != ledger.HoldOpen || !st.Captured.Equal(dec("45")) || !st.Left.Equal(dec("25")) {
		t.Errorf("status %+v, want open, 45 captured, 25 left", st)
	}
	if !c.j.Balance(c.balance).Equal(dec("60")) || !c.j.Held(c.balance).Equal(dec("25")) {
		t.Errorf("balance %s available, %s held; want 60 and 25", c.j.Balance(c.balance), c.j.Held(c.balance))
	}
	zeroSum(t, c.j)
}

func TestCapture_finalReleasesTheRest(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	tx, err := ledger.Capture(c.j, "cap", at(2), "hold:o1", dec("50"), true, "")
	if err != nil {
		t.Fatal(err)
	}
	c.j = apply(t, c.j, tx)
	st, _ := c.j.HoldStatus("hold:o1")
	if st.State != ledger.HoldCaptured || !st.Captured.Equal(dec("50")) || !st.Released.Equal(dec("20")) || !st.Left.IsZero() {
		t.Errorf("status %+v, want captured: 50 captured, 20 released", st)
	}
	if !c.j.Balance(c.balance).Equal(dec("80")) || !c.j.Balance(c.voucher).IsZero() || !c.j.Balance(sys(ledger.Revenue)).Equal(dec("50")) {
		t.Errorf("balance %s, voucher %s, revenue %s; want 80, 0, 50", c.j.Balance(c.balance), c.j.Balance(c.voucher), c.j.Balance(sys(ledger.Revenue)))
	}
	// A capture of everything left settles the hold without the flag.
	c.holdBalance(t, "o2", at(3), "30")
	c.j = apply(t, c.j, must2(ledger.Capture(c.j, "cap2", at(4), "hold:o2", dec("30"), false, "")))
	if st, _ := c.j.HoldStatus("hold:o2"); st.State != ledger.HoldCaptured {
		t.Errorf("hold captured in full is %s, want captured", st.State)
	}
}

// holdBalance applies a hold of amount from the balance alone for order
// id at when, lapsing a day later.
func (c *checkout) holdBalance(t testing.TB, id string, when time.Time, amount string) {
	t.Helper()
	bill := allocation.Bill{ID: id, Currency: "USD", At: when, Lines: []allocation.Line{{ID: "l1", Product: "oss", Amount: dec(amount)}}}
	split := allocation.Split{Bill: id, Currency: "USD", Allocations: []allocation.Allocation{{Instrument: "balance", Line: "l1", Amount: dec(amount)}}}
	c.j = apply(t, c.j, must2(ledger.Hold(bill, c.wallet, split, when.Add(24*time.Hour), "")))
}

// Blnk #62: an inflight transaction could be committed for more than was
// held.
func TestBlnk62_captureAboveHeldRefused(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	_, err := ledger.Capture(c.j, "cap", at(2), "hold:o1", dec("70.01"), false, "")
	var he *ledger.HoldExceededError
	if !errors.As(err, &he) || !he.Left.Equal(dec("70")) {
		t.Fatalf("capture of 70.01 of 70: %v, want ErrHoldExceeded with 70 left", err)
	}
	// A hand-built capture of more than one instrument holds is refused by Apply.
	over := ledger.Transaction{ID: "cap", Time: at(2), Kind: ledger.KindCapture, Ref: "hold:o1", Postings: []ledger.Posting{
		{Account: ledger.HeldAccount("hold:o1", "voucher", "USD"), Amount: dec("-31")},
		{Account: sys(ledger.Revenue), Amount: dec("31")}}}
	if _, _, err := c.j.Apply(over); !errors.Is(err, ledger.ErrHoldExceeded) {
		t.Fatalf("hand-built capture of 31 of the voucher's 30: %v", err)
	}
	c.j = apply(t, c.j, must2(ledger.Capture(c.j, "cap", at(2), "hold:o1", dec("70"), false, "")))
	if _, err := ledger.Capture(c.j, "cap-more", at(2), "hold:o1", dec("0.01"), false, ""); !errors.Is(err, ledger.ErrHoldSettled) {
		t.Fatalf("capture after all was captured: %v, want ErrHoldSettled", err)
	}
}

// must2 returns tx, panicking on an error.
func must2(tx ledger.Transaction, err error) ledger.Transaction {
	if err != nil {
		panic(err)
	}
	return tx
}

// Blnk #41: an inflight transaction could be voided more than once.
func TestBlnk41_releaseTwiceRefused(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	rel := must2(ledger.Release(c.j, "rel1", at(2), "hold:o1", ""))
	c.j = apply(t, c.j, rel)
	if !c.j.Balance(c.balance).Equal(dec("100")) || !c.j.Balance(c.voucher).Equal(dec("30")) {
		t.Fatalf("after release: balance %s, voucher %s", c.j.Balance(c.balance), c.j.Balance(c.voucher))
	}
	// The same release again is a replay: a no-op.
	again := must2(ledger.Release(c.j, "rel1", at(2), "hold:o1", ""))
	if _, r, err := c.j.Apply(again); err != nil || !r.Replayed {
		t.Fatalf("same release again: %v, replayed %v", err, r.Replayed)
	}
	// Another release is refused, by the helper and by Apply.
	_, err := ledger.Release(c.j, "rel2", at(3), "hold:o1", "")
	var he *ledger.HoldError
	if !errors.As(err, &he) || he.State != ledger.HoldReleased || !errors.Is(err, ledger.ErrHoldSettled) {
		t.Fatalf("second release: %v, want ErrHoldSettled (released)", err)
	}
	second := rel
	second.ID = "rel2"
	if _, _, err := c.j.Apply(second); !errors.Is(err, ledger.ErrHoldSettled) {
		t.Fatalf("hand-built second release: %v, want ErrHoldSettled", err)
	}
	if got := c.j.Balance(c.balance); !got.Equal(dec("100")) {
		t.Fatalf("balance %s after a refused second release, want 100", got)
	}
}

// Blnk #182: an inflight transaction that was rejected or voided could
// still be committed.
func TestBlnk182_rejectedOrVoidedHoldCannotBeCaptured(t *testing.T) {
	t.Run("refused_hold", func(t *testing.T) {
		c := newCheckout(t)
		c.j = apply(t, c.j, spendTx("s", at(1), c.balance, "90"))
		bill, split := order("o1", at(1))
		tx := must2(ledger.Hold(bill, c.wallet, split, at(5), ""))
		if _, _, err := c.j.Apply(tx); !errors.Is(err, ledger.ErrInsufficient) {
			t.Fatalf("hold over 10 available: %v", err)
		}
		if _, err := ledger.Capture(c.j, "cap", at(2), "hold:o1", dec("1"), false, ""); !errors.Is(err, ledger.ErrInvalid) {
			t.Fatalf("capture of a refused hold: %v, want ErrInvalid (no such hold)", err)
		}
		capture := ledger.Transaction{ID: "cap", Time: at(2), Kind: ledger.KindCapture, Ref: "hold:o1", Postings: []ledger.Posting{
			{Account: ledger.HeldAccount("hold:o1", "voucher", "USD"), Amount: dec("-1")},
			{Account: sys(ledger.Revenue), Amount: dec("1")}}}
		if _, _, err := c.j.Apply(capture); !errors.Is(err, ledger.ErrInvalid) {
			t.Fatalf("hand-built capture of a refused hold: %v, want ErrInvalid", err)
		}
	})
	t.Run("released_hold", func(t *testing.T) {
		c := newCheckout(t)
		c.hold(t, "o1", at(1))
		c.j = apply(t, c.j, must2(ledger.Release(c.j, "rel", at(2), "hold:o1", "")))
		if _, err := ledger.Capture(c.j, "cap", at(3), "hold:o1", dec("1"), false, ""); !errors.Is(err, ledger.ErrHoldSettled) {
			t.Fatalf("capture of a released hold: %v, want ErrHoldSettled", err)
		}
	})
	t.Run("lapsed_hold", func(t *testing.T) {
		c := newCheckout(t)
		c.hold(t, "o1", at(1))
		exp, ok := ledger.Expire(c.j, at(25))
		if !ok {
			t.Fatal("nothing lapses at the hold's Until")
		}
		c.j = apply(t, c.j, exp)
		_, err := ledger.Capture(c.j, "cap", at(3), "hold:o1", dec("1"), false, "") // backdated: still lapsed
		var he *ledger.HoldError
		if !errors.As(err, &he) || he.State != ledger.HoldLapsed || !errors.Is(err, ledger.ErrHoldExpired) {
			t.Fatalf("capture of a lapsed hold: %v, want ErrHoldExpired (lapsed)", err)
		}
	})
	t.Run("past_until", func(t *testing.T) {
		c := newCheckout(t)
		c.hold(t, "o1", at(1))
		for _, build := range []func() (ledger.Transaction, error){
			func() (ledger.Transaction, error) {
				return ledger.Capture(c.j, "cap", at(25), "hold:o1", dec("1"), false, "")
			},
			func() (ledger.Transaction, error) { return ledger.Release(c.j, "rel", at(25), "hold:o1", "") },
		} {
			if _, err := build(); !errors.Is(err, ledger.ErrHoldExpired) {
				t.Fatalf("at Until, before any Expire: %v, want ErrHoldExpired", err)
			}
		}
	})
}

// Blnk #293: a settled transaction was still reported as inflight.
func TestBlnk293_settledHoldNoLongerReportedOpen(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	c.holdBalance(t, "o2", at(2), "20")
	c.holdBalance(t, "o3", at(3), "10")
	ids := func() []string {
		var out []string
		for _, h := range c.j.OpenHolds() {
			out = append(out, h.ID)
		}
		return out
	}
	if diff := cmp.Diff([]string{"hold:o1", "hold:o2", "hold:o3"}, ids()); diff != "" {
		t.Fatalf("open holds (-want +got):\n%s", diff)
	}
	c.j = apply(t, c.j, must2(ledger.Capture(c.j, "cap1", at(4), "hold:o1", dec("1"), true, "")))
	c.j = apply(t, c.j, must2(ledger.Release(c.j, "rel2", at(4), "hold:o2", "")))
	if diff := cmp.Diff([]string{"hold:o3"}, ids()); diff != "" {
		t.Fatalf("open holds after settling o1 and o2 (-want +got):\n%s", diff)
	}
	for _, w := range []struct {
		id    string
		state ledger.HoldState
	}{{"hold:o1", ledger.HoldCaptured}, {"hold:o2", ledger.HoldReleased}, {"hold:o3", ledger.HoldOpen}} {
		if st, _ := c.j.HoldStatus(w.id); st.State != w.state {
			t.Errorf("%s is %s, want %s", w.id, st.State, w.state)
		}
	}
	if got := c.j.Held(c.balance); !got.Equal(dec("10")) {
		t.Errorf("Held(balance) = %s, want 10 (o3 only)", got)
	}
	exp, _ := ledger.Expire(c.j, at(27)) // o3 lapses
	c.j = apply(t, c.j, exp)
	if got := ids(); len(got) != 0 || !c.j.Held(c.balance).IsZero() {
		t.Fatalf("after o3 lapsed: open %v, held %s", got, c.j.Held(c.balance))
	}
}

func TestExpire_lapsesHoldsThenExpiresInstruments(t *testing.T) {
	c := newCheckout(t)
	// The voucher itself expires at hour 30; a hold on it lapses at 25.
	c.j = apply(t, c.j, ledger.Grant("voucher-terms", t0, ledger.Terms{Account: c.voucher, Kind: "voucher", Expires: at(30)}, decimal.Decimal{}, ""))
	c.hold(t, "o1", at(1))
	if tx, ok := ledger.Expire(c.j, at(24)); ok {
		t.Fatalf("nothing lapses before Until, got %+v", tx)
	}
	tx, ok := ledger.Expire(c.j, at(30))
	if !ok {
		t.Fatal("nothing to expire")
	}
	want := []ledger.Posting{
		{Account: ledger.HeldAccount("hold:o1", "balance", "USD"), Amount: dec("-40")},
		{Account: c.balance, Amount: dec("40")},
		{Account: ledger.HeldAccount("hold:o1", "voucher", "USD"), Amount: dec("-30")},
		{Account: c.voucher, Amount: dec("30")},
		{Account: c.voucher, Amount: dec("-30")},
		{Account: sys(ledger.Expired), Amount: dec("30")},
	}
	if diff := cmp.Diff(want, tx.Postings); diff != "" {
		t.Fatalf("expire (-want +got):\n%s", diff)
	}
	c.j = apply(t, c.j, tx)
	st, _ := c.j.HoldStatus("hold:o1")
	if st.State != ledger.HoldLapsed || !st.Lapsed.Equal(dec("70")) {
		t.Errorf("status %+v, want lapsed 70", st)
	}
	again, _ := ledger.Expire(c.j, at(30))
	if _, r, err := c.j.Apply(again); err != nil || !r.Replayed {
		t.Errorf("Expire again at the same instant: %v, replayed %v", err, r.Replayed)
	}
	// A hand-built lapse before Until is refused.
	c.holdBalance(t, "o2", at(31), "40")
	early := ledger.Transaction{ID: "early", Time: at(32), Kind: ledger.KindExpire, Postings: []ledger.Posting{
		{Account: ledger.HeldAccount("hold:o2", "balance", "USD"), Amount: dec("-40")},
		{Account: c.balance, Amount: dec("40")}}}
	if _, _, err := c.j.Apply(early); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("lapse before Until: %v, want ErrInvalid", err)
	}
}

func TestCaptureRelease_replayIsANoOpAndOtherContentConflicts(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	cap1 := must2(ledger.Capture(c.j, "cap1", at(2), "hold:o1", dec("20"), false, ""))
	c.j = apply(t, c.j, cap1)
	// The same request after it was applied builds the same transaction.
	again, err := ledger.Capture(c.j, "cap1", at(2), "hold:o1", dec("20"), false, "")
	if err != nil || !again.Equal(cap1) {
		t.Fatalf("retried capture: %v, equal %v", err, again.Equal(cap1))
	}
	before := c.j
	if j, r, err := c.j.Apply(again); err != nil || !r.Replayed || j != before {
		t.Fatalf("replayed capture: %v, replayed %v", err, r.Replayed)
	}
	if _, err := ledger.Capture(c.j, "cap1", at(2), "hold:o1", dec("21"), false, ""); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("another capture under id cap1: %v, want ErrConflict", err)
	}
	hold, _ := c.j.Transaction("hold:o1")
	if _, r, err := c.j.Apply(hold); err != nil || !r.Replayed {
		t.Fatalf("replayed hold: %v, replayed %v", err, r.Replayed)
	}
}

func TestHolds_countEverywhereMoneyIsUsed(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	t.Run("WithBalances", func(t *testing.T) {
		w := ledger.WithBalances(c.j, c.wallet)
		if !w[1].Balance.Equal(dec("60")) || !w[0].Balance.IsZero() {
			t.Errorf("wallet balances voucher %s, balance %s; want 0 and 60 available", w[0].Balance, w[1].Balance)
		}
	})
	t.Run("Refund", func(t *testing.T) {
		if _, _, err := c.j.Apply(ledger.Refund("r", at(2), c.balance, dec("60.01"), "")); !errors.Is(err, ledger.ErrInsufficient) {
			t.Errorf("refund of held money: %v, want ErrInsufficient", err)
		}
		apply(t, c.j, ledger.Refund("r", at(2), c.balance, dec("60"), ""))
	})
	t.Run("Transfer", func(t *testing.T) {
		j := apply(t, c.j, ledger.Grant("free", t0, ledger.Terms{Account: acct("free"), Transferable: true, Group: "a"}, dec("10"), ""))
		bill := allocation.Bill{ID: "o9", Currency: "USD", At: at(1), Lines: []allocation.Line{{ID: "l1", Amount: dec("8")}}}
		split := allocation.Split{Bill: "o9", Currency: "USD", Allocations: []allocation.Allocation{{Instrument: "free", Line: "l1", Amount: dec("8")}}}
		j = apply(t, j, must2(ledger.Hold(bill, allocation.Wallet{{ID: "free", Currency: "USD"}}, split, at(9), "")))
		if _, err := ledger.Transfer(j, "t", at(2), acct("free"), acct("free@b"), "b", dec("3"), ""); !errors.Is(err, ledger.ErrInsufficient) {
			t.Errorf("transfer of held credit: %v, want ErrInsufficient", err)
		}
	})
	t.Run("TopUp", func(t *testing.T) {
		// The card holds 20 of its overdraft: a hold is not a debt, so a
		// top-up of cash leaves the card alone until it is captured.
		bill := allocation.Bill{ID: "o8", Currency: "USD", At: at(1), Lines: []allocation.Line{{ID: "l1", Amount: dec("20")}}}
		split := allocation.Split{Bill: "o8", Currency: "USD", Allocations: []allocation.Allocation{{Instrument: "card", Line: "l1", Amount: dec("20")}}}
		j := apply(t, c.j, must2(ledger.Hold(bill, c.wallet, split, at(9), "")))
		top := must2(ledger.TopUp(j, "top", at(2), acct("cash"), dec("50"), ""))
		if j2 := apply(t, j, top); !j2.Balance(acct("cash")).Equal(dec("50")) {
			t.Errorf("top-up while the card holds: cash %s, want 50", j2.Balance(acct("cash")))
		}
		j = apply(t, j, must2(ledger.Capture(j, "cap", at(3), "hold:o8", dec("20"), false, "")))
		top = must2(ledger.TopUp(j, "top", at(4), acct("cash"), dec("50"), ""))
		if j2 := apply(t, j, top); !j2.Balance(acct("cash")).Equal(dec("30")) || !j2.Balance(c.card).IsZero() {
			t.Errorf("top-up after capture: cash %s, card %s; want 30 and 0", j2.Balance(acct("cash")), j2.Balance(c.card))
		}
	})
}

// The journal is the one truth: a journal rebuilt from its transactions'
// JSON knows every hold as the original does.
func TestHolds_rebuiltFromStoredTransactions(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	c.holdBalance(t, "o2", at(2), "20")
	c.j = apply(t, c.j, must2(ledger.Capture(c.j, "cap1", at(3), "hold:o1", dec("35"), false, "")))
	var rebuilt ledger.Journal
	for _, tx := range c.j.Transactions() {
		b, err := json.Marshal(tx)
		if err != nil {
			t.Fatal(err)
		}
		var back ledger.Transaction
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		rebuilt = apply(t, rebuilt, back)
	}
	if diff := cmp.Diff(c.j.OpenHolds(), rebuilt.OpenHolds()); diff != "" || len(rebuilt.OpenHolds()) != 2 {
		t.Fatalf("open holds of the rebuilt journal (-orig +rebuilt):\n%s", diff)
	}
	for _, a := range c.j.Accounts() {
		if !c.j.Balance(a).Equal(rebuilt.Balance(a)) {
			t.Errorf("%s: %s, rebuilt %s", a, c.j.Balance(a), rebuilt.Balance(a))
		}
	}
}

func TestHeldAccount_textRoundTrips(t *testing.T) {
	for _, a := range []ledger.Account{
		ledger.HeldAccount("hold:o1", "gift:1", "USD"),
		ledger.HeldAccount("100%:x%3A", "cash", "EUR"),
	} {
		back, err := ledger.ParseAccount(a.String())
		if err != nil || back != a || !back.IsHeld() || back.IsInstrument() {
			t.Errorf("ParseAccount(%q) = %v, %v", a, back, err)
		}
	}
	if got := ledger.HeldAccount("hold:o1", "gift", "USD").String(); got != "held:USD:hold%3Ao1:gift" {
		t.Errorf("String() = %q", got)
	}
	for _, s := range []string{"held:USD::gift", "held:USD:a%2:gift", "held:USD:h:", "held:US:h:gift"} {
		if _, err := ledger.ParseAccount(s); err == nil {
			t.Errorf("ParseAccount(%q) accepted", s)
		}
	}
}

// Only holds, captures, releases and lapses move money in and out of held
// accounts, in the shapes their helpers build; anything else is malformed.
func TestHolds_malformedTransactionsRefused(t *testing.T) {
	c := newCheckout(t)
	hold := c.hold(t, "o1", at(1))
	h := ledger.HeldAccount("hold:o1", "voucher", "USD")
	pair := func(a, b ledger.Account, amount string) []ledger.Posting {
		return []ledger.Posting{{Account: a, Amount: dec(amount).Neg()}, {Account: b, Amount: dec(amount)}}
	}
	for _, tc := range []struct {
		name string
		tx   ledger.Transaction
	}{
		{"spend_from_held", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindSpend, Postings: pair(h, sys(ledger.Revenue), "1")}},
		{"reverse_into_held", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindReverse, Ref: "hold:o1", Postings: pair(c.voucher, h, "1")}},
		{"capture_without_ref", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindCapture, Postings: pair(h, sys(ledger.Revenue), "1")}},
		{"capture_to_other_account", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindCapture, Ref: "hold:o1", Postings: pair(h, c.balance, "1")}},
		{"capture_of_other_hold", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindCapture, Ref: "hold:o2",
			Postings: pair(h, sys(ledger.Revenue), "1")}},
		{"partial_release", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindRelease, Ref: "hold:o1", Postings: pair(h, c.voucher, "1")}},
		{"hold_into_other_hold", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindHold, Postings: pair(c.balance, h, "1"),
			Terms: []ledger.Terms{{Account: h, Expires: at(3)}}}},
		{"hold_without_expiry", ledger.Transaction{ID: "h2", Time: at(2), Kind: ledger.KindHold,
			Postings: pair(c.balance, ledger.HeldAccount("h2", "balance", "USD"), "1")}},
		{"hold_with_two_expiries", ledger.Transaction{ID: "h3", Time: at(2), Kind: ledger.KindHold,
			Postings: append(pair(c.balance, ledger.HeldAccount("h3", "balance", "USD"), "1"), pair(c.card, ledger.HeldAccount("h3", "card", "USD"), "1")...),
			Terms:    []ledger.Terms{{Account: ledger.HeldAccount("h3", "balance", "USD"), Expires: at(3)}, {Account: ledger.HeldAccount("h3", "card", "USD"), Expires: at(4)}}}},
		{"hold_of_a_system_account", ledger.Transaction{ID: "h4", Time: at(2), Kind: ledger.KindHold,
			Postings: pair(sys(ledger.Issued), ledger.HeldAccount("h4", "balance", "USD"), "1"),
			Terms:    []ledger.Terms{{Account: ledger.HeldAccount("h4", "balance", "USD"), Expires: at(3)}}}},
		{"hold_backwards", ledger.Transaction{ID: "h5", Time: at(2), Kind: ledger.KindHold,
			Postings: []ledger.Posting{{Account: c.balance, Amount: dec("1")}, {Account: ledger.HeldAccount("h5", "balance", "USD"), Amount: dec("-1")}},
			Terms:    []ledger.Terms{{Account: ledger.HeldAccount("h5", "balance", "USD"), Expires: at(3)}}}},
		{"hold_moving_another_holds_expiry", ledger.Transaction{ID: "h6", Time: at(2), Kind: ledger.KindHold,
			Postings: pair(c.balance, ledger.HeldAccount("h6", "balance", "USD"), "1"),
			Terms:    []ledger.Terms{{Account: ledger.HeldAccount("h6", "balance", "USD"), Expires: at(3)}, {Account: h, Expires: at(3)}}}},
		{"grant_extending_a_hold", ledger.Grant("g9", at(2), ledger.Terms{Account: h, Expires: at(99)}, decimal.Decimal{}, "")},
		{"reverse_of_capture", ledger.Transaction{ID: "x", Time: at(2), Kind: ledger.KindReverse, Ref: "hold:o1", Postings: pair(sys(ledger.Revenue), h, "1")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if j, _, err := c.j.Apply(tc.tx); !errors.Is(err, ledger.ErrInvalid) || j != c.j {
				t.Errorf("Apply: %v, want ErrInvalid and no change", err)
			}
		})
	}
	_ = hold
}

// A capture becomes revenue exactly as a spend does, so it is refunded as
// a spend is: Reverse gives back onto the instruments, most recent
// allocation first; what the final capture gave back is not revenue.
func TestCapture_reversedLikeASpend(t *testing.T) {
	c := newCheckout(t)
	c.hold(t, "o1", at(1))
	c.j = apply(t, c.j, must2(ledger.Capture(c.j, "cap", at(2), "hold:o1", dec("35"), true, "")))
	if got := c.j.Reversible("cap"); !got.Equal(dec("35")) {
		t.Fatalf("Reversible(cap) = %s, want the 35 captured", got)
	}
	rev := must2(ledger.Reverse(c.j, "refund", at(3), "cap", dec("10"), "partial refund"))
	want := []ledger.Posting{
		{Account: c.balance, Amount: dec("5"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Revenue), Amount: dec("-5"), Line: "l1", Product: "ecs"},
		{Account: c.voucher, Amount: dec("5"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Revenue), Amount: dec("-5"), Line: "l1", Product: "ecs"},
	}
	if diff := cmp.Diff(want, rev.Postings); diff != "" {
		t.Fatalf("refund of a capture (-want +got):\n%s", diff)
	}
	c.j = apply(t, c.j, rev)
	if !c.j.Balance(c.balance).Equal(dec("100")) || !c.j.Balance(c.voucher).Equal(dec("5")) || !c.j.Reversible("cap").Equal(dec("25")) {
		t.Errorf("after refund: balance %s, voucher %s, reversible %s; want 100, 5, 25", c.j.Balance(c.balance), c.j.Balance(c.voucher), c.j.Reversible("cap"))
	}
	if st, _ := c.j.HoldStatus("hold:o1"); st.State != ledger.HoldCaptured || !st.Captured.Equal(dec("35")) {
		t.Errorf("a refund does not reopen the hold: %+v", st)
	}
	// A hand-built reverse into the held account is refused.
	bad := ledger.Transaction{ID: "bad", Time: at(3), Kind: ledger.KindReverse, Ref: "cap", Postings: []ledger.Posting{
		{Account: ledger.HeldAccount("hold:o1", "voucher", "USD"), Amount: dec("1")}, {Account: sys(ledger.Revenue), Amount: dec("-1")}}}
	if _, _, err := c.j.Apply(bad); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("reverse into a held account: %v, want ErrInvalid", err)
	}
	for _, id := range []string{"hold:o1"} {
		if _, err := ledger.Reverse(c.j, "r2", at(3), id, dec("1"), ""); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("Reverse of %s: %v, want ErrInvalid", id, err)
		}
	}
}

// Any hold and instrument id, colons and percent signs included, survives
// the text form, and Compare orders held accounts after the instrument
// accounts and before the system accounts of their currency, by
// instrument, then hold.
func TestHeldAccount_textAndOrderProperties(t *testing.T) {
	id := rapid.StringMatching(`[a-z0-9:%]{1,8}`)
	rapid.Check(t, func(t *rapid.T) {
		a := ledger.HeldAccount(id.Draw(t, "hold"), id.Draw(t, "instrument"), "USD")
		b := ledger.HeldAccount(id.Draw(t, "hold2"), id.Draw(t, "instrument2"), "USD")
		for _, x := range []ledger.Account{a, b} {
			back, err := ledger.ParseAccount(x.String())
			if err != nil || back != x {
				t.Fatalf("ParseAccount(%q) = %v, %v; want %v", x, back, err, x)
			}
		}
		want := strings.Compare(a.Instrument(), b.Instrument())
		if want == 0 {
			want = strings.Compare(a.Hold(), b.Hold())
		}
		if got := a.Compare(b); got != want || b.Compare(a) != -want {
			t.Fatalf("Compare(%v, %v) = %d, want %d", a, b, got, want)
		}
		if a.Compare(ledger.InstrumentAccount(a.Instrument(), "USD")) <= 0 || a.Compare(sys(ledger.Issued)) >= 0 {
			t.Fatalf("%v is not between the instrument and the system accounts", a)
		}
	})
}

// Hand-built transactions of any kind that move money between instrument,
// held and system accounts in pairs: whatever Apply accepts keeps every
// hold whole. No held account goes negative or holds money of no open
// hold, each hold's parts add up (held = captured + released + lapsed +
// left), available stays above −overdraft, and the books add up to zero.
// Apply never panics.
func TestHolds_handBuiltTransactionsKeepHoldsWhole(t *testing.T) {
	kinds := []ledger.Kind{ledger.KindHold, ledger.KindCapture, ledger.KindRelease, ledger.KindExpire,
		ledger.KindSpend, ledger.KindReverse, ledger.KindTransfer, ledger.KindRefund, ledger.KindGrant}
	holds := []string{"hold:o1", "h2", "h3"}
	ins := []string{"voucher", "balance", "card"}
	var accounts []ledger.Account
	for _, in := range ins {
		accounts = append(accounts, acct(in))
		for _, h := range holds {
			accounts = append(accounts, ledger.HeldAccount(h, in, "USD"))
		}
	}
	accounts = append(accounts, sys(ledger.Revenue), sys(ledger.Expired), sys(ledger.Issued))
	rapid.Check(t, func(t *rapid.T) {
		c := newCheckout(t)
		c.hold(t, "o1", at(1))
		accepted := 0
		for i := range rapid.IntRange(1, 12).Draw(t, "txs") {
			tx := ledger.Transaction{ID: rapid.SampledFrom([]string{"h2", "h3", fmt.Sprintf("tx%d", i)}).Draw(t, "id"),
				Time: at(rapid.IntRange(0, 30).Draw(t, "hour")), Kind: rapid.SampledFrom(kinds).Draw(t, "kind"),
				Ref: rapid.SampledFrom(append([]string{""}, holds...)).Draw(t, "ref")}
			amount := func() decimal.Decimal {
				return dec(rapid.SampledFrom([]string{"1", "5", "10", "30", "40"}).Draw(t, "amount"))
			}
			switch rapid.IntRange(0, 3).Draw(t, "shape") {
			case 3: // give back or capture all a hold has left, sometimes a cent off
				h := rapid.SampledFrom(holds).Draw(t, "hold")
				tx.Kind, tx.Ref = rapid.SampledFrom([]ledger.Kind{ledger.KindCapture, ledger.KindRelease, ledger.KindExpire}).Draw(t, "settle"), h
				st, _ := c.j.HoldStatus(h)
				for _, p := range st.Parts {
					x := p.Left.Add(dec(rapid.SampledFrom([]string{"0", "0", "0", "1", "-1"}).Draw(t, "off")))
					if !x.IsPositive() {
						continue
					}
					to := p.Account
					if tx.Kind == ledger.KindCapture {
						to = sys(ledger.Revenue)
					}
					tx.Postings = append(tx.Postings, ledger.Posting{Account: ledger.HeldAccount(h, p.Account.Instrument(), "USD"), Amount: x.Neg()}, ledger.Posting{Account: to, Amount: x})
				}
			case 0: // anything, in pairs
				for range rapid.IntRange(1, 3).Draw(t, "pairs") {
					a, b, x := rapid.SampledFrom(accounts).Draw(t, "from"), rapid.SampledFrom(accounts).Draw(t, "to"), amount()
					tx.Postings = append(tx.Postings, ledger.Posting{Account: a, Amount: x.Neg()}, ledger.Posting{Account: b, Amount: x})
				}
				for _, p := range tx.Postings {
					if p.Account.IsHeld() && rapid.Bool().Draw(t, "terms") {
						tx.Terms = append(tx.Terms, ledger.Terms{Account: p.Account, Expires: at(rapid.IntRange(0, 40).Draw(t, "until"))})
					}
				}
			case 1: // a hold, as Hold would build it
				tx.Kind = ledger.KindHold
				until := tx.Time.Add(time.Duration(rapid.IntRange(0, 20).Draw(t, "lasts")) * time.Hour)
				for range rapid.IntRange(1, 3).Draw(t, "pairs") {
					in, x := rapid.SampledFrom(ins).Draw(t, "instrument"), amount()
					h := ledger.HeldAccount(tx.ID, in, "USD")
					tx.Postings = append(tx.Postings, ledger.Posting{Account: acct(in), Amount: x.Neg()}, ledger.Posting{Account: h, Amount: x})
					if !slices.ContainsFunc(tx.Terms, func(tm ledger.Terms) bool { return tm.Account == h }) {
						tx.Terms = append(tx.Terms, ledger.Terms{Account: h, Expires: until})
					}
				}
			case 2: // a capture, release or lapse of one hold
				tx.Kind = rapid.SampledFrom([]ledger.Kind{ledger.KindCapture, ledger.KindRelease, ledger.KindExpire}).Draw(t, "settle")
				h := rapid.SampledFrom(holds).Draw(t, "hold")
				if rapid.IntRange(0, 4).Draw(t, "sameRef") > 0 {
					tx.Ref = h
				}
				for range rapid.IntRange(1, 3).Draw(t, "pairs") {
					in, x := rapid.SampledFrom(ins).Draw(t, "instrument"), amount()
					held := ledger.HeldAccount(h, in, "USD")
					if b := c.j.Balance(held); b.IsPositive() && rapid.Bool().Draw(t, "all") {
						x = b // all that is left, as a release or lapse must give
					}
					to := rapid.SampledFrom([]ledger.Account{sys(ledger.Revenue), acct(in)}).Draw(t, "to")
					tx.Postings = append(tx.Postings, ledger.Posting{Account: held, Amount: x.Neg()}, ledger.Posting{Account: to, Amount: x})
				}
			}
			j, _, err := c.j.Apply(tx)
			if err != nil {
				continue
			}
			accepted++
			for _, p := range tx.Postings {
				if p.Account.IsHeld() && !slices.Contains([]ledger.Kind{ledger.KindHold, ledger.KindCapture, ledger.KindRelease, ledger.KindExpire}, tx.Kind) {
					t.Fatalf("a %s moved held money: %+v", tx.Kind, tx)
				}
			}
			c.j = j
		}
		zeroSum(t, c.j)
		open := map[string]bool{}
		for _, h := range c.j.OpenHolds() {
			open[h.ID] = true
		}
		for _, a := range c.j.Accounts() {
			b := c.j.Balance(a)
			switch {
			case a.IsHeld():
				st, ok := c.j.HoldStatus(a.Hold())
				if b.IsNegative() || (!ok && !b.IsZero()) || (b.IsPositive() && !open[a.Hold()]) {
					t.Fatalf("held account %s at %s; hold %+v", a, b, st)
				}
			case a.IsInstrument():
				tm, _ := c.j.Terms(a)
				if b.Cmp(tm.Overdraft.Neg()) < 0 {
					t.Fatalf("%s available %s below -%s", a, b, tm.Overdraft)
				}
			}
		}
		for _, h := range holds {
			st, ok := c.j.HoldStatus(h)
			if !ok {
				continue
			}
			sum := st.Captured.Add(st.Released).Add(st.Lapsed).Add(st.Left)
			if !sum.Equal(st.Held) || st.Left.IsNegative() || (st.State == ledger.HoldOpen) != st.Left.IsPositive() {
				t.Fatalf("hold %s does not add up: %+v", h, st)
			}
			for _, p := range st.Parts {
				if b := c.j.Balance(ledger.HeldAccount(h, p.Account.Instrument(), "USD")); !b.Equal(p.Left) {
					t.Fatalf("hold %s: %s left of %s, its held account at %s", h, p.Left, p.Account, b)
				}
			}
		}
		_ = accepted
	})
}
