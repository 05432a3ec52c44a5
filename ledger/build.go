package ledger

import "errors"

// build runs make on j to build the transaction id, unless j already holds
// a transaction with that id. Then it runs make on the journal as it was
// just before that transaction: if make builds the stored transaction
// again, the request is a retry and build returns the stored transaction
// (which Apply reports as a replay); otherwise it is a new request reusing
// the id, and build fails with an error wrapping [ErrConflict].
//
// This makes the helpers that read the journal (Reverse, Expire, TopUp,
// Transfer) as idempotent as the transactions they build, although a retry
// sees a journal the first attempt already changed.
//
// A resumed journal ([Resume]) that does not know whether it holds id
// builds it as new: Apply then asks for id to be recalled
// ([CheckpointError]). One that holds id before its checkpoint fails with
// a [*CheckpointError] naming nothing to recall.
func build(j Journal, id string, make func(Journal) (Transaction, error)) (Transaction, error) {
	if j.l != nil {
		j.l.mu.RLock()
		seq, ok := j.l.seq(id, j.n)
		var stored Transaction
		if ok {
			stored = *j.l.tx(seq)
		}
		off := j.l.off
		j.l.mu.RUnlock()
		if ok && seq < off {
			// No version before it is kept to build it on: a retry and a
			// conflicting request look alike.
			return Transaction{}, &CheckpointError{ID: id}
		}
		if ok {
			tx, err := make(Journal{j.l, seq})
			if errors.Is(err, ErrBeforeCheckpoint) {
				return Transaction{}, err // recall what it names, and build again
			}
			if err == nil && tx.Equal(stored) {
				return stored.clone(), nil
			}
			return Transaction{}, &ConflictError{ID: id, Seq: seq}
		}
	}
	return make(j)
}
