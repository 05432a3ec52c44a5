package stored

import (
	"slices"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/problems"
)

type pair struct{ id, name string }

func readPair(_ *Reader, o *Object) pair {
	return pair{id: o.String("id", true), name: o.String("name", false)}
}

// TestReadProtocol: Read gates on the version, reports unknown fields
// after the fields read, checks the value only when it could be read, and
// keeps the value only when there is no problem.
func TestReadProtocol(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      pair
		checked   bool
		problems  []string
	}{
		{"valid", `{"version":1,"id":"a","name":"n"}`, pair{"a", "n"}, true, []string{"checked a"}},
		{"unknown_field_still_checked", `{"version":1,"colour":"red","id":"a"}`, pair{"a", ""}, true, []string{"colour: unknown field", "checked a"}},
		{"broken_not_checked", `{"version":1,"id":7,"typo":1}`, pair{}, false, []string{`id: "7" is not a string`, "id: empty", "typo: unknown field"}},
		{"other_version_not_read", `{"version":2,"id":"a","typo":1}`, pair{}, false, []string{"version: 2 is not supported: this build reads version 1"}},
		{"not_an_object", `[1]`, pair{}, false, []string{`document: "[1]" is not a JSON object`}},
	} {
		checked := false
		dst := pair{"before", "x"}
		got, probs := Read(&dst, []byte(tc.doc), readPair, func(p pair, probs *problems.List) {
			checked = true
			probs.Add("checked %s", p.id)
		})
		if got != tc.want || checked != tc.checked || !slices.Equal(probs, tc.problems) {
			t.Errorf("%s: Read = %+v, %q, checked %v; want %+v, %q, checked %v", tc.name, got, probs, checked, tc.want, tc.problems, tc.checked)
		}
		if dst != (pair{}) {
			t.Errorf("%s: a refused document left %+v behind; want the zero value", tc.name, dst)
		}
	}
	var dst pair
	if got, probs := Read(&dst, []byte(`{"version":1,"id":"a"}`), readPair, func(pair, *problems.List) {}); len(probs) > 0 || dst != got || got.id != "a" {
		t.Errorf("a valid document: %+v, %q, kept %+v", got, probs, dst)
	}
}

func TestScopeRoundTrip(t *testing.T) {
	if ScopeOf(allocation.Scope{}) != nil || ScopeOf(allocation.Scope{Products: []string{}}) != nil {
		t.Error("an empty scope is a field left out")
	}
	s := allocation.Scope{Products: []string{"vm"}, ExcludeModes: []string{"trial"}}
	out := ScopeOf(s)
	if out == nil || !slices.Equal(out.Products, s.Products) || !slices.Equal(out.ExcludeModes, s.ExcludeModes) {
		t.Fatalf("ScopeOf(%+v) = %+v", s, out)
	}
	out.Products[0] = "changed"
	if s.Products[0] != "vm" {
		t.Error("ScopeOf shares a slice with the scope")
	}
	if ScopeEmpty(s) || !ScopeEmpty(allocation.Scope{}) {
		t.Error("ScopeEmpty does not tell a listing scope from an empty one")
	}
	if !ScopeEqual(s, allocation.Scope{Products: []string{"vm"}, ExcludeModes: []string{"trial"}, Categories: []string{}}) ||
		ScopeEqual(s, allocation.Scope{Products: []string{"vm"}}) || ScopeEqual(s, allocation.Scope{ExcludeProducts: []string{"vm"}, ExcludeModes: []string{"trial"}}) {
		t.Error("ScopeEqual does not compare list by list")
	}
	var r Reader
	if got := ReadScope(nil); !ScopeEqual(got, allocation.Scope{}) {
		t.Errorf("ReadScope(nil) = %+v; want the zero Scope", got)
	}
	got := ReadScope(r.Object("scope", []byte(`{"products":["vm"],"exclude_modes":["trial"],"product":["x"]}`)))
	if !ScopeEqual(got, s) || !slices.Equal(r.Problems, problems.List{"scope.product: unknown field"}) {
		t.Errorf("ReadScope = %+v, %q", got, r.Problems)
	}
}
