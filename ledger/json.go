package ledger

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Transactions encode to JSON with snake_case field names, accounts in
// their text form ([Account.String]), amounts as decimal strings with
// exactly the decimals they carry (written with StringFixed, so decimal's
// package-level switches cannot change them) and times in RFC 3339.
// Decoding rejects unknown fields. This is the form a [Store] can persist.

// jsonAmount is a decimal encoded as an exact decimal string.
type jsonAmount struct{ d decimal.Decimal }

func (a jsonAmount) MarshalText() ([]byte, error) { return []byte(exact(a.d)), nil }

func (a *jsonAmount) UnmarshalText(text []byte) error {
	d, err := decimal.NewFromString(string(text))
	a.d = d
	return err
}

type jsonPosting struct {
	Account Account    `json:"account"`
	Amount  jsonAmount `json:"amount"`
	Line    string     `json:"line,omitempty"`
	Product string     `json:"product,omitempty"`
}

type jsonTerms struct {
	Account      Account     `json:"account"`
	Kind         string      `json:"kind,omitempty"`
	Group        string      `json:"group,omitempty"`
	Overdraft    *jsonAmount `json:"overdraft,omitempty"`
	Expires      *time.Time  `json:"expires,omitempty"`
	Transferable bool        `json:"transferable,omitempty"`
	NotCashable  bool        `json:"not_cashable,omitempty"`
}

type jsonTransaction struct {
	ID       string        `json:"id"`
	Time     time.Time     `json:"time"`
	Kind     Kind          `json:"kind"`
	Bill     string        `json:"bill,omitempty"`
	Ref      string        `json:"ref,omitempty"`
	Note     string        `json:"note,omitempty"`
	Postings []jsonPosting `json:"postings"`
	Terms    []jsonTerms   `json:"terms,omitempty"`
}

// MarshalJSON encodes the transaction as described in the package
// documentation of the JSON form: postings always present (possibly
// empty), other empty fields omitted.
func (tx Transaction) MarshalJSON() ([]byte, error) {
	v := jsonTransaction{ID: tx.ID, Time: tx.Time, Kind: tx.Kind, Bill: tx.Bill, Ref: tx.Ref, Note: tx.Note,
		Postings: make([]jsonPosting, len(tx.Postings))}
	for i, p := range tx.Postings {
		v.Postings[i] = jsonPosting{p.Account, jsonAmount{p.Amount}, p.Line, p.Product}
	}
	for _, t := range tx.Terms {
		jt := jsonTerms{Account: t.Account, Kind: t.Kind, Group: t.Group, Transferable: t.Transferable, NotCashable: t.NotCashable}
		if !t.Overdraft.IsZero() {
			jt.Overdraft = &jsonAmount{t.Overdraft}
		}
		if !t.Expires.IsZero() {
			jt.Expires = &t.Expires
		}
		v.Terms = append(v.Terms, jt)
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes what MarshalJSON writes, rejecting unknown fields.
// It does not validate the transaction; [Journal.Apply] does.
func (tx *Transaction) UnmarshalJSON(data []byte) error {
	var v jsonTransaction
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	*tx = Transaction{ID: v.ID, Time: v.Time, Kind: v.Kind, Bill: v.Bill, Ref: v.Ref, Note: v.Note}
	for _, p := range v.Postings {
		tx.Postings = append(tx.Postings, Posting{p.Account, p.Amount.d, p.Line, p.Product})
	}
	for _, t := range v.Terms {
		terms := Terms{Account: t.Account, Kind: t.Kind, Group: t.Group, Transferable: t.Transferable, NotCashable: t.NotCashable}
		if t.Overdraft != nil {
			terms.Overdraft = t.Overdraft.d
		}
		if t.Expires != nil {
			terms.Expires = *t.Expires
		}
		tx.Terms = append(tx.Terms, terms)
	}
	return nil
}
