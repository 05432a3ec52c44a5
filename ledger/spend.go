package ledger

import (
	"fmt"
	"slices"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// SpendOptions are the choices of [FromSplit] beyond the split itself. The
// zero SpendOptions books what instruments paid and nothing else.
type SpendOptions struct {
	// Note is the customer's note at spend time, kept on the spend
	// (Alibaba 001: the intended use of a deposit may change when it is
	// spent; the deposit keeps its own note).
	Note string
	// Receivable books each line's outstanding amount as owed: from
	// [Receivable] into [Revenue], for hosts that bill in arrears and let
	// [TopUp] collect it. Without it the outstanding amount is left to the
	// host (for example online payment) and not booked.
	Receivable bool
}

// FromSplit returns the spend transaction that books split, the result of
// allocating bill over wallet: its id is "spend:" followed by the bill id,
// so booking the same split twice is a replay and booking another split of
// the same bill is a conflict; its time is bill.At, its Bill the bill id and
// its Note opt.Note.
//
// For each allocation with a non-zero amount, in split order, it posts
// minus the amount to the instrument's account and the amount to
// [Revenue], both with the allocation's line and that line's product. A
// capped percentage instrument is booked like a stored-value one: its
// account holds the cap that is left, as its Balance does. An uncapped
// percentage instrument holds no value and has no account: what it
// discounts is not booked (the split records it). With opt.Receivable each
// line's outstanding amount follows, in line order, from [Receivable].
//
// It fails with [ErrInvalid], listing every problem, if the split is not of
// this bill (id or currency), or an allocation names a line not in the bill,
// an instrument not in the wallet or in another currency, or a negative
// amount. Overdraft floors are checked by [Journal.Apply].
func FromSplit(bill allocation.Bill, wallet allocation.Wallet, split allocation.Split, opt SpendOptions) (Transaction, error) {
	id := "spend:" + bill.ID
	var ps []string
	if bill.ID == "" {
		ps = append(ps, "bill without an id")
	}
	if split.Bill != bill.ID {
		ps = append(ps, fmt.Sprintf("split is of bill %q, not %q", split.Bill, bill.ID))
	}
	if split.Currency != bill.Currency {
		ps = append(ps, fmt.Sprintf("split is in %q, the bill in %q", split.Currency, bill.Currency))
	}
	product := func(line string) (string, bool) {
		i := slices.IndexFunc(bill.Lines, func(l allocation.Line) bool { return l.ID == line })
		if i < 0 {
			return "", false
		}
		return bill.Lines[i].Product, true
	}
	tx := Transaction{ID: id, Time: bill.At, Kind: KindSpend, Bill: bill.ID, Note: opt.Note}
	n := 2 * len(split.Allocations) // at most: every allocation booked
	if opt.Receivable {
		n += 2 * len(split.Lines)
	}
	tx.Postings = make([]Posting, 0, n)
	for i, a := range split.Allocations {
		prod, ok := product(a.Line)
		if !ok {
			ps = append(ps, fmt.Sprintf("allocation %d: line %q is not in the bill", i, a.Line))
		}
		k := slices.IndexFunc(wallet, func(in allocation.Instrument) bool { return in.ID == a.Instrument })
		switch {
		case k < 0:
			ps = append(ps, fmt.Sprintf("allocation %d: instrument %q is not in the wallet", i, a.Instrument))
			continue
		case wallet[k].Currency != split.Currency:
			ps = append(ps, fmt.Sprintf("allocation %d: instrument %q is in %q, not %q", i, a.Instrument, wallet[k].Currency, split.Currency))
		}
		if a.Amount.IsNegative() {
			ps = append(ps, fmt.Sprintf("allocation %d: negative amount %s", i, exact(a.Amount)))
		}
		if a.Amount.IsZero() || wallet[k].IsPercent() && !wallet[k].Capped {
			continue
		}
		tx.Postings = append(tx.Postings,
			Posting{Account: InstrumentAccount(a.Instrument, split.Currency), Amount: a.Amount.Neg(), Line: a.Line, Product: prod},
			Posting{Account: SystemAccount(Revenue, split.Currency), Amount: a.Amount, Line: a.Line, Product: prod})
	}
	if opt.Receivable {
		for _, l := range split.Lines {
			if !l.Outstanding.IsPositive() {
				continue
			}
			prod, _ := product(l.ID)
			tx.Postings = append(tx.Postings,
				Posting{Account: SystemAccount(Receivable, split.Currency), Amount: l.Outstanding.Neg(), Line: l.ID, Product: prod},
				Posting{Account: SystemAccount(Revenue, split.Currency), Amount: l.Outstanding, Line: l.ID, Product: prod})
		}
	}
	if len(ps) > 0 {
		return Transaction{}, &InvalidError{ID: id, Problems: ps}
	}
	if len(tx.Postings) == 0 {
		tx.Postings = nil // as it always was: a spend that moves nothing has no postings
	}
	return tx, nil
}

// WithBalances returns a copy of wallet in which every instrument's Balance
// is its account's balance in j and its Overdraft that of the terms j holds
// for it (zero if none): the wallet to allocate the next bill over, which
// cannot draw more than [Journal.Apply] accepts. This is how a host builds
// a wallet from stored instrument definitions (see "One truth" in the
// package documentation).
//
// The journal is the one record of balances, so WithBalances also derives
// the one status that depends on a balance: a stored-value instrument with
// Status "used_up" and something to draw (Balance + Overdraft > 0) gets
// Status "active", whatever the domain value said (a refund onto a voucher
// spent in full makes it spendable again). Every other status is kept:
// "expired", "revoked", "inactive", "recovered", "refunded" and the like
// come from the instrument's definition and lifecycle, not its balance, and
// validity (ValidFrom, ValidUntil) is judged by allocation as always. A
// usable instrument with nothing to draw keeps its status; allocation
// reports it as no_balance.
//
// Percentage instruments keep their status: a coupon is single use, so
// "used_up" is its lifecycle, and the cap left on its account is a limit,
// not value. Uncapped percentage instruments, which hold no value, are
// copied unchanged. The argument is not modified.
func WithBalances(j Journal, wallet allocation.Wallet) allocation.Wallet {
	return withBalances(slices.Clone(wallet), j)
}

// withBalances sets the balances and overdrafts of out, a copy of a
// wallet, as WithBalances does, reading j under one lock, and returns it.
func withBalances(out allocation.Wallet, j Journal) allocation.Wallet {
	if j.l != nil {
		j.l.mu.RLock()
		defer j.l.mu.RUnlock()
	}
	for i := range out {
		in := &out[i]
		if in.IsPercent() && !in.Capped {
			continue
		}
		in.Balance, in.Overdraft = decimal.Decimal{}, decimal.Decimal{}
		if j.l != nil {
			if ac := j.l.accts[InstrumentAccount(in.ID, in.Currency)]; ac != nil { // one lookup for both
				if t := ac.termsAt(j.n); t != nil {
					in.Overdraft = t.Overdraft
				}
				in.Balance = j.l.acctBalance(ac, j.n)
			}
		}
		if in.Status == statusUsedUp && !in.IsPercent() && in.Balance.Add(in.Overdraft).IsPositive() {
			in.Status = statusActive
		}
	}
	return out
}

// The instrument statuses WithBalances derives: the domain packages'
// "used up" and the status allocation treats as usable.
const (
	statusUsedUp = "used_up"
	statusActive = "active"
)
