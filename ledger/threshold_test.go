package ledger_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// crossingsOf returns "RULE@SEQ before→after" for each crossing, the part
// of a crossing a host acts on.
func crossingsOf(cs []ledger.Crossing) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s@%d %s→%s", c.Rule.ID, c.Seq, c.Before, c.After))
	}
	return out
}

// fatalT is what applyEach needs of a *testing.T or *rapid.T.
type fatalT interface {
	Helper()
	Fatalf(format string, args ...any)
}

// applyEach applies txs in order and fails the test on an error.
func applyEach(t fatalT, j ledger.Journal, txs ...ledger.Transaction) ledger.Journal {
	t.Helper()
	for _, tx := range txs {
		var err error
		if j, _, err = j.Apply(tx); err != nil {
			t.Fatalf("Apply(%s): %v", tx.ID, err)
		}
	}
	return j
}

func TestCrossings(t *testing.T) {
	paid := ledger.Terms{Account: acct("paid"), Kind: "paid_credit", Group: "main"}
	free := ledger.Terms{Account: acct("free"), Kind: "free_credit", Group: "main"}
	low := ledger.ThresholdRule{ID: "low", Watch: ledger.Watch{Currency: "USD"}, Level: dec("50")}
	tests := []struct {
		name, reason string
		rules        []ledger.ThresholdRule
		txs          []ledger.Transaction
		want         []string
	}{
		{
			name:   "falling_once",
			reason: "a balance that drops below a level is reported by the spend that took it there, with the balance before and after",
			rules:  []ledger.ThresholdRule{low},
			txs: []ledger.Transaction{ledger.Grant("g", t0, paid, dec("100"), ""),
				spendTx("s1", at(1), acct("paid"), "40"), spendTx("s2", at(2), acct("paid"), "20"), spendTx("s3", at(3), acct("paid"), "30")},
			want: []string{"low@2 60→40"},
		},
		{
			name:   "again_after_coming_back",
			reason: "once per crossing: after the balance is back above the level, falling again is a new crossing",
			rules:  []ledger.ThresholdRule{low},
			txs: []ledger.Transaction{ledger.Grant("g", t0, paid, dec("100"), ""),
				spendTx("s1", at(1), acct("paid"), "60"),
				ledger.Grant("g2", at(2), paid, dec("50"), ""),
				spendTx("s2", at(3), acct("paid"), "50")},
			want: []string{"low@1 100→40", "low@3 90→40"},
		},
		{
			name:   "exactly_at_the_level_is_not_below",
			reason: "falling means below the level; reaching it exactly is not a crossing",
			rules:  []ledger.ThresholdRule{low},
			txs:    []ledger.Transaction{ledger.Grant("g", t0, paid, dec("100"), ""), spendTx("s1", at(1), acct("paid"), "50")},
		},
		{
			name:   "rising",
			reason: "a rising rule reports the top-up that brings the balance back to the level",
			rules:  []ledger.ThresholdRule{{ID: "back", Watch: ledger.Watch{Currency: "USD"}, Direction: ledger.Rising, Level: dec("50")}},
			txs: []ledger.Transaction{ledger.Grant("g", t0, paid, dec("10"), ""),
				ledger.Grant("g2", at(1), paid, dec("40"), "")},
			want: []string{"back@1 10→50"},
		},
		{
			name:   "percent_of_reference",
			reason: "KakaoCloud 003 credits: alert at 50 % and 10 % of a 200 grant, each level once",
			rules: []ledger.ThresholdRule{
				{ID: "half", Watch: ledger.Watch{Currency: "USD"}, Percent: dec("50"), Of: dec("200")},
				{ID: "tenth", Watch: ledger.Watch{Currency: "USD"}, Percent: dec("10"), Of: dec("200")},
			},
			txs: []ledger.Transaction{ledger.Grant("g", t0, paid, dec("200"), ""),
				spendTx("s1", at(1), acct("paid"), "120"), spendTx("s2", at(2), acct("paid"), "70"), spendTx("s3", at(3), acct("paid"), "5")},
			want: []string{"half@1 200→80", "tenth@2 80→10"},
		},
		{
			name:   "watch_one_kind",
			reason: "KakaoCloud 003: free and paid credits are separate balances; a rule on paid credit ignores free credit",
			rules:  []ledger.ThresholdRule{{ID: "paid-low", Watch: ledger.Watch{Currency: "USD", Kind: "paid_credit"}, Level: dec("50")}},
			txs: []ledger.Transaction{ledger.Grant("gf", t0, free, dec("500"), ""), ledger.Grant("gp", t0, paid, dec("60"), ""),
				spendTx("s1", at(1), acct("free"), "480"), spendTx("s2", at(2), acct("paid"), "20")},
			want: []string{"paid-low@3 60→40"},
		},
		{
			name:   "watch_one_instrument_and_group",
			reason: "a rule can follow one instrument, or one billing group",
			rules: []ledger.ThresholdRule{
				{ID: "free", Watch: ledger.Watch{Currency: "USD", Instrument: "free"}, Level: dec("100")},
				{ID: "other-group", Watch: ledger.Watch{Currency: "USD", Group: "ops"}, Level: dec("100")},
			},
			txs: []ledger.Transaction{ledger.Grant("gf", t0, free, dec("500"), ""), ledger.Grant("gp", t0, paid, dec("600"), ""),
				spendTx("s1", at(1), acct("paid"), "590"), spendTx("s2", at(2), acct("free"), "450")},
			want: []string{"free@3 500→50"},
		},
		{
			name:   "terms_bring_an_account_in",
			reason: "the watch counts accounts by the terms in force after each transaction: a grant of a new kind joins the watch",
			rules:  []ledger.ThresholdRule{{ID: "paid-up", Watch: ledger.Watch{Currency: "USD", Kind: "paid_credit"}, Direction: ledger.Rising, Level: dec("1")}},
			txs:    []ledger.Transaction{ledger.Grant("gp", t0, paid, dec("5"), "")},
			want:   []string{"paid-up@0 0→5"},
		},
		{
			name:   "whole_wallet_goes_negative",
			reason: "Guance 002: a prepaid card may be overdrawn; a level of zero tells when the wallet owes",
			rules:  []ledger.ThresholdRule{{ID: "owes", Watch: ledger.Watch{Currency: "USD"}}},
			txs: []ledger.Transaction{ledger.Grant("g", t0, ledger.Terms{Account: acct("card"), Overdraft: dec("100")}, dec("30"), ""),
				spendTx("s1", at(1), acct("card"), "30"), spendTx("s2", at(2), acct("card"), "1")},
			want: []string{"owes@2 0→-1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := applyEach(t, ledger.Journal{}, tc.txs...)
			cs, err := ledger.Crossings(j, 0, j.Len(), tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, crossingsOf(cs)); diff != "" {
				t.Errorf("crossings (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
}

// TestCrossingCarriesItsCause checks the fields a notice is written from.
func TestCrossingCarriesItsCause(t *testing.T) {
	rule := ledger.ThresholdRule{ID: "low", Watch: ledger.Watch{Currency: "USD"}, Percent: dec("25"), Of: dec("80")}
	j := applyEach(t, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: acct("c")}, dec("80"), ""),
		spendTx("s1", at(5), acct("c"), "70"))
	cs, err := ledger.Crossings(j, 1, 2, []ledger.ThresholdRule{rule})
	if err != nil || len(cs) != 1 {
		t.Fatalf("Crossings = %v, %v; want one", cs, err)
	}
	c := cs[0]
	if c.Rule.ID != "low" || c.Seq != 1 || c.Transaction != "s1" || !c.Time.Equal(at(5)) ||
		!c.Level.Equal(dec("20")) || !c.Before.Equal(dec("80")) || !c.After.Equal(dec("10")) || c.ID() != "threshold:low:1" {
		t.Errorf("crossing = %+v (id %s)", c, c.ID())
	}
}

// OpenMeter promises one notification event per threshold: a spend that
// jumps over several levels crosses each once, and the spends after it,
// while the balance stays below, cross nothing.
func TestCrossingsOneEventPerThreshold_OpenMeter(t *testing.T) {
	var rules []ledger.ThresholdRule
	for _, p := range []string{"75", "50", "25"} {
		rules = append(rules, ledger.ThresholdRule{ID: "p" + p, Watch: ledger.Watch{Currency: "USD"}, Percent: dec(p), Of: dec("1000")})
	}
	j := applyEach(t, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: acct("c")}, dec("1000"), ""))
	var got []string
	for i, amount := range []string{"900", "10", "10", "10"} {
		before := j.Len()
		j = apply(t, j, spendTx(fmt.Sprintf("s%d", i), at(i+1), acct("c"), amount))
		cs, err := ledger.Crossings(j, before, j.Len(), rules)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, crossingsOf(cs)...)
	}
	want := []string{"p25@1 1000→100", "p50@1 1000→100", "p75@1 1000→100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("crossings (-want +got):\n%s", diff)
	}
}

// A replayed transaction is not appended, so evaluating from the length
// before to the length after reports nothing new.
func TestCrossingsReplayReportsNothing(t *testing.T) {
	rule := ledger.ThresholdRule{ID: "low", Watch: ledger.Watch{Currency: "USD"}, Level: dec("50")}
	j := applyEach(t, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: acct("c")}, dec("100"), ""))
	spend := spendTx("s1", at(1), acct("c"), "80")
	var got []string
	for range 3 {
		before := j.Len()
		var err error
		if j, _, err = j.Apply(spend); err != nil {
			t.Fatal(err)
		}
		cs, err := ledger.Crossings(j, before, j.Len(), []ledger.ThresholdRule{rule})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, crossingsOf(cs)...)
	}
	if diff := cmp.Diff([]string{"low@1 100→20"}, got); diff != "" {
		t.Errorf("crossings over three applications of one spend (-want +got):\n%s", diff)
	}
}

func TestCrossingsInvalid(t *testing.T) {
	j := applyEach(t, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: acct("c")}, dec("100"), ""))
	rules := []ledger.ThresholdRule{
		{Watch: ledger.Watch{Currency: "usd"}},
		{ID: "a", Watch: ledger.Watch{Currency: "USD"}, Direction: "sideways", Percent: dec("-5"), Level: dec("3")},
		{ID: "a", Watch: ledger.Watch{Currency: "USD"}},
	}
	_, err := ledger.Crossings(j, 1, 5, rules)
	if !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	var re *ledger.RuleError
	if !errors.As(err, &re) {
		t.Fatalf("err = %T, want *RuleError", err)
	}
	for _, want := range []string{"missing id", `currency "usd"`, `direction "sideways"`, "negative percent -5",
		"reference must be positive", "both a level and a percent", `"a": id used twice`, "positions 1 to 5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if len(re.Problems) != 8 {
		t.Errorf("got %d problems, want 8:\n%v", len(re.Problems), err)
	}
}

// drawHistory draws a journal of grants, spends (some overdrawing a card
// with an overdraft) and top-ups over three accounts of two kinds.
func drawHistory(t *rapid.T) []ledger.Transaction {
	terms := []ledger.Terms{
		{Account: acct("a"), Kind: "free_credit", Group: "main"},
		{Account: acct("b"), Kind: "paid_credit", Group: "main", Overdraft: dec("30")},
		{Account: acct("c"), Kind: "paid_credit", Group: "ops"},
		{Account: acct("a"), Kind: "paid_credit", Group: "ops"}, // new terms move "a" between watches
	}
	var j ledger.Journal
	var txs []ledger.Transaction
	n := rapid.IntRange(1, 30).Draw(t, "n")
	for i := 0; i < n; i++ {
		k := rapid.IntRange(0, len(terms)-1).Draw(t, "account")
		amount := dec(fmt.Sprint(rapid.IntRange(1, 80).Draw(t, "amount")))
		id := fmt.Sprintf("t%d", i)
		var tx ledger.Transaction
		switch rapid.IntRange(0, 2).Draw(t, "op") {
		case 0:
			tx = ledger.Grant(id, at(i), terms[k], amount, "")
		case 1:
			tx = spendTx(id, at(i), terms[k].Account, amount.String())
		default:
			var err error
			if tx, err = ledger.TopUp(j, id, at(i), terms[k].Account, amount, ""); err != nil {
				t.Fatal(err)
			}
		}
		if next, _, err := j.Apply(tx); err == nil {
			j, txs = next, append(txs, tx)
		}
	}
	return txs
}

// drawRules draws threshold rules over the accounts of drawHistory.
func drawRules(t *rapid.T) []ledger.ThresholdRule {
	watches := []ledger.Watch{{Currency: "USD"}, {Currency: "USD", Kind: "paid_credit"}, {Currency: "USD", Instrument: "a"}, {Currency: "USD", Group: "ops"}}
	n := rapid.IntRange(1, 4).Draw(t, "rules")
	var rules []ledger.ThresholdRule
	for i := 0; i < n; i++ {
		r := ledger.ThresholdRule{ID: fmt.Sprintf("r%d", i), Watch: rapid.SampledFrom(watches).Draw(t, "watch"),
			Direction: rapid.SampledFrom([]ledger.Direction{"", ledger.Falling, ledger.Rising}).Draw(t, "direction")}
		if rapid.Bool().Draw(t, "percent") {
			r.Percent, r.Of = dec(fmt.Sprint(rapid.IntRange(1, 100).Draw(t, "pct"))), dec("100")
		} else {
			r.Level = dec(fmt.Sprint(rapid.IntRange(-30, 150).Draw(t, "level")))
		}
		rules = append(rules, r)
	}
	return rules
}

// TestCrossingsProperties checks, on drawn histories and rules, that
// crossings found batch by batch, under any split of the transactions into
// batches and with replays in between, are exactly those found over the
// whole journal, and that these agree with a reference that recomputes the
// watched balance from scratch after every transaction.
func TestCrossingsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		txs := drawHistory(t)
		rules := drawRules(t)
		whole := applyEach(t, ledger.Journal{}, txs...)
		all, err := ledger.Crossings(whole, 0, whole.Len(), rules)
		if err != nil {
			t.Fatal(err)
		}

		// Reference: the watched balance of every prefix, from scratch.
		var want []string
		var j ledger.Journal
		for seq, tx := range txs {
			next := applyEach(t, j, tx)
			for _, r := range sortedRules(rules) {
				b, a, level := r.Watch.Balance(j), r.Watch.Balance(next), r.Threshold()
				falls := b.Cmp(level) >= 0 && a.Cmp(level) < 0
				rises := b.Cmp(level) < 0 && a.Cmp(level) >= 0
				if (r.Direction == ledger.Rising && rises) || (r.Direction != ledger.Rising && falls) {
					want = append(want, fmt.Sprintf("%s@%d %s→%s", r.ID, seq, b, a))
				}
			}
			j = next
		}
		if diff := cmp.Diff(want, crossingsOf(all)); diff != "" {
			t.Fatalf("whole journal against the reference (-want +got):\n%s", diff)
		}

		// Batches, each applied with ApplyAll and then replayed.
		var got []string
		j = ledger.Journal{}
		for rest := txs; len(rest) > 0; {
			k := rapid.IntRange(1, len(rest)).Draw(t, "batch")
			before := j.Len()
			next, _, _, err := j.ApplyAll(rest[:k])
			if err != nil {
				t.Fatal(err)
			}
			cs, err := ledger.Crossings(next, before, next.Len(), rules)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, crossingsOf(cs)...)
			replayed, _, fresh, err := next.ApplyAll(rest[:k])
			if err != nil || len(fresh) != 0 {
				t.Fatalf("replay: %v, %d fresh", err, len(fresh))
			}
			cs, err = ledger.Crossings(replayed, next.Len(), replayed.Len(), rules)
			if err != nil || len(cs) != 0 {
				t.Fatalf("replay crossed %v (%v)", crossingsOf(cs), err)
			}
			j, rest = next, rest[k:]
		}
		if diff := cmp.Diff(crossingsOf(all), got); diff != "" {
			t.Fatalf("batches against the whole journal (-whole +batches):\n%s", diff)
		}
	})
}

// sortedRules returns rules in id order, the order Crossings reports a
// position's crossings in.
func sortedRules(rules []ledger.ThresholdRule) []ledger.ThresholdRule {
	out := append([]ledger.ThresholdRule(nil), rules...)
	for i := range out {
		for k := i + 1; k < len(out); k++ {
			if out[k].ID < out[i].ID {
				out[i], out[k] = out[k], out[i]
			}
		}
	}
	return out
}
