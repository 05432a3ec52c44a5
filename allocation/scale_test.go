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

// Lines that each fit the int64 path but add up past int64 send the call
// to the exact path, so the total (and the overdrawn wallet's nothing
// paid) come out exact.
func TestSumsPastInt64TakeTheExactPath(t *testing.T) {
	var lines []allocation.Line
	var wallet allocation.Wallet
	for i := range 5 {
		lines = append(lines, allocationtest.Line(string(rune('A'+i)), "ecs", "compute", "20000000000000000"))
		wallet = append(wallet, allocationtest.Cash(string(rune('a'+i)), "-20000000000000000"))
	}
	sp, err := allocation.Allocate(allocationtest.NewBill(lines...), wallet, allocationtest.NewPolicy())
	if err != nil {
		t.Fatal(err)
	}
	want := decimal.RequireFromString("100000000000000000")
	if !sp.Total.Equal(want) || !sp.Outstanding.Equal(want) {
		t.Fatalf("total %s, outstanding %s; want %s each", sp.Total, sp.Outstanding, want)
	}
}
