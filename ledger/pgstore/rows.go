package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what reading needs of a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// errStale reports that a kept journal cannot be extended: the database
// no longer holds it, or, resumed from a checkpoint, it cannot take a row
// stored after it without older transactions. Either way the stream is
// read again cold.
var errStale = errors.New("pgstore: kept journal is stale")

// extend returns base followed by the transactions the database holds for
// stream after it, applied in order. It fails with errStale if the
// database does not hold base (its last transaction is not where base
// says) or base cannot take a row ([applyStored]), and with an error
// wrapping [ErrCorrupt] if a stored transaction does not decode, is out of
// place or is rejected by Apply.
func extend(ctx context.Context, q querier, st *statements, stream string, base kept) (kept, error) {
	from := max(base.j.Len()-1, 0)
	rows, err := q.Query(ctx,
		`SELECT position, id, body FROM `+st.transactions+` WHERE stream = $1 AND position >= $2 ORDER BY position`,
		stream, from)
	if err != nil {
		return kept{}, err
	}
	defer rows.Close()
	k, check := base, base.j.Len() > 0
	var (
		pos  int64
		id   string
		body []byte
	)
	for rows.Next() {
		if err := rows.Scan(&pos, &id, &body); err != nil {
			return kept{}, err
		}
		if check {
			if pos != int64(from) || id != base.last {
				return kept{}, errStale
			}
			check = false
			continue
		}
		if pos != int64(k.j.Len()) {
			return kept{}, corrupt(stream, int(pos), fmt.Errorf("expected position %d", k.j.Len()))
		}
		tx, err := decodeStored(stream, int(pos), id, body)
		if err != nil {
			return kept{}, err
		}
		j, err := applyStored(k.j, stream, int(pos), tx)
		if err != nil {
			return kept{}, err
		}
		k = kept{j, tx.ID, k.size + int64(len(body))}
	}
	if err := rows.Err(); err != nil {
		return kept{}, err
	}
	if check {
		return kept{}, errStale
	}
	return k, nil
}

// decodeStored decodes body, the stored transaction at position pos of
// stream whose row has the given id, failing with an error wrapping
// [ErrCorrupt] if it does not decode or has another id. UnmarshalJSON
// checks the JSON itself, and reads the Store's own form fast: through
// json.Unmarshal, which checks it first, a cold read took a sixth longer.
func decodeStored(stream string, pos int, id string, body []byte) (ledger.Transaction, error) {
	var tx ledger.Transaction
	if err := tx.UnmarshalJSON(body); err != nil {
		return ledger.Transaction{}, corrupt(stream, pos, err)
	}
	if tx.ID != id {
		return ledger.Transaction{}, corrupt(stream, pos, fmt.Errorf("body has id %q, the row %q", tx.ID, id))
	}
	return tx, nil
}

// applyStored applies tx, stored at position pos of stream, to j, the
// journal of the rows before it. On a journal resumed from a checkpoint,
// tx's id is known to be new (ids are unique in a stream, and the rows
// before tx are all known); if tx still needs older transactions (a
// reversal of one before the checkpoint), applyStored fails with
// errStale, so that the caller reads the stream again from its newest
// checkpoint, which takes stored rows as they are ([ledger.Resume]). Any
// other failure wraps [ErrCorrupt].
func applyStored(j ledger.Journal, stream string, pos int, tx ledger.Transaction) (ledger.Journal, error) {
	if j.Base() > 0 {
		var err error
		if j, err = j.Recall([]string{tx.ID}, nil); err != nil {
			return ledger.Journal{}, corrupt(stream, pos, err)
		}
	}
	next, r, err := j.Apply(tx)
	switch {
	case errors.Is(err, ledger.ErrBeforeCheckpoint):
		return ledger.Journal{}, errStale
	case err == nil && r.Replayed:
		err = fmt.Errorf("a replay of position %d", r.Seq)
	}
	if err != nil {
		return ledger.Journal{}, corrupt(stream, pos, err)
	}
	return next, nil
}

// corrupt returns the error for a stored transaction that cannot be read
// back. It wraps [ErrCorrupt] and says why, without wrapping the cause (an
// [ledger.ErrInvalid] here is not the caller's transaction's fault).
func corrupt(stream string, pos int, cause error) error {
	return fmt.Errorf("%w: stream %q, position %d: %v", ErrCorrupt, stream, pos, cause)
}

// insert queues on b the statements that store txs at positions from,
// from+1, … of stream, and move the stream from version from to
// from+len(txs). It returns the length of the transactions' bodies.
func insert(b *pgx.Batch, st *statements, stream string, from int, txs []ledger.Transaction) (int64, error) {
	n := len(txs)
	var (
		pos         = make([]int64, n)
		ids, kinds  = make([]string, n), make([]string, n)
		times       = make([]time.Time, n)
		bills, refs = make([]string, n), make([]string, n)
		bodies      = make([]string, n)
	)
	var size int64
	for i, tx := range txs {
		body, err := json.Marshal(tx)
		if err != nil {
			return 0, fmt.Errorf("pgstore: encoding transaction %q: %w", tx.ID, err)
		}
		size += int64(len(body))
		pos[i], ids[i], kinds[i], times[i] = int64(from+i), tx.ID, string(tx.Kind), tx.Time
		bills[i], refs[i], bodies[i] = tx.Bill, tx.Ref, string(body)
	}
	b.Queue(`INSERT INTO `+st.transactions+` (stream, position, id, kind, time, bill, ref, body)
		SELECT $1, t.position, t.id, t.kind, t.time, nullif(t.bill, ''), nullif(t.ref, ''), t.body::json
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])
			AS t (position, id, kind, time, bill, ref, body)`,
		stream, pos, ids, kinds, times, bills, refs, bodies)
	b.Queue(`UPDATE `+st.streams+` SET version = $2, last = $3 WHERE stream = $1 AND version = $4`,
		stream, from+n, txs[n-1].ID, from).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("pgstore: stream %q left version %d while locked", stream, from)
		}
		return nil
	})
	return size, nil
}
