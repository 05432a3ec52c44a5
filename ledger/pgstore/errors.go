package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5/pgconn"
)

// The classes of error a Store returns, besides the ledger's own verdicts
// ([ledger.ErrInvalid], [ledger.ErrVersion], [ledger.ErrConflict],
// [ledger.ErrInsufficient], [ledger.ErrNotTransferable]) and the error of
// a context that ended. Test for them with errors.Is; the package
// documentation says what a host should do for each.
var (
	// ErrCorrupt is wrapped by the error for a stream whose stored rows do
	// not make a journal: a transaction body that does not decode,
	// positions out of order, a row whose id differs from its body's, a
	// stream version that disagrees with its rows, or a stored transaction
	// that [ledger.Journal.Apply] rejects (rows written by something other
	// than a Store, or edited since). The error names the stream and the
	// position. Never retry: an operator must look.
	ErrCorrupt = errors.New("pgstore: stored journal is inconsistent")

	// ErrTransient is wrapped by the error for a failure that happened
	// before a write's commit was sent, or of a read: a broken
	// connection, a server shutting down, a lock or idle timeout
	// ([Options].LockTimeout, [Options].IdleTimeout), serialization
	// failures beyond [Options].Retries. Nothing of the write was stored.
	// Retry it (after a pause), with the same transactions or rebuilt.
	ErrTransient = errors.New("pgstore: transient failure, nothing stored")

	// ErrUnknownOutcome is wrapped by the error for a write whose commit
	// was sent but whose answer never came: the connection broke, the
	// context ended, or the server ended the session (terminated, shut
	// down: it may have committed just before) while the database was
	// committing. The write may or may not be stored. Retry it with the same transactions (the same
	// ids and content: if it was stored, each is a replay), or ask
	// [Store.Resolve]; never rebuild them, since a different transaction
	// under a stored id fails with [ledger.ErrConflict]. The error is an
	// [*OutcomeError] naming the transactions.
	ErrUnknownOutcome = errors.New("pgstore: outcome unknown: the commit was sent, its answer lost")

	// ErrSetup is wrapped by the error for a database the Store cannot
	// work in: its tables missing from [Options].Schema (run
	// [Store.Migrate], or fix Schema), a schema that does not exist, or
	// a privilege the role lacks (see the package documentation). The
	// Store never creates tables outside Migrate. Never retry: fix the
	// setup.
	ErrSetup = errors.New("pgstore: database not set up for the store")
)

// An OutcomeError reports a write whose outcome is unknown: the commit of
// the transactions IDs (those of the batch that were not replays, in
// order) to Stream was sent, and its answer lost. It wraps
// [ErrUnknownOutcome] and the cause (a network error, or ctx's error).
type OutcomeError struct {
	Stream string
	IDs    []string
	Err    error
}

// Error names the stream, the transactions and the cause.
func (e *OutcomeError) Error() string {
	return fmt.Sprintf("pgstore: write to stream %q: outcome unknown (the commit of %s was sent, its answer lost): %v",
		e.Stream, strings.Join(e.IDs, ", "), e.Err)
}

// Unwrap returns [ErrUnknownOutcome] and the cause.
func (e *OutcomeError) Unwrap() []error { return []error{ErrUnknownOutcome, e.Err} }

// classify returns err, a failure of the database, the connection or ctx,
// wrapped in the class a host can act on. committing says whether the
// failure may have hit a sent commit (of the transactions ids); it matters
// only when the server gave no answer.
func classify(ctx context.Context, err error, stream string, committing bool, ids []string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && committing && (pe.Severity == "FATAL" || pe.Severity == "PANIC") && pe.Code != "25P03" {
		// The server ended the session (terminated, shut down) while the
		// commit was on its way: it may have committed first and sent
		// the FATAL after. Only the idle-in-transaction timeout is known
		// to strike before the commit arrived.
		return &OutcomeError{Stream: stream, IDs: ids, Err: err}
	}
	if errors.As(err, &pe) {
		// The server answered with an error: whatever was sent in the
		// database transaction is rolled back, a COMMIT included.
		switch class := pe.Code[:2]; {
		case class == "22" || class == "54": // data exception, program limit exceeded
			return fmt.Errorf("%w: the database refused the input: %w", ledger.ErrInvalid, err)
		case class == "42" || class == "3F" || class == "28" || class == "3D": // undefined table, no privilege, no schema, auth, no database
			return fmt.Errorf("%w: %w", ErrSetup, err)
		case class == "08" || class == "40" || class == "53" || class == "55" || class == "57" ||
			class == "58" || class == "23" || pe.Code == "25P03" || pe.Code == "25006":
			if ctx.Err() != nil && class == "57" { // our own cancellation
				return fmt.Errorf("%w (%w)", ctx.Err(), err)
			}
			return fmt.Errorf("%w: %w", ErrTransient, err)
		}
		return err
	}
	if committing && !pgconn.SafeToRetry(err) {
		return &OutcomeError{Stream: stream, IDs: ids, Err: err}
	}
	if ctx.Err() != nil {
		return err // the caller's context ended: nothing stored, and no point retrying with it
	}
	return fmt.Errorf("%w: %w", ErrTransient, err)
}

// retryable reports whether err is a serialization failure or deadlock,
// which the Store retries itself (within [Options].Retries).
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
