package ledger_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// Alibaba 001: "you can query the Prepayment Balance depositing records and
// details about spending"; the intended use given at deposit may change
// when the balance is spent, and both notes stay on record.
func TestSpendingRecords(t *testing.T) {
	prepay := acct("prepay")
	j := apply(t, ledger.Journal{}, ledger.Deposit("dep-1", at(0), prepay, dec("1000"), "ecs", "bank transfer: for ECS"))
	for i, p := range []struct{ bill, product, amount, note string }{
		{"order-1", "rds", "300", "changed: for RDS"},
		{"payg-1", "ecs", "120.50", ""},
		{"payg-2", "ecs", "80", ""},
	} {
		bill := allocation.Bill{ID: p.bill, Currency: "USD", At: at(i + 1), Lines: []allocation.Line{{ID: "l1", Product: p.product, Amount: dec(p.amount)}}}
		split := allocation.Split{Bill: p.bill, Currency: "USD", Allocations: []allocation.Allocation{{Instrument: "prepay", Line: "l1", Amount: dec(p.amount)}}}
		tx, err := ledger.FromSplit(bill, allocation.Wallet{{ID: "prepay", Currency: "USD"}}, split, ledger.SpendOptions{Note: p.note})
		if err != nil {
			t.Fatal(err)
		}
		j = apply(t, j, tx)
	}
	j = apply(t, j, ledger.Refund("refund-1", at(9), prepay, j.Balance(prepay), "remaining balance"))

	type row struct {
		ID, Note, Product string
		Kind              ledger.Kind
		Amount, Balance   string
	}
	rows := func(es []ledger.Entry) []row {
		var out []row
		for _, e := range es {
			if e.Account != prepay {
				t.Errorf("entry of %s in the history of %s", e.Account, prepay)
			}
			out = append(out, row{e.ID, e.Note, e.Product, e.Kind, e.Amount.StringFixed(2), e.Balance.StringFixed(2)})
		}
		return out
	}
	all := []row{
		{"dep-1", "bank transfer: for ECS", "ecs", ledger.KindDeposit, "1000.00", "1000.00"},
		{"spend:order-1", "changed: for RDS", "rds", ledger.KindSpend, "-300.00", "700.00"},
		{"spend:payg-1", "", "ecs", ledger.KindSpend, "-120.50", "579.50"},
		{"spend:payg-2", "", "ecs", ledger.KindSpend, "-80.00", "499.50"},
		{"refund-1", "remaining balance", "", ledger.KindRefund, "-499.50", "0.00"},
	}
	for _, c := range []struct {
		name   string
		filter ledger.Filter
		want   []row
	}{
		{"statement", ledger.Filter{}, all},
		{"spending", ledger.Filter{Kinds: []ledger.Kind{ledger.KindSpend}}, all[1:4]},
		{"deposits_and_refunds", ledger.Filter{Kinds: []ledger.Kind{ledger.KindDeposit, ledger.KindRefund}}, []row{all[0], all[4]}},
		{"ecs", ledger.Filter{Products: []string{"ecs"}}, []row{all[0], all[2], all[3]}},
		{"ecs_spending", ledger.Filter{Kinds: []ledger.Kind{ledger.KindSpend}, Products: []string{"ecs"}}, all[2:4]},
		{"no_product", ledger.Filter{Products: []string{""}}, all[4:]},
		{"from", ledger.Filter{From: at(2)}, all[2:]},
		{"to", ledger.Filter{To: at(2)}, all[:2]},
		{"range", ledger.Filter{From: at(1), To: at(3)}, all[1:3]},
		{"empty_range", ledger.Filter{From: at(3), To: at(1)}, nil},
	} {
		if diff := cmp.Diff(c.want, rows(j.History(prepay, c.filter))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	spend := j.History(prepay, ledger.Filter{Kinds: []ledger.Kind{ledger.KindSpend}})[0]
	if spend.Bill != "order-1" || spend.Line != "l1" || spend.Seq != 1 || !spend.Time.Equal(at(1)) || spend.Ref != "" {
		t.Errorf("spend entry %+v", spend)
	}
	if h := j.History(acct("other"), ledger.Filter{}); h != nil {
		t.Errorf("history of an unknown account: %v", h)
	}
	// An account first used after a version has no history at it.
	old := ledger.Journal{}
	old = apply(t, old, ledger.Grant("g", t0, ledger.Terms{Account: acct("a")}, dec("1"), ""))
	newer := apply(t, old, ledger.Grant("g2", t0, ledger.Terms{Account: acct("b")}, dec("1"), ""))
	if old.History(acct("b"), ledger.Filter{}) != nil || len(newer.History(acct("b"), ledger.Filter{})) != 1 {
		t.Error("history leaks across versions")
	}
}

// History agrees with a plain scan of the transactions, whether times
// increase (binary search) or not (scan), at every version.
func TestHistoryMatchesScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		accounts := []ledger.Account{acct("a"), acct("b"), acct("c")}
		kinds := []ledger.Kind{ledger.KindGrant, ledger.KindSpend, ledger.KindDeposit}
		var j ledger.Journal
		var versions []ledger.Journal
		when := t0
		for i := range rapid.IntRange(0, 120).Draw(t, "n") {
			when = when.Add(time.Duration(rapid.IntRange(-1, 3).Draw(t, "step")) * time.Hour)
			a := rapid.SampledFrom(accounts).Draw(t, "account")
			amount := cents(rapid.Int64Range(1, 999).Draw(t, "amount"))
			prod := rapid.SampledFrom(products).Draw(t, "product")
			j, _, _ = j.Apply(ledger.Transaction{ID: fmt.Sprint(i), Time: when, Kind: rapid.SampledFrom(kinds).Draw(t, "kind"),
				Postings: []ledger.Posting{
					{Account: a, Amount: amount, Product: prod},
					{Account: sys(ledger.Issued), Amount: amount.Neg(), Product: prod}}})
			versions = append(versions, j)
		}
		jv := j
		if len(versions) > 0 {
			jv = rapid.SampledFrom(versions).Draw(t, "version")
		}
		f := ledger.Filter{}
		if rapid.Bool().Draw(t, "from") {
			f.From = t0.Add(time.Duration(rapid.IntRange(-5, 100).Draw(t, "fromH")) * time.Hour)
		}
		if rapid.Bool().Draw(t, "to") {
			f.To = t0.Add(time.Duration(rapid.IntRange(-5, 100).Draw(t, "toH")) * time.Hour)
		}
		if rapid.Bool().Draw(t, "kinds") {
			f.Kinds = rapid.SliceOfDistinct(rapid.SampledFrom(kinds), func(k ledger.Kind) ledger.Kind { return k }).Draw(t, "kindset")
		}
		if rapid.Bool().Draw(t, "products") {
			f.Products = rapid.SliceOfDistinct(rapid.SampledFrom(products), func(p string) string { return p }).Draw(t, "prodset")
		}
		a := rapid.SampledFrom(accounts).Draw(t, "query")
		var want []ledger.Entry
		bal := cents(0)
		for seq, tx := range jv.Transactions() {
			for _, p := range tx.Postings {
				if p.Account != a {
					continue
				}
				bal = bal.Add(p.Amount)
				if (!f.From.IsZero() && tx.Time.Before(f.From)) || (!f.To.IsZero() && !tx.Time.Before(f.To)) ||
					(len(f.Kinds) > 0 && !slices.Contains(f.Kinds, tx.Kind)) ||
					(len(f.Products) > 0 && !slices.Contains(f.Products, p.Product)) {
					continue
				}
				want = append(want, ledger.Entry{Seq: seq, ID: tx.ID, Time: tx.Time, Kind: tx.Kind, Account: a,
					Amount: p.Amount, Product: p.Product, Balance: bal})
			}
		}
		if diff := cmp.Diff(want, jv.History(a, f)); diff != "" {
			t.Fatalf("History(%s, %+v) (-scan +got):\n%s", a, f, diff)
		}
	})
}
