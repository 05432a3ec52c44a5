// Package voucher models vouchers: regular amount vouchers, the discount
// vouchers Guance grants with prepaid card purchases, and percentage
// coupons, together with the activation codes customers type in to claim
// them.
//
// A [Voucher] is an immutable value. [New] issues one in status [Inactive];
// [Voucher.Activate] (an administrator granting it to an account) or
// [Voucher.Redeem] (the customer typing its [Code]) binds it to an account
// at a given instant and starts its validity. [Voucher.Instrument] projects
// it to an [allocation.Instrument]; after [allocation.Allocate],
// [Voucher.Apply] takes back what the [allocation.Split] used and returns
// the updated voucher. Every method returns a new value and leaves its
// receiver unchanged.
//
// Statuses and the transitions between them:
//
//	inactive ──Activate/Redeem──▶ active ──Apply (balance reaches 0)──▶ used_up
//	    │                           │
//	    ├──Expire (deadline)──▶ expired ◀──Expire (validity over)──┤
//	    └──Revoke──▶ revoked ◀──────────────Revoke────────────────┘
//
// used_up, expired and revoked are final. Expiry and revocation forfeit what
// was left ([Voucher.Forfeited]). Nothing here reads the clock: every
// instant is an argument.
//
// # Storing vouchers
//
// A Voucher has a versioned JSON form ([Voucher.MarshalJSON],
// [Voucher.UnmarshalJSON]; version 1) that a host keeps between requests.
// It holds the voucher's definition (terms, scope, validity, code) and its
// lifecycle (status, account, instants); reading it back gives a voucher
// [Voucher.Equal] to the one stored, and a damaged or hand-edited document
// is refused whole with every problem named. Money is the journal's: the
// stored balance is the voucher's own record of what it paid, but the
// wallet of the next bill is built from the stored vouchers' instruments
// with ledger.WithBalances(journal, wallet), which takes each balance from
// the journal and makes a used-up voucher that the journal holds value for
// (after a refund) usable again until its validity ends.
//
// Validity counted with [Params].ValidFor is elapsed time, so nothing in
// this package depends on a time zone or on the Location a [time.Time]
// carries.
//
// The rules come from the seed documents: Guance's billing center
// (002_974120889ed2e661.txt: activation codes, validity, regular and
// discount vouchers) and Kingsoft Cloud (000_f04d44448bd9d2a1.txt,
// 004_436d555c5a6b9a35.txt: vouchers used first, soonest expiry first).
package voucher
