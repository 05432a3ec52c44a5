package problems

import (
	"slices"
	"testing"
	"time"
)

func TestAdd(t *testing.T) {
	var l List
	l.Add("id is empty")
	l.Add("amount %s must be positive", "-1")
	l.Add("tier %d: %q", 2, "x")
	if want := (List{"id is empty", "amount -1 must be positive", `tier 2: "x"`}); !slices.Equal(l, want) {
		t.Errorf("List = %q, want %q", l, want)
	}
}

func TestCall(t *testing.T) {
	at := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	const zero = "the zero Card is not a card"
	for _, tc := range []struct {
		name string
		id   string
		at   time.Time
		more []string
		want List
	}{
		{"none", "c1", at, nil, nil},
		{"zero_receiver", "", at, nil, List{zero}},
		{"zero_instant", "c1", time.Time{}, nil, List{"instant is zero"}},
		{"more_only", "c1", at, []string{"amount 0 must be positive"}, List{"amount 0 must be positive"}},
		{"all_in_order", "", time.Time{}, []string{"a", "b"}, List{zero, "instant is zero", "a", "b"}},
	} {
		got := Call(tc.id, zero, tc.at, tc.more...)
		if !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("%s: Call = %q, want %q", tc.name, got, tc.want)
		}
	}
}
