package voucher

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrInvalid is wrapped by every error reporting invalid parameters or
	// arguments (see [InvalidError]).
	ErrInvalid = errors.New("voucher: invalid")
	// ErrCode is wrapped by every error [ParseCode] returns for input that
	// is not a well-formed activation code (see [CodeError]).
	ErrCode = errors.New("voucher: invalid activation code")
	// ErrWrongCode is returned by [Voucher.Redeem] for a well-formed code
	// that is not the voucher's own.
	ErrWrongCode = errors.New("voucher: activation code does not match the voucher")
	// ErrTransition is wrapped by every error reporting an operation the
	// voucher's status or the given instant does not allow (see
	// [TransitionError]).
	ErrTransition = errors.New("voucher: transition not allowed")
	// ErrSplit is wrapped by every error [Voucher.Apply] returns for a split
	// that cannot be taken back into the voucher (see [SplitError]).
	ErrSplit = errors.New("voucher: split cannot be applied")
)

// An InvalidError lists every problem found in the parameters of [New] or
// in the arguments of a method. It wraps [ErrInvalid].
type InvalidError struct {
	// ID is the voucher's id, if known.
	ID string
	// Problems are human-readable, one per problem, naming the field.
	Problems []string
}

// Error joins the problems with "; ".
func (e *InvalidError) Error() string {
	return fmt.Sprintf("voucher: invalid voucher %q: %s", e.ID, strings.Join(e.Problems, "; "))
}

// Unwrap returns [ErrInvalid].
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// A CodeError reports why an input is not an activation code. It wraps
// [ErrCode].
type CodeError struct {
	// Input is what was parsed, cut to 64 bytes.
	Input string
	// Problem says what is wrong, for people.
	Problem string
}

// Error quotes the input and states the problem.
func (e *CodeError) Error() string {
	return fmt.Sprintf("voucher: activation code %q: %s", e.Input, e.Problem)
}

// Unwrap returns [ErrCode].
func (e *CodeError) Unwrap() error { return ErrCode }

// A TransitionError reports an operation that the voucher's status, or the
// instant it was asked at, does not allow. It wraps [ErrTransition].
type TransitionError struct {
	// ID is the voucher's id.
	ID string
	// Op names the refused operation ("activate", "expire", "revoke", …).
	Op string
	// Status is the voucher's status when the operation was refused.
	Status Status
	// Problem says why, for people.
	Problem string
}

// Error names the voucher, the operation, its status and the problem.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("voucher: cannot %s voucher %q (status %s): %s", e.Op, e.ID, e.Status, e.Problem)
}

// Unwrap returns [ErrTransition].
func (e *TransitionError) Unwrap() error { return ErrTransition }

// A SplitError reports why a split cannot be applied to a voucher. It wraps
// [ErrSplit].
type SplitError struct {
	// ID is the voucher's id; Bill is the split's bill id.
	ID, Bill string
	// Problem says why, for people.
	Problem string
}

// Error names the voucher, the bill and the problem.
func (e *SplitError) Error() string {
	return fmt.Sprintf("voucher: cannot apply split of bill %q to voucher %q: %s", e.Bill, e.ID, e.Problem)
}

// Unwrap returns [ErrSplit].
func (e *SplitError) Unwrap() error { return ErrSplit }
