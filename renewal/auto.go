package renewal

import (
	"fmt"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// Outcome says what [RunAuto] did with one instance. The zero Outcome is
// never reported.
type Outcome string

const (
	// Renewed: the fee was paid in full and the expiry moved one month on.
	Renewed Outcome = "renewed"
	// Failed: the wallet could not pay the fee; nothing was spent, the
	// instance is now expired and AutoBlocked, and keeps policy auto.
	Failed Outcome = "failed"
	// Refused: an auto-policy instance outside renewal management (trial,
	// one-time, not renewable) reached its expiry date; it is left as it is
	// and expires by itself.
	Refused Outcome = "refused"
	// Missed: the run came after the instance's renewal window, which
	// passed without a renewal (no run fell within it). Nothing was spent;
	// as after Failed, the instance is now expired and AutoBlocked, and
	// keeps policy auto (004_436d555c5a6b9a35.txt: "If an instance fails to
	// be renewed on the expiration date, the instance becomes expired").
	Missed Outcome = "missed"
)

// A Result is what [RunAuto] did with one instance. The zero Result
// reports nothing.
type Result struct {
	// Instance is the instance after the run.
	Instance Instance
	// Outcome is what happened.
	Outcome Outcome
	// From is the expiry before the run; To the expiry after it (equal to
	// From unless Renewed). Both are in the account's time zone.
	From, To time.Time
	// Amount is the fee for one month (zero when Refused or Missed).
	Amount decimal.Decimal
	// Bill is the renewal bill the Split was allocated from (see [RunAuto]
	// for its id and line), so that a host can book the Split with
	// ledger.FromSplit(Bill, wallet, Split, …). Zero when Refused or
	// Missed.
	Bill allocation.Bill
	// Split is how the fee was paid (Renewed), or how it would have been
	// paid in part (Failed: nothing of it was spent). Zero when Refused or
	// Missed.
	Split allocation.Split
	// Err is nil when Renewed; otherwise why not, wrapping
	// [ErrInsufficientBalance] (Failed), a [*RefusedError] (Refused) or
	// [ErrWindowMissed] (Missed).
	Err error
}

// A Run is the outcome of one [RunAuto] call. The zero Run, returned with
// an error, renewed nothing.
type Run struct {
	// Instances are all the instances passed in, in their input order,
	// updated: renewed ones with their new expiry, failed and missed ones
	// expired and AutoBlocked, the others unchanged.
	Instances []Instance
	// Wallet is the wallet after paying every renewal, in input order:
	// balances change, and single-use coupons that paid get Status
	// [UsedUp] (see [RunAuto]). Pass it to the next call.
	Wallet allocation.Wallet
	// Results has one entry per instance that was renewed, failed, missed
	// or refused, in renewal order. The others are absent.
	Results []Result
}

// RunAuto performs the automatic renewals due at instant at, in the account
// time zone loc (nil means UTC), paying them from wallet under policy (the
// zero Policy means [DefaultPolicy]: vouchers first, soonest expiry first,
// then the largest deduction; then gift balance and available credit).
//
// Every instance for which [Instance.DueAt] holds is renewed by one month
// (004_436d555c5a6b9a35.txt: "automatically renews ... by month ... after
// 00:00 on their expiration date"), in renewal order (ExpiresAt, then ID),
// so that the instance expiring first is paid first and the result does not
// depend on the order of instances. Each renewal is one bill, paid with
// [allocation.Allocate] at instant at, with mode [BillMode], id
// "renewal:ID:EXPIRY" and one line (id ID, product Product, amount the
// monthly price from prices). Each renewal sees the wallet as the previous
// ones left it, so nothing is spent twice, and a coupon is used once:
//
//   - Balances go down by what each Split paid ([allocation.Wallet.After]).
//
//   - A percentage coupon is single-use (so the voucher package defines
//     percentage coupons): once a renewal's Split has used it, it gets
//     Status [UsedUp] and pays none of the later renewals, whatever cap it
//     has left. It discounts the first renewal, in renewal order, that it
//     applies to. Only a percentage instrument whose id is listed in
//     reusable (a standing discount the host grants on every bill)
//     discounts every renewal it applies to, within its cap.
//
//   - If the Split leaves nothing outstanding, the instance is Renewed: its
//     expiry moves one month on, keeping its anchor day ([Instance.NextExpiry]),
//     AnchorDay and AnchorClock are recorded, PeriodMonths becomes 1, and
//     the wallet is carried forward as above.
//
//   - Otherwise it Failed with [ErrInsufficientBalance]: nothing is spent,
//     the instance becomes [Expired] and AutoBlocked and keeps policy
//     [Auto]; [RunAuto] leaves it alone until a manual [Renew] succeeds. A
//     later, cheaper instance may still be renewed with what is left.
//
// Auto-policy instances that are in their renewal window but refused
// ([Instance.Refused]: trial, one-time, not renewable) are reported as
// Refused and left unchanged.
//
// An active, auto, not AutoBlocked instance that RunAuto would renew but
// whose window has passed (at is not before ExpiresAt: no run fell within
// its last day) is reported as Missed, with [ErrWindowMissed]: nothing is
// spent, and, as after a failure, it becomes [Expired] and AutoBlocked and
// keeps policy [Auto] (004_436d555c5a6b9a35.txt: "The system automatically
// renews instances only if they are in the validity period"). So a host
// whose job did not run in time learns of it, instead of an instance left
// active after its expiry.
//
// RunAuto first validates everything it was given: each instance
// ([Instance.Validate]), unique ids, a non-zero at, the price list, a price
// for every due instance, and that each id in reusable names a percentage
// instrument of wallet. Problems are returned together in an
// [*InvalidError] (wrapping [ErrInvalid], and [ErrNoPrice] for a missing
// price); so is an error from Allocate (wrapping [allocation.ErrInvalid]).
// On error nothing is renewed and the zero Run is returned. The arguments are
// never changed.
func RunAuto(instances []Instance, at time.Time, loc *time.Location, wallet allocation.Wallet,
	prices Prices, policy allocation.Policy, reusable ...string) (Run, error) {
	if loc == nil {
		loc = time.UTC
	}
	var p problems
	validateAll(instances, &p)
	if at.IsZero() {
		p.addf("at: zero time")
	}
	prices.validate(&p)
	checkReusable(wallet, reusable, &p)
	order := renewalOrder(instances)
	for _, k := range order {
		if instances[k].DueAt(at, loc) {
			prices.needPrice(instances[k], &p)
		}
	}
	if err := p.err(); err != nil {
		return Run{}, err
	}
	policy = orDefault(policy)
	at = at.In(loc)

	run := Run{Instances: slices.Clone(instances), Wallet: slices.Clone(wallet)}
	for _, k := range order {
		in := instances[k]
		if !in.Policy.auto() || !in.Status.active() || in.AutoBlocked {
			continue
		}
		res := Result{Instance: in, From: in.ExpiresAt.In(loc), To: in.ExpiresAt.In(loc)}
		if !in.inWindow(at, loc) {
			if at.Before(in.ExpiresAt) || in.Refused() != nil {
				continue // not due yet, or expiring by itself
			}
			next := in
			next.Status, next.AutoBlocked = Expired, true
			res.Instance, res.Outcome = next, Missed
			res.Err = fmt.Errorf("%w: instance %q expired at %s without a run on its last day",
				ErrWindowMissed, in.ID, in.ExpiresAt.In(loc).Format(time.RFC3339))
			run.Instances[k] = next
			run.Results = append(run.Results, res)
			continue
		}
		if err := in.Refused(); err != nil {
			res.Outcome, res.Err = Refused, err
			run.Results = append(run.Results, res)
			continue
		}
		amount, _ := prices.Price(in.Product, 1)
		bill := renewalBill(in, in.ExpiresAt, at, amount, prices.Currency)
		split, err := allocation.Allocate(bill, run.Wallet, policy)
		if err != nil {
			return Run{}, &InvalidError{Problems: []error{
				fmt.Errorf("instance %q: paying the renewal: %w", in.ID, err)}}
		}
		res.Amount, res.Bill, res.Split = amount, bill, split
		next := in
		if covered(split, amount) {
			run.Wallet = carry(run.Wallet, split, reusable)
			next.AnchorDay, next.AnchorClock = in.anchor(loc)
			next.ExpiresAt = next.NextExpiry(1, loc)
			next.PeriodMonths = 1
			res.Outcome, res.To = Renewed, next.ExpiresAt
		} else {
			next.Status = Expired
			next.AutoBlocked = true
			res.Outcome = Failed
			short := amount.Sub(split.Paid).Sub(split.Discounted)
			res.Err = fmt.Errorf("%w: instance %q: %s %s short", ErrInsufficientBalance, in.ID,
				short.StringFixed(max(allocation.MinorUnits(prices.Currency), -short.Exponent())), prices.Currency)
		}
		res.Instance = next
		run.Instances[k] = next
		run.Results = append(run.Results, res)
	}
	return run, nil
}
