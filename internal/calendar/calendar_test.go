package calendar

import (
	"testing"
	"time"
	_ "time/tzdata" // zones in tests, whatever the machine has

	"pgregory.net/rapid"
)

func TestDaysIn(t *testing.T) {
	for _, tc := range []struct {
		name string
		y    int
		m    time.Month
		want int
	}{
		{"january", 2023, time.January, 31},
		{"february", 2023, time.February, 28},
		{"leap_february", 2024, time.February, 29},
		{"century_february", 1900, time.February, 28},
		{"leap_century_february", 2000, time.February, 29},
		{"april", 2024, time.April, 30},
		{"december", 2024, time.December, 31},
		{"year_zero_february", 0, time.February, 29},
	} {
		if got := DaysIn(tc.y, tc.m); got != tc.want {
			t.Errorf("%s: DaysIn(%d, %v) = %d, want %d", tc.name, tc.y, tc.m, got, tc.want)
		}
	}
}

func TestAddMonths(t *testing.T) {
	const (
		seedKingsoftRenewal = "004_436d555c5a6b9a35.txt"
		arithmetic          = "year and month arithmetic"
	)
	for _, tc := range []struct {
		name, reason string
		y, d, n      int
		m            time.Month
		wantY, wantD int
		wantM        time.Month
	}{
		{"next_month", seedKingsoftRenewal + ": renewed by month, same day", 2024, 15, 1, time.January, 2024, 15, time.February},
		{"into_december", arithmetic, 2024, 1, 11, time.January, 2024, 1, time.December},
		{"year_end", arithmetic, 2024, 1, 12, time.December, 2025, 1, time.December},
		{"past_year_end", arithmetic, 2024, 1, 13, time.December, 2026, 1, time.January},
		{"back_to_december", arithmetic, 2024, 1, -1, time.January, 2023, 1, time.December},
		{"back_over_a_year", arithmetic, 2024, 1, -13, time.January, 2022, 1, time.December},
		{"before_year_zero", arithmetic, 0, 1, -1, time.January, -1, 1, time.December},
		{"negative_year", arithmetic, -5, 1, 0, time.March, -5, 1, time.March},
		{"clamp_to_leap_february", seedKingsoftRenewal + ": a month-end renewal ends on the last day of February", 2024, 31, 1, time.January, 2024, 29, time.February},
		{"clamp_to_february", "a month-end clamps to February 28 outside leap years", 2023, 31, 1, time.January, 2023, 28, time.February},
		{"month_end_six_months", "Aug 31 + 6 months is the end of February, not March", 2024, 31, 6, time.August, 2025, 28, time.February},
		{"clamp_to_thirty", "a month of 30 days clamps the 31st", 2024, 31, 1, time.March, 2024, 30, time.April},
		{"no_clamp_needed", "counting from the original day never drifts", 2024, 31, 2, time.January, 2024, 31, time.March},
		{"zero_clamps_in_place", "no move still clamps the day to the month", 2024, 31, 0, time.February, 2024, 29, time.February},
		{"anchor_beyond_month", seedKingsoftRenewal + ": an anchor hidden by a clamp comes back", 2024, 31, 1, time.February, 2024, 31, time.March},
	} {
		y, m, d := AddMonths(tc.y, tc.m, tc.d, tc.n)
		if y != tc.wantY || m != tc.wantM || d != tc.wantD {
			t.Errorf("%s: AddMonths(%d, %v, %d, %d) = %d %v %d, want %d %v %d (%s)", tc.name,
				tc.y, tc.m, tc.d, tc.n, y, m, d, tc.wantY, tc.wantM, tc.wantD, tc.reason)
		}
	}
}

// TestAddMonthsProperties checks AddMonths against a slow reference that
// walks one month at a time.
func TestAddMonthsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		y := rapid.IntRange(-3000, 3000).Draw(t, "year")
		m := time.Month(rapid.IntRange(1, 12).Draw(t, "month"))
		d := rapid.IntRange(1, 31).Draw(t, "day")
		n := rapid.IntRange(-400, 400).Draw(t, "months")

		ry, rm := y, m
		for k := 0; k < n; k++ {
			if rm++; rm > time.December {
				ry, rm = ry+1, time.January
			}
		}
		for k := 0; k > n; k-- {
			if rm--; rm < time.January {
				ry, rm = ry-1, time.December
			}
		}
		last := time.Date(ry, rm, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, -1).Day()
		rd := d
		if rd > last {
			rd = last
		}
		if gy, gm, gd := AddMonths(y, m, d, n); gy != ry || gm != rm || gd != rd {
			t.Fatalf("AddMonths(%d, %v, %d, %d) = %d %v %d, want %d %v %d", y, m, d, n, gy, gm, gd, ry, rm, rd)
		}
		if last != DaysIn(ry, rm) {
			t.Fatalf("DaysIn(%d, %v) = %d, want %d", ry, rm, DaysIn(ry, rm), last)
		}
	})
}

func TestMonthsLater(t *testing.T) {
	const (
		seedKakao  = "003_b4fbba3f981e0ca6.txt"
		seedGuance = "002_974120889ed2e661.txt"
	)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name, reason string
		in           time.Time
		n            int
		want         time.Time
	}{
		{"month_end_into_leap_february", "the last day of February in a leap year; clock kept", utc(2024, 1, 31, 5), 1, utc(2024, 2, 29, 5)},
		{"month_end_into_february", "the last day of February", utc(2023, 1, 31, 0), 1, utc(2023, 2, 28, 0)},
		{"six_months", "not Mar 3 as AddDate gives", utc(2024, 8, 31, 0), 6, utc(2025, 2, 28, 0)},
		{"three_months", seedKakao + ": listed for three months", utc(2024, 3, 15, 0), 3, utc(2024, 6, 15, 0)},
		{"thirtieth_into_february", seedKakao + ": three months from Nov 30 end on Feb 28", utc(2024, 11, 30, 0), 3, utc(2025, 2, 28, 0)},
		{"five_years", seedKakao + ": paid credits are valid 5 years from purchase", utc(2024, 12, 31, 0), 60, utc(2029, 12, 31, 0)},
		{"leap_day_five_years", seedKakao + ": bought on Feb 29, valid until Feb 28", utc(2024, 2, 29, 12), 60, utc(2029, 2, 28, 12)},
		{"twelve_months", seedGuance + ": a card's validity in months", utc(2024, 5, 31, 10), 12, utc(2025, 5, 31, 10)},
		{"back", "negative months move back", utc(2024, 3, 31, 0), -1, utc(2024, 2, 29, 0)},
		{"zero", "no move", utc(2024, 3, 31, 7), 0, utc(2024, 3, 31, 7)},
		{"location_kept", "the wall clock in t's location is kept", time.Date(2024, 1, 31, 23, 59, 59, 999, shanghai), 1, time.Date(2024, 2, 29, 23, 59, 59, 999, shanghai)},
	} {
		got := MonthsLater(tc.in, tc.n)
		if !got.Equal(tc.want) || got.Location() != tc.want.Location() {
			t.Errorf("%s: MonthsLater(%v, %d) = %v, want %v (%s)", tc.name, tc.in, tc.n, got, tc.want, tc.reason)
		}
	}
}

// TestMonthsLaterProperties checks that, in zones without daylight saving,
// MonthsLater moves the civil date as AddMonths does and keeps the clock.
func TestMonthsLaterProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom([]*time.Location{time.UTC, time.FixedZone("X", -(9*3600 + 30*60)), time.FixedZone("Y", 14*3600)}).Draw(t, "loc")
		in := time.Date(rapid.IntRange(1, 9999).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
			rapid.IntRange(1, 31).Draw(t, "day"), rapid.IntRange(0, 23).Draw(t, "hour"), rapid.IntRange(0, 59).Draw(t, "minute"),
			rapid.IntRange(0, 59).Draw(t, "second"), rapid.IntRange(0, 999999999).Draw(t, "nanosecond"), loc)
		n := rapid.IntRange(-240, 240).Draw(t, "months")

		got := MonthsLater(in, n)
		y, m, d := AddMonths(in.Year(), in.Month(), in.Day(), n)
		want := time.Date(y, m, d, in.Hour(), in.Minute(), in.Second(), in.Nanosecond(), loc)
		if !got.Equal(want) || got.Location() != loc {
			t.Fatalf("MonthsLater(%v, %d) = %v, want %v", in, n, got, want)
		}
	})
}

// TestMonthsLaterKeepsTheDayAcrossASkippedClockTime: in America/Asuncion
// the clocks went from 00:00 to 01:00 on 1990-10-01, so a clock time read
// on the first of the month must not move the result to the day before.
func TestMonthsLaterKeepsTheDayAcrossASkippedClockTime(t *testing.T) {
	loc, err := time.LoadLocation("America/Asuncion")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(1990, time.September, 15, 0, 0, 0, 0, loc)
	got := MonthsLater(start, 1)
	if y, m, d := got.Date(); y != 1990 || m != time.October || d != 15 || got.Hour() != 0 {
		t.Errorf("MonthsLater(%v, 1) = %v, want 1990-10-15 00:00", start, got)
	}
}
