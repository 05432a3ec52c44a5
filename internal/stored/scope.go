package stored

import (
	"slices"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/instrument"
)

// Scope is the stored form of an [allocation.Scope], the same in every
// instrument package that has one. Field order is the order of the JSON
// object; empty lists are left out.
type Scope struct {
	Products          []string `json:"products,omitempty"`
	ExcludeProducts   []string `json:"exclude_products,omitempty"`
	Categories        []string `json:"categories,omitempty"`
	ExcludeCategories []string `json:"exclude_categories,omitempty"`
	Modes             []string `json:"modes,omitempty"`
	ExcludeModes      []string `json:"exclude_modes,omitempty"`
}

// ScopeOf returns the stored form of s, sharing no slices with it, or nil
// when [ScopeEmpty] (a field left out).
func ScopeOf(s allocation.Scope) *Scope {
	if ScopeEmpty(s) {
		return nil
	}
	out := Scope(instrument.CloneScope(s))
	return &out
}

// ScopeEmpty reports whether s lists nothing: no product, category or
// mode to include or exclude.
func ScopeEmpty(s allocation.Scope) bool {
	return len(s.Products) == 0 && len(s.ExcludeProducts) == 0 && len(s.Categories) == 0 &&
		len(s.ExcludeCategories) == 0 && len(s.Modes) == 0 && len(s.ExcludeModes) == 0
}

// ReadScope reads the stored form of a scope from o, reporting its
// unknown fields; a nil o (the field was absent) is the zero Scope.
func ReadScope(o *Object) allocation.Scope {
	if o == nil {
		return allocation.Scope{}
	}
	s := allocation.Scope{
		Products:          o.Strings("products"),
		ExcludeProducts:   o.Strings("exclude_products"),
		Categories:        o.Strings("categories"),
		ExcludeCategories: o.Strings("exclude_categories"),
		Modes:             o.Strings("modes"),
		ExcludeModes:      o.Strings("exclude_modes"),
	}
	o.Done()
	return s
}

// ScopeEqual reports whether a and b list the same products, categories
// and modes, element by element (nil and empty alike).
func ScopeEqual(a, b allocation.Scope) bool {
	return slices.Equal(a.Products, b.Products) && slices.Equal(a.ExcludeProducts, b.ExcludeProducts) &&
		slices.Equal(a.Categories, b.Categories) && slices.Equal(a.ExcludeCategories, b.ExcludeCategories) &&
		slices.Equal(a.Modes, b.Modes) && slices.Equal(a.ExcludeModes, b.ExcludeModes)
}
