package credit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/calendar"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// checkArgs reports a zero receiver or a zero instant.
func (c Credit) checkArgs(at time.Time, more ...string) error {
	if probs := problems.Call(c.id, "the zero Credit is not a credit", at, more...); len(probs) > 0 {
		return &InvalidError{What: "credit", ID: c.id, Problems: probs}
	}
	return nil
}

func (c Credit) refuse(op, problem string) error {
	return &TransitionError{What: "credit", ID: c.id, Op: op, Status: c.status, Problem: problem}
}

// with returns a copy of c with entry e appended to a fresh history (never
// sharing the receiver's backing array).
func (c Credit) with(e Entry) Credit {
	w := c
	w.history = append(slices.Clip(c.history), e)
	return w
}

// Apply takes back into the credit what split used of it, booked at at: the
// remaining amount goes down by the instrument's Used, a use entry with the
// split's bill id is recorded, and the credit becomes [UsedUp] (ZeroAt =
// at) when nothing remains. A credit the split did not use comes back
// unchanged.
//
// It returns an error wrapping [ErrSplit], and the credit unchanged, if the
// split does not list the credit, used it in another currency or while it
// was not [Available], used more than remains, or reports a balance after
// that is not the remaining amount minus what was used (applied already, or
// made from another state of the credit).
func (c Credit) Apply(split allocation.Split, at time.Time) (Credit, error) {
	if err := c.checkArgs(at); err != nil {
		return c, err
	}
	bad := func(p string) (Credit, error) {
		return c, &SplitError{What: "credit", ID: c.id, Bill: split.Bill, Problem: p}
	}
	r, p := instrument.Use(split, c.id, c.currency)
	if p != "" {
		return bad(p)
	}
	if r.Used.IsZero() {
		return c, nil
	}
	if c.status != Available {
		return bad(fmt.Sprintf("the credit is %s; only an available credit pays", c.status))
	}
	if r.Used.GreaterThan(c.remaining) {
		return bad(fmt.Sprintf("used %s exceeds the remaining %s", r.Used, c.remaining))
	}
	rem := c.remaining.Sub(r.Used)
	if p := instrument.Stale(r, c.remaining, rem); p != "" {
		return bad(p)
	}
	w := c.with(Entry{Type: EntryUse, At: at, Amount: r.Used, Ref: split.Bill})
	w.remaining = rem
	if rem.IsZero() {
		w.status = UsedUp
		w.zeroAt = at
	}
	return w, nil
}

// Expire ends an [Available] credit whose usage period is over at at: what
// remains is written off with an expiry entry and the credit becomes
// [Expired]. The entry and ZeroAt carry the end of the usage period, not
// at, so expiring late records the true instant. It returns an error
// wrapping [ErrTransition] if the credit is not available or its usage
// period has not ended at at.
func (c Credit) Expire(at time.Time) (Credit, error) {
	if err := c.checkArgs(at); err != nil {
		return c, err
	}
	if c.status != Available {
		return c, c.refuse("expire", "only an available credit expires")
	}
	if at.Before(c.validUntil) {
		return c, c.refuse("expire", fmt.Sprintf("its usage period runs until %s", c.validUntil.Format(time.RFC3339)))
	}
	return c.close(Expired, EntryExpiry, c.validUntil), nil
}

// close writes off what remains with an entry of type t at at (if anything
// remains) and moves the credit to status s.
func (c Credit) close(s Status, t EntryType, at time.Time) Credit {
	w := c
	if c.remaining.IsPositive() {
		w = c.with(Entry{Type: t, At: at, Amount: c.remaining})
	}
	w.remaining = decimal.Zero
	w.status = s
	w.zeroAt = at
	return w
}

// Recover takes an [Available] free credit back at at: what remains is
// written off with a recovery entry and the credit becomes [Recovered]. It
// returns an error wrapping [ErrTransition] for a paid credit (paid credits
// are refunded, see [Credit.Refund]) or a credit that is not available.
func (c Credit) Recover(at time.Time) (Credit, error) {
	if err := c.checkArgs(at); err != nil {
		return c, err
	}
	if c.typ != Free {
		return c, c.refuse("recover", "only free credits are recovered; paid credits are refunded")
	}
	if c.status != Available {
		return c, c.refuse("recover", "only an available credit can be recovered")
	}
	return c.close(Recovered, EntryRecovery, at), nil
}

// Refund pays back what remains of an [Available] paid credit at at: it
// returns the credit, now [Refunded] with a refund entry, and the amount to
// pay back. It returns an error wrapping [ErrNotRefundable] for a free
// credit (free credits were never paid for; they are recovered, see
// [Credit.Recover]), and one wrapping [ErrTransition] for a credit that is
// not available or whose usage period is over at at.
func (c Credit) Refund(at time.Time) (Credit, decimal.Decimal, error) {
	if err := c.checkArgs(at); err != nil {
		return c, decimal.Zero, err
	}
	if c.typ != Paid {
		return c, decimal.Zero, &RefundError{What: "free credit", ID: c.id, Problem: "free credits were not paid for"}
	}
	if c.StatusAt(at) != Available {
		return c, decimal.Zero, c.refuse("refund", fmt.Sprintf("it is %s at %s", c.StatusAt(at), at.Format(time.RFC3339)))
	}
	return c.close(Refunded, EntryRefund, at), c.remaining, nil
}

// A Destination is where a free credit is transferred: a billing group of
// a domain, and the id the credit received there gets. The zero
// Destination is not valid.
type Destination struct {
	// ID identifies the credit created in the target group (required,
	// different from the source's).
	ID string
	// Domain and Group name the target billing group.
	Domain, Group string
}

// Transfer moves amount of an [Available] free credit to another billing
// group of the same domain at at (003_b4fbba3f981e0ca6.txt). It returns both
// sides: the source credit, with a transfer deduction entry naming the
// target group (and [UsedUp] if nothing remains), and a new credit in the
// target group holding amount, with the source's name, usage period and
// scope, whose history starts with a transfer accumulation entry naming the
// source group. The total remaining across both groups is unchanged.
//
// It returns an error wrapping [ErrNotTransferable] (a [*TransferError]) for
// a paid credit, which stays in the group it was bought for, or for a
// target in another domain; one wrapping [ErrInvalid] for a non-positive
// amount, an empty or equal id, or the same group; and one wrapping
// [ErrTransition] if the credit is not available at at or amount exceeds
// what remains.
func (c Credit) Transfer(to Destination, amount decimal.Decimal, at time.Time) (from, received Credit, err error) {
	var more problems.List
	if to.ID == "" || to.ID == c.id {
		more.Add("destination id %q must be set and differ from the source's", to.ID)
	}
	if to.Group == "" || to.Group == c.group {
		more.Add("destination group %q must be set and differ from the source's", to.Group)
	}
	if !amount.IsPositive() {
		more.Add("amount %s must be positive", amount)
	}
	if err := c.checkArgs(at, more...); err != nil {
		return c, Credit{}, err
	}
	if c.typ != Free {
		return c, Credit{}, &TransferError{ID: c.id, Type: c.typ, Problem: "paid credits can be used only in the billing group they were bought for"}
	}
	if to.Domain != c.domain {
		return c, Credit{}, &TransferError{ID: c.id, Type: c.typ, Problem: fmt.Sprintf("group %q is in domain %q, not %q: free credits move only within a domain", to.Group, to.Domain, c.domain)}
	}
	if s := c.StatusAt(at); s != Available {
		return c, Credit{}, c.refuse("transfer", fmt.Sprintf("it is %s at %s", s, at.Format(time.RFC3339)))
	}
	if amount.GreaterThan(c.remaining) {
		return c, Credit{}, c.refuse("transfer", fmt.Sprintf("amount %s exceeds the remaining %s", amount, c.remaining))
	}
	from = c.with(Entry{Type: EntryTransferDeduction, At: at, Amount: amount, Group: to.Group, Ref: to.ID})
	from.remaining = c.remaining.Sub(amount)
	if from.remaining.IsZero() {
		from.status = UsedUp
		from.zeroAt = at
	}
	received = Credit{
		id: to.ID, name: c.name, typ: Free, domain: c.domain, group: to.Group,
		currency: c.currency, amount: amount, remaining: amount,
		validFrom: c.validFrom, validUntil: c.validUntil, scope: instrument.CloneScope(c.scope),
		grantedAt: at, invoiceable: c.invoiceable, status: Available,
		history: []Entry{{Type: EntryTransferAccumulation, At: at, Amount: amount, Group: c.group, Ref: c.id}},
	}
	return from, received, nil
}

// List returns the credits of billing group group (every group if group is
// "") as the console shows them at at (003_b4fbba3f981e0ca6.txt):
//
//   - credits granted after at are not shown yet;
//   - an [Available] credit whose usage period ended by at is shown as
//     [Credit.Expire] would leave it;
//   - a credit whose remaining amount reached zero (used up, expired,
//     recovered, refunded) is shown until [ListedFor] months after
//     [Credit.ZeroAt], counted on the calendar of loc, the customer's time
//     zone (nil means UTC; zero on Nov 30 at 10:00 in loc, hidden from
//     Feb 28 at 10:00 in loc), and no longer from then on.
//
// The result depends on the instants given, not on the Locations attached
// to them. It is sorted free before paid, then by end of usage period, then
// by id. credits is not changed.
func List(credits []Credit, group string, at time.Time, loc *time.Location) []Credit {
	var out []Credit
	for _, c := range credits {
		if c.id == "" || (group != "" && c.group != group) || c.grantedAt.After(at) {
			continue
		}
		if c.status == Available && !at.Before(c.validUntil) {
			c = c.close(Expired, EntryExpiry, c.validUntil)
		}
		if c.status != Available && !at.Before(calendar.MonthsLaterIn(c.zeroAt, ListedFor, loc)) {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Credit) int {
		if a.typ != b.typ {
			if a.typ == Free {
				return -1
			}
			return 1
		}
		if c := a.validUntil.Compare(b.validUntil); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out
}
