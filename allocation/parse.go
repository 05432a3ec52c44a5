package allocation

import (
	"slices"
	"strings"
)

// Validate reports whether Allocate would accept p, whatever the bill and
// wallet: it makes exactly the checks on a policy that [Allocate] makes
// (the same code), and returns nil or an [*InvalidError] wrapping
// [ErrInvalid] that lists every problem. A policy whose rounding leaves the
// places to the currency is checked for no particular currency: every
// currency's minor units are within the default [Limits].
func (p Policy) Validate() error { return p.ValidateKinds() }

// ValidateKinds is [Policy.Validate] for a host that knows its instrument
// kinds: besides Validate's checks, every kind a step draws or a
// restriction allows must be one of kinds, so that a misspelt kind
// ("vouchers" for "voucher", which would leave every voucher
// [ReasonNotInPolicy]) is an error when the policy is loaded, not a silent
// change of who pays. With no kinds it is Validate.
func (p Policy) ValidateKinds(kinds ...string) error {
	var pr problems
	p.check(&pr, kinds)
	return pr.err()
}

// check adds p's problems to pr: Validate's, then, if kinds is not empty,
// unknown kinds.
func (p *Policy) check(pr *problems, kinds []string) {
	lim := p.Limits.effective()
	places := p.Rounding.Places
	switch places {
	case 0, CurrencyPlaces, WholeUnits:
		places = 0 // a currency's minor units are at most 4
	}
	checkPolicy(pr, p, lim, places)
	if len(kinds) == 0 {
		return
	}
	known := slices.Clone(kinds)
	slices.Sort(known)
	known = slices.Compact(known)
	unknown := func(where label, field, kind string) {
		if _, ok := slices.BinarySearch(known, kind); ok {
			return
		}
		hint := "known kinds: " + strings.Join(known, ", ")
		if near := nearest(kind, known); near != "" {
			hint = "did you mean " + quote(near) + "?"
		}
		pr.addf("%s: %s %s is not a known instrument kind; %s", where, field, quote(kind), hint)
	}
	for i := range p.Steps {
		for _, k := range p.Steps[i].Kinds {
			unknown(label{"policy step", p.Steps[i].Name, i}, "kind", k)
		}
	}
	for i := range p.Restrictions {
		for _, k := range p.Restrictions[i].AllowKinds {
			unknown(label{"policy restriction", "", i}, "allowed kind", k)
		}
	}
}

// ParsePolicy decodes a policy kept as JSON (a configuration file) and
// checks it, so that a bad policy fails when it is loaded rather than at
// the first [Allocate]. Decoding is strict (an unknown field, a value of
// the wrong type or outside its vocabulary is an error, reported with its
// JSON path: policy.steps[1] (name "gift").kind), and what decodes is
// checked as [Policy.ValidateKinds] checks it with kinds (as
// [Policy.Validate] without them). The error, if any, is an
// [*InvalidError] wrapping [ErrInvalid] listing every problem of both
// kinds; the Policy is then the zero Policy.
func ParsePolicy(data []byte, kinds ...string) (Policy, error) {
	var d decoder
	if !d.valid("policy", data) {
		return Policy{}, d.p.err()
	}
	var p Policy
	if isNull(data) {
		d.addf("policy", "found null, expected a policy (a JSON object)")
	} else {
		d.policy("policy", data, &p)
	}
	p.check(&d.p, kinds)
	if err := d.p.err(); err != nil {
		return Policy{}, err
	}
	return p, nil
}
