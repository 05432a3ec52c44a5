package renewal

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestInstanceJSON(t *testing.T) {
	in := Instance{ID: "i-1", Product: "KEC", Kind: Standard, Renewable: true, Policy: Auto,
		Status: Expired, ExpiresAt: time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC),
		PeriodMonths: 1, AnchorDay: 31, AnchorClock: clock("10:00"), AutoBlocked: true}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":1,"id":"i-1","product":"KEC","kind":"standard","renewable":true,"policy":"auto","status":"expired","expires_at":"2024-02-29T10:00:00Z","period_months":1,"anchor_day":31,"anchor_clock":"10:00:00","auto_blocked":true}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
	var back Instance
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	b, _ = json.Marshal(Instance{ID: "z", Product: "P", ExpiresAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if want := `{"version":1,"id":"z","product":"P","renewable":false,"expires_at":"2024-01-01T00:00:00Z"}`; string(b) != want {
		t.Errorf("zero fields are omitted: %s, want %s", b, want)
	}
	// Midnight is an anchor, not the absence of one.
	b, _ = json.Marshal(Instance{ID: "z", Product: "P", ExpiresAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), AnchorClock: clock("00:00")})
	if !strings.Contains(string(b), `"anchor_clock":"00:00:00"`) {
		t.Errorf("midnight anchor lost: %s", b)
	}

	// Instances stored before the form had a version still decode.
	old := `{"id":"i-1","product":"KEC","kind":"standard","renewable":true,"policy":"auto","status":"expired","expires_at":"2024-02-29T10:00:00Z","period_months":1,"anchor_day":31,"auto_blocked":true}`
	var fromOld Instance
	if err := json.Unmarshal([]byte(old), &fromOld); err != nil {
		t.Fatalf("unversioned form: %v", err)
	}
	in.AnchorClock = Clock{}
	if diff := cmp.Diff(in, fromOld); diff != "" {
		t.Errorf("unversioned form (-want +got):\n%s", diff)
	}
}

func TestInstanceJSONStrict(t *testing.T) {
	good := `"id":"i-1","product":"KEC","renewable":true,"expires_at":"2024-03-15T10:00:00+08:00"`
	tests := []struct {
		name     string
		reason   string
		json     string
		problems int
		says     string // a word the error must contain
	}{
		{"misspelt_field", "issue 16.1: a misspelt field must not be dropped silently",
			`{` + good + `,"anchr_day":31}`, 1, `"anchr_day": unknown field`},
		{"two_unknown_fields", "every problem is listed",
			`{` + good + `,"a":1,"b":2}`, 2, `"b"`},
		{"unknown_kind", "kinds are standard, trial, one_time", `{` + good + `,"kind":"lease"}`, 1, "unknown kind"},
		{"unknown_policy", "policies are auto and manual", `{` + good + `,"policy":"Auto"}`, 1, "unknown policy"},
		{"unknown_status", "a misspelt status would stop automatic renewals", `{` + good + `,"status":"activ"}`, 1, "unknown status"},
		{"bad_date", "expires_at is RFC 3339", `{"id":"i-1","product":"KEC","expires_at":"2024-02-30T10:00:00Z"}`, 1, "expires_at"},
		{"date_without_zone", "RFC 3339 needs an offset", `{"id":"i-1","product":"KEC","expires_at":"2024-02-01T10:00:00"}`, 1, "RFC 3339"},
		{"date_not_a_string", "a time is a string", `{"id":"i-1","product":"KEC","expires_at":1706781600}`, 1, "not a JSON string"},
		{"missing_expiry", "expires_at is required", `{"id":"i-1","product":"KEC"}`, 1, "zero expires_at"},
		{"bad_clock", "anchor_clock is a time of day", `{` + good + `,"anchor_clock":"24:00"}`, 1, "anchor_clock"},
		{"fractional_months", "period_months is a whole number", `{` + good + `,"period_months":1.5}`, 1, "whole number"},
		{"anchor_day_range", "anchor_day is 0..31", `{` + good + `,"anchor_day":32}`, 1, "anchor_day"},
		{"string_bool", "renewable is a JSON boolean", `{"id":"i-1","product":"KEC","renewable":"yes","expires_at":"2024-03-15T10:00:00Z"}`, 1, "true or false"},
		{"unknown_version", "a newer form is not guessed at", `{"version":2,` + good + `}`, 1, "version 2"},
		{"version_not_a_number", "a bad number is reported once", `{"version":"1",` + good + `}`, 1, "whole number"},
		{"negative_fraction", "a bad number is not reported again as out of range", `{` + good + `,"anchor_day":-1.5}`, 1, "whole number"},
		{"repeated_field", "a repeated field is ambiguous", `{` + good + `,"id":"i-2"}`, 1, "more than once"},
		{"not_an_object", "an instance is a JSON object", `[1]`, 1, "not a JSON object"},
		{"trailing_data", "one object only", `{` + good + `} {}`, 1, "more data"},
		{"everything_at_once", "every problem is listed, with the id",
			`{"version":3,"id":"i-9","kind":"x","policy":"y","status":"z","expires_at":"yesterday","anchor_clock":"noon","period_months":-1,"extra":0}`,
			9, `instance "i-9"`},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			before := kec("keep", expiry)
			in := before
			// Called directly: encoding/json rejects bad syntax (trailing
			// data) before it calls UnmarshalJSON, which checks it again.
			err := in.UnmarshalJSON([]byte(tc.json))
			checkWraps(t, "Unmarshal", err, []error{ErrInvalid})
			checkProblems(t, "Unmarshal", err, tc.problems)
			if err != nil && !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
			if diff := cmp.Diff(before, in); diff != "" {
				t.Errorf("a failed decode changed the instance:\n%s", diff)
			}
		})
	}
	// null leaves the instance as it is, as for encoding/json's own types.
	in := kec("keep", expiry)
	if err := json.Unmarshal([]byte(`null`), &in); err != nil || in.ID != "keep" {
		t.Errorf("null: %v, %+v", err, in)
	}
}

// genStoredInstance draws a valid instance: every field, expiries in several
// zones to the nanosecond, anchors set or not.
func genStoredInstance(t *rapid.T, id string) Instance {
	loc := loadZone(t, rapid.SampledFrom(dstZones).Draw(t, id+"_zone"))
	in := Instance{
		ID:           id,
		Product:      rapid.SampledFrom([]string{"KEC", "KRDS", "KAD", "产品", `a"b\c`}).Draw(t, id+"_product"),
		Kind:         rapid.SampledFrom([]Kind{"", Standard, Trial, OneTime}).Draw(t, id+"_kind"),
		Renewable:    rapid.Bool().Draw(t, id+"_renewable"),
		Policy:       rapid.SampledFrom([]Policy{"", Manual, Auto}).Draw(t, id+"_policy"),
		Status:       rapid.SampledFrom([]Status{"", Active, Expired, Released}).Draw(t, id+"_status"),
		ExpiresAt:    time.Unix(rapid.Int64Range(-2e9, 1e10).Draw(t, id+"_sec"), rapid.Int64Range(0, 999999999).Draw(t, id+"_nsec")).In(loc),
		PeriodMonths: rapid.IntRange(0, MaxMonths).Draw(t, id+"_period"),
		AnchorDay:    rapid.IntRange(0, 31).Draw(t, id+"_anchor_day"),
		AutoBlocked:  rapid.Bool().Draw(t, id+"_blocked"),
	}
	if rapid.Bool().Draw(t, id+"_has_clock") {
		in.AnchorClock = ClockOf(time.Unix(0, rapid.Int64Range(0, int64(24*time.Hour)-1).Draw(t, id+"_clock")), time.UTC)
	}
	return in
}

func TestInstanceJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genStoredInstance(t, "i")
		if err := in.Validate(); err != nil {
			t.Fatalf("generated an invalid instance: %v", err)
		}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var back Instance
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		// Equal field by field, the expiry by instant (a Location is not
		// part of RFC 3339), and encoding again gives the same bytes.
		if diff := cmp.Diff(in, back); diff != "" {
			t.Fatalf("round trip of %s (-want +got):\n%s", b, diff)
		}
		if b2, _ := json.Marshal(back); string(b2) != string(b) {
			t.Fatalf("encoding again:\n%s\n%s", b, b2)
		}
		_, off := in.ExpiresAt.Zone()
		if _, got := back.ExpiresAt.Zone(); off%60 == 0 && got != off || off%60 != 0 && got != 0 {
			t.Fatalf("offset: %s decoded as %s", in.ExpiresAt, back.ExpiresAt)
		}
	})
}

// FuzzInstanceJSON: decoding never panics; what decodes is valid and
// round-trips; what does not is an error wrapping ErrInvalid that leaves the
// instance unchanged.
func FuzzInstanceJSON(f *testing.F) {
	// The golden form, the unversioned form, and broken ones.
	f.Add(`{"version":1,"id":"i-1","product":"KEC","kind":"standard","renewable":true,"policy":"auto","status":"expired","expires_at":"2024-02-29T10:00:00Z","period_months":1,"anchor_day":31,"anchor_clock":"10:00:00","auto_blocked":true}`)
	f.Add(`{"id":"i-1","product":"KEC","renewable":true,"expires_at":"2024-03-10T01:00:00-04:00","anchor_clock":"00:00"}`)
	f.Add(`{"id":"i-1","product":"KEC","expires_at":"2024-02-30T10:00:00Z","anchr_day":1}`)
	f.Add(`{"id":"","id":"x","period_months":1e3,"anchor_clock":"23:59:59.999999999"}`)
	f.Add(`null`)
	f.Add(`[]`)
	f.Add(`{"id":"i","product":"P","expires_at":"9999-12-31T23:59:59.999999999+14:00"}`)
	f.Fuzz(func(t *testing.T, data string) {
		sentinel := kec("sentinel", expiry)
		in := sentinel
		err := json.Unmarshal([]byte(data), &in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !isSyntaxError(err) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			if diff := cmp.Diff(sentinel, in); diff != "" {
				t.Fatalf("failed decode changed the instance:\n%s", diff)
			}
			return
		}
		if strings.TrimSpace(data) == "null" {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("decoded an invalid instance from %s: %v", data, err)
		}
		b, err := json.Marshal(in)
		if err != nil {
			return // a year outside 0..9999 after an offset: encoding/json refuses it
		}
		var back Instance
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		if diff := cmp.Diff(in, back); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

// isSyntaxError reports whether encoding/json rejected the input before
// calling UnmarshalJSON (it checks the syntax of the whole input first).
func isSyntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || strings.HasPrefix(fmt.Sprint(err), "unexpected end of JSON input")
}
