package ledger_test

import (
	"fmt"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// A monthly free-credit grant of 100,000 won keeps at most 20 % of it when
// the month ends (KakaoCloud-style promotional credit with a rollover
// cap); each reset explains what was kept and what was forfeited, and a
// reset run twice books once.
func ExampleGrantSchedule_Reset() {
	s := ledger.GrantSchedule{ID: "FC-monthly", Currency: "KRW", Amount: decimal.RequireFromString("100000"),
		Kind: "free_credit", Group: "main", Transferable: true,
		Period:   ledger.Period{Anchor: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Months: 1},
		Rollover: ledger.Rollover{MaxPercent: decimal.RequireFromString("20")}}
	book := func(j ledger.Journal, n int) (ledger.Journal, ledger.Reset) {
		r, err := s.Reset(j, n)
		if err != nil {
			panic(err)
		}
		j, _, _, err = j.ApplyAll(r.Transactions)
		if err != nil {
			panic(err)
		}
		return j, r
	}
	j, _ := book(ledger.Journal{}, 0)
	j = must(j.Apply(ledger.Transaction{ID: "spend:jan", Time: time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), Kind: ledger.KindSpend,
		Postings: []ledger.Posting{
			{Account: s.GrantAccount(0), Amount: decimal.RequireFromString("-45000")},
			{Account: ledger.SystemAccount(ledger.Revenue, "KRW"), Amount: decimal.RequireFromString("45000")},
		}}))
	j, r := book(j, 1)
	for _, l := range r.Lines {
		fmt.Println(l.Account.Instrument()+":", l.Reason)
	}
	n := j.Len()
	j, _ = book(j, 1)
	fmt.Println("booked again:", j.Len()-n)
	fmt.Println(s.RolloverAccount(1).Instrument(), j.Balance(s.RolloverAccount(1)))
	fmt.Println(s.GrantAccount(1).Instrument(), j.Balance(s.GrantAccount(1)))
	// Output:
	// FC-monthly/2024-01-01: 55000 left: 20000 rolled over, 35000 forfeited; rollover capped at 20000 (20 % of 100000 = 20000)
	// booked again: 0
	// FC-monthly/2024-02-01/rollover 20000
	// FC-monthly/2024-02-01 100000
}
