package allocation_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/allocationtest"
)

// Eighteen decimals is the largest working scale of the int64 path; a
// discount there is rounded, converted and spread exactly like anywhere
// else.
func TestEighteenDecimals(t *testing.T) {
	bill := allocationtest.NewBill(allocationtest.Line("L1", "ecs", "compute", "0.123456789012345678"))
	policy := allocationtest.NewPolicy()
	policy.Rounding = allocation.Rounding{Places: 18, Mode: allocation.HalfEven}
	sp, err := allocation.Allocate(bill, allocation.Wallet{allocationtest.PercentCoupon("P", "50", "")}, policy)
	if err != nil {
		t.Fatal(err)
	}
	want := decimal.RequireFromString("0.061728394506172839")
	if !sp.Discounted.Equal(want) || !sp.Outstanding.Equal(want) {
		t.Fatalf("discounted %s, outstanding %s; want %s each", sp.Discounted, sp.Outstanding, want)
	}
}
