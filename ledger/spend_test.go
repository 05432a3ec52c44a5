package ledger_test

import (
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestFromSplit(t *testing.T) {
	bill := allocation.Bill{ID: "b1", Currency: "USD", At: at(1), Lines: []allocation.Line{
		{ID: "l1", Product: "ecs", Amount: dec("100")}, {ID: "l2", Product: "sms", Amount: dec("20")}}}
	wallet := allocation.Wallet{
		{ID: "pct", Currency: "USD", Percent: decimal.NewNullDecimal(dec("10"))},
		{ID: "capped", Currency: "USD", Percent: decimal.NewNullDecimal(dec("5")), Capped: true, Balance: dec("3")},
		{ID: "v", Currency: "USD"},
		{ID: "cash", Currency: "USD"},
	}
	split := allocation.Split{Bill: "b1", Currency: "USD",
		Allocations: []allocation.Allocation{
			{Instrument: "pct", Line: "l1", Amount: dec("10")},
			{Instrument: "capped", Line: "l1", Amount: dec("3")},
			{Instrument: "v", Line: "l1", Amount: dec("50")},
			{Instrument: "cash", Line: "l1", Amount: dec("0")},
			{Instrument: "cash", Line: "l2", Amount: dec("15")},
		},
		Lines: []allocation.LineResult{{ID: "l1", Outstanding: dec("37")}, {ID: "l2", Outstanding: dec("5")}}}
	got, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{Note: "n", Receivable: true})
	if err != nil {
		t.Fatal(err)
	}
	rev := sys(ledger.Revenue)
	want := ledger.Transaction{ID: "spend:b1", Time: at(1), Kind: ledger.KindSpend, Bill: "b1", Note: "n", Postings: []ledger.Posting{
		{Account: acct("capped"), Amount: dec("-3"), Line: "l1", Product: "ecs"}, {Account: rev, Amount: dec("3"), Line: "l1", Product: "ecs"},
		{Account: acct("v"), Amount: dec("-50"), Line: "l1", Product: "ecs"}, {Account: rev, Amount: dec("50"), Line: "l1", Product: "ecs"},
		{Account: acct("cash"), Amount: dec("-15"), Line: "l2", Product: "sms"}, {Account: rev, Amount: dec("15"), Line: "l2", Product: "sms"},
		{Account: sys(ledger.Receivable), Amount: dec("-37"), Line: "l1", Product: "ecs"}, {Account: rev, Amount: dec("37"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Receivable), Amount: dec("-5"), Line: "l2", Product: "sms"}, {Account: rev, Amount: dec("5"), Line: "l2", Product: "sms"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromSplit (-want +got):\n%s", diff)
	}
	// The same split with nothing booked as owed.
	got, _ = ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if len(got.Postings) != 6 || got.Note != "" {
		t.Errorf("without Receivable: %+v", got)
	}
}

func TestFromSplitProblems(t *testing.T) {
	bill := allocation.Bill{ID: "b1", Currency: "USD", At: at(1), Lines: []allocation.Line{{ID: "l1", Amount: dec("10")}}}
	wallet := allocation.Wallet{{ID: "v", Currency: "USD"}, {ID: "eur", Currency: "EUR"}}
	split := allocation.Split{Bill: "b2", Currency: "EUR", Allocations: []allocation.Allocation{
		{Instrument: "v", Line: "l9", Amount: dec("1")},   // unknown line
		{Instrument: "x", Line: "l1", Amount: dec("1")},   // not in the wallet
		{Instrument: "eur", Line: "l1", Amount: dec("1")}, // fine in EUR…
		{Instrument: "v", Line: "l1", Amount: dec("-1")},  // negative, and USD
	}}
	_, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	var ie *ledger.InvalidError
	if !errors.As(err, &ie) || !errors.Is(err, ledger.ErrInvalid) || ie.ID != "spend:b1" {
		t.Fatalf("FromSplit = %v", err)
	}
	// bill id, currency, l9 (and v in USD, not EUR), x, v in USD, negative
	if len(ie.Problems) != 7 {
		t.Errorf("%d problems: %q", len(ie.Problems), ie.Problems)
	}
	bill.ID = ""
	if _, err := ledger.FromSplit(bill, nil, allocation.Split{Currency: "USD"}, ledger.SpendOptions{}); !errors.As(err, &ie) || len(ie.Problems) != 1 {
		t.Errorf("bill without id: %v", err)
	}
}

func TestWithBalances(t *testing.T) {
	wallet := allocation.Wallet{
		{ID: "card", Kind: "prepaid_card", Currency: "USD", Balance: dec("999"), Overdraft: dec("999")},
		{ID: "new", Currency: "USD", Balance: dec("5"), Overdraft: dec("5")},
		{ID: "pct", Currency: "USD", Percent: decimal.NewNullDecimal(dec("10")), Balance: dec("7")},
		{ID: "capped", Currency: "USD", Percent: decimal.NewNullDecimal(dec("10")), Capped: true, Balance: dec("7")},
	}
	j := apply(t, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: acct("card"), Overdraft: dec("50")}, dec("20"), ""))
	j = apply(t, j, ledger.Grant("g2", t0, ledger.Terms{Account: acct("capped")}, dec("4"), ""))
	got := ledger.WithBalances(j, wallet)
	for i, want := range []struct{ balance, overdraft string }{{"20", "50"}, {"0", "0"}, {"7", "0"}, {"4", "0"}} {
		if !got[i].Balance.Equal(dec(want.balance)) || !got[i].Overdraft.Equal(dec(want.overdraft)) {
			t.Errorf("%s: balance %s overdraft %s, want %s %s", got[i].ID, got[i].Balance, got[i].Overdraft, want.balance, want.overdraft)
		}
	}
	if !wallet[0].Balance.Equal(dec("999")) {
		t.Error("WithBalances changed its argument")
	}
}

func TestExpire(t *testing.T) {
	v := acct("v")
	j := apply(t, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: v, Expires: at(10)}, dec("5"), ""))
	if _, ok := ledger.Expire(j, time.Time{}); ok {
		t.Error("Expire at the zero time")
	}
	if tx, ok := ledger.Expire(j, at(10).Add(-1)); ok || len(tx.Postings) != 0 {
		t.Errorf("Expire before the expiry: %+v", tx)
	}
	tx, ok := ledger.Expire(j, at(10).In(time.FixedZone("X", 3600)))
	if !ok || tx.ID != "expire:2024-01-01T10:00:00Z" || len(tx.Postings) != 2 {
		t.Fatalf("Expire at the expiry: %+v", tx)
	}
	j = apply(t, j, tx)
	// Later runs find nothing more; the same instant again is a replay.
	if _, ok := ledger.Expire(j, at(11)); ok {
		t.Error("Expire found more after everything expired")
	}
	again, ok := ledger.Expire(j, at(10))
	if _, r, err := j.Apply(again); !ok || err != nil || !r.Replayed {
		t.Errorf("Expire again: %v %+v %v", ok, r, err)
	}
}
