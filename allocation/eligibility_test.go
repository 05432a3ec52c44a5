package allocation_test

import (
	"fmt"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// On bills of more than 16 lines, instruments of one kind scoped to the
// same single product share their list of lines. Those whose scope says
// more (another product, a category, an exclusion) or whose kind a
// restriction keeps away must not get that list. Lines are larger than
// any balance, so a wrong list shows as a payment on the wrong line; the
// split is checked against the slow reference, and some reasons by name.
func TestSharedProductLists(t *testing.T) {
	var lines []allocation.Line
	for i := range 20 {
		product := fmt.Sprintf("p%d", i%4)
		lines = append(lines, allocationtest.Line(fmt.Sprintf("L%02d", i), product, fmt.Sprintf("c%d", i%5), "100"))
	}
	bill := allocationtest.NewBill(lines...)
	scoped := func(id, kind string, scope allocation.Scope) allocation.Instrument {
		in := allocationtest.Cash(id, "30")
		in.Kind, in.Scope = kind, scope
		return in
	}
	wallet := allocation.Wallet{
		scoped("A", "voucher", allocation.Scope{Products: []string{"p1"}}),
		scoped("B", "voucher", allocation.Scope{Products: []string{"p1"}, Categories: []string{"c0"}}),
		scoped("B2", "voucher", allocation.Scope{Products: []string{"p1"}, Categories: []string{"c2"}}),
		scoped("C", "voucher", allocation.Scope{Products: []string{"p0"}, ExcludeCategories: []string{"c1", "c3"}}),
		scoped("C2", "voucher", allocation.Scope{Products: []string{"p0"}, ExcludeCategories: []string{"c0"}}),
		scoped("D", "gift", allocation.Scope{Products: []string{"p2"}}),
		scoped("E", "voucher", allocation.Scope{Products: []string{"p1"}}),
		scoped("F", "voucher", allocation.Scope{Products: []string{"p2"}}),
		scoped("G", "gift", allocation.Scope{Products: []string{"p3"}}),
		scoped("H", "voucher", allocation.Scope{Products: []string{"p3", "p0"}}),
		scoped("K", "voucher", allocation.Scope{Products: []string{"p3"}, ExcludeProducts: []string{"p0"}}),
		scoped("K2", "voucher", allocation.Scope{Products: []string{"p3"}, ExcludeProducts: []string{"p3"}}),
		scoped("E2", "voucher", allocation.Scope{Products: []string{"p3", "p2"}}),
	}
	policy := allocationtest.NewPolicy()
	policy.Restrictions = []allocation.Restriction{{Products: []string{"p2"}, AllowKinds: []string{"voucher"}}}
	got, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		t.Fatal(err)
	}
	if d := allocationtest.Diff(referenceAllocate(bill, wallet, policy), got); d != "" {
		t.Fatalf("Allocate differs from the reference (-reference +Allocate):\n%s", d)
	}
	for id, want := range map[string]string{"D": "[restricted_category]", "F": "[]", "G": "[]", "K2": "[out_of_scope]"} {
		r, _ := got.Instrument(id)
		if fmt.Sprint(r.Skipped) != want {
			t.Errorf("%s skipped %v, want %s", id, r.Skipped, want)
		}
	}
}
