package renewal

import (
	"testing"
	"time"

	"github.com/billfold/billfold/internal/calendar"
	"pgregory.net/rapid"
)

const seedRenewal = "004_436d555c5a6b9a35.txt"

func TestNextExpiry(t *testing.T) {
	ny := zone(t, "America/New_York")
	syd := zone(t, "Australia/Sydney")
	lhi := zone(t, "Australia/Lord_Howe")
	sh := zone(t, "Asia/Shanghai")
	tests := []struct {
		name   string
		reason string
		expiry time.Time
		months int
		loc    *time.Location
		want   time.Time
	}{
		{
			name:   "month_end_into_leap_february",
			reason: seedRenewal + ": renewed by month; Jan 31 clamps to the last day of February (leap year)",
			expiry: at(time.UTC, 2024, 1, 31, 10, 0), months: 1, loc: time.UTC,
			want: at(time.UTC, 2024, 2, 29, 10, 0),
		},
		{
			name:   "month_end_into_short_february",
			reason: seedRenewal + ": renewed by month; Jan 31 clamps to Feb 28 in a common year",
			expiry: at(time.UTC, 2023, 1, 31, 10, 0), months: 1, loc: time.UTC,
			want: at(time.UTC, 2023, 2, 28, 10, 0),
		},
		{
			name:   "two_months_from_the_original_anchor",
			reason: "DESIGN invariant 8: Jan 31 → Mar 31 when counted from the original anchor, never the 28th/29th",
			expiry: at(time.UTC, 2024, 1, 31, 10, 0), months: 2, loc: time.UTC,
			want: at(time.UTC, 2024, 3, 31, 10, 0),
		},
		{
			name:   "thirty_first_into_thirty_day_month",
			reason: seedRenewal + ": renewed by month; Mar 31 clamps to Apr 30",
			expiry: at(time.UTC, 2024, 3, 31, 0, 0), months: 1, loc: time.UTC,
			want: at(time.UTC, 2024, 4, 30, 0, 0),
		},
		{
			name:   "mid_month_keeps_its_day",
			reason: seedRenewal + ": renewed by month; the 15th stays the 15th",
			expiry: at(time.UTC, 2024, 1, 15, 8, 30), months: 1, loc: time.UTC,
			want: at(time.UTC, 2024, 2, 15, 8, 30),
		},
		{
			name:   "year_wraps",
			reason: seedRenewal + ": renewed by month across the new year",
			expiry: at(time.UTC, 2023, 12, 31, 23, 59), months: 1, loc: time.UTC,
			want: at(time.UTC, 2024, 1, 31, 23, 59),
		},
		{
			name:   "year_wraps_by_fourteen_months",
			reason: "calendar arithmetic: 14 months from Nov 2023 is Jan 2025",
			expiry: at(time.UTC, 2023, 11, 30, 12, 0), months: 14, loc: time.UTC,
			want: at(time.UTC, 2025, 1, 30, 12, 0),
		},
		{
			name:   "leap_day_plus_a_year",
			reason: seedRenewal + ": a chosen period of 12 months from Feb 29 ends on Feb 28",
			expiry: at(time.UTC, 2024, 2, 29, 9, 0), months: 12, loc: time.UTC,
			want: at(time.UTC, 2025, 2, 28, 9, 0),
		},
		{
			name:   "leap_day_plus_four_years",
			reason: seedRenewal + ": a chosen period of 48 months from Feb 29 ends on Feb 29",
			expiry: at(time.UTC, 2024, 2, 29, 9, 0), months: 48, loc: time.UTC,
			want: at(time.UTC, 2028, 2, 29, 9, 0),
		},
		{
			name:   "max_months",
			reason: "MaxMonths is the longest period NextExpiry adds",
			expiry: at(time.UTC, 2024, 1, 31, 0, 0), months: MaxMonths, loc: time.UTC,
			want: at(time.UTC, 2124, 1, 31, 0, 0),
		},
		{
			name:   "zero_months_is_no_renewal",
			reason: "contract: months outside 1..MaxMonths leave the expiry where it is",
			expiry: at(time.UTC, 2024, 1, 31, 0, 0), months: 0, loc: time.UTC,
			want: at(time.UTC, 2024, 1, 31, 0, 0),
		},
		{
			name:   "negative_months_is_no_renewal",
			reason: "contract: months outside 1..MaxMonths leave the expiry where it is (never earlier)",
			expiry: at(time.UTC, 2024, 1, 31, 0, 0), months: -1, loc: time.UTC,
			want: at(time.UTC, 2024, 1, 31, 0, 0),
		},
		{
			name:   "beyond_max_months_is_no_renewal",
			reason: "contract: months outside 1..MaxMonths leave the expiry where it is",
			expiry: at(time.UTC, 2024, 1, 31, 0, 0), months: MaxMonths + 1, loc: time.UTC,
			want: at(time.UTC, 2024, 1, 31, 0, 0),
		},
		{
			name:   "nil_location_is_utc",
			reason: "contract: a nil loc means UTC; the day is read in UTC, not in the value's own zone",
			// 2024-01-31 20:00 in New York is Feb 1 01:00 UTC.
			expiry: at(ny, 2024, 1, 31, 20, 0), months: 1, loc: nil,
			want: at(time.UTC, 2024, 3, 1, 1, 0),
		},
		{
			name:   "day_is_read_in_the_account_zone",
			reason: seedRenewal + ": the expiry date is the account's; 16:30 UTC Jan 31 is Feb 1 in Shanghai",
			expiry: time.Date(2024, 1, 31, 16, 30, 0, 0, time.UTC), months: 1, loc: sh,
			want: at(sh, 2024, 3, 1, 0, 30),
		},
		{
			name:   "spring_forward_keeps_wall_clock",
			reason: "DST: 10:00 EST stays 10:00 EDT across the March change (one hour less elapsed)",
			expiry: at(ny, 2024, 2, 10, 10, 0), months: 1, loc: ny,
			want: time.Date(2024, 3, 10, 14, 0, 0, 0, time.UTC),
		},
		{
			name:   "skipped_wall_clock_moves_forward",
			reason: "DST: 02:30 does not exist on 2024-03-10 in New York; read with the EST offset it is 03:30 EDT",
			expiry: at(ny, 2024, 2, 10, 2, 30), months: 1, loc: ny,
			want: time.Date(2024, 3, 10, 7, 30, 0, 0, time.UTC),
		},
		{
			name:   "repeated_wall_clock_is_the_earlier",
			reason: "DST: 01:30 occurs twice on 2024-11-03 in New York; the first (EDT) is chosen",
			expiry: at(ny, 2024, 10, 3, 1, 30), months: 1, loc: ny,
			want: time.Date(2024, 11, 3, 5, 30, 0, 0, time.UTC),
		},
		{
			name:   "fall_back_keeps_wall_clock",
			reason: "DST: 10:00 EDT stays 10:00 EST across the November change (one hour more elapsed)",
			expiry: at(ny, 2024, 10, 3, 10, 0), months: 1, loc: ny,
			want: time.Date(2024, 11, 3, 15, 0, 0, 0, time.UTC),
		},
		{
			name:   "southern_hemisphere_dst_end",
			reason: "DST: Sydney leaves DST on 2024-04-07; 10:00 AEDT stays 10:00 AEST",
			expiry: at(syd, 2024, 3, 7, 10, 0), months: 1, loc: syd,
			want: time.Date(2024, 4, 7, 0, 0, 0, 0, time.UTC),
		},
		{
			name:   "half_hour_dst_gap",
			reason: "DST: Lord Howe skips 02:00–02:30 on 2024-10-06; 02:15 becomes 02:45",
			expiry: at(lhi, 2024, 9, 6, 2, 15), months: 1, loc: lhi,
			want: time.Date(2024, 10, 5, 15, 45, 0, 0, time.UTC),
		},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			got := NextExpiry(tc.expiry, tc.months, tc.loc)
			if !got.Equal(tc.want) {
				t.Errorf("NextExpiry(%s, %d) = %s, want %s\nreason: %s", tc.expiry, tc.months, got, tc.want.In(got.Location()), tc.reason)
			}
			wantLoc := tc.loc
			if wantLoc == nil {
				wantLoc = time.UTC
			}
			if got.Location() != wantLoc {
				t.Errorf("location = %v, want %v", got.Location(), wantLoc)
			}
		})
	}
}

func TestInstanceNextExpiryKeepsAnchor(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		expiry time.Time
		anchor int
		months int
		want   time.Time
	}{
		{
			name:   "hidden_month_end_comes_back",
			reason: "DESIGN invariant 8 / " + seedRenewal + ": Jan 31 → Feb 29 → Mar 31, never drifting to the 29th",
			expiry: at(time.UTC, 2024, 2, 29, 10, 0), anchor: 31, months: 1,
			want: at(time.UTC, 2024, 3, 31, 10, 0),
		},
		{
			name:   "hidden_thirtieth_comes_back",
			reason: "an instance bought on the 30th returns to the 30th after February",
			expiry: at(time.UTC, 2023, 2, 28, 10, 0), anchor: 30, months: 1,
			want: at(time.UTC, 2023, 3, 30, 10, 0),
		},
		{
			name:   "twenty_eighth_does_not_drift_up",
			reason: "an instance bought on the 28th stays on the 28th after a February ending on the 28th",
			expiry: at(time.UTC, 2023, 2, 28, 10, 0), anchor: 28, months: 1,
			want: at(time.UTC, 2023, 3, 28, 10, 0),
		},
		{
			name:   "zero_anchor_is_the_expiry_day",
			reason: "contract: AnchorDay 0 means the day of ExpiresAt",
			expiry: at(time.UTC, 2023, 2, 28, 10, 0), anchor: 0, months: 1,
			want: at(time.UTC, 2023, 3, 28, 10, 0),
		},
		{
			name:   "thirty_day_month_end_back_to_31",
			reason: "DESIGN invariant 8: Apr 30 anchored on the 31st renews to May 31",
			expiry: at(time.UTC, 2024, 4, 30, 0, 0), anchor: 31, months: 1,
			want: at(time.UTC, 2024, 5, 31, 0, 0),
		},
		{
			name:   "anchor_below_the_day_is_ignored",
			reason: "contract: an anchor that the expiry day contradicts (not a month-end clamp) is ignored",
			expiry: at(time.UTC, 2024, 1, 31, 0, 0), anchor: 15, months: 1,
			want: at(time.UTC, 2024, 2, 29, 0, 0),
		},
		{
			name:   "anchor_only_matters_at_month_end",
			reason: "contract: the anchor matters only when the expiry is the last day of a shorter month",
			expiry: at(time.UTC, 2024, 3, 20, 0, 0), anchor: 31, months: 1,
			want: at(time.UTC, 2024, 4, 20, 0, 0),
		},
		{
			name:   "anchor_out_of_range_is_ignored",
			reason: "contract: an anchor outside 1..31 means the expiry's own day",
			expiry: at(time.UTC, 2024, 2, 29, 0, 0), anchor: 32, months: 1,
			want: at(time.UTC, 2024, 3, 29, 0, 0),
		},
		{
			name:   "anchor_with_several_months",
			reason: seedRenewal + ": a chosen 3-month period from Feb 29 anchored on the 31st ends May 31",
			expiry: at(time.UTC, 2024, 2, 29, 0, 0), anchor: 31, months: 3,
			want: at(time.UTC, 2024, 5, 31, 0, 0),
		},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := Instance{ExpiresAt: tc.expiry, AnchorDay: tc.anchor}
			if got := in.NextExpiry(tc.months, time.UTC); !got.Equal(tc.want) {
				t.Errorf("NextExpiry = %s, want %s\nreason: %s", got, tc.want, tc.reason)
			}
		})
	}
}

func TestLocalTimeMidnightGap(t *testing.T) {
	scl := zone(t, "America/Santiago")
	hav := zone(t, "America/Havana")
	tests := []struct {
		name   string
		reason string
		day    time.Time
		loc    *time.Location
		want   time.Time
	}{
		{
			name:   "skipped_midnight_starts_at_one",
			reason: "DST: Santiago skips 00:00–01:00 on 2024-09-08, so the day starts at 01:00 -03",
			day:    time.Date(2024, 9, 8, 12, 0, 0, 0, scl), loc: scl,
			want: time.Date(2024, 9, 8, 4, 0, 0, 0, time.UTC),
		},
		{
			name:   "repeated_midnight_is_the_first",
			reason: "DST: Havana repeats 00:00–01:00 on 2024-11-03; the day starts at the first 00:00 (-04)",
			day:    time.Date(2024, 11, 3, 12, 0, 0, 0, hav), loc: hav,
			want: time.Date(2024, 11, 3, 4, 0, 0, 0, time.UTC),
		},
		{
			name:   "ordinary_midnight",
			reason: "an ordinary day starts at 00:00 local",
			day:    time.Date(2024, 9, 9, 12, 0, 0, 0, scl), loc: scl,
			want: time.Date(2024, 9, 9, 3, 0, 0, 0, time.UTC),
		},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			if got := startOfDay(tc.day, tc.loc); !got.Equal(tc.want) {
				t.Errorf("startOfDay = %s, want %s", got, tc.want.In(tc.loc))
			}
		})
	}
}

// propZones are the zones the properties draw from: no DST, DST both
// hemispheres, half-hour DST, midnight DST changes, a skipped day (Apia,
// 2011-12-30) and odd offsets.
var propZones = []string{
	"UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Sydney",
	"Australia/Lord_Howe", "America/Santiago", "America/Havana", "Pacific/Apia",
	"Asia/Kathmandu", "Pacific/Chatham",
}

func genLoc(t *rapid.T) *time.Location {
	name := rapid.SampledFrom(propZones).Draw(t, "zone")
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// genTime draws an instant between 1970 and 2100 (where the zones have
// real rules) as a wall-clock time in loc.
func genTime(t *rapid.T, loc *time.Location, label string) time.Time {
	y := rapid.IntRange(1970, 2100).Draw(t, label+"_year")
	m := time.Month(rapid.IntRange(1, 12).Draw(t, label+"_month"))
	d := rapid.IntRange(1, calendar.DaysIn(y, m)).Draw(t, label+"_day")
	h := rapid.IntRange(0, 23).Draw(t, label+"_hour")
	mi := rapid.SampledFrom([]int{0, 15, 30, 45, 59}).Draw(t, label+"_minute")
	return time.Date(y, m, d, h, mi, 0, 0, loc)
}

func TestNextExpiryProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := genLoc(t)
		e := genTime(t, loc, "expiry")
		m1 := rapid.IntRange(1, 240).Draw(t, "m1")
		m2 := rapid.IntRange(m1+1, 241).Draw(t, "m2")

		n1 := NextExpiry(e, m1, loc)
		n2 := NextExpiry(e, m2, loc)
		if !n1.After(e) {
			t.Fatalf("NextExpiry(%s, %d) = %s is not after the expiry", e, m1, n1)
		}
		if !n2.After(n1) {
			t.Fatalf("not monotone in months: %d → %s, %d → %s", m1, n1, m2, n2)
		}
		if z, n := NextExpiry(e, 0, loc), NextExpiry(e, -m1, loc); !z.Equal(e) || !n.Equal(e) {
			t.Fatalf("a non-positive period moved the expiry")
		}

		// The result is the target wall-clock time: same clock, day the
		// expiry's or the target month's last day. When that time is
		// skipped by a clock change, it lands after it, within a day.
		y, m, d := e.Date()
		ty, tm, td := calendar.AddMonths(y, m, d, m1)
		hh, mm, ss := e.Clock()
		want := time.Date(ty, tm, td, hh, mm, ss, 0, time.UTC)
		got := civil(n1)
		if !got.Equal(want) {
			back := time.Date(ty, tm, td, hh, mm, ss, 0, loc)
			exists := civil(back).Equal(want)
			if exists || !got.After(want) || got.Sub(want) > 25*time.Hour {
				t.Fatalf("NextExpiry(%s, %d) = %s, want wall clock %s", e, m1, n1, want.Format("2006-01-02 15:04"))
			}
		}

		// Monotone in the expiry's date at a fixed time of day.
		e2 := genTime(t, loc, "later")
		e2 = time.Date(e2.Year(), e2.Month(), e2.Day(), hh, mm, ss, 0, loc)
		if !civil(e2).Before(civil(e)) && e2.Hour() == hh && e2.Minute() == mm {
			if NextExpiry(e2, m1, loc).Before(n1) {
				t.Fatalf("not monotone in the date: %s → %s but %s → %s", e, n1, e2, NextExpiry(e2, m1, loc))
			}
		}
	})
}

// civil returns t's wall-clock reading as a UTC time, for comparing civil
// times.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	return time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), time.UTC)
}

func TestInstanceNextExpiryChainProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.SampledFrom([]string{"UTC", "Asia/Shanghai", "America/New_York", "Australia/Sydney", "Asia/Kathmandu"}).Draw(t, "zone")
		loc, _ := time.LoadLocation(name)
		y := rapid.IntRange(1990, 2090).Draw(t, "year")
		m := time.Month(rapid.IntRange(1, 12).Draw(t, "month"))
		anchor := rapid.IntRange(1, 31).Draw(t, "anchor")
		hour := rapid.IntRange(4, 20).Draw(t, "hour") // clear of DST changes
		start := time.Date(y, m, min(anchor, calendar.DaysIn(y, m)), hour, 0, 0, 0, loc)
		in := Instance{ExpiresAt: start, AnchorDay: anchor}
		steps := rapid.IntRange(1, 30).Draw(t, "steps")
		for k := 1; k <= steps; k++ {
			a, _ := in.anchor(loc)
			next := in.NextExpiry(1, loc)
			if !next.After(in.ExpiresAt) {
				t.Fatalf("step %d: %s is not after %s", k, next, in.ExpiresAt)
			}
			ny, nm, nd := next.Date()
			if nd != min(anchor, calendar.DaysIn(ny, nm)) {
				t.Fatalf("step %d: day %d, want anchor %d or the month's last day", k, nd, anchor)
			}
			if next.Hour() != hour {
				t.Fatalf("step %d: hour %d, want %d", k, next.Hour(), hour)
			}
			in.ExpiresAt, in.AnchorDay = next, a
			if anchor <= calendar.DaysIn(y, m) {
				// Step by step equals counting from the original anchor.
				if direct := NextExpiry(start, k, loc); !direct.Equal(next) {
					t.Fatalf("step %d: chained %s, direct %s", k, next, direct)
				}
			}
		}
	})
}

// FuzzNextExpiry feeds time-zone names, instants, periods and anchors to
// NextExpiry, Instance.NextExpiry and NextExpiryAnchored: they must not
// panic, must return a time in the zone, and, for real periods in years
// 1..9000, a later one.
func FuzzNextExpiry(f *testing.F) {
	// A month-end in a leap year.
	f.Add("UTC", int64(1706695200), int64(0), 1, 31)
	// A skipped hour in New York.
	f.Add("America/New_York", int64(1707550200), int64(0), 1, 0)
	// A repeated hour in New York.
	f.Add("America/New_York", int64(1727933400), int64(0), 1, 0)
	// Apia skipped 2011-12-30 entirely.
	f.Add("Pacific/Apia", int64(1322640000), int64(0), 1, 30)
	// Lord Howe changes by half an hour.
	f.Add("Australia/Lord_Howe", int64(1725553800), int64(999999999), 13, 6)
	// An unknown zone and absurd periods.
	f.Add("Mars/Olympus_Mons", int64(0), int64(0), 1<<40, -1)
	f.Add("Local", int64(-62135596800), int64(0), MaxMonths, 0)
	f.Add("", int64(253402300799), int64(0), -5, 99)
	f.Fuzz(func(t *testing.T, name string, sec, nsec int64, months, anchor int) {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return
		}
		e := time.Unix(sec, nsec).In(loc)
		got := NextExpiry(e, months, loc)
		gotA := Instance{ExpiresAt: e, AnchorDay: anchor}.NextExpiry(months, loc)
		// An anchor clock drawn from the same inputs.
		c := ClockOf(time.Unix(sec/3, nsec).Add(time.Duration(anchor)*time.Minute), time.UTC)
		gotC := NextExpiryAnchored(e, anchor, c, months, loc)
		if got.Location() != loc || gotA.Location() != loc || gotC.Location() != loc {
			t.Fatalf("result not in %q", name)
		}
		if y := e.Year(); y < 1 || y > 9000 || months < 1 || months > MaxMonths {
			return
		}
		if !got.After(e) || !gotA.After(e) || !gotC.After(e) {
			t.Fatalf("NextExpiry(%s, %d) = %s / anchored %d: %s / at %s: %s, not after", e, months, got, anchor, gotA, c, gotC)
		}
	})
}
