package instrument

import (
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestCloneScope(t *testing.T) {
	s := allocation.Scope{
		Products: []string{"p"}, ExcludeProducts: []string{"xp"},
		Categories: []string{"c"}, ExcludeCategories: []string{"xc"},
		Modes: []string{"m"}, ExcludeModes: []string{"xm"},
	}
	c := CloneScope(s)
	if diff := cmp.Diff(s, c); diff != "" {
		t.Fatalf("clone differs (-scope +clone):\n%s", diff)
	}
	for _, f := range [][]string{c.Products, c.ExcludeProducts, c.Categories, c.ExcludeCategories, c.Modes, c.ExcludeModes} {
		f[0] = "changed"
	}
	if diff := cmp.Diff(allocation.Scope{
		Products: []string{"p"}, ExcludeProducts: []string{"xp"},
		Categories: []string{"c"}, ExcludeCategories: []string{"xc"},
		Modes: []string{"m"}, ExcludeModes: []string{"xm"},
	}, s); diff != "" {
		t.Errorf("changing the clone changed the scope (-want +got):\n%s", diff)
	}
	if z := CloneScope(allocation.Scope{}); z.Products != nil || z.ExcludeModes != nil {
		t.Errorf("clone of the zero scope %+v is not zero", z)
	}
}

func TestUse(t *testing.T) {
	split := func(currency, used string) allocation.Split {
		return allocation.Split{Bill: "b1", Currency: currency, Instruments: []allocation.InstrumentResult{
			{ID: "other", Used: d("5"), BalanceAfter: d("0")},
			{ID: "i1", Used: d(used), BalanceAfter: d("7")},
		}}
	}
	for _, tc := range []struct {
		name, id, currency        string
		split                     allocation.Split
		wantID, wantUsed, problem string
	}{
		{"used", "i1", "CNY", split("CNY", "3"), "i1", "3", ""},
		{"not_listed", "i2", "CNY", split("CNY", "3"), "", "0", "the split does not list it"},
		{"unused_any_currency", "i1", "CNY", split("USD", "0"), "i1", "0", ""},
		{"negative", "i1", "CNY", split("USD", "-1"), "i1", "-1", "used -1 is negative"},
		{"other_currency", "i1", "CNY", split("USD", "3"), "i1", "3", `split currency "USD" is not its currency "CNY"`},
	} {
		r, p := Use(tc.split, tc.id, tc.currency)
		if p != tc.problem || r.ID != tc.wantID || !r.Used.Equal(d(tc.wantUsed)) {
			t.Errorf("%s: Use = %q used %s, problem %q; want %q used %s, %q", tc.name, r.ID, r.Used, p, tc.wantID, tc.wantUsed, tc.problem)
		}
	}
}

func TestStale(t *testing.T) {
	r := allocation.InstrumentResult{ID: "i1", Used: d("3"), BalanceAfter: d("7.00")}
	if p := Stale(r, d("10"), d("7")); p != "" {
		t.Errorf("matching balance after: problem %q", p)
	}
	want := "the split's balance after 7 is not the balance 9 minus used 3: applied already, or made from another state"
	if p := Stale(r, d("9"), d("6")); p != want {
		t.Errorf("stale split: problem %q, want %q", p, want)
	}
}
