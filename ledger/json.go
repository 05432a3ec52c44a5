package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// The JSON forms.
//
// Transactions, postings, terms, statement entries and journals encode to
// JSON with snake_case field names, accounts in their text form
// ([Account.String]), amounts as decimal strings with exactly the decimals
// they carry (written with StringFixed, so decimal's package-level switches
// cannot change them) and times in RFC 3339. This is the form a [Store] can
// persist and a host can keep between requests.
//
// Decoding is strict and lists every problem at once, in one error wrapping
// [ErrInvalid] (an [*InvalidError] with the transaction's id, if it has
// one): each problem says where (a JSON path such as postings[1].amount),
// what was found and what is expected. A field the form does not have is a
// problem, not ignored; so is a field given twice. What it accepts beside
// what MarshalJSON writes, so that older stored JSON reads the same: field
// names in any letter case (as encoding/json matches them), null for an
// absent field, and an amount written as a JSON number (read from its
// digits, never through a float). An amount may carry at most
// maxAmountDigits digits. Malformed JSON syntax is reported by
// encoding/json before these methods run.

// maxAmountDigits bounds the digits of a decoded amount, counting the zeros
// an exponent stands for ("1e5000" has 5,001), so that decoding
// stored JSON cannot make encoding it again write gigabytes.
const maxAmountDigits = 1000

// jsonAmount is a decimal encoded as an exact decimal string.
type jsonAmount struct{ d decimal.Decimal }

func (a jsonAmount) MarshalText() ([]byte, error) { return []byte(exact(a.d)), nil }

type jsonPosting struct {
	Account Account    `json:"account"`
	Amount  jsonAmount `json:"amount"`
	Line    string     `json:"line,omitempty"`
	Product string     `json:"product,omitempty"`
}

func toJSONPosting(p Posting) jsonPosting {
	return jsonPosting{p.Account, jsonAmount{p.Amount}, p.Line, p.Product}
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

func toJSONTerms(t Terms) jsonTerms {
	jt := jsonTerms{Account: t.Account, Kind: t.Kind, Group: t.Group, Transferable: t.Transferable, NotCashable: t.NotCashable}
	if !t.Overdraft.IsZero() {
		jt.Overdraft = &jsonAmount{t.Overdraft}
	}
	if !t.Expires.IsZero() {
		jt.Expires = &t.Expires
	}
	return jt
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

type jsonEntry struct {
	Seq     int        `json:"seq"`
	ID      string     `json:"id"`
	Time    time.Time  `json:"time"`
	Kind    Kind       `json:"kind"`
	Bill    string     `json:"bill,omitempty"`
	Ref     string     `json:"ref,omitempty"`
	Note    string     `json:"note,omitempty"`
	Account Account    `json:"account"`
	Amount  jsonAmount `json:"amount"`
	Line    string     `json:"line,omitempty"`
	Product string     `json:"product,omitempty"`
	Balance jsonAmount `json:"balance"`
}

// MarshalJSON encodes the transaction as
//
//	{"id": "spend:b1", "time": "2024-03-01T09:00:00Z", "kind": "spend",
//	 "bill": "b1", "ref": "…", "note": "…",
//	 "postings": [{"account": "instrument:USD:v1", "amount": "-30", "line": "l1", "product": "ecs"}, …],
//	 "terms": [{"account": "instrument:USD:v1", "kind": "voucher", "group": "g",
//	            "overdraft": "50", "expires": "2024-04-01T00:00:00Z", "transferable": true}]}
//
// with postings always present (possibly empty) and other empty fields
// (including a zero overdraft or expiry) left out.
func (tx Transaction) MarshalJSON() ([]byte, error) {
	if b, ok := appendTransaction(make([]byte, 0, 256+128*len(tx.Postings)+128*len(tx.Terms)), tx); ok {
		return b, nil // the same bytes as below, written by hand
	}
	return marshalTransaction(tx)
}

// marshalTransaction is MarshalJSON through encoding/json: the definition
// of the form, and what reports a time it cannot write.
func marshalTransaction(tx Transaction) ([]byte, error) {
	v := jsonTransaction{ID: tx.ID, Time: tx.Time, Kind: tx.Kind, Bill: tx.Bill, Ref: tx.Ref, Note: tx.Note,
		Postings: make([]jsonPosting, len(tx.Postings))}
	for i, p := range tx.Postings {
		v.Postings[i] = toJSONPosting(p)
	}
	for _, t := range tx.Terms {
		v.Terms = append(v.Terms, toJSONTerms(t))
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes what MarshalJSON writes, strictly (see JSON in the
// package documentation): unknown or repeated
// fields, values of the wrong type, amounts that are not decimals and times
// that are not RFC 3339 are all reported together in an [*InvalidError]
// with the transaction's id, each with its JSON path. On error tx is
// unchanged. It does not validate the transaction; [Journal.Apply] does.
func (tx *Transaction) UnmarshalJSON(data []byte) error {
	if v, ok := readCanonical(data); ok {
		*tx = v // what the strict decoder reads from it, read faster
		return nil
	}
	return decode(data, tx, (*decoder).transaction, func(v Transaction) string { return v.ID })
}

// MarshalJSON encodes the posting as it appears in a transaction's
// postings: {"account": "instrument:USD:v1", "amount": "-30", "line": "l1",
// "product": "ecs"}, line and product left out when empty.
func (p Posting) MarshalJSON() ([]byte, error) { return json.Marshal(toJSONPosting(p)) }

// UnmarshalJSON decodes what MarshalJSON writes, strictly, as
// [Transaction.UnmarshalJSON] does. On error p is unchanged.
func (p *Posting) UnmarshalJSON(data []byte) error {
	return decode(data, p, (*decoder).posting, nil)
}

// MarshalJSON encodes the terms as they appear in a transaction's terms:
// {"account": …, "kind": …, "group": …, "overdraft": "50", "expires": RFC
// 3339, "transferable": true, "not_cashable": true}, empty fields (a zero overdraft or expiry,
// false) left out.
func (t Terms) MarshalJSON() ([]byte, error) { return json.Marshal(toJSONTerms(t)) }

// UnmarshalJSON decodes what MarshalJSON writes, strictly, as
// [Transaction.UnmarshalJSON] does. On error t is unchanged.
func (t *Terms) UnmarshalJSON(data []byte) error {
	return decode(data, t, (*decoder).terms, nil)
}

// MarshalJSON encodes the entry as one line of a statement: {"seq": 3,
// "id": …, "time": …, "kind": …, "bill": …, "ref": …, "note": …,
// "account": …, "amount": "-30", "line": …, "product": …, "balance": "20"},
// empty bill, ref, note, line and product left out.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonEntry{Seq: e.Seq, ID: e.ID, Time: e.Time, Kind: e.Kind, Bill: e.Bill, Ref: e.Ref,
		Note: e.Note, Account: e.Account, Amount: jsonAmount{e.Amount}, Line: e.Line, Product: e.Product,
		Balance: jsonAmount{e.Balance}})
}

// UnmarshalJSON decodes what MarshalJSON writes, strictly, as
// [Transaction.UnmarshalJSON] does; Seq must be a whole number, not
// negative. On error e is unchanged.
func (e *Entry) UnmarshalJSON(data []byte) error {
	return decode(data, e, (*decoder).entry, func(v Entry) string { return v.ID })
}

// UnmarshalJSON decodes an account from a JSON string holding its text
// form ([Account.UnmarshalText]); anything else is an error wrapping
// [ErrInvalid]. (Account encodes with its MarshalText.)
func (a *Account) UnmarshalJSON(data []byte) error {
	return decode(data, a, (*decoder).account, nil)
}

// MarshalJSON encodes the journal as the JSON array of its transactions, in
// journal order (an empty journal as []): what a host stores between
// requests when it keeps no [Store].
//
// A resumed journal ([Resume]) does not hold its whole history: encoding
// one fails with an error wrapping [ErrBeforeCheckpoint].
func (j Journal) MarshalJSON() ([]byte, error) {
	if j.Base() > 0 {
		return nil, &CheckpointError{ID: "journal"}
	}
	txs := j.txs()
	if txs == nil {
		txs = []Transaction{}
	}
	return json.Marshal(txs)
}

// UnmarshalJSON decodes an array of transactions, each strictly as
// [Transaction.UnmarshalJSON] does, and applies them in order to an empty
// journal, so a decoded journal has passed every check [Journal.Apply]
// makes. It fails, leaving j unchanged, with every decoding problem of
// every transaction (an [*InvalidError] per transaction, joined, paths
// starting with the position: [3].postings[0].amount), or else with the
// first transaction the journal refuses or that repeats an earlier one (an
// [*InvalidError] wrapping [ErrInvalid]; the refusal's text says why).
func (j *Journal) UnmarshalJSON(data []byte) error {
	var top decoder
	var txs []Transaction
	var errs []error
	if !top.valid(data) {
		return top.err("")
	}
	top.array("", data, "an array of transactions", func(path string, raw json.RawMessage) {
		var d decoder
		tx := d.transaction(path, raw)
		if err := d.err(tx.ID); err != nil {
			errs = append(errs, err)
		}
		txs = append(txs, tx)
	})
	if err := top.err(""); err != nil {
		return err
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	var next Journal
	for i, tx := range txs {
		var r Result
		var err error
		next, r, err = next.Apply(tx)
		switch {
		case err != nil:
			return &InvalidError{ID: tx.ID, Problems: []string{fmt.Sprintf("[%d]: the journal refuses it: %v", i, err)}}
		case r.Replayed:
			return &InvalidError{ID: tx.ID, Problems: []string{fmt.Sprintf("[%d]: repeats the transaction at [%d]", i, r.Seq)}}
		}
	}
	*j = next
	return nil
}
