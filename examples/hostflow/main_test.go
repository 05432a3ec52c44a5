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

// What a step stores reads back to a customer that stores the same bytes
// again: nothing is lost or changed between requests.
func TestStoredStateRoundTrips(t *testing.T) {
	stored := []byte(`{}`)
	for _, s := range steps {
		c, err := load(stored)
		if err != nil {
			t.Fatal(err)
		}
		if c, _, err = s.do(c, s.at); err != nil {
			t.Fatal(err)
		}
		if stored, err = save(c); err != nil {
			t.Fatal(err)
		}
		back, err := load(stored)
		if err != nil {
			t.Fatalf("after %s: %v", s.at, err)
		}
		again, err := save(back)
		if err != nil || string(again) != string(stored) {
			t.Fatalf("after %s: stored %s\nread back and stored again %s (%v)", s.at, stored, again, err)
		}
	}
}

// A stored document with a misspelt field is refused, not half read.
func TestLoadIsStrict(t *testing.T) {
	if _, err := load([]byte(`{"vouchers":[],"jurnal":[]}`)); err == nil {
		t.Error("a misspelt top-level field was ignored")
	}
	if _, err := load([]byte(`{"journal":[{"id":"g","time":"2024-06-01T01:00:00Z","kind":"grant","postings":[],"terms":[{"account":"instrument:CNY:V1","overdarft":"5"}]}]}`)); err == nil {
		t.Error("a misspelt field in a stored transaction was ignored")
	}
}
