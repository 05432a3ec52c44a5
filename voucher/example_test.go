package voucher_test

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/voucher"
	"github.com/shopspring/decimal"
)

func ExampleGenerateCode() {
	// Production code passes crypto/rand.Reader; a fixed source makes the
	// example reproducible.
	src := bytes.NewReader([]byte("billfold example randomness, 32 bytes long at least"))
	code, err := voucher.GenerateCode(src)
	if err != nil {
		panic(err)
	}
	fmt.Println(code, len(code.String()))
	// Output: 5CFF-9JF7-18V4-GKF0 19
}

func ExampleParseCode() {
	// Case, spaces and dashes do not matter; O, I and L read as 0, 1, 1
	// (the first input ends in the letter o).
	for _, typed := range []string{
		"5cff 9jf7 18v4 gkfo",
		"5CFF-9JF7-18V4-GKF1", // last symbol mistyped
		"5CFF-9JF7-18V4-GKF",  // one symbol short
		"5CFF-9JF7-18V4-GKFU", // U is not in the alphabet
	} {
		code, err := voucher.ParseCode(typed)
		fmt.Printf("%-22q %v %v\n", typed, code, errors.Is(err, voucher.ErrCode))
	}
	// Output:
	// "5cff 9jf7 18v4 gkfo"  5CFF-9JF7-18V4-GKF0 false
	// "5CFF-9JF7-18V4-GKF1"   true
	// "5CFF-9JF7-18V4-GKF"    true
	// "5CFF-9JF7-18V4-GKFU"   true
}

func ExampleVoucher_Redeem() {
	issued := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	code := voucher.MustParseCode("5CFF-9JF7-18V4-GKF0")
	v, err := voucher.New(voucher.Params{
		ID: "V-100", Type: voucher.Regular, Currency: "CNY",
		Denomination: decimal.NewFromInt(100), Code: code,
		IssuedAt: issued, ValidFor: 90 * 24 * time.Hour,
	})
	if err != nil {
		panic(err)
	}
	typed, err := voucher.ParseCode("5cff-9jf7-18v4-gkf0")
	if err != nil {
		panic(err)
	}
	v, err = v.Redeem(typed, "acct-42", issued.Add(48*time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Status(), v.Account(), v.ValidFrom().Format(time.DateOnly), v.ValidUntil().Format(time.DateOnly))
	// Output: active acct-42 2024-03-03 2024-06-01
}

func ExampleVoucher_Apply() {
	at := time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)
	v, _ := voucher.New(voucher.Params{
		ID: "V-50", Type: voucher.Regular, Currency: "CNY",
		Denomination: decimal.NewFromInt(50), IssuedAt: at.AddDate(0, 0, -5),
	})
	v, _ = v.Activate("acct-42", at.AddDate(0, 0, -5))

	bill := allocation.Bill{ID: "B-1", Currency: "CNY", At: at, Lines: []allocation.Line{
		{ID: "kec", Product: "kec", Amount: decimal.NewFromInt(80)},
	}}
	split, err := allocation.Allocate(bill, allocation.Wallet{v.Instrument()}, allocation.Policy{})
	if err != nil {
		panic(err)
	}
	v, err = v.Apply(split, at)
	if err != nil {
		panic(err)
	}
	fmt.Println("paid", split.Paid, "outstanding", split.Outstanding)
	fmt.Println(v.Status(), v.Balance(), v.Used())
	// Output:
	// paid 50 outstanding 30
	// used_up 0 50
}
