package credit

import (
	"encoding/json"
	"errors"
	"slices"

	"github.com/billfold/billfold/internal/problems"
	"github.com/billfold/billfold/internal/stored"
)

// The stored forms, version 1. Field order is the order of the JSON
// objects.
type (
	storedCredit struct {
		Version     int           `json:"version"`
		ID          string        `json:"id"`
		Name        string        `json:"name,omitempty"`
		Type        Type          `json:"type"`
		Domain      string        `json:"domain"`
		Group       string        `json:"group"`
		Currency    string        `json:"currency"`
		Accumulated string        `json:"accumulated"`
		GrantedAt   string        `json:"granted_at"`
		ValidFrom   string        `json:"valid_from"`
		ValidUntil  string        `json:"valid_until"`
		Scope       *stored.Scope `json:"scope,omitempty"`
		Invoiceable bool          `json:"invoiceable,omitempty"`
		Status      Status        `json:"status"`
		Remaining   string        `json:"remaining"`
		ZeroAt      string        `json:"zero_at,omitempty"`
		History     []storedEntry `json:"history"`
	}
	storedEntry struct {
		Type   EntryType `json:"type"`
		At     string    `json:"at"`
		Amount string    `json:"amount"`
		Group  string    `json:"group,omitempty"`
		Ref    string    `json:"ref,omitempty"`
	}
	storedGift struct {
		Version  int    `json:"version"`
		ID       string `json:"id"`
		Account  string `json:"account"`
		Currency string `json:"currency"`
		Balance  string `json:"balance"`
		Granted  string `json:"granted"`
		Used     string `json:"used"`
	}
	storedLine struct {
		Version   int    `json:"version"`
		ID        string `json:"id"`
		Account   string `json:"account"`
		Currency  string `json:"currency"`
		Limit     string `json:"limit"`
		Available string `json:"available"`
	}
)

// MarshalJSON returns the stored form of c, version 1: a JSON object
// holding the credit's definition (type, billing group, usage period,
// scope) and its lifecycle (status, remaining amount, when it reached zero,
// and the whole usage history), so that a host can keep credits between
// requests and get them back with [Credit.UnmarshalJSON] exactly (see
// [Credit.Equal]):
//
//	{"version":1,"id":"PC-1","type":"paid","domain":"acme","group":"main",
//	 "currency":"KRW","accumulated":"1000000",
//	 "granted_at":"2024-02-28T20:00:00Z","valid_from":"2024-02-28T20:00:00Z",
//	 "valid_until":"2029-02-27T20:00:00Z","status":"available",
//	 "remaining":"1000000","history":[{"type":"accumulation",
//	 "at":"2024-02-28T20:00:00Z","amount":"1000000"}]}
//
// Amounts are decimal strings with their scale kept; instants are RFC 3339
// in UTC (the instant is stored, not its Location: nothing in this package
// depends on it, see [NewPaid] and [List]). A history entry's group and
// ref, the name, the scope and invoiceable are left out when empty.
//
// The journal, not this value, is the truth for money: build the wallet of
// the next bill from the stored credits' instruments ([Wallet]) with
// ledger.WithBalances(journal, wallet), which takes each balance from the
// journal and makes a used-up credit that the journal holds value for (a
// refund) usable again until its usage period ends.
//
// It returns an error wrapping [ErrInvalid] for the zero Credit.
func (c Credit) MarshalJSON() ([]byte, error) {
	if c.id == "" {
		return nil, &InvalidError{What: "credit", Problems: []string{"the zero Credit has no stored form"}}
	}
	s := storedCredit{
		Version: stored.Version, ID: c.id, Name: c.name, Type: c.typ, Domain: c.domain, Group: c.group,
		Currency: c.currency, Accumulated: stored.Amount(c.amount), GrantedAt: stored.Time(c.grantedAt),
		ValidFrom: stored.Time(c.validFrom), ValidUntil: stored.Time(c.validUntil), Scope: stored.ScopeOf(c.scope),
		Invoiceable: c.invoiceable, Status: c.status, Remaining: stored.Amount(c.remaining),
		ZeroAt: stored.Time(c.zeroAt), History: make([]storedEntry, len(c.history)),
	}
	for i, e := range c.history {
		s.History[i] = storedEntry{Type: e.Type, At: stored.Time(e.At), Amount: stored.Amount(e.Amount), Group: e.Group, Ref: e.Ref}
	}
	return json.Marshal(s)
}

// UnmarshalJSON reads the stored form [Credit.MarshalJSON] writes. It is
// strict and checks everything: the version (1), unknown or repeated
// fields, malformed amounts and instants, the rules of [NewFree] and
// [NewPaid] (ids, group, currency, a positive accumulated amount, a usage
// period that ends after it starts), a known status and a history that
// status can have been reached by: it opens with the accumulation (or, for
// a free credit, the transfer accumulation) of the accumulated amount at
// the grant, deducts positive amounts of known types in a way the credit's
// type allows (no transfer or recovery of a paid credit, no refund of a
// free one), never below zero, down to the remaining amount, and closes
// (expiry, recovery, refund, or the use or transfer that used it up) at
// ZeroAt exactly when the status is not available. It returns one error
// wrapping [ErrInvalid] (an [*InvalidError]) listing every problem with
// its JSON path, and then sets c to the zero Credit: never a half-built
// value. (Called through [encoding/json.Unmarshal], input that is not JSON
// at all is refused by encoding/json itself, before this method runs, and c
// is left as it was.)
func (c *Credit) UnmarshalJSON(data []byte) error {
	w, probs := stored.Read(c, data, readCredit, Credit.check)
	if len(probs) > 0 {
		return &InvalidError{What: "credit", ID: w.id, Problems: probs}
	}
	return nil
}

func readCredit(_ *stored.Reader, o *stored.Object) Credit {
	var w Credit
	w.id = o.String("id", true)
	w.name = o.String("name", false)
	w.typ = Type(o.String("type", true))
	w.domain = o.String("domain", true)
	w.group = o.String("group", true)
	w.currency = o.String("currency", true)
	w.amount = o.Amount("accumulated", true)
	w.grantedAt = o.Time("granted_at", true)
	w.validFrom = o.Time("valid_from", true)
	w.validUntil = o.Time("valid_until", true)
	w.scope = stored.ReadScope(o.Object("scope"))
	w.invoiceable = o.Bool("invoiceable")
	w.status = Status(o.String("status", true))
	w.remaining = o.Amount("remaining", true)
	w.zeroAt = o.Time("zero_at", false)
	o.Array("history", func(_ int, e *stored.Object) {
		w.history = append(w.history, Entry{
			Type: EntryType(e.String("type", true)), At: e.Time("at", true),
			Amount: e.Amount("amount", true), Group: e.String("group", false), Ref: e.String("ref", false),
		})
		e.Done()
	})
	return w
}

// check adds every way w breaks the rules of its constructor or cannot
// have been reached through the lifecycle.
func (w Credit) check(probs *problems.List) {
	checkCommon(probs, w.id, w.domain, w.group, w.currency, w.amount, w.grantedAt, "granted at")
	stored.After(probs, "valid until", w.validUntil, "valid from", w.validFrom)
	stored.NotNegative(probs, "remaining", w.remaining)
	switch w.typ {
	case Free:
		if w.invoiceable {
			probs.Add("a free credit is not invoiceable")
		}
	case Paid:
		if !stored.ScopeEmpty(w.scope) {
			probs.Add("a paid credit may pay any service: its scope is empty")
		}
	default:
		probs.Add("type %q is not free or paid", w.typ)
	}
	closing := map[Status]EntryType{Expired: EntryExpiry, Recovered: EntryRecovery, Refunded: EntryRefund}
	switch w.status {
	case Available:
		if !w.remaining.IsPositive() {
			probs.Add("an available credit has something remaining (remaining %s)", w.remaining)
		}
		if !w.zeroAt.IsZero() {
			probs.Add("an available credit has not reached zero (zero at %s)", stored.Time(w.zeroAt))
		}
	case UsedUp, Expired, Recovered, Refunded:
		if !w.remaining.IsZero() {
			probs.Add("a credit in status %s has nothing remaining (remaining %s)", w.status, w.remaining)
		}
		if w.zeroAt.IsZero() {
			probs.Add("a credit in status %s has the instant it reached zero (zero at is missing)", w.status)
		}
	default:
		probs.Add("status %q is not available, used_up, expired, recovered or refunded", w.status)
	}
	if (w.status == Recovered && w.typ != Free) || (w.status == Refunded && w.typ != Paid) {
		probs.Add("a %s credit cannot be %s: free credits are recovered, paid ones refunded", w.typ, w.status)
	}
	if w.status == Expired && !w.zeroAt.Equal(w.validUntil) {
		probs.Add("an expired credit reached zero at the end of its usage period %s, not %s", stored.Time(w.validUntil), stored.Time(w.zeroAt))
	}
	w.checkHistory(probs, closing)
}

func (w Credit) checkHistory(probs *problems.List, closing map[Status]EntryType) {
	if len(w.history) == 0 {
		probs.Add("history: empty; it opens with the grant")
		return
	}
	first := w.history[0]
	switch {
	case first.Type == EntryAccumulation && first.Group == "" && first.Ref == "":
	case first.Type == EntryTransferAccumulation && w.typ == Free && first.Group != "" && first.Group != w.group && first.Ref != "":
	default:
		probs.Add("history[0]: a %s credit opens with an accumulation (or a free one with a transfer accumulation from another group, naming it and the source credit), not %q", w.typ, first.Type)
	}
	if !first.At.Equal(w.grantedAt) || !first.Amount.Equal(w.amount) {
		probs.Add("history[0]: the opening entry is the accumulated %s at granted at %s, not %s at %s", w.amount, stored.Time(w.grantedAt), first.Amount, stored.Time(first.At))
	}
	left := first.Amount
	for i, e := range w.history[1:] {
		i++
		if !e.Amount.IsPositive() {
			probs.Add("history[%d].amount %s must be positive", i, e.Amount)
		}
		last := i == len(w.history)-1
		switch e.Type {
		case EntryUse:
			if e.Group != "" {
				probs.Add("history[%d]: a use names no group", i)
			}
		case EntryTransferDeduction:
			if w.typ != Free || e.Group == "" || e.Group == w.group || e.Ref == "" {
				probs.Add("history[%d]: only a free credit is transferred, to another group, naming it and the credit received", i)
			}
		case EntryExpiry, EntryRecovery, EntryRefund:
			if !last || closing[w.status] != e.Type {
				probs.Add("history[%d]: an entry of type %s closes a credit: it comes last, in a credit whose status says so (status %s)", i, e.Type, w.status)
			}
			if e.Group != "" || e.Ref != "" {
				probs.Add("history[%d]: an entry of type %s names no group or reference", i, e.Type)
			}
		default:
			probs.Add("history[%d].type %q is not use, transfer_deduction, expiry, recovery or refund (accumulations open a history)", i, e.Type)
		}
		left = left.Sub(e.Amount)
		if left.IsNegative() {
			probs.Add("history[%d]: deducts %s, more than the %s remaining", i, e.Amount, left.Add(e.Amount))
			return
		}
	}
	if !left.Equal(w.remaining) {
		probs.Add("the history leaves %s; remaining says %s", left, w.remaining)
	}
	last := w.history[len(w.history)-1]
	if w.status != Available {
		want := closing[w.status]
		ok := last.Type == want
		if w.status == UsedUp {
			ok = last.Type == EntryUse || last.Type == EntryTransferDeduction
		}
		if !ok || len(w.history) == 1 {
			probs.Add("history: the last entry of a credit in status %s says how it reached zero, not %q", w.status, last.Type)
		} else if !last.At.Equal(w.zeroAt) {
			probs.Add("history: the last entry at %s is when the credit reached zero; zero at says %s", stored.Time(last.At), stored.Time(w.zeroAt))
		}
	}
}

// Equal reports whether c and d are the same credit in the same state:
// every field equal, amounts by value ([decimal.Decimal.Equal]), instants
// as instants ([time.Time.Equal], whatever their Location), scope lists and
// history entry by entry. A credit and its stored form read back are
// Equal.
func (c Credit) Equal(d Credit) bool {
	return c.id == d.id && c.name == d.name && c.typ == d.typ && c.domain == d.domain &&
		c.group == d.group && c.currency == d.currency && c.amount.Equal(d.amount) &&
		c.remaining.Equal(d.remaining) && c.validFrom.Equal(d.validFrom) &&
		c.validUntil.Equal(d.validUntil) && stored.ScopeEqual(c.scope, d.scope) &&
		c.grantedAt.Equal(d.grantedAt) && c.invoiceable == d.invoiceable &&
		c.status == d.status && c.zeroAt.Equal(d.zeroAt) &&
		slices.EqualFunc(c.history, d.history, func(a, b Entry) bool {
			return a.Type == b.Type && a.At.Equal(b.At) && a.Amount.Equal(b.Amount) && a.Group == b.Group && a.Ref == b.Ref
		})
}

// MarshalJSON returns the stored form of g, version 1:
//
//	{"version":1,"id":"gift","account":"acct","currency":"CNY",
//	 "balance":"70","granted":"100","used":"30"}
//
// Amounts are decimal strings with their scale kept. The journal is the
// truth for the balance (see [Credit.MarshalJSON]). It returns an error
// wrapping [ErrInvalid] for the zero Gift.
func (g Gift) MarshalJSON() ([]byte, error) {
	if g.id == "" {
		return nil, &InvalidError{What: "gift balance", Problems: []string{"the zero Gift has no stored form"}}
	}
	return json.Marshal(storedGift{
		Version: stored.Version, ID: g.id, Account: g.account, Currency: g.currency,
		Balance: stored.Amount(g.balance), Granted: stored.Amount(g.granted), Used: stored.Amount(g.used),
	})
}

// UnmarshalJSON reads the stored form [Gift.MarshalJSON] writes, strictly:
// the version (1), unknown or repeated fields, malformed amounts, the
// rules of [NewGift], no amount negative and balance = granted − used. It
// returns one error wrapping [ErrInvalid] listing every problem with its
// JSON path, and then sets g to the zero Gift.
func (g *Gift) UnmarshalJSON(data []byte) error {
	w, probs := stored.Read(g, data, func(_ *stored.Reader, o *stored.Object) Gift {
		return Gift{
			id: o.String("id", true), account: o.String("account", true), currency: o.String("currency", true),
			balance: o.Amount("balance", true), granted: o.Amount("granted", true), used: o.Amount("used", true),
		}
	}, Gift.check)
	if len(probs) > 0 {
		return &InvalidError{What: "gift balance", ID: w.id, Problems: probs}
	}
	return nil
}

// check adds every way w breaks the rules of [NewGift] or cannot have
// been reached.
func (w Gift) check(probs *problems.List) {
	var inv *InvalidError
	if _, err := NewGift(GiftParams{ID: w.id, Account: w.account, Currency: w.currency, Balance: w.balance}); errors.As(err, &inv) {
		*probs = append(*probs, inv.Problems...)
	}
	if w.granted.IsNegative() || w.used.IsNegative() {
		probs.Add("granted %s and used %s must not be negative", w.granted, w.used)
	}
	if !w.granted.Sub(w.used).Equal(w.balance) {
		probs.Add("balance %s is not granted %s − used %s", w.balance, w.granted, w.used)
	}
}

// Equal reports whether g and h are the same gift balance in the same
// state, amounts compared by value.
func (g Gift) Equal(h Gift) bool {
	return g.id == h.id && g.account == h.account && g.currency == h.currency &&
		g.balance.Equal(h.balance) && g.granted.Equal(h.granted) && g.used.Equal(h.used)
}

// MarshalJSON returns the stored form of l, version 1:
//
//	{"version":1,"id":"avail","account":"acct","currency":"CNY",
//	 "limit":"5000","available":"-1200"}
//
// Amounts are decimal strings with their scale kept. The journal is the
// truth for the available credit (see [Credit.MarshalJSON]). It returns an
// error wrapping [ErrInvalid] for the zero Line.
func (l Line) MarshalJSON() ([]byte, error) {
	if l.id == "" {
		return nil, &InvalidError{What: "credit line", Problems: []string{"the zero Line has no stored form"}}
	}
	return json.Marshal(storedLine{
		Version: stored.Version, ID: l.id, Account: l.account, Currency: l.currency,
		Limit: stored.Amount(l.limit), Available: stored.Amount(l.available),
	})
}

// UnmarshalJSON reads the stored form [Line.MarshalJSON] writes, strictly:
// the version (1), unknown or repeated fields, malformed amounts and the
// rules of [NewLine] (a limit not negative, available not below −limit).
// It returns one error wrapping [ErrInvalid] listing every problem with
// its JSON path, and then sets l to the zero Line.
func (l *Line) UnmarshalJSON(data []byte) error {
	w, probs := stored.Read(l, data, func(_ *stored.Reader, o *stored.Object) Line {
		return Line{
			id: o.String("id", true), account: o.String("account", true), currency: o.String("currency", true),
			limit: o.Amount("limit", true), available: o.Amount("available", true),
		}
	}, func(w Line, probs *problems.List) {
		var inv *InvalidError
		if _, err := NewLine(LineParams{ID: w.id, Account: w.account, Currency: w.currency, Limit: w.limit, Available: w.available}); errors.As(err, &inv) {
			*probs = append(*probs, inv.Problems...)
		}
	})
	if len(probs) > 0 {
		return &InvalidError{What: "credit line", ID: w.id, Problems: probs}
	}
	return nil
}

// Equal reports whether l and m are the same line in the same state,
// amounts compared by value.
func (l Line) Equal(m Line) bool {
	return l.id == m.id && l.account == m.account && l.currency == m.currency &&
		l.limit.Equal(m.limit) && l.available.Equal(m.available)
}
