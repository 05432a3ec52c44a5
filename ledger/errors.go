package ledger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

var (
	// ErrInvalid is wrapped by every error for a malformed transaction or
	// request: see [InvalidError]. Test for it with errors.Is.
	ErrInvalid = errors.New("ledger: invalid transaction")
	// ErrConflict is wrapped by the error for a transaction whose id the
	// journal already holds with other content: see [ConflictError].
	ErrConflict = errors.New("ledger: transaction id already used with other content")
	// ErrInsufficient is wrapped by the error for a transaction that would
	// take an instrument account below −overdraft: see
	// [InsufficientError].
	ErrInsufficient = errors.New("ledger: balance would fall below the overdraft floor")
	// ErrNotTransferable is wrapped by the error for a transfer out of an
	// account whose terms do not allow it (KakaoCloud 003: paid credit):
	// see [NotTransferableError].
	ErrNotTransferable = errors.New("ledger: account is not transferable")
	// ErrVersion is wrapped by the error a [Store] returns when a stream
	// is not at the version an append expected: see [VersionError].
	ErrVersion = errors.New("ledger: stream version conflict")
)

// An InvalidError lists every problem found in one transaction, or in the
// request a helper was asked to build one from. It wraps [ErrInvalid].
type InvalidError struct {
	// ID is the id of the transaction, if it has one.
	ID string
	// Problems are human-readable, one per problem, in the order found:
	// the transaction's own fields first, then what the journal showed.
	Problems []string
}

// Error joins the problems, one per line.
func (e *InvalidError) Error() string {
	return fmt.Sprintf("ledger: invalid transaction %q:\n\t%s", e.ID, strings.Join(e.Problems, "\n\t"))
}

// Unwrap returns [ErrInvalid].
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// A ConflictError reports that a journal already holds a transaction with
// the id at position Seq, with other content. It wraps [ErrConflict].
type ConflictError struct {
	ID  string
	Seq int
}

// Error names the id and where it is held.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("ledger: transaction %q conflicts with the transaction of that id at position %d", e.ID, e.Seq)
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// A Shortfall is one account a transaction would take below its floor.
type Shortfall struct {
	Account Account
	// Balance is what the balance would be after the transaction: what
	// would be available, open holds not counted.
	Balance decimal.Decimal
	// Overdraft is the account's overdraft: its floor is −Overdraft.
	Overdraft decimal.Decimal
	// Held is what open holds reserve of the account ([Journal.Held]):
	// money the transaction could not use.
	Held decimal.Decimal
}

// An InsufficientError reports every instrument account a transaction
// would take below −overdraft, in order of their first posting. The
// transaction was rejected whole. It wraps [ErrInsufficient].
type InsufficientError struct {
	ID         string
	Shortfalls []Shortfall
}

// Error lists the shortfalls.
func (e *InsufficientError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ledger: transaction %q would overdraw:", e.ID)
	for _, s := range e.Shortfalls {
		fmt.Fprintf(&b, "\n\t%s: balance %s below floor -%s", s.Account, exact(s.Balance), exact(s.Overdraft))
		if s.Held.IsPositive() {
			fmt.Fprintf(&b, " (%s held by open holds)", exact(s.Held))
		}
	}
	return b.String()
}

// Unwrap returns [ErrInsufficient].
func (e *InsufficientError) Unwrap() error { return ErrInsufficient }

// A NotTransferableError reports a transfer out of an account whose terms
// in force do not make it transferable. It wraps [ErrNotTransferable].
type NotTransferableError struct {
	ID      string
	Account Account
	// Kind is the account's [Terms].Kind ("paid_credit", …), "" if it has
	// no terms.
	Kind string
}

// Error names the account and its kind.
func (e *NotTransferableError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "no terms"
	}
	return fmt.Sprintf("ledger: transaction %q: %s (%s) is not transferable", e.ID, e.Account, kind)
}

// Unwrap returns [ErrNotTransferable].
func (e *NotTransferableError) Unwrap() error { return ErrNotTransferable }

// A VersionError reports that a stream was at version Actual when an
// append expected Expected. It wraps [ErrVersion].
type VersionError struct {
	Stream           string
	Expected, Actual int
}

// Error names the stream and both versions.
func (e *VersionError) Error() string {
	return fmt.Sprintf("ledger: stream %q is at version %d, not %d", e.Stream, e.Actual, e.Expected)
}

// Unwrap returns [ErrVersion].
func (e *VersionError) Unwrap() error { return ErrVersion }
