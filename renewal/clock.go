package renewal

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Clock is a time of day on the account's wall clock, from 00:00 up to
// 23:59:59.999999999: the time of day a subscription renews at
// ([Instance].AnchorClock). It is a comparable value.
//
// The zero Clock is no time of day ("not set"), so midnight, a common
// anchor, is told apart from it: ParseClock("00:00") is not the zero Clock.
//
// Its text form (String, MarshalText, ParseClock) is "15:04:05", followed by
// a fraction of a second without trailing zeros when there is one
// ("09:30:00.25"); the zero Clock is the empty string.
type Clock struct {
	ns int64 // nanoseconds since midnight, plus one; 0 means not set
}

// ClockOf returns the wall-clock time of day of t read in loc (nil means
// UTC). The Location attached to t does not matter.
func ClockOf(t time.Time, loc *time.Location) Clock {
	if loc == nil {
		loc = time.UTC
	}
	h, m, s := t.In(loc).Clock()
	return Clock{ns: int64(h)*int64(time.Hour) + int64(m)*int64(time.Minute) +
		int64(s)*int64(time.Second) + int64(t.Nanosecond()) + 1}
}

// ParseClock parses a time of day written "15:04", "15:04:05" or
// "15:04:05.999999999" (two digits for hours 00–23, minutes and seconds
// 00–59, one to nine digits of fraction). The empty string is the zero
// Clock. Anything else is an error wrapping [ErrInvalid] that quotes the
// input.
func ParseClock(s string) (Clock, error) {
	if s == "" {
		return Clock{}, nil
	}
	bad := func() (Clock, error) {
		return Clock{}, fmt.Errorf("%w: time of day %q: want hh:mm, hh:mm:ss or hh:mm:ss.fraction (00:00 to 23:59:59.999999999)", ErrInvalid, s)
	}
	main, frac, hasFrac := strings.Cut(s, ".")
	parts := strings.Split(main, ":")
	if len(parts) < 2 || len(parts) > 3 || hasFrac && len(parts) != 3 {
		return bad()
	}
	limits := [...]int64{24, 60, 60}
	var ns int64
	units := [...]time.Duration{time.Hour, time.Minute, time.Second}
	for k, p := range parts {
		v, ok := digits(p, 2, 2)
		if !ok || v >= limits[k] {
			return bad()
		}
		ns += v * int64(units[k])
	}
	if hasFrac {
		v, ok := digits(frac, 1, 9)
		if !ok {
			return bad()
		}
		for range 9 - len(frac) {
			v *= 10
		}
		ns += v
	}
	return Clock{ns: ns + 1}, nil
}

// digits parses s as a non-negative decimal of min to max ASCII digits.
func digits(s string, min, max int) (int64, bool) {
	if len(s) < min || len(s) > max {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// IsZero reports whether c is the zero Clock (not set).
func (c Clock) IsZero() bool { return c.ns == 0 }

// Equal reports whether c and d are the same time of day (or both not
// set); it is c == d, and lets go-cmp compare values holding a Clock.
func (c Clock) Equal(d Clock) bool { return c == d }

// String returns c as "15:04:05" or "15:04:05.fraction" (see [Clock]), or ""
// for the zero Clock.
func (c Clock) String() string {
	if c.IsZero() {
		return ""
	}
	h, m, s, ns := c.parts()
	out := fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	if ns != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%09d", ns), "0")
	}
	return out
}

// MarshalText returns c's text form (see [Clock.String]).
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText sets c from its text form, as [ParseClock] reads it.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// parts returns c's hour, minute, second and nanosecond (all zero for the
// zero Clock).
func (c Clock) parts() (h, m, s, ns int) {
	if c.IsZero() {
		return 0, 0, 0, 0
	}
	d := time.Duration(c.ns - 1)
	return int(d / time.Hour), int(d % time.Hour / time.Minute), int(d % time.Minute / time.Second), int(d % time.Second)
}
