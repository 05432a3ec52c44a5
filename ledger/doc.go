// Package ledger keeps the books of billfold: every movement of money on a
// customer's payment instruments as a balanced, idempotent double-entry
// transaction.
//
// Each instrument has an [Account] per currency, and each currency has the
// [System] accounts [Issued], [Revenue], [Expired], [Refunded] and
// [Receivable]. A [Transaction] posts amounts to accounts that add up to zero
// in every currency. A [Journal] is an immutable, append-only value holding
// one customer's transactions; [Journal.Apply] returns it one transaction
// longer, or rejects the transaction whole with an error that says why:
//
//   - [ErrInvalid]: malformed, listing every problem;
//   - [ErrConflict]: the id is taken by other content (the same id with
//     equal content is a replay: a no-op that Apply reports);
//   - [ErrInsufficient]: an instrument would go below −overdraft;
//   - [ErrNotTransferable]: a transfer out of an account whose [Terms] do not
//     allow it;
//   - [ErrNotCashable]: value paid out as cash from an account whose
//     [Terms] keep it in, or from an overdraft.
//
// Balances are never stored apart from the postings: [Journal.Balance] and
// [Journal.History] derive them. Helpers build the transactions of the
// seed scenarios: [FromSplit] books an allocation.Split; [Reverse] voids or
// refunds; [IssueCredit] gives back per line, to the payers, to a new
// credit or as cash; [Expire], [TopUp], [Transfer], [Grant], [Deposit] and
// [Refund] do what they say. A [Store] persists journals with optimistic
// concurrency; [MemoryStore] is one in memory and [Update] the retry loop.
//
// Like the rest of billfold the package is pure: no I/O, no clock (every
// time is an argument), no global state. Money is [decimal.Decimal],
// compared by value and summed exactly; nothing is rounded.
package ledger
