// Package golden checks what the example programs print against golden
// files in their testdata directories, for the programs' tests. Run those
// tests with -update to rewrite the files from the programs' output, then
// review the rewrite line by line against the seed.
package golden

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the programs' output")

// Output runs run twice and returns what the first run wrote. It stops t
// if a run fails or the two runs wrote different bytes: the programs print
// the same story every time.
func Output(t testing.TB, run func(io.Writer) error) []byte {
	t.Helper()
	var a, b bytes.Buffer
	if err := run(&a); err != nil {
		t.Fatal(err)
	}
	if err := run(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs printed different output")
	}
	return a.Bytes()
}

// Check compares got with the golden file testdata/name and reports any
// difference as (-want +got). With -update it first writes got to the
// file.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	check(t, filepath.Join("testdata", name), got, *update)
}

// check is Check for the file at path, rewriting it first if rewrite.
func check(t testing.TB, path string, got []byte, rewrite bool) {
	t.Helper()
	if rewrite {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got; rewrite with -update after review):\n%s", path, diff)
	}
}
