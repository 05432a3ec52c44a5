package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5"
)

// DefaultCheckpointEvery is how many transactions of a stream lie between
// two of its checkpoints when [Options].CheckpointEvery is zero: a cold
// read decodes and applies at most that many rows after the newest
// checkpoint. A month-end run reads every customer's stream cold; over
// streams of 5 to 37 transactions, 16 books 4,400 bills/s where 64 booked
// 2,850 (every row after the checkpoint is applied again), while the run
// over kept journals, which pays for the checkpoints written, was no
// slower (BenchmarkBillRun, 10,000 customers, 16 and 33 months).
const DefaultCheckpointEvery = 16

// maxRecalls bounds the rounds of recalling older transactions one write
// makes: each round names what the journal still lacks, and a booking
// needs at most its ids, its reversals' originals and its holds.
const maxRecalls = 8

// load reads stream cold, in one query: its newest checkpoint and the
// rows after it, resumed ([ledger.Resume]), or, for a stream without a
// checkpoint, every row applied in order. It fails with an error wrapping
// [ErrCorrupt] if the rows do not make a journal.
func load(ctx context.Context, q querier, st *statements, stream string) (kept, error) {
	rows, err := q.Query(ctx, `WITH c AS (
			SELECT position, body FROM `+st.checkpoints+` WHERE stream = $1 ORDER BY position DESC LIMIT 1)
		SELECT -1, '', body FROM c
		UNION ALL
		SELECT position, id, body FROM `+st.transactions+`
		WHERE stream = $1 AND position >= coalesce((SELECT position - 1 FROM c), 0)
		ORDER BY 1`, stream)
	if err != nil {
		return kept{}, err
	}
	defer rows.Close()
	var (
		pos  int64
		id   string
		body []byte
		l    = loader{stream: stream}
	)
	for rows.Next() {
		if err := rows.Scan(&pos, &id, &body); err != nil {
			return kept{}, err
		}
		if err := l.row(pos, id, body); err != nil {
			return kept{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return kept{}, err
	}
	return l.done()
}

// loadBatch is load for many streams (distinct) in one query: the
// journal of each, or in its tail the error wrapping [ErrCorrupt] that
// its rows do not make one. An error of the call is a failure of the
// database.
func loadBatch(ctx context.Context, q querier, st *statements, streams []string) ([]tail, error) {
	// Lateral lookups by primary key, as in extendBatch: one index probe
	// for each stream's newest checkpoint, one range for its rows.
	rows, err := q.Query(ctx, `SELECT q.i, -1::bigint, ''::text, c.body
		FROM unnest($1::text[]) WITH ORDINALITY AS q (stream, i)
		CROSS JOIN LATERAL (SELECT body FROM `+st.checkpoints+`
			WHERE stream = q.stream ORDER BY position DESC LIMIT 1) AS c
		UNION ALL
		SELECT q.i, t.position, t.id, t.body
		FROM unnest($1::text[]) WITH ORDINALITY AS q (stream, i)
		CROSS JOIN LATERAL (SELECT position, id, body FROM `+st.transactions+`
			WHERE stream = q.stream AND position >= coalesce((SELECT position - 1 FROM `+st.checkpoints+`
				WHERE stream = q.stream ORDER BY position DESC LIMIT 1), 0)
			ORDER BY position) AS t
		ORDER BY 1, 2`, streams)
	if err != nil {
		return nil, err
	}
	ls := make([]loader, len(streams))
	errs := make([]error, len(streams))
	for i, stream := range streams {
		ls[i].stream = stream
	}
	err = eachStreamRow(rows, len(streams), func(i int, pos int64, id string, body []byte) {
		if errs[i] == nil {
			errs[i] = ls[i].row(pos, id, body) // keeps nothing of body
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]tail, len(streams))
	for i := range ls {
		if out[i].err = errs[i]; out[i].err == nil {
			out[i].kept, out[i].err = ls[i].done()
		}
	}
	return out, nil
}

// A loader builds the journal of a stream read cold from its rows, in
// position order: its newest checkpoint first (position −1), if it has
// one, then the rows from the checkpoint's last transaction on.
type loader struct {
	stream  string
	cp      ledger.Checkpoint
	resumed bool
	tail    []ledger.Transaction
	k       kept
}

// row takes the next row.
func (l *loader) row(pos int64, id string, body []byte) error {
	l.k.size += int64(len(body))
	switch {
	case pos == -1:
		if err := json.Unmarshal(body, &l.cp); err != nil {
			return fmt.Errorf("%w: stream %q: checkpoint: %v", ErrCorrupt, l.stream, err)
		}
		l.resumed = true
		return nil
	case l.resumed && pos == int64(l.cp.Len()-1):
		l.k.last = id // the transaction the checkpoint ends with
		return nil
	}
	want := l.k.j.Len()
	if l.resumed {
		want = l.cp.Len() + len(l.tail)
	}
	if pos != int64(want) {
		return corrupt(l.stream, int(pos), fmt.Errorf("expected position %d", want))
	}
	tx, err := decodeStored(l.stream, int(pos), id, body)
	if err != nil {
		return err
	}
	l.k.last = id
	if l.resumed {
		l.tail = append(l.tail, tx)
		return nil
	}
	l.k.j, err = applyStored(l.k.j, l.stream, int(pos), tx) // a journal read whole: Apply judges every row
	return err
}

// done returns the journal of the rows taken.
func (l *loader) done() (kept, error) {
	if !l.resumed {
		return l.k, nil
	}
	if l.k.last == "" {
		return kept{}, fmt.Errorf("%w: stream %q: no transaction at the checkpoint's position %d", ErrCorrupt, l.stream, l.cp.Len()-1)
	}
	j, err := ledger.Resume(l.cp, l.tail)
	if err != nil {
		return kept{}, corrupt(l.stream, l.cp.Len(), err)
	}
	l.k.j = j
	return l.k, nil
}

// recall returns j knowing the transactions of stream before its
// checkpoint whose id or ref is among ids ([ledger.Journal.Recall]): the
// one request of a [recallBatch].
func recall(ctx context.Context, q querier, st *statements, stream string, j ledger.Journal, ids []string) (ledger.Journal, error) {
	out, errs, err := recallBatch(ctx, q, st, []ledger.StreamRecall{{Stream: stream, Journal: j, IDs: ids}})
	if err != nil {
		return j, err
	}
	return out[0], errs[0] // out[0] is j when errs[0] is not nil
}

// needs returns what err asks to recall: the ids of a
// [*ledger.CheckpointError] that names some.
func needs(err error) []string {
	var ce *ledger.CheckpointError
	if errors.As(err, &ce) {
		return ce.Need
	}
	return nil
}

// Recall returns j, a journal of stream the Store loaded, knowing the
// transactions before its checkpoint whose id or ref is among ids, so that
// it answers for them ([ledger.Journal.Knows]): what to call after a
// [ledger.CheckpointError] names them, or before asking a loaded journal
// about an old transaction ([ledger.Journal.Reversible],
// [ledger.Journal.HoldStatus]). [Store.Update] recalls on its own. On a
// journal that was not resumed from a checkpoint it returns j.
//
// It fails with an error wrapping [ErrCorrupt] if the rows do not fit j,
// and otherwise with the classes of the package documentation.
func (s *Store) Recall(ctx context.Context, stream string, j ledger.Journal, ids ...string) (ledger.Journal, error) {
	if j.Base() == 0 || len(ids) == 0 {
		return j, nil
	}
	var next ledger.Journal
	err := s.retry(ctx, func() (err error) {
		next, err = recall(ctx, s.pool, &s.sql, stream, j, ids)
		return err
	})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = classify(ctx, err, stream, false, nil)
		}
		return j, fmt.Errorf("pgstore: recall in stream %q: %w", stream, err)
	}
	return next, nil
}

// queueCheckpoint queues on b the insert of the checkpoint of j, the
// stream's journal before a write of n transactions, if the write crosses
// a multiple of every. The checkpoint is j's, not the journal after the
// write: the transactions of a stream's last write are always read after
// its newest checkpoint, so that a retry of that write (a bill run
// restarted) finds them and can tell a replay from a conflict.
func queueCheckpoint(b *pgx.Batch, st *statements, stream string, every int, j ledger.Journal, n int) error {
	from := j.Len()
	if every <= 0 || from == 0 || from/every == (from+n)/every {
		return nil
	}
	body, err := json.Marshal(j.Checkpoint())
	if err != nil {
		return fmt.Errorf("pgstore: encoding the checkpoint of stream %q: %w", stream, err)
	}
	b.Queue(`INSERT INTO `+st.checkpoints+` (stream, position, body) VALUES ($1, $2, $3::json) ON CONFLICT DO NOTHING`,
		stream, from, string(body))
	return nil
}

// applyRecalling runs build on j, the stream's journal under its lock, and
// applies what it returns ([ledger.Journal.ApplyAll]), recalling with q
// what a journal resumed from a checkpoint needs. It returns the journal
// it applied to, what build returned, and ApplyAll's results. A failure
// of the database is a dbQueryError, stored rows that do not fit wrap
// [ErrCorrupt]; any other error is build's or Apply's verdict. It is
// what a write does between reading the journal and inserting fresh
// (with [queueCheckpoint]).
func applyRecalling(ctx context.Context, q querier, st *statements, stream string, j ledger.Journal,
	build func(ledger.Journal) ([]ledger.Transaction, error)) (ledger.Journal, []ledger.Transaction, ledger.Journal, []ledger.Result, []ledger.Transaction, error) {
	var (
		txs, fresh []ledger.Transaction
		next       ledger.Journal
		results    []ledger.Result
		err        error
	)
	// A journal resumed from a checkpoint needs older transactions to
	// check what build returns (ledger.Journal.Missing: their ids, the
	// originals of reverses, holds), or to build (a CheckpointError from
	// build): recall them, in one query per round. build runs again only
	// if it asked, or if it built a transaction whose id turns out to be
	// stored before the checkpoint (built as new, it is built again on the
	// journal it was first built on, or refused: a retry of an old write).
	for round, rebuild := 0, true; ; round++ {
		var need []string
		if rebuild {
			txs, err = build(j)
			need, rebuild = needs(err), len(needs(err)) > 0
		}
		if err == nil {
			if need = j.Missing(txs); len(need) == 0 {
				next, results, fresh, err = j.ApplyAll(txs)
				need = needs(err)
			}
		}
		if len(need) == 0 || round == maxRecalls {
			break
		}
		if j, err = recall(ctx, q, st, stream, j, need); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				err = dbQueryError{err}
			}
			return j, nil, ledger.Journal{}, nil, nil, err
		}
		for _, tx := range txs {
			if _, ok := j.Transaction(tx.ID); ok && slices.Contains(need, tx.ID) {
				rebuild = true // stored before the checkpoint
			}
		}
	}
	return j, txs, next, results, fresh, err
}

// A dbQueryError is a failure of the database while recalling.
type dbQueryError struct{ err error }

func (e dbQueryError) Error() string { return e.err.Error() }
func (e dbQueryError) Unwrap() error { return e.err }
