package renewal

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error the package returns wraps one or more of them;
// test with errors.Is, never with the message text.
var (
	// ErrInvalid is wrapped by every error for input that cannot be
	// processed at all (see [InvalidError]). Such a call changes nothing.
	ErrInvalid = errors.New("renewal: invalid input")

	// ErrNotRenewable is wrapped by every refusal ([RefusedError]): the
	// instance is outside renewal management, whatever the wallet holds.
	ErrNotRenewable = errors.New("renewal: not renewable")
	// ErrTrial refuses a trial instance: trials do not require renewal
	// (004_436d555c5a6b9a35.txt).
	ErrTrial = errors.New("renewal: trial instances are not renewed")
	// ErrOneTime refuses an instance bought by times in one-time-fee
	// prepaid billing (004_436d555c5a6b9a35.txt).
	ErrOneTime = errors.New("renewal: one-time fee instances are not renewed")
	// ErrProductNotRenewable refuses an instance the host marks not
	// renewable (Renewable false), such as KAD and KCM in
	// 004_436d555c5a6b9a35.txt.
	ErrProductNotRenewable = errors.New("renewal: product cannot be renewed in the console")
	// ErrInactive refuses an instance whose Status is [Released].
	ErrInactive = errors.New("renewal: instance status does not allow renewal")

	// ErrExpiredManual refuses enabling auto renewal on an expired instance
	// with the manual policy (004_436d555c5a6b9a35.txt).
	ErrExpiredManual = errors.New("renewal: cannot enable auto renewal on an expired manual instance")
	// ErrExpired refuses to align the expiry of an instance that has
	// already expired; renew it first ([Unify]).
	ErrExpired = errors.New("renewal: instance has expired")
	// ErrInsufficientBalance is why an automatic renewal failed: the
	// wallet could not pay the whole fee ([RunAuto]).
	ErrInsufficientBalance = errors.New("renewal: insufficient balance")
	// ErrWindowMissed is why an automatic renewal was missed: no run fell
	// within the instance's renewal window, which has passed (see
	// [Missed]).
	ErrWindowMissed = errors.New("renewal: renewal window passed")
	// ErrNoPrice says the price list has no monthly price for a product
	// that must be charged. It comes wrapped in an [InvalidError].
	ErrNoPrice = errors.New("renewal: no monthly price for product")
	// ErrStale refuses to apply a [Quote] to instances that no longer
	// expire when the quote was made.
	ErrStale = errors.New("renewal: quote does not match the instances")
)

// An InvalidError lists every problem found in the input of a call, in
// input order (instances, then the other arguments). The zero InvalidError
// lists no problem; the package never returns one. It wraps [ErrInvalid]
// and every problem, so errors.Is finds [ErrNoPrice] or
// [allocation.ErrInvalid] when one of them is the cause.
type InvalidError struct {
	// Problems has one error per problem; each names the field and, where
	// there is one, the instance id.
	Problems []error
}

// Error joins the problems, one per line.
func (e *InvalidError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalid.Error())
	b.WriteByte(':')
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns [ErrInvalid] followed by the problems.
func (e *InvalidError) Unwrap() []error {
	out := make([]error, 0, 1+len(e.Problems))
	out = append(out, ErrInvalid)
	return append(out, e.Problems...)
}

// problems collects the problems of one call.
type problems []error

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

// err returns nil when there is no problem, else an [*InvalidError].
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &InvalidError{Problems: p}
}

// A RefusedError says why renewal management refuses an instance. It wraps
// both [ErrNotRenewable] and the specific reason ([ErrTrial], [ErrOneTime],
// [ErrProductNotRenewable] or [ErrInactive]). A RefusedError without a
// Reason stands for [ErrNotRenewable] alone.
type RefusedError struct {
	// Instance is the refused instance's id.
	Instance string
	// Reason is one of the specific sentinels.
	Reason error
}

// Error names the instance and the reason.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("renewal: instance %q refused: %s", e.Instance,
		strings.TrimPrefix(e.reason().Error(), "renewal: "))
}

// Unwrap returns the specific reason and [ErrNotRenewable].
func (e *RefusedError) Unwrap() []error { return []error{e.reason(), ErrNotRenewable} }

// reason is Reason, or [ErrNotRenewable] when it is missing.
func (e *RefusedError) reason() error {
	if e.Reason == nil {
		return ErrNotRenewable
	}
	return e.Reason
}
