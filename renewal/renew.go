package renewal

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// A Renewal is the outcome of one manual [Renew]. The zero Renewal,
// returned with an error, renewed nothing.
type Renewal struct {
	// Instance is the renewed instance.
	Instance Instance
	// Wallet is the wallet after paying, in input order: only the
	// instruments the Split used change, balances by what they paid, and
	// a single-use coupon gets Status [UsedUp] (see [Renew]). Pass it to
	// the next renewal.
	Wallet allocation.Wallet
	// From is where the renewed period starts: the old expiry, or the
	// renewal time if the instance had expired before it. To is the new
	// expiry. Both are in the account's time zone.
	From, To time.Time
	// Months is the length of the renewed period.
	Months int
	// Amount is the fee: Months times the monthly price, exactly.
	Amount decimal.Decimal
	// Bill is the renewal bill the Split was allocated from (see [Renew]),
	// so that a host can book the Split with
	// ledger.FromSplit(Bill, wallet, Split, …), wallet being the one passed
	// to Renew.
	Bill allocation.Bill
	// Split is how the wallet pays the fee. Its Outstanding is what the
	// customer must still pay another way (online payment,
	// 000_f04d44448bd9d2a1.txt); a host that cannot collect it discards
	// the Renewal, and nothing has changed.
	Split allocation.Split
}

// Renew renews inst by hand for months months (1 to [MaxMonths]) at instant
// at, in the account time zone loc (nil means UTC), paying from wallet under
// policy (the zero Policy means [DefaultPolicy]) with the monthly price from
// prices (004_436d555c5a6b9a35.txt, "Manual renewal": the customer chooses
// the renewal period, then pays).
//
// The new period starts at the later of inst.ExpiresAt and at: an instance
// still in service is extended from its expiry, one that has expired (by
// time or by a failed automatic renewal) from the renewal time, and its
// anchor (day of the month and time of day) becomes at's in loc. The new
// expiry is the start plus months months, kept on the anchor
// ([NextExpiryAnchored]); AnchorDay and AnchorClock record it. The renewed instance
// is [Active], AutoBlocked is cleared and PeriodMonths is months; its policy
// is kept, so an auto instance that failed renews automatically again
// without being switched back (004_436d555c5a6b9a35.txt).
//
// The fee is one bill, as in [RunAuto] (id "renewal:ID:START", start in
// UTC), of months times the monthly price; the Renewal carries it as Bill.
// Unlike [RunAuto], Renew does not require the wallet to cover it: the
// Split's Outstanding is left for the host to collect.
//
// The Renewal's Wallet is the wallet as the payment left it, carried as
// [RunAuto] carries it: balances down by what the Split paid, and a
// single-use percentage coupon the Split used marked [UsedUp] (percentage
// instruments listed in reusable excepted). A host renewing in a loop
// passes each Renewal's Wallet to the next call, so a single-use coupon
// discounts one renewal. A host that rebuilds the wallet from stored state
// instead books the Split there first: voucher.Voucher.Apply marks a used
// percentage coupon used up, and the journal (ledger.FromSplit with the
// Renewal's Bill) holds the balances.
//
// Errors change nothing: an [*InvalidError] (wrapping [ErrInvalid]) for an
// invalid instance, months out of range, a zero at, a bad price list, a
// missing price (also wrapping [ErrNoPrice]), an id in reusable that names
// no percentage instrument of wallet, or an error from Allocate (also
// wrapping [allocation.ErrInvalid]); a [*RefusedError] (wrapping
// [ErrNotRenewable]) for an instance renewal management refuses, which needs
// no price.
func Renew(inst Instance, months int, at time.Time, loc *time.Location, wallet allocation.Wallet,
	prices Prices, policy allocation.Policy, reusable ...string) (Renewal, error) {
	if loc == nil {
		loc = time.UTC
	}
	var p problems
	inst.validate(&p)
	if months < 1 || months > MaxMonths {
		p.addf("months: %d outside 1..%d", months, MaxMonths)
	}
	if at.IsZero() {
		p.addf("at: zero time")
	}
	prices.validate(&p)
	checkReusable(wallet, reusable, &p)
	refused := inst.Refused()
	if refused == nil {
		prices.needPrice(inst, &p) // an instance that is never renewed needs no price
	}
	if err := p.err(); err != nil {
		return Renewal{}, err
	}
	if refused != nil {
		return Renewal{}, refused
	}

	at = at.In(loc)
	from := inst.ExpiresAt.In(loc)
	anchor, clock := inst.anchor(loc)
	if at.After(from) {
		from, anchor, clock = at, at.In(loc).Day(), ClockOf(at, loc)
	}
	amount, _ := prices.Price(inst.Product, months)
	bill := renewalBill(inst, from, at, amount, prices.Currency)
	split, err := allocation.Allocate(bill, wallet, orDefault(policy))
	if err != nil {
		return Renewal{}, &InvalidError{Problems: []error{
			fmt.Errorf("instance %q: paying the renewal: %w", inst.ID, err)}}
	}
	after := carry(wallet, split, reusable)
	next := inst
	next.ExpiresAt = NextExpiryAnchored(from, anchor, clock, months, loc)
	next.AnchorDay, next.AnchorClock = anchor, clock
	next.PeriodMonths = months
	next.Status = Active
	next.AutoBlocked = false
	return Renewal{
		Instance: next,
		Wallet:   after,
		From:     from,
		To:       next.ExpiresAt,
		Months:   months,
		Amount:   amount,
		Bill:     bill,
		Split:    split,
	}, nil
}
