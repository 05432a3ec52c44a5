package ledger_test

import (
	"testing"
	"time"
	_ "time/tzdata" // zones in tests, whatever the machine has

	"github.com/billfold/billfold/ledger"
	"pgregory.net/rapid"
)

func TestPeriodKeepsTheAnchorDay(t *testing.T) {
	p := ledger.Period{Anchor: time.Date(2024, 1, 31, 9, 0, 0, 0, time.UTC), Months: 1}
	want := []string{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"}
	for n, w := range want {
		if got := p.Key(n); got != w {
			t.Errorf("Key(%d) = %s, want %s (Kingsoft 004: month-end renewals stay at month end)", n, got, w)
		}
	}
	if got := p.Index(time.Date(2024, 2, 29, 8, 59, 0, 0, time.UTC)); got != 0 {
		t.Errorf("Index just before period 1 = %d, want 0", got)
	}
	if got := p.Index(time.Date(2024, 2, 29, 9, 0, 0, 0, time.UTC)); got != 1 {
		t.Errorf("Index at the start of period 1 = %d, want 1", got)
	}
	if got := p.Index(time.Date(2023, 12, 31, 9, 0, 0, 0, time.UTC)); got != -1 {
		t.Errorf("Index a month before the anchor = %d, want -1", got)
	}
}

// TestPeriodProperties: every instant lies in exactly the period Index
// names, starts grow strictly, and the location of the instant does not
// matter.
func TestPeriodProperties(t *testing.T) {
	zones := []string{"UTC", "Asia/Seoul", "America/New_York", "Europe/Berlin"}
	rapid.Check(t, func(t *rapid.T) {
		loc, err := time.LoadLocation(rapid.SampledFrom(zones).Draw(t, "zone"))
		if err != nil {
			t.Skip(err)
		}
		anchor := time.Date(rapid.IntRange(2000, 2030).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
			rapid.IntRange(1, 31).Draw(t, "day"), rapid.IntRange(0, 23).Draw(t, "hour"), 0, 0, 0, loc)
		p := ledger.Period{Anchor: anchor, Months: rapid.IntRange(1, 13).Draw(t, "months")}
		at := anchor.Add(time.Duration(rapid.Int64Range(-20*365*24, 20*365*24).Draw(t, "hours")) * time.Hour)
		n := p.Index(at)
		if p.Start(n).After(at) || !p.Start(n+1).After(at) {
			t.Fatalf("Index(%v) = %d, but period %d is [%v, %v)", at, n, n, p.Start(n), p.Start(n+1))
		}
		if p.Index(at.UTC()) != n {
			t.Fatalf("Index depends on the instant's location")
		}
	})
}
