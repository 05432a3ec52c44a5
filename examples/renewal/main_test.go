package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/billfold/billfold/examples/internal/golden"
)

// TestOutput checks the story against testdata/output.txt (rewrite it with
// go test ./examples/renewal -update) and that two runs print the same.
func TestOutput(t *testing.T) {
	got := trimLines(golden.Output(t, run))
	golden.Check(t, "output.txt", got)
	// The story's beats (004_436d555c5a6b9a35.txt), whatever the layout.
	for _, beat := range []string{
		"web-2     KEC      auto: renewed         2024-03-05 09:00  v-feb 30.00, v-mar-b 60.00, v-mar-a 10.00",
		"db-1      KRDS     auto: failed",
		"db-1      KRDS     manual: renewed       2024-03-13 15:00",
		"try-1     KEC      auto: refused",
		"snap-1    KEC      manual: refused",
		"kad-1     KAD      manual: refused",
		"kcm-1     KCM      enable auto: refused",
		"cdn-1     KCDN     enable auto: refused",
		"web-1     KEC      auto: renewed         2024-03-31 10:00",
		"total",
	} {
		if !strings.Contains(string(got), beat) {
			t.Errorf("output lacks %q", beat)
		}
	}
	if bytes.Contains(got, []byte(" \n")) {
		t.Error("trailing spaces")
	}
}
