package allocation_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/billfold/billfold/allocation"
)

// Every reason has its own one-line meaning for the legends of reports,
// and nothing_left reads as "the bill was covered", not "the instrument is
// empty" (issue 16).
func TestReasonMeaning(t *testing.T) {
	vocabulary := []allocation.Reason{
		allocation.ReasonInactive, allocation.ReasonExpired, allocation.ReasonNotYetValid,
		allocation.ReasonCurrencyMismatch, allocation.ReasonExcludedByBill, allocation.ReasonModeExcluded,
		allocation.ReasonNotInPolicy, allocation.ReasonBelowMinSpend, allocation.ReasonNoBalance,
		allocation.ReasonOutOfScope, allocation.ReasonRestrictedCategory, allocation.ReasonNothingLeft,
	}
	if got := allocation.Reasons(); !slices.Equal(got, vocabulary) {
		t.Errorf("Reasons() = %q, want the documented order %q", got, vocabulary)
	}
	allocation.Reasons()[0] = "changed"
	if allocation.Reasons()[0] != allocation.ReasonInactive {
		t.Error("Reasons returns the package's own slice")
	}
	seen := map[string]allocation.Reason{}
	for _, r := range vocabulary {
		m := r.Meaning()
		if m == "" || strings.Contains(m, "\n") || len(m) > 80 {
			t.Errorf("%s: meaning %q is not one short line", r, m)
		}
		if other, ok := seen[m]; ok {
			t.Errorf("%s and %s have the same meaning %q", r, other, m)
		}
		seen[m] = r
	}
	if m := allocation.ReasonNothingLeft.Meaning(); !strings.Contains(m, "bill was already covered") || !strings.Contains(m, "balance is untouched") {
		t.Errorf("nothing_left means %q; it must say the bill was covered and the balance untouched", m)
	}
	if m := allocation.Reason("bill_covered").Meaning(); m != "" {
		t.Errorf("a reason outside the vocabulary has meaning %q", m)
	}
	// The JSON value is the fixed vocabulary's.
	if allocation.ReasonNothingLeft != "nothing_left" {
		t.Error("nothing_left's JSON value changed")
	}
}
