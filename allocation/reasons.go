package allocation

import "math/bits"

// A Reason says why an instrument was not used. The vocabulary is fixed;
// when several reasons apply, [Split] lists them in the order below.
type Reason string

const (
	// ReasonInactive: the instrument's status is neither empty nor "active".
	ReasonInactive Reason = "inactive"
	// ReasonExpired: the bill's At is at or after ValidUntil.
	ReasonExpired Reason = "expired"
	// ReasonNotYetValid: the bill's At is before ValidFrom.
	ReasonNotYetValid Reason = "not_yet_valid"
	// ReasonCurrencyMismatch: the instrument is in another currency.
	ReasonCurrencyMismatch Reason = "currency_mismatch"
	// ReasonExcludedByBill: the customer excluded its id or kind at checkout.
	ReasonExcludedByBill Reason = "excluded_by_bill"
	// ReasonModeExcluded: the bill's mode is outside the instrument's modes.
	ReasonModeExcluded Reason = "mode_excluded"
	// ReasonNotInPolicy: no policy step draws the instrument.
	ReasonNotInPolicy Reason = "not_in_policy"
	// ReasonBelowMinSpend: its eligible lines add up to less than MinSpend.
	ReasonBelowMinSpend Reason = "below_min_spend"
	// ReasonNoBalance: there is nothing the policy lets it draw (or, for a
	// percentage instrument, a zero percent or an exhausted cap).
	ReasonNoBalance Reason = "no_balance"
	// ReasonOutOfScope: no bill line is in the instrument's scope.
	ReasonOutOfScope Reason = "out_of_scope"
	// ReasonRestrictedCategory: the lines in its scope are reserved by a
	// policy restriction to other kinds.
	ReasonRestrictedCategory Reason = "restricted_category"
	// ReasonNothingLeft: it was usable, but the lines it could pay were
	// already covered when its turn came: nothing was left of the bill for
	// it to pay. It says nothing about the instrument's own balance, which
	// is untouched (see [Reason.Meaning] for the wording to show people).
	// The JSON value stays "nothing_left": it is part of the fixed
	// vocabulary scenario checkers read.
	ReasonNothingLeft Reason = "nothing_left"
)

// Reasons returns the vocabulary, in the order a [Split] lists reasons
// (a new slice each time).
func Reasons() []Reason { return append([]Reason(nil), reasonOrder[:]...) }

// reasonOrder is the vocabulary in reporting order.
var reasonOrder = [...]Reason{
	ReasonInactive, ReasonExpired, ReasonNotYetValid, ReasonCurrencyMismatch,
	ReasonExcludedByBill, ReasonModeExcluded, ReasonNotInPolicy,
	ReasonBelowMinSpend, ReasonNoBalance, ReasonOutOfScope,
	ReasonRestrictedCategory, ReasonNothingLeft,
}

// reasonSet is a bit set over reasonOrder.
type reasonSet uint16

func (s *reasonSet) add(r int) { *s |= 1 << r }

const (
	rInactive = iota
	rExpired
	rNotYetValid
	rCurrencyMismatch
	rExcludedByBill
	rModeExcluded
	rNotInPolicy
	rBelowMinSpend
	rNoBalance
	rOutOfScope
	rRestrictedCategory
	rNothingLeft
)

// appendTo appends the reasons, in vocabulary order, to buf and returns
// buf and the appended part (capacity-limited, so appending to it copies).
func (s reasonSet) appendTo(buf []Reason) ([]Reason, []Reason) {
	start := len(buf)
	for i, r := range reasonOrder {
		if s&(1<<i) != 0 {
			buf = append(buf, r)
		}
	}
	return buf, buf[start:len(buf):len(buf)]
}

// count returns the number of reasons in s.
func (s reasonSet) count() int { return bits.OnesCount16(uint16(s)) }

// Meaning returns what r means, in one line for a billing person, as
// example tables print it in their legend; "" for a value outside the
// vocabulary.
func (r Reason) Meaning() string {
	switch r {
	case ReasonInactive:
		return "its status is not active (used up, revoked, not activated, …)"
	case ReasonExpired:
		return "its validity ended at or before the bill's time"
	case ReasonNotYetValid:
		return "its validity starts after the bill's time"
	case ReasonCurrencyMismatch:
		return "it holds another currency than the bill's"
	case ReasonExcludedByBill:
		return "the customer chose not to use it, or its kind, for this bill"
	case ReasonModeExcluded:
		return "it may not pay bills of this billing mode (a trial, for example)"
	case ReasonNotInPolicy:
		return "no step of the policy draws its kind"
	case ReasonBelowMinSpend:
		return "the lines it may pay add up to less than its minimum spend"
	case ReasonNoBalance:
		return "it has nothing the policy lets it draw (a coupon: 0 % or a spent cap)"
	case ReasonOutOfScope:
		return "no line of the bill is a product or category it may pay"
	case ReasonRestrictedCategory:
		return "the lines it may pay are reserved to other kinds by the policy"
	case ReasonNothingLeft:
		return "the bill was already covered where it may pay; its balance is untouched"
	}
	return ""
}
