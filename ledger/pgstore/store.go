package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultCacheStreams is how many streams' journals a Store keeps in memory
// when [Options].CacheStreams is zero.
const DefaultCacheStreams = 1024

// Options are the choices of [New]. The zero Options keep the journals of
// up to [DefaultCacheStreams] streams in memory.
type Options struct {
	// CacheStreams is how many streams' journals, the most recently used,
	// the Store keeps in memory to extend on the next call instead of
	// reading them whole (see the package documentation). Zero means
	// DefaultCacheStreams; a negative number keeps none, so that every
	// call reads the stream's whole journal.
	CacheStreams int
}

// A Store is a [ledger.Store] in PostgreSQL: one journal per stream, in the
// tables [Store.Migrate] creates. It is safe for concurrent use, by any
// number of goroutines and processes sharing the database; see the package
// documentation for how writes are serialised.
//
// The zero Store has no database and must not be used: build one with
// [New].
type Store struct {
	pool  *pgxpool.Pool
	cache *cache
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
	return &Store{pool: pool, cache: newCache(n)}
}

// Load returns the stream's journal: every transaction stored for it, in
// position order, applied to the zero Journal (the zero Journal for an
// unknown stream). Its Len is the stream's version. The journal is a
// consistent snapshot: one query reads it, or what was added since a
// journal the Store kept.
//
// It fails with an error wrapping [ErrCorrupt] if the rows do not make a
// journal, and with the error of the database or ctx otherwise.
func (s *Store) Load(ctx context.Context, stream string) (ledger.Journal, error) {
	base, _ := s.cache.get(stream)
	k, err := s.read(ctx, s.pool, stream, base)
	if err != nil {
		return ledger.Journal{}, fmt.Errorf("pgstore: load stream %q: %w", stream, err)
	}
	return k.j, nil
}

// read extends base with what the database holds for stream after it,
// reading the stream whole if the database no longer holds base, and
// keeps the result.
func (s *Store) read(ctx context.Context, q querier, stream string, base kept) (kept, error) {
	k, err := extend(ctx, q, stream, base)
	if errors.Is(err, errStale) {
		s.cache.drop(stream, base)
		k, err = extend(ctx, q, stream, kept{})
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
// error or a rejected transaction, as it stands. With any other error
// (the database's or ctx's) it returns 0, and the batch is not
// stored unless the error came from the commit itself; see the package
// documentation.
func (s *Store) Append(ctx context.Context, stream string, expected int, txs []ledger.Transaction) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(txs) == 0 || expected < 0 { // no lock needed to check the version
		var v int
		err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT version FROM billfold_streams WHERE stream = $1), 0)`, stream).Scan(&v)
		switch {
		case err != nil:
			return 0, fmt.Errorf("pgstore: append to stream %q: %w", stream, err)
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
// stores those that are not replays. It is [ledger.Update] without retries:
// no other writer can append between the load and the store, so a check
// build makes (a balance, a floor) still holds when the transactions are
// stored, and a version conflict cannot happen. Under contention on one
// stream, writers wait their turn instead of redoing their work.
//
// build runs with the stream locked in the database: it should be quick
// and must not write to the same stream (through this or another Store),
// which would wait for itself. It is called once, or not at all if the
// database fails first.
//
// It returns the journal after the update and the [ledger.Result] of each
// transaction build returned. Errors from build and Apply are returned as
// they are, with the journal build saw, and nothing is stored. Errors of
// the database or ctx are wrapped and returned with the zero Journal; see
// the package documentation for what was stored then.
func (s *Store) Update(ctx context.Context, stream string, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	return s.write(ctx, stream, -1, build)
}

// A dbError is a failure of the database, the connection or ctx during a
// write: not a verdict on the transactions.
type dbError struct {
	stream string
	err    error
}

func (e *dbError) Error() string {
	return fmt.Sprintf("pgstore: write to stream %q: %v", e.stream, e.err)
}
func (e *dbError) Unwrap() error { return e.err }

// write is Update and Append: in a database transaction, it locks the
// stream's row (creating the stream if it is new and expected is 0 or
// −1), checks that the stream is at version expected unless that is −1
// (failing with a *ledger.VersionError before reading the journal), gets
// the journal at the stream's version, applies what build returns, and
// inserts the transactions that are not replays. Failures of the database
// are *dbError.
//
// An accepted write costs two round trips to the database, three if the
// Store did not keep the journal at the stream's version: BEGIN goes with
// the lock, and COMMIT with the inserts. A refused one adds a ROLLBACK.
func (s *Store) write(ctx context.Context, stream string, expected int, build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Result, error) {
	fail := func(err error) (ledger.Journal, []ledger.Result, error) {
		return ledger.Journal{}, nil, &dbError{stream, err}
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
	version, last, err := lock(ctx, conn.Conn(), stream, expected <= 0)
	if err != nil {
		return fail(err)
	}
	if expected >= 0 && version != expected {
		return ledger.Journal{}, nil, &ledger.VersionError{Stream: stream, Expected: expected, Actual: version}
	}
	k, err := s.at(ctx, conn.Conn(), stream, version, last)
	if err != nil {
		return fail(err)
	}
	j := k.j
	txs, err := build(j)
	if err != nil {
		return j, nil, err
	}
	next, results, fresh, err := j.ApplyAll(txs)
	if err != nil {
		return j, nil, err
	}
	if len(fresh) == 0 {
		return next, results, nil // the deferred rollback drops a stream row just created
	}
	var b pgx.Batch
	if err := insert(&b, stream, j.Len(), fresh); err != nil {
		return fail(err)
	}
	b.Queue("COMMIT")
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		return fail(err)
	}
	s.cache.put(stream, kept{next, fresh[len(fresh)-1].ID})
	return next, results, nil
}

// lock begins a READ COMMITTED transaction on conn, locks the row of
// stream in it and returns the stream's version and the id of its last
// transaction. A stream without a row is at version 0; with create, lock
// inserts its row first.
func lock(ctx context.Context, conn *pgx.Conn, stream string, create bool) (version int, last string, err error) {
	const sel = `SELECT version, last FROM billfold_streams WHERE stream = $1 FOR UPDATE`
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
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	b.Queue(sel, stream).QueryRow(scan)
	if err := conn.SendBatch(ctx, &b).Close(); err != nil || found || !create {
		return version, last, err
	}
	b = pgx.Batch{}
	b.Queue(`INSERT INTO billfold_streams (stream) VALUES ($1) ON CONFLICT DO NOTHING`, stream)
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
