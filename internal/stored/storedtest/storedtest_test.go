package storedtest

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
)

// recorder is a testing.TB that records failures instead of reporting
// them; Fatalf ends the calling goroutine as the real one does.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder in a goroutine of its own, so that Fatalf
// stops only f.
func run(f func(tb testing.TB)) []string {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.failures
}

var errSentinel = errors.New("invalid")

func TestRefused(t *testing.T) {
	err := fmt.Errorf("%w: balance 1 is not 2; colour: unknown field", errSentinel)
	for _, tc := range []struct {
		name     string
		err      error
		want     []string
		failures int
	}{
		{"says_all", err, []string{"balance 1 is not 2", "colour: unknown field"}, 0},
		{"misses_one", err, []string{"balance 1 is not 2", "currency"}, 1},
		{"misses_two", err, []string{"status", "currency"}, 2},
		{"other_error", errors.New("balance 1 is not 2"), []string{"balance 1 is not 2"}, 1},
		{"no_error", nil, nil, 1},
	} {
		if got := run(func(tb testing.TB) { Refused(tb, tc.err, errSentinel, tc.want, "why") }); len(got) != tc.failures {
			t.Errorf("%s: failures %q; want %d", tc.name, got, tc.failures)
		}
	}
}

func TestEdit(t *testing.T) {
	var got string
	if f := run(func(tb testing.TB) { got = Edit(tb, `{"a":1,"b":1}`, `1=>2`, `"b"=>"c"`, "") }); len(f) != 0 || got != `{"a":2,"c":1}` {
		t.Errorf("Edit = %s, failures %q", got, f)
	}
	if f := run(func(tb testing.TB) { Edit(tb, `{"a":1}`, `"z"=>"y"`) }); len(f) != 1 {
		t.Errorf("an edit that does not apply: failures %q; want 1", f)
	}
}
