package pgstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

var _ ledger.BatchStore = (*Store)(nil)

// LoadBatch returns the journals of streams, in their order, as [Store.Load]
// returns each; it implements [ledger.BatchStore]. One query reads what
// was added to the streams since the journals the Store keeps for them,
// and one reads the others cold, each from its newest checkpoint (see
// Checkpoints in the package documentation), so a long stream costs no
// more than a short one; the streams whose kept journal the database no
// longer holds are read cold too. Each journal is a consistent snapshot (not
// all of them together). A stream may appear more than once.
//
// It fails as Load does: with [ledger.ErrInvalid] for a stream id
// [ledger.ValidStream] refuses (before any I/O), with [ErrCorrupt] if the
// rows of a stream do not make a journal, and otherwise with the classes
// of the package documentation. It returns no journal with an error.
func (s *Store) LoadBatch(ctx context.Context, streams []string) ([]ledger.Journal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, stream := range streams {
		if err := ledger.ValidStream(stream); err != nil {
			return nil, fmt.Errorf("pgstore: load batch: %w", err)
		}
	}
	distinct := slices.Clone(streams)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	var got []tail
	err := s.retry(ctx, func() (err error) {
		got, err = s.readBatch(ctx, s.pool, distinct)
		return err
	})
	if err == nil {
		for _, t := range got {
			if t.err != nil {
				err = t.err
				break
			}
		}
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = classify(ctx, err, "", false, nil)
		}
		return nil, fmt.Errorf("pgstore: load %d streams: %w", len(distinct), err)
	}
	out := make([]ledger.Journal, len(streams))
	for i, stream := range streams {
		k, _ := slices.BinarySearch(distinct, stream)
		out[i] = got[k].j
	}
	return out, nil
}

// A tail is the journal of one stream read by readBatch, or err (wrapping
// [ErrCorrupt]) if its rows do not make one.
type tail struct {
	kept
	err error
}

// readBatch returns the journals of streams (distinct) in their order: the
// kept ones extended with what the database added since, the others read
// cold (from their newest checkpoint, as [Store.Load] reads them), with
// one query each (and one more if some kept journals are stale), and
// keeps them. A stream whose rows do not make a journal has its error in
// its tail; an error of the call is a failure of the database.
func (s *Store) readBatch(ctx context.Context, q querier, streams []string) ([]tail, error) {
	got := make([]tail, len(streams))
	var warm, cold []int
	for i, stream := range streams {
		if base, _ := s.cache.get(stream); base.j.Len() > 0 {
			got[i].kept = base
			warm = append(warm, i)
		} else {
			cold = append(cold, i)
		}
	}
	if len(warm) > 0 {
		names, bases := make([]string, len(warm)), make([]kept, len(warm))
		for n, i := range warm {
			names[n], bases[n] = streams[i], got[i].kept
		}
		ext, err := extendBatch(ctx, q, &s.sql, names, bases)
		if err != nil {
			return nil, err
		}
		for n, i := range warm {
			got[i] = ext[n]
			if errors.Is(ext[n].err, errStale) {
				s.cache.drop(streams[i], bases[n])
				cold = append(cold, i)
			}
		}
	}
	if len(cold) > 0 {
		names := make([]string, len(cold))
		for n, i := range cold {
			names[n] = streams[i]
		}
		whole, err := loadBatch(ctx, q, &s.sql, names)
		if err != nil {
			return nil, err
		}
		for n, i := range cold {
			got[i] = whole[n]
		}
	}
	for i, t := range got {
		if t.err == nil {
			s.cache.put(streams[i], t.kept)
		}
	}
	return got, nil
}

// extendBatch is extend for many streams in one query: it returns, for
// each stream, bases[i] followed by the transactions the database holds
// for it after bases[i], or errStale or an error wrapping [ErrCorrupt] in
// the tail. The row of a base's last transaction is read without its body,
// to check that the database still holds the base.
func extendBatch(ctx context.Context, q querier, st *statements, streams []string, bases []kept) ([]tail, error) {
	next := make([]int64, len(streams))
	out := make([]tail, len(streams))
	checking := make([]bool, len(streams))
	for i, b := range bases {
		next[i] = int64(b.j.Len())
		out[i].kept = b
		checking[i] = b.j.Len() > 0
	}
	// The lateral subquery (kept apart by its ORDER BY) makes the plan a
	// lookup of each stream by the primary key: as a join, a generic plan
	// that guesses 10 streams hashes them and scans the whole table.
	rows, err := q.Query(ctx, `SELECT q.i, t.position, t.id, CASE WHEN t.position < q.next THEN NULL ELSE t.body END
		FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS q (stream, next, i)
		CROSS JOIN LATERAL (SELECT position, id, body FROM `+st.transactions+`
			WHERE stream = q.stream AND position >= greatest(q.next - 1, 0) ORDER BY position) AS t
		ORDER BY q.i, t.position`, streams, next)
	if err != nil {
		return nil, err
	}
	err = eachStreamRow(rows, len(streams), func(i int, pos int64, id string, body []byte) {
		t, b := &out[i], bases[i]
		switch {
		case t.err != nil:
		case checking[i]:
			if pos != int64(b.j.Len()-1) || id != b.last {
				t.err = errStale
			}
			checking[i] = false
		case pos != int64(t.j.Len()):
			t.err = corrupt(streams[i], int(pos), fmt.Errorf("expected position %d", t.j.Len()))
		default:
			t.err = t.add(streams[i], int(pos), id, body)
		}
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if checking[i] && out[i].err == nil {
			out[i].err = errStale
		}
	}
	return out, nil
}

// add decodes the stored transaction at position pos of stream and
// applies it to t's journal ([decodeStored], [applyStored]).
func (t *tail) add(stream string, pos int, id string, body []byte) error {
	tx, err := decodeStored(stream, pos, id, body)
	if err != nil {
		return err
	}
	j, err := applyStored(t.j, stream, pos, tx)
	if err != nil {
		return err // errStale: read the stream again from its checkpoint
	}
	t.kept = kept{j, tx.ID, t.size + int64(len(body))}
	return nil
}

// AppendBatch makes each append of appends as [Store.Append] would, on its
// own, and stores those it accepts together in one database transaction;
// it implements [ledger.BatchStore].
//
// verdicts[i] is nil when appends[i] is stored (or has nothing to store:
// no transactions, or only replays), and otherwise the error Append would
// return for it, which leaves the others unharmed: an error wrapping
// [ledger.ErrInvalid] for a stream id [ledger.ValidStream] refuses or for
// a stream named by an earlier append of the batch; a [*ledger.VersionError]
// when the stream is not at the expected version; the error of
// [ledger.Journal.ApplyAll] for a transaction it rejects; an error wrapping
// [ErrCorrupt] when the stream's rows do not make a journal.
//
// The database transaction creates the rows of new streams (a refused
// append may leave its new stream's row, at version 0, when others are
// stored), locks the rows of all the batch's streams in one order (of the
// stream ids' bytes, so that batches and single writers sharing streams
// queue and never deadlock), checks each version, applies each append to
// its journal at that version (a journal resumed from a checkpoint first
// recalls, one query a round, what it needs to judge the append, as
// [Store.Update] does), inserts all accepted transactions with one
// statement, moves their streams' versions with another, stores the
// checkpoints that fall due (see Checkpoints in the package
// documentation), and commits: two round trips when the Store keeps the
// journals at the versions found (a bill run reads them first with
// [Store.LoadBatch]), three otherwise, the journals it lacks being read
// with one query under the locks, and one more for each recall.
//
// err is a failure of the database, the connection or ctx, in the classes
// of the package documentation, and then verdicts is nil: with
// [ErrTransient] or ctx's error nothing was stored; with
// [ErrUnknownOutcome] (the error joins one [*OutcomeError] per accepted
// stream, naming its transactions) all of the accepted appends were
// stored, or none: reload their streams ([Store.LoadBatch]) to see which,
// or ask [Store.Resolve].
func (s *Store) AppendBatch(ctx context.Context, appends []ledger.StreamAppend) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	verdicts := make([]error, len(appends))
	seen := make(map[string]int, len(appends))
	var live []int // the appends to take to the database
	for i, a := range appends {
		if err := ledger.ValidStream(a.Stream); err != nil {
			verdicts[i] = fmt.Errorf("pgstore: append: %w", err)
			continue
		}
		if first, dup := seen[a.Stream]; dup {
			verdicts[i] = fmt.Errorf("pgstore: append batch: %w: stream %q appended to twice in one batch (appends %d and %d)",
				ledger.ErrInvalid, a.Stream, first, i)
			continue
		}
		seen[a.Stream] = i
		live = append(live, i)
	}
	if len(live) == 0 {
		return verdicts, nil
	}
	// Locks are taken, rows created and read in the order of the stream
	// ids' bytes (COLLATE "C" in SQL).
	slices.SortFunc(live, func(a, b int) int { return cmp.Compare(appends[a].Stream, appends[b].Stream) })
	if s.cache.enabled() {
		// Read the journals not kept before taking the locks, so that the
		// locks are held only to read what was added since. A failure
		// here changes nothing; the read under the locks reports it.
		var cold []string
		for _, i := range live {
			if _, ok := s.cache.get(appends[i].Stream); !ok && len(appends[i].Txs) > 0 {
				cold = append(cold, appends[i].Stream)
			}
		}
		if len(cold) > 0 {
			s.readBatch(ctx, s.pool, cold)
		}
	}
	var got []error
	err := s.retry(ctx, func() (err error) {
		got, err = s.attemptBatch(ctx, appends, live)
		return err
	})
	var f *batchFailure
	if errors.As(err, &f) {
		err = f.classify(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: append batch of %d streams: %w", len(live), err)
	}
	for n, i := range live {
		verdicts[i] = got[n]
	}
	return verdicts, nil
}

// A batchFailure is a raw failure of one attempt at an AppendBatch, before
// it is classified: streams and ids name the transactions being committed.
type batchFailure struct {
	err        error
	committing bool
	streams    []string
	ids        [][]string
}

func (e *batchFailure) Error() string { return e.err.Error() }
func (e *batchFailure) Unwrap() error { return e.err }

// classify returns the failure in the class a host can act on: when the
// commit's outcome is unknown, one [*OutcomeError] per stream, joined.
func (e *batchFailure) classify(ctx context.Context) error {
	if !e.committing {
		return classify(ctx, e.err, "", false, nil)
	}
	err := classify(ctx, e.err, e.streams[0], true, e.ids[0])
	var oe *OutcomeError
	if !errors.As(err, &oe) {
		return err
	}
	errs := make([]error, len(e.streams))
	for i, stream := range e.streams {
		errs[i] = &OutcomeError{Stream: stream, IDs: e.ids[i], Err: e.err}
	}
	return errors.Join(errs...)
}

// A locked stream is the state of a stream's row under its lock.
type locked struct {
	version int
	last    string
}

// attemptBatch runs one database transaction of AppendBatch over the
// appends live (indexes into appends, distinct valid streams sorted by
// id) and returns their verdicts, in the order of live. Failures of the
// database are *batchFailure.
func (s *Store) attemptBatch(ctx context.Context, appends []ledger.StreamAppend, live []int) ([]error, error) {
	fail := func(err error) ([]error, error) { return nil, &batchFailure{err: err} }
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fail(err)
	}
	// As in attempt: a connection released inside a transaction is closed.
	defer conn.Release()
	defer func() {
		if conn.Conn().PgConn().TxStatus() != 'I' {
			conn.Exec(ctx, "ROLLBACK")
		}
	}()

	names := make([]string, len(live))
	var create []string
	for n, i := range live {
		names[n] = appends[i].Stream
		if appends[i].Expected == 0 && len(appends[i].Txs) > 0 {
			create = append(create, appends[i].Stream)
		}
	}
	// Rows are created first, then all are locked, each in the order of
	// the ids: a writer waits at an insert or a lock only for a batch
	// that is past that id, and holds nothing that batch wants.
	state := make(map[string]locked, len(live))
	var b pgx.Batch
	s.beginLocked(&b)
	if len(create) > 0 {
		b.Queue(`INSERT INTO `+s.sql.streams+` (stream) SELECT s FROM unnest($1::text[]) AS s ORDER BY s COLLATE "C"
			ON CONFLICT DO NOTHING`, create)
	}
	b.Queue(`SELECT stream, version, last FROM `+s.sql.streams+` WHERE stream = ANY($1::text[])
		ORDER BY stream COLLATE "C" FOR UPDATE`, names).Query(func(rows pgx.Rows) error {
		var (
			stream string
			l      locked
		)
		_, err := pgx.ForEachRow(rows, []any{&stream, &l.version, &l.last}, func() error { state[stream] = l; return nil })
		return err
	})
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		return fail(err)
	}

	// The journals at the versions found: kept, or read with one query.
	verdicts := make([]error, len(live))
	journals := make([]kept, len(live))
	var read []int
	for n, i := range live {
		a, l := appends[i], state[names[n]]
		if a.Expected != l.version {
			verdicts[n] = &ledger.VersionError{Stream: a.Stream, Expected: a.Expected, Actual: l.version}
			continue
		}
		if len(a.Txs) == 0 {
			continue
		}
		if k, ok := s.cache.get(a.Stream); ok && k.j.Len() == l.version && k.last == l.last {
			journals[n] = k
			continue
		}
		read = append(read, n)
	}
	if len(read) > 0 {
		streams := make([]string, len(read))
		for r, n := range read {
			streams[r] = names[n]
		}
		got, err := s.readBatch(ctx, conn.Conn(), streams)
		if err != nil {
			return fail(err)
		}
		for r, n := range read {
			k, l := got[r], state[names[n]]
			if k.err == nil && (k.j.Len() != l.version || k.last != l.last) {
				k.err = fmt.Errorf("%w: stream %q is at version %d with last transaction %q, its rows make %d ending in %q",
					ErrCorrupt, names[n], l.version, l.last, k.j.Len(), k.last)
			}
			journals[n], verdicts[n] = k.kept, k.err
		}
	}

	// What the journals resumed from a checkpoint need to judge their
	// appends (the appends' ids, above all), recalled for them all with
	// one query; applyRecalling recalls what a journal still lacks after.
	var (
		recalls []ledger.StreamRecall
		at      []int // into live
	)
	for n, i := range live {
		a := appends[i]
		if verdicts[n] != nil || len(a.Txs) == 0 {
			continue
		}
		if need := journals[n].j.Missing(a.Txs); len(need) > 0 {
			recalls = append(recalls, ledger.StreamRecall{Stream: a.Stream, Journal: journals[n].j, IDs: need})
			at = append(at, n)
		}
	}
	if len(recalls) > 0 {
		got, errs, err := recallBatch(ctx, conn.Conn(), &s.sql, recalls)
		if err != nil {
			return fail(err)
		}
		for k, n := range at {
			journals[n].j, verdicts[n] = got[k], errs[k]
		}
	}

	// Apply, and insert what was accepted.
	var (
		accepted []int // into live
		groups   []group
		nexts    []ledger.Journal
	)
	for n, i := range live {
		a := appends[i]
		if verdicts[n] != nil || len(a.Txs) == 0 {
			continue
		}
		// A journal resumed from a checkpoint recalls, one query a round,
		// what it needs to judge the append (its ids, reversed originals,
		// holds); a journal read whole needs nothing.
		j, _, next, _, fresh, err := applyRecalling(ctx, conn.Conn(), &s.sql, a.Stream, journals[n].j,
			func(ledger.Journal) ([]ledger.Transaction, error) { return a.Txs, nil })
		var dbErr dbQueryError
		if errors.As(err, &dbErr) {
			return fail(dbErr.err)
		}
		if err != nil {
			verdicts[n] = err
			continue
		}
		if len(fresh) == 0 {
			continue
		}
		accepted = append(accepted, n)
		groups = append(groups, group{stream: a.Stream, from: j.Len(), txs: fresh, before: j})
		nexts = append(nexts, next)
	}
	if len(groups) == 0 {
		return verdicts, nil // the deferred rollback drops the rows just created
	}
	b = pgx.Batch{}
	sizes, err := insertGroups(&b, &s.sql, groups)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := queueCheckpoint(&b, &s.sql, g.stream, s.every, g.before, len(g.txs)); err != nil {
			return nil, err
		}
	}
	b.Queue("COMMIT")
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		f := &batchFailure{err: err, committing: true}
		for _, g := range groups {
			ids := make([]string, len(g.txs))
			for k, tx := range g.txs {
				ids[k] = tx.ID
			}
			f.streams, f.ids = append(f.streams, g.stream), append(f.ids, ids)
		}
		return nil, f
	}
	for k, g := range groups {
		n := accepted[k]
		s.cache.put(g.stream, kept{nexts[k], g.txs[len(g.txs)-1].ID, journals[n].size + sizes[k]})
	}
	return verdicts, nil
}

// A group is the transactions to store on one stream, at positions from,
// from+1, ….
type group struct {
	stream string
	from   int
	txs    []ledger.Transaction
	before ledger.Journal // the journal at version from, whose checkpoint is due when txs cross a multiple of the interval
}

// insertGroups queues on b the statements that store each group's
// transactions and move its stream from version from to
// from+len(txs): one insert of every transaction row, one update of every
// stream row. It returns the length of each group's bodies.
func insertGroups(b *pgx.Batch, st *statements, groups []group) ([]int64, error) {
	n := 0
	for _, g := range groups {
		n += len(g.txs)
	}
	var (
		streams         = make([]string, 0, n)
		pos             = make([]int64, 0, n)
		ids, kinds      = make([]string, 0, n), make([]string, 0, n)
		times           = make([]time.Time, 0, n)
		bills, refs     = make([]string, 0, n), make([]string, 0, n)
		bodies          = make([]string, 0, n)
		sizes           = make([]int64, len(groups))
		gStreams, lasts = make([]string, len(groups)), make([]string, len(groups))
		versions, prior = make([]int64, len(groups)), make([]int64, len(groups))
	)
	for k, g := range groups {
		for i, tx := range g.txs {
			body, err := tx.MarshalJSON() // compact already: json.Marshal would copy and check it again
			if err != nil {
				return nil, fmt.Errorf("pgstore: encoding transaction %q: %w", tx.ID, err)
			}
			sizes[k] += int64(len(body))
			streams, pos = append(streams, g.stream), append(pos, int64(g.from+i))
			ids, kinds, times = append(ids, tx.ID), append(kinds, string(tx.Kind)), append(times, tx.Time)
			bills, refs, bodies = append(bills, tx.Bill), append(refs, tx.Ref), append(bodies, string(body))
		}
		gStreams[k], lasts[k] = g.stream, g.txs[len(g.txs)-1].ID
		versions[k], prior[k] = int64(g.from+len(g.txs)), int64(g.from)
	}
	b.Queue(`INSERT INTO `+st.transactions+` (stream, position, id, kind, time, bill, ref, body)
		SELECT t.stream, t.position, t.id, t.kind, t.time, nullif(t.bill, ''), nullif(t.ref, ''), t.body::json
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])
			AS t (stream, position, id, kind, time, bill, ref, body)`,
		streams, pos, ids, kinds, times, bills, refs, bodies)
	b.Queue(`UPDATE `+st.streams+` AS s SET version = u.version, last = u.last
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS u (stream, version, last, prior)
		WHERE s.stream = u.stream AND s.version = u.prior`,
		gStreams, versions, lasts, prior).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() != int64(len(groups)) {
			return fmt.Errorf("pgstore: %d of %d streams left their version while locked", int64(len(groups))-tag.RowsAffected(), len(groups))
		}
		return nil
	})
	return sizes, nil
}

// eachStreamRow calls f with each row (stream index from 1, position, id,
// body) of a query over n streams, the stream index made 0-based, and
// closes rows. The body is the driver's, valid until f returns: f keeps
// nothing of it. It fails on a row of no stream, or a failure of the
// database.
func eachStreamRow(rows pgx.Rows, n int, f func(i int, pos int64, id string, body []byte)) error {
	defer rows.Close()
	var (
		i, pos int64
		id     string
		body   pgtype.DriverBytes
	)
	for rows.Next() {
		if err := rows.Scan(&i, &pos, &id, &body); err != nil {
			return err
		}
		if i < 1 || int(i) > n {
			return fmt.Errorf("pgstore: row of stream %d of %d", i, n)
		}
		f(int(i-1), pos, id, body)
	}
	return rows.Err()
}
