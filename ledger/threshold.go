package ledger

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// A Watch selects the instrument accounts whose balances a [ThresholdRule]
// adds up: every instrument account in Currency whose [Terms] in force
// match each of the other fields that is set. The zero value of a field
// matches any account, so Watch{Currency: "KRW"} is the whole wallet in
// won, Watch{Currency: "KRW", Kind: "paid_credit"} one kind of instrument
// and Watch{Currency: "KRW", Instrument: "PC-1"} one instrument.
//
// What a watch follows is the balance of those accounts as the journal
// holds it: value on an instrument that has expired counts until [Expire]
// moves it, and an overdrawn instrument counts negative. What an open
// hold reserves sits in the hold's held accounts ([HeldAccount]), not on
// the instrument, so a watch follows the available balance.
//
// The zero Watch is not valid: it has no currency.
type Watch struct {
	// Currency is the currency of the accounts. Required.
	Currency string `json:"currency"`
	// Instrument, if set, is the id of the one instrument watched.
	Instrument string `json:"instrument,omitempty"`
	// Kind, if set, is the [Terms].Kind of the instruments watched.
	Kind string `json:"kind,omitempty"`
	// Group, if set, is the [Terms].Group (billing group) watched.
	Group string `json:"group,omitempty"`
}

// matches reports whether instrument account a, held on terms t, is
// watched by w.
func (w Watch) matches(a Account, t Terms) bool {
	return a.IsInstrument() && a.currency == w.Currency &&
		(w.Instrument == "" || a.id == w.Instrument) &&
		(w.Kind == "" || t.Kind == w.Kind) &&
		(w.Group == "" || t.Group == w.Group)
}

// Balance returns the summed balance of the accounts w selects in j, as
// of the whole journal.
func (w Watch) Balance(j Journal) decimal.Decimal {
	var sum decimal.Decimal
	for _, a := range j.liveAccounts() { // instruments only: settled holds do not matter
		if t, _ := j.Terms(a); w.matches(a, t) {
			sum = sum.Add(j.Balance(a))
		}
	}
	return sum
}

// A Direction says which way a balance must move through a threshold to
// cross it. The zero Direction is [Falling].
type Direction string

const (
	// Falling crosses when a balance at or above the level drops below it:
	// "your credit is running low".
	Falling Direction = "falling"
	// Rising crosses when a balance below the level reaches it or goes
	// above: "your balance is back".
	Rising Direction = "rising"
)

// A ThresholdRule names a level of a watched balance that a host wants to
// hear about when the balance crosses it (Lago and Metronome balance
// alerts, OpenMeter's balance thresholds).
//
// The level is Level, or, when Percent is not zero, Percent % of Of (for
// example 10 % of a monthly grant), computed exactly: no rounding is
// needed, as the percentage is a decimal shift.
//
// The zero ThresholdRule is not valid: it has no id and no currency.
type ThresholdRule struct {
	// ID identifies the rule among the rules evaluated together. Required.
	ID string `json:"id"`
	// Watch selects the balance the rule follows.
	Watch Watch `json:"watch"`
	// Direction is the way the balance must move; zero means [Falling].
	Direction Direction `json:"direction,omitempty"`
	// Level is the threshold as an amount (zero is a level too: "the
	// balance went negative"). Must be zero when Percent is set.
	Level decimal.Decimal `json:"level"`
	// Percent, if not zero, makes the threshold Percent % of Of. It must
	// not be negative.
	Percent decimal.Decimal `json:"percent"`
	// Of is the reference amount Percent is taken of; it must be positive
	// when Percent is set.
	Of decimal.Decimal `json:"of"`
}

// Threshold returns the rule's level: Level, or Percent % of Of.
func (r ThresholdRule) Threshold() decimal.Decimal {
	if r.Percent.IsZero() {
		return r.Level
	}
	return r.Of.Mul(r.Percent).Shift(-2)
}

// crosses reports whether a balance moving from before to after crosses
// the rule's level.
func (r ThresholdRule) crosses(level, before, after decimal.Decimal) bool {
	if r.Direction == Rising {
		return before.Cmp(level) < 0 && after.Cmp(level) >= 0
	}
	return before.Cmp(level) >= 0 && after.Cmp(level) < 0
}

// problems lists what makes r invalid, each prefixed with the rule's name.
func (r ThresholdRule) problems() []string {
	var ps []string
	if r.ID == "" {
		ps = append(ps, "missing id")
	}
	if !allocation.ValidCurrency(r.Watch.Currency) {
		ps = append(ps, fmt.Sprintf("watch currency %q is not three upper-case letters", r.Watch.Currency))
	}
	if r.Direction != "" && r.Direction != Falling && r.Direction != Rising {
		ps = append(ps, fmt.Sprintf("unknown direction %q", r.Direction))
	}
	if !r.Percent.IsZero() {
		if r.Percent.IsNegative() {
			ps = append(ps, fmt.Sprintf("negative percent %s", exact(r.Percent)))
		}
		if !r.Of.IsPositive() {
			ps = append(ps, fmt.Sprintf("percent %s of %s: the reference must be positive", exact(r.Percent), exact(r.Of)))
		}
		if !r.Level.IsZero() {
			ps = append(ps, "both a level and a percent")
		}
	}
	return prefixed(fmt.Sprintf("threshold rule %q", r.ID), ps)
}

// A Crossing is one time a watched balance crossed a rule's threshold: the
// transaction at position Seq took it from Before to After, through
// Level.
type Crossing struct {
	// Rule is the rule crossed, as given.
	Rule ThresholdRule
	// Level is the rule's threshold.
	Level decimal.Decimal
	// Seq is the position of the transaction that crossed, and
	// Transaction and Time its id and time.
	Seq         int
	Transaction string
	Time        time.Time
	// Before and After are the watched balance just before and just after
	// that transaction.
	Before, After decimal.Decimal
}

// ID returns "threshold:RULE:SEQ": the same for the same crossing however
// often it is computed, for a host to deduplicate the notices it sends.
func (c Crossing) ID() string {
	return "threshold:" + c.Rule.ID + ":" + strconv.Itoa(c.Seq)
}

// Crossings returns every crossing of rules by the transactions at
// positions from to to−1 of j, ordered by position and then rule id.
//
// A crossing belongs to the one transaction that moved the balance through
// the level, so each crossing is found once: evaluating position ranges
// that split a journal in any way finds, together, what evaluating it
// whole finds, and a replayed transaction (which [Journal.Apply] does not
// append) adds no position and so no crossing. A balance that stays on the
// far side of a level crosses nothing more until it has come back; a
// transaction that crosses several levels at once crosses each (one notice
// per threshold, as OpenMeter promises). A host that evaluates the range
// from the journal's length before an append to its length after, on
// every append, sees every crossing exactly once, however large a burst:
// nothing is sampled.
//
// The watched balance after a transaction counts the accounts its Watch
// matches under the terms in force after it; one that the transaction
// brings into or out of the watch (by setting its terms) counts after it
// and not before, or the reverse.
//
// It fails with an error wrapping [ErrInvalid] ([*RuleError], listing every
// problem) if a rule is invalid, two rules share an id, or 0 ≤ from ≤ to ≤
// j.Len() does not hold.
func Crossings(j Journal, from, to int, rules []ThresholdRule) ([]Crossing, error) {
	var ps []string
	for i, r := range rules {
		ps = append(ps, r.problems()...)
		if r.ID != "" && slices.ContainsFunc(rules[:i], func(q ThresholdRule) bool { return q.ID == r.ID }) {
			ps = append(ps, fmt.Sprintf("threshold rule %q: id used twice", r.ID))
		}
	}
	if from < 0 || from > to || to > j.Len() {
		ps = append(ps, fmt.Sprintf("positions %d to %d are not a range of a journal of %d transactions", from, to, j.Len()))
	} else if from < j.Base() {
		ps = append(ps, fmt.Sprintf("position %d is before the journal's checkpoint at %d", from, j.Base()))
	}
	if len(ps) > 0 {
		return nil, &RuleError{Problems: ps}
	}
	order := slices.Clone(rules)
	slices.SortFunc(order, func(a, b ThresholdRule) int { return strings.Compare(a.ID, b.ID) })
	levels := make([]decimal.Decimal, len(order))
	values := make([]decimal.Decimal, len(order))
	start := j.upTo(from)
	for i, r := range order {
		levels[i], values[i] = r.Threshold(), r.Watch.Balance(start)
	}
	var out []Crossing
	txs := j.txs()
	for seq := from; seq < to; seq++ {
		tx := &txs[seq-j.Base()]
		before, after := j.upTo(seq), j.upTo(seq+1)
		changes := touched(tx)
		for i, r := range order {
			v := values[i]
			for _, a := range changes {
				if t, _ := before.Terms(a); r.Watch.matches(a, t) {
					v = v.Sub(before.Balance(a))
				}
				if t, _ := after.Terms(a); r.Watch.matches(a, t) {
					v = v.Add(after.Balance(a))
				}
			}
			if r.crosses(levels[i], values[i], v) {
				out = append(out, Crossing{Rule: r, Level: levels[i], Seq: seq, Transaction: tx.ID,
					Time: tx.Time, Before: values[i], After: v})
			}
			values[i] = v
		}
	}
	return out, nil
}

// touched returns the instrument accounts tx posts to or sets terms for,
// each once, in order of first mention.
func touched(tx *Transaction) []Account {
	var out []Account
	add := func(a Account) {
		if a.IsInstrument() && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, p := range tx.Postings {
		add(p.Account)
	}
	for _, t := range tx.Terms {
		add(t.Account)
	}
	return out
}

// upTo returns the journal of j's first n transactions (0 ≤ n ≤ j.Len()).
func (j Journal) upTo(n int) Journal { return Journal{j.l, n} }

// A RuleError lists every problem found in the rules or schedules given to
// [Crossings], [EvaluateTopUp] or [GrantSchedule.Reset] (or in the positions or period
// asked for). It wraps [ErrInvalid].
type RuleError struct {
	// Problems are human-readable, one per problem, each naming the rule.
	Problems []string
}

// Error joins the problems, one per line.
func (e *RuleError) Error() string {
	return "ledger: invalid rules:\n\t" + strings.Join(e.Problems, "\n\t")
}

// Unwrap returns [ErrInvalid].
func (e *RuleError) Unwrap() error { return ErrInvalid }

// prefixed returns ps, each preceded by name and a colon.
func prefixed(name string, ps []string) []string {
	for i := range ps {
		ps[i] = name + ": " + ps[i]
	}
	return ps
}
