package allocationtest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// split returns Allocate's split of the kit's rich scenario.
func split(t *testing.T) allocation.Split {
	t.Helper()
	bill, wallet, policy := kingsoftLike()
	return mustAllocate(t, bill, wallet, policy)
}

// rescale rewrites every amount of s with a different number of decimals
// and the same value.
func rescale(s allocation.Split) allocation.Split {
	c := cloneSplit(s)
	re := func(d *decimal.Decimal) { *d = d.Add(decimal.New(0, -7)) }
	re(&c.Total)
	re(&c.Paid)
	for i := range c.Allocations {
		re(&c.Allocations[i].Amount)
	}
	for i := range c.Lines {
		re(&c.Lines[i].Covered)
	}
	for i := range c.Instruments {
		re(&c.Instruments[i].Used)
	}
	return c
}

func TestDiffComparesAmountsByValue(t *testing.T) {
	s := split(t)
	r := rescale(s)
	if s.Total.Exponent() == r.Total.Exponent() {
		t.Fatalf("rescale left %s as it was", s.Total)
	}
	if d := allocationtest.Diff(s, r); d != "" {
		t.Errorf("1.5 and 1.50 differ:\n%s", d)
	}
}

func TestDiffReportsEveryField(t *testing.T) {
	s := split(t)
	cent := allocationtest.Dec("0.01")
	for name, change := range map[string]func(*allocation.Split){
		"Bill":        func(s *allocation.Split) { s.Bill = "B2" },
		"Currency":    func(s *allocation.Split) { s.Currency = "EUR" },
		"Total":       func(s *allocation.Split) { s.Total = s.Total.Add(cent) },
		"Discounted":  func(s *allocation.Split) { s.Discounted = s.Discounted.Add(cent) },
		"Paid":        func(s *allocation.Split) { s.Paid = s.Paid.Add(cent) },
		"Outstanding": func(s *allocation.Split) { s.Outstanding = s.Outstanding.Add(cent) },
		"Invoiceable": func(s *allocation.Split) { s.Invoiceable = s.Invoiceable.Add(cent) },
		"Allocations": func(s *allocation.Split) { s.Allocations[1].Amount = s.Allocations[1].Amount.Add(cent) },
		"Step":        func(s *allocation.Split) { s.Allocations[1].Step = "other" },
		"Skipped":     func(s *allocation.Split) { s.Instruments[4].Skipped = nil },
		"Used":        func(s *allocation.Split) { s.Instruments[0].Used = s.Instruments[0].Used.Add(cent) },
		"Covered":     func(s *allocation.Split) { s.Lines[2].Covered = cent },
	} {
		t.Run(name, func(t *testing.T) {
			got := cloneSplit(s)
			change(&got)
			d := allocationtest.Diff(s, got)
			if d == "" {
				t.Fatalf("a change of %s goes unnoticed", name)
			}
			if !strings.Contains(d, name) {
				t.Errorf("diff does not name %s:\n%s", name, d)
			}
		})
	}
}

func TestIgnoreAllocationOrder(t *testing.T) {
	s := split(t)
	shuffled := cloneSplit(s)
	slices.Reverse(shuffled.Allocations)
	if allocationtest.Diff(s, shuffled) == "" {
		t.Fatal("reordered allocations compare equal without IgnoreAllocationOrder")
	}
	if d := allocationtest.Diff(s, rescale(shuffled), allocationtest.IgnoreAllocationOrder()); d != "" {
		t.Errorf("reordered allocations differ with IgnoreAllocationOrder:\n%s", d)
	}
	changed := cloneSplit(shuffled)
	changed.Allocations[0].Amount = changed.Allocations[0].Amount.Add(allocationtest.Dec("1"))
	if allocationtest.Diff(s, changed, allocationtest.IgnoreAllocationOrder()) == "" {
		t.Error("IgnoreAllocationOrder hides a changed amount")
	}
}

func TestIgnoreReasons(t *testing.T) {
	s := split(t)
	got := cloneSplit(s)
	for i := range got.Instruments {
		got.Instruments[i].Skipped = nil
	}
	if allocationtest.Diff(s, got) == "" {
		t.Fatal("dropped reasons compare equal without IgnoreReasons")
	}
	if d := allocationtest.Diff(s, got, allocationtest.IgnoreReasons()); d != "" {
		t.Errorf("dropped reasons differ with IgnoreReasons:\n%s", d)
	}
	got.Instruments[0].Used = got.Instruments[0].Used.Add(allocationtest.Dec("1"))
	if allocationtest.Diff(s, got, allocationtest.IgnoreReasons()) == "" {
		t.Error("IgnoreReasons hides a changed amount")
	}
}

// Options work on host types that hold allocation values, instruments
// with percentages included.
func TestOptionsInHostTypes(t *testing.T) {
	type invoice struct {
		Split  allocation.Split
		Wallet allocation.Wallet
	}
	s := split(t)
	_, wallet, _ := kingsoftLike()
	a := invoice{s, wallet}
	b := invoice{rescale(s), slices.Clone(wallet)}
	for i := range b.Wallet {
		if b.Wallet[i].IsPercent() {
			b.Wallet[i].Percent = decimal.NewNullDecimal(b.Wallet[i].Percent.Decimal.Add(decimal.New(0, -3)))
		}
	}
	if !cmp.Equal(a, b, allocationtest.Options()) {
		t.Errorf("equal invoices differ:\n%s", cmp.Diff(a, b, allocationtest.Options()))
	}
	b.Wallet[2].Percent = decimal.NullDecimal{}
	if cmp.Equal(a, b, allocationtest.Options()) {
		t.Error("a percentage instrument equals a stored-value one")
	}
}

// A Split read back from JSON is the same Split: Skipped [] equals nil,
// amounts keep their value, whatever the generated input. (issue 16: Diff
// and Options reported a difference where Split.Equal did not.)
func TestPropertyDiffAfterJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := allocationtest.Scenario().Draw(t, "scenario")
		want, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var got allocation.Split
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if !want.Equal(got) {
			t.Fatalf("Split.Equal: the round trip changed the split\n%s", b)
		}
		if d := allocationtest.Diff(want, got); d != "" {
			t.Fatalf("Diff after a JSON round trip (-want +got):\n%s", d)
		}
		if !cmp.Equal(want, got, allocationtest.Options()) {
			t.Fatal("cmp.Equal with Options after a JSON round trip")
		}
	})
}

func TestDiffNilEqualsEmpty(t *testing.T) {
	s := split(t)
	c := cloneSplit(s)
	for i := range c.Instruments {
		if c.Instruments[i].Skipped == nil {
			c.Instruments[i].Skipped = []allocation.Reason{}
		}
	}
	if d := allocationtest.Diff(s, c); d != "" {
		t.Errorf("nil and empty Skipped differ:\n%s", d)
	}
	empty := allocation.Split{Allocations: []allocation.Allocation{}, Instruments: []allocation.InstrumentResult{}, Lines: []allocation.LineResult{}}
	if d := allocationtest.Diff(allocation.Split{}, empty); d != "" {
		t.Errorf("nil and empty lists differ:\n%s", d)
	}
	// The options combine with a host's own EquateEmpty.
	if !cmp.Equal(s, c, allocationtest.Options(), cmpopts.EquateEmpty()) {
		t.Error("Options with cmpopts.EquateEmpty: nil and empty Skipped differ")
	}
	c.Instruments[0].Skipped = []allocation.Reason{allocation.ReasonExpired}
	if s.Instruments[0].Skipped == nil && allocationtest.Diff(s, c) == "" {
		t.Error("a reason more goes unnoticed")
	}
}
