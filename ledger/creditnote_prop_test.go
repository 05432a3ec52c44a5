package ledger_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// The properties of credit notes (invariant 9), over random spends,
// top-ups and sequences of credit notes: per line and per instrument never
// more back than was paid, money conserved, no cash out of value that
// must stay in, replays are no-ops, and the receivable always equals what
// is still owed, checked against a model that attributes top-ups to the
// oldest debt first.

// creditWallet is a Kingsoft-like wallet with a cash balance and a
// prepaid card beside it.
var creditWallet = allocation.Wallet{
	{ID: "voucher", Kind: "voucher", Currency: "USD"},
	{ID: "gift", Kind: "gift", Currency: "USD"},
	{ID: "card", Kind: "prepaid_card", Currency: "USD"},
	{ID: "cash", Kind: "cash", Currency: "USD"},
	{ID: "credit", Kind: "credit_line", Currency: "USD", Overdraft: dec("300")},
}

var creditPolicy = allocation.Policy{Steps: []allocation.Step{
	{Name: "vouchers", Kinds: []string{"voucher"}},
	{Name: "gift", Kinds: []string{"gift"}},
	{Name: "card", Kinds: []string{"prepaid_card"}},
	{Name: "cash", Kinds: []string{"cash"}},
	{Name: "credit", Kinds: []string{"credit_line"}, Draw: allocation.DrawAll},
}}

// debtModel is what the model says is owed and repaid on one line of one
// spend booked with a receivable.
type debtModel struct {
	spend, line    string
	unpaid, repaid decimal.Decimal // repaid: repaid and not yet paid back
}

type creditMachine struct {
	j      ledger.Journal
	n      int
	spends []ledger.Transaction
	debts  []*debtModel // in booking order
}

func (m *creditMachine) id(p string) string { m.n++; return fmt.Sprintf("%s%d", p, m.n) }

func (m *creditMachine) spend(t *rapid.T) {
	bill := allocation.Bill{ID: m.id("b"), Currency: "USD", At: at(1)}
	for i := range rapid.IntRange(1, 3).Draw(t, "lines") {
		bill.Lines = append(bill.Lines, allocation.Line{ID: fmt.Sprintf("l%d", i), Product: "p",
			Amount: cents(rapid.Int64Range(1, 20000).Draw(t, "amount"))})
	}
	w := ledger.WithBalances(m.j, creditWallet)
	split, err := allocation.Allocate(bill, w, creditPolicy)
	if err != nil {
		t.Fatal(err)
	}
	recv := rapid.Bool().Draw(t, "receivable")
	tx, err := ledger.FromSplit(bill, w, split, ledger.SpendOptions{Receivable: recv})
	if err != nil {
		t.Fatal(err)
	}
	m.spends = append(m.spends, tx)
	for _, l := range split.Lines {
		if recv && l.Outstanding.IsPositive() {
			m.debts = append(m.debts, &debtModel{spend: tx.ID, line: l.ID, unpaid: l.Outstanding})
		}
	}
	m.apply(t, tx)
}

func (m *creditMachine) topUp(t *rapid.T) {
	amount := cents(rapid.Int64Range(1, 30000).Draw(t, "amount"))
	tx, err := ledger.TopUp(m.j, m.id("top"), at(2), acct("cash"), amount, "")
	if err != nil {
		t.Fatal(err)
	}
	// The model: the receivable is repaid first, the oldest debt first.
	rest := amount
	for _, d := range m.debts {
		pay := decimal.Min(rest, d.unpaid)
		d.unpaid, d.repaid, rest = d.unpaid.Sub(pay), d.repaid.Add(pay), rest.Sub(pay)
	}
	m.apply(t, tx)
}

func (m *creditMachine) credit(t *rapid.T) {
	if len(m.spends) == 0 {
		t.Skip("no spend yet")
	}
	spend := rapid.SampledFrom(m.spends).Draw(t, "spend")
	req := ledger.CreditRequest{ID: m.id("cn"), Time: at(3), Spend: spend.ID, InOrder: rapid.Bool().Draw(t, "inOrder")}
	if rapid.Bool().Draw(t, "order") {
		req.Order = []string{rapid.SampledFrom([]string{"voucher", "gift", "card", "cash", "credit"}).Draw(t, "first")}
		if !paid(spend, req.Order[0]) {
			req.Order = nil
		}
	}
	left := m.j.Creditable(spend.ID)
	if !rapid.Bool().Draw(t, "whole") {
		for _, l := range left {
			if l.Amount.IsPositive() && rapid.Bool().Draw(t, "line") {
				a := cents(rapid.Int64Range(1, l.Amount.Shift(2).IntPart()).Draw(t, "amount"))
				req.Lines = append(req.Lines, ledger.LineAmount{Line: l.Line, Amount: a})
			}
		}
		if len(req.Lines) == 0 {
			t.Skip("no line chosen")
		}
	}
	switch rapid.IntRange(0, 2).Draw(t, "route") {
	case 1:
		req.To, req.Credit = ledger.ToCredit, ledger.Terms{Account: acct(m.id("newcredit")), Kind: "paid_credit"}
	case 2:
		req.To = ledger.ToCash
	}
	// The same request back to the instruments: the shares do not depend
	// on the route, so it tells which instruments a cash note would pay
	// out of.
	back := req
	back.To, back.Credit = "", ledger.Terms{}
	ref, err := ledger.IssueCredit(m.j, back)
	if errors.Is(err, ledger.ErrInvalid) && len(req.Lines) == 0 {
		t.Skip("nothing left of the spend")
	}
	if err != nil {
		t.Fatalf("IssueCredit(%+v): %v", back, err)
	}
	mayCash := true
	for _, it := range ref.Items {
		if it.From.IsInstrument() && it.To == it.From {
			terms, _ := m.j.Terms(it.From)
			if terms.NotCashable || m.j.Balance(it.From).IsNegative() {
				mayCash = false
			}
		}
	}
	n, err := ledger.IssueCredit(m.j, req)
	if req.To == ledger.ToCash && !mayCash {
		if !errors.Is(err, ledger.ErrNotCashable) {
			t.Fatalf("cash note over %+v: got %v, want ErrNotCashable", ref.Items, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("IssueCredit(%+v): %v", req, err)
	}
	m.check(t, spend, req, left, ref, n)
	// The model: what is owed on a line is cancelled first; the rest of
	// the receivable's part was repaid.
	for _, it := range n.Items {
		if it.From.System() != ledger.Receivable {
			continue
		}
		d := m.debt(spend.ID, it.Line)
		if it.To == it.From {
			d.unpaid = d.unpaid.Sub(it.Amount)
		} else {
			d.repaid = d.repaid.Sub(it.Amount)
		}
		if d.unpaid.IsNegative() || d.repaid.IsNegative() {
			t.Fatalf("line %s of %s owes %s, %s repaid, after %+v", it.Line, spend.ID, d.unpaid, d.repaid, it)
		}
	}
	m.apply(t, n.Transaction)
	// Replays are no-ops.
	again, err := ledger.IssueCredit(m.j, req)
	if err != nil || !again.Transaction.Equal(n.Transaction) {
		t.Fatalf("retry of %s: %v", req.ID, err)
	}
	if j, r, err := m.j.Apply(again.Transaction); err != nil || !r.Replayed || j != m.j {
		t.Fatalf("replay of %s: %+v %v", req.ID, r, err)
	}
}

// reverse voids or refunds part of a spend with Reverse, which shares the
// journal's account of what is left with credit notes.
func (m *creditMachine) reverse(t *rapid.T) {
	if len(m.spends) == 0 {
		t.Skip("no spend yet")
	}
	spend := rapid.SampledFrom(m.spends).Draw(t, "spend")
	left := m.j.Reversible(spend.ID)
	if !left.IsPositive() {
		t.Skip("nothing left")
	}
	amount := cents(rapid.Int64Range(1, left.Shift(2).IntPart()).Draw(t, "amount"))
	tx, err := ledger.Reverse(m.j, m.id("rev"), at(3), spend.ID, amount, "")
	if err != nil {
		t.Fatal(err)
	}
	// The model: per line, what the receivable gets back and passes on.
	for _, p := range tx.Postings {
		if p.Account.System() != ledger.Receivable {
			continue
		}
		d := m.debt(spend.ID, p.Line)
		if p.Amount.IsPositive() {
			d.unpaid = d.unpaid.Sub(p.Amount)
		} else {
			d.unpaid, d.repaid = d.unpaid.Sub(p.Amount), d.repaid.Add(p.Amount)
		}
	}
	for _, p := range tx.Postings {
		if d := m.debt(spend.ID, p.Line); p.Account.System() == ledger.Receivable &&
			(d.unpaid.IsNegative() || d.repaid.IsNegative() || p.Amount.IsNegative() && !d.unpaid.IsZero()) {
			t.Fatalf("Reverse of %s leaves line %s owing %s, %s repaid: the owed part goes first, the repaid part is paid back", spend.ID, p.Line, d.unpaid, d.repaid)
		}
	}
	m.apply(t, tx)
}

// check checks note n for req against the journal before it.
func (m *creditMachine) check(t *rapid.T, spend ledger.Transaction, req ledger.CreditRequest, left []ledger.LineAmount, ref, n ledger.CreditNote) {
	want := req.Lines
	if len(want) == 0 {
		want = left
	}
	for _, l := range want {
		var sum, cancelled decimal.Decimal
		for _, it := range n.Items {
			if it.Line == l.Line {
				sum = sum.Add(it.Amount)
				if it.From.System() == ledger.Receivable && it.To == it.From {
					cancelled = cancelled.Add(it.Amount)
				}
			}
		}
		if !sum.Equal(l.Amount) {
			t.Fatalf("line %s: items add up to %s, asked %s", l.Line, sum, l.Amount)
		}
		if d := m.debt(spend.ID, l.Line); d != nil && !cancelled.Equal(decimal.Min(l.Amount, d.unpaid)) {
			t.Fatalf("line %s: cancelled %s of %s owed for %s: the owed part goes first", l.Line, cancelled, d.unpaid, l.Amount)
		}
	}
	for i, it := range n.Items {
		r := ref.Items[i]
		if it.From != r.From || it.Line != r.Line || !it.Amount.Equal(r.Amount) {
			t.Fatalf("item %d differs with the route: %+v, back to the instruments %+v", i, it, r)
		}
		if it.To.System() == ledger.Refunded && it.From.IsInstrument() {
			terms, _ := m.j.Terms(it.From)
			if terms.NotCashable || m.j.Balance(it.From).IsNegative() {
				t.Fatalf("cash out of %s (%s, balance %s)", it.From, terms.Kind, m.j.Balance(it.From))
			}
		}
	}
}

func (m *creditMachine) debt(spend, line string) *debtModel {
	for _, d := range m.debts {
		if d.spend == spend && d.line == line {
			return d
		}
	}
	return nil
}

func paid(spend ledger.Transaction, id string) bool {
	for _, p := range spend.Postings {
		if p.Account.Instrument() == id {
			return true
		}
	}
	return false
}

func (m *creditMachine) apply(t *rapid.T, tx ledger.Transaction) {
	j, _, err := m.j.Apply(tx)
	if err != nil {
		t.Fatalf("Apply(%s): %v", tx.ID, err)
	}
	m.j = j
	m.invariants(t)
}

// invariants checks the journal against what its spends paid.
func (m *creditMachine) invariants(t *rapid.T) {
	var sum decimal.Decimal
	for _, a := range m.j.Accounts() {
		sum = sum.Add(m.j.Balance(a))
	}
	if !sum.IsZero() {
		t.Fatalf("balances add up to %s", sum)
	}
	type key struct{ account, line string }
	reversals := map[string][]ledger.Transaction{}
	for _, tx := range m.j.Transactions() {
		if tx.Kind == ledger.KindReverse {
			reversals[tx.Ref] = append(reversals[tx.Ref], tx)
		}
	}
	for _, s := range m.spends {
		paidBy, gaveBack := map[key]decimal.Decimal{}, map[key]decimal.Decimal{}
		for _, p := range s.Postings {
			if p.Amount.IsNegative() {
				for _, k := range []key{{p.Account.String(), p.Line}, {p.Account.String(), ""}, {"", p.Line}} {
					paidBy[k] = paidBy[k].Sub(p.Amount)
				}
			}
		}
		for _, tx := range reversals[s.ID] {
			for _, p := range tx.Postings {
				if p.Account.System() == ledger.Revenue {
					gaveBack[key{"", p.Line}] = gaveBack[key{"", p.Line}].Sub(p.Amount)
				} else if _, ok := paidBy[key{p.Account.String(), ""}]; ok && p.Amount.IsPositive() {
					for _, k := range []key{{p.Account.String(), p.Line}, {p.Account.String(), ""}} {
						gaveBack[k] = gaveBack[k].Add(p.Amount)
					}
				}
			}
		}
		for k, g := range gaveBack {
			if g.Cmp(paidBy[k]) > 0 {
				t.Fatalf("%s: %+v was given back %s, more than the %s it paid", s.ID, k, g, paidBy[k])
			}
		}
	}
	var owed decimal.Decimal
	for _, d := range m.debts {
		owed = owed.Add(d.unpaid)
	}
	if got := m.j.Balance(sys(ledger.Receivable)); !got.Equal(owed.Neg()) {
		t.Fatalf("receivable %s, but the model says %s is owed", got, owed)
	}
	for _, s := range m.spends {
		var want decimal.Decimal
		for _, d := range m.debts {
			if d.spend == s.ID {
				want = want.Add(d.unpaid)
			}
		}
		if got := m.j.Owed(s.ID); !got.Equal(want) {
			t.Fatalf("Owed(%s) = %s, model %s", s.ID, got, want)
		}
	}
}

func TestCreditNoteProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := &creditMachine{}
		for _, in := range creditWallet {
			terms := ledger.TermsOf(in)
			m.apply(t, ledger.Grant("grant:"+in.ID, t0, terms, cents(rapid.Int64Range(0, 10000).Draw(t, in.ID)), ""))
		}
		t.Repeat(map[string]func(*rapid.T){
			"spend":   m.spend,
			"topUp":   m.topUp,
			"credit":  m.credit,
			"reverse": m.reverse,
		})
	})
}
