// Package pgstore keeps billfold ledger journals in PostgreSQL: a
// [ledger.Store] built on pgx (github.com/jackc/pgx/v5) and its pool.
//
// It lives in its own module, so that importing billfold never pulls in a
// database driver.
//
// # Schema
//
// [Store.Migrate] creates, idempotently and under an advisory lock so that
// several processes may run it at once, three tables, a view and a table
// for its own bookkeeping, all in one schema: [Options].Schema,
// [DefaultSchema] ("public") unless set. Every statement of the Store names
// that schema, so the connection's search_path plays no part: a role whose
// search_path begins with a schema of its own cannot end up with a second
// ledger. Migrate never creates the schema, and a Store whose schema lacks
// the tables fails with [ErrSetup] rather than create them.
//
//   - billfold_streams (stream, version, last): one row per stream, holding
//     its version (the number of transactions stored for it) and the id of
//     its last transaction. It is the row writers lock. A stream without
//     a row is at version 0, as is one whose row says 0 (left by
//     [Store.AppendBatch] when it refused the append that created it and
//     stored others).
//   - billfold_transactions (stream, position, id, kind, time, bill, ref,
//     body): one row per transaction, keyed by stream and position (0, 1,
//     …, version−1) and unique by stream and id. body is the transaction's
//     JSON encoding ([ledger.Transaction.MarshalJSON]), kept verbatim as
//     json: it is what [Store.Load] reads back, and the only column that
//     must be trusted. kind, time (to the microsecond), bill and ref copy
//     the body for queries.
//   - billfold_postings (stream, position, idx, account, currency, amount,
//     line, product): a view with one row per posting of each body, in
//     order, amount as an exact numeric, account in its text form
//     ([ledger.Account.String]). The Store never reads it; it lets SQL
//     sum balances (sum(amount) by account, for one stream: the view
//     reads that stream's bodies through the primary key) or report per
//     product.
//   - billfold_schema (step): the migration steps applied.
//
// Rows are only ever inserted, by the Store's writes, never changed or
// deleted: a journal is append-only, and balances are not stored apart
// from the transactions.
//
// Until migration step 2, billfold_postings was a table: each posting
// stored a second time as a row, checked by a foreign key against its
// transaction and indexed by account. That copy was most of the cost of a
// write: on the machine of the README's "Ledger at scale", a month-end of
// 20,000 bills (18 postings each) took 4.7 s to load by COPY, of which
// 4.1 s were the 360,000 posting rows (2.9 s their foreign-key checks,
// 0.4 s their account index), against 0.75 s for the stream and
// transaction rows; BenchmarkBareInsert measures 325 µs of server time
// per bill with the posting rows, 40 µs without. The Store writes a transaction and its postings in
// one statement and never reads the postings, so neither the check nor
// the copy guarded anything the body does not already hold. Step 2
// replaces the table by the view, with the same columns: SQL that read
// the table reads the view, and the rows written before the step are read
// from their bodies, equal (the migration tests compare them). Summing a
// whole ledger now parses every body: a host that reports over all
// streams often should keep its own summary (a materialized view,
// refreshed when it reports).
//
// # Privileges
//
// What the database role needs, per operation, besides USAGE on the
// schema:
//
//   - Migrate with nothing to migrate (every start but the first after
//     an upgrade): SELECT on billfold_schema. With steps to apply: CREATE
//     on the schema (run it then as the tables' owner).
//   - Load: SELECT on billfold_streams and billfold_transactions.
//   - LoadBatch: as Load.
//   - Append, AppendBatch, Update, Resolve: SELECT, INSERT and UPDATE on
//     billfold_streams (UPDATE also for its row lock); SELECT and INSERT
//     on billfold_transactions.
//   - SQL reports: SELECT on billfold_postings (the view reads the
//     bodies with its owner's privileges) or on the tables.
//   - Checkpoints (see below): SELECT on billfold_checkpoints for Load
//     and writes, and INSERT for writes.
//
// A missing privilege fails with [ErrSetup].
//
// # Concurrency
//
// Every write runs in one database transaction, READ COMMITTED unless
// [Options].Serializable, that first locks the stream's row (SELECT … FOR
// UPDATE), then checks the version, applies the new transactions with
// [ledger.Journal.Apply] to the journal at that version (the same checks
// the memory store makes: validity, replay or conflict of ids, reversals,
// transferability, overdraft floors), and inserts them with the new
// version before committing. A rejected batch rolls back, leaving no row.
//
// Row locks were chosen over relying on SERIALIZABLE isolation because
// the checks run in Go, where the database cannot see what they read: all
// it has to guarantee is that no other write to the stream lands between
// reading its version and inserting at the next position, and the lock on
// that one row says exactly that. Writers of one stream queue on it and
// never fail spuriously; writers of different streams never wait for one
// another. The primary key (stream, position) is a second guard: two
// writes at one position cannot both commit.
//
// Waits are bounded, per database transaction: a writer waits at most
// [Options].LockTimeout for a stream's lock (then [ErrTransient]), and a
// writer that leaves its transaction idle while holding the lock (its
// build function is slow, its client hung or was cut off from the
// database) has its session ended by the server after
// [Options].IdleTimeout, which releases the lock. Without the latter, a
// partitioned writer would block the customer's every other writer until
// TCP keepalive gives up, two hours with the defaults.
//
// [Store.AppendBatch] writes many streams in one database transaction
// (group commit: one commit, so one wait for the disk, for a whole group
// of bills): it creates the rows of new streams, then locks all the
// streams' rows, each step in the order of the stream ids' bytes. Two
// batches sharing streams therefore queue at the first stream they share
// and never deadlock, nor does a batch with single writers, who hold one
// stream's lock only. Each append gets its own verdict, and the accepted
// ones are inserted with one statement and committed together.
//
// A database transaction that fails with a serialization failure or a
// deadlock (SQLSTATE 40001, 40P01) stored nothing; the Store runs it
// again, up to [Options].Retries times with a short random pause, and
// then returns [ErrTransient].
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
// memory, bounded by count ([Options].CacheStreams) and by the size of
// their transactions' JSON ([Options].CacheBytes), since rebuilding a
// journal costs time in proportion to its length. Before using a kept
// journal it checks against the database that the stream still holds it
// (its length and the id of its last transaction), and reads only the
// transactions added since. It relies on rows never being changed or
// deleted.
//
// A write to a stream whose journal the Store does not keep reads it
// before taking the stream's lock, and under the lock reads only what was
// added since: a long stream's cold read (a second or more for 100,000
// transactions) does not hold up the customer's other writers. A journal
// larger than CacheBytes is never kept, so every write to its stream reads
// it whole, twice; size CacheBytes for the longest streams.
//
// A bill run ([ledger.RunBills]) reads each group of streams with
// [Store.LoadBatch] and books it with [Store.AppendBatch], which finds the
// journals it needs in the cache if they are still kept: size
// CacheStreams to at least twice the run's workers times its group size,
// or AppendBatch reads the journals again, under the locks.
//
// The build function of [Store.Update] runs while the Store holds a pool
// connection and the stream's lock: it must not call the Store. On a pool
// whose every connection is held by such a writer, a call from build
// would wait for a connection for ever.
//
// # Checkpoints
//
// A stream's cold read would cost time and memory in proportion to its
// history (1.7 s for 100,000 transactions, 17 s for a million) if every
// stored transaction were applied again. So a write that takes a stream
// past a multiple of [Options].CheckpointEvery ([DefaultCheckpointEvery],
// 16) also stores the [ledger.Checkpoint] of the journal as it was
// before that write (balances, terms in force, the open holds'
// transactions, the receivable's debts: see the ledger package, "Cost at
// scale") as JSON in billfold_checkpoints (stream, position, body), in the
// same database transaction: a checkpoint is never ahead of the rows, and
// the transactions of a stream's last write always lie after its newest
// checkpoint, so a retry of that write (a bill run restarted) rebuilds
// them on the journal before them and is told a replay from a conflict.
// The migration step that adds the table also indexes
// billfold_transactions by (stream, ref); it is idempotent.
//
// [Store.Load] and every write to a stream the Store does not keep read,
// in one query, the stream's newest checkpoint and the rows after it (at
// most CheckpointEvery, plus what was written since by Stores that take
// none), and resume the journal from them ([ledger.Resume]); a stream
// without a checkpoint is read whole. [Store.LoadBatch] reads a group's
// cold streams the same way, in one query, and [Store.AppendBatch] stores
// the checkpoints its appends make due, in its one commit. So a cold write costs about the same
// on a stream of a million transactions as on a fresh one.
//
// What the resumed journal needs from before its checkpoint it asks for
// ([ledger.CheckpointError]): whether the id of a transaction being booked
// is new, or a replay or conflict of an older one; the original and
// earlier reversals of a transaction being reversed; the hold a capture
// or release names. [Store.Update] (and Append) read those rows by id and
// by ref, under the stream's lock, all that a write's transactions need
// in one query ([ledger.Journal.Missing]), hand them over
// ([ledger.Journal.Recall]) and go on; build runs again only if it asked
// itself, or built a transaction whose id is stored before the
// checkpoint. That is one more indexed query on a write to a resumed
// journal (each new id is looked up). A retry of a write older than the
// newest checkpoint whose build rebuilds its transaction with a helper
// ([ledger.Reverse]) fails with a CheckpointError naming nothing: the
// journal before it is not kept to rebuild it on ([ledger.RunBills]
// counts such a bill as replayed on its spend's id). [Store.AppendBatch]
// recalls what all its appends need with one query, and
// [Store.RecallBatch] recalls for many loaded journals at once: a bill
// run recalls each group's spend ids with it, so that streams resumed
// from a checkpoint are booked in groups, one commit per group, like
// fresh ones. A host holding a journal
// from Load recalls with [Store.Recall] before asking it about older
// transactions; [Store.LoadAll] reads a stream whole (exports, audits,
// statements of the whole history: [ledger.Journal.History] of a resumed
// journal starts at its checkpoint, and older entries are best read in
// SQL from billfold_postings).
//
// Checkpoints are only ever inserted, like the other rows. A checkpoint's
// size grows with the stream's accounts, open holds and debts booked on
// the receivable, not with its transactions.
//
// # Failures
//
// Every error says what a host should do, by its class (test with
// errors.Is):
//
//   - [ledger.ErrInvalid]: the input is malformed, or beyond what the
//     database can keep ([ledger.MaxIDBytes] and the other limits of
//     [ledger.Transaction.Validate], a stream id [ledger.ValidStream]
//     refuses). Nothing was stored. Never retry.
//   - [ledger.ErrVersion] (Append only): the stream moved on. Nothing was
//     stored. Reload, rebuild, retry ([ledger.Update] does).
//   - [ledger.ErrConflict], [ledger.ErrInsufficient],
//     [ledger.ErrNotTransferable]: the ledger's verdict on the
//     transactions. Nothing was stored. Never retry them as they are.
//   - [ErrTransient]: the write failed before its commit was sent (or
//     the server refused the commit), or a read failed. Nothing was
//     stored. Retry, after a pause.
//   - [ErrUnknownOutcome], an [*OutcomeError]: the commit was sent and
//     its answer lost. Retry with the same transactions, never rebuilt
//     ones (see the example): if they were stored, each is a replay. Or
//     ask [Store.Resolve], which waits for the stream's lock, so a commit
//     still under way cannot overtake its answer.
//   - [ErrSetup]: tables missing, schema missing, privilege missing.
//     Fix the setup; never retry.
//   - [ErrCorrupt]: the stored rows do not make a journal. An operator
//     must look; never retry.
//   - ctx's error, unwrapped: the caller's context ended before the
//     commit was sent; nothing was stored.
//
// # Distributed SQL
//
// Hosts that outgrow one PostgreSQL server move to PostgreSQL-compatible
// distributed SQL (CockroachDB, YugabyteDB). Such a deployment runs its
// transactions SERIALIZABLE whatever the client asks (CockroachDB
// upgrades READ COMMITTED by default) and aborts them with 40001 when they
// conflict: set [Options].Serializable, so that the Store asks for it
// itself. The Store's tests run concurrent writers that way against
// PostgreSQL with default_transaction_isolation=serializable, where every
// writer that waited for a stream's lock fails with 40001 (its snapshot
// predates the holder's commit) and is retried: nothing is lost or booked
// twice, but a hot stream costs retries there, which [Options].Retries
// bounds ([ErrTransient] beyond). What else the Store relies on, to check
// on the target:
//
//   - row locks held to the end of the transaction, taken by SELECT …
//     FOR UPDATE, that queue other writers of the row (not only abort
//     them), and INSERT … ON CONFLICT DO NOTHING that waits for an
//     uncommitted insert of the same key;
//   - lock_timeout and idle_in_transaction_session_timeout, set with
//     set_config(…, true) for one transaction: where they are missing,
//     bound waits another way (a statement timeout, the server's own
//     transaction timeout), or a partitioned writer holds its customer's
//     lock until the connection dies;
//   - pg_advisory_xact_lock in Migrate (only when there are steps to
//     apply): where it is missing, run Migrate from one process;
//   - the numeric type for posting amounts, with the range of
//     [ledger.MaxAmountIntegerDigits] and [ledger.MaxAmountPlaces]
//     digits, and json for the bodies;
//   - unnest of arrays in the multi-row inserts, and transactional DDL
//     in Migrate.
package pgstore
