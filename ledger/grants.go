package ledger

import (
	"fmt"
	"strings"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// A GrantSchedule grants Amount every period (a monthly free credit,
// OpenMeter's recurring grants, Orb's allocations), each period's grant on
// its own instrument account that expires after Lasts periods. At each
// period boundary [Reset] expires what the schedule's accounts still hold
// and keeps part of it, as [Rollover] says, on a rollover account of the
// new period.
//
// Accounts are named after the schedule and the period ([Period.Key]): the
// grant of period n is on [GrantSchedule.GrantAccount](n), "ID/2024-02-01",
// and what rolled over into it on [GrantSchedule.RolloverAccount](n),
// "ID/2024-02-01/rollover". Both hold Terms: the schedule's Kind, Group and
// Transferable; Overdraft for the grant account only; and Expires.
//
// The zero GrantSchedule is not valid: it has no id, currency, amount or
// period.
type GrantSchedule struct {
	// ID names the schedule's accounts and transactions. Required.
	ID string `json:"id"`
	// Currency is the currency of the grants. Required.
	Currency string `json:"currency"`
	// Kind, Group and Transferable are those of every account's [Terms];
	// Overdraft is the grant accounts' (rolled-over credit has none).
	Kind         string          `json:"kind,omitempty"`
	Group        string          `json:"group,omitempty"`
	Transferable bool            `json:"transferable,omitempty"`
	Overdraft    decimal.Decimal `json:"overdraft"`
	// Amount is granted each period. It must be positive.
	Amount decimal.Decimal `json:"amount"`
	// Period is when periods start (anchored like renewals).
	Period Period `json:"period"`
	// Lasts is how many periods a grant stays usable: the grant of period
	// n expires at the start of period n+Lasts. Zero means 1.
	Lasts int `json:"lasts"`
	// Rollover says what is kept of what expires.
	Rollover Rollover `json:"rollover"`
}

// A Rollover says how much of what a [GrantSchedule]'s accounts hold when
// they expire carries into the next period (OpenMeter's
// maxRolloverAmount): what is left, capped by MaxAmount and by MaxPercent %
// of the schedule's Amount (rounded down to Places), whichever is smaller.
// The rest is forfeited.
//
// The zero Rollover keeps nothing: every reset forfeits what is left.
type Rollover struct {
	// MaxAmount, if positive, caps what rolls over.
	MaxAmount decimal.Decimal `json:"max_amount"`
	// MaxPercent, if positive, caps what rolls over at this percentage of
	// the schedule's Amount, rounded down to Places decimals.
	MaxPercent decimal.Decimal `json:"max_percent"`
	// Places is the number of decimals of the percentage cap.
	Places int32 `json:"places"`
	// Lasts is how many periods rolled-over credit stays usable: what
	// rolls over into period n expires at the start of period n+Lasts
	// (and then rolls over again, capped again). Zero means 1.
	Lasts int `json:"lasts"`
	// PreserveOverage makes the next grant repay first what the expiring
	// accounts owe (balances below zero, possible with an overdraft), as
	// OpenMeter's preserveOverageAtReset does; without it the debt stays
	// on the expired account, where [TopUp] repays it.
	PreserveOverage bool `json:"preserve_overage"`
}

// periods returns n, or 1 when n is zero.
func periods(n int) int { return max(n, 1) }

// GrantAccount returns the account the grant of period n is on.
func (s GrantSchedule) GrantAccount(n int) Account {
	return InstrumentAccount(s.ID+"/"+s.Period.Key(n), s.Currency)
}

// RolloverAccount returns the account what rolled over into period n is
// on.
func (s GrantSchedule) RolloverAccount(n int) Account {
	return InstrumentAccount(s.ID+"/"+s.Period.Key(n)+"/rollover", s.Currency)
}

// terms returns the schedule's terms for account a, expiring at until.
func (s GrantSchedule) terms(a Account, until time.Time, overdraft bool) Terms {
	t := Terms{Account: a, Kind: s.Kind, Group: s.Group, Expires: until, Transferable: s.Transferable}
	if overdraft {
		t.Overdraft = s.Overdraft
	}
	return t
}

// limit returns the most that may roll over and why, or false when
// nothing may.
func (r Rollover) limit(amount decimal.Decimal) (decimal.Decimal, string, bool) {
	var c decimal.Decimal
	var why []string
	set := false
	if r.MaxAmount.IsPositive() {
		c, set = r.MaxAmount, true
		why = append(why, fmt.Sprintf("max amount %s", exact(r.MaxAmount)))
	}
	if r.MaxPercent.IsPositive() {
		p := amount.Mul(r.MaxPercent).Shift(-2).RoundDown(r.Places)
		why = append(why, fmt.Sprintf("%s %% of %s = %s", exact(r.MaxPercent), exact(amount), exact(p)))
		if !set || p.Cmp(c) < 0 {
			c = p
		}
		set = true
	}
	return c, strings.Join(why, ", "), set
}

// problems lists what makes s, asked for period n, invalid.
func (s GrantSchedule) problems(n int) []string {
	var ps []string
	if s.ID == "" {
		ps = append(ps, "missing id")
	}
	if !allocation.ValidCurrency(s.Currency) {
		ps = append(ps, fmt.Sprintf("currency %q is not three upper-case letters", s.Currency))
	}
	if !s.Amount.IsPositive() {
		ps = append(ps, fmt.Sprintf("amount %s is not positive", exact(s.Amount)))
	}
	if s.Overdraft.IsNegative() {
		ps = append(ps, fmt.Sprintf("negative overdraft %s", exact(s.Overdraft)))
	}
	pp := s.Period.problems()
	ps = append(ps, pp...)
	if s.Lasts < 0 || s.Rollover.Lasts < 0 {
		ps = append(ps, fmt.Sprintf("lasts %d and %d periods: want 0 or more", s.Lasts, s.Rollover.Lasts))
	}
	r := s.Rollover
	if r.MaxAmount.IsNegative() {
		ps = append(ps, fmt.Sprintf("negative rollover max amount %s", exact(r.MaxAmount)))
	}
	if r.MaxPercent.IsNegative() || r.MaxPercent.Cmp(decimal.New(100, 0)) > 0 {
		ps = append(ps, fmt.Sprintf("rollover max percent %s: want 0 to 100", exact(r.MaxPercent)))
	}
	if r.Places < 0 || r.Places > 18 {
		ps = append(ps, fmt.Sprintf("%d places: want 0 to 18", r.Places))
	}
	if len(pp) == 0 && s.Lasts >= 0 && s.Rollover.Lasts >= 0 {
		last := n + max(periods(s.Lasts), periods(s.Rollover.Lasts))
		if n < -maxPeriodMonths || last > maxPeriodMonths ||
			s.Period.Start(n).Year() < 1 || s.Period.Start(last).Year() > 9999 {
			ps = append(ps, fmt.Sprintf("period %d is outside the years 0001–9999", n))
		}
	}
	return prefixed(fmt.Sprintf("grant schedule %q", s.ID), ps)
}

// A Reset is what [Reset] books at the start of one period of a
// [GrantSchedule], and why.
type Reset struct {
	// Schedule and Period say which reset this is; Start is when the
	// period starts, the time of both transactions.
	Schedule string
	Period   int
	Start    time.Time
	// Transactions are, in order, the grant, "grant:ID:KEY" of kind
	// [KindGrant], and the reset, "reset:ID:KEY" of kind [KindExpire]
	// (what expired: forfeited to [Expired], kept onto the rollover
	// account). Apply both, for example with [Journal.ApplyAll]. The grant
	// comes first so that a balance watched across the schedule's accounts
	// does not dip through a threshold between the two.
	Transactions []Transaction
	// Lines explain, per expiring account with a balance, what was left
	// and what became of it.
	Lines []RolloverLine
	// Left is what the expiring accounts held (their positive balances),
	// Kept what rolled over and Forfeited the rest: Left = Kept +
	// Forfeited. Repaid is the overage the grant repaid
	// (Rollover.PreserveOverage) and Granted what the grant put on the new
	// period's account: Repaid + Granted = the schedule's Amount.
	Left, Kept, Forfeited, Repaid, Granted decimal.Decimal
	// Reason explains the cap applied to what rolled over.
	Reason string
}

// A RolloverLine tells what became of one expiring account at a [Reset].
type RolloverLine struct {
	Account Account
	// Left is the balance when the account expired; Kept + Forfeited =
	// Left when positive; Repaid is the debt the grant repaid when
	// negative.
	Left, Kept, Forfeited, Repaid decimal.Decimal
	// Reason says, for people, why.
	Reason string
}

// Reset returns what the start of period n of schedule s books on j: the
// expiry of the schedule's accounts that expire then (the grant of period
// n−Lasts and the rollover into period n−Rollover.Lasts), part of what they
// hold kept on the rollover account of period n, the rest forfeited, and
// the grant of period n.
//
// What is kept is the sum of their positive balances, capped as
// [Rollover] says; it is taken from the accounts in [Account.Compare]
// order, so each line says how much of its own balance was kept and how
// much forfeited, and why. Debts (negative balances) stay, unless
// Rollover.PreserveOverage has the grant repay them first, up to its
// amount.
//
// Run Reset before [Expire] for the same instant: Expire would forfeit
// everything the schedule's accounts hold, leaving nothing to roll over.
//
// The transactions' ids derive from the schedule and the period, so a
// reset run twice for one period books once: if j already holds the
// grant, Reset computes both again on the journal as it was just before it
// and returns the stored transactions (which Apply reports as replays),
// or an error wrapping [ErrConflict] if they differ (the schedule changed).
// It fails with an error wrapping [ErrInvalid] ([*RuleError]) if the
// schedule is invalid or period n is out of range.
func (s GrantSchedule) Reset(j Journal, n int) (Reset, error) {
	if ps := s.problems(n); len(ps) > 0 {
		return Reset{}, &RuleError{Problems: ps}
	}
	key := s.Period.Key(n)
	resetID, grantID := "reset:"+s.ID+":"+key, "grant:"+s.ID+":"+key
	if seq := j.position(grantID); seq >= 0 {
		if seq < j.Base() {
			return Reset{}, &CheckpointError{ID: grantID}
		}
		r := s.reset(j.upTo(seq), n, resetID, grantID)
		for i, tx := range r.Transactions {
			if stored, ok := j.Transaction(tx.ID); ok {
				if !stored.Equal(tx) {
					return Reset{}, &ConflictError{ID: tx.ID, Seq: j.position(tx.ID)}
				}
				r.Transactions[i] = stored
			}
		}
		return r, nil
	}
	return s.reset(j, n, resetID, grantID), nil
}

// reset computes the reset of period n on j.
func (s GrantSchedule) reset(j Journal, n int, resetID, grantID string) Reset {
	start := s.Period.Start(n)
	r := Reset{Schedule: s.ID, Period: n, Start: start}
	expiring := []Account{s.GrantAccount(n - periods(s.Lasts)), s.RolloverAccount(n - periods(s.Rollover.Lasts))}
	if expiring[1].Compare(expiring[0]) < 0 {
		expiring[0], expiring[1] = expiring[1], expiring[0]
	}
	for _, a := range expiring {
		if b := j.Balance(a); b.IsPositive() {
			r.Left = r.Left.Add(b)
		}
	}
	limit, why, capped := s.Rollover.limit(s.Amount)
	switch {
	case !capped:
		r.Reason = "no rollover: what is left is forfeited"
	case r.Left.Cmp(limit) > 0:
		r.Kept = limit
		r.Reason = fmt.Sprintf("rollover capped at %s (%s)", exact(limit), why)
	default:
		r.Kept = r.Left
		r.Reason = fmt.Sprintf("all rolls over: %s is within the cap of %s (%s)", exact(r.Left), exact(limit), why)
	}
	r.Forfeited = r.Left.Sub(r.Kept)

	reset := Transaction{ID: resetID, Time: start, Kind: KindExpire}
	grant := Transaction{ID: grantID, Time: start, Kind: KindGrant,
		Note: fmt.Sprintf("%s: grant of %s for the period starting %s", s.ID, exact(s.Amount), s.Period.Key(n))}
	keep := r.Kept
	rest := s.Amount
	for _, a := range expiring {
		b := j.Balance(a)
		// What a hold reserves is not owed: only what the account owes
		// beyond it is a debt, as TopUp counts it.
		owes := decimal.Max(b.Add(j.Held(a)).Neg(), decimal.Decimal{})
		line := RolloverLine{Account: a, Left: b}
		switch {
		case b.IsPositive():
			line.Kept = minDec(b, keep)
			line.Forfeited = b.Sub(line.Kept)
			keep = keep.Sub(line.Kept)
			line.Reason = fmt.Sprintf("%s left: %s rolled over, %s forfeited; %s", exact(b), exact(line.Kept), exact(line.Forfeited), r.Reason)
			reset.Postings = append(reset.Postings, Posting{Account: a, Amount: b.Neg()})
		case owes.IsPositive() && s.Rollover.PreserveOverage:
			line.Repaid = minDec(owes, rest)
			rest = rest.Sub(line.Repaid)
			line.Reason = fmt.Sprintf("owes %s: the new grant repays %s first (overage preserved)", exact(owes), exact(line.Repaid))
			grant.Postings = append(grant.Postings, Posting{Account: a, Amount: line.Repaid})
		case owes.IsPositive():
			line.Reason = fmt.Sprintf("owes %s: the debt stays (overage not preserved)", exact(owes))
		default:
			continue
		}
		r.Repaid = r.Repaid.Add(line.Repaid)
		r.Lines = append(r.Lines, line)
	}
	if r.Forfeited.IsPositive() {
		reset.Postings = append(reset.Postings, Posting{Account: SystemAccount(Expired, s.Currency), Amount: r.Forfeited})
	}
	if r.Kept.IsPositive() {
		ra := s.RolloverAccount(n)
		reset.Postings = append(reset.Postings, Posting{Account: ra, Amount: r.Kept})
		reset.Terms = []Terms{s.terms(ra, s.Period.Start(n+periods(s.Rollover.Lasts)), false)}
	}
	reset.Note = fmt.Sprintf("%s: reset for the period starting %s: %s left, %s rolled over, %s forfeited; %s",
		s.ID, s.Period.Key(n), exact(r.Left), exact(r.Kept), exact(r.Forfeited), r.Reason)

	ga := s.GrantAccount(n)
	r.Granted = rest
	grant.Terms = []Terms{s.terms(ga, s.Period.Start(n+periods(s.Lasts)), true)}
	if rest.IsPositive() {
		grant.Postings = append(grant.Postings, Posting{Account: ga, Amount: rest})
	}
	grant.Postings = append([]Posting{{Account: SystemAccount(Issued, s.Currency), Amount: s.Amount.Neg()}}, grant.Postings...)
	r.Transactions = []Transaction{grant, reset}
	return r
}

// position returns the position of transaction id in j, or -1.
func (j Journal) position(id string) int {
	if j.l == nil {
		return -1
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	if seq, ok := j.l.seq(id, j.n); ok {
		return seq
	}
	return -1
}
