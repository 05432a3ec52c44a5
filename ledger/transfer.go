package ledger

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Transfer returns a transaction of kind [KindTransfer] that moves amount
// from instrument account from to a new instrument account to in billing
// group group of the same journal (KakaoCloud 003: free credit can be
// transferred to another billing group of the same domain, paid credit
// cannot). The transaction carries to's [Terms]: from's, with Group set to
// group and no overdraft, so the credit keeps its kind, expiry and
// transferability. Both accounts' histories show the transfer.
//
// It fails with [ErrNotTransferable] (a [*NotTransferableError]) if from's
// terms do not make it transferable; with [ErrInvalid] if amount is not
// positive, to is not a fresh instrument account in from's currency, group
// is from's own group, or from has expired at at (its terms' Expires is not
// after at: KakaoCloud 003, "the remaining balance cannot be used after the
// usage period"); and with [ErrInsufficient] if from does not
// hold amount. If j already holds id, Transfer returns that transaction
// when the same request built it (so Apply reports a replay) and an error
// wrapping [ErrConflict] when not.
func Transfer(j Journal, id string, at time.Time, from, to Account, group string, amount decimal.Decimal, note string) (Transaction, error) {
	return build(j, id, func(j Journal) (Transaction, error) {
		t, _ := j.Terms(from)
		var ps []string
		if !amount.IsPositive() {
			ps = append(ps, fmt.Sprintf("transfer amount %s is not positive", exact(amount)))
		}
		switch {
		case !to.IsInstrument():
			ps = append(ps, fmt.Sprintf("transfer to %q: not an instrument account", to))
		case to.currency != from.currency:
			ps = append(ps, fmt.Sprintf("transfer to %s: currency differs from %s", to, from))
		case to == from || j.known(to):
			ps = append(ps, fmt.Sprintf("transfer to %s: the account is already in use", to))
		}
		if t.Transferable && !t.Expires.IsZero() && !at.Before(t.Expires) { // not transferable at all comes first
			ps = append(ps, fmt.Sprintf("transfer from %s: it expired at %s", from, t.Expires.Format(time.RFC3339)))
		}
		if group == t.Group {
			ps = append(ps, fmt.Sprintf("transfer to group %q: %s is already in it", group, from))
		}
		if len(ps) > 0 {
			return Transaction{}, &InvalidError{ID: id, Problems: ps}
		}
		dest := t
		dest.Account, dest.Group, dest.Overdraft = to, group, decimal.Decimal{}
		tx := Transaction{ID: id, Time: at, Kind: KindTransfer, Note: note,
			Postings: []Posting{{Account: from, Amount: amount.Neg()}, {Account: to, Amount: amount}},
			Terms:    []Terms{dest}}
		return tx, j.Check(tx)
	})
}

// known reports whether a transaction of j posted to a or set its terms.
func (j Journal) known(a Account) bool {
	if j.l == nil {
		return false
	}
	j.l.mu.RLock()
	defer j.l.mu.RUnlock()
	ac := j.l.accts[a]
	return ac != nil && ac.first < j.n
}
