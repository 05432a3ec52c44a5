package stored

import (
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/internal/problems"
	"github.com/shopspring/decimal"
)

func TestSharedRules(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))
	var probs problems.List
	NotNegative(&probs, "used", decimal.RequireFromString("-0.50"))
	NotNegative(&probs, "balance", decimal.Zero)
	After(&probs, "valid until", t0, "valid from", t0)
	After(&probs, "valid until", t0.Add(time.Nanosecond), "valid from", t0)
	NotBefore(&probs, "closed at", t0.Add(-time.Second), "issued at", t0)
	NotBefore(&probs, "closed at", t0, "issued at", t0)
	want := problems.List{
		"used -0.5 must not be negative", // as decimal prints it
		"valid until 2024-03-01T00:00:00Z must be after valid from 2024-03-01T00:00:00Z",
		"closed at 2024-02-29T23:59:59Z is before issued at 2024-03-01T00:00:00Z",
	}
	if !slices.Equal(probs, want) {
		t.Errorf("problems:\n%q\nwant\n%q", probs, want)
	}
}
