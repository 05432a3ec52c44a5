package renewal

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests use, whatever the machine has installed

	"github.com/shopspring/decimal"
)

// rows checks table rows: every row needs a reason citing its seed or
// rule, and names must be unique, so a copied row cannot hide.
type rows map[string]bool

func (r rows) check(t *testing.T, name, reason string) {
	t.Helper()
	if reason == "" {
		t.Fatalf("row %q: missing reason", name)
	}
	if r[name] {
		t.Fatalf("row %q: duplicate name", name)
	}
	r[name] = true
}

// checkWraps reports each sentinel of want that err, returned by the call
// op, does not wrap.
func checkWraps(t *testing.T, op string, err error, want []error) {
	t.Helper()
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Errorf("%s error %v does not wrap %v", op, err, w)
		}
	}
}

// checkProblems reports err, returned by the call op, unless it is an
// [*InvalidError] listing n problems.
func checkProblems(t *testing.T, op string, err error, n int) {
	t.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) || len(ie.Problems) != n {
		t.Errorf("%s error %v: want %d problems", op, err, n)
	}
}

// zone loads a time zone or fails the test.
func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// at returns y-m-d h:mi in loc.
func at(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, loc)
}

// dec parses a decimal or panics (test literals only).
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// clock parses a time of day or panics (test literals only).
func clock(s string) Clock {
	c, err := ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

// shanghai is the account zone of the Kingsoft examples (no DST).
var shanghai = time.FixedZone("CST", 8*3600)
