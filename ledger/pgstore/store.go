package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultCacheStreams is how many streams' journals a Store keeps in memory
// when [Options].CacheStreams is zero.
const DefaultCacheStreams = 1024

// DefaultCacheBytes bounds the journals a Store keeps in memory when
// [Options].CacheBytes is zero: 64 MiB of their transactions' JSON.
const DefaultCacheBytes = 64 << 20

// DefaultSchema is the schema a Store's tables live in when
// [Options].Schema is empty.
const DefaultSchema = "public"

// Defaults of the bounded waits and retries of [Options].
const (
	DefaultLockTimeout = 10 * time.Second
	DefaultIdleTimeout = 10 * time.Second
	DefaultRetries     = 30
)

// Options are the choices of [New]. The zero Options keep the journals of
// up to [DefaultCacheStreams] streams and [DefaultCacheBytes] in memory, use the tables in schema
// [DefaultSchema], wait at most [DefaultLockTimeout] for a stream's lock,
// let a writer sit idle holding it at most [DefaultIdleTimeout], run READ
// COMMITTED and retry serialization failures [DefaultRetries] times.
type Options struct {
	// CacheStreams is how many streams' journals, the most recently used,
	// the Store keeps in memory to extend on the next call instead of
	// reading them whole (see the package documentation). Zero means
	// DefaultCacheStreams; a negative number keeps none, so that every
	// call reads the stream's whole journal.
	CacheStreams int

	// CacheBytes bounds the same journals by size, counted as the length
	// of their transactions' JSON bodies (a journal in memory takes a
	// few times that). A journal larger than CacheBytes is not kept:
	// every write to its stream reads it whole. Zero means
	// DefaultCacheBytes; a negative number keeps none.
	CacheBytes int64

	// Schema is the schema holding the tables; every statement names it,
	// so the connection's search_path plays no part. Empty means
	// DefaultSchema.
	Schema string

	// LockTimeout bounds how long a write (or [Store.Resolve]) waits for
	// a stream's lock held by another writer (PostgreSQL's lock_timeout,
	// set for each database transaction). It then fails with
	// [ErrTransient]. Zero means DefaultLockTimeout; negative, no bound.
	LockTimeout time.Duration

	// IdleTimeout bounds how long a write may leave its database
	// transaction idle while it holds a stream's lock (PostgreSQL's
	// idle_in_transaction_session_timeout, set for each database
	// transaction): a writer whose client stalled, or was cut off from
	// the database, has its session ended by the server after that long,
	// which releases the lock. The build function of [Store.Update] runs
	// while the transaction is idle, so it must return within
	// IdleTimeout. Zero means DefaultIdleTimeout; negative, no bound.
	IdleTimeout time.Duration

	// Serializable runs every database transaction of the Store at
	// SERIALIZABLE instead of READ COMMITTED, as PostgreSQL-compatible
	// distributed SQL does (see the package documentation). Row locks are
	// still taken.
	Serializable bool

	// CheckpointEvery is how many transactions of a stream lie between
	// two of its checkpoints (see the package documentation): a write
	// that takes the stream past a multiple of it stores the journal's
	// checkpoint in the same database transaction, and a cold read
	// starts from the newest one. Zero means DefaultCheckpointEvery; a
	// negative number stores none (reads still use those stored).
	CheckpointEvery int

	// Retries is how many times a database transaction that fails with a
	// serialization failure or a deadlock (SQLSTATE 40001, 40P01), which
	// stores nothing, is run again before the Store returns
	// [ErrTransient]. Zero means DefaultRetries; negative, none.
	Retries int
}

// A Store is a [ledger.Store] in PostgreSQL: one journal per stream, in the
// tables [Store.Migrate] creates. It is safe for concurrent use, by any
// number of goroutines and processes sharing the database; see the package
// documentation for how writes are serialised.
//
// The zero Store has no database and must not be used: build one with
// [New].
type Store struct {
	pool    *pgxpool.Pool
	cache   *cache
	schema  string
	sql     statements
	begin   string // BEGIN at the isolation level of Options
	lockMS  string // lock_timeout, in milliseconds ("0": none)
	idleMS  string // idle_in_transaction_session_timeout
	retries int
	every   int // Options.CheckpointEvery, ≤ 0: none
}

// statements holds the SQL text naming the Store's schema.
type statements struct {
	schemaIdent                        string // the quoted schema
	schemaTable, streams, transactions string // quoted, qualified tables
	checkpoints                        string
}

var _ ledger.Store = (*Store)(nil)

// New returns a Store using pool, whose connections must reach a database
// where [Store.Migrate] has run (New itself does no I/O). The Store does
// not close pool.
func New(pool *pgxpool.Pool, opt Options) *Store {
	n := opt.CacheStreams
	if n == 0 {
		n = DefaultCacheStreams
	}
	schema := opt.Schema
	if schema == "" {
		schema = DefaultSchema
	}
	table := func(t string) string { return pgx.Identifier{schema, t}.Sanitize() }
	ms := func(d, def time.Duration) string {
		switch {
		case d == 0:
			d = def
		case d < 0:
			return "0"
		}
		return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
	}
	nb := opt.CacheBytes
	if nb == 0 {
		nb = DefaultCacheBytes
	}
	s := &Store{pool: pool, cache: newCache(n, nb), schema: schema,
		sql: statements{
			schemaIdent:  pgx.Identifier{schema}.Sanitize(),
			schemaTable:  table("billfold_schema"),
			streams:      table("billfold_streams"),
			transactions: table("billfold_transactions"),
			checkpoints:  table("billfold_checkpoints"),
		},
		begin:   "BEGIN ISOLATION LEVEL READ COMMITTED",
		lockMS:  ms(opt.LockTimeout, DefaultLockTimeout),
		idleMS:  ms(opt.IdleTimeout, DefaultIdleTimeout),
		retries: opt.Retries,
		every:   opt.CheckpointEvery,
	}
	if s.every == 0 {
		s.every = DefaultCheckpointEvery
	}
	if opt.Serializable {
		s.begin = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	}
	switch {
	case s.retries == 0:
		s.retries = DefaultRetries
	case s.retries < 0:
		s.retries = 0
	}
	return s
}

// Load returns the stream's journal (the zero Journal for an unknown
// stream). Its Len is the stream's version. The journal is a consistent
// snapshot: one query reads it, or what was added since a journal the
// Store kept.
//
// A stream with a checkpoint (see the package documentation) is read from
// its newest one and the rows after it ([ledger.Resume]): the journal
// answers everything about the present, and about older transactions once
// recalled ([Store.Recall]); its History and Transactions start at the
// checkpoint ([ledger.Journal.Base]). Other streams are read whole: every
// transaction stored, applied in position order to the zero Journal.
// [Store.LoadAll] always reads the whole stream.
//
// It fails with an error wrapping [ErrCorrupt] if the rows do not make a
// journal, with [ledger.ErrInvalid] for a stream id [ledger.ValidStream]
// refuses, and otherwise with an error of the classes of the package
// documentation ([ErrTransient], [ErrSetup], or ctx's error).
func (s *Store) Load(ctx context.Context, stream string) (ledger.Journal, error) {
	if err := ledger.ValidStream(stream); err != nil {
		return ledger.Journal{}, fmt.Errorf("pgstore: load: %w", err)
	}
	var k kept
	err := s.retry(ctx, func() (err error) {
		base, _ := s.cache.get(stream)
		k, err = s.read(ctx, s.pool, stream, base)
		return err
	})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = classify(ctx, err, stream, false, nil)
		}
		return ledger.Journal{}, fmt.Errorf("pgstore: load stream %q: %w", stream, err)
	}
	return k.j, nil
}

// LoadAll returns the stream's journal built from every transaction stored
// for it, applied in position order to the zero Journal, whatever
// checkpoints there are: what an export, an audit or a statement of the
// whole history reads. It costs time and memory in proportion to the
// stream's length, keeps nothing in memory, and fails as [Store.Load]
// does.
func (s *Store) LoadAll(ctx context.Context, stream string) (ledger.Journal, error) {
	if err := ledger.ValidStream(stream); err != nil {
		return ledger.Journal{}, fmt.Errorf("pgstore: load: %w", err)
	}
	var k kept
	err := s.retry(ctx, func() (err error) {
		k, err = extend(ctx, s.pool, &s.sql, stream, kept{})
		return err
	})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = classify(ctx, err, stream, false, nil)
		}
		return ledger.Journal{}, fmt.Errorf("pgstore: load stream %q: %w", stream, err)
	}
	return k.j, nil
}

// retry runs f until it succeeds, fails with anything but a
// serialization failure or deadlock, or has been retried s.retries times,
// pausing before each retry a random time that grows with the attempts
// (up to 1–64 ms), so that writers that collided spread out.
func (s *Store) retry(ctx context.Context, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || attempt >= s.retries || !retryable(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(time.Duration(1+rand.IntN(1<<min(attempt, 6))) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// read extends base with what the database holds for stream after it,
// reading the stream whole if the database no longer holds base, and
// keeps the result.
func (s *Store) read(ctx context.Context, q querier, stream string, base kept) (kept, error) {
	var k kept
	err := errStale
	if base.j.Len() > 0 {
		k, err = extend(ctx, q, &s.sql, stream, base)
	}
	if errors.Is(err, errStale) {
		s.cache.drop(stream, base)
		k, err = load(ctx, q, &s.sql, stream)
	}
	if err != nil {
		return kept{}, err
	}
	s.cache.put(stream, k)
	return k, nil
}

// Append adds txs, in order, to the stream if and only if its version is
// expected, and returns the new version; it implements [ledger.Store].
//
// In one database transaction holding the lock on the stream's row, it
// checks the version (an error wrapping [ledger.ErrVersion], a
// [*ledger.VersionError], if it is not expected) and applies txs with
// [ledger.Journal.Apply] to the stream's journal. If Apply rejects one,
// Append returns Apply's error as it is and stores nothing of the batch;
// a replay (an id the stream holds with equal content) is skipped, as
// [ledger.MemoryStore] does. The accepted transactions are then inserted
// at the next positions with their postings, and the version moved on,
// all or nothing.
//
// It returns the stream's version: after the append, or, with a version
// error or a rejected transaction, as it stands. With any other error it
// returns 0; the error's class ([ErrTransient], [ErrUnknownOutcome], …,
// see the package documentation) says whether the batch may have been
// stored.
func (s *Store) Append(ctx context.Context, stream string, expected int, txs []ledger.Transaction) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := ledger.ValidStream(stream); err != nil {
		return 0, fmt.Errorf("pgstore: append: %w", err)
	}
	if len(txs) == 0 || expected < 0 { // no lock needed to check the version
		var v int
		err := s.retry(ctx, func() error {
			return s.pool.QueryRow(ctx, `SELECT coalesce((SELECT version FROM `+s.sql.streams+` WHERE stream = $1), 0)`, stream).Scan(&v)
		})
		switch {
		case err != nil:
			return 0, fmt.Errorf("pgstore: append to stream %q: %w", stream, classify(ctx, err, stream, false, nil))
		case v != expected:
			return v, &ledger.VersionError{Stream: stream, Expected: expected, Actual: v}
		}
		return v, nil
	}
	j, _, err := s.write(ctx, stream, expected, func(ledger.Journal) ([]ledger.Transaction, error) { return txs, nil })
	var (
		dbErr *dbError
		ve    *ledger.VersionError
	)
	switch {
	case errors.As(err, &dbErr):
		return 0, err
	case errors.As(err, &ve):
		return ve.Actual, err
	case err != nil:
		return expected, err // rejected by Apply: the stream is at expected
	}
	return j.Len(), nil
}

// Update runs one read-modify-write of stream while holding the lock on
// its row: it loads the journal, asks build for the transactions to add
// given that journal, applies them to it with [ledger.Journal.Apply], and
// stores those that are not replays. It is [ledger.Update] without
// version conflicts: no other writer can append between the load and the
// store, so a check build makes (a balance, a floor) still holds when the
// transactions are stored. Under contention on one stream, writers wait
// their turn (at most [Options].LockTimeout) instead of redoing their
// work.
//
// build runs with the stream locked in the database: it must return
// within [Options].IdleTimeout, and must not call the Store (or another
// Store on the same database): writing to the same stream would wait for
// itself, and any call waits for a connection of a pool that may be
// exhausted by writers waiting like this one. It is called once, or not
// at all if the database fails first; more than once only if the
// database transaction fails with a serialization failure or deadlock,
// which stores nothing and is retried ([Options].Retries), and on a
// journal resumed from a checkpoint if build itself failed with a
// [ledger.CheckpointError] naming older transactions, or returned one
// whose id turns out to be stored before the checkpoint (a retry of an
// old write): the Store recalls them and calls build again.
//
// It returns the journal after the update and the [ledger.Result] of each
// transaction build returned. Errors from build and Apply are returned as
// they are, with the journal build saw, and nothing is stored. Other
// errors are returned with the zero Journal, in the classes of the
// package documentation; with [ErrUnknownOutcome], retry with the
// transactions build returned, not new ones (see the package example).
func (s *Store) Update(ctx context.Context, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	if err := ledger.ValidStream(stream); err != nil {
		return ledger.Journal{}, nil, fmt.Errorf("pgstore: update: %w", err)
	}
	return s.write(ctx, stream, -1, build)
}

// A dbError is a failure of the database, the connection or ctx during a
// write, classified: not a verdict on the transactions.
type dbError struct {
	stream string
	err    error
}

func (e *dbError) Error() string {
	var oe *OutcomeError
	if errors.As(e.err, &oe) {
		return e.err.Error() // names the stream
	}
	return fmt.Sprintf("pgstore: write to stream %q: %v", e.stream, e.err)
}
func (e *dbError) Unwrap() error { return e.err }

// A dbFailure is a raw failure of one attempt at a write, before it is
// classified.
type dbFailure struct {
	err        error
	committing bool     // the commit was being sent
	ids        []string // of the transactions being committed
}

func (e *dbFailure) Error() string { return e.err.Error() }
func (e *dbFailure) Unwrap() error { return e.err }

// write is Update and Append: it runs attempt, again after a
// serialization failure or deadlock (at most s.retries times), and
// classifies a failure of the database as a *dbError.
func (s *Store) write(ctx context.Context, stream string, expected int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	var (
		j       ledger.Journal
		results []ledger.Result
		verdict error
	)
	if _, ok := s.cache.get(stream); !ok && s.cache.enabled() {
		// Read the journal before taking the lock, so that the lock is
		// held only to read what was added since: on a long stream, the
		// cold read is what takes time. A failure here changes nothing;
		// the read under the lock reports it.
		s.read(ctx, s.pool, stream, kept{})
	}
	err := s.retry(ctx, func() error {
		var err error
		j, results, err = s.attempt(ctx, stream, expected, build)
		var f *dbFailure
		if err != nil && !errors.As(err, &f) {
			verdict, err = err, nil
		}
		return err
	})
	var f *dbFailure
	switch {
	case errors.As(err, &f):
		return ledger.Journal{}, nil, &dbError{stream, classify(ctx, f.err, stream, f.committing, f.ids)}
	case err != nil:
		return ledger.Journal{}, nil, &dbError{stream, err}
	case errors.Is(verdict, ErrCorrupt):
		return ledger.Journal{}, nil, &dbError{stream, verdict}
	case verdict != nil:
		return j, nil, verdict
	}
	return j, results, nil
}

// attempt runs one database transaction of a write: it locks the
// stream's row (creating the stream if it is new and expected is 0 or
// −1), checks that the stream is at version expected unless that is −1
// (failing with a *ledger.VersionError before reading the journal), gets
// the journal at the stream's version, applies what build returns, and
// inserts the transactions that are not replays. Failures of the database
// are *dbFailure.
//
// An accepted write costs two round trips to the database, three if the
// Store did not keep the journal at the stream's version: BEGIN goes with
// the lock, and COMMIT with the inserts. A refused one adds a ROLLBACK.
func (s *Store) attempt(ctx context.Context, stream string, expected int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	fail := func(err error) (ledger.Journal, []ledger.Result, error) {
		return ledger.Journal{}, nil, &dbFailure{err: err}
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fail(err)
	}
	// The pool closes a connection released inside a transaction (whose
	// ROLLBACK failed or was skipped), which ends the transaction.
	defer conn.Release()
	defer func() {
		if conn.Conn().PgConn().TxStatus() != 'I' {
			conn.Exec(ctx, "ROLLBACK")
		}
	}()
	version, last, err := s.lock(ctx, conn.Conn(), stream, expected <= 0)
	if err != nil {
		return fail(err)
	}
	if expected >= 0 && version != expected {
		return ledger.Journal{}, nil, &ledger.VersionError{Stream: stream, Expected: expected, Actual: version}
	}
	k, err := s.at(ctx, conn.Conn(), stream, version, last)
	if errors.Is(err, ErrCorrupt) {
		return ledger.Journal{}, nil, err
	}
	if err != nil {
		return fail(err)
	}
	j, _, next, results, fresh, err := applyRecalling(ctx, conn.Conn(), &s.sql, stream, k.j, build)
	if errors.Is(err, ErrCorrupt) {
		return ledger.Journal{}, nil, err
	}
	var dbErr dbQueryError
	if errors.As(err, &dbErr) {
		return fail(dbErr.err)
	}
	if err != nil {
		return j, nil, err
	}
	if len(fresh) == 0 {
		return next, results, nil // the deferred rollback drops a stream row just created
	}
	var b pgx.Batch
	size, err := insert(&b, &s.sql, stream, j.Len(), fresh)
	if err != nil {
		return ledger.Journal{}, nil, err
	}
	if err := queueCheckpoint(&b, &s.sql, stream, s.every, j, len(fresh)); err != nil {
		return ledger.Journal{}, nil, err
	}
	b.Queue("COMMIT")
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		ids := make([]string, len(fresh))
		for i, tx := range fresh {
			ids[i] = tx.ID
		}
		return ledger.Journal{}, nil, &dbFailure{err: err, committing: true, ids: ids}
	}
	s.cache.put(stream, kept{next, fresh[len(fresh)-1].ID, k.size + size})
	return next, results, nil
}

// beginLocked queues on b the start of a database transaction at the
// Store's isolation level with its timeouts.
func (s *Store) beginLocked(b *pgx.Batch) {
	b.Queue(s.begin)
	b.Queue(`SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`,
		s.lockMS, s.idleMS)
}

// lock begins a transaction on conn, locks the row of stream in it and
// returns the stream's version and the id of its last transaction. A
// stream without a row is at version 0; with create, lock inserts its
// row first.
func (s *Store) lock(ctx context.Context, conn *pgx.Conn, stream string, create bool) (version int, last string, err error) {
	sel := `SELECT version, last FROM ` + s.sql.streams + ` WHERE stream = $1 FOR UPDATE`
	found := false
	scan := func(row pgx.Row) error {
		err := row.Scan(&version, &last)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	}
	var b pgx.Batch
	s.beginLocked(&b)
	b.Queue(sel, stream).QueryRow(scan)
	if err := conn.SendBatch(ctx, &b).Close(); err != nil || found || !create {
		return version, last, err
	}
	b = pgx.Batch{}
	b.Queue(`INSERT INTO `+s.sql.streams+` (stream) VALUES ($1) ON CONFLICT DO NOTHING`, stream)
	b.Queue(sel, stream).QueryRow(scan)
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		return 0, "", err
	}
	if !found {
		return 0, "", fmt.Errorf("stream %q has no row after inserting it", stream)
	}
	return version, last, nil
}

// at returns the journal of stream at version, whose last transaction has
// the id last, read with q: the kept journal if it is that one, else the
// kept journal extended, or the stream read whole.
func (s *Store) at(ctx context.Context, q querier, stream string, version int, last string) (kept, error) {
	base, ok := s.cache.get(stream)
	if ok && base.j.Len() == version && base.last == last {
		return base, nil
	}
	if !ok || base.j.Len() > version {
		base = kept{}
	}
	k, err := s.read(ctx, q, stream, base)
	if err != nil {
		return kept{}, err
	}
	if k.j.Len() != version || k.last != last {
		return kept{}, fmt.Errorf("%w: stream %q is at version %d with last transaction %q, its rows make %d ending in %q",
			ErrCorrupt, stream, version, last, k.j.Len(), k.last)
	}
	return k, nil
}

// Resolve settles the outcome of a write: it reports whether stream holds
// a transaction with id, and returns it as stored. It takes the stream's
// lock (waiting at most [Options].LockTimeout) before reading, so a write
// still in progress on the stream, whose commit may be on its way, ends
// first: the answer cannot be overtaken by that commit. A write that
// failed with [ErrUnknownOutcome] is settled by resolving each of its
// [OutcomeError].IDs; compare what is stored with what was sent
// ([ledger.Transaction.Equal]) if the id may have been used before.
//
// Resolve stores nothing. It needs what a write needs (it may insert the
// stream's row, and always rolls back). It fails with [ledger.ErrInvalid]
// for a stream id [ledger.ValidStream] refuses, with [ErrCorrupt] if the
// stored body does not decode, and otherwise with the classes of the
// package documentation.
func (s *Store) Resolve(ctx context.Context, stream, id string) (ledger.Transaction, bool, error) {
	if err := ledger.ValidStream(stream); err != nil {
		return ledger.Transaction{}, false, fmt.Errorf("pgstore: resolve: %w", err)
	}
	var body []byte
	err := s.retry(ctx, func() error {
		body = nil
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		defer func() {
			if conn.Conn().PgConn().TxStatus() != 'I' {
				conn.Exec(ctx, "ROLLBACK")
			}
		}()
		var b pgx.Batch
		s.beginLocked(&b)
		// The insert waits for a writer that is creating the stream; the
		// lock, for one that holds it.
		b.Queue(`INSERT INTO `+s.sql.streams+` (stream) VALUES ($1) ON CONFLICT DO NOTHING`, stream)
		b.Queue(`SELECT FROM `+s.sql.streams+` WHERE stream = $1 FOR UPDATE`, stream)
		b.Queue(`SELECT body FROM `+s.sql.transactions+` WHERE stream = $1 AND id = $2`, stream, id).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&body); !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
		b.Queue("ROLLBACK")
		return conn.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return ledger.Transaction{}, false, fmt.Errorf("pgstore: resolve %q in stream %q: %w", id, stream, classify(ctx, err, stream, false, nil))
	}
	if body == nil {
		return ledger.Transaction{}, false, nil
	}
	var tx ledger.Transaction
	if err := json.Unmarshal(body, &tx); err != nil {
		return ledger.Transaction{}, false, fmt.Errorf("%w: stream %q, transaction %q: %v", ErrCorrupt, stream, id, err)
	}
	return tx, true, nil
}
