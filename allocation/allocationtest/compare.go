package allocationtest

import (
	"slices"
	"strings"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
)

// Options returns the go-cmp options for comparing allocation values:
//
//   - decimals are compared by value, so 1.50 equals 1.5 (also inside
//     [decimal.NullDecimal], where two invalid values are equal);
//   - a [allocation.Split] is compared field by field, so a diff points at
//     the amount that differs rather than at the whole Split (its Equal
//     method would otherwise decide alone);
//   - inside a Split, a nil list equals an empty one, as
//     [allocation.Split.Equal] has it: a Split read back from JSON has
//     Skipped: [] where Allocate left nil, and is the same Split. (Done in
//     the field-by-field transformer, so the options combine with your own
//     cmpopts.EquateEmpty without conflict.)
//
// Times are compared with their Equal method, as go-cmp always does.
// [Diff] applies these options; pass them to cmp.Equal or cmp.Diff when
// allocation values sit inside your own types.
func Options() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b decimal.NullDecimal) bool {
			return a.Valid == b.Valid && (!a.Valid || a.Decimal.Equal(b.Decimal))
		}),
		cmp.Transformer("Fields", splitFields),
	}
}

// split mirrors [allocation.Split] without its Equal method.
type split struct {
	Bill        string
	Currency    string
	Total       decimal.Decimal
	Discounted  decimal.Decimal
	Paid        decimal.Decimal
	Outstanding decimal.Decimal
	Invoiceable decimal.Decimal
	Allocations []allocation.Allocation
	Instruments []allocation.InstrumentResult
	Lines       []allocation.LineResult
}

// splitFields returns s's fields, with every empty list nil.
func splitFields(s allocation.Split) split {
	ins := s.Instruments
	for i := range ins {
		if ins[i].Skipped != nil && len(ins[i].Skipped) == 0 {
			if &ins[0] == &s.Instruments[0] {
				ins = slices.Clone(ins) // the caller's split is not changed
			}
			ins[i].Skipped = nil
		}
	}
	return split{
		Bill: s.Bill, Currency: s.Currency,
		Total: s.Total, Discounted: s.Discounted, Paid: s.Paid,
		Outstanding: s.Outstanding, Invoiceable: s.Invoiceable,
		Allocations: nilIfEmpty(s.Allocations), Instruments: nilIfEmpty(ins), Lines: nilIfEmpty(s.Lines),
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// IgnoreAllocationOrder returns an option that compares Split.Allocations
// as a multiset: the same allocations in any order are equal. Use it when
// a test cares who paid what, not in which order it was recorded.
func IgnoreAllocationOrder() cmp.Option {
	return cmpopts.SortSlices(func(a, b allocation.Allocation) int {
		if c := strings.Compare(a.Instrument, b.Instrument); c != 0 {
			return c
		}
		if c := strings.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		if c := strings.Compare(a.Step, b.Step); c != 0 {
			return c
		}
		return a.Amount.Cmp(b.Amount)
	})
}

// IgnoreReasons returns an option that ignores why unused instruments were
// skipped (InstrumentResult.Skipped).
func IgnoreReasons() cmp.Option {
	return cmpopts.IgnoreFields(allocation.InstrumentResult{}, "Skipped")
}

// Diff returns a human-readable report of the differences between want and
// got, or "" if they are equal under [Options] and opts. Lines starting
// with "-" are from want, "+" from got:
//
//	if d := allocationtest.Diff(want, got); d != "" {
//		t.Errorf("Allocate mismatch (-want +got):\n%s", d)
//	}
//
// Like cmp.Diff, the exact format is meant for people and may change.
func Diff(want, got allocation.Split, opts ...cmp.Option) string {
	return cmp.Diff(want, got, Options(), cmp.Options(opts))
}
