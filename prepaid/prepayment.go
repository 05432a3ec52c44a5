package prepaid

import (
	"fmt"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/instrument"
	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

// KindPrepayment is the instrument kind of a [Prepayment] balance.
const KindPrepayment = "prepayment"

// A Purpose says what money is meant for: the product to buy and a free
// note. The zero Purpose says nothing.
type Purpose struct {
	Product string
	Note    string
}

// A Deposit is money written to a prepayment balance, for example after a
// bank transfer arrives (001_d1525b524f7b874c.txt). The zero Deposit is not
// valid.
type Deposit struct {
	// ID identifies the deposit (required, unique within the balance).
	ID string
	// At is when the money arrived (required).
	At time.Time
	// Amount is positive.
	Amount decimal.Decimal
	// Method is how it was paid, for example "bank_transfer".
	Method string
	// Purpose is the intended product and note given when depositing; the
	// spending may name others ([Prepayment.ApplyFor]).
	Purpose Purpose
}

// A RecordType names a line of a prepayment balance's records. The zero
// RecordType names none.
type RecordType string

const (
	// RecordDeposit: money written to the balance.
	RecordDeposit RecordType = "deposit"
	// RecordSpend: the balance paid a bill.
	RecordSpend RecordType = "spend"
	// RecordRefund: the remaining balance was refunded.
	RecordRefund RecordType = "refund"
)

// A Record is one line of the depositing and spending records. Amount is
// positive; its sign follows from Type. Records are made by the package; a
// zero Record never appears in them.
type Record struct {
	Type   RecordType
	At     time.Time
	Amount decimal.Decimal
	// Ref is the deposit id, or the bill id of a spend.
	Ref string
	// Method is a deposit's payment method.
	Method string
	// Purpose is the deposit's intended use, or the product and note the
	// spending actually named.
	Purpose Purpose
}

// PrepaymentParams describe a prepayment balance for [NewPrepayment].
// The zero PrepaymentParams are not valid.
type PrepaymentParams struct {
	// ID identifies the balance; Account holds it (both required).
	ID, Account string
	// Currency is an ISO 4217 code (required).
	Currency string
}

// A Prepayment is an account's prepayment balance (Alibaba Cloud
// 001_d1525b524f7b874c.txt): deposits in, payments of subscription orders
// and pay-as-you-go bills out, and a refund of the remainder on request. It
// never goes negative, never expires and has no status. What it pays is
// invoiceable. Methods that change it return a new Prepayment.
//
// The zero Prepayment is not a balance (it has no id): its methods return
// errors wrapping [ErrInvalid].
type Prepayment struct {
	id, account, currency string
	balance               decimal.Decimal
	records               []Record
}

// NewPrepayment opens an empty prepayment balance. It returns one error
// wrapping [ErrInvalid] listing every problem found.
func NewPrepayment(p PrepaymentParams) (Prepayment, error) {
	var probs problems.List
	if p.ID == "" {
		probs.Add("id is empty")
	}
	if p.Account == "" {
		probs.Add("account is empty")
	}
	if !allocation.ValidCurrency(p.Currency) {
		probs.Add("currency %q is not three upper-case letters", p.Currency)
	}
	if len(probs) > 0 {
		return Prepayment{}, &InvalidError{What: "prepayment", ID: p.ID, Problems: probs}
	}
	return Prepayment{id: p.ID, account: p.Account, currency: p.Currency}, nil
}

// ID returns the balance's id.
func (b Prepayment) ID() string { return b.id }

// Account returns the account holding the balance.
func (b Prepayment) Account() string { return b.account }

// Currency returns the balance's ISO 4217 currency code.
func (b Prepayment) Currency() string { return b.currency }

// Balance returns what is left: deposits − spends − refunds, never
// negative.
func (b Prepayment) Balance() decimal.Decimal { return b.balance }

// Records returns a copy of the depositing and spending records, oldest
// first.
func (b Prepayment) Records() []Record { return slices.Clone(b.records) }

// Total returns the sum of the records of type t.
func (b Prepayment) Total(t RecordType) decimal.Decimal {
	sum := decimal.Zero
	for _, r := range b.records {
		if r.Type == t {
			sum = sum.Add(r.Amount)
		}
	}
	return sum
}

func (b Prepayment) with(r Record) Prepayment {
	w := b
	w.records = append(slices.Clip(b.records), r)
	return w
}

func (b Prepayment) check(at time.Time, more ...string) error {
	if probs := problems.Call(b.id, "the zero Prepayment is not a balance", at, more...); len(probs) > 0 {
		return &InvalidError{What: "prepayment", ID: b.id, Problems: probs}
	}
	return nil
}

// Deposit writes d to the balance and records it. It returns an error
// wrapping [ErrInvalid] for an empty or already recorded id, a zero time or
// an amount that is not positive.
func (b Prepayment) Deposit(d Deposit) (Prepayment, error) {
	var more problems.List
	if d.ID == "" {
		more.Add("deposit id is empty")
	}
	for _, r := range b.records {
		if r.Type == RecordDeposit && r.Ref == d.ID && d.ID != "" {
			more.Add("deposit %q is already recorded", d.ID)
			break
		}
	}
	if !d.Amount.IsPositive() {
		more.Add("deposit amount %s must be positive", d.Amount)
	}
	if err := b.check(d.At, more...); err != nil {
		return b, err
	}
	w := b.with(Record{Type: RecordDeposit, At: d.At, Amount: d.Amount, Ref: d.ID, Method: d.Method, Purpose: d.Purpose})
	w.balance = b.balance.Add(d.Amount)
	return w, nil
}

// Apply is [Prepayment.ApplyFor] with the zero Purpose.
func (b Prepayment) Apply(split allocation.Split, at time.Time) (Prepayment, error) {
	return b.ApplyFor(split, at, Purpose{})
}

// ApplyFor takes back into the balance what split used of it, booked at
// at, and records the spending with the split's bill id and purpose: the
// product actually bought and a note, which may differ from what the
// deposits intended (001_d1525b524f7b874c.txt: "you may change your
// decision upon actually spending"). A balance the split did not use comes
// back unchanged. It returns an error wrapping [ErrSplit], and the balance
// unchanged, if the split does not list it, used it in another currency,
// used more than the balance, or reports a balance after that is not the
// balance minus what was used.
func (b Prepayment) ApplyFor(split allocation.Split, at time.Time, purpose Purpose) (Prepayment, error) {
	if err := b.check(at); err != nil {
		return b, err
	}
	bad := func(p string) (Prepayment, error) {
		return b, &SplitError{What: "prepayment", ID: b.id, Bill: split.Bill, Problem: p}
	}
	r, p := instrument.Use(split, b.id, b.currency)
	if p != "" {
		return bad(p)
	}
	if r.Used.IsZero() {
		return b, nil
	}
	if r.Used.GreaterThan(b.balance) {
		return bad(fmt.Sprintf("used %s exceeds the balance %s", r.Used, b.balance))
	}
	bal := b.balance.Sub(r.Used)
	if p := instrument.Stale(r, b.balance, bal); p != "" {
		return bad(p)
	}
	w := b.with(Record{Type: RecordSpend, At: at, Amount: r.Used, Ref: split.Bill, Purpose: purpose})
	w.balance = bal
	return w, nil
}

// Refund pays back the whole remaining balance at at
// (001_d1525b524f7b874c.txt: "you can apply to have the remaining amount
// refunded"): it returns the balance, now zero with a refund record, and
// the amount refunded. It returns an error wrapping [ErrTransition] if
// nothing remains.
func (b Prepayment) Refund(at time.Time) (Prepayment, decimal.Decimal, error) {
	if err := b.check(at); err != nil {
		return b, decimal.Zero, err
	}
	if !b.balance.IsPositive() {
		return b, decimal.Zero, &TransitionError{What: "prepayment", ID: b.id, Op: "refund", Problem: "nothing remains to refund"}
	}
	w := b.with(Record{Type: RecordRefund, At: at, Amount: b.balance})
	w.balance = decimal.Zero
	return w, b.balance, nil
}

// Instrument projects the balance to an [allocation.Instrument] of kind
// [KindPrepayment]: its balance, no expiry, no scope (it pays subscription
// orders and pay-as-you-go bills alike), status "active", the account as
// Group, and invoiceable.
func (b Prepayment) Instrument() allocation.Instrument {
	return allocation.Instrument{
		ID:          b.id,
		Kind:        KindPrepayment,
		Currency:    b.currency,
		Balance:     b.balance,
		Status:      "active",
		Group:       b.account,
		Invoiceable: true,
	}
}
