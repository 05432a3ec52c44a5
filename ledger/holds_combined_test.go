package ledger_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
)

// These tests pin how holds meet the other features: what a hold reserves
// is not a debt anywhere (TopUp, auto top-up, grant resets), and a held
// account is an index key like any account.

var combined0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// holdLine books a hold of amount on instrument id for a one-line bill.
func holdLine(t *testing.T, j ledger.Journal, bill, id, amount string, until time.Time) (ledger.Journal, ledger.Transaction) {
	t.Helper()
	w := allocation.Wallet{{ID: id, Kind: "cash", Currency: "USD"}}
	b := allocation.Bill{ID: bill, Currency: "USD", At: combined0, Lines: []allocation.Line{{ID: "l1", Product: "p", Amount: dec(amount)}}}
	sp := allocation.Split{Bill: bill, Currency: "USD", Allocations: []allocation.Allocation{{Instrument: id, Line: "l1", Amount: dec(amount)}}}
	h, err := ledger.Hold(b, w, sp, until, "")
	if err != nil {
		t.Fatal(err)
	}
	return apply(t, j, h), h
}

func TestAutoTopUpDoesNotCountAHoldAsDebt(t *testing.T) {
	at := func(h int) time.Time { return combined0.Add(time.Duration(h) * time.Hour) }
	line := ledger.InstrumentAccount("line", "USD")
	cash := ledger.InstrumentAccount("cash", "USD")
	j := apply(t, ledger.Journal{}, ledger.Grant("g", at(0), ledger.Terms{Account: line, Overdraft: dec("100")}, dec("0"), ""))
	j, _ = holdLine(t, j, "o1", "line", "50", at(10)) // the credit line: balance −50, all of it held
	j = apply(t, j, ledger.Deposit("d", at(1), cash, dec("20"), "p", ""))
	j = apply(t, j, spendTx("s", at(2), cash, "15")) // cash 5, below the threshold
	rule := ledger.AutoTopUp{ID: "r", Account: cash, Threshold: dec("10"), Target: dec("30"), Places: 2}
	c, ok, err := ledger.EvaluateTopUp(j, rule, at(3), nil)
	if err != nil || !ok {
		t.Fatalf("EvaluateTopUp = %v, %v", ok, err)
	}
	if !c.Debts.IsZero() || !c.Credit.Equal(dec("25")) {
		t.Fatalf("debts %s, credit %s; want 0 and 25: a hold is not a debt TopUp repays", c.Debts, c.Credit)
	}
	tu, err := ledger.TopUp(j, "tu", at(3), cash, c.Credit, "")
	if err != nil {
		t.Fatal(err)
	}
	if j = apply(t, j, tu); !j.Balance(cash).Equal(dec("30")) {
		t.Errorf("cash after the top-up: %s, want the target 30", j.Balance(cash))
	}
}

func TestResetDoesNotRepayHeldMoney(t *testing.T) {
	s := ledger.GrantSchedule{ID: "fc", Currency: "USD", Amount: dec("100"), Overdraft: dec("50"),
		Period: ledger.Period{Anchor: combined0, Months: 1}, Rollover: ledger.Rollover{PreserveOverage: true}}
	r0, err := s.Reset(ledger.Journal{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	j, _, _, err := ledger.Journal{}.ApplyAll(r0.Transactions)
	if err != nil {
		t.Fatal(err)
	}
	// 130 held of the 100 granted: the account shows −30, but owes nothing.
	j, _ = holdLine(t, j, "o1", s.GrantAccount(0).Instrument(), "130", s.Period.Start(1).Add(time.Hour))
	r1, err := s.Reset(j, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Repaid.IsZero() {
		t.Errorf("reset repaid %s of held money as if it were owed", r1.Repaid)
	}
	if j, _, _, err = j.ApplyAll(r1.Transactions); err != nil {
		t.Fatal(err)
	}
	if got := j.Balance(s.GrantAccount(1)); !got.Equal(dec("100")) {
		t.Errorf("the new period's grant holds %s, want all of 100", got)
	}
}

func TestHeldAccountStaysWithinTheIDLimit(t *testing.T) {
	id := strings.Repeat("i", 990)
	j := apply(t, ledger.Journal{}, ledger.Deposit("d", combined0, ledger.InstrumentAccount(id, "USD"), dec("100"), "p", ""))
	j, _ = holdLine(t, j, "o1", id, "10", combined0.Add(time.Hour)) // "hold:o1" and 990 bytes: 997, fits
	w := allocation.Wallet{{ID: id, Kind: "cash", Currency: "USD"}}
	bill := strings.Repeat(":", 10) // escaped to 30 bytes: with the id, past the limit
	b := allocation.Bill{ID: bill, Currency: "USD", At: combined0, Lines: []allocation.Line{{ID: "l1", Product: "p", Amount: dec("5")}}}
	sp := allocation.Split{Bill: bill, Currency: "USD", Allocations: []allocation.Allocation{{Instrument: id, Line: "l1", Amount: dec("5")}}}
	h, err := ledger.Hold(b, w, sp, combined0.Add(time.Hour), "")
	if err == nil {
		_, _, err = j.Apply(h)
	}
	if !errors.Is(err, ledger.ErrInvalid) || !strings.Contains(err.Error(), "together longer than") {
		t.Errorf("a held account past MaxIDBytes: %v, want ErrInvalid naming the limit", err)
	}
}
