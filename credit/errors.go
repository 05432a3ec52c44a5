package credit

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrInvalid is wrapped by every error reporting invalid parameters or
	// arguments (see [InvalidError]).
	ErrInvalid = errors.New("credit: invalid")
	// ErrTransition is wrapped by every error reporting an operation that
	// the value's status, balance or the given instant does not allow (see
	// [TransitionError]).
	ErrTransition = errors.New("credit: transition not allowed")
	// ErrSplit is wrapped by every error an Apply method returns for a split
	// that cannot be taken back into the value (see [SplitError]).
	ErrSplit = errors.New("credit: split cannot be applied")
	// ErrNotTransferable is wrapped by the error [Credit.Transfer] returns
	// for a paid credit or a billing group of another domain (see
	// [TransferError]).
	ErrNotTransferable = errors.New("credit: not transferable")
	// ErrNotRefundable is wrapped by the error a Refund method returns for
	// value that cannot be paid back in cash (see [RefundError]).
	ErrNotRefundable = errors.New("credit: not refundable")
)

// An InvalidError lists every problem found in parameters or arguments. It
// wraps [ErrInvalid].
type InvalidError struct {
	// What names the value ("credit", "gift", "credit line").
	What string
	// ID is the value's id, if known.
	ID string
	// Problems are human-readable, one per problem, naming the field.
	Problems []string
}

// Error joins the problems with "; ".
func (e *InvalidError) Error() string {
	return fmt.Sprintf("credit: invalid %s %q: %s", e.What, e.ID, strings.Join(e.Problems, "; "))
}

// Unwrap returns [ErrInvalid].
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// A TransitionError reports an operation that the value's status, balance
// or the instant it was asked at does not allow. It wraps [ErrTransition].
type TransitionError struct {
	// What names the value; ID is its id.
	What, ID string
	// Op names the refused operation ("expire", "transfer", …).
	Op string
	// Status is the value's status when the operation was refused ("" for
	// values without statuses).
	Status Status
	// Problem says why, for people.
	Problem string
}

// Error names the value, the operation, its status and the problem.
func (e *TransitionError) Error() string {
	s := ""
	if e.Status != "" {
		s = fmt.Sprintf(" (status %s)", e.Status)
	}
	return fmt.Sprintf("credit: cannot %s %s %q%s: %s", e.Op, e.What, e.ID, s, e.Problem)
}

// Unwrap returns [ErrTransition].
func (e *TransitionError) Unwrap() error { return ErrTransition }

// A SplitError reports why a split cannot be applied. It wraps [ErrSplit].
type SplitError struct {
	// What names the value; ID is its id; Bill is the split's bill id.
	What, ID, Bill string
	// Problem says why, for people.
	Problem string
}

// Error names the value, the bill and the problem.
func (e *SplitError) Error() string {
	return fmt.Sprintf("credit: cannot apply split of bill %q to %s %q: %s", e.Bill, e.What, e.ID, e.Problem)
}

// Unwrap returns [ErrSplit].
func (e *SplitError) Unwrap() error { return ErrSplit }

// A TransferError reports a credit that may not be transferred where asked.
// It wraps [ErrNotTransferable].
type TransferError struct {
	// ID is the credit's id; Type is its type.
	ID   string
	Type Type
	// Problem says why, for people.
	Problem string
}

// Error names the credit and the problem.
func (e *TransferError) Error() string {
	return fmt.Sprintf("credit: cannot transfer %s credit %q: %s", e.Type, e.ID, e.Problem)
}

// Unwrap returns [ErrNotTransferable].
func (e *TransferError) Unwrap() error { return ErrNotTransferable }

// A RefundError reports value that cannot be refunded. It wraps
// [ErrNotRefundable].
type RefundError struct {
	// What names the value; ID is its id.
	What, ID string
	// Problem says why, for people.
	Problem string
}

// Error names the value and the problem.
func (e *RefundError) Error() string {
	return fmt.Sprintf("credit: cannot refund %s %q: %s", e.What, e.ID, e.Problem)
}

// Unwrap returns [ErrNotRefundable].
func (e *RefundError) Unwrap() error { return ErrNotRefundable }
