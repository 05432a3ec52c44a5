package stored

import (
	"strconv"
	"strings"
	"testing"

	"github.com/billfold/billfold/allocation"
)

// Each list of a scope alone makes it non-empty, and so do any two.
func TestScopeEmpty(t *testing.T) {
	if !ScopeEmpty(allocation.Scope{}) {
		t.Error("the zero scope is empty")
	}
	set := []func(*allocation.Scope){
		func(s *allocation.Scope) { s.Products = []string{"ecs"} },
		func(s *allocation.Scope) { s.ExcludeProducts = []string{"ecs"} },
		func(s *allocation.Scope) { s.Categories = []string{"sms"} },
		func(s *allocation.Scope) { s.ExcludeCategories = []string{"sms"} },
		func(s *allocation.Scope) { s.Modes = []string{"payg"} },
		func(s *allocation.Scope) { s.ExcludeModes = []string{"trial"} },
	}
	for i, a := range set {
		var s allocation.Scope
		a(&s)
		if ScopeEmpty(s) {
			t.Errorf("list %d alone: empty", i)
		}
		for j, b := range set[i+1:] {
			s := s
			b(&s)
			if ScopeEmpty(s) {
				t.Errorf("lists %d and %d: empty", i, i+1+j)
			}
		}
	}
}

// An amount of exactly maxAmount characters is read; one more is refused.
// What an error quotes is cut after 40 characters, not at them.
func TestAmountAndQuoteBounds(t *testing.T) {
	longest := strings.Repeat("9", maxAmount)
	var r Reader
	o := r.Object("", []byte(`{"a":"`+longest+`","b":"`+longest+`9"}`))
	if got := o.Amount("a", true); got.String() != longest {
		t.Errorf("an amount of %d digits read as %s", maxAmount, got)
	}
	o.Amount("b", true)
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "b: ") {
		t.Errorf("an amount of %d digits: problems %q, want one for b", maxAmount+1, r.Problems)
	}
	forty := strings.Repeat("x", 40)
	if cut(forty) != forty || cut(forty+"y") != forty+"…" {
		t.Errorf("cut: %q, %q", cut(forty), cut(forty+"y"))
	}
	if describe([]byte(forty)) != strconv.Quote(forty) || describe([]byte(forty+"y")) != strconv.Quote(forty+"…") {
		t.Errorf("describe: %q, %q", describe([]byte(forty)), describe([]byte(forty+"y")))
	}
}
