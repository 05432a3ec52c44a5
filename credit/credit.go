package credit

import (
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/calendar"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// A Type tells free credits from paid ones. The zero Type is not valid.
type Type string

const (
	// Free credits come from promotions, events and rewards. They may be
	// transferred to another billing group of the same domain, and are
	// recovered rather than refunded.
	Free Type = "free"
	// Paid credits are bought for one billing group, are valid 5 years
	// from purchase, cannot be transferred, and may be refunded.
	Paid Type = "paid"
)

// Instrument kinds credits project to, by [Type].
const (
	KindFreeCredit = "free_credit"
	KindPaidCredit = "paid_credit"
)

// Kind returns the instrument kind of credits of type t, or "" for an
// unknown type.
func (t Type) Kind() string {
	switch t {
	case Free:
		return KindFreeCredit
	case Paid:
		return KindPaidCredit
	}
	return ""
}

// Bill line categories that free credits never pay
// (003_b4fbba3f981e0ca6.txt: "excluding marketplace and OS images"). Hosts
// put these in [allocation.Line].Category.
const (
	CategoryMarketplace = "marketplace"
	CategoryOSImage     = "os_image"
)

// PaidValidityYears is how long a paid credit is valid from its purchase
// (003_b4fbba3f981e0ca6.txt: "Validity period: 5 years from the date of
// purchase").
const PaidValidityYears = 5

// ListedFor is how many months a credit whose remaining amount reached zero
// stays listed ([List], counting in the zone it is given; 003_b4fbba3f981e0ca6.txt: "can be checked … for up
// to three months from that point").
const ListedFor = 3

// A Status is where a credit is in its life (see the package documentation
// for transitions). Only [Available] credits pay. The zero Status is only
// that of the zero Credit.
type Status string

const (
	// Available: usable within its usage period.
	Available Status = "available"
	// UsedUp: its remaining amount was used (or transferred) to zero.
	UsedUp Status = "used_up"
	// Expired: its usage period ended; what remained was written off.
	Expired Status = "expired"
	// Recovered: a free credit taken back by the provider.
	Recovered Status = "recovered"
	// Refunded: a paid credit whose remaining amount was paid back.
	Refunded Status = "refunded"
)

// FreeParams describe a free credit to grant with [NewFree].
// The zero FreeParams are not valid.
type FreeParams struct {
	// ID identifies the credit; Name is what the console shows.
	ID, Name string
	// Domain and Group are the domain and billing group holding it
	// (required).
	Domain, Group string
	// Currency is an ISO 4217 code (required).
	Currency string
	// Amount is the accumulated amount at grant (> 0).
	Amount decimal.Decimal
	// GrantedAt is when it was granted (required).
	GrantedAt time.Time
	// ValidFrom starts the usage period; zero means GrantedAt.
	ValidFrom time.Time
	// ValidUntil ends the usage period (exclusive; required, after
	// ValidFrom): what remains then expires.
	ValidUntil time.Time
	// Services, if not empty, limits the credit to these products ("credit
	// applied to specific services only"), which makes its scope specific.
	Services []string
	// AllowMarketplaceAndImages drops the exclusion of the
	// [CategoryMarketplace] and [CategoryOSImage] categories, for a
	// promotion that covers them. By default (false) they are excluded.
	AllowMarketplaceAndImages bool
}

// PaidParams describe a paid credit bought with [NewPaid].
// The zero PaidParams are not valid.
type PaidParams struct {
	// ID identifies the credit; Name is what the console shows.
	ID, Name string
	// Domain and Group are the domain and the billing group it was bought
	// for (required); it can be used only there.
	Domain, Group string
	// Currency is an ISO 4217 code (required).
	Currency string
	// Amount is the purchase amount (> 0).
	Amount decimal.Decimal
	// PurchasedAt is when it was bought (required). It is valid from then
	// for [PaidValidityYears] years, counted in the zone given to
	// [NewPaid].
	PurchasedAt time.Time
	// InvoiceOnUse marks what the credit pays as invoiceable. By default
	// (false) the purchase is what is invoiced, not the use, as with
	// Guance's prepaid cards.
	InvoiceOnUse bool
}

// A Credit is an immutable free or paid credit of one billing group.
// Methods that change it return a new Credit.
//
// The zero Credit is not a credit (it has no id): its methods return errors
// wrapping [ErrInvalid].
type Credit struct {
	id, name      string
	typ           Type
	domain, group string
	currency      string
	amount        decimal.Decimal // accumulated at grant
	remaining     decimal.Decimal
	validFrom     time.Time
	validUntil    time.Time
	scope         allocation.Scope
	grantedAt     time.Time
	invoiceable   bool
	status        Status
	zeroAt        time.Time
	history       []Entry
}

// An EntryType names a change in a credit's usage history. The zero
// EntryType names none.
type EntryType string

const (
	// EntryAccumulation: the credit was granted or bought.
	EntryAccumulation EntryType = "accumulation"
	// EntryUse: it paid service fees on a bill.
	EntryUse EntryType = "use"
	// EntryTransferAccumulation: it was credited by a transfer from
	// another group (the first entry of a transferred credit).
	EntryTransferAccumulation EntryType = "transfer_accumulation"
	// EntryTransferDeduction: part of it was transferred to another group.
	EntryTransferDeduction EntryType = "transfer_deduction"
	// EntryExpiry: what remained at the end of the usage period.
	EntryExpiry EntryType = "expiry"
	// EntryRecovery: what remained when a free credit was recovered.
	EntryRecovery EntryType = "recovery"
	// EntryRefund: what remained when a paid credit was refunded.
	EntryRefund EntryType = "refund"
)

// An Entry is one line of a credit's usage history. Amount is positive;
// whether it adds to the credit follows from Type. Entries are made by the
// package; a zero Entry never appears in a history.
type Entry struct {
	Type   EntryType
	At     time.Time
	Amount decimal.Decimal
	// Group is the other billing group of a transfer: the target of a
	// deduction, the source of an accumulation. Empty otherwise.
	Group string
	// Ref is the bill id of a use, or the other credit's id of a transfer.
	Ref string
}

// NewFree grants a free credit, [Available], with one accumulation entry.
// It returns one error wrapping [ErrInvalid] listing every problem found.
func NewFree(p FreeParams) (Credit, error) {
	var probs problems.List
	checkCommon(&probs, p.ID, p.Domain, p.Group, p.Currency, p.Amount, p.GrantedAt, "granted at")
	from := p.ValidFrom
	if from.IsZero() {
		from = p.GrantedAt
	}
	if p.ValidUntil.IsZero() {
		probs.Add("valid until is zero: a free credit has a usage period")
	} else if !from.IsZero() && !p.ValidUntil.After(from) {
		probs.Add("valid until %s must be after valid from %s", p.ValidUntil.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	for i, s := range p.Services {
		if s == "" {
			probs.Add("service %d is empty", i)
		}
	}
	if len(probs) > 0 {
		return Credit{}, &InvalidError{What: "credit", ID: p.ID, Problems: probs}
	}
	var scope allocation.Scope
	scope.Products = slices.Clone(p.Services)
	if !p.AllowMarketplaceAndImages {
		scope.ExcludeCategories = []string{CategoryMarketplace, CategoryOSImage}
	}
	return Credit{
		id: p.ID, name: p.Name, typ: Free, domain: p.Domain, group: p.Group,
		currency: p.Currency, amount: p.Amount, remaining: p.Amount,
		validFrom: from, validUntil: p.ValidUntil, scope: scope,
		grantedAt: p.GrantedAt, status: Available,
		history: []Entry{{Type: EntryAccumulation, At: p.GrantedAt, Amount: p.Amount}},
	}, nil
}

// NewPaid records a bought credit, [Available] from PurchasedAt until
// [PaidValidityYears] years later, counted on the calendar of loc, the
// customer's time zone (nil means UTC): the date and clock time PurchasedAt
// shows in loc, on the same day of the month five years on, or the last day
// of a shorter month (bought on Feb 29, valid until Feb 28). The result
// depends on the instant PurchasedAt only, not on the Location attached to
// it, and ValidUntil is in loc. It may pay any service. It returns one
// error wrapping [ErrInvalid] listing every problem found.
func NewPaid(p PaidParams, loc *time.Location) (Credit, error) {
	var probs problems.List
	checkCommon(&probs, p.ID, p.Domain, p.Group, p.Currency, p.Amount, p.PurchasedAt, "purchased at")
	if len(probs) > 0 {
		return Credit{}, &InvalidError{What: "credit", ID: p.ID, Problems: probs}
	}
	return Credit{
		id: p.ID, name: p.Name, typ: Paid, domain: p.Domain, group: p.Group,
		currency: p.Currency, amount: p.Amount, remaining: p.Amount,
		validFrom: p.PurchasedAt, validUntil: calendar.MonthsLaterIn(p.PurchasedAt, 12*PaidValidityYears, loc),
		grantedAt: p.PurchasedAt, invoiceable: p.InvoiceOnUse, status: Available,
		history: []Entry{{Type: EntryAccumulation, At: p.PurchasedAt, Amount: p.Amount}},
	}, nil
}

func checkCommon(probs *problems.List, id, domain, group, currency string, amount decimal.Decimal, at time.Time, atName string) {
	if id == "" {
		probs.Add("id is empty")
	}
	if domain == "" {
		probs.Add("domain is empty")
	}
	if group == "" {
		probs.Add("billing group is empty")
	}
	if !allocation.ValidCurrency(currency) {
		probs.Add("currency %q is not three upper-case letters", currency)
	}
	if !amount.IsPositive() {
		probs.Add("amount %s must be positive", amount)
	}
	if at.IsZero() {
		probs.Add("%s is zero", atName)
	}
}

// ID returns the credit's id.
func (c Credit) ID() string { return c.id }

// Name returns the credit's display name.
func (c Credit) Name() string { return c.name }

// Type returns [Free] or [Paid].
func (c Credit) Type() Type { return c.typ }

// Domain returns the domain of the credit's billing group.
func (c Credit) Domain() string { return c.domain }

// Group returns the billing group holding the credit.
func (c Credit) Group() string { return c.group }

// Currency returns the credit's ISO 4217 currency code.
func (c Credit) Currency() string { return c.currency }

// Accumulated returns the amount credited when the credit was granted,
// bought or received by transfer.
func (c Credit) Accumulated() decimal.Decimal { return c.amount }

// Remaining returns what is left to pay with. Remaining = Accumulated minus
// every deduction in the history; it is never negative, and zero in every
// status but [Available].
func (c Credit) Remaining() decimal.Decimal { return c.remaining }

// Used returns the console's "used amount": what paid service fees plus
// what expired (003_b4fbba3f981e0ca6.txt: "expired amounts may also be
// included").
func (c Credit) Used() decimal.Decimal { return c.Total(EntryUse).Add(c.Total(EntryExpiry)) }

// Total returns the sum of the history entries of type t.
func (c Credit) Total(t EntryType) decimal.Decimal {
	sum := decimal.Zero
	for _, e := range c.history {
		if e.Type == t {
			sum = sum.Add(e.Amount)
		}
	}
	return sum
}

// History returns a copy of the credit's history, oldest first.
func (c Credit) History() []Entry { return slices.Clone(c.history) }

// ValidFrom returns the start of the usage period.
func (c Credit) ValidFrom() time.Time { return c.validFrom }

// ValidUntil returns the end of the usage period (exclusive).
func (c Credit) ValidUntil() time.Time { return c.validUntil }

// Scope returns a copy of the credit's scope: for free credits the
// excluded categories and any services it is limited to; empty for paid
// credits.
func (c Credit) Scope() allocation.Scope { return instrument.CloneScope(c.scope) }

// Specific reports whether the credit applies to specific services only.
func (c Credit) Specific() bool { return c.scope.Specific() }

// GrantedAt returns when the credit was granted, bought or received.
func (c Credit) GrantedAt() time.Time { return c.grantedAt }

// Status returns the credit's recorded status; see [Credit.StatusAt].
func (c Credit) Status() Status { return c.status }

// StatusAt returns the status as of at: the recorded one, except that an
// [Available] credit whose usage period ended at or before at is
// [Expired] even if [Credit.Expire] was not called yet.
func (c Credit) StatusAt(at time.Time) Status {
	if c.status == Available && !at.Before(c.validUntil) {
		return Expired
	}
	return c.status
}

// ZeroAt returns when the remaining amount reached zero (for expiry, the
// end of the usage period); zero while the credit is available.
func (c Credit) ZeroAt() time.Time { return c.zeroAt }

// Instrument projects the credit to an [allocation.Instrument]: kind
// [KindFreeCredit] or [KindPaidCredit], the remaining amount as balance,
// the usage period, scope, grant time (for "oldest_first"), the billing
// group as Group, and status "active" for [Available] (any other status
// is not usable). Free credits are not invoiceable; paid ones only with
// [PaidParams].InvoiceOnUse. The instrument shares no memory with c.
func (c Credit) Instrument() allocation.Instrument {
	status := string(c.status)
	if c.status == Available {
		status = "active"
	}
	return allocation.Instrument{
		ID:          c.id,
		Kind:        c.typ.Kind(),
		Currency:    c.currency,
		Balance:     c.remaining,
		ValidFrom:   c.validFrom,
		ValidUntil:  c.validUntil,
		Scope:       instrument.CloneScope(c.scope),
		IssuedAt:    c.grantedAt,
		Status:      status,
		Group:       c.group,
		Invoiceable: c.invoiceable,
	}
}

// Wallet returns the instruments of the credits held by billing group
// group, in the order given (credits are used per billing group;
// [allocation.Allocate] orders them by policy). Credits of other groups are
// left out.
func Wallet(credits []Credit, group string) allocation.Wallet {
	var w allocation.Wallet
	for _, c := range credits {
		if c.group == group {
			w = append(w, c.Instrument())
		}
	}
	return w
}
