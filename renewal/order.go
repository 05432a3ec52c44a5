package renewal

import (
	"cmp"
	"slices"
)

// renewalOrder returns the indexes of instances in renewal order.
func renewalOrder(instances []Instance) []int {
	idx := make([]int, len(instances))
	for k := range idx {
		idx[k] = k
	}
	sortRenewalOrder(instances, idx)
	return idx
}

// sortRenewalOrder sorts idx, indexes of instances, in renewal order:
// ExpiresAt ascending by instant, then ID ascending, then index (only equal
// ids, which the calls that return errors reject, reach the last key).
func sortRenewalOrder(instances []Instance, idx []int) {
	slices.SortFunc(idx, func(a, b int) int {
		x, y := &instances[a], &instances[b]
		if c := x.ExpiresAt.Compare(y.ExpiresAt); c != 0 {
			return c
		}
		if c := cmp.Compare(x.ID, y.ID); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// validateAll adds the problems of every instance and of duplicate ids.
func validateAll(instances []Instance, p *problems) {
	seen := make(map[string]bool, len(instances))
	for _, in := range instances {
		in.validate(p)
		if in.ID == "" {
			continue
		}
		if seen[in.ID] {
			p.addf("instance %q: duplicate id", in.ID)
		}
		seen[in.ID] = true
	}
}
