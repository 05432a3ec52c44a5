package ledger

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// An AutoTopUp is a rule that recharges an instrument account when its
// balance falls below Threshold (Lago's threshold recurring rule,
// Metronome's threshold recharge, Orb's top-up blocks): by Amount, in as
// many whole increments as the shortfall needs, or, with Amount zero, up
// to Target. [EvaluateTopUp] applies it to a journal.
//
// The balance a rule compares is the account's balance in the journal,
// which is what is available: what an open hold reserves sits in the
// hold's held accounts ([HeldAccount]), not on the instrument.
//
// Amounts of the account (Threshold, Amount, Target) are in the account's
// currency, which may be a unit of credit; amounts of money charged (Min,
// Max, Cap) are in the money the customer pays, of which Rate units of
// credit are bought per unit (1 when zero), with Places decimals.
//
// The zero AutoTopUp is not valid: it has no id, account or target.
type AutoTopUp struct {
	// ID identifies the rule; it is part of every charge's id. Required.
	ID string `json:"id"`
	// Account is the instrument account watched and credited. Required.
	Account Account `json:"account"`
	// Threshold: the rule charges when the balance (with pending
	// top-ups) is below it.
	Threshold decimal.Decimal `json:"threshold"`
	// Amount, if positive, is the fixed increment: a charge buys the
	// fewest whole increments (at least one) that bring the balance back
	// to Threshold.
	Amount decimal.Decimal `json:"amount"`
	// Target, when Amount is zero, is the balance a charge recharges to;
	// it must be above Threshold.
	Target decimal.Decimal `json:"target"`
	// Rate is how many units of the account one unit of money buys; zero
	// means 1. It must not be negative.
	Rate decimal.Decimal `json:"rate"`
	// Places is the number of decimals of a money charge (2 for USD, 0
	// for KRW): a charge is rounded up to it, so that it buys at least
	// what is missing.
	Places int32 `json:"places"`
	// Min and Max bound one charge, in money; zero means no bound.
	Min decimal.Decimal `json:"min"`
	Max decimal.Decimal `json:"max"`
	// Cap, if positive, is the most money the rule charges per period of
	// CapPeriod, counting the charges it booked in the period and those
	// pending.
	Cap       decimal.Decimal `json:"cap"`
	CapPeriod Period          `json:"cap_period"`
}

// rate returns the rule's rate, 1 when zero.
func (r AutoTopUp) rate() decimal.Decimal {
	if r.Rate.IsZero() {
		return decimal.New(1, 0)
	}
	return r.Rate
}

// problems lists what makes r invalid, each naming the rule.
func (r AutoTopUp) problems() []string {
	var ps []string
	if r.ID == "" {
		ps = append(ps, "missing id")
	}
	if p := r.Account.problem(); p != "" {
		ps = append(ps, p)
	} else if !r.Account.IsInstrument() {
		ps = append(ps, fmt.Sprintf("%s is not an instrument account", r.Account))
	}
	switch {
	case r.Amount.IsNegative():
		ps = append(ps, fmt.Sprintf("negative amount %s", exact(r.Amount)))
	case r.Amount.IsPositive() && !r.Target.IsZero():
		ps = append(ps, "both a fixed amount and a target")
	case r.Amount.IsZero() && r.Target.Cmp(r.Threshold) <= 0:
		ps = append(ps, fmt.Sprintf("target %s is not above the threshold %s", exact(r.Target), exact(r.Threshold)))
	}
	if r.Rate.IsNegative() {
		ps = append(ps, fmt.Sprintf("negative rate %s", exact(r.Rate)))
	}
	if r.Places < 0 || r.Places > 18 {
		ps = append(ps, fmt.Sprintf("%d places: want 0 to 18", r.Places))
	}
	for _, b := range []struct {
		name string
		d    decimal.Decimal
	}{{"minimum", r.Min}, {"maximum", r.Max}, {"cap", r.Cap}} {
		if b.d.IsNegative() {
			ps = append(ps, fmt.Sprintf("negative %s %s", b.name, exact(b.d)))
		}
	}
	if r.Max.IsPositive() && r.Min.Cmp(r.Max) > 0 {
		ps = append(ps, fmt.Sprintf("minimum %s above maximum %s", exact(r.Min), exact(r.Max)))
	}
	if r.Cap.IsPositive() {
		ps = append(ps, r.CapPeriod.problems()...)
	}
	return prefixed(fmt.Sprintf("auto top-up %q", r.ID), ps)
}

// A Charge is what [EvaluateTopUp] decided: when Money is positive, the
// money to collect from the customer and the credit to book for it with
// [Charge.Book]; in any case the reason. A host keeps the charges it has
// not booked yet (in JSON, say) to pass them back as pending.
type Charge struct {
	// ID is "autotopup:RULE:SEQ", where SEQ is the position of the
	// transaction whose crossing the charge answers. It is the charge's
	// idempotency key (for the payment provider too) and the id of the
	// top-up transaction that books it. Empty when nothing is charged.
	ID string `json:"id"`
	// Rule is the rule's id and Account the account credited.
	Rule    string  `json:"rule"`
	Account Account `json:"account"`
	// Seq is the position of the crossing transaction, or -1.
	Seq int `json:"seq"`
	// Balance is the account's balance, Pending the credit of pending
	// charges counted with it, and Debts what [TopUp] would repay on
	// other accounts before crediting this one: the shortfall is measured
	// from Balance + Pending − Debts.
	Balance decimal.Decimal `json:"balance"`
	Pending decimal.Decimal `json:"pending"`
	Debts   decimal.Decimal `json:"debts"`
	// Money is the amount to charge, in money; Credit what it buys on the
	// account (Money × Rate).
	Money  decimal.Decimal `json:"money"`
	Credit decimal.Decimal `json:"credit"`
	// Reason says, for people, why the charge is this size, or why there
	// is none.
	Reason string `json:"reason"`
}

// Book returns the top-up transaction that books c on j: [TopUp] of Credit
// onto the account with id c.ID, time at and c.Reason as note, so it
// repays what is owed first, and booking the same charge again is a
// replay. It fails with [ErrInvalid] for a charge of nothing.
func (c Charge) Book(j Journal, at time.Time) (Transaction, error) {
	return TopUp(j, c.ID, at, c.Account, c.Credit, c.Reason)
}

// chargeID returns the id of rule's charge answering the crossing at seq.
func chargeID(rule string, seq int) string {
	return "autotopup:" + rule + ":" + strconv.Itoa(seq)
}

// isChargeOf reports whether id is the id of a charge of rule.
func isChargeOf(id, rule string) bool {
	rest, ok := strings.CutPrefix(id, "autotopup:"+rule+":")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// EvaluateTopUp applies rule to j at time at, with pending the charges
// decided earlier whose top-ups are not booked yet (those j already holds
// are ignored), and returns the charge to make, if any (ok), with its
// reason either way. It reads no clock and changes nothing: evaluating
// again with the same arguments returns the same charge, with the same id.
//
// A charge answers one crossing: the transaction that took the account's
// balance from at or above Threshold to below it, or, after a charge that
// left it below (a Max or Cap, or a pending charge too small), the next
// transaction that lowered it further. The charge's id is derived from the
// rule and that transaction's position, not from when the evaluation ran,
// so a retried evaluation, even after more spends, names the same charge:
// once the top-up is booked (or passed as pending), that crossing is
// answered. A retry after more spends that does not pass the first charge
// as pending gets the same id sized to the larger shortfall; booking it
// after the first fails with [ErrConflict], so even then nothing is
// charged twice (pass charges in flight as pending). The rule is evaluated on the journal right after a spend,
// not on a poll, so a burst of spends cannot run past it (Lago #4954).
//
// Nothing is charged when the balance plus the pending credit on the
// account is at or above Threshold (Lago PR #6177: a top-up on its way
// counts), or when no transaction lowered the balance since the rule's
// last charge. Otherwise the charge is sized to the whole shortfall in one
// go (PR #6177: not one increment per evaluation), measured from balance +
// pending − debts, where debts are what [TopUp] repays before crediting
// the account (the receivable and the overdrawn accounts of its group):
//
//  1. credit needed: Target − that, or the fewest whole Amounts (at
//     least one) that bring it back to Threshold;
//  2. money: credit needed ÷ Rate, rounded up to Places (credits and money
//     are never compared with each other: PR #6177);
//  3. at least Min, at most Max, and at most what Cap leaves in the
//     CapPeriod containing at (booked charges of the rule dated in it,
//     and pending ones); nothing if that leaves less than Min, or nothing;
//  4. credit: money × Rate.
//
// It fails with an error wrapping [ErrInvalid] ([*RuleError]) if the rule
// is invalid, at is zero, or a pending charge is of another account.
func EvaluateTopUp(j Journal, rule AutoTopUp, at time.Time, pending []Charge) (Charge, bool, error) {
	ps := rule.problems()
	if at.IsZero() {
		ps = append(ps, fmt.Sprintf("auto top-up %q: missing time", rule.ID))
	}
	for _, p := range pending {
		if p.Account != rule.Account {
			ps = append(ps, fmt.Sprintf("auto top-up %q: pending charge %q is for %s", rule.ID, p.ID, p.Account))
		}
	}
	if len(ps) > 0 {
		return Charge{}, false, &RuleError{Problems: ps}
	}
	c := Charge{Rule: rule.ID, Account: rule.Account, Seq: -1, Balance: j.Balance(rule.Account)}
	pendingIDs := map[string]bool{}
	var pendingMoney decimal.Decimal
	for _, p := range pending {
		if _, booked := j.Transaction(p.ID); booked || p.ID == "" || pendingIDs[p.ID] {
			continue
		}
		pendingIDs[p.ID] = true
		c.Pending = c.Pending.Add(p.Credit)
		if p.Rule == rule.ID {
			pendingMoney = pendingMoney.Add(p.Money)
		}
	}
	have := c.Balance.Add(c.Pending)
	if have.Cmp(rule.Threshold) >= 0 {
		c.Reason = fmt.Sprintf("balance %s with %s pending is not below %s", exact(c.Balance), exact(c.Pending), exact(rule.Threshold))
		return c, false, nil
	}
	c.Seq = crossing(j, rule, pendingIDs)
	if c.Seq < 0 {
		c.Reason = fmt.Sprintf("balance %s is below %s, but no transaction since the rule's last charge lowered it", exact(c.Balance), exact(rule.Threshold))
		return c, false, nil
	}
	c.Debts = debtsAhead(j, rule.Account)
	short := have.Sub(c.Debts)
	var need decimal.Decimal
	var why string
	if rule.Amount.IsPositive() {
		gap := rule.Threshold.Sub(short) // positive: short < Threshold, so n ≥ 1
		n, rem := gap.QuoRem(rule.Amount, 0)
		if rem.IsPositive() {
			n = n.Add(decimal.New(1, 0))
		}
		need = n.Mul(rule.Amount)
		why = fmt.Sprintf("%s × %s to clear the shortfall of %s below %s", exact(n), exact(rule.Amount), exact(gap), exact(rule.Threshold))
	} else {
		need = rule.Target.Sub(short)
		why = fmt.Sprintf("%s to recharge to %s", exact(need), exact(rule.Target))
	}
	if c.Debts.IsPositive() {
		why += fmt.Sprintf(" (of which %s repays debts first)", exact(c.Debts))
	}
	rate := rule.rate()
	money, rem := need.QuoRem(rate, rule.Places)
	if rem.IsPositive() {
		money = money.Add(decimal.New(1, -rule.Places))
	}
	if rule.Min.IsPositive() && money.Cmp(rule.Min) < 0 {
		money = rule.Min
		why += fmt.Sprintf("; raised to the minimum charge %s", exact(rule.Min))
	}
	if rule.Max.IsPositive() && money.Cmp(rule.Max) > 0 {
		money = rule.Max
		why += fmt.Sprintf("; limited to the maximum charge %s", exact(rule.Max))
	}
	if rule.Cap.IsPositive() {
		n := rule.CapPeriod.Index(at)
		spent := chargedIn(j, rule, rule.CapPeriod.Start(n), rule.CapPeriod.Start(n+1)).Add(pendingMoney)
		left := rule.Cap.Sub(spent)
		if money.Cmp(left) > 0 {
			money = decimal.Max(left, decimal.Decimal{})
			why += fmt.Sprintf("; limited by the cap of %s per period starting %s, of which %s is charged",
				exact(rule.Cap), rule.CapPeriod.Key(n), exact(spent))
		}
		if !money.IsPositive() || money.Cmp(rule.Min) < 0 {
			c.Reason = "nothing charged: " + why
			return c, false, nil
		}
	}
	c.ID, c.Money, c.Credit = chargeID(rule.ID, c.Seq), money, money.Mul(rate)
	c.Reason = fmt.Sprintf("auto top-up %s: balance %s", rule.ID, exact(c.Balance))
	if c.Pending.IsPositive() {
		c.Reason += fmt.Sprintf(" + %s pending", exact(c.Pending))
	}
	c.Reason += fmt.Sprintf(" below %s after transaction %d; %s", exact(rule.Threshold), c.Seq, why)
	return c, true, nil
}

// crossing returns the position of the transaction whose crossing of
// rule's threshold is not answered yet, or -1: walking back over the
// account's own transactions from the newest while the balance after each
// is below the threshold, it stops at the rule's own booked top-up, at a
// transaction a charge (booked or pending) already answers, and at the
// transaction the balance was at or above the threshold before; the
// crossing is the earliest transaction of that walk.
func crossing(j Journal, rule AutoTopUp, pending map[string]bool) int {
	if j.l == nil {
		return -1
	}
	j.l.mu.RLock()
	ac := j.l.accts[rule.Account]
	var entries []entry
	if ac != nil {
		entries = ac.entries[:ac.count(j.n)]
	}
	off := j.l.off // a resumed journal: an instrument's entries start there
	txs := j.l.txs[:j.n-off]
	j.l.mu.RUnlock()

	bal, found := j.Balance(rule.Account), -1
	for k := len(entries); k > 0 && entries[k-1].seq >= off; {
		seq := entries[k-1].seq
		after := bal
		for ; k > 0 && entries[k-1].seq == seq; k-- {
			bal = bal.Sub(txs[seq-off].Postings[entries[k-1].post].Amount)
		}
		id := chargeID(rule.ID, seq)
		_, answered := j.Transaction(id)
		if after.Cmp(rule.Threshold) >= 0 || answered || pending[id] ||
			txs[seq-off].Kind == KindTopUp && isChargeOf(txs[seq-off].ID, rule.ID) {
			break
		}
		found = seq
		if bal.Cmp(rule.Threshold) >= 0 {
			break
		}
	}
	return found
}

// debtsAhead returns what [TopUp] onto a repays before crediting a: the
// debt of the receivable of a's currency and of every other overdrawn
// instrument account of that currency in a's billing group.
func debtsAhead(j Journal, a Account) decimal.Decimal {
	debt := decimal.Max(j.Balance(SystemAccount(Receivable, a.currency)).Neg(), decimal.Decimal{})
	group := groupOf(j, a)
	for _, b := range j.liveAccounts() { // instruments only: settled holds do not matter
		if b != a && b.IsInstrument() && b.currency == a.currency && groupOf(j, b) == group {
			if bal := j.Balance(b).Add(j.Held(b)); bal.IsNegative() { // a hold is not a debt (TopUp)
				debt = debt.Sub(bal)
			}
		}
	}
	return debt
}

// chargedIn returns the money rule's booked top-ups dated in [from, to)
// charged: the amount each took from [Issued], divided by the rate (exact,
// as the amount is money × rate).
func chargedIn(j Journal, rule AutoTopUp, from, to time.Time) decimal.Decimal {
	var sum decimal.Decimal
	for e := range j.Entries(SystemAccount(Issued, rule.Account.currency), Filter{From: from, To: to, Kinds: []Kind{KindTopUp}}) {
		if isChargeOf(e.ID, rule.ID) {
			sum = sum.Add(e.Amount.Neg())
		}
	}
	q, _ := sum.QuoRem(rule.rate(), rule.Places)
	return q
}
