package allocation

import (
	"errors"
	"strings"
)

// ErrInvalid is wrapped by every error [Allocate] returns for input it
// cannot allocate, and by every decoding and policy-checking error of the
// package: test for it with errors.Is.
var ErrInvalid = errors.New("allocation: invalid input")

// An InvalidError lists every problem found in the input of [Allocate], or
// in a JSON document being decoded (by encoding/json, [ParseScenario] or
// [ParsePolicy]). It wraps [ErrInvalid]. Problems are in input order: bill,
// wallet, policy; in a document, in document order, each starting with its
// JSON path.
type InvalidError struct {
	// Problems are human-readable, one per problem, naming the field and,
	// where there is one, the id of the bill, line, instrument or step.
	Problems []string
}

// Error joins the problems, one per line.
func (e *InvalidError) Error() string {
	return "allocation: invalid input:\n\t" + strings.Join(e.Problems, "\n\t")
}

// Unwrap returns [ErrInvalid].
func (e *InvalidError) Unwrap() error { return ErrInvalid }
