package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"
)

// The JSON form of a Checkpoint, as a store keeps it.
type cpJSON struct {
	Len      int             `json:"len"`
	Time     *time.Time      `json:"time,omitempty"`
	Sorted   bool            `json:"sorted"`
	Accounts []cpAccountJSON `json:"accounts"`
	Holds    []pastJSON      `json:"holds"`
	Debts    []cpDebtJSON    `json:"debts"`
}

type cpAccountJSON struct {
	Account Account         `json:"account"`
	Balance decimal.Decimal `json:"balance"`
	Terms   *Terms          `json:"terms,omitempty"`
}

type pastJSON struct {
	Seq         int         `json:"seq"`
	Transaction Transaction `json:"transaction"`
}

type cpDebtJSON struct {
	ID       string          `json:"id"`
	Post     int             `json:"post"`
	Currency string          `json:"currency"`
	Line     string          `json:"line"`
	Owed     decimal.Decimal `json:"owed"`
	Repaid   decimal.Decimal `json:"repaid"`
	Given    decimal.Decimal `json:"given"`
	Passed   decimal.Decimal `json:"passed"`
}

// MarshalJSON encodes the checkpoint as an object: len, time (of its last
// transaction) and sorted (whether its transactions came in time order);
// accounts, each with its balance and, if set, its terms; holds, the open
// holds' transactions with their positions (seq); and debts, the
// receivable's, each with what was owed, repaid, given back and passed on.
// Amounts are exact decimal strings, as in a [Transaction].
func (c Checkpoint) MarshalJSON() ([]byte, error) {
	w := cpJSON{Len: c.n, Sorted: c.sorted, Accounts: []cpAccountJSON{}, Holds: []pastJSON{}, Debts: []cpDebtJSON{}}
	if !c.last.IsZero() {
		w.Time = &c.last
	}
	for _, a := range c.accounts {
		ja := cpAccountJSON{Account: a.account, Balance: a.balance}
		if a.hasTerms {
			t := a.terms
			ja.Terms = &t
		}
		w.Accounts = append(w.Accounts, ja)
	}
	for _, p := range c.holds {
		w.Holds = append(w.Holds, pastJSON(p))
	}
	for _, d := range c.debts {
		w.Debts = append(w.Debts, cpDebtJSON{ID: d.id, Post: d.post, Currency: d.cur, Line: d.line,
			Owed: d.owed, Repaid: d.repaid, Given: d.given, Passed: d.passed})
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what MarshalJSON encodes, strictly: an unknown
// field, a value of the wrong type, trailing data, or a checkpoint that is
// not consistent (accounts out of order or repeated, terms of another
// account, a hold's transaction malformed, repeated or not before len, a
// held account whose balance its holds' transactions do not add up to, a
// debt on no receivable or with a negative amount) is an error wrapping
// [ErrInvalid] listing every problem found. On error c is unchanged.
func (c *Checkpoint) UnmarshalJSON(data []byte) error {
	var w cpJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return &InvalidError{ID: "checkpoint", Problems: []string{err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &InvalidError{ID: "checkpoint", Problems: []string{"data after the checkpoint"}}
	}
	var ps []string
	addf := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	v := Checkpoint{n: w.Len, sorted: w.Sorted}
	if w.Len < 0 {
		addf("len %d is negative", w.Len)
	}
	if w.Time != nil {
		v.last = *w.Time
	}
	held := map[Account]decimal.Decimal{}
	receivables := map[string]bool{}
	for i, a := range w.Accounts {
		if i > 0 && w.Accounts[i-1].Account.Compare(a.Account) >= 0 {
			addf("accounts[%d]: %s is out of order or repeated", i, a.Account)
		}
		if a.Account.IsZero() {
			addf("accounts[%d]: no account", i)
		}
		ca := cpAccount{account: a.Account, balance: a.Balance}
		if a.Terms != nil {
			if a.Terms.Account != a.Account {
				addf("accounts[%d]: terms of %s", i, a.Terms.Account)
			}
			ca.terms, ca.hasTerms = *a.Terms, true
		}
		if a.Account.IsHeld() {
			held[a.Account] = decimal.Decimal{}
		}
		if a.Account.sys == Receivable {
			receivables[a.Account.currency] = true
		}
		v.accounts = append(v.accounts, ca)
	}
	ids := map[string]bool{}
	for i, p := range w.Holds {
		if p.Seq < 0 || p.Seq >= w.Len || (i > 0 && p.Seq <= w.Holds[i-1].Seq) {
			addf("holds[%d]: position %d is out of order or not before len %d", i, p.Seq, w.Len)
		}
		if err := p.Transaction.Validate(); err != nil {
			addf("holds[%d]: %v", i, err)
		}
		if ids[p.Transaction.ID] {
			addf("holds[%d]: id %q repeated", i, p.Transaction.ID)
		}
		ids[p.Transaction.ID] = true
		for _, q := range p.Transaction.Postings {
			if s, ok := held[q.Account]; ok {
				held[q.Account] = s.Add(q.Amount)
			}
		}
		v.holds = append(v.holds, Past(p))
	}
	for _, a := range v.accounts {
		if s, ok := held[a.account]; ok && !s.Equal(a.balance) {
			addf("%s: balance %s, but the holds' transactions add up to %s", a.account, exact(a.balance), exact(s))
		}
	}
	for i, d := range w.Debts {
		if !receivables[d.Currency] {
			addf("debts[%d]: no receivable in %q", i, d.Currency)
		}
		if d.ID == "" || d.Post < 0 {
			addf("debts[%d]: no transaction id or posting", i)
		}
		if !d.Owed.IsPositive() || d.Repaid.IsNegative() || d.Given.IsNegative() || d.Passed.IsNegative() {
			addf("debts[%d]: owed must be positive, repaid, given and passed not negative", i)
		}
		v.debts = append(v.debts, cpDebt{cur: d.Currency, debt: debt{id: d.ID, post: d.Post, line: d.Line,
			owed: d.Owed, repaid: d.Repaid, given: d.Given, passed: d.Passed}})
	}
	if w.Len == 0 && (len(v.accounts) > 0 || len(v.holds) > 0 || len(v.debts) > 0) {
		addf("the checkpoint of an empty journal holds nothing")
	}
	if len(ps) > 0 {
		return &InvalidError{ID: "checkpoint", Problems: ps}
	}
	*c = v
	return nil
}
