package prepaid

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrInvalid is wrapped by every error reporting invalid parameters,
	// rules or arguments (see [InvalidError]).
	ErrInvalid = errors.New("prepaid: invalid")
	// ErrTransition is wrapped by every error reporting an operation that
	// the value's status, balance or the given instant does not allow (see
	// [TransitionError]).
	ErrTransition = errors.New("prepaid: transition not allowed")
	// ErrSplit is wrapped by every error an Apply method returns for a split
	// that cannot be taken back into the value (see [SplitError]).
	ErrSplit = errors.New("prepaid: split cannot be applied")
	// ErrNotRefundable is wrapped by the error [Card.Refund] returns: cards
	// are neither refunded nor cashed.
	ErrNotRefundable = errors.New("prepaid: not refundable")
	// ErrNotTransferable is wrapped by the error [Card.Transfer] returns:
	// cards are bound to the buying account.
	ErrNotTransferable = errors.New("prepaid: not transferable")
)

// An InvalidError lists every problem found in parameters or arguments. It
// wraps [ErrInvalid].
type InvalidError struct {
	// What names the value ("prepaid card", "rules", "prepayment").
	What string
	// ID is the value's id (for rules, the currency), if known.
	ID string
	// Problems are human-readable, one per problem, naming the field.
	Problems []string
}

// Error joins the problems with "; ".
func (e *InvalidError) Error() string {
	return fmt.Sprintf("prepaid: invalid %s %q: %s", e.What, e.ID, strings.Join(e.Problems, "; "))
}

// Unwrap returns [ErrInvalid].
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// A TransitionError reports an operation that the value's status, balance
// or the instant it was asked at does not allow. It wraps [ErrTransition].
type TransitionError struct {
	// What names the value; ID is its id.
	What, ID string
	// Op names the refused operation.
	Op string
	// Status is the card's status ("" for values without statuses).
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
	return fmt.Sprintf("prepaid: cannot %s %s %q%s: %s", e.Op, e.What, e.ID, s, e.Problem)
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
	return fmt.Sprintf("prepaid: cannot apply split of bill %q to %s %q: %s", e.Bill, e.What, e.ID, e.Problem)
}

// Unwrap returns [ErrSplit].
func (e *SplitError) Unwrap() error { return ErrSplit }

// A RuleError reports an operation a prepaid card never allows, whatever
// its state. It wraps [ErrNotRefundable] or [ErrNotTransferable].
type RuleError struct {
	// ID is the card's id; Op names the operation.
	ID, Op string
	// Rule is the seed's rule, for people.
	Rule string
	err  error
}

// Error names the card, the operation and the rule.
func (e *RuleError) Error() string {
	return fmt.Sprintf("prepaid: cannot %s prepaid card %q: %s", e.Op, e.ID, e.Rule)
}

// Unwrap returns [ErrNotRefundable] or [ErrNotTransferable].
func (e *RuleError) Unwrap() error { return e.err }
