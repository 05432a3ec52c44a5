package ledger_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// walletWith returns a journal in which the paid balance "paid" holds
// amount, on terms with the given overdraft, in group "main".
func walletWith(t fatalT, amount, overdraft string) ledger.Journal {
	return applyEach(t, ledger.Journal{}, ledger.Grant("open", t0,
		ledger.Terms{Account: acct("paid"), Kind: "paid_credit", Group: "main", Overdraft: dec(overdraft)}, dec(amount), ""))
}

// evaluate runs EvaluateTopUp and fails the test on an error.
func evaluate(t fatalT, j ledger.Journal, rule ledger.AutoTopUp, when time.Time, pending ...ledger.Charge) (ledger.Charge, bool) {
	t.Helper()
	c, ok, err := ledger.EvaluateTopUp(j, rule, when, pending)
	if err != nil {
		t.Fatalf("EvaluateTopUp: %v", err)
	}
	return c, ok
}

// book books c on j and fails the test on an error.
func book(t fatalT, j ledger.Journal, c ledger.Charge, when time.Time) ledger.Journal {
	t.Helper()
	tx, err := c.Book(j, when)
	if err != nil {
		t.Fatalf("Book(%s): %v", c.ID, err)
	}
	return applyEach(t, j, tx)
}

// checkCharge compares a charge's id, money and credit.
func checkCharge(t *testing.T, c ledger.Charge, ok bool, id, money, credit string) {
	t.Helper()
	if !ok || c.ID != id || !c.Money.Equal(dec(money)) || !c.Credit.Equal(dec(credit)) {
		t.Fatalf("charge = %v %q money %s credit %s; want %q money %s credit %s\nreason: %s",
			ok, c.ID, c.Money, c.Credit, id, money, credit, c.Reason)
	}
}

func TestEvaluateTopUpRechargesToTarget(t *testing.T) {
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("200"), Target: dec("1000")}
	j := walletWith(t, "1000", "0")
	if c, ok := evaluate(t, j, rule, at(1)); ok || c.ID != "" {
		t.Fatalf("charge above the threshold: %+v", c)
	}
	j = applyEach(t, j, spendTx("s1", at(1), acct("paid"), "700"), spendTx("s2", at(2), acct("paid"), "200"))
	c, ok := evaluate(t, j, rule, at(2))
	checkCharge(t, c, ok, "autotopup:r:2", "900", "900")
	j = book(t, j, c, at(2))
	if got := j.Balance(acct("paid")); !got.Equal(dec("1000")) {
		t.Errorf("balance after the top-up = %s, want the target 1000", got)
	}
	if c, ok := evaluate(t, j, rule, at(3)); ok {
		t.Errorf("charged again after the top-up: %+v", c)
	}
}

// Lago PR #6177, first point: a fixed rule topped up one increment per
// evaluation, so a shortfall larger than the increment took several
// charges. Here one charge buys as many whole increments as it needs.
func TestAutoTopUpFixedClearsShortfallInOneCharge_LagoPR6177(t *testing.T) {
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("100"), Amount: dec("50")}
	j := walletWith(t, "300", "500")
	j = applyEach(t, j, spendTx("s1", at(1), acct("paid"), "530")) // balance -230: 330 short
	c, ok := evaluate(t, j, rule, at(1))
	checkCharge(t, c, ok, "autotopup:r:1", "350", "350") // 7 increments of 50
	j = book(t, j, c, at(1))
	if got := j.Balance(acct("paid")); !got.Equal(dec("120")) {
		t.Errorf("balance = %s, want 120 (cleared in one charge)", got)
	}
	if c, ok := evaluate(t, j, rule, at(2)); ok {
		t.Errorf("a second charge for the same shortfall: %+v", c)
	}

	// A shortfall smaller than one increment still buys one.
	j = applyEach(t, j, spendTx("s2", at(3), acct("paid"), "30"))
	c, ok = evaluate(t, j, rule, at(3))
	checkCharge(t, c, ok, "autotopup:r:3", "50", "50")
}

// Lago PR #6177, second point: a top-up still on its way was ignored, so a
// second evaluation charged again. Pending charges count.
func TestAutoTopUpCountsPending_LagoPR6177(t *testing.T) {
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("100"), Target: dec("500")}
	j := applyEach(t, walletWith(t, "500", "1000"), spendTx("s1", at(1), acct("paid"), "450"))
	first, ok := evaluate(t, j, rule, at(1))
	checkCharge(t, first, ok, "autotopup:r:1", "450", "450")

	// The payment is in flight; more usage arrives and the rule runs again.
	j = applyEach(t, j, spendTx("s2", at(2), acct("paid"), "20"))
	c, ok := evaluate(t, j, rule, at(2), first)
	if ok {
		t.Fatalf("charged %s with %s pending that covers the shortfall: %s", c.Money, first.Credit, c.Reason)
	}
	// More usage than the pending top-up covers: only the rest, keyed on
	// s2, the first spend after the crossing the pending charge answers.
	j = applyEach(t, j, spendTx("s3", at(3), acct("paid"), "430"))
	c, ok = evaluate(t, j, rule, at(3), first)
	checkCharge(t, c, ok, "autotopup:r:2", "450", "450")
	j = book(t, book(t, j, first, at(4)), c, at(4))
	if got := j.Balance(acct("paid")); !got.Equal(dec("500")) {
		t.Errorf("balance after both top-ups = %s, want the target 500", got)
	}
	// Once booked, a pending charge is not counted twice.
	if c, ok := evaluate(t, j, rule, at(5), first, c); ok {
		t.Errorf("charged with booked charges passed as pending: %+v", c)
	}
}

// Lago PR #6177, third point: the pending amount, in money, was compared
// with a threshold in credits, right only when the rate is one. Here
// credits are compared with credits and only the charge is money, rounded
// up so that it buys at least what is missing.
func TestAutoTopUpCreditsAreNotMoney_LagoPR6177(t *testing.T) {
	credits := ledger.InstrumentAccount("credits", "XCR") // a unit of credit, 3 per dollar
	rule := ledger.AutoTopUp{ID: "r", Account: credits, Threshold: dec("100"), Target: dec("1000"), Rate: dec("3"), Places: 2}
	j := applyEach(t, ledger.Journal{}, ledger.Grant("open", t0, ledger.Terms{Account: credits}, dec("1000"), ""),
		spendTx("s1", at(1), credits, "940"))
	c, ok := evaluate(t, j, rule, at(1))
	checkCharge(t, c, ok, "autotopup:r:1", "313.34", "940.02") // 940 credits ÷ 3, rounded up to the cent

	// A pending charge of 15 dollars buys 45 credits: 60 + 45 ≥ 100, so
	// nothing more, though 60 + 15 (credits plus dollars) would be below.
	pending := ledger.Charge{ID: "autotopup:r:1", Rule: "r", Account: credits, Money: dec("15"), Credit: dec("45")}
	if c, ok := evaluate(t, j, rule, at(1), pending); ok {
		t.Errorf("charged %s although 45 credits are pending: %s", c.Money, c.Reason)
	}
	j = book(t, j, c, at(2))
	if got := j.Balance(credits); !got.Equal(dec("1000.02")) {
		t.Errorf("balance = %s, want 1000.02", got)
	}
}

// Lago #4954: threshold top-ups ran off a 5-minute poll, so a burst of
// usage between two polls ran the balance far below the threshold and the
// top-up that followed was too small. Evaluated on the journal after the
// burst's batch, the rule charges once, for the whole shortfall, keyed on
// the spend that crossed, and lands on the target.
func TestAutoTopUpBurst_Lago4954(t *testing.T) {
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("200"), Target: dec("1000")}
	j := walletWith(t, "1000", "2000")
	var burst []ledger.Transaction
	for i := range 6 {
		burst = append(burst, spendTx(fmt.Sprintf("s%d", i), at(1), acct("paid"), "300"))
	}
	j, _, _, err := j.ApplyAll(burst) // 1000 → -800
	if err != nil {
		t.Fatal(err)
	}
	c, ok := evaluate(t, j, rule, at(1))
	checkCharge(t, c, ok, "autotopup:r:3", "1800", "1800") // s2 (position 3) took it from 400 to 100
	j = book(t, j, c, at(1))
	if got := j.Balance(acct("paid")); !got.Equal(dec("1000")) {
		t.Errorf("balance = %s, want 1000", got)
	}
}

// A retried evaluation never charges twice: at one position it returns the
// same charge, and booking it again is a replay; after more spends, if the
// first charge was neither booked nor passed as pending, it returns the
// same id for a larger amount, which the journal refuses as a conflict.
func TestAutoTopUpRetryChargesOnce(t *testing.T) {
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("100"), Target: dec("500")}
	j := applyEach(t, walletWith(t, "500", "1000"), spendTx("s1", at(1), acct("paid"), "450"))
	c1, _ := evaluate(t, j, rule, at(1))
	c2, _ := evaluate(t, j, rule, at(1))
	if c1.ID != c2.ID || !c1.Money.Equal(c2.Money) || c1.Reason != c2.Reason {
		t.Fatalf("two evaluations at one position differ: %+v, %+v", c1, c2)
	}
	later := applyEach(t, j, spendTx("s2", at(2), acct("paid"), "100"))
	c3, _ := evaluate(t, later, rule, at(2))
	if c3.ID != c1.ID || !c3.Money.Equal(dec("550")) {
		t.Fatalf("after another spend: %s %s, want %s for 550", c3.ID, c3.Money, c1.ID)
	}
	booked := book(t, later, c1, at(3))
	tx, err := c1.Book(booked, at(3))
	if _, r, err2 := booked.Apply(tx); err != nil || err2 != nil || !r.Replayed {
		t.Errorf("booking the same charge again: %v %v replayed=%v", err, err2, r.Replayed)
	}
	if _, err := c3.Book(booked, at(3)); !errors.Is(err, ledger.ErrConflict) {
		t.Errorf("booking the resized retry = %v, want ErrConflict", err)
	}
}

func TestAutoTopUpMinMaxAndCap(t *testing.T) {
	month := ledger.Period{Anchor: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Months: 1}
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("100"), Target: dec("300"),
		Min: dec("150"), Max: dec("250"), Cap: dec("400"), CapPeriod: month}
	jan := func(d int) time.Time { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC) }
	j := walletWith(t, "300", "1000")

	j = applyEach(t, j, spendTx("s1", jan(2), acct("paid"), "250")) // 50: 250 to target
	c, ok := evaluate(t, j, rule, jan(2))
	checkCharge(t, c, ok, "autotopup:r:1", "250", "250")
	j = book(t, j, c, jan(2))

	j = applyEach(t, j, spendTx("s2", jan(3), acct("paid"), "220")) // 80: 220 to target, raised to the minimum
	c, ok = evaluate(t, j, rule, jan(3))
	checkCharge(t, c, ok, "autotopup:r:3", "150", "150") // the cap leaves 150, exactly the minimum
	j = book(t, j, c, jan(3))

	j = applyEach(t, j, spendTx("s3", jan(4), acct("paid"), "200")) // 30: the cap is used up
	if c, ok := evaluate(t, j, rule, jan(4)); ok || !strings.Contains(c.Reason, "cap of 400") {
		t.Fatalf("charge beyond the cap: %v %+v", ok, c)
	}
	// February is a new period: the crossing still waits for its answer.
	c, ok = evaluate(t, j, rule, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	checkCharge(t, c, ok, "autotopup:r:5", "250", "250") // 270 short, limited to the maximum
	j = book(t, j, c, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	if got := j.Balance(acct("paid")); !got.Equal(dec("280")) {
		t.Fatalf("balance = %s, want 280", got)
	}

	// A charge limited by Max left the balance at 280 ≥ 100, fine; take it
	// below and limit by Max again: nothing more until a spend lowers it.
	j = applyEach(t, j, spendTx("s4", time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC), acct("paid"), "600")) // -320
	c, ok = evaluate(t, j, rule, time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC))
	checkCharge(t, c, ok, "autotopup:r:7", "150", "150") // cap 400 − 250 left 150
	j = book(t, j, c, time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC))
	if c, ok := evaluate(t, j, rule, time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)); ok {
		t.Errorf("charged again with no spend since the last charge: %+v", c)
	}
	j = applyEach(t, j, spendTx("s5", time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC), acct("paid"), "1"))
	c, ok = evaluate(t, j, rule, time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC))
	checkCharge(t, c, ok, "autotopup:r:9", "250", "250")
}

// Guance 002 and Kingsoft 000: a top-up first repays what is owed. The
// charge is sized so that what is left after the debts reaches the target.
func TestAutoTopUpCountsDebtsRepaidFirst(t *testing.T) {
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("100"), Target: dec("1000")}
	card := ledger.Terms{Account: acct("card"), Kind: "prepaid_card", Group: "main", Overdraft: dec("500")}
	j := applyEach(t, walletWith(t, "150", "0"),
		ledger.Grant("card", t0, card, dec("0"), ""),
		spendTx("s1", at(1), acct("card"), "300"),
		spendTx("s2", at(2), acct("paid"), "100"))
	c, ok := evaluate(t, j, rule, at(2))
	checkCharge(t, c, ok, "autotopup:r:3", "1250", "1250")
	if !c.Debts.Equal(dec("300")) {
		t.Errorf("debts = %s, want 300", c.Debts)
	}
	j = book(t, j, c, at(2))
	if p, k := j.Balance(acct("paid")), j.Balance(acct("card")); !p.Equal(dec("1000")) || !k.IsZero() {
		t.Errorf("paid %s card %s, want 1000 and 0", p, k)
	}
}

func TestEvaluateTopUpInvalid(t *testing.T) {
	rules := []ledger.AutoTopUp{
		{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: dec("5"), Target: dec("10"), Rate: dec("-1"), Places: 40},
		{ID: "t", Account: acct("a"), Threshold: dec("10"), Target: dec("10"), Min: dec("5"), Max: dec("4"), Cap: dec("9")},
	}
	wants := [][]string{
		{"missing id", "not an instrument account", "both a fixed amount and a target", "negative rate -1", "40 places", "missing time"},
		{"target 10 is not above the threshold 10", "minimum 5 above maximum 4", "period without an anchor", "period of 0 months", "pending charge"},
	}
	for i, r := range rules {
		var when time.Time
		pending := []ledger.Charge(nil)
		if i == 1 {
			when, pending = t0, []ledger.Charge{{ID: "x", Account: acct("b")}}
		}
		_, _, err := ledger.EvaluateTopUp(ledger.Journal{}, r, when, pending)
		if !errors.Is(err, ledger.ErrInvalid) {
			t.Fatalf("rule %d: err = %v, want ErrInvalid", i, err)
		}
		for _, w := range wants[i] {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("rule %d: error lacks %q:\n%v", i, w, err)
			}
		}
	}
	if _, err := (ledger.Charge{ID: "x", Account: acct("a")}).Book(ledger.Journal{}, t0); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("booking a charge of nothing = %v, want ErrInvalid", err)
	}
}

// TestAutoTopUpProperties runs drawn spends on an overdrawable balance
// with the rule evaluated after each, a drawn number of times (0 to 3),
// every charge booked. Invariants: evaluating any number of times at one
// position books what evaluating once books (the same transactions); every
// booked charge answers a distinct crossing; without Max or Cap a charge
// brings the balance to at least the threshold; and no period's charges
// exceed the cap.
func TestAutoTopUpProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		month := ledger.Period{Anchor: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Months: 1}
		rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec(fmt.Sprint(rapid.IntRange(0, 300).Draw(t, "threshold")))}
		if rapid.Bool().Draw(t, "fixed") {
			rule.Amount = dec(fmt.Sprint(rapid.IntRange(1, 200).Draw(t, "amount")))
		} else {
			rule.Target = rule.Threshold.Add(dec(fmt.Sprint(rapid.IntRange(1, 500).Draw(t, "above"))))
		}
		bounded := rapid.Bool().Draw(t, "bounded")
		if bounded {
			rule.Max = dec(fmt.Sprint(rapid.IntRange(50, 400).Draw(t, "max")))
			rule.Cap, rule.CapPeriod = dec(fmt.Sprint(rapid.IntRange(100, 1000).Draw(t, "cap"))), month
		}
		spends := rapid.SliceOfN(rapid.IntRange(1, 400), 1, 25).Draw(t, "spends")

		run := func(repeats func(i int) int) ledger.Journal {
			j := walletWith(t, "300", "100000")
			for i, s := range spends {
				when := month.Anchor.Add(time.Duration(i) * 61 * time.Hour)
				j = applyEach(t, j, spendTx(fmt.Sprintf("s%d", i), when, acct("paid"), fmt.Sprint(s)))
				// Evaluate repeatedly at this position, then book every
				// result: all but the first are replays.
				var charges []ledger.Charge
				for range repeats(i) {
					if c, ok := evaluate(t, j, rule, when); ok {
						charges = append(charges, c)
					}
				}
				for _, c := range charges {
					j = book(t, j, c, when)
					if !bounded && j.Balance(acct("paid")).Cmp(rule.Threshold) < 0 {
						t.Fatalf("balance %s below the threshold after charge %s: %s", j.Balance(acct("paid")), c.ID, c.Reason)
					}
				}
				if len(charges) > 0 {
					if c, ok := evaluate(t, j, rule, when); ok {
						t.Fatalf("charged again right after booking %s: %s", charges[0].ID, c.Reason)
					}
				}
			}
			return j
		}
		reps := make([]int, len(spends))
		for i := range reps {
			reps[i] = rapid.IntRange(0, 3).Draw(t, "repeats")
		}
		once := run(func(i int) int { return min(reps[i], 1) })
		many := run(func(i int) int { return reps[i] })
		var a, b []string
		for _, tx := range once.Transactions() {
			a = append(a, tx.ID+" "+fmt.Sprint(tx.Postings))
		}
		for _, tx := range many.Transactions() {
			b = append(b, tx.ID+" "+fmt.Sprint(tx.Postings))
		}
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("evaluating many times booked other transactions:\nonce:\n%s\nmany:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
		if bounded {
			perMonth := map[int]decimal.Decimal{}
			for _, e := range many.History(ledger.SystemAccount(ledger.Issued, "USD"), ledger.Filter{Kinds: []ledger.Kind{ledger.KindTopUp}}) {
				n := month.Index(e.Time)
				perMonth[n] = perMonth[n].Sub(e.Amount)
				if perMonth[n].Cmp(rule.Cap) > 0 {
					t.Fatalf("period %d charged %s, above the cap %s", n, perMonth[n], rule.Cap)
				}
			}
		}
	})
}

// The bounds one at a time: a small shortfall is raised to the minimum; a
// cap that leaves less than the minimum charges nothing; the cap counts
// only the rule's own charges (booked or pending), not a manual top-up or
// another rule's; and the receivable is a debt TopUp repays first.
func TestAutoTopUpBounds(t *testing.T) {
	month := ledger.Period{Anchor: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Months: 1}
	rule := ledger.AutoTopUp{ID: "r", Account: acct("paid"), Threshold: dec("100"), Target: dec("200"),
		Min: dec("150"), Cap: dec("400"), CapPeriod: month}
	jan := func(d int) time.Time { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC) }

	t.Run("raised_to_minimum", func(t *testing.T) {
		j := applyEach(t, walletWith(t, "200", "0"), spendTx("s1", jan(2), acct("paid"), "110"))
		c, ok := evaluate(t, j, rule, jan(2))
		checkCharge(t, c, ok, "autotopup:r:1", "150", "150") // 110 short of the target
	})
	t.Run("cap_left_below_minimum", func(t *testing.T) {
		j := applyEach(t, walletWith(t, "200", "1000"), spendTx("s1", jan(2), acct("paid"), "300"))
		c, ok := evaluate(t, j, rule, jan(2))
		checkCharge(t, c, ok, "autotopup:r:1", "300", "300")
		j = applyEach(t, book(t, j, c, jan(2)), spendTx("s2", jan(3), acct("paid"), "110"))
		if c, ok := evaluate(t, j, rule, jan(3)); ok {
			t.Errorf("charged %s with 100 left of the cap and a minimum of 150", c.Money)
		}
	})
	t.Run("cap_counts_only_the_rule", func(t *testing.T) {
		j := applyEach(t, walletWith(t, "200", "1000"), spendTx("s1", jan(2), acct("paid"), "300"))
		manual, err := ledger.TopUp(j, "manual", jan(2), acct("paid"), dec("350"), "bank transfer")
		if err != nil {
			t.Fatal(err)
		}
		j = applyEach(t, j, manual, spendTx("s2", jan(3), acct("paid"), "300")) // 250 → -50
		other := ledger.Charge{ID: "autotopup:other:3", Rule: "other", Account: acct("paid"), Money: dec("100"), Credit: dec("100")}
		tight := rule
		tight.Cap = dec("200")                        // either other charge, counted, would leave less than the minimum
		c, ok := evaluate(t, j, tight, jan(3), other) // -50 + 100 pending: 150 short of the target
		checkCharge(t, c, ok, "autotopup:r:3", "150", "150")
	})
	t.Run("receivable_repaid_first", func(t *testing.T) {
		owed := ledger.Transaction{ID: "owed", Time: jan(1), Kind: ledger.KindSpend, Postings: []ledger.Posting{
			{Account: sys(ledger.Receivable), Amount: dec("-40")}, {Account: sys(ledger.Revenue), Amount: dec("40")}}}
		j := applyEach(t, walletWith(t, "200", "0"), owed, spendTx("s1", jan(2), acct("paid"), "150"))
		c, ok := evaluate(t, j, rule, jan(2))
		checkCharge(t, c, ok, "autotopup:r:2", "190", "190")
		if j = book(t, j, c, jan(2)); !j.Balance(acct("paid")).Equal(dec("200")) || !j.Balance(sys(ledger.Receivable)).IsZero() {
			t.Errorf("paid %s receivable %s, want 200 and 0", j.Balance(acct("paid")), j.Balance(sys(ledger.Receivable)))
		}
	})
}
