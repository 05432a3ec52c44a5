package main

import (
	"strings"
	"testing"

	"github.com/billfold/billfold/examples/internal/golden"
)

// TestRun checks the story against testdata/output.golden (rewrite it with
// go test ./examples/hostflow -update, then review it line by line) and
// that two runs print the same.
func TestRun(t *testing.T) {
	got := golden.Output(t, run)
	golden.Check(t, "output.golden", got)
	// The beats of issue 16's host flow, whatever the layout: the refund
	// lands on the used-up voucher and the renewal spends it; after its
	// validity the voucher holds nothing and the gift balance pays.
	for _, beat := range []string{
		"refund: 30.00 of b1 back onto V1",
		"renew: web-1 renewed 20.00, paid by V1 20.00",
		"expire: V1's validity ended; 10.00 left on it moved to expired",
		"renew: web-1 renewed 20.00, paid by G1 20.00",
	} {
		if !strings.Contains(string(got), beat) {
			t.Errorf("the story lacks %q", beat)
		}
	}
}
