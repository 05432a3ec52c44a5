package ledger

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// HeldAccount returns the account in which hold (the id of a [KindHold]
// transaction) keeps what it reserves of instrument in currency. Its
// balance is what the hold still reserves of that instrument; it is never
// negative. Its [Account.Instrument] is instrument and [Account.Hold] is
// hold.
func HeldAccount(hold, instrument, currency string) Account {
	return Account{id: instrument, hold: hold, currency: currency}
}

// IsHeld reports whether a is a held account ([HeldAccount]).
func (a Account) IsHeld() bool { return a.hold != "" && a.sys == "" && a.id != "" }

// Hold returns the hold id of a held account, or "".
func (a Account) Hold() string { return a.hold }

// owner returns the instrument account whose value held account a keeps.
func (a Account) owner() Account { return InstrumentAccount(a.id, a.currency) }

// escapeHold writes "%" and ":" of a hold id as "%25" and "%3A".
func escapeHold(s string) string {
	return strings.NewReplacer("%", "%25", ":", "%3A").Replace(s)
}

// unescapeHold reverses escapeHold; it fails on any other "%" sequence.
func unescapeHold(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] != '%':
			b.WriteByte(s[i])
		case strings.HasPrefix(s[i:], "%25"):
			b.WriteByte('%')
			i += 2
		case strings.HasPrefix(s[i:], "%3A"):
			b.WriteByte(':')
			i += 2
		default:
			return "", false
		}
	}
	return b.String(), true
}

// A HoldState says where a hold is in its life. The zero HoldState is no
// state: that of a hold the journal does not hold.
type HoldState string

const (
	// HoldOpen: the hold still reserves money. It may be past its Until,
	// which makes it unusable for a capture or a release; the next
	// [Expire] at or after Until lapses it.
	HoldOpen HoldState = "open"
	// HoldCaptured: settled by a capture that took all that was left or
	// was final.
	HoldCaptured HoldState = "captured"
	// HoldReleased: settled by a release.
	HoldReleased HoldState = "released"
	// HoldLapsed: settled by [Expire] after its Until.
	HoldLapsed HoldState = "lapsed"
)

// A HoldStatus is what the journal shows of one hold ([Journal.HoldStatus]).
// Held is always Captured + Released + Lapsed + Left; Left is zero unless
// the hold is open. The zero HoldStatus is no hold.
type HoldStatus struct {
	// ID is the id of the hold transaction; Bill, Time and Note are its.
	ID   string
	Bill string
	Time time.Time
	Note string
	// Until is when the hold lapses (exclusive: it cannot be captured or
	// released at Until or later).
	Until time.Time
	State HoldState
	// Currency is the currency of the hold's instruments.
	Currency string
	// Held is what the hold reserved; Captured went to revenue; Released
	// went back by a release or a final capture; Lapsed went back by
	// [Expire]; Left is still reserved.
	Held, Captured, Released, Lapsed, Left decimal.Decimal
	// Parts are the instruments held, in the order the Split paid them
	// (each instrument once, where it first paid).
	Parts []HeldPart
}

// A HeldPart is what one hold does with one instrument: the amounts of
// [HoldStatus] for that instrument alone. Held is always Captured +
// Released + Lapsed + Left.
type HeldPart struct {
	// Account is the instrument account the value was reserved from.
	Account Account
	// Held, Captured, Released, Lapsed and Left are as in [HoldStatus].
	Held, Captured, Released, Lapsed, Left decimal.Decimal
}

// Hold returns the transaction of kind [KindHold] that reserves what split
// (the result of allocating bill over wallet) takes from each instrument,
// until the instant until: its id is "hold:" followed by the bill id (so
// holding the same split twice is a replay and another split of the bill is
// a conflict), its time bill.At, its Bill the bill id and its Note note.
//
// For each allocation with a non-zero amount, in split order, it posts
// minus the amount to the instrument's account and the amount to the
// [HeldAccount] of the hold and instrument, both with the allocation's line
// and that line's product, as [FromSplit] would post to revenue. It sets
// [Terms] with Expires until on each held account. Uncapped percentage
// instruments hold no value and are left out, as in FromSplit.
//
// It fails with [ErrInvalid], listing every problem, where FromSplit would,
// and if until is not after bill.At or the split takes nothing from any
// instrument. Whether the instruments have that much available is checked
// by [Journal.Apply] ([ErrInsufficient]).
func Hold(bill allocation.Bill, wallet allocation.Wallet, split allocation.Split, until time.Time, note string) (Transaction, error) {
	id := "hold:" + bill.ID
	spend, err := FromSplit(bill, wallet, split, SpendOptions{Note: note})
	var ps []string
	if ie := (*InvalidError)(nil); errors.As(err, &ie) {
		ps = ie.Problems
	} else if err != nil {
		return Transaction{}, err
	}
	if !until.After(bill.At) {
		ps = append(ps, fmt.Sprintf("hold until %s is not after the bill's time %s", until.Format(time.RFC3339Nano), bill.At.Format(time.RFC3339Nano)))
	}
	if err == nil && len(spend.Postings) == 0 {
		ps = append(ps, "the split takes nothing from any instrument: nothing to hold")
	}
	if len(ps) > 0 {
		return Transaction{}, &InvalidError{ID: id, Problems: ps}
	}
	tx := Transaction{ID: id, Time: bill.At, Kind: KindHold, Bill: bill.ID, Note: note, Postings: spend.Postings}
	for i := 0; i < len(tx.Postings); i += 2 {
		from := tx.Postings[i].Account
		h := HeldAccount(id, from.id, from.currency)
		tx.Postings[i+1].Account = h
		if !slices.ContainsFunc(tx.Terms, func(t Terms) bool { return t.Account == h }) {
			tx.Terms = append(tx.Terms, Terms{Account: h, Expires: until})
		}
	}
	return tx, nil
}

// Capture returns a transaction of kind [KindCapture] that settles amount
// of the open hold named hold into [Revenue], exactly as a spend would pay
// it: the amount is taken from the held instruments in the order the Split
// paid them (allocation by allocation, each up to what is left of it),
// with each allocation's line and product. With final set it then gives
// back, per held instrument in that order, everything still held, and the
// hold is settled; without it the rest stays held. The transaction has the
// given id, time and note, the hold's Bill, and Ref hold.
//
// It fails with [ErrInvalid] if hold is not a hold of j or amount is not
// positive; with [ErrHoldSettled] or [ErrHoldExpired] (a [*HoldError]) if
// the hold is settled or lapsed, or at is not before its Until; and with
// [ErrHoldExceeded] (a [*HoldExceededError]) if amount is more than the
// hold has left. If j already holds id, Capture returns that transaction
// when the same request built it (so Apply reports a replay) and an error
// wrapping [ErrConflict] when not.
func Capture(j Journal, id string, at time.Time, hold string, amount decimal.Decimal, final bool, note string) (Transaction, error) {
	return build(j, id, func(j Journal) (Transaction, error) {
		st, ok := j.HoldStatus(hold)
		var ps []string
		if !ok {
			ps = append(ps, fmt.Sprintf("ref %q: no such hold", hold))
		}
		if !amount.IsPositive() {
			ps = append(ps, fmt.Sprintf("capture amount %s is not positive", exact(amount)))
		}
		if len(ps) > 0 {
			return Transaction{}, &InvalidError{ID: id, Problems: ps}
		}
		if err := st.usable(id, at); err != nil {
			return Transaction{}, err
		}
		if amount.Cmp(st.Left) > 0 {
			return Transaction{}, &HoldExceededError{ID: id, Hold: hold, Amount: amount, Left: st.Left}
		}
		tx := Transaction{ID: id, Time: at, Kind: KindCapture, Bill: st.Bill, Ref: hold, Note: note}
		allocs := j.holdAllocations(hold)
		left := make([]decimal.Decimal, len(st.Parts))
		for i, p := range st.Parts {
			left[i] = p.Left
		}
		// consumed[i] is how much of part i earlier captures took, taken
		// from its allocations front first.
		consumed := make([]decimal.Decimal, len(st.Parts))
		for i, p := range st.Parts {
			consumed[i] = p.Held.Sub(p.Left)
		}
		rest := amount
		for _, a := range allocs {
			k := a.part
			skip := minDec(consumed[k], a.Amount)
			consumed[k] = consumed[k].Sub(skip)
			take := minDec(a.Amount.Sub(skip), rest)
			if !take.IsPositive() {
				continue
			}
			rest, left[k] = rest.Sub(take), left[k].Sub(take)
			tx.Postings = append(tx.Postings,
				Posting{Account: a.Account, Amount: take.Neg(), Line: a.Line, Product: a.Product},
				Posting{Account: SystemAccount(Revenue, a.Account.currency), Amount: take, Line: a.Line, Product: a.Product})
			if !rest.IsPositive() {
				break
			}
		}
		if final {
			for i, p := range st.Parts {
				if left[i].IsPositive() {
					tx.Postings = append(tx.Postings, releasePair(HeldAccount(hold, p.Account.id, p.Account.currency), left[i])...)
				}
			}
		}
		return tx, nil
	})
}

// Release returns a transaction of kind [KindRelease] that gives back all
// that the open hold named hold still reserves, per held instrument in the
// order the Split paid them, and so settles it (a void). The transaction
// has the given id, time and note, the hold's Bill, and Ref hold.
//
// It fails with [ErrInvalid] if hold is not a hold of j, and with
// [ErrHoldSettled] or [ErrHoldExpired] (a [*HoldError]) if the hold is
// settled (released already, or captured) or lapsed, or at is not before
// its Until. If j already holds id, Release returns that transaction when
// the same request built it (so Apply reports a replay) and an error
// wrapping [ErrConflict] when not.
func Release(j Journal, id string, at time.Time, hold string, note string) (Transaction, error) {
	return build(j, id, func(j Journal) (Transaction, error) {
		st, ok := j.HoldStatus(hold)
		if !ok {
			return Transaction{}, &InvalidError{ID: id, Problems: []string{fmt.Sprintf("ref %q: no such hold", hold)}}
		}
		if err := st.usable(id, at); err != nil {
			return Transaction{}, err
		}
		tx := Transaction{ID: id, Time: at, Kind: KindRelease, Bill: st.Bill, Ref: hold, Note: note}
		for _, p := range st.Parts {
			if p.Left.IsPositive() {
				tx.Postings = append(tx.Postings, releasePair(HeldAccount(hold, p.Account.id, p.Account.currency), p.Left)...)
			}
		}
		return tx, nil
	})
}

// releasePair returns the postings giving amount on held account h back to
// its instrument.
func releasePair(h Account, amount decimal.Decimal) []Posting {
	return []Posting{{Account: h, Amount: amount.Neg()}, {Account: h.owner(), Amount: amount}}
}

// usable returns the error for a capture or release tx at at of the hold
// st, or nil if the hold is open and not yet expired at at.
func (st HoldStatus) usable(tx string, at time.Time) error {
	if st.State != HoldOpen || !at.Before(st.Until) {
		return &HoldError{ID: tx, Hold: st.ID, State: st.State, Until: st.Until, At: at}
	}
	return nil
}

// HoldStatus returns the state of the hold with the given id (the id of
// its [KindHold] transaction), and whether j holds such a hold. It is
// derived from the transactions alone, so a journal rebuilt from stored
// transactions reports the same.
func (j Journal) HoldStatus(id string) (HoldStatus, bool) {
	if j.l == nil {
		return HoldStatus{}, false
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	return j.l.holdStatus(id, j.n)
}

// OpenHolds returns every hold of j that still reserves money, by Until,
// then id. It includes holds past their Until that no [Expire] has lapsed
// yet: they still reserve their money until one does. On the newest
// version of a journal it costs time in proportion to the open holds; on
// an older one, to the holds it ever held.
func (j Journal) OpenHolds() []HoldStatus {
	if j.l == nil {
		return nil
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	var out []HoldStatus
	seen := map[string]bool{}
	var ids []string
	if j.l.newest(j.n) {
		for h := range j.l.openHeld { // a hold is open while one of its held accounts holds money
			if !seen[h.hold] {
				seen[h.hold] = true
				ids = append(ids, h.hold)
			}
		}
	} else {
		for _, hs := range j.l.heldBy {
			for _, h := range hs {
				if ac := j.l.accts[h]; ac.first < j.n && !seen[h.hold] {
					seen[h.hold] = true
					ids = append(ids, h.hold)
				}
			}
		}
	}
	slices.Sort(ids) // map order must not reach the output
	for _, id := range ids {
		if st, ok := j.l.holdStatus(id, j.n); ok && st.State == HoldOpen {
			out = append(out, st)
		}
	}
	slices.SortStableFunc(out, func(a, b HoldStatus) int {
		if c := a.Until.Compare(b.Until); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Held returns what open holds reserve of instrument account a: the sum of
// its held accounts' balances. The instrument's whole value is
// [Journal.Balance] of a (what is available) plus Held.
func (j Journal) Held(a Account) decimal.Decimal {
	if j.l == nil {
		return decimal.Decimal{}
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	return j.l.held(a, j.n)
}

// held is Journal.Held as of the first n transactions. For the newest
// version it is one lookup; for an older one it sums a's held accounts.
func (l *log) held(a Account, n int) decimal.Decimal {
	if l.newest(n) {
		return l.heldHead[a]
	}
	var sum decimal.Decimal
	for _, h := range l.heldBy[a] {
		if l.accts[h].first < n {
			sum = sum.Add(l.balance(h, n))
		}
	}
	return sum
}

// A holdAlloc is one positive posting of a hold transaction: an allocation
// of the Split it reserved, with the index of its part.
type holdAlloc struct {
	Posting
	part int
}

// holdAllocations returns the allocations of hold id, in order.
func (j Journal) holdAllocations(id string) []holdAlloc {
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	seq, _ := j.l.seq(id, j.n)
	out, _ := allocationsOf(*j.l.tx(seq))
	return out
}

// allocationsOf returns the allocations of hold transaction tx and its
// held accounts in order of first appearance.
func allocationsOf(tx Transaction) ([]holdAlloc, []Account) {
	out := make([]holdAlloc, 0, len(tx.Postings)/2)
	parts := make([]Account, 0, len(tx.Terms))
	for _, p := range tx.Postings {
		if !p.Account.IsHeld() {
			continue
		}
		k := slices.Index(parts, p.Account)
		if k < 0 {
			k = len(parts)
			parts = append(parts, p.Account)
		}
		out = append(out, holdAlloc{p, k})
	}
	return out, parts
}

// holdStatus derives the state of hold id from the first n transactions:
// the hold transaction, then every posting to its held accounts. A
// negative posting to a held account is always followed by its
// counterpart (Validate): revenue for what was captured, the instrument
// for what was released or, in an expire transaction, lapsed.
func (l *log) holdStatus(id string, n int) (HoldStatus, bool) {
	seq, ok := l.seq(id, n)
	if !ok || l.tx(seq).Kind != KindHold {
		return HoldStatus{}, false
	}
	tx := *l.tx(seq)
	st := HoldStatus{ID: id, Bill: tx.Bill, Time: tx.Time, Note: tx.Note, State: HoldOpen}
	if len(tx.Terms) > 0 {
		st.Until = tx.Terms[0].Expires
	}
	allocs, parts := allocationsOf(tx)
	st.Parts = make([]HeldPart, len(parts))
	for i, h := range parts {
		st.Parts[i].Account = h.owner()
		st.Currency = h.currency
	}
	for _, a := range allocs {
		st.Parts[a.part].Held = plus(st.Parts[a.part].Held, a.Amount)
	}
	if seq < l.off && len(parts) > 0 && l.accts[parts[0]] == nil {
		return l.settledStatus(st, parts), true
	}
	last := -1 // the last transaction after the hold that moved its money
	for i, h := range parts {
		p := &st.Parts[i]
		ac := l.accts[h]
		for _, e := range ac.entries[:ac.count(n)] {
			if e.seq == seq {
				continue
			}
			t := l.tx(e.seq)
			amt := t.Postings[e.post].Amount.Neg()
			switch {
			case t.Postings[e.post+1].Account.sys == Revenue:
				p.Captured = plus(p.Captured, amt)
			case t.Kind == KindExpire:
				p.Lapsed = plus(p.Lapsed, amt)
			default:
				p.Released = plus(p.Released, amt)
			}
			last = max(last, e.seq)
		}
		p.Left = plus(p.Held, plus(plus(p.Captured, p.Released), p.Lapsed).Neg())
		st.Held, st.Captured = plus(st.Held, p.Held), plus(st.Captured, p.Captured)
		st.Released, st.Lapsed, st.Left = plus(st.Released, p.Released), plus(st.Lapsed, p.Lapsed), plus(st.Left, p.Left)
	}
	if st.Left.IsZero() && last >= 0 {
		switch l.tx(last).Kind {
		case KindCapture:
			st.State = HoldCaptured
		case KindRelease:
			st.State = HoldReleased
		default:
			st.State = HoldLapsed
		}
	}
	return st, true
}

// settledStatus completes st, the status of a hold settled before the
// checkpoint of a resumed log, with held accounts parts: its captures and
// releases are the recalled transactions naming it as Ref, and what they
// did not take lapsed (a lapse settles a hold, so it came last).
func (l *log) settledStatus(st HoldStatus, parts []Account) HoldStatus {
	last := KindHold
	for _, seq := range l.pastRefs[st.ID] {
		t := l.tx(seq)
		for i := 0; i+1 < len(t.Postings); i++ {
			k := slices.Index(parts, t.Postings[i].Account)
			if k < 0 || !t.Postings[i].Amount.IsNegative() {
				continue
			}
			p, amt := &st.Parts[k], t.Postings[i].Amount.Neg()
			if t.Postings[i+1].Account.sys == Revenue {
				p.Captured = plus(p.Captured, amt)
			} else {
				p.Released = plus(p.Released, amt)
			}
			last = t.Kind
		}
	}
	var lapsed bool
	for i := range st.Parts {
		p := &st.Parts[i]
		if rest := p.Held.Sub(p.Captured).Sub(p.Released); !rest.IsZero() {
			p.Lapsed, lapsed = rest, true
		}
		st.Held, st.Captured = plus(st.Held, p.Held), plus(st.Captured, p.Captured)
		st.Released, st.Lapsed = plus(st.Released, p.Released), plus(st.Lapsed, p.Lapsed)
	}
	switch {
	case lapsed:
		st.State = HoldLapsed
	case last == KindCapture:
		st.State = HoldCaptured
	default:
		st.State = HoldReleased
	}
	return st
}

// reversible returns the postings of tx that [Reverse] gives back: for a
// capture, each captured amount as if taken straight from the instrument
// its hold reserved it of, as a spend takes it (what the capture gave back
// to instruments is not revenue and stays out); for any other transaction
// its postings.
func reversible(tx Transaction) []Posting {
	if tx.Kind != KindCapture {
		return tx.Postings
	}
	out := make([]Posting, 0, len(tx.Postings))
	for i := 0; i+1 < len(tx.Postings); i += 2 {
		p, q := tx.Postings[i], tx.Postings[i+1]
		if p.Account.IsHeld() && q.Account.sys == Revenue {
			p.Account = p.Account.owner()
			out = append(out, p, q)
		}
	}
	return out
}

// plus returns a + b, without the allocation of decimal's Add when either
// is zero (a hold's status adds many zeros).
func plus(a, b decimal.Decimal) decimal.Decimal {
	switch {
	case b.IsZero():
		return a
	case a.IsZero():
		return b
	}
	return a.Add(b)
}

// holdProblems returns what makes tx's use of held accounts malformed on
// its own (see Validate).
func (tx Transaction) holdProblems() []string {
	var ps []string
	switch tx.Kind {
	case KindHold, KindCapture, KindRelease:
		if len(tx.Postings) == 0 {
			ps = append(ps, fmt.Sprintf("a %s without postings", tx.Kind))
		}
	}
	if (tx.Kind == KindCapture || tx.Kind == KindRelease) && tx.Ref == "" {
		ps = append(ps, fmt.Sprintf("%s without ref (the hold)", tx.Kind))
	}
	pair := func(i int, what string) (Posting, Posting, bool) {
		if i+1 >= len(tx.Postings) {
			ps = append(ps, fmt.Sprintf("posting %d: %s has no counterpart posting", i, what))
			return Posting{}, Posting{}, false
		}
		p, q := tx.Postings[i], tx.Postings[i+1]
		if !p.Amount.Neg().Equal(q.Amount) {
			ps = append(ps, fmt.Sprintf("postings %d and %d: amounts %s and %s do not cancel", i, i+1, exact(p.Amount), exact(q.Amount)))
		}
		return p, q, true
	}
	captured := false
	for i := 0; i < len(tx.Postings); i++ {
		p := tx.Postings[i]
		switch tx.Kind {
		case KindHold:
			if _, q, ok := pair(i, "a hold posting"); ok {
				if !p.Account.IsInstrument() || !p.Amount.IsNegative() {
					ps = append(ps, fmt.Sprintf("posting %d: a hold takes from an instrument account, not %s %s", i, p.Account, exact(p.Amount)))
				}
				if q.Account != HeldAccount(tx.ID, p.Account.id, p.Account.currency) {
					ps = append(ps, fmt.Sprintf("posting %d: a hold puts what it takes from %s in its own held account, not %s", i+1, p.Account, q.Account))
				}
			}
			i++
		case KindCapture, KindRelease, KindExpire:
			if !p.Account.IsHeld() {
				if tx.Kind != KindExpire {
					ps = append(ps, fmt.Sprintf("posting %d: a %s takes from held accounts, not %s", i, tx.Kind, p.Account))
				}
				continue
			}
			_, q, ok := pair(i, "a posting to a held account")
			switch {
			case !ok:
			case !p.Amount.IsNegative():
				ps = append(ps, fmt.Sprintf("posting %d: only a hold adds to held account %s", i, p.Account))
			case tx.Kind != KindExpire && p.Account.hold != tx.Ref:
				ps = append(ps, fmt.Sprintf("posting %d: %s is not a held account of hold %q", i, p.Account, tx.Ref))
			case q.Account == p.Account.owner():
			case tx.Kind == KindCapture && q.Account == SystemAccount(Revenue, p.Account.currency):
				captured = true
			default:
				ps = append(ps, fmt.Sprintf("posting %d: what leaves %s goes to %s, not %s", i+1, p.Account, p.Account.owner(), q.Account))
			}
			i++
		default:
			if p.Account.IsHeld() {
				ps = append(ps, fmt.Sprintf("posting %d: a %s may not post to held account %s", i, tx.Kind, p.Account))
			}
		}
	}
	if tx.Kind == KindCapture && len(tx.Postings) > 0 && !captured {
		ps = append(ps, "a capture that pays nothing into revenue")
	}
	for i, t := range tx.Terms {
		if !t.Account.IsHeld() {
			continue
		}
		switch {
		case tx.Kind != KindHold || t.Account.hold != tx.ID:
			ps = append(ps, fmt.Sprintf("terms %d: only hold %q sets terms for %s", i, t.Account.hold, t.Account))
		case t.Kind != "" || t.Group != "" || !t.Overdraft.IsZero() || t.Transferable:
			ps = append(ps, fmt.Sprintf("terms %d: terms of a held account carry only Expires", i))
		case !t.Expires.After(tx.Time):
			ps = append(ps, fmt.Sprintf("terms %d: hold expires at %s, not after its time", i, t.Expires.Format(time.RFC3339Nano)))
		case !t.Expires.Equal(tx.Terms[0].Expires):
			ps = append(ps, fmt.Sprintf("terms %d: a hold has one expiry, not several", i))
		}
	}
	if tx.Kind == KindHold {
		for i, p := range tx.Postings {
			if p.Account.IsHeld() && !slices.ContainsFunc(tx.Terms, func(t Terms) bool { return t.Account == p.Account }) {
				ps = append(ps, fmt.Sprintf("posting %d: no terms (expiry) for %s", i, p.Account))
			}
		}
		for i, t := range tx.Terms {
			if !t.Account.IsHeld() {
				ps = append(ps, fmt.Sprintf("terms %d: a hold sets terms only for its held accounts", i))
			}
		}
	}
	return ps
}

// checkHolds runs the checks of Apply on the holds tx moves money of, with
// tx's nets ns, against the first n transactions: a capture, release or
// lapse needs an open hold (not yet expired at tx's time for a capture or
// release, expired for a lapse), may not take more than a held account
// holds, and a release, final capture or lapse gives back all that is
// left.
func (l *log) checkHolds(n int, tx Transaction, ns []net) error {
	if tx.Kind == KindHold {
		return nil // its held accounts are new: only a hold adds to held accounts, its own
	}
	var done []string
	for _, x := range ns {
		h := x.account
		if !h.IsHeld() || slices.Contains(done, h.hold) {
			continue
		}
		done = append(done, h.hold)
		st, ok := l.holdStatus(h.hold, n)
		if !ok {
			return &InvalidError{ID: tx.ID, Problems: []string{fmt.Sprintf("ref %q: no such hold", h.hold)}}
		}
		if tx.Kind == KindExpire {
			if st.State != HoldOpen || tx.Time.Before(st.Until) {
				return &InvalidError{ID: tx.ID, Problems: []string{fmt.Sprintf("hold %q is %s until %s: it cannot lapse at %s",
					st.ID, st.State, st.Until.Format(time.RFC3339Nano), tx.Time.Format(time.RFC3339Nano))}}
			}
		} else if err := st.usable(tx.ID, tx.Time); err != nil {
			return err
		}
		settles := tx.Kind != KindCapture
		for i := 0; i+1 < len(tx.Postings); i++ {
			if p := tx.Postings[i]; p.Account.hold == h.hold && p.Account.IsHeld() && tx.Postings[i+1].Account.IsInstrument() {
				settles = true // a final capture
			}
		}
		for _, part := range st.Parts {
			held := HeldAccount(h.hold, part.Account.id, part.Account.currency)
			after := part.Left.Add(find(ns, held).amount)
			if after.IsNegative() {
				return &HoldExceededError{ID: tx.ID, Hold: h.hold, Account: part.Account, Amount: find(ns, held).amount.Neg(), Left: part.Left}
			}
			if settles && !after.IsZero() {
				return &InvalidError{ID: tx.ID, Problems: []string{fmt.Sprintf("%s would still hold %s: a %s gives back all that is left", held, exact(after), settleWord(tx.Kind))}}
			}
		}
		for _, x := range ns {
			if x.account.IsHeld() && x.account.hold == h.hold && !slices.ContainsFunc(st.Parts, func(p HeldPart) bool { return p.Account == x.account.owner() }) {
				return &InvalidError{ID: tx.ID, Problems: []string{fmt.Sprintf("%s: hold %q holds nothing of %s", x.account, h.hold, x.account.owner())}}
			}
		}
	}
	return nil
}

// settleWord names what settles a hold in a transaction of kind k.
func settleWord(k Kind) string {
	switch k {
	case KindCapture:
		return "final capture"
	case KindExpire:
		return "lapse"
	}
	return string(k)
}

var (
	// ErrHoldSettled is wrapped by the error for a capture or release of a
	// hold that is already settled: captured in full or finally, or
	// released (so a second release fails with it): see [HoldError].
	ErrHoldSettled = errors.New("ledger: hold is already settled")
	// ErrHoldExpired is wrapped by the error for a capture or release of a
	// hold that has lapsed, or at or after its Until: see [HoldError].
	ErrHoldExpired = errors.New("ledger: hold has expired")
	// ErrHoldExceeded is wrapped by the error for a capture of more than a
	// hold has left: see [HoldExceededError].
	ErrHoldExceeded = errors.New("ledger: capture exceeds what the hold has left")
)

// A HoldError reports a capture or release (transaction ID, at At) of a
// hold that cannot take one: State is the hold's state before it. It wraps
// [ErrHoldSettled] when the hold was captured or released, and
// [ErrHoldExpired] when it lapsed or At is not before Until.
type HoldError struct {
	ID, Hold string
	State    HoldState
	Until    time.Time
	At       time.Time
}

// Error names the hold and why it cannot be used.
func (e *HoldError) Error() string {
	if e.State == HoldOpen {
		return fmt.Sprintf("ledger: transaction %q: hold %q expired at %s, too late at %s", e.ID, e.Hold,
			e.Until.Format(time.RFC3339Nano), e.At.Format(time.RFC3339Nano))
	}
	return fmt.Sprintf("ledger: transaction %q: hold %q is already %s", e.ID, e.Hold, e.State)
}

// Unwrap returns [ErrHoldSettled] or [ErrHoldExpired].
func (e *HoldError) Unwrap() error {
	if e.State == HoldCaptured || e.State == HoldReleased {
		return ErrHoldSettled
	}
	return ErrHoldExpired
}

// A HoldExceededError reports a capture (transaction ID) of Amount from
// hold Hold, which has only Left: in all, or, when Account is set, of that
// instrument. It wraps [ErrHoldExceeded].
type HoldExceededError struct {
	ID, Hold     string
	Account      Account
	Amount, Left decimal.Decimal
}

// Error names the hold, the amount and what is left.
func (e *HoldExceededError) Error() string {
	of := ""
	if !e.Account.IsZero() {
		of = " of " + e.Account.String()
	}
	return fmt.Sprintf("ledger: transaction %q: capture of %s%s exceeds the %s hold %q has left", e.ID, exact(e.Amount), of, exact(e.Left), e.Hold)
}

// Unwrap returns [ErrHoldExceeded].
func (e *HoldExceededError) Unwrap() error { return ErrHoldExceeded }
