package renewal

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestDue(t *testing.T) {
	now := at(shanghai, 2024, 3, 15, 0, 30)
	mk := func(id string, edit func(*Instance)) Instance {
		in := kec(id, at(shanghai, 2024, 3, 15, 10, 0))
		if edit != nil {
			edit(&in)
		}
		return in
	}
	instances := []Instance{
		mk("z-late", func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 3, 15, 23, 0) }),
		mk("b-due", nil),
		mk("trial", func(i *Instance) { i.Kind = Trial }),
		mk("one-time", func(i *Instance) { i.Kind = OneTime }),
		mk("kad", func(i *Instance) { i.Product, i.Renewable = "KAD", false }),
		mk("manual", func(i *Instance) { i.Policy = Manual }),
		mk("blocked", func(i *Instance) { i.Status, i.AutoBlocked = Expired, true }),
		mk("tomorrow", func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 3, 16, 10, 0) }),
		mk("gone", func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 3, 15, 0, 10) }),
		mk("a-due", nil),
		mk("early", func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 3, 15, 1, 0) }),
	}
	orig := slices.Clone(instances)
	got := Due(instances, now, shanghai)
	var ids []string
	for _, in := range got {
		ids = append(ids, in.ID)
	}
	// Renewal order: ExpiresAt, then ID (004_436d555c5a6b9a35.txt only says
	// "on their expiration date"; the order is ours and documented).
	want := []string{"early", "a-due", "b-due", "z-late"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("Due ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(orig, instances); diff != "" {
		t.Errorf("Due changed its input (-want +got):\n%s", diff)
	}
	if got[1] != instances[9] {
		t.Errorf("Due returned %+v, want a copy of the input instance", got[1])
	}
	if Due(nil, now, shanghai) != nil || Due(instances[2:9], now, shanghai) != nil {
		t.Error("Due with nothing due is not nil")
	}
}

// genInstance draws an instance of any kind, renewability, policy and
// status, expiring at one of a few instants around base so that equal
// expiries are common.
func genInstance(t *rapid.T, id string, base time.Time) Instance {
	return Instance{
		ID:          id,
		Product:     rapid.SampledFrom([]string{"KEC", "KRDS", "KAD"}).Draw(t, id+"_product"),
		Kind:        rapid.SampledFrom([]Kind{"", Standard, Standard, Trial, OneTime}).Draw(t, id+"_kind"),
		Renewable:   rapid.IntRange(0, 3).Draw(t, id+"_renewable") > 0,
		Policy:      rapid.SampledFrom([]Policy{"", Manual, Auto, Auto, Auto}).Draw(t, id+"_policy"),
		Status:      rapid.SampledFrom([]Status{"", Active, Active, Expired, "released"}).Draw(t, id+"_status"),
		AutoBlocked: rapid.IntRange(0, 4).Draw(t, id+"_blocked") == 0,
		ExpiresAt:   base.Add(time.Duration(rapid.IntRange(-4, 40).Draw(t, id+"_hours")) * time.Hour),
	}
}

func genInstances(t *rapid.T, base time.Time) []Instance {
	n := rapid.IntRange(0, 12).Draw(t, "n")
	out := make([]Instance, n)
	for k := range out {
		out[k] = genInstance(t, fmt.Sprintf("i-%02d", rapid.IntRange(0, 99).Draw(t, "id")), base)
		for slices.ContainsFunc(out[:k], func(o Instance) bool { return o.ID == out[k].ID }) {
			out[k].ID += "x"
		}
	}
	return out
}

func TestDueProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := genLoc(t)
		base := time.Date(2024, 3, 15, 0, 0, 0, 0, loc)
		instances := genInstances(t, base)
		now := base.Add(time.Duration(rapid.IntRange(-2*60, 48*60).Draw(t, "minutes")) * time.Minute)
		orig := slices.Clone(instances)

		got := Due(instances, now, loc)
		if diff := cmp.Diff(orig, instances); diff != "" {
			t.Fatalf("Due changed its input:\n%s", diff)
		}
		for k, in := range got {
			switch {
			case in.Kind == Trial, in.Kind == OneTime:
				t.Fatalf("Due returned %s instance %s", in.Kind, in.ID)
			case !in.Renewable:
				t.Fatalf("Due returned non-renewable %s", in.ID)
			case in.AutoBlocked:
				t.Fatalf("Due returned blocked %s", in.ID)
			case in.Policy != Auto:
				t.Fatalf("Due returned %q-policy %s", in.Policy, in.ID)
			case in.Status != "" && in.Status != Active:
				t.Fatalf("Due returned %q %s", in.Status, in.ID)
			case !now.Before(in.ExpiresAt):
				t.Fatalf("Due returned %s, expired at %s (now %s)", in.ID, in.ExpiresAt, now)
			case now.Before(startOfDay(in.ExpiresAt.Add(-time.Nanosecond), loc)):
				t.Fatalf("Due returned %s before its expiry date", in.ID)
			}
			if k > 0 {
				p := got[k-1]
				if c := p.ExpiresAt.Compare(in.ExpiresAt); c > 0 || c == 0 && p.ID >= in.ID {
					t.Fatalf("not in renewal order: %s (%s) before %s (%s)", p.ID, p.ExpiresAt, in.ID, in.ExpiresAt)
				}
			}
		}
		// Exactly the instances DueAt accepts.
		n := 0
		for _, in := range instances {
			if in.DueAt(now, loc) {
				n++
			}
		}
		if n != len(got) {
			t.Fatalf("Due returned %d instances, DueAt accepts %d", len(got), n)
		}
		// The input order does not matter.
		perm := rapid.Permutation(instances).Draw(t, "perm")
		if diff := cmp.Diff(got, Due(perm, now, loc)); diff != "" {
			t.Fatalf("Due depends on input order (-first +permuted):\n%s", diff)
		}
	})
}
