// Package forecast replays a customer's future: what the daily renewal run
// will do to the wallet over the coming days or months — which instances
// renew and what pays them, which fail and for how much, which credit expires
// unused, what the recurring grants and auto top-ups add — and how much a
// top-up today must be, at the least, so that nothing lapses.
//
// A forecast is not a model of billfold: it is billfold. [Run] takes the
// journal, the instrument definitions, the instances, the price list, the
// renewal policy, the grant schedules and the auto top-up rules, and calls,
// day after day, the very functions a host's daily job calls
// ([ledger.GrantSchedule.Reset], [ledger.Expire], [ledger.EvaluateTopUp] with
// [ledger.Charge.Book], [renewal.RunAuto] with [ledger.FromSplit], booking
// every transaction with [ledger.Journal.Apply]), so it cannot drift from
// what will happen, as long as nothing else happens (no new purchase, no
// manual renewal, no usage).
//
// # Layering
//
// forecast sits above both renewal and ledger and imports them; neither
// imports it, and renewal still does not import ledger. Like the rest of
// billfold it is pure: no I/O, no clock (the first run instant is an
// argument), no global state, and its arguments are never changed.
//
// # The daily run
//
// The run happens once a day at Start's wall-clock time in the account's
// time zone: run k is at Start moved k calendar days in Input.Loc
// (time.Time.AddDate; on a day a daylight-saving gap skips that time, the
// run is as much later as the gap is long, and the next day's is back on
// time), for every k whose run is before Until. At each run instant t, in
// this order:
//
//  1. every grant schedule, in input order, resets for the period holding t
//     at the first run in that period (a second call would be a replay, its
//     ids deriving from the period): it forfeits or rolls over what expires
//     and grants the new period (Reset before Expire, as its doc demands);
//  2. [ledger.Expire] at t lapses expired holds and forfeits what is left on
//     expired instruments;
//  3. every auto top-up rule, in input order, is evaluated and its charge, if
//     any, booked (a balance an expiry lowered is recharged before renewals);
//  4. [renewal.RunAuto] at t over the wallet built from the journal (see
//     [Input.Wallet]); each renewal's Split is booked with [ledger.FromSplit],
//     in renewal order, and single-use coupons it used up stay used up (on a
//     day before the expiry date of every instance RunAuto could act on, it
//     would do nothing, and is not called);
//  5. the top-up rules again, after the renewals' spends.
package forecast

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

// MaxDays is the longest horizon a forecast replays: ten years of days.
const MaxDays = 3660

// ErrInvalid is wrapped by every error [Run] returns: the input cannot be
// forecast. The error also wraps the cause's own sentinels (renewal.ErrInvalid,
// ledger.ErrInvalid, ledger.ErrConflict, …), for errors.Is.
var ErrInvalid = errors.New("forecast: invalid input")

// Input is everything a forecast replays. The zero Input is not valid: it
// has no start, horizon or price list.
type Input struct {
	// Instances are the account's subscriptions as they are at Start.
	Instances []renewal.Instance
	// Journal holds the money: balances, terms (expiries, overdrafts),
	// holds, past grants and top-ups.
	Journal ledger.Journal
	// Wallet defines the instruments (kind, scope, validity, priority,
	// status); their balances and overdrafts come from Journal
	// ([ledger.WithBalances]), whatever the wallet says. Instrument
	// accounts of the price list's currency that Journal holds but Wallet
	// does not define (the accounts grant schedules open, say) join the
	// wallet with the kind, group and expiry of their terms in force, in
	// [ledger.Account.Compare] order, while they have not expired.
	Wallet allocation.Wallet
	// Prices, Policy and Reusable are passed to [renewal.RunAuto] as they
	// are (the zero Policy is [renewal.DefaultPolicy]).
	Prices   renewal.Prices
	Policy   allocation.Policy
	Reusable []string
	// Loc is the account's time zone (nil means UTC): days are counted in
	// it, as renewal counts them.
	Loc *time.Location
	// Grants are the recurring grants, reset in this order.
	Grants []ledger.GrantSchedule
	// TopUps are the auto top-up rules, evaluated in this order.
	TopUps []ledger.AutoTopUp
	// Start is the first run instant, and its wall-clock time of day in
	// Loc that of every run. Required.
	Start time.Time
	// Until ends the horizon (exclusive): the last run is the last day's
	// run before it. It must be after Start, at most [MaxDays] days on.
	Until time.Time
	// AdviseTo, if not the zero Account, is the instrument account (in
	// the price list's currency) the advised top-up goes to, usually the
	// cash balance: Run then searches for the smallest top-up today that
	// avoids every failure ([Advice]).
	AdviseTo ledger.Account
}

// Kind says what an [Event] is.
type Kind string

// Event kinds.
const (
	// Renewed: RunAuto renewed Instance for Amount, paid as Paid says.
	Renewed Kind = "renewed"
	// Failed: RunAuto could not renew Instance; Missing is what the
	// wallet lacked of Amount. The instance expires and stays blocked.
	Failed Kind = "failed"
	// Missed: the instance's renewal window had passed before the first
	// run (renewal.Missed).
	Missed Kind = "missed"
	// Refused: an auto-policy instance renewal management refuses reached
	// its expiry date (renewal.Refused).
	Refused Kind = "refused"
	// Expired: Amount was forfeited from Instrument, by Expire or by a
	// grant schedule's reset (what rolled over is not forfeited).
	Expired Kind = "expired"
	// Granted: a grant schedule put Amount on Instrument.
	Granted Kind = "granted"
	// ToppedUp: an auto top-up rule booked Amount of credit for Instrument
	// (Note is the charge's reason).
	ToppedUp Kind = "topped_up"
)

// An Event is one thing the forecast saw happen. The zero Event is never
// reported.
type Event struct {
	// At is the run instant, in the account's time zone.
	At   time.Time
	Kind Kind
	// Instance and Product name the instance of a renewal event.
	Instance, Product string
	// Instrument names the instrument of an expiry, grant or top-up.
	Instrument string
	// Amount is the fee (renewal events), the value forfeited, granted or
	// credited.
	Amount decimal.Decimal
	// Missing is, for Failed, what the wallet could not pay of Amount
	// (the Split's Outstanding).
	Missing decimal.Decimal
	// Paid says which instruments paid a renewal, and how much each, in
	// the order the Split took them.
	Paid []Amount
	// Transaction is the id of the transaction that booked the event, ""
	// for a failure, a miss or a refusal (nothing is booked).
	Transaction string
	// Note explains a top-up charge or a rollover.
	Note string
	// Balances is the balance of every instrument account of the
	// currency after the event, in [ledger.Account.Compare] order
	// (accounts opened later appear from then on).
	Balances []Amount
}

// An Amount is an amount of one instrument.
type Amount struct {
	Instrument string
	Amount     decimal.Decimal
}

// A Forecast is what [Run] saw over the horizon. The zero Forecast, returned
// with an error, saw nothing.
type Forecast struct {
	// Events in the order they happened (see the package documentation
	// for the order within a day).
	Events []Event
	// Instances and Journal are as the last run left them; Wallet is the
	// definitions as they were passed, with single-use coupons marked used
	// up where a renewal used them.
	Instances []renewal.Instance
	Journal   ledger.Journal
	Wallet    allocation.Wallet
	// Runs is the number of daily runs replayed.
	Runs int
	// Advice is the smallest top-up today that avoids every failure, when
	// Input.AdviseTo is set.
	Advice Advice
}

// Failures returns the Failed events, in order.
func (f Forecast) Failures() []Event {
	var out []Event
	for _, e := range f.Events {
		if e.Kind == Failed {
			out = append(out, e)
		}
	}
	return out
}

// Advice is the smallest top-up today that lets every automatic renewal of the
// horizon succeed, with its proof.
//
// The top-up is booked at Start, before the first run, as [ledger.TopUp]
// books it (so it repays what is owed first), with id "forecast:topup".
// Its Amount is exact, in the currency's minor units
// ([allocation.MinorUnits]): the forecast rerun with it has no failure, and
// rerun with one minor unit less it has at least one (OneLess). It is found
// by doubling, then by narrowing over minor units (a guess from the lowest
// balance, then binary search), which assumes that if a top-up avoids every
// failure a larger one does too: more money on the account never makes a
// renewal fail (the package's tests check this on generated cases; top-up
// rules with caps or increments could break it in principle). The proof
// does not rest on it: both reruns are made and their results returned;
// that no smaller top-up further down also avoids every failure does.
//
// The zero Advice advises nothing (Input.AdviseTo was not set).
type Advice struct {
	// Account is Input.AdviseTo.
	Account ledger.Account
	// Found is false when no top-up up to 2^40 times what the failures
	// missed avoids every failure (a failure a top-up of Account cannot
	// fix: a policy that does not draw it, say); Amount is then zero.
	Found bool
	// Amount is the smallest top-up: zero when the forecast has no
	// failure.
	Amount decimal.Decimal
	// OneLess are the failures of the forecast rerun with Amount less one
	// minor unit, on the first day that has any (the search stops a rerun
	// there); none when Amount is zero.
	OneLess []Event
	// Reruns is how many forecasts the search ran.
	Reruns int
}

// adviceID is the id of the advised top-up transaction.
const adviceID = "forecast:topup"

// Run replays in's horizon day by day (see the package documentation) and
// returns what happened, and, when in.AdviseTo is set, the smallest top-up
// today that avoids every failure.
//
// Errors wrap ErrInvalid and list every problem found up front (a zero
// Start, an Until not after Start or beyond MaxDays days, an AdviseTo that is
// not an instrument account of the price list's currency, invalid grant
// schedules or top-up rules); a problem found during the replay (an invalid
// instance or price list, which RunAuto reports, or a transaction the
// journal rejects) stops it. No partial Forecast is returned with an error.
func Run(in Input) (Forecast, error) {
	if err := validate(in); err != nil {
		return Forecast{}, err
	}
	f, err := replay(in, in.Journal, false)
	if err != nil {
		return Forecast{}, err
	}
	if !in.AdviseTo.IsZero() {
		if f.Advice, err = advise(in, f); err != nil {
			return Forecast{}, err
		}
	}
	return f, nil
}

func validate(in Input) error {
	var problems []error
	if in.Start.IsZero() {
		problems = append(problems, errors.New("forecast: start is zero"))
	}
	if !in.Until.After(in.Start) {
		problems = append(problems, fmt.Errorf("forecast: until %s is not after start %s",
			in.Until.UTC().Format(time.RFC3339), in.Start.UTC().Format(time.RFC3339)))
	} else if !in.Start.IsZero() && in.Until.After(in.Start.In(loc(in)).AddDate(0, 0, MaxDays)) {
		problems = append(problems, fmt.Errorf("forecast: horizon beyond %d days", MaxDays))
	}
	if !in.AdviseTo.IsZero() && (!in.AdviseTo.IsInstrument() || in.AdviseTo.Currency() != in.Prices.Currency) {
		problems = append(problems, fmt.Errorf("forecast: advise_to %s is not an instrument account in %q",
			in.AdviseTo, in.Prices.Currency))
	}
	if !in.Start.IsZero() {
		for _, g := range in.Grants {
			if n := g.Period.Index(in.Start); n >= 0 || g.Period.Months < 1 {
				if _, err := g.Reset(in.Journal, n); err != nil && !errors.Is(err, ledger.ErrConflict) {
					problems = append(problems, fmt.Errorf("forecast: grant schedule %q: %w", g.ID, err))
				}
			}
		}
		for _, r := range in.TopUps {
			if _, _, err := ledger.EvaluateTopUp(in.Journal, r, in.Start, nil); err != nil {
				problems = append(problems, fmt.Errorf("forecast: top-up rule %q: %w", r.ID, err))
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.Join(append([]error{ErrInvalid}, problems...)...)
}

func loc(in Input) *time.Location {
	if in.Loc == nil {
		return time.UTC
	}
	return in.Loc
}

// sim is one replay in progress.
type sim struct {
	in        Input
	loc       *time.Location
	j         ledger.Journal
	instances []renewal.Instance
	defs      allocation.Wallet
	defined   map[string]bool
	period    []int
	events    []Event
	// accts are the instrument accounts of the currency the journal
	// holds, in Account.Compare order (Journal.Accounts, kept up to date
	// from each transaction applied rather than sorted again).
	accts []ledger.Account
	known map[ledger.Account]bool
	// wake is the earliest run instant at which RunAuto may act on one of
	// the instances (see renew); zero before the first run.
	wake time.Time
	// failed is set by the first failure.
	failed bool
}

// replay runs the horizon from journal j; with stop, only until the end of
// the first day with a failure.
func replay(in Input, j ledger.Journal, stop bool) (Forecast, error) {
	s := &sim{
		in: in, loc: loc(in), j: j,
		instances: slices.Clone(in.Instances),
		defs:      slices.Clone(in.Wallet),
		defined:   make(map[string]bool, len(in.Wallet)),
		period:    make([]int, len(in.Grants)),
	}
	for k := range s.period {
		s.period[k] = math.MinInt // no period reset yet
	}
	for _, w := range in.Wallet {
		s.defined[w.ID] = true
	}
	s.known = make(map[ledger.Account]bool)
	for _, a := range j.Accounts() {
		s.learn(a)
	}
	runs := 0
	for t := in.Start.In(s.loc); t.Before(in.Until); t = in.Start.In(s.loc).AddDate(0, 0, runs) {
		if err := s.day(t); err != nil {
			return Forecast{}, errors.Join(ErrInvalid, fmt.Errorf("forecast: run at %s: %w", t.UTC().Format(time.RFC3339), err))
		}
		runs++
		if stop && s.failed {
			break
		}
	}
	return Forecast{Events: s.events, Instances: s.instances, Journal: s.j, Wallet: s.defs, Runs: runs}, nil
}

// day is one daily run at t.
func (s *sim) day(t time.Time) error {
	for k, g := range s.in.Grants {
		n := g.Period.Index(t)
		if n < 0 || n == s.period[k] {
			continue
		}
		s.period[k] = n
		if err := s.reset(t, g, n); err != nil {
			return err
		}
	}
	if tx, ok := ledger.Expire(s.j, t); ok {
		res, err := s.apply(tx)
		if err != nil {
			return err
		}
		if !res.Replayed {
			bal := s.balances()
			for _, p := range tx.Postings {
				if p.Account.IsInstrument() && !p.Account.IsHeld() && p.Amount.Sign() < 0 {
					s.events = append(s.events, Event{At: t, Kind: Expired, Instrument: p.Account.Instrument(),
						Amount: p.Amount.Neg(), Transaction: tx.ID, Balances: slices.Clone(bal)})
				}
			}
		}
	}
	if err := s.topUps(t); err != nil {
		return err
	}
	if err := s.renew(t); err != nil {
		return err
	}
	return s.topUps(t)
}

// reset books period n of schedule g.
func (s *sim) reset(t time.Time, g ledger.GrantSchedule, n int) error {
	r, err := g.Reset(s.j, n)
	if err != nil {
		return fmt.Errorf("grant schedule %q: %w", g.ID, err)
	}
	j, res, _, err := s.j.ApplyAll(r.Transactions)
	if err != nil {
		return fmt.Errorf("grant schedule %q: %w", g.ID, err)
	}
	s.j = j
	for _, tx := range r.Transactions {
		s.learnFrom(tx)
	}
	if len(res) == 0 || res[0].Replayed {
		return nil
	}
	bal := s.balances()
	for _, l := range r.Lines {
		if l.Forfeited.Sign() > 0 {
			s.events = append(s.events, Event{At: t, Kind: Expired, Instrument: l.Account.Instrument(),
				Amount: l.Forfeited, Transaction: r.Transactions[len(r.Transactions)-1].ID, Note: l.Reason, Balances: slices.Clone(bal)})
		}
	}
	if r.Granted.Sign() > 0 {
		s.events = append(s.events, Event{At: t, Kind: Granted, Instrument: g.GrantAccount(n).Instrument(),
			Amount: r.Granted, Transaction: r.Transactions[0].ID, Note: r.Reason, Balances: slices.Clone(bal)})
	}
	return nil
}

// topUps evaluates every rule once at t and books its charge.
func (s *sim) topUps(t time.Time) error {
	for _, rule := range s.in.TopUps {
		c, ok, err := ledger.EvaluateTopUp(s.j, rule, t, nil)
		if err != nil {
			return fmt.Errorf("top-up rule %q: %w", rule.ID, err)
		}
		if !ok {
			continue
		}
		tx, err := c.Book(s.j, t)
		if err != nil {
			return fmt.Errorf("top-up rule %q: %w", rule.ID, err)
		}
		res, err := s.apply(tx)
		if err != nil {
			return fmt.Errorf("top-up rule %q: %w", rule.ID, err)
		}
		if !res.Replayed {
			s.events = append(s.events, Event{At: t, Kind: ToppedUp, Instrument: c.Account.Instrument(),
				Amount: c.Credit, Transaction: tx.ID, Note: c.Reason, Balances: s.balances()})
		}
	}
	return nil
}

// renew runs RunAuto at t and books its renewals.
//
// RunAuto acts only on auto-policy, active, not blocked instances, and on
// those only from 00:00 of their expiry date (renewal, refusal or miss); on
// a day before that for all of them it returns no result and changes
// nothing, so renew does not call it then (except on the first run, which
// validates the input). wake is three hours before the earliest such
// midnight, a margin for a daylight-saving change moving it.
func (s *sim) renew(t time.Time) error {
	if !s.wake.IsZero() && t.Before(s.wake) {
		return nil
	}
	wallet := s.wallet(t)
	run, err := renewal.RunAuto(s.instances, t, s.loc, wallet, s.in.Prices, s.in.Policy, s.in.Reusable...)
	if err != nil {
		return err
	}
	s.instances = run.Instances
	s.wake = s.in.Until // no run reaches it
	for _, in := range s.instances {
		if in.Policy != renewal.Auto || (in.Status != "" && in.Status != renewal.Active) || in.AutoBlocked {
			continue
		}
		y, m, d := in.ExpiresAt.Add(-time.Nanosecond).In(s.loc).Date()
		if w := time.Date(y, m, d, 0, 0, 0, 0, s.loc).Add(-3 * time.Hour); w.Before(s.wake) {
			s.wake = w
		}
	}
	for i := range s.defs {
		s.defs[i].Status = run.Wallet[i].Status
	}
	for _, r := range run.Results {
		e := Event{At: t, Instance: r.Instance.ID, Product: r.Instance.Product, Amount: r.Amount}
		switch r.Outcome {
		case renewal.Renewed:
			tx, err := ledger.FromSplit(r.Bill, wallet, r.Split, ledger.SpendOptions{})
			if err != nil {
				return err
			}
			if _, err := s.apply(tx); err != nil {
				return err
			}
			e.Kind, e.Transaction, e.Paid = Renewed, tx.ID, paid(r.Split)
		case renewal.Failed:
			e.Kind, e.Missing = Failed, r.Split.Outstanding
			s.failed = true
		case renewal.Missed:
			e.Kind = Missed
		default:
			e.Kind = Refused
		}
		e.Balances = s.balances()
		s.events = append(s.events, e)
	}
	return nil
}

// paid sums a split's allocations per instrument, in the order it took them.
func paid(sp allocation.Split) []Amount {
	var out []Amount
	for _, a := range sp.Allocations {
		if a.Amount.Sign() == 0 {
			continue
		}
		k := slices.IndexFunc(out, func(p Amount) bool { return p.Instrument == a.Instrument })
		if k < 0 {
			out = append(out, Amount{Instrument: a.Instrument, Amount: a.Amount})
			continue
		}
		out[k].Amount = out[k].Amount.Add(a.Amount)
	}
	return out
}

// wallet is the wallet of the run at t: the definitions, then the instrument
// accounts of the journal they do not define, with balances from the journal.
func (s *sim) wallet(t time.Time) allocation.Wallet {
	w := slices.Clone(s.defs)
	for _, a := range s.accts {
		if s.defined[a.Instrument()] {
			continue
		}
		terms, _ := s.j.Terms(a)
		if !terms.Expires.IsZero() && !t.Before(terms.Expires) {
			continue
		}
		w = append(w, allocation.Instrument{ID: a.Instrument(), Kind: terms.Kind, Currency: a.Currency(),
			Group: terms.Group, ValidUntil: terms.Expires})
	}
	return ledger.WithBalances(s.j, w)
}

// balances lists every instrument account of the currency and its balance.
func (s *sim) balances() []Amount {
	out := make([]Amount, len(s.accts))
	for k, a := range s.accts {
		out[k] = Amount{Instrument: a.Instrument(), Amount: s.j.Balance(a)}
	}
	return out
}

func (s *sim) apply(tx ledger.Transaction) (ledger.Result, error) {
	j, res, err := s.j.Apply(tx)
	if err != nil {
		return res, err
	}
	s.j = j
	s.learnFrom(tx)
	return res, nil
}

// learnFrom adds the accounts tx names (postings and terms) to s.accts.
func (s *sim) learnFrom(tx ledger.Transaction) {
	for _, p := range tx.Postings {
		s.learn(p.Account)
	}
	for _, t := range tx.Terms {
		s.learn(t.Account)
	}
}

// learn adds a to s.accts if it is a new instrument account of the currency.
func (s *sim) learn(a ledger.Account) {
	if !a.IsInstrument() || a.IsHeld() || a.Currency() != s.in.Prices.Currency || s.known[a] {
		return
	}
	s.known[a] = true
	k, _ := slices.BinarySearchFunc(s.accts, a, ledger.Account.Compare)
	s.accts = slices.Insert(s.accts, k, a)
}

// maxDoublings bounds the search for a top-up that avoids every failure.
const maxDoublings = 40

// maxGuesses is how many probes of the narrowing may be guesses: the guess
// and the unit below it, when the guess is right; then binary search.
const maxGuesses = 2

// advise searches the smallest top-up of in.AdviseTo, in minor units, that
// leaves the forecast without failures; base is the forecast without one.
//
// It doubles a top-up until one avoids every failure (hi), then narrows
// [lo, hi] down to one minor unit, lo failing and hi not. Each probe is a
// whole forecast. The next probe is a guess where one can be made: the
// forecast with hi shows how low the account's headroom (balance plus
// overdraft) fell; hi less that headroom is the top-up that would bring it
// to exactly zero if the rest of the forecast stayed the same (it does when
// the money only sits on the account until the renewals take it), and hi
// less one unit when the headroom is already zero. After two guesses, or
// when the guess is outside (lo, hi), the probe is the middle (binary
// search), so the search ends within maxGuesses + log2(hi) probes. The
// guess only chooses probes: the answer is what the probes showed.
func advise(in Input, base Forecast) (Advice, error) {
	adv := Advice{Account: in.AdviseTo, Amount: decimal.Zero}
	if len(base.Failures()) == 0 {
		adv.Found = true
		return adv, nil
	}
	places := allocation.MinorUnits(in.Prices.Currency)
	unit := decimal.New(1, -places)
	probe := func(units int64) (Forecast, error) {
		adv.Reruns++
		tx, err := ledger.TopUp(in.Journal, adviceID, in.Start, in.AdviseTo, decimal.NewFromInt(units).Mul(unit), "forecast")
		if err != nil {
			return Forecast{}, err
		}
		j, _, err := in.Journal.Apply(tx)
		if err != nil {
			return Forecast{}, err
		}
		return replay(in, j, true)
	}
	// Start from what the failures missed in all: enough unless fixing
	// them makes later renewals (or the ones that failed, renewing again)
	// cost more.
	missing := decimal.Zero
	for _, e := range base.Failures() {
		missing = missing.Add(e.Missing)
	}
	hi := max(missing.Shift(places).Ceil().IntPart(), 1)
	lo, loFail := int64(0), base.Failures()
	var hiRun Forecast
	found := false
	for range maxDoublings {
		f, err := probe(hi)
		if err != nil {
			return Advice{}, err
		}
		if len(f.Failures()) == 0 {
			hiRun, found = f, true
			break
		}
		lo, loFail = hi, f.Failures()
		hi *= 2
	}
	if !found {
		return Advice{Account: in.AdviseTo, Amount: decimal.Zero, Reruns: adv.Reruns}, nil
	}
	for guesses := 0; hi-lo > 1; guesses++ {
		next := lo + (hi-lo)/2
		if room, ok := headroom(in, hiRun, hi, places); ok && guesses < maxGuesses {
			guess := hi - room
			if room == 0 {
				guess = hi - 1
			}
			if guess > lo && guess < hi {
				next = guess
			}
		}
		f, err := probe(next)
		if err != nil {
			return Advice{}, err
		}
		if len(f.Failures()) == 0 {
			hi, hiRun = next, f
		} else {
			lo, loFail = next, f.Failures()
		}
	}
	adv.Found, adv.Amount, adv.OneLess = true, decimal.NewFromInt(hi).Mul(unit), loFail
	return adv, nil
}

// headroom returns, in minor units rounded down, the lowest balance plus
// overdraft in.AdviseTo had in f, a forecast that started with a top-up of
// units: at the start and after every event.
func headroom(in Input, f Forecast, units int64, places int32) (int64, bool) {
	terms, _ := f.Journal.Terms(in.AdviseTo)
	low := in.Journal.Balance(in.AdviseTo).Add(decimal.New(units, -places))
	id := in.AdviseTo.Instrument()
	for _, e := range f.Events {
		for _, b := range e.Balances {
			if b.Instrument == id {
				low = decimal.Min(low, b.Amount)
			}
		}
	}
	room := low.Add(terms.Overdraft).Shift(places).Floor()
	if room.Sign() < 0 || !room.IsInteger() || room.GreaterThan(decimal.NewFromInt(units)) {
		return 0, false
	}
	return room.IntPart(), true
}
