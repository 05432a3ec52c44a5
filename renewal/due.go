package renewal

import "time"

// Due returns copies of the instances that the system must renew
// automatically at instant at, with loc (nil means UTC) the account's time
// zone: those for which [Instance.DueAt] is true. They come in renewal order
// (ExpiresAt, then ID; see the package documentation), so the result does
// not depend on the order of instances. Due never returns trial, one-time,
// non-renewable, manual, inactive, expired or AutoBlocked instances
// (004_436d555c5a6b9a35.txt: "The system automatically renews instances
// only if they are in the validity period"). It returns nil if none is due.
func Due(instances []Instance, at time.Time, loc *time.Location) []Instance {
	var idx []int
	for k := range instances {
		if instances[k].DueAt(at, loc) {
			idx = append(idx, k)
		}
	}
	if idx == nil {
		return nil
	}
	sortRenewalOrder(instances, idx)
	out := make([]Instance, len(idx))
	for n, k := range idx {
		out[n] = instances[k]
	}
	return out
}
