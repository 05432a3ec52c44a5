package golden

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures; Fatal ends the calling
// goroutine, as testing's does.
type recorder struct {
	testing.TB
	fatal, errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatal(args ...any) {
	r.fatal = append(r.fatal, fmt.Sprint(args...))
	runtime.Goexit()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// record runs f with a recorder on its own goroutine and returns the
// recorder once f has returned or stopped.
func record(f func(tb testing.TB)) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestOutput(t *testing.T) {
	story := func(w io.Writer) error { _, err := io.WriteString(w, "once upon a time\n"); return err }
	var got []byte
	r := record(func(tb testing.TB) { got = Output(tb, story) })
	if len(r.fatal)+len(r.errs) != 0 || string(got) != "once upon a time\n" {
		t.Errorf("deterministic run: got %q, failures %q %q", got, r.fatal, r.errs)
	}

	boom := errors.New("boom")
	r = record(func(tb testing.TB) { Output(tb, func(io.Writer) error { return boom }) })
	if len(r.fatal) != 1 || r.fatal[0] != "boom" {
		t.Errorf("failing run: fatal %q, want the run's error", r.fatal)
	}

	calls := 0
	second := func(w io.Writer) error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	}
	r = record(func(tb testing.TB) { Output(tb, second) })
	if len(r.fatal) != 1 || r.fatal[0] != "boom" {
		t.Errorf("second run failing: fatal %q, want the run's error", r.fatal)
	}

	n := 0
	drifting := func(w io.Writer) error { n++; _, err := fmt.Fprintln(w, "run", n); return err }
	r = record(func(tb testing.TB) { Output(tb, drifting) })
	if len(r.fatal) != 1 || !strings.Contains(r.fatal[0], "different output") {
		t.Errorf("nondeterministic run: fatal %q, want different output", r.fatal)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "output.golden")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if r := record(func(tb testing.TB) { check(tb, path, []byte("a\nb\n"), false) }); len(r.fatal)+len(r.errs) != 0 {
		t.Errorf("same output: failures %q %q", r.fatal, r.errs)
	}

	r := record(func(tb testing.TB) { check(tb, path, []byte("a\nc\n"), false) })
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], path) || !strings.Contains(r.errs[0], "(-want +got") {
		t.Errorf("changed output: errors %q, want one naming the file and giving the diff", r.errs)
	}
	if b, _ := os.ReadFile(path); string(b) != "a\nb\n" {
		t.Errorf("checking without rewrite changed the file to %q", b)
	}

	if r := record(func(tb testing.TB) { check(tb, path, []byte("a\nc\n"), true) }); len(r.fatal)+len(r.errs) != 0 {
		t.Errorf("rewrite: failures %q %q", r.fatal, r.errs)
	}
	if b, _ := os.ReadFile(path); string(b) != "a\nc\n" {
		t.Errorf("rewrite left %q, want the new output", b)
	}

	r = record(func(tb testing.TB) { check(tb, filepath.Join(dir, "missing.golden"), []byte("x"), false) })
	if len(r.fatal) != 1 {
		t.Errorf("missing golden file: fatal %q, want one", r.fatal)
	}
	r = record(func(tb testing.TB) { check(tb, filepath.Join(dir, "no", "such", "dir"), []byte("x"), true) })
	if len(r.fatal) != 1 {
		t.Errorf("unwritable golden file: fatal %q, want one", r.fatal)
	}
}
