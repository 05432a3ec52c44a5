package ledger

import (
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// Grant returns a transaction of kind [KindGrant] that sets terms for
// terms.Account and puts amount on it from [Issued]. A zero amount sets the
// terms only (a credit line: nothing to spend but an overdraft).
//
// Grant does not read a journal; [Journal.Apply] validates the result.
func Grant(id string, at time.Time, terms Terms, amount decimal.Decimal, note string) Transaction {
	tx := Transaction{ID: id, Time: at, Kind: KindGrant, Note: note, Terms: []Terms{terms}}
	if !amount.IsZero() {
		tx.Postings = []Posting{
			{Account: SystemAccount(Issued, terms.Account.currency), Amount: amount.Neg()},
			{Account: terms.Account, Amount: amount},
		}
	}
	return tx
}

// TermsOf returns the terms of an allocation instrument: its account (id
// and currency), kind, group, overdraft, and ValidUntil as Expires. It is
// not transferable; set Transferable for instruments that are (KakaoCloud
// 003: free credit). It is NotCashable unless [CashableKind] says its kind
// may be paid out; a host whose own kinds or contracts say otherwise sets
// NotCashable on the result.
func TermsOf(in allocation.Instrument) Terms {
	return Terms{
		Account:     InstrumentAccount(in.ID, in.Currency),
		Kind:        in.Kind,
		Group:       in.Group,
		Overdraft:   in.Overdraft,
		Expires:     in.ValidUntil,
		NotCashable: !CashableKind(in.Kind),
	}
}
