package ledger

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// TopUp returns a transaction of kind [KindTopUp] for amount paid in for
// instrument account to (a cash balance, available credit, …) that first
// repays what is owed: the [Receivable] of to's currency, then every
// instrument account of that currency and of to's billing group
// ([Terms].Group) with a negative balance, in [Account.Compare] order (to
// among them), each up to its debt. What is left goes to to. A debt counts
// what open holds reserve as still on the instrument ([Journal.Held]): a
// hold is not owed until it is captured. (Guance 002:
// a cash top-up first offsets the overdue prepaid card balance; Kingsoft
// 000: a negative available credit is money owed.) What it pays to the
// receivable repays the oldest debts first ([Journal.Owed]); it never pays
// the receivable beyond what is owed.
//
// The postings are: [Issued] by minus amount, then one posting per account
// credited, in the order above, to's last unless it was itself repaid.
//
// It fails with [ErrInvalid] if to is not an instrument account or amount
// is not positive. If j already holds id, TopUp returns that transaction
// when the same request built it (so Apply reports a replay) and an error
// wrapping [ErrConflict] when not.
func TopUp(j Journal, id string, at time.Time, to Account, amount decimal.Decimal, note string) (Transaction, error) {
	return build(j, id, func(j Journal) (Transaction, error) {
		var ps []string
		if !to.IsInstrument() {
			ps = append(ps, fmt.Sprintf("top-up to %q: not an instrument account", to))
		}
		if !amount.IsPositive() {
			ps = append(ps, fmt.Sprintf("top-up amount %s is not positive", exact(amount)))
		}
		if len(ps) > 0 {
			return Transaction{}, &InvalidError{ID: id, Problems: ps}
		}
		tx := Transaction{ID: id, Time: at, Kind: KindTopUp, Note: note,
			Postings: []Posting{{Account: SystemAccount(Issued, to.currency), Amount: amount.Neg()}}}
		rest := amount
		repay := func(a Account) {
			debt := j.Balance(a).Add(j.Held(a)).Neg() // a hold is not a debt
			if !debt.IsPositive() || !rest.IsPositive() {
				return
			}
			pay := minDec(debt, rest)
			rest = rest.Sub(pay)
			tx.Postings = append(tx.Postings, Posting{Account: a, Amount: pay})
		}
		repay(SystemAccount(Receivable, to.currency))
		group := groupOf(j, to)
		for _, a := range j.liveAccounts() {
			if a.IsInstrument() && a.currency == to.currency && groupOf(j, a) == group {
				repay(a)
			}
		}
		if rest.IsPositive() {
			for i := range tx.Postings {
				if p := &tx.Postings[i]; p.Account == to {
					p.Amount = p.Amount.Add(rest)
					return tx, nil
				}
			}
			tx.Postings = append(tx.Postings, Posting{Account: to, Amount: rest})
		}
		return tx, nil
	})
}

// groupOf returns the billing group of account a in j.
func groupOf(j Journal, a Account) string {
	t, _ := j.Terms(a)
	return t.Group
}
