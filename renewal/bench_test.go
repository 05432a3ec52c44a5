package renewal

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

func BenchmarkNextExpiry(b *testing.B) {
	ny := zone(b, "America/New_York")
	e := time.Date(2024, 1, 31, 10, 0, 0, 0, ny)
	b.ReportAllocs()
	for range b.N {
		_ = NextExpiry(e, 1, ny)
	}
}

// benchFleet returns n auto instances due at 00:30 on 2024-03-15 in
// Shanghai (expiring over that day) and a wallet of 20 vouchers and cash.
func benchFleet(n int) ([]Instance, allocation.Wallet) {
	fleet := make([]Instance, n)
	for k := range fleet {
		fleet[k] = kec(fmt.Sprintf("i-%04d", k), at(shanghai, 2024, 3, 15, 1+k%23, k%60))
	}
	wallet := allocation.Wallet{cash("cash", "1000000.00", "0")}
	for k := range 20 {
		wallet = append(wallet, voucher(fmt.Sprintf("v-%02d", k), "25.00", at(shanghai, 2024, 4, 1+k%10, 0, 0)))
	}
	return fleet, wallet
}

func BenchmarkDue(b *testing.B) {
	fleet, _ := benchFleet(1000)
	b.ReportAllocs()
	for range b.N {
		_ = Due(fleet, runAt, shanghai)
	}
}

func BenchmarkRunAuto(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			fleet, wallet := benchFleet(n)
			p := prices()
			b.ReportAllocs()
			for range b.N {
				if _, err := RunAuto(fleet, runAt, shanghai, wallet, p, allocation.Policy{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUnify(b *testing.B) {
	fleet, _ := benchFleet(100)
	p := prices()
	b.ReportAllocs()
	for range b.N {
		if _, err := Unify(fleet, 1, runAt, shanghai, p, allocation.Rounding{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProrate(b *testing.B) {
	m := decimal.RequireFromString("123.45")
	b.ReportAllocs()
	for range b.N {
		_ = prorate(m, 17, 31, 2, allocation.HalfEven)
	}
}
