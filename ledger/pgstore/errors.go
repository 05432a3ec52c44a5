package pgstore

import "errors"

// ErrCorrupt is wrapped by the error for a stream whose stored rows do not
// make a journal: a transaction body that does not decode, positions out of
// order, a row whose id differs from its body's, a stream version that
// disagrees with its rows, or a stored transaction that [ledger.Journal.Apply]
// rejects (rows written by something other than a Store, or edited since).
// The error names the stream and the position. Test for it with errors.Is.
var ErrCorrupt = errors.New("pgstore: stored journal is inconsistent")
