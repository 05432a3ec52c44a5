package ledger

import (
	"time"

	"github.com/shopspring/decimal"
)

// Deposit returns a transaction of kind [KindDeposit]: amount paid in (for
// example by bank transfer) onto the prepayment balance account, from
// [Issued], for the intended product and with the customer's note (Alibaba
// 001). Both postings carry the product. When the balance is later spent on
// another product, the spend records that product and its own note; the
// deposit keeps what the customer said at the time.
//
// Deposit does not read a journal; [Journal.Apply] validates the result.
func Deposit(id string, at time.Time, account Account, amount decimal.Decimal, product, note string) Transaction {
	return Transaction{ID: id, Time: at, Kind: KindDeposit, Note: note, Postings: []Posting{
		{Account: SystemAccount(Issued, account.currency), Amount: amount.Neg(), Product: product},
		{Account: account, Amount: amount, Product: product},
	}}
}

// Refund returns a transaction of kind [KindRefund]: amount paid back to
// the customer from account into [Refunded] (Alibaba 001: refund of the
// remaining prepayment balance; pass [Journal.Balance] to refund all of
// it). Apply rejects it with [ErrInsufficient] if the account does not hold
// amount (beyond its overdraft).
//
// Refund does not read a journal; [Journal.Apply] validates the result.
func Refund(id string, at time.Time, account Account, amount decimal.Decimal, note string) Transaction {
	return Transaction{ID: id, Time: at, Kind: KindRefund, Note: note, Postings: []Posting{
		{Account: account, Amount: amount.Neg()},
		{Account: SystemAccount(Refunded, account.currency), Amount: amount},
	}}
}
