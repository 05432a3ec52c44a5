// Package renewal schedules and performs subscription renewals by the rules
// of Kingsoft Cloud's renewal management (seed 004_436d555c5a6b9a35.txt),
// paying them through [allocation.Allocate].
//
// An [Instance] is one purchased subscription: it expires at ExpiresAt, is
// renewed automatically ([Auto]) or by hand ([Manual]), and may be refused
// renewal altogether (trial and one-time-fee instances, and products such as
// KAD and KCM that the host marks not renewable).
//
//   - [NextExpiryAnchored] and [Instance.NextExpiry] add whole months in the
//     account's time zone, keeping the day of the month and the wall-clock
//     time of day the subscription is anchored to ([Instance].AnchorDay and
//     AnchorClock), so renewal after renewal never drifts, across short
//     months and daylight-saving gaps alike. [NextExpiry] is the stateless
//     form, anchored to the expiry it is given.
//   - [Due] lists the auto-renew instances the system must renew now.
//   - [RunAuto] renews every due instance by one month, paying from the
//     wallet (vouchers first, see [DefaultPolicy]) and carrying the wallet
//     forward from one instance to the next (a single-use percentage coupon
//     pays one renewal, then is [UsedUp]); an instance that cannot be paid,
//     or whose last day passed without a run, expires and is blocked from
//     further automatic renewal.
//   - [Renew] renews one instance by hand for a chosen number of months, also
//     after it has expired.
//   - [Instance.EnableAuto] and [Instance.DisableAuto] switch the renewal
//     policy.
//   - [Unify] quotes aligning many instances to one expiry day of the month,
//     with prorated fees; [Quote.Apply] moves the expiries.
//
// # Purity
//
// The package does no I/O, reads no clock and keeps no global state. The
// moment of judgement (at) and the account's time zone (loc) are always
// arguments; a nil loc means UTC. Every day and month is counted in loc,
// never in the Location attached to a time.Time argument: the same instants
// given in the account's zone, in UTC (as PostgreSQL returns them) or in any
// other zone give the same result, and the times the package computes or
// reports (new expiries, Result and Renewal From and To, renewal bills' At,
// QuoteLine From and To) are in loc. Error messages write instants in UTC.
// Functions never change their arguments:
// every operation returns updated copies, and a call that returns an error
// returns no partial result.
//
// # Renewal order
//
// Wherever several instances are handled together ([Due], [RunAuto], [Unify])
// they are taken in renewal order: ExpiresAt ascending (by instant, whatever
// the location of the time value), then ID ascending (byte-wise). Instance IDs
// are unique within one call, so the order is total and the result never
// depends on the order of the input slice. It decides who is paid first when
// the wallet cannot pay everybody: the instance expiring first.
//
// # Money
//
// Amounts are [decimal.Decimal]; prices are per month in one currency
// ([Prices]). A renewal for n months costs exactly n times the monthly price,
// with no rounding. Only proration divides money ([Unify]), and it rounds each
// fee once, with the caller's [allocation.Rounding].
package renewal
