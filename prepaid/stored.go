package prepaid

import (
	"encoding/json"
	"errors"
	"slices"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/problems"
	"github.com/billfold/billfold/internal/stored"
	"github.com/shopspring/decimal"
)

// The stored forms, version 1. Field order is the order of the JSON
// objects.
type (
	storedCard struct {
		Version      int    `json:"version"`
		ID           string `json:"id"`
		Account      string `json:"account"`
		Currency     string `json:"currency"`
		Denomination string `json:"denomination"`
		Overdraft    string `json:"overdraft,omitempty"`
		PurchasedAt  string `json:"purchased_at"`
		ValidUntil   string `json:"valid_until,omitempty"`
		Status       Status `json:"status"`
		ClosedAt     string `json:"closed_at,omitempty"`
		Balance      string `json:"balance"`
		Used         string `json:"used,omitempty"`
		Repaid       string `json:"repaid,omitempty"`
		Forfeited    string `json:"forfeited,omitempty"`
	}
	storedPrepayment struct {
		Version  int            `json:"version"`
		ID       string         `json:"id"`
		Account  string         `json:"account"`
		Currency string         `json:"currency"`
		Balance  string         `json:"balance"`
		Records  []storedRecord `json:"records"`
	}
	storedRecord struct {
		Type    RecordType     `json:"type"`
		At      string         `json:"at"`
		Amount  string         `json:"amount"`
		Ref     string         `json:"ref,omitempty"`
		Method  string         `json:"method,omitempty"`
		Purpose *storedPurpose `json:"purpose,omitempty"`
	}
	storedPurpose struct {
		Product string `json:"product,omitempty"`
		Note    string `json:"note,omitempty"`
	}
)

// MarshalJSON returns the stored form of c, version 1: a JSON object
// holding the card's definition (account, face value, overdraft limit,
// validity) and its lifecycle (status, when it closed, and what it paid,
// got repaid and forfeited), so that a host can keep cards between
// requests and get them back with [Card.UnmarshalJSON] exactly (see
// [Card.Equal]):
//
//	{"version":1,"id":"PC-1001","account":"acct-7","currency":"CNY",
//	 "denomination":"10000","overdraft":"500",
//	 "purchased_at":"2024-03-01T00:00:00Z","valid_until":"2025-03-01T00:00:00Z",
//	 "status":"active","balance":"1000","used":"9000"}
//
// Amounts are decimal strings with their scale kept; instants are RFC 3339
// in UTC (the instant is stored, not its Location: nothing in this package
// depends on it, see [Rules.Purchase]). Fields whose value is zero are left
// out, except balance.
//
// The journal, not this value, is the truth for money: build the wallet of
// the next bill from the stored cards' instruments ([Wallet]) with
// ledger.WithBalances(journal, wallet), which takes each balance from the
// journal and makes a used-up card that the journal holds value for usable
// again until its validity ends.
//
// It returns an error wrapping [ErrInvalid] for the zero Card.
func (c Card) MarshalJSON() ([]byte, error) {
	if c.id == "" {
		return nil, &InvalidError{What: "prepaid card", Problems: []string{"the zero Card has no stored form"}}
	}
	return json.Marshal(storedCard{
		Version: stored.Version, ID: c.id, Account: c.account, Currency: c.currency,
		Denomination: stored.Amount(c.denomination), Overdraft: stored.OptAmount(c.overdraft),
		PurchasedAt: stored.Time(c.purchasedAt), ValidUntil: stored.Time(c.validUntil),
		Status: c.status, ClosedAt: stored.Time(c.closedAt), Balance: stored.Amount(c.balance),
		Used: stored.OptAmount(c.used), Repaid: stored.OptAmount(c.repaid), Forfeited: stored.OptAmount(c.forfeited),
	})
}

// UnmarshalJSON reads the stored form [Card.MarshalJSON] writes. It is
// strict and checks everything: the version (1), unknown or repeated
// fields, malformed amounts and instants, ids, currency, a positive face
// value, no amount negative, validity ending after the purchase, a known
// status and a state the lifecycle can reach: balance = denomination −
// used + repaid − forfeited, never above the face value nor below
// −overdraft, nothing repaid beyond what was used; [Active] exactly when
// more may be drawn; a closing instant exactly when used up or expired, and
// for an expired card the end of its validity, with a positive balance
// forfeited. It returns one error wrapping [ErrInvalid] (an
// [*InvalidError]) listing every problem with its JSON path, and then sets
// c to the zero Card: never a half-built value. (Called through
// [encoding/json.Unmarshal], input that is not JSON at all is refused by
// encoding/json itself, before this method runs, and c is left as it was.)
func (c *Card) UnmarshalJSON(data []byte) error {
	w, probs := stored.Read(c, data, readCard, Card.checkStored)
	if len(probs) > 0 {
		return &InvalidError{What: "prepaid card", ID: w.id, Problems: probs}
	}
	return nil
}

func readCard(_ *stored.Reader, o *stored.Object) Card {
	var w Card
	w.id = o.String("id", true)
	w.account = o.String("account", true)
	w.currency = o.String("currency", true)
	w.denomination = o.Amount("denomination", true)
	w.overdraft = o.Amount("overdraft", false)
	w.purchasedAt = o.Time("purchased_at", true)
	w.validUntil = o.Time("valid_until", false)
	w.status = Status(o.String("status", true))
	w.closedAt = o.Time("closed_at", false)
	w.balance = o.Amount("balance", true)
	w.used = o.Amount("used", false)
	w.repaid = o.Amount("repaid", false)
	w.forfeited = o.Amount("forfeited", false)
	return w
}

func (w Card) checkStored(probs *problems.List) {
	if !allocation.ValidCurrency(w.currency) {
		probs.Add("currency %q is not three upper-case letters", w.currency)
	}
	if !w.denomination.IsPositive() {
		probs.Add("denomination %s must be positive", w.denomination)
	}
	stored.NotNegative(probs, "overdraft", w.overdraft)
	stored.NotNegative(probs, "used", w.used)
	stored.NotNegative(probs, "repaid", w.repaid)
	stored.NotNegative(probs, "forfeited", w.forfeited)
	if !w.validUntil.IsZero() {
		stored.After(probs, "valid until", w.validUntil, "purchased at", w.purchasedAt)
	}
	if want := w.denomination.Sub(w.used).Add(w.repaid).Sub(w.forfeited); !w.balance.Equal(want) {
		probs.Add("balance %s is not denomination %s − used %s + repaid %s − forfeited %s = %s", w.balance, w.denomination, w.used, w.repaid, w.forfeited, want)
	}
	if w.balance.GreaterThan(w.denomination) {
		probs.Add("balance %s is above the face value %s", w.balance, w.denomination)
	}
	if w.balance.LessThan(w.overdraft.Neg()) {
		probs.Add("balance %s is below −overdraft %s", w.balance, w.overdraft)
	}
	if w.repaid.GreaterThan(w.used) {
		probs.Add("repaid %s is more than was used (%s)", w.repaid, w.used)
	}
	switch w.status {
	case Active:
		if !w.Spendable().IsPositive() || !w.closedAt.IsZero() {
			probs.Add("an active card has something to draw and has not closed (balance %s, overdraft %s, closed at %q)", w.balance, w.overdraft, stored.Time(w.closedAt))
		}
	case UsedUp:
		if w.Spendable().IsPositive() || w.closedAt.IsZero() {
			probs.Add("a used-up card has nothing to draw and a closing instant (balance %s, overdraft %s, closed at %q)", w.balance, w.overdraft, stored.Time(w.closedAt))
		}
	case Expired:
		if w.validUntil.IsZero() || !w.closedAt.Equal(w.validUntil) {
			probs.Add("an expired card closed at the end of its validity %q, not %q", stored.Time(w.validUntil), stored.Time(w.closedAt))
		}
		if w.balance.IsPositive() {
			probs.Add("an expired card's positive balance %s is void (forfeited)", w.balance)
		}
	default:
		probs.Add("status %q is not active, used_up or expired", w.status)
	}
	if w.status != Expired && !w.forfeited.IsZero() {
		probs.Add("only an expired card has forfeited anything (forfeited %s)", w.forfeited)
	}
}

// Equal reports whether c and d are the same card in the same state: every
// field equal, amounts by value, instants as instants (whatever their
// Location). A card and its stored form read back are Equal.
func (c Card) Equal(d Card) bool {
	return c.id == d.id && c.account == d.account && c.currency == d.currency &&
		c.denomination.Equal(d.denomination) && c.balance.Equal(d.balance) &&
		c.overdraft.Equal(d.overdraft) && c.used.Equal(d.used) && c.forfeited.Equal(d.forfeited) &&
		c.repaid.Equal(d.repaid) && c.purchasedAt.Equal(d.purchasedAt) &&
		c.validUntil.Equal(d.validUntil) && c.status == d.status && c.closedAt.Equal(d.closedAt)
}

// MarshalJSON returns the stored form of b, version 1: its account,
// currency, balance and every deposit, spending and refund record, so that
// a host can keep it between requests and get it back with
// [Prepayment.UnmarshalJSON] exactly (see [Prepayment.Equal]):
//
//	{"version":1,"id":"pp","account":"acct","currency":"USD","balance":"3800",
//	 "records":[{"type":"deposit","at":"2024-07-01T10:00:00Z","amount":"5000",
//	 "ref":"d1","method":"bank_transfer","purpose":{"product":"ecs","note":"Q3"}},
//	 {"type":"spend","at":"2024-07-05T10:00:00Z","amount":"1200","ref":"B-1",
//	 "purpose":{"product":"rds"}}]}
//
// Amounts are decimal strings with their scale kept; instants are RFC 3339
// in UTC. A record's ref, method and purpose are left out when empty. The
// journal is the truth for the balance (see [Card.MarshalJSON]). It returns
// an error wrapping [ErrInvalid] for the zero Prepayment.
func (b Prepayment) MarshalJSON() ([]byte, error) {
	if b.id == "" {
		return nil, &InvalidError{What: "prepayment", Problems: []string{"the zero Prepayment has no stored form"}}
	}
	s := storedPrepayment{
		Version: stored.Version, ID: b.id, Account: b.account, Currency: b.currency,
		Balance: stored.Amount(b.balance), Records: make([]storedRecord, len(b.records)),
	}
	for i, r := range b.records {
		s.Records[i] = storedRecord{Type: r.Type, At: stored.Time(r.At), Amount: stored.Amount(r.Amount), Ref: r.Ref, Method: r.Method}
		if r.Purpose != (Purpose{}) {
			s.Records[i].Purpose = &storedPurpose{Product: r.Purpose.Product, Note: r.Purpose.Note}
		}
	}
	return json.Marshal(s)
}

// UnmarshalJSON reads the stored form [Prepayment.MarshalJSON] writes. It
// is strict and checks everything: the version (1), unknown or repeated
// fields, malformed amounts and instants, the rules of [NewPrepayment], and
// records the lifecycle can make: known types, positive amounts, deposits
// with distinct ids, a method only on deposits, a refund of the whole
// balance with no reference or purpose, a running balance that never goes
// below zero and ends at the stored balance. It returns one error wrapping
// [ErrInvalid] listing every problem with its JSON path, and then sets b to
// the zero Prepayment.
func (b *Prepayment) UnmarshalJSON(data []byte) error {
	w, probs := stored.Read(b, data, readPrepayment, Prepayment.checkStored)
	if len(probs) > 0 {
		return &InvalidError{What: "prepayment", ID: w.id, Problems: probs}
	}
	return nil
}

func readPrepayment(_ *stored.Reader, o *stored.Object) Prepayment {
	var w Prepayment
	w.id = o.String("id", true)
	w.account = o.String("account", true)
	w.currency = o.String("currency", true)
	w.balance = o.Amount("balance", true)
	o.Array("records", func(_ int, e *stored.Object) {
		rec := Record{
			Type: RecordType(e.String("type", true)), At: e.Time("at", true), Amount: e.Amount("amount", true),
			Ref: e.String("ref", false), Method: e.String("method", false),
		}
		if p := e.Object("purpose"); p != nil {
			rec.Purpose = Purpose{Product: p.String("product", false), Note: p.String("note", false)}
			p.Done()
		}
		e.Done()
		w.records = append(w.records, rec)
	})
	return w
}

func (w Prepayment) checkStored(probs *problems.List) {
	var inv *InvalidError
	if _, err := NewPrepayment(PrepaymentParams{ID: w.id, Account: w.account, Currency: w.currency}); errors.As(err, &inv) {
		*probs = append(*probs, inv.Problems...)
	}
	stored.NotNegative(probs, "balance", w.balance)
	running := decimal.Zero
	var deposits []string
	for i, r := range w.records {
		if !r.Amount.IsPositive() {
			probs.Add("records[%d].amount %s must be positive", i, r.Amount)
		}
		switch r.Type {
		case RecordDeposit:
			if r.Ref == "" || slices.Contains(deposits, r.Ref) {
				probs.Add("records[%d]: a deposit has an id of its own (ref %q)", i, r.Ref)
			}
			deposits = append(deposits, r.Ref)
			running = running.Add(r.Amount)
		case RecordSpend:
			if r.Method != "" {
				probs.Add("records[%d]: a spend has no payment method", i)
			}
			running = running.Sub(r.Amount)
		case RecordRefund:
			if r.Method != "" || r.Ref != "" || r.Purpose != (Purpose{}) {
				probs.Add("records[%d]: a refund has no reference, method or purpose", i)
			}
			if !r.Amount.Equal(running) {
				probs.Add("records[%d]: a refund pays back the whole balance %s, not %s", i, running, r.Amount)
			}
			running = running.Sub(r.Amount)
		default:
			probs.Add("records[%d].type %q is not deposit, spend or refund", i, r.Type)
		}
		if running.IsNegative() {
			probs.Add("records[%d]: the balance would go below zero (%s)", i, running)
			return
		}
	}
	if !running.Equal(w.balance) {
		probs.Add("the records leave %s; balance says %s", running, w.balance)
	}
}

// Equal reports whether b and c are the same prepayment balance in the
// same state: every field equal, amounts by value, instants as instants
// (whatever their Location), records one by one. A balance and its stored
// form read back are Equal.
func (b Prepayment) Equal(c Prepayment) bool {
	return b.id == c.id && b.account == c.account && b.currency == c.currency &&
		b.balance.Equal(c.balance) &&
		slices.EqualFunc(b.records, c.records, func(x, y Record) bool {
			return x.Type == y.Type && x.At.Equal(y.At) && x.Amount.Equal(y.Amount) &&
				x.Ref == y.Ref && x.Method == y.Method && x.Purpose == y.Purpose
		})
}
