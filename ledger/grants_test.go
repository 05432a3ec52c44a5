package ledger_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// monthly is a schedule granting 100 USD of free credit on the first of
// every month from January 2024, with the given rollover.
func monthly(r ledger.Rollover) ledger.GrantSchedule {
	return ledger.GrantSchedule{ID: "FC", Currency: "USD", Amount: dec("100"),
		Kind: "free_credit", Group: "main", Transferable: true,
		Period: ledger.Period{Anchor: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Months: 1}, Rollover: r}
}

// resetAndApply runs the reset of period n and applies it.
func resetAndApply(t fatalT, j ledger.Journal, s ledger.GrantSchedule, n int) (ledger.Journal, ledger.Reset) {
	t.Helper()
	r, err := s.Reset(j, n)
	if err != nil {
		t.Fatalf("Reset(%d): %v", n, err)
	}
	return applyEach(t, j, r.Transactions...), r
}

// linesOf returns "ACCOUNT left kept forfeited repaid" per line.
func linesOf(r ledger.Reset) []string {
	var out []string
	for _, l := range r.Lines {
		out = append(out, fmt.Sprintf("%s left %s kept %s forfeited %s repaid %s", l.Account.Instrument(), l.Left, l.Kept, l.Forfeited, l.Repaid))
	}
	return out
}

func TestResetRollsOverUpToTheCap(t *testing.T) {
	s := monthly(ledger.Rollover{MaxAmount: dec("30")})
	j, r := resetAndApply(t, ledger.Journal{}, s, 0)
	if len(r.Lines) != 0 || !r.Granted.Equal(dec("100")) {
		t.Fatalf("first period: lines %v granted %s", linesOf(r), r.Granted)
	}
	jan, feb := s.GrantAccount(0), s.GrantAccount(1)
	if tm, _ := j.Terms(jan); !tm.Expires.Equal(s.Period.Start(1)) || tm.Kind != "free_credit" || !tm.Transferable {
		t.Errorf("January grant terms = %+v", tm)
	}
	j = applyEach(t, j, spendTx("s1", time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC), jan, "40"))

	j, r = resetAndApply(t, j, s, 1)
	if diff := cmp.Diff([]string{"FC/2024-01-01 left 60 kept 30 forfeited 30 repaid 0"}, linesOf(r)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if !r.Left.Equal(dec("60")) || !r.Kept.Equal(dec("30")) || !r.Forfeited.Equal(dec("30")) ||
		!strings.Contains(r.Reason, "capped at 30 (max amount 30)") {
		t.Errorf("reset = left %s kept %s forfeited %s (%s)", r.Left, r.Kept, r.Forfeited, r.Reason)
	}
	roll := s.RolloverAccount(1)
	for a, want := range map[ledger.Account]string{jan: "0", feb: "100", roll: "30", sys(ledger.Expired): "30"} {
		if got := j.Balance(a); !got.Equal(dec(want)) {
			t.Errorf("balance of %s = %s, want %s", a, got, want)
		}
	}
	if tm, _ := j.Terms(roll); !tm.Expires.Equal(s.Period.Start(2)) || tm.Kind != "free_credit" {
		t.Errorf("rollover terms = %+v", tm)
	}

	// February: 20 of the rollover and 90 of the grant are used; 20 left
	// over both accounts, all within the cap. The rollover rolls over again.
	j = applyEach(t, j, spendTx("s2", time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC), roll, "10"),
		spendTx("s3", time.Date(2024, 2, 11, 0, 0, 0, 0, time.UTC), feb, "90"))
	j, r = resetAndApply(t, j, s, 2)
	want := []string{
		"FC/2024-02-01 left 10 kept 10 forfeited 0 repaid 0",
		"FC/2024-02-01/rollover left 20 kept 20 forfeited 0 repaid 0",
	}
	if diff := cmp.Diff(want, linesOf(r)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if got := j.Balance(s.RolloverAccount(2)); !got.Equal(dec("30")) {
		t.Errorf("rolled into March: %s, want 30", got)
	}
}

func TestResetPercentCapRoundsDown(t *testing.T) {
	s := monthly(ledger.Rollover{MaxPercent: dec("12.5"), MaxAmount: dec("50"), Places: 0})
	s.Amount = dec("101")
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	_, r := resetAndApply(t, j, s, 1)
	if !r.Kept.Equal(dec("12")) || !r.Forfeited.Equal(dec("89")) || !strings.Contains(r.Reason, "12.5 % of 101 = 12") {
		t.Errorf("kept %s forfeited %s (%s), want 12 (12.625 rounded down) and 89", r.Kept, r.Forfeited, r.Reason)
	}
}

func TestResetWithoutRolloverForfeitsAll(t *testing.T) {
	s := monthly(ledger.Rollover{})
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	j, r := resetAndApply(t, j, s, 1)
	if !r.Kept.IsZero() || !r.Forfeited.Equal(dec("100")) || !j.Balance(sys(ledger.Expired)).Equal(dec("100")) {
		t.Errorf("kept %s forfeited %s (%s)", r.Kept, r.Forfeited, r.Reason)
	}
	if slices.Contains(j.Accounts(), s.RolloverAccount(1)) {
		t.Error("a rollover account was opened with nothing to keep")
	}
}

// Rollover.Lasts: rolled-over credit that lasts two periods is not part of
// the next reset.
func TestResetRolloverLastsTwoPeriods(t *testing.T) {
	s := monthly(ledger.Rollover{MaxAmount: dec("1000"), Lasts: 2})
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	j, _ = resetAndApply(t, j, s, 1) // January's 100 rolls into February, until April
	j, r := resetAndApply(t, j, s, 2)
	if diff := cmp.Diff([]string{"FC/2024-02-01 left 100 kept 100 forfeited 0 repaid 0"}, linesOf(r)); diff != "" {
		t.Errorf("March reset lines (-want +got):\n%s", diff)
	}
	if tm, _ := j.Terms(s.RolloverAccount(1)); !tm.Expires.Equal(s.Period.Start(3)) {
		t.Errorf("rollover into February expires %v, want April 1", tm.Expires)
	}
	_, r = resetAndApply(t, j, s, 3)
	if !r.Left.Equal(dec("200")) {
		t.Errorf("April reset: left %s, want 200 (February's rollover and March's grant)", r.Left)
	}
}

// OpenMeter's preserveOverageAtReset: with it, what a grant was overdrawn
// by is taken from the next grant; without it, the debt stays owed.
func TestResetPreserveOverage_OpenMeter(t *testing.T) {
	for _, preserve := range []bool{true, false} {
		s := monthly(ledger.Rollover{MaxAmount: dec("50"), PreserveOverage: preserve})
		s.Overdraft = dec("50")
		j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
		j = applyEach(t, j, spendTx("s1", time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC), s.GrantAccount(0), "130"))
		j, r := resetAndApply(t, j, s, 1)
		old, next := j.Balance(s.GrantAccount(0)), j.Balance(s.GrantAccount(1))
		if preserve && (!old.IsZero() || !next.Equal(dec("70")) || !r.Repaid.Equal(dec("30")) || !r.Granted.Equal(dec("70"))) {
			t.Errorf("preserved: old %s new %s repaid %s granted %s, want 0, 70, 30, 70", old, next, r.Repaid, r.Granted)
		}
		if !preserve && (!old.Equal(dec("-30")) || !next.Equal(dec("100")) || !r.Repaid.IsZero()) {
			t.Errorf("not preserved: old %s new %s repaid %s, want -30, 100, 0", old, next, r.Repaid)
		}
		if !r.Kept.IsZero() || len(r.Lines) != 1 || !strings.Contains(r.Lines[0].Reason, "owes 30") {
			t.Errorf("preserve=%v: kept %s lines %v", preserve, r.Kept, linesOf(r))
		}
	}
}

// An overage larger than the next grant takes all of it and no more.
func TestResetPreservedOverageBeyondTheGrant(t *testing.T) {
	s := monthly(ledger.Rollover{PreserveOverage: true})
	s.Overdraft = dec("150")
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	j = applyEach(t, j, spendTx("s1", time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC), s.GrantAccount(0), "250"))
	j, r := resetAndApply(t, j, s, 1)
	if old, next := j.Balance(s.GrantAccount(0)), j.Balance(s.GrantAccount(1)); !old.Equal(dec("-50")) || !next.IsZero() ||
		!r.Repaid.Equal(dec("100")) || !r.Granted.IsZero() {
		t.Errorf("old %s new %s repaid %s granted %s, want -50, 0, 100, 0", old, next, r.Repaid, r.Granted)
	}
}

// A reset run twice for one period books once: the second run returns the
// stored transactions, which Apply replays; a changed schedule conflicts.
func TestResetTwiceBooksOnce(t *testing.T) {
	s := monthly(ledger.Rollover{MaxAmount: dec("30")})
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	j = applyEach(t, j, spendTx("s1", time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC), s.GrantAccount(0), "40"))
	j, first := resetAndApply(t, j, s, 1)
	// Spends after the reset change the balances the reset read; running
	// it again still books nothing new.
	j = applyEach(t, j, spendTx("s2", time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC), s.GrantAccount(1), "70"))
	again, err := s.Reset(j, 1)
	if err != nil {
		t.Fatal(err)
	}
	next, results, fresh, err := j.ApplyAll(again.Transactions)
	if err != nil || len(fresh) != 0 || next.Len() != j.Len() || !results[0].Replayed || !results[1].Replayed {
		t.Fatalf("second run: err %v, %d fresh, results %+v", err, len(fresh), results)
	}
	if diff := cmp.Diff(linesOf(first), linesOf(again)); diff != "" {
		t.Errorf("second run explains otherwise (-first +again):\n%s", diff)
	}
	changed := s
	changed.Rollover.MaxAmount = dec("40")
	if _, err := changed.Reset(j, 1); !errors.Is(err, ledger.ErrConflict) {
		t.Errorf("reset of a changed schedule = %v, want ErrConflict", err)
	}
}

func TestResetInvalid(t *testing.T) {
	s := ledger.GrantSchedule{Currency: "usd", Amount: dec("-1"), Lasts: -1,
		Overdraft: dec("-1"),
		Rollover:  ledger.Rollover{MaxAmount: dec("-2"), MaxPercent: dec("101"), Places: -1}}
	_, err := s.Reset(ledger.Journal{}, 0)
	if !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, w := range []string{"missing id", `currency "usd"`, "amount -1 is not positive", "negative overdraft -1",
		"period without an anchor", "period of 0 months", "lasts -1 and 0", "negative rollover max amount -2",
		"max percent 101", "-1 places"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if _, err := monthly(ledger.Rollover{}).Reset(ledger.Journal{}, 200000); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("period 200000: err = %v, want ErrInvalid", err)
	}
}

// TestResetProperties runs drawn reset sequences (periods in order, with
// skips and repeats) with drawn spends in between, on drawn rollover
// rules. Invariants: every reset's Left = Kept + Forfeited and Kept never
// exceeds its caps, per line too; money is conserved (what was issued is
// on the instruments, spent, or expired, and Expired holds exactly the
// forfeits); and running any reset twice books what running it once
// does.
func TestResetProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := ledger.Rollover{Places: 2, Lasts: rapid.IntRange(0, 2).Draw(t, "rollover lasts")}
		if rapid.Bool().Draw(t, "max amount") {
			r.MaxAmount = dec(fmt.Sprint(rapid.IntRange(1, 150).Draw(t, "max")))
		}
		if rapid.Bool().Draw(t, "max percent") {
			r.MaxPercent = dec(fmt.Sprint(rapid.IntRange(1, 100).Draw(t, "pct")))
		}
		s := monthly(r)
		s.Amount = dec(fmt.Sprint(rapid.IntRange(1, 200).Draw(t, "amount")) + ".33")
		s.Lasts = rapid.IntRange(0, 2).Draw(t, "lasts")

		steps := rapid.SliceOfN(rapid.IntRange(0, 2), 1, 12).Draw(t, "period steps")
		twice := rapid.SliceOfN(rapid.Bool(), len(steps), len(steps)).Draw(t, "twice")
		pcts := rapid.SliceOfN(rapid.IntRange(0, 100), 2*len(steps), 2*len(steps)).Draw(t, "spend percents")
		run := func(double bool) (ledger.Journal, decimal.Decimal, int) {
			var j ledger.Journal
			var forfeited decimal.Decimal
			n, resets := 0, 0
			for i, step := range steps {
				n += step
				var rs ledger.Reset
				before := j.Len()
				j, rs = resetAndApply(t, j, s, n)
				if j.Len() > before {
					forfeited, resets = forfeited.Add(rs.Forfeited), resets+1
				}
				if double && twice[i] {
					var again ledger.Reset
					first := j.Len()
					j, again = resetAndApply(t, j, s, n)
					if j.Len() != first || !again.Kept.Equal(rs.Kept) {
						t.Fatalf("period %d run twice booked again or explains otherwise", n)
					}
				}
				limit := rs.Left
				if !r.MaxAmount.IsPositive() && !r.MaxPercent.IsPositive() {
					limit = decimal.Decimal{}
				}
				if r.MaxAmount.IsPositive() {
					limit = decimal.Min(limit, r.MaxAmount)
				}
				if r.MaxPercent.IsPositive() {
					limit = decimal.Min(limit, s.Amount.Mul(r.MaxPercent).Shift(-2))
				}
				if !rs.Left.Equal(rs.Kept.Add(rs.Forfeited)) || rs.Kept.IsNegative() || rs.Kept.Cmp(limit) > 0 {
					t.Fatalf("period %d: left %s kept %s forfeited %s, cap %s", n, rs.Left, rs.Kept, rs.Forfeited, limit)
				}
				for _, l := range rs.Lines {
					if l.Left.IsPositive() && !l.Left.Equal(l.Kept.Add(l.Forfeited)) {
						t.Fatalf("line %s: left %s kept %s forfeited %s", l.Account, l.Left, l.Kept, l.Forfeited)
					}
				}
				// Spend part of what the schedule's current accounts hold.
				for k, a := range []ledger.Account{s.GrantAccount(n), s.RolloverAccount(n)} {
					b := j.Balance(a)
					if amt := b.Mul(decimal.New(int64(pcts[2*i+k]), -2)).RoundDown(2); amt.IsPositive() {
						j = applyEach(t, j, spendTx(fmt.Sprintf("s%d-%d", i, k), s.Period.Start(n).Add(time.Hour), a, amt.String()))
					}
				}
			}
			return j, forfeited, resets
		}
		once, forfeited, resets := run(false)
		doubled, _, _ := run(true)
		if once.Len() != doubled.Len() {
			t.Fatalf("running resets twice booked %d transactions, once %d", doubled.Len(), once.Len())
		}
		for i, tx := range doubled.Transactions() {
			if u, _ := once.Transaction(tx.ID); !u.Equal(tx) {
				t.Fatalf("transaction %d (%s) differs when resets run twice", i, tx.ID)
			}
		}
		issued := once.Balance(sys(ledger.Issued)).Neg()
		if want := s.Amount.Mul(decimal.New(int64(resets), 0)); !issued.Equal(want) {
			t.Fatalf("issued %s after %d resets, want %s", issued, resets, want)
		}
		if got := once.Balance(sys(ledger.Expired)); !got.Equal(forfeited) {
			t.Fatalf("expired %s, want the forfeits %s", got, forfeited)
		}
		var onInstruments decimal.Decimal
		for _, a := range once.Accounts() {
			if a.IsInstrument() {
				onInstruments = onInstruments.Add(once.Balance(a))
			}
		}
		if !issued.Equal(onInstruments.Add(once.Balance(sys(ledger.Revenue))).Add(forfeited)) {
			t.Fatalf("issued %s ≠ on instruments %s + spent %s + forfeited %s", issued, onInstruments, once.Balance(sys(ledger.Revenue)), forfeited)
		}
	})
}

// A reset grants before it forfeits, so an alert on all of the schedule's
// credit does not fire between the two: 60 left, 30 forfeited, 100
// granted never shows 30.
func TestResetDoesNotDipThroughAThreshold(t *testing.T) {
	s := monthly(ledger.Rollover{MaxAmount: dec("30")})
	rule := ledger.ThresholdRule{ID: "half", Watch: ledger.Watch{Currency: "USD", Kind: "free_credit"}, Level: dec("50")}
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	j = applyEach(t, j, spendTx("s1", time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC), s.GrantAccount(0), "40"))
	before := j.Len()
	j, _ = resetAndApply(t, j, s, 1)
	if cs, err := ledger.Crossings(j, before, j.Len(), []ledger.ThresholdRule{rule}); err != nil || len(cs) != 0 {
		t.Errorf("crossings during the reset: %v (%v)", crossingsOf(cs), err)
	}
}

// GrantSchedule.Lasts: a grant that lasts two periods is not part of the
// next reset, and expires at the one after.
func TestResetGrantLastsTwoPeriods(t *testing.T) {
	s := monthly(ledger.Rollover{MaxAmount: dec("10")})
	s.Lasts = 2
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	if tm, _ := j.Terms(s.GrantAccount(0)); !tm.Expires.Equal(s.Period.Start(2)) {
		t.Errorf("January's grant expires %v, want March 1", tm.Expires)
	}
	j, r := resetAndApply(t, j, s, 1)
	if len(r.Lines) != 0 || !j.Balance(s.GrantAccount(0)).Equal(dec("100")) {
		t.Errorf("February reset touched January's grant: %v", linesOf(r))
	}
	_, r = resetAndApply(t, j, s, 2)
	if diff := cmp.Diff([]string{"FC/2024-01-01 left 100 kept 10 forfeited 90 repaid 0"}, linesOf(r)); diff != "" {
		t.Errorf("March reset lines (-want +got):\n%s", diff)
	}
}

// Only the grant account is held on the schedule's overdraft: rolled-over
// credit cannot be overdrawn.
func TestResetRolloverHasNoOverdraft(t *testing.T) {
	s := monthly(ledger.Rollover{MaxAmount: dec("50")})
	s.Overdraft = dec("20")
	j, _ := resetAndApply(t, ledger.Journal{}, s, 0)
	j, _ = resetAndApply(t, j, s, 1)
	g, _ := j.Terms(s.GrantAccount(1))
	r, _ := j.Terms(s.RolloverAccount(1))
	if !g.Overdraft.Equal(dec("20")) || !r.Overdraft.IsZero() {
		t.Errorf("overdraft: grant %s, rollover %s; want 20 and 0", g.Overdraft, r.Overdraft)
	}
}
