package credit

import (
	"testing"
	"time"
)

func ids(cs []Credit) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID()+":"+string(c.Status()))
	}
	return out
}

func TestList(t *testing.T) {
	mk := func(id, group string, granted, until time.Time) Credit {
		p := freeParams()
		p.ID, p.Group, p.GrantedAt, p.ValidUntil = id, group, granted, until
		return mustFree(t, p)
	}
	usedAt := time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)
	a := mk("a", "main", t0, t0.AddDate(1, 0, 0))
	aUsed, err := a.Apply(used("a", "KRW", a.Remaining(), a.Remaining()), usedAt)
	if err != nil {
		t.Fatal(err)
	}
	b := mk("b", "main", t0, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) // expires Mar 1, never Expire()d
	c := mk("c", "dev", t0, t0.AddDate(1, 0, 0))
	future := mk("d", "main", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), t0.AddDate(2, 0, 0))
	pp := paidParams()
	pp.PurchasedAt = t0.AddDate(0, 0, -1)
	paid := mustPaid(t, pp)
	monthEnd := mk("e", "main", t0, t0.AddDate(1, 0, 0))
	recovered, err := monthEnd.Recover(time.Date(2024, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	all := []Credit{paid, future, c, b, aUsed, {}}
	tests := []struct {
		name   string
		creds  []Credit
		group  string
		at     time.Time
		want   []string
		reason string
	}{
		{"all_listed", all, "main", usedAt, []string{"b:available", "a:used_up", "p1:available"}, "free before paid, by end of usage period; only group main; future grants hidden"},
		{"every_group", all, "", usedAt, []string{"b:available", "a:used_up", "c:available", "p1:available"}, "empty group lists every group"},
		{"expired_shown_as_expired", all, "main", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), []string{"b:expired", "a:used_up", "p1:available"}, seedKakao + ": a credit past its usage period shows as expired"},
		{"zero_kept_under_3_months", all, "main", usedAt.AddDate(0, 3, 0).Add(-time.Second), []string{"b:expired", "a:used_up", "p1:available"}, seedKakao + ": zero-remaining credits are listed for up to three months"},
		{"zero_hidden_at_3_months", all, "main", usedAt.AddDate(0, 3, 0), []string{"b:expired", "p1:available"}, seedKakao + ": … and not after (used up Feb 10, gone May 10)"},
		{"expired_hidden_at_3_months", all, "main", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), []string{"d:available", "p1:available"}, seedKakao + ": expired Mar 1, gone Jun 1; d granted Jun 1 appears"},
		{"month_end_clamped_before", []Credit{recovered}, "main", time.Date(2025, 2, 27, 23, 0, 0, 0, time.UTC), []string{"e:recovered"}, "recovered Nov 30: three months later is Feb 28"},
		{"month_end_clamped_at", []Credit{recovered}, "main", time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC), nil, "recovered Nov 30: hidden from Feb 28, not Mar 2"},
		{"nothing", nil, "main", usedAt, nil, "no credits, empty list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(List(tt.creds, tt.group, tt.at, time.UTC))
			if len(got) != len(tt.want) {
				t.Fatalf("List = %v; want %v (%s)", got, tt.want, tt.reason)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("List = %v; want %v (%s)", got, tt.want, tt.reason)
				}
			}
		})
	}
	if b.Status() != Available {
		t.Error("List changed a credit")
	}
	// Sorting ties on the end of usage period fall back to the id.
	x := mk("x", "main", t0, t0.AddDate(0, 6, 0))
	y := mk("w", "main", t0, t0.AddDate(0, 6, 0))
	if got := ids(List([]Credit{x, y}, "main", t0, nil)); got[0] != "w:available" {
		t.Errorf("tie order %v; want by id", got)
	}
}

func TestWallet(t *testing.T) {
	p := freeParams()
	p.Group = "dev"
	w := Wallet([]Credit{mustFree(t, freeParams()), mustFree(t, p), mustPaid(t, paidParams())}, "main")
	if len(w) != 2 || w[0].ID != "f1" || w[1].ID != "p1" || w[0].Group != "main" {
		t.Errorf("Wallet = %+v; want the two credits of group main (%s: credits are used by billing group)", w, seedKakao)
	}
	if Wallet(nil, "main") != nil {
		t.Error("empty wallet must be nil")
	}
}
