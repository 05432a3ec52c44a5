package renewal

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/calendar"
	"pgregory.net/rapid"
)

// dstZones are the zones the anchor properties draw from: no DST, former
// DST (Shanghai, Seoul), DST in both hemispheres, a midnight gap (Havana,
// Santiago) and a half-hour change (Lord Howe).
var dstZones = []string{
	"UTC", "Asia/Shanghai", "Asia/Seoul", "America/New_York", "America/Havana",
	"America/Santiago", "Europe/London", "Australia/Lord_Howe",
}

// fatalf is what testing.T and rapid.T share for the helpers below.
type fatalf interface {
	Helper()
	Fatalf(format string, args ...any)
}

// loadZone loads a time zone or fails the test.
func loadZone(t fatalf, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// renewAuto renews in once with RunAuto in its renewal window, paying from
// enough cash, and returns the renewed instance.
func renewAuto(t fatalf, in Instance, loc *time.Location) Instance {
	t.Helper()
	run, err := RunAuto([]Instance{in}, in.ExpiresAt.Add(-time.Minute), loc,
		allocation.Wallet{cash("cash", "1000.00", "0")}, prices(), allocation.Policy{})
	if err != nil {
		t.Fatalf("RunAuto: %v", err)
	}
	if len(run.Results) != 1 || run.Results[0].Outcome != Renewed {
		t.Fatalf("RunAuto of %s: %+v, want one renewal", in.ExpiresAt, run.Results)
	}
	return run.Instances[0]
}

func TestRunAutoHavanaMidnightGap(t *testing.T) {
	// America/Havana skips 00:00–01:00 on 2024-03-10. A subscription
	// renewing at midnight on the 10th lands on the first instant of that
	// day (01:00), then comes back to midnight: the clock anchor is kept as
	// the day anchor is (issue 17.1).
	hav := zone(t, "America/Havana")
	in := kec("web", at(hav, 2024, 2, 10, 0, 0))
	want := []time.Time{
		at(hav, 2024, 3, 10, 1, 0), // 00:00 does not exist that day
		at(hav, 2024, 4, 10, 0, 0),
		at(hav, 2024, 5, 10, 0, 0),
		at(hav, 2024, 6, 10, 0, 0),
	}
	for k, w := range want {
		in = renewAuto(t, in, hav)
		if !in.ExpiresAt.Equal(w) {
			t.Fatalf("renewal %d: expires %s, want %s", k+1, in.ExpiresAt.In(hav), w)
		}
		if in.AnchorClock != clock("00:00") || in.AnchorDay != 10 {
			t.Fatalf("renewal %d: anchor day %d clock %q, want 10 at 00:00", k+1, in.AnchorDay, in.AnchorClock)
		}
	}
}

func TestRenewNewYorkSkippedHalfPast(t *testing.T) {
	// New York skips 02:00–03:00 on 2024-03-10: 02:30 becomes 03:30 that
	// day, and the next manual renewal is back at 02:30.
	ny := zone(t, "America/New_York")
	in := kec("web", at(ny, 2024, 2, 10, 2, 30))
	for k, w := range []time.Time{at(ny, 2024, 3, 10, 3, 30), at(ny, 2024, 4, 10, 2, 30)} {
		r, err := Renew(in, 1, in.ExpiresAt.Add(-time.Hour), ny, allocation.Wallet{cash("cash", "100.00", "0")}, prices(), allocation.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if in = r.Instance; !in.ExpiresAt.Equal(w) || in.AnchorClock != clock("02:30") {
			t.Fatalf("renewal %d: %s anchored at %q, want %s at 02:30", k+1, in.ExpiresAt.In(ny), in.AnchorClock, w)
		}
	}
}

func TestNextExpiryChainingLosesTheAnchor(t *testing.T) {
	// Issue 17.4: the stateless function cannot know a hidden anchor (its
	// first doc sentence says so); the anchored one can.
	for _, tc := range []struct {
		year int
		want int // day of March
	}{{2024, 29}, {2023, 28}} {
		jan31 := at(time.UTC, tc.year, 1, 31, 10, 0)
		twice := NextExpiry(NextExpiry(jan31, 1, time.UTC), 1, time.UTC)
		if want := at(time.UTC, tc.year, 3, tc.want, 10, 0); !twice.Equal(want) {
			t.Errorf("NextExpiry(NextExpiry(%d-01-31, 1), 1) = %s, want %s (documented drift)", tc.year, twice, want)
		}
		feb := NextExpiryAnchored(jan31, 31, clock("10:00"), 1, time.UTC)
		mar := NextExpiryAnchored(feb, 31, clock("10:00"), 1, time.UTC)
		if want := at(time.UTC, tc.year, 3, 31, 10, 0); !mar.Equal(want) {
			t.Errorf("anchored chain from %d-01-31 = %s, want %s", tc.year, mar, want)
		}
	}
}

func TestNextExpiryAnchored(t *testing.T) {
	hav := zone(t, "America/Havana")
	ny := zone(t, "America/New_York")
	apia := zone(t, "Pacific/Apia")
	tests := []struct {
		name   string
		reason string
		expiry time.Time
		day    int
		clock  string
		months int
		loc    *time.Location
		want   time.Time
	}{
		{"gap_moved_clock_comes_back", "issue 17.1: Havana Mar 10 01:00 anchored at 00:00 renews to Apr 10 00:00",
			at(hav, 2024, 3, 10, 1, 0), 10, "00:00", 1, hav, at(hav, 2024, 4, 10, 0, 0)},
		{"new_york_half_past_two", "issue 17.1: New York Mar 10 03:30 anchored at 02:30 renews to Apr 10 02:30",
			at(ny, 2024, 3, 10, 3, 30), 0, "02:30", 1, ny, at(ny, 2024, 4, 10, 2, 30)},
		{"clock_that_does_not_explain_the_expiry_is_ignored", "contract: an anchor clock only undoes a gap; 10:00 is not 00:00 moved by one",
			at(hav, 2024, 4, 10, 10, 0), 10, "00:00", 1, hav, at(hav, 2024, 5, 10, 10, 0)},
		{"zero_clock_is_the_expiry_clock", "contract: the zero Clock means the expiry's time of day",
			at(hav, 2024, 3, 10, 1, 0), 0, "", 1, hav, at(hav, 2024, 4, 10, 1, 0)},
		{"month_end_and_clock_together", "DESIGN invariant 8 and issue 17.1 at once",
			at(ny, 2024, 2, 29, 10, 0), 31, "10:00", 1, ny, at(ny, 2024, 3, 31, 10, 0)},
		{"skipped_day_comes_back", "Apia skipped 2011-12-30 whole: the 30th anchor lands on the 31st, then returns to the 30th",
			at(apia, 2011, 12, 31, 10, 0), 30, "10:00", 1, apia, at(apia, 2012, 1, 30, 10, 0)},
		{"day_out_of_range_is_ignored", "contract: a day outside 1..31 means the expiry's own day",
			at(time.UTC, 2024, 2, 29, 0, 0), 32, "", 1, time.UTC, at(time.UTC, 2024, 3, 29, 0, 0)},
		{"no_period_no_move", "contract: months outside 1..MaxMonths leave the expiry",
			at(hav, 2024, 3, 10, 1, 0), 10, "00:00", 0, hav, at(hav, 2024, 3, 10, 1, 0)},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			got := NextExpiryAnchored(tc.expiry, tc.day, clock(tc.clock), tc.months, tc.loc)
			if !got.Equal(tc.want) || got.Location() != tc.loc {
				t.Errorf("NextExpiryAnchored = %s, want %s\nreason: %s", got, tc.want.In(tc.loc), tc.reason)
			}
			in := Instance{ExpiresAt: tc.expiry, AnchorDay: tc.day, AnchorClock: clock(tc.clock)}
			if got := in.NextExpiry(tc.months, tc.loc); !got.Equal(tc.want) {
				t.Errorf("Instance.NextExpiry = %s, want %s", got, tc.want.In(tc.loc))
			}
		})
	}
}

// TestRenewalChainProperties: in every zone with DST, n renewals of one
// month, each by RunAuto in the instance's window, end where one renewal of
// n months from the anchor ends: the anchored civil time n months on,
// resolved as NextExpiry documents (issue 17.1).
func TestRenewalChainProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := loadZone(t, rapid.SampledFrom(dstZones).Draw(t, "zone"))
		y := rapid.IntRange(1990, 2060).Draw(t, "year")
		m := time.Month(rapid.IntRange(1, 12).Draw(t, "month"))
		anchorDay := rapid.IntRange(1, 31).Draw(t, "anchor_day")
		// Hours near midnight and 01:00–03:00 are where the gaps are.
		h := rapid.SampledFrom([]int{0, 0, 1, 2, 2, 3, 10, 23}).Draw(t, "hour")
		mi := rapid.SampledFrom([]int{0, 15, 30, 45}).Draw(t, "minute")
		c := clock(fmt.Sprintf("%02d:%02d", h, mi))
		start := atClock(y, m, min(anchorDay, calendar.DaysIn(y, m)), c, loc)
		n := rapid.IntRange(1, 30).Draw(t, "renewals")

		// A host that set the anchor, and one that did not (the anchor is
		// then the first expiry itself, so NextExpiry is the reference).
		set := kec("set", start)
		set.AnchorDay, set.AnchorClock = anchorDay, c
		unset := kec("unset", start)
		for k := 1; k <= n; k++ {
			set, unset = renewAuto(t, set, loc), renewAuto(t, unset, loc)
			ty, tm, td := calendar.AddMonths(y, m, anchorDay, k)
			want := atClock(ty, tm, td, c, loc)
			if !set.ExpiresAt.Equal(want) {
				t.Fatalf("renewal %d: expires %s, want %s", k, set.ExpiresAt, want)
			}
			if one := NextExpiryAnchored(start, anchorDay, c, k, loc); !one.Equal(want) {
				t.Fatalf("one renewal of %d months: %s, want %s", k, one, want)
			}
			if one := NextExpiry(start, k, loc); !unset.ExpiresAt.Equal(one) {
				t.Fatalf("renewal %d without a set anchor: %s, want NextExpiry(start, %d) = %s", k, unset.ExpiresAt, k, one)
			}
		}
	})
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in, want string // want "" with ok: the zero Clock
		ok       bool
	}{
		{"", "", true},
		{"00:00", "00:00:00", true},
		{"23:59", "23:59:00", true},
		{"02:30:15", "02:30:15", true},
		{"10:00:00.5", "10:00:00.5", true},
		{"10:00:00.000000001", "10:00:00.000000001", true},
		{"10:00:00.120", "10:00:00.12", true},
		{"24:00", "", false},
		{"9:00", "", false},
		{"10:60", "", false},
		{"10:00:60", "", false},
		{"10", "", false},
		{"10:00.5", "", false},
		{"10:00:00.", "", false},
		{"10:00:00.1234567890", "", false},
		{"+1:00", "", false},
		{"10:00:00:00", "", false},
		{"ab:cd", "", false},
	}
	for _, tc := range tests {
		c, err := ParseClock(tc.in)
		if tc.ok != (err == nil) || err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseClock(%q): %v, want ok %v (errors wrap ErrInvalid)", tc.in, err, tc.ok)
			continue
		}
		if c.String() != tc.want {
			t.Errorf("ParseClock(%q) = %q, want %q", tc.in, c, tc.want)
		}
	}
	if !clock("").IsZero() || clock("00:00").IsZero() {
		t.Error("midnight must differ from the zero Clock")
	}
}

func TestClockProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := loadZone(t, rapid.SampledFrom(dstZones).Draw(t, "zone"))
		ts := time.Unix(rapid.Int64Range(0, 4102444800).Draw(t, "sec"), rapid.Int64Range(0, 999999999).Draw(t, "nsec"))
		c := ClockOf(ts, loc)
		h, m, s := ts.In(loc).Clock()
		if ch, cm, cs, cn := c.parts(); ch != h || cm != m || cs != s || cn != ts.Nanosecond() || c.IsZero() {
			t.Fatalf("ClockOf(%s) = %s", ts.In(loc), c)
		}
		if ClockOf(ts.In(time.UTC), loc) != c || ClockOf(ts.In(loadZone(t, "Asia/Seoul")), loc) != c {
			t.Fatal("ClockOf depends on the Location attached to its argument")
		}
		text, _ := c.MarshalText()
		var back Clock
		if err := back.UnmarshalText(text); err != nil || back != c || !back.Equal(c) {
			t.Fatalf("text round trip of %s: %s, %v", c, back, err)
		}
	})
}
