package allocationtest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// every knob set that the tests below try.
var knobSets = map[string]allocationtest.Knobs{
	"zero":      {},
	"JPY":       {Currency: "JPY"},
	"KWD":       {Currency: "KWD"},
	"small":     {MaxLines: 1, MaxInstruments: 2},
	"nothing":   {Without: ^allocationtest.Feature(0)},
	"own kinds": {Kinds: []string{"points", "bonus"}},
	"in_order, priority, all": {Strategy: allocation.InOrder, OrderKeys: []allocation.OrderKey{allocation.PriorityOrder},
		Draws: []allocation.Draw{allocation.DrawAll}},
}

// The generators promise valid input: Allocate accepts every scenario, and
// bill, wallet and policy drawn apart with the same knobs.
func TestGeneratedInputIsValid(t *testing.T) {
	for name, k := range knobSets {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				sc := k.Scenario().Draw(t, "scenario")
				split := mustAllocate(t, sc.Bill, sc.Wallet, sc.Policy)
				allocationtest.CheckInvariants(t, sc.Bill, sc.Wallet, sc.Policy, split)
				bill, wallet, policy := k.Bill().Draw(t, "bill"), k.Wallet().Draw(t, "wallet"), k.Policy().Draw(t, "policy")
				mustAllocate(t, bill, wallet, policy)
			})
		})
	}
}

// The package-level generators are those of the zero Knobs.
func TestPackageGeneratorsAreZeroKnobs(t *testing.T) {
	for seed := 0; seed < 20; seed++ {
		if a, b := fmt.Sprint(allocationtest.Scenario().Example(seed)), fmt.Sprint(allocationtest.Knobs{}.Scenario().Example(seed)); a != b {
			t.Fatalf("seed %d: Scenario() and Knobs{}.Scenario() differ", seed)
		}
		if a, b := fmt.Sprint(allocationtest.Bill().Example(seed)), fmt.Sprint(allocationtest.Knobs{}.Bill().Example(seed)); a != b {
			t.Fatalf("seed %d: Bill() and Knobs{}.Bill() differ", seed)
		}
		if a, b := fmt.Sprint(allocationtest.Wallet().Example(seed)), fmt.Sprint(allocationtest.Knobs{}.Wallet().Example(seed)); a != b {
			t.Fatalf("seed %d: Wallet() and Knobs{}.Wallet() differ", seed)
		}
		if a, b := fmt.Sprint(allocationtest.Policy().Example(seed)), fmt.Sprint(allocationtest.Knobs{}.Policy().Example(seed)); a != b {
			t.Fatalf("seed %d: Policy() and Knobs{}.Policy() differ", seed)
		}
	}
}

// Knobs restrict what is generated.
func TestKnobsAreHonoured(t *testing.T) {
	k := allocationtest.Knobs{
		Currency: "JPY", MaxLines: 2, MaxInstruments: 3,
		Kinds:     []string{"points", "bonus"},
		Strategy:  allocation.InOrder,
		OrderKeys: []allocation.OrderKey{allocation.PriorityOrder, allocation.OldestFirst},
		Draws:     []allocation.Draw{allocation.DrawOverdraft},
		Without:   ^allocationtest.Feature(0),
	}
	rapid.Check(t, func(t *rapid.T) {
		sc := k.Scenario().Draw(t, "scenario")
		b, w, p := sc.Bill, sc.Wallet, sc.Policy
		if b.Currency != "JPY" || len(b.Lines) > 2 || len(w) > 3 {
			t.Fatalf("currency %s, %d lines, %d instruments", b.Currency, len(b.Lines), len(w))
		}
		if b.Mode != "payg" || len(b.ExcludeInstruments)+len(b.ExcludeKinds) > 0 {
			t.Fatalf("bill mode %q or exclusions %v %v without Modes and Exclusions", b.Mode, b.ExcludeInstruments, b.ExcludeKinds)
		}
		for _, l := range b.Lines {
			if l.Amount.Exponent() != 0 {
				t.Fatalf("line amount %s not in whole yen", l.Amount)
			}
		}
		for _, in := range w {
			switch {
			case in.Currency != "JPY":
				t.Fatalf("instrument %s in %s without ForeignCurrency", in.ID, in.Currency)
			case !slices.Contains(k.Kinds, in.Kind):
				t.Fatalf("kind %q not among the knobs' kinds", in.Kind)
			case in.IsPercent():
				t.Fatalf("percentage instrument %s without Percent", in.ID)
			case !in.Overdraft.IsZero():
				t.Fatalf("overdraft without Overdraft")
			case !in.ValidFrom.IsZero() || !in.ValidUntil.IsZero():
				t.Fatalf("validity without Expiry")
			case len(in.Scope.Products)+len(in.Scope.Categories)+len(in.Scope.ExcludeProducts)+len(in.Scope.ExcludeCategories) > 0:
				t.Fatalf("scope %+v without Scopes", in.Scope)
			case len(in.Scope.Modes)+len(in.Scope.ExcludeModes) > 0:
				t.Fatalf("modes %+v without Modes", in.Scope)
			case !in.MinSpend.IsZero():
				t.Fatalf("min spend without MinSpend")
			case in.Status != "" && in.Status != "active":
				t.Fatalf("status %q without Statuses", in.Status)
			}
		}
		if p.Strategy != allocation.InOrder || len(p.Restrictions) > 0 || p.Rounding != (allocation.Rounding{}) {
			t.Fatalf("policy %+v", p)
		}
		for _, s := range p.Steps {
			if s.Draw != allocation.DrawOverdraft {
				t.Fatalf("draw %q not among the knobs' draws", s.Draw)
			}
			for _, key := range s.Order {
				if !slices.Contains(k.OrderKeys, key) {
					t.Fatalf("order key %q not among the knobs' keys", key)
				}
			}
			for _, kind := range s.Kinds {
				if !slices.Contains(k.Kinds, kind) {
					t.Fatalf("step kind %q not among the knobs' kinds", kind)
				}
			}
		}
	})
}

// The zero Knobs exercise every rule: over a fixed set of examples, every
// reason, order key, draw, step scope and strategy comes up, and so do the
// shapes the engine treats apart.
func TestZeroKnobsExerciseEveryRule(t *testing.T) {
	seen := map[string]bool{}
	see := func(format string, args ...any) { seen[fmt.Sprintf(format, args...)] = true }
	gen := allocationtest.Scenario()
	for seed := 0; seed < 1500; seed++ {
		sc := gen.Example(seed)
		split, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		see("strategy %q", sc.Policy.Strategy)
		if len(sc.Policy.Steps) == 0 {
			see("no steps")
		}
		for _, s := range sc.Policy.Steps {
			see("draw %q", s.Draw)
			see("step scope %q", s.Scope)
			for _, k := range s.Order {
				see("order %s", k)
			}
		}
		if len(sc.Policy.Restrictions) > 0 {
			see("restriction")
		}
		if sc.Policy.Rounding.Strict {
			see("strict rounding")
		}
		if sc.Policy.Rounding.Mode != "" {
			see("rounding %s", sc.Policy.Rounding.Mode)
		}
		if len(sc.Bill.Lines) > 16 {
			see("more than 16 lines")
		}
		if _, off := sc.Bill.At.Zone(); off != 0 {
			see("bill time not in UTC")
		}
		kinds := map[string]bool{}
		for _, in := range sc.Wallet {
			kinds[in.Kind] = true
			switch {
			case in.IsPercent() && !in.Capped:
				see("uncapped percent")
			case in.IsPercent():
				see("capped percent")
			case in.Balance.IsNegative():
				see("overdrawn balance")
			}
			if in.ValidUntil.Equal(sc.Bill.At) {
				see("expires exactly at the bill's time")
			}
			if in.ValidFrom.Equal(sc.Bill.At) {
				see("valid exactly from the bill's time")
			}
		}
		if len(kinds) > 8 {
			see("more than 8 kinds")
		}
		if beyond64(sc) {
			see("beyond 64-bit units")
		}
		for _, r := range split.Instruments {
			for _, reason := range r.Skipped {
				see("reason %s", reason)
			}
			if r.BalanceAfter.IsNegative() && r.Used.IsPositive() {
				see("drawn into overdraft")
			}
		}
		if split.Discounted.IsPositive() && split.Paid.IsPositive() {
			see("discounted and paid")
		}
		if split.Outstanding.IsZero() && split.Total.IsPositive() {
			see("fully settled")
		}
	}
	want := []string{
		`strategy ""`, `strategy "in_order"`, `strategy "max_coverage"`, "no steps",
		`draw ""`, `draw "balance"`, `draw "all"`, `draw "overdraft"`,
		`step scope ""`, `step scope "any"`, `step scope "general"`, `step scope "specific"`,
		"restriction", "strict rounding", "rounding half_even", "rounding half_up", "rounding down",
		"more than 16 lines", "bill time not in UTC", "uncapped percent", "capped percent",
		"overdrawn balance", "expires exactly at the bill's time", "valid exactly from the bill's time",
		"more than 8 kinds", "beyond 64-bit units", "drawn into overdraft", "discounted and paid", "fully settled",
	}
	for _, k := range []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst, allocation.SmallestFirst,
		allocation.PriorityOrder, allocation.OldestFirst, allocation.SpecificFirst} {
		want = append(want, fmt.Sprintf("order %s", k))
	}
	for _, r := range []allocation.Reason{allocation.ReasonInactive, allocation.ReasonExpired, allocation.ReasonNotYetValid,
		allocation.ReasonCurrencyMismatch, allocation.ReasonExcludedByBill, allocation.ReasonModeExcluded,
		allocation.ReasonNotInPolicy, allocation.ReasonBelowMinSpend, allocation.ReasonNoBalance,
		allocation.ReasonOutOfScope, allocation.ReasonRestrictedCategory, allocation.ReasonNothingLeft} {
		want = append(want, fmt.Sprintf("reason %s", r))
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("never generated: %s", w)
		}
	}
}

// beyond64 reports whether the amounts of sc, counted in units of the
// working scale, add up to more than 2^61: more than the engine's 64-bit
// arithmetic takes.
func beyond64(sc allocation.Scenario) bool {
	scale := max(allocation.MinorUnits(sc.Bill.Currency), sc.Policy.Rounding.Places)
	var all []decimal.Decimal
	for _, l := range sc.Bill.Lines {
		all = append(all, l.Amount)
	}
	for _, in := range sc.Wallet {
		all = append(all, in.Balance, in.Overdraft, in.MinSpend)
	}
	sum := decimal.Zero
	for _, d := range all {
		scale = max(scale, -d.Exponent())
		sum = sum.Add(d.Abs())
	}
	return sum.Shift(scale).GreaterThan(decimal.New(1<<61, 0))
}
