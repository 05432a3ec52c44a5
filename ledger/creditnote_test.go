package ledger_test

import (
	"errors"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
)

// kingsoftPolicy is Kingsoft Cloud's payment order (000): vouchers, then
// gift balance, then available credit down to the credit line.
var kingsoftPolicy = allocation.Policy{Steps: []allocation.Step{
	{Name: "vouchers", Kinds: []string{"voucher"}},
	{Name: "gift_balance", Kinds: []string{"gift"}},
	{Name: "available_credit", Kinds: []string{"credit_line"}, Draw: allocation.DrawAll},
}}

// kingsoftBill grants a voucher of 50, gift balance of 30 and a credit
// line of 1000, and books a bill of ecs 60 and rds 45.33 paid under
// kingsoftPolicy: voucher 50 and gift 10 on ecs, gift 20 and credit 25.33
// on rds.
func kingsoftBill(t *testing.T) (ledger.Journal, string) {
	t.Helper()
	w := allocation.Wallet{
		{ID: "voucher", Kind: "voucher", Currency: "USD", Balance: dec("50"), ValidUntil: at(48)},
		{ID: "gift", Kind: "gift", Currency: "USD", Balance: dec("30")},
		{ID: "credit", Kind: "credit_line", Currency: "USD", Overdraft: dec("1000")},
	}
	var j ledger.Journal
	for _, in := range w {
		j = apply(t, j, ledger.Grant("grant:"+in.ID, t0, ledger.TermsOf(in), in.Balance, ""))
	}
	bill := allocation.Bill{ID: "b1", Currency: "USD", At: at(1), Lines: []allocation.Line{
		{ID: "l1", Product: "ecs", Amount: dec("60")},
		{ID: "l2", Product: "rds", Amount: dec("45.33")},
	}}
	split, err := allocation.Allocate(bill, ledger.WithBalances(j, w), kingsoftPolicy)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := ledger.FromSplit(bill, w, split, ledger.SpendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return apply(t, j, tx), tx.ID
}

// item is a CreditItem in short: line, from, amount, to.
type item struct{ line, from, amount, to string }

func items(n ledger.CreditNote) []item {
	var out []item
	for _, it := range n.Items {
		out = append(out, item{it.Line, it.From.String(), it.Amount.String(), it.To.String()})
	}
	return out
}

// TestGoodwillRefundStaysOnItsLine is the third reproduction of issue 20:
// Reverse gave a goodwill refund of 50 on one line first to what was
// still owed on another line. A credit note gives it back on the line it
// names.
func TestGoodwillRefundStaysOnItsLine(t *testing.T) {
	credit := ledger.TermsOf(allocation.Instrument{ID: "credit", Kind: "credit_line", Currency: "USD", Overdraft: dec("1000")})
	j := apply(t, ledger.Journal{}, ledger.Grant("grant", t0, credit, dec("0"), ""))
	spend := ledger.Transaction{ID: "spend:b1", Time: at(1), Kind: ledger.KindSpend, Bill: "b1", Postings: []ledger.Posting{
		{Account: credit.Account, Amount: dec("-80"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Revenue), Amount: dec("80"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Receivable), Amount: dec("-40"), Line: "l2", Product: "rds"},
		{Account: sys(ledger.Revenue), Amount: dec("40"), Line: "l2", Product: "rds"},
	}}
	j = apply(t, j, spend)
	n, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: "goodwill", Time: at(2), Spend: spend.ID,
		Lines: []ledger.LineAmount{{Line: "l1", Amount: dec("50")}}, Note: "goodwill"})
	if err != nil {
		t.Fatal(err)
	}
	want := []item{{"l1", "instrument:USD:credit", "50", "instrument:USD:credit"}}
	if diff := cmp.Diff(want, items(n), cmp.AllowUnexported(item{})); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	j = apply(t, j, n.Transaction)
	if got := j.Balance(credit.Account); !got.Equal(dec("-30")) {
		t.Errorf("credit line = %s, want -30", got)
	}
	if got := j.Owed(spend.ID); !got.Equal(dec("40")) {
		t.Errorf("still owed on the bill = %s, want 40: the note named line l1", got)
	}
}

func TestIssueCredit(t *testing.T) {
	j, spend := kingsoftBill(t)
	if got, want := j.Creditable(spend), []ledger.LineAmount{{Line: "l1", Amount: dec("60")}, {Line: "l2", Amount: dec("45.33")}}; !cmp.Equal(got, want) {
		t.Fatalf("Creditable = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		name, reason string
		req          ledger.CreditRequest
		want         []item
		err          error
	}{{
		name:   "whole_line_back_to_the_payers",
		reason: kingsoft + ": a line paid by voucher and gift balance goes back to both, in the reverse of the payment order",
		req:    ledger.CreditRequest{Lines: []ledger.LineAmount{{Line: "l1", Amount: dec("60")}}},
		want:   []item{{"l1", "instrument:USD:gift", "10", "instrument:USD:gift"}, {"l1", "instrument:USD:voucher", "50", "instrument:USD:voucher"}},
	}, {
		name:   "partial_spread_by_largest_remainder",
		reason: "a partial amount is spread in proportion to what each paid, in cents: 10 over 20 and 25.33 is 4.41 and 5.58 with a cent left, which goes to the larger remainder",
		req:    ledger.CreditRequest{Lines: []ledger.LineAmount{{Line: "l2", Amount: dec("10")}}},
		want:   []item{{"l2", "instrument:USD:credit", "5.59", "instrument:USD:credit"}, {"l2", "instrument:USD:gift", "4.41", "instrument:USD:gift"}},
	}, {
		name:   "partial_in_the_host_order",
		reason: "the host may name who is given back first and fill in that order",
		req:    ledger.CreditRequest{Lines: []ledger.LineAmount{{Line: "l2", Amount: dec("21")}}, Order: []string{"gift"}, InOrder: true},
		want:   []item{{"l2", "instrument:USD:gift", "20", "instrument:USD:gift"}, {"l2", "instrument:USD:credit", "1", "instrument:USD:credit"}},
	}, {
		name:   "refund_to_a_new_credit",
		reason: "refund to credit: the line's value goes to a new credit instrument with its own terms",
		req: ledger.CreditRequest{Lines: []ledger.LineAmount{{Line: "l2", Amount: dec("45.33")}}, To: ledger.ToCredit,
			Credit: ledger.Terms{Account: acct("cn-1"), Kind: "paid_credit", Expires: at(24 * 365)}},
		want: []item{{"l2", "instrument:USD:credit", "25.33", "instrument:USD:cn-1"}, {"l2", "instrument:USD:gift", "20", "instrument:USD:cn-1"}},
	}, {
		name:   "cash_refused_for_gift",
		reason: kingsoft + ": gift balance cannot be cashed",
		req:    ledger.CreditRequest{Lines: []ledger.LineAmount{{Line: "l1", Amount: dec("60")}}, To: ledger.ToCash},
		err:    ledger.ErrNotCashable,
	}, {
		name:   "cash_refused_for_the_credit_line_overdraft",
		reason: kingsoft + ": what the credit line lent is never paid out",
		req:    ledger.CreditRequest{Lines: []ledger.LineAmount{{Line: "l2", Amount: dec("25.33")}}, Order: []string{"credit"}, InOrder: true, To: ledger.ToCash},
		err:    ledger.ErrNotCashable,
	}, {
		name:   "invalid_requests_list_every_problem",
		reason: "validate up front and report every problem",
		req: ledger.CreditRequest{Lines: []ledger.LineAmount{{Line: "l9", Amount: dec("1")}, {Line: "l1", Amount: dec("60.01")}, {Line: "l2", Amount: dec("0")}},
			Order: []string{"nobody"}, To: "bank"},
		err: ledger.ErrInvalid,
	}, {
		name:   "credit_account_in_use",
		reason: "a refund to credit opens a new instrument",
		req:    ledger.CreditRequest{To: ledger.ToCredit, Credit: ledger.Terms{Account: acct("gift")}},
		err:    ledger.ErrInvalid,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.ID, req.Time, req.Spend = "cn:"+tt.name, at(2), spend
			n, err := ledger.IssueCredit(j, req)
			if !errors.Is(err, tt.err) {
				t.Fatalf("IssueCredit: got error %v, want %v\nreason: %s", err, tt.err, tt.reason)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, items(n), cmp.AllowUnexported(item{})); diff != "" {
				t.Errorf("items (-want +got):\n%s\nreason: %s", diff, tt.reason)
			}
			after := apply(t, j, n.Transaction)
			if got := after.Balance(sys(ledger.Revenue)).Add(n.Total()); !got.Equal(j.Balance(sys(ledger.Revenue))) {
				t.Errorf("revenue fell by %s, not the note's total %s", j.Balance(sys(ledger.Revenue)).Sub(after.Balance(sys(ledger.Revenue))), n.Total())
			}
			// Retrying the request is a replay; another request under the id a conflict.
			again, err := ledger.IssueCredit(after, req)
			if err != nil || !again.Transaction.Equal(n.Transaction) {
				t.Fatalf("retry: %v", err)
			}
			if _, r, err := after.Apply(again.Transaction); err != nil || !r.Replayed {
				t.Fatalf("retry applied: %+v, %v", r, err)
			}
			req.Note = "other"
			if _, err := ledger.IssueCredit(after, req); !errors.Is(err, ledger.ErrConflict) {
				t.Fatalf("reuse of the id: got %v, want a conflict", err)
			}
		})
	}
}

func TestIssueCreditNotCashableNamesTheInstrument(t *testing.T) {
	j, spend := kingsoftBill(t)
	_, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: "cn", Time: at(2), Spend: spend, To: ledger.ToCash,
		Lines: []ledger.LineAmount{{Line: "l1", Amount: dec("60")}}})
	var nc *ledger.NotCashableError
	want := []ledger.Refusal{
		{Account: acct("gift"), Kind: "gift", Reason: ledger.RefusedByTerms, Balance: dec("0")},
		{Account: acct("voucher"), Kind: "voucher", Reason: ledger.RefusedByTerms, Balance: dec("0")},
	}
	if !errors.As(err, &nc) || !cmp.Equal(nc.Refusals, want) {
		t.Fatalf("got %v, want the gift and the voucher named as not cashable (%s)", err, kingsoft)
	}
}

func TestRefundToCreditKeepsTheCashRule(t *testing.T) {
	j, spend := kingsoftBill(t)
	n, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: "cn", Time: at(2), Spend: spend, To: ledger.ToCredit,
		Lines:  []ledger.LineAmount{{Line: "l2", Amount: dec("45.33")}},
		Credit: ledger.Terms{Account: acct("cn-1"), Kind: "paid_credit"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Transaction.Terms; len(got) != 1 || !got[0].NotCashable {
		t.Fatalf("terms of the new credit %+v: want NotCashable, it holds gift balance (%s)", got, kingsoft)
	}
	j = apply(t, j, n.Transaction)
	if _, _, err := j.Apply(ledger.Refund("r", at(3), acct("cn-1"), dec("1"), "")); !errors.Is(err, ledger.ErrNotCashable) {
		t.Fatalf("refund of the new credit: got %v, want ErrNotCashable", err)
	}
	// Built by hand without the rule, the journal refuses it.
	bad := n.Transaction
	bad.ID, bad.Terms = "cn-bad", []ledger.Terms{{Account: acct("cn-2"), Kind: "paid_credit"}}
	for i, p := range bad.Postings {
		if p.Account == acct("cn-1") {
			bad.Postings[i].Account = acct("cn-2")
		}
	}
	if _, _, err := j.Apply(bad); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("hand-built laundering of gift balance: got %v, want ErrInvalid", err)
	}
}

func TestCreditNoteSaysWhenValueReturnsToAnExpiredInstrument(t *testing.T) {
	j, spend := kingsoftBill(t)
	n, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: "cn", Time: at(48), Spend: spend,
		Lines: []ledger.LineAmount{{Line: "l1", Amount: dec("60")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range n.Items {
		if want := it.To == acct("voucher"); it.Expired != want {
			t.Errorf("item %+v: Expired = %v, want %v (the voucher expired at %s)", it, it.Expired, want, at(48).Format(time.RFC3339))
		}
	}
	j = apply(t, j, n.Transaction)
	exp, _ := ledger.Expire(j, at(48))
	j = apply(t, j, exp)
	if got := j.Balance(sys(ledger.Expired)); !got.Equal(dec("50")) {
		t.Errorf("expired = %s, want the voucher's 50 back and gone", got)
	}
}

func TestCreditNoteOnAnArrearsLine(t *testing.T) {
	cash := acct("cash")
	j := apply(t, ledger.Journal{}, ledger.Grant("cash", t0, ledger.Terms{Account: cash, Kind: "cash"}, dec("30"), ""))
	bill, w, split := billOf("b1", "ecs", "100", "cash", "30")
	spend, err := ledger.FromSplit(bill, w, split, ledger.SpendOptions{Receivable: true})
	if err != nil {
		t.Fatal(err)
	}
	j = apply(t, j, spend)
	top, _ := ledger.TopUp(j, "top", at(2), cash, dec("50"), "")
	j = apply(t, j, top) // repays 50 of the 70 owed
	n, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: "cn", Time: at(3), Spend: spend.ID,
		Lines: []ledger.LineAmount{{Line: "l1", Amount: dec("40")}}})
	if err != nil {
		t.Fatal(err)
	}
	// 20 still owed is cancelled first; the other 20 is spread over what
	// was paid: cash 30 and the 50 repaid, in proportion.
	want := []item{
		{"l1", "receivable:USD", "20", "receivable:USD"},
		{"l1", "receivable:USD", "12.5", "refunded:USD"},
		{"l1", "instrument:USD:cash", "7.5", "instrument:USD:cash"},
	}
	if diff := cmp.Diff(want, items(n), cmp.AllowUnexported(item{})); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	j = apply(t, j, n.Transaction)
	if got := j.Balance(sys(ledger.Receivable)); !got.IsZero() || !j.Owed(spend.ID).IsZero() {
		t.Errorf("receivable %s, owed %s: want 0, nothing is owed", got, j.Owed(spend.ID))
	}
	void, err := ledger.IssueCredit(j, ledger.CreditRequest{ID: "void", Time: at(3), Spend: spend.ID})
	if err != nil {
		t.Fatal(err)
	}
	j = apply(t, j, void.Transaction)
	for a, want := range map[ledger.Account]string{cash: "30", sys(ledger.Refunded): "50", sys(ledger.Receivable): "0", sys(ledger.Revenue): "0"} {
		if got := j.Balance(a); !got.Equal(dec(want)) {
			t.Errorf("after the void %s = %s, want %s", a, got, want)
		}
	}
	if got := j.Creditable(spend.ID); len(got) != 1 || !got[0].Amount.IsZero() {
		t.Errorf("Creditable after the void = %v, want zero", got)
	}
}

// TestJournalRefusesMoreBackOnALineThanItPaid: invariant 9 holds for
// hand-built reversals too. The gift paid 10 on l1 and 20 on l2; 11 back
// on l1 is within what the gift paid in all, but not on that line.
func TestJournalRefusesMoreBackOnALineThanItPaid(t *testing.T) {
	j, spend := kingsoftBill(t)
	bad := ledger.Transaction{ID: "bad", Time: at(2), Kind: ledger.KindReverse, Ref: spend, Postings: []ledger.Posting{
		{Account: acct("gift"), Amount: dec("11"), Line: "l1", Product: "ecs"},
		{Account: sys(ledger.Revenue), Amount: dec("-11"), Line: "l1", Product: "ecs"},
	}}
	if _, _, err := j.Apply(bad); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("11 back on a line the gift paid 10 of: got %v, want ErrInvalid", err)
	}
	bad.Postings[0].Amount, bad.Postings[1].Amount = dec("10"), dec("-10")
	apply(t, j, bad)
}
