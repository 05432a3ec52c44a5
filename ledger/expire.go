package ledger

import (
	"time"
)

// Expire returns the transaction that lapses expired holds and moves what
// is left on expired instruments to [Expired], and whether there is
// anything to move.
//
// A hold has lapsed at at when its Until is not after at and it is still
// open: for each of its held accounts with a positive balance, in
// [Account.Compare] order, the transaction first posts minus that balance
// to the held account and as much to its instrument (a release).
//
// An instrument account has expired at at when the [Terms] in force give it
// an Expires time not after at (Expires is exclusive, like
// [allocation.Instrument].ValidUntil). Each expired account with a positive
// balance (after the lapses above) gets a posting of minus its balance,
// followed by one adding as much to Expired in its currency, in
// [Account.Compare] order. A negative balance (an overdraft still owed) is
// left as it is, and so is what open holds still reserve: a hold taken
// before the instrument expired can still be captured, and what it gives
// back expires at the next Expire.
//
// The transaction's id is "expire:" followed by at in RFC 3339 with
// nanoseconds, in UTC, so that running Expire again at the same instant,
// even on a journal the first run already changed, returns the same
// transaction, which Apply reports as a replay.
func Expire(j Journal, at time.Time) (Transaction, bool) {
	if at.IsZero() {
		return Transaction{}, false
	}
	id := "expire:" + at.UTC().Format(time.RFC3339Nano)
	tx, _ := build(j, id, func(j Journal) (Transaction, error) {
		tx := Transaction{ID: id, Time: at, Kind: KindExpire}
		accounts := j.liveAccounts()
		var back []net // what lapses give back, per instrument
		for _, a := range accounts {
			t, _ := j.Terms(a)
			if !a.IsHeld() || t.Expires.IsZero() || at.Before(t.Expires) {
				continue
			}
			if b := j.Balance(a); b.IsPositive() {
				tx.Postings = append(tx.Postings, releasePair(a, b)...)
				back = addNet(back, a.owner(), b)
			}
		}
		for _, a := range accounts {
			t, _ := j.Terms(a)
			if !a.IsInstrument() || t.Expires.IsZero() || at.Before(t.Expires) {
				continue
			}
			if b := j.Balance(a).Add(find(back, a).amount); b.IsPositive() {
				tx.Postings = append(tx.Postings,
					Posting{Account: a, Amount: b.Neg()},
					Posting{Account: SystemAccount(Expired, a.currency), Amount: b})
			}
		}
		return tx, nil
	})
	return tx, len(tx.Postings) > 0
}
