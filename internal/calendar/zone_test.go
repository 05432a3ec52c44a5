package calendar

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// zoneNames are real zones with month ends, leap days and daylight-saving
// changes of every kind (Havana skips midnight, Lord Howe moves by 30
// minutes, Santiago is in the southern hemisphere).
var zoneNames = []string{
	"UTC", "Asia/Shanghai", "Asia/Seoul", "America/New_York", "America/Havana",
	"America/Santiago", "Europe/London", "Australia/Lord_Howe",
}

func loadZone(t interface{ Fatal(...any) }, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestMonthsLaterInIgnoresAttachedLocation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := time.Unix(rapid.Int64Range(946684800, 4102444800).Draw(t, "unix"), 0) // 2000–2100
		n := rapid.IntRange(-120, 120).Draw(t, "months")
		loc := loadZone(t, rapid.SampledFrom(zoneNames).Draw(t, "zone"))
		want := MonthsLaterIn(at.UTC(), n, loc)
		for _, name := range rapid.SliceOfN(rapid.SampledFrom(zoneNames), 3, 3).Draw(t, "attached") {
			if got := MonthsLaterIn(at.In(loadZone(t, name)), n, loc); !got.Equal(want) || got.Location() != want.Location() {
				t.Fatalf("MonthsLaterIn(%v in %s, %d, %s) = %v; in UTC it gives %v", at, name, n, loc, got, want)
			}
		}
	})
}

func TestMonthsLaterInCountsInTheZone(t *testing.T) {
	seoul := loadZone(t, "Asia/Seoul")
	// 2024-02-28 20:00 UTC is Feb 29 05:00 in Seoul: five years on is
	// Feb 28 05:00 KST there (clamped), but Feb 28 20:00 counted in UTC.
	bought := time.Date(2024, 2, 28, 20, 0, 0, 0, time.UTC)
	if got, want := MonthsLaterIn(bought, 60, seoul), time.Date(2029, 2, 27, 20, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("in Seoul: %v; want %v", got, want)
	}
	if got, want := MonthsLaterIn(bought.In(seoul), 60, nil), time.Date(2029, 2, 28, 20, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("nil location: %v; want %v in UTC", got, want)
	}
}
