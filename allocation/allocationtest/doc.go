// Package allocationtest helps host applications test code built on
// package allocation, the way net/http/httptest helps with net/http.
//
// It has four parts:
//
//   - Fixtures that read like the billing documents the rules come from:
//     [NewBill] with [Line]s, a [Voucher] expiring on a date, a [Gift]
//     balance, a [CreditLine] with a limit, a [PrepaidCard] with an
//     overdraft, a [PercentCoupon], a [NewPolicy] of [Step]s. They return
//     plain allocation values with sensible defaults ([DefaultCurrency],
//     [DefaultAt]); change any field afterwards.
//   - go-cmp options that compare amounts by value (1.50 equals 1.5) and
//     Splits field by field: [Options], [IgnoreAllocationOrder],
//     [IgnoreReasons], and [Diff] for a readable (-want +got) report.
//   - rapid generators of valid inputs that exercise every rule:
//     [Bill], [Wallet], [Policy] and [Scenario], tuned with [Knobs].
//   - [CheckInvariants], which asserts the invariants of the design on any
//     Split, for example one a host has post-processed; and [Eligibility]
//     and [Takes], a slow restatement, from the documentation alone, of the
//     rules judged before any money moves.
//
// Nothing in the library's core packages imports this package; it is for
// tests only. Like the library, it reads no clock and keeps no state.
package allocationtest
