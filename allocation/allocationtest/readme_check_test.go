package allocationtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's example is this file, word for word, so that it compiles
// and passes.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## Testing code that uses billfold")
	_, rest, ok2 := strings.Cut(rest, "```go\n")
	block, _, ok3 := strings.Cut(rest, "```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no Go block under \"Testing code that uses billfold\"")
	}
	if want := "package allocationtest_test\n\n" + block; string(self) != want {
		t.Errorf("README.md's example and readme_test.go differ; copy readme_test.go (from import to invoice) into README.md")
	}
}
