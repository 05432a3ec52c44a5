package main

import (
	"testing"

	"github.com/billfold/billfold/examples/internal/golden"
)

// TestRun checks the program's whole output against testdata/output.golden
// (review a rewrite with -update line by line against the seed) and that
// two runs print the same bytes.
func TestRun(t *testing.T) {
	golden.Check(t, "output.golden", golden.Output(t, run))
}
