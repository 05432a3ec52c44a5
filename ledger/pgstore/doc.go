// Package pgstore keeps billfold ledger journals in PostgreSQL: a
// [ledger.Store] built on pgx (github.com/jackc/pgx/v5) and its pool.
//
// It lives in its own module, so that importing billfold never pulls in a
// database driver.
//
// # Schema
//
// [Store.Migrate] creates, idempotently and under an advisory lock so that
// several processes may run it at once, three tables (unqualified: they go
// in the first schema of the connection's search_path) and one for its own
// bookkeeping:
//
//   - billfold_streams (stream, version, last): one row per stream, holding
//     its version (the number of transactions stored for it) and the id of
//     its last transaction. It is the row writers lock.
//   - billfold_transactions (stream, position, id, kind, time, bill, ref,
//     body): one row per transaction, keyed by stream and position (0, 1,
//     …, version−1) and unique by stream and id. body is the transaction's
//     JSON encoding ([ledger.Transaction.MarshalJSON]), kept verbatim as
//     json: it is what [Store.Load] reads back, and the only column that
//     must be trusted. kind, time (to the microsecond), bill and ref copy
//     the body for queries.
//   - billfold_postings (stream, position, idx, account, currency, amount,
//     line, product): one row per posting, in order, amount as an exact
//     numeric, account in its text form ([ledger.Account.String]). They are
//     written with their transaction and never read by the Store; they
//     let SQL sum balances (sum(amount) by account) or report per product.
//   - billfold_schema (step): the migration steps applied.
//
// Rows are only ever inserted, by [Store.Append] and [Store.Update], never
// changed or deleted: a journal is append-only, and balances are not stored
// apart from the postings.
//
// # Concurrency
//
// Every write runs in one READ COMMITTED database transaction that first
// locks the stream's row (SELECT … FOR UPDATE), then checks the version,
// applies the new transactions with [ledger.Journal.Apply] to the journal
// at that version (the same checks the memory store makes: validity,
// replay or conflict of ids, reversals, transferability, overdraft
// floors), and inserts them with the new version before committing. A
// rejected batch rolls back, leaving no row.
//
// Row locks were chosen over SERIALIZABLE isolation because the checks run
// in Go, where the database cannot see what they read: all it has to
// guarantee is that no other write to the stream lands between reading
// its version and inserting at the next position, and the lock on that
// one row says exactly that. Writers of one stream queue on it and never
// fail spuriously; writers of different streams never wait for one
// another. Under SERIALIZABLE, the predicate locks of concurrent appends
// to the same indexes can abort transactions of unrelated streams with
// serialization failures, each needing a retry that redoes the work, and
// correctness would depend on every writer running at that level. The
// lock is taken explicitly at READ COMMITTED, whatever the connection's
// default isolation. The primary key (stream, position) is a second guard:
// two writes at one position cannot both commit.
//
// [Store.Append] is the optimistic [ledger.Store] contract: it fails with
// [ledger.ErrVersion] when the stream moved on, and [ledger.Update] retries
// from a fresh load. Under heavy contention on one stream most of those
// attempts are lost work, and each retry applies to a journal another
// writer has extended, which costs a copy of it ([ledger.Journal.Apply]);
// [Store.Update] instead takes the lock before loading, so its build
// function always sees the latest journal and never retries.
//
// # Memory
//
// A Store keeps the journals of the streams it used most recently in
// memory ([Options].CacheStreams), since rebuilding a journal costs time in
// proportion to its length. Before using a kept journal it checks against
// the database that the stream still holds it (its length and the id of
// its last transaction), and reads only the transactions added since. It
// relies on rows never being changed or deleted.
//
// # Failures
//
// If a write fails for another reason than a version mismatch or a
// rejected transaction (the connection broke, the context ended), nothing
// of it was stored unless the failure hit the commit itself, in which case
// the database may have committed it. Retrying is safe either way: a
// transaction whose id the stream holds with equal content is a replay.
package pgstore
