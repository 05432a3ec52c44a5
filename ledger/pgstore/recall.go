package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5"
)

var _ ledger.BatchRecaller = (*Store)(nil)

// RecallBatch returns, for each recall, its journal (one the Store
// loaded, of its stream) knowing the transactions before its checkpoint
// whose id or ref is among its IDs, as [Store.Recall] does for one, with
// one query for them all. It implements [ledger.BatchRecaller]: a bill run
// ([ledger.RunBills]) books the bills of streams resumed from a
// checkpoint in groups through it, one commit per group, as it books the
// others. A journal not resumed from a checkpoint, or with no IDs, is
// returned as it is.
//
// It fails with an error wrapping [ErrCorrupt] if the rows of a stream do
// not fit its journal, and otherwise with the classes of the package
// documentation; it returns no journal then.
func (s *Store) RecallBatch(ctx context.Context, recalls []ledger.StreamRecall) ([]ledger.Journal, error) {
	var out []ledger.Journal
	var errs []error
	err := s.retry(ctx, func() (err error) {
		out, errs, err = recallBatch(ctx, s.pool, &s.sql, recalls)
		return err
	})
	if err == nil {
		err = errors.Join(errs...)
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = classify(ctx, err, "", false, nil)
		}
		return nil, fmt.Errorf("pgstore: recall in %d streams: %w", len(recalls), err)
	}
	return out, nil
}

// recallBatch returns, for each of reqs, its journal knowing the
// transactions of its stream before its checkpoint whose id or ref is
// among its IDs ([ledger.Journal.Recall]), read with one query on the
// indexes (stream, id) and (stream, ref); errs[k] wraps [ErrCorrupt] if
// the rows of reqs[k] do not fit its journal (out[k] is then its journal
// unchanged). err is the query's.
func recallBatch(ctx context.Context, q querier, st *statements, reqs []ledger.StreamRecall) (out []ledger.Journal, errs []error, err error) {
	out, errs = make([]ledger.Journal, len(reqs)), make([]error, len(reqs))
	var (
		ks           []int32
		streams, ids []string
		bases        []int64
		asked        int
	)
	for k, r := range reqs {
		out[k] = r.Journal
		if r.Journal.Base() == 0 || len(r.IDs) == 0 {
			continue
		}
		asked++
		for _, id := range r.IDs {
			ks, streams, bases, ids = append(ks, int32(k)), append(streams, r.Stream), append(bases, int64(r.Journal.Base())), append(ids, id)
		}
	}
	if asked == 0 {
		return out, errs, nil
	}
	// One lateral lookup per (stream, id) by each index; a transaction
	// found twice (by its id and as another's ref, or an id asked twice)
	// comes in adjacent rows, the rows being ordered by request and
	// position.
	rows, err := q.Query(ctx, `SELECT r.k, t.position, t.body
		FROM unnest($1::integer[], $2::text[], $3::bigint[], $4::text[]) AS r (k, stream, base, id)
		CROSS JOIN LATERAL (
			SELECT position, body FROM `+st.transactions+` WHERE stream = r.stream AND id = r.id AND position < r.base
			UNION ALL
			SELECT position, body FROM `+st.transactions+` WHERE stream = r.stream AND ref = r.id AND position < r.base) AS t
		ORDER BY 1, 2`, ks, streams, bases, ids)
	if err != nil {
		return nil, nil, err
	}
	past := make([][]ledger.Past, len(reqs))
	var (
		k    int32
		pos  int64
		body []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&k, &pos, &body}, func() error {
		if k < 0 || int(k) >= len(reqs) {
			return fmt.Errorf("pgstore: recall returned request %d of %d", k, len(reqs))
		}
		p := past[k]
		if n := len(p); n > 0 && p[n-1].Seq == int(pos) {
			return nil // found again
		}
		if errs[k] != nil {
			return nil
		}
		var tx ledger.Transaction
		if err := json.Unmarshal(body, &tx); err != nil {
			errs[k] = corrupt(reqs[k].Stream, int(pos), err)
			return nil
		}
		past[k] = append(p, ledger.Past{Seq: int(pos), Transaction: tx})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for k, r := range reqs {
		if r.Journal.Base() == 0 || len(r.IDs) == 0 || errs[k] != nil {
			continue
		}
		next, err := r.Journal.Recall(r.IDs, past[k])
		if err != nil {
			errs[k] = fmt.Errorf("%w: stream %q: recalling %q: %v", ErrCorrupt, r.Stream, r.IDs, err)
			continue
		}
		out[k] = next
	}
	return out, errs, nil
}
