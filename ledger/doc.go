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
//     [Terms] keep it in, or from an overdraft;
//   - [ErrHoldSettled], [ErrHoldExpired], [ErrHoldExceeded]: a capture or
//     release the hold it names cannot take (see Holds below).
//
// Balances are never stored apart from the postings: [Journal.Balance] and
// [Journal.History] derive them. Helpers build the transactions of the
// seed scenarios: [FromSplit] books an allocation.Split; [Hold], [Capture]
// and [Release] reserve it first and settle it later; [Reverse] voids or
// refunds; [IssueCredit] gives back per line, to the payers, to a new
// credit or as cash; [Expire], [TopUp], [Transfer], [Grant], [Deposit] and
// [Refund] do what they say. A [Store] persists journals with optimistic
// concurrency; [MemoryStore] is one in memory and [Update] the retry loop.
//
// # One truth: building a wallet
//
// The journal is the only record of money. The domain packages (voucher,
// credit, prepaid) hold definitions: terms, scope, validity and lifecycle
// events such as activation, expiry and revocation. A host stores those
// definitions and the journal, and builds the next bill's wallet from both
// with [WithBalances]:
//
//	wallet := ledger.WithBalances(j, allocation.Wallet{v.Instrument(), c.Instrument()})
//	split, err := allocation.Allocate(bill, wallet, policy)
//	tx, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
//	j, _, err = j.Apply(tx)
//
// Every balance and overdraft in that wallet is the journal's, whatever the
// stored definition says, and so is the one status that depends on a
// balance: "used_up". A voucher spent in full and then refunded in part
// ([Reverse]) holds the refund in the journal and is spendable again until
// its validity ends. The other statuses ("expired", "revoked", "inactive",
// …) are lifecycle, kept as the definition says; a percentage coupon's
// "used_up" is lifecycle too (single use). Calling the domain value's Apply
// after booking keeps its own history but is not needed for balances.
//
// # JSON
//
// [Transaction], [Posting], [Terms], [Entry], [Account] and [Journal] encode
// to JSON with snake_case names, amounts as exact decimal strings and
// times in RFC 3339; a journal is the array of its transactions, and
// decoding one applies them again, so it passes every check of
// [Journal.Apply]. Decoding is strict: an unknown or repeated field, a
// value of the wrong type, an amount that is not a decimal or a time that
// is not RFC 3339 is an error wrapping [ErrInvalid] that lists every
// problem with its JSON path (postings[1].amount) and the transaction's id.
// Older stored JSON still reads the same: names in any letter case, null
// for absent, amounts as JSON numbers. An amount has at most 1,000 digits.
//
// Like the rest of billfold the package is pure: no I/O, no clock (every
// time is an argument), no global state. Money is [decimal.Decimal],
// compared by value and summed exactly; nothing is rounded.
//
// # Holds
//
// A hold reserves at checkout what a Split would take, until an expiry
// instant; a capture settles all or part of it as revenue, a release or
// the expiry gives back the rest (TigerBeetle's two-phase transfers,
// Formance's wallet holds). Holds are postings like everything else:
//
//	hold     instrument −x  →  HeldAccount(hold, instrument) +x   line, product
//	capture  held −x        →  Revenue +x                          line, product
//	release  held −x        →  instrument +x
//	lapse    held −x        →  instrument +x   (in Expire's transaction)
//
// [Hold] books one pair per allocation of the Split, in split order, with
// its line and product; [Capture] takes from those allocations in that
// order and books revenue as a spend would; a final capture, [Release] and
// [Expire] give back per held account. The hold's expiry is the Expires of
// the [Terms] it sets on its held accounts. So every transaction still
// balances to zero, a sum of postings per account (in SQL) still equals
// [Journal.Balance], and a journal rebuilt from stored transactions knows
// every hold ([Journal.HoldStatus], [Journal.OpenHolds]).
//
// The balance of an instrument account is therefore what is available:
// its value less what open holds reserve ([Journal.Held]); the whole value
// is Balance + Held. Apply's floor check, [WithBalances], [Refund] and
// [Transfer] all read that balance, so a spend, a second hold, a refund or
// a transfer that would use held money fails with [ErrInsufficient], its
// [Shortfall] saying how much is held; [TopUp] counts a hold as still on
// the instrument, not as a debt. Apply checks holds as it checks
// reversals: only holds, captures, releases and lapses touch held
// accounts, in the shapes their helpers build; a capture of more than is
// held fails with [ErrHoldExceeded], a capture or release of a settled
// hold (so a second release) with [ErrHoldSettled], and of a lapsed hold,
// or at or after its expiry, with [ErrHoldExpired]. [Reverse] refunds a
// capture as it refunds a spend, back onto the instruments its hold
// reserved; a hold, a release or a lapse is not reversed (release it, or
// let it lapse).
//
// # Cost at scale
//
// A [Journal] keeps every transaction, so its memory grows with its
// history; what a booking costs should not. At its newest version (the
// value Apply last returned, which a [Store] hands out) a journal answers
// what a booking reads from indexes it keeps as it grows, each one lookup
// whatever the history's length:
//
//   - a transaction by id (so the replay or conflict of any past id);
//   - each account's balance (a running total) and its terms in force;
//   - what open holds reserve of each instrument ([Journal.Held], read by
//     every floor check), which holds are open ([Journal.OpenHolds]) and
//     the accounts that are not held accounts, so [Expire], [TopUp],
//     [Watch] and [AutoTopUp] look at the instruments and the open holds'
//     accounts, not at every hold ever taken;
//   - the reversals of each transaction, so [Journal.Reversible] and
//     [Reverse] of any past spend read that spend and its reversals only;
//   - for [Journal.History] over a time range, a binary search while
//     transactions come in time order.
//
// An older version (a journal value later extended) answers the same
// questions from the entries: balances from a running total stored every
// 32 entries of an account, holds by summing their held accounts. A
// property test checks, at every length of random histories, that the two
// give the same Balance, Held, Terms, History, Reversible, OpenHolds,
// HoldStatus, Expire and TopUp transactions, replays and conflicts.
//
// What still grows with history: attributing repayments on [Receivable]
// ([Journal.Owed], and reversing a spend that booked a receivable) walks
// the receivable's entries, and [Journal.Accounts] lists the held
// accounts of settled holds too (automation reads the indexed accounts).
//
// A journal rebuilt from stored transactions ("cold") costs time and
// memory in proportion to its history: each transaction is applied
// again. A [Checkpoint] makes it constant. [Journal.Checkpoint] summarises
// a journal as of its length: each account's balance and terms in force,
// the open holds' transactions (each hold and what moved its held
// accounts since) and the receivable's debts (what each spend booked as
// owed, and what was repaid, given back and passed on of it). Its size
// grows with the accounts, the open holds and the debts, not with the
// transactions; it has a strict JSON form, for a store to keep.
// [Resume] makes a journal of a checkpoint and the transactions stored
// after it, which answers everything about the present exactly as the
// journal of the whole history: balances, terms, floors, holds and their
// expiry, [Expire], [TopUp], what is owed, and the checks of
// [Journal.Apply] on anything that reads only those.
//
// What needs an older transaction a resumed journal never guesses: it
// asks. Apply of an id it cannot place (a replay, a conflict, or new?),
// of a reverse of an older transaction (what earlier reversals gave
// back), or of a capture, release or lapse of a hold settled before the
// checkpoint fails with a [*CheckpointError] ([ErrBeforeCheckpoint])
// naming the ids it needs, and so do the helpers that read them
// ([Reverse], [IssueCredit], [Capture], [Release]). The store reads the
// transactions before the checkpoint whose ID or Ref is one of them (two
// indexed look-ups) and hands them over with [Journal.Recall]; then the
// same call gives the answer the whole journal gives. [Journal.Missing]
// lists all that a batch of transactions needs, for one look-up, and
// [Update] recalls through a Store that is a [Recaller]. The reads that
// cannot return an error answer as for an absent id until then:
// [Journal.Knows] says which ids a journal can answer for
// ([Journal.Transaction], [Journal.Reversible], [Journal.HoldStatus]).
// [Journal.Owed] needs nothing recalled.
//
// What a resumed journal cannot answer: [Journal.History],
// [Journal.Entries] and [Journal.Transactions] start at [Journal.Base]
// (older entries are the store's to read, with their balances);
// [Journal.Accounts] and [Journal.Terms] omit the held accounts of holds
// settled before the checkpoint; a helper asked to build again a
// transaction stored before the checkpoint (a retry of Reverse, a
// second GrantSchedule.Reset of a period) fails with a CheckpointError
// naming nothing, as no older version is kept to build it on;
// [Crossings] refuses positions before Base and [EvaluateTopUp] looks
// back no further; a resumed journal does not encode as JSON. A property
// test checks, for random histories cut at random positions, that a
// resumed journal recalling as a store does gives the same Balance, Held,
// Terms, History from Base, Reversible, HoldStatus, Owed, OpenHolds,
// Expire and TopUp as the whole journal, and the same outcome for replays,
// conflicts and new reversals, captures, releases and spends.
//
// # Bill runs
//
// [RunBills] books a month-end run: an iterator of [BillJob] values (one
// customer's bill, instrument definitions and policy) is allocated and
// booked through a [Store] by a bounded number of workers, each stream
// always by the same worker, so its bills go in input order. A bill that
// cannot be booked is reported ([Rejection]) and the run goes on. The
// spend id is derived from the bill id, and a bill whose spend is already
// on its stream is allocated again over the journal as it was before that
// spend: the same spend is a replay, another a conflict. So a run killed
// at any point and run again books every bill once. [StreamPart] splits
// streams by a hash of their id for N processes sharing one run. On a
// [BatchStore] a worker books groups of bills with one read and one
// commit; a journal resumed from a checkpoint learns its spend ids are new
// from the store, for the whole group at once when the store is a
// [BatchRecaller].
package ledger
