package ledger

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
func build(j Journal, id string, make func(Journal) (Transaction, error)) (Transaction, error) {
	if j.l != nil {
		j.l.mu.RLock()
		seq, ok := j.l.seq(id, j.n)
		var stored Transaction
		if ok {
			stored = *j.l.tx(seq)
		}
		known, off := j.l.knows(id), j.l.off
		j.l.mu.RUnlock()
		if err := rebuildable(id, ok, known, seq, off); err != nil {
			return Transaction{}, err
		}
		if ok {
			tx, err := make(Journal{j.l, seq})
			if err == nil && tx.Equal(stored) {
				return stored.clone(), nil
			}
			return Transaction{}, &ConflictError{ID: id, Seq: seq}
		}
	}
	return make(j)
}

// rebuildable returns the error for building id again on a resumed journal
// (base off) that cannot: one that does not know whether it holds id, or
// holds it before its checkpoint (at seq), where no version to rebuild it
// on is kept.
func rebuildable(id string, ok, known bool, seq, off int) error {
	switch {
	case !ok && !known:
		return &CheckpointError{ID: id, Need: []string{id}}
	case ok && seq < off:
		return &CheckpointError{ID: id}
	}
	return nil
}
