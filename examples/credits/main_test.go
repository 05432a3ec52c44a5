package main

import (
	"testing"

	"github.com/billfold/billfold/examples/internal/golden"
)

// TestRun checks the program's whole output against testdata/output.golden
// (review a rewrite with -update line by line: every alert once per
// crossing, every top-up sized to its shortfall and within its bounds,
// every rollover within its cap) and that two runs print the same bytes.
func TestRun(t *testing.T) {
	golden.Check(t, "output.golden", golden.Output(t, run))
}
