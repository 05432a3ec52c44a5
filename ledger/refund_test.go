package ledger_test

import (
	"errors"
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
)

// TestVoidedArrearsBillReturnsRepaidMoney is the first reproduction of
// issue 20: a bill booked as owed, repaid by a top-up, then voided, left
// the receivable at +100 and the customer's 100 on no instrument.
func TestVoidedArrearsBillReturnsRepaidMoney(t *testing.T) {
	cash := acct("cash")
	var j ledger.Journal
	j = apply(t, j, ledger.Grant("cash", t0, ledger.Terms{Account: cash, Kind: "cash"}, dec("0"), ""))
	bill, w, split := billOf("b1", "ecs", "100", "cash", "0")
	spend, err := ledger.FromSplit(bill, w, split, ledger.SpendOptions{Receivable: true})
	if err != nil {
		t.Fatal(err)
	}
	j = apply(t, j, spend)
	if got := j.Owed(spend.ID); !got.Equal(dec("100")) {
		t.Fatalf("Owed after the spend = %s, want 100", got)
	}
	top, err := ledger.TopUp(j, "top-1", at(2), cash, dec("100"), "")
	if err != nil {
		t.Fatal(err)
	}
	j = apply(t, j, top)
	if got := j.Owed(spend.ID); !got.IsZero() {
		t.Fatalf("Owed after the top-up = %s, want 0: the top-up repaid it", got)
	}
	// Built by hand the old way, giving the 100 back to the receivable,
	// the void is refused: it would leave the receivable above what is
	// owed.
	strand := ledger.Transaction{ID: "void-0", Time: at(3), Kind: ledger.KindReverse, Ref: spend.ID, Postings: []ledger.Posting{
		{Account: sys(ledger.Receivable), Amount: dec("100"), Line: "l1"},
		{Account: sys(ledger.Revenue), Amount: dec("-100"), Line: "l1"},
	}}
	if _, _, err := j.Apply(strand); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("a void stranding the repaid 100: got %v, want ErrInvalid", err)
	}
	void, err := ledger.Reverse(j, "void-1", at(3), spend.ID, j.Reversible(spend.ID), "void")
	if err != nil {
		t.Fatal(err)
	}
	j = apply(t, j, void)
	for a, want := range map[ledger.Account]string{
		sys(ledger.Receivable): "0",   // nothing is owed any more
		sys(ledger.Refunded):   "100", // what the customer repaid is paid back
		sys(ledger.Revenue):    "0",
		cash:                   "0",
	} {
		if got := j.Balance(a); !got.Equal(dec(want)) {
			t.Errorf("balance of %s = %s, want %s", a, got, want)
		}
	}
}

// TestRefundRefusesNonCashableValue is the second reproduction of issue
// 20: Refund paid out of a credit line's overdraft, out of gift balance
// and out of a prepaid card.
func TestRefundRefusesNonCashableValue(t *testing.T) {
	for _, tt := range []struct {
		name, reason string
		in           allocation.Instrument
		grant        string
		refund       string
		why          ledger.CashReason
	}{
		{"credit_line_overdraft", kingsoft + ": available credit may go negative up to the credit line: that is borrowed, never paid out",
			allocation.Instrument{ID: "credit", Kind: "credit_line", Currency: "USD", Overdraft: dec("100")}, "0", "100", ledger.RefusedOverdraft},
		{"credit_line_beyond_own_money", kingsoft + ": only the customer's own money on the credit line can be paid out",
			allocation.Instrument{ID: "credit", Kind: "credit_line", Currency: "USD", Overdraft: dec("100")}, "30", "30.01", ledger.RefusedOverdraft},
		{"gift", kingsoft + ": gift balance cannot be cashed",
			allocation.Instrument{ID: "gift", Kind: "gift", Currency: "USD"}, "50", "50", ledger.RefusedByTerms},
		{"prepaid_card", guance + ": prepaid cards are non-refundable",
			allocation.Instrument{ID: "card", Kind: "prepaid_card", Currency: "USD", Overdraft: dec("200")}, "100", "10", ledger.RefusedByTerms},
		{"free_credit", kakao + ": free credits are not refunded",
			allocation.Instrument{ID: "free", Kind: "free_credit", Currency: "USD"}, "100", "10", ledger.RefusedByTerms},
	} {
		t.Run(tt.name, func(t *testing.T) {
			terms := ledger.TermsOf(tt.in)
			j := apply(t, ledger.Journal{}, ledger.Grant("g", t0, terms, dec(tt.grant), ""))
			next, _, err := j.Apply(ledger.Refund("r", at(1), terms.Account, dec(tt.refund), ""))
			var nc *ledger.NotCashableError
			if !errors.As(err, &nc) || !errors.Is(err, ledger.ErrNotCashable) || len(nc.Refusals) != 1 ||
				nc.Refusals[0].Account != terms.Account || nc.Refusals[0].Reason != tt.why || nc.Refusals[0].Kind != tt.in.Kind {
				t.Fatalf("Refund: got %v, want a NotCashableError for %s (%s)\nreason: %s", err, terms.Account, tt.why, tt.reason)
			}
			if next != j {
				t.Error("a refused refund changed the journal")
			}
		})
	}
	t.Run("cashable_kinds_pay_out", func(t *testing.T) {
		// Alibaba 001: the remaining prepayment balance is refunded;
		// KakaoCloud 003: paid credit can be refunded; Kingsoft 000: the
		// customer's own money on the credit line.
		for _, in := range []allocation.Instrument{
			{ID: "prepay", Kind: "prepayment", Currency: "USD"},
			{ID: "paid", Kind: "paid_credit", Currency: "USD"},
			{ID: "credit", Kind: "credit_line", Currency: "USD", Overdraft: dec("100")},
			{ID: "cash", Kind: "cash", Currency: "USD"},
		} {
			terms := ledger.TermsOf(in)
			j := apply(t, ledger.Journal{}, ledger.Grant("g", t0, terms, dec("30"), ""))
			j = apply(t, j, ledger.Refund("r", at(1), terms.Account, dec("30"), ""))
			if got := j.Balance(sys(ledger.Refunded)); !got.Equal(dec("30")) {
				t.Errorf("%s: refunded %s, want 30", in.Kind, got)
			}
		}
	})
	t.Run("host_override", func(t *testing.T) {
		// A host whose contract lets gift balance be cashed says so on
		// the terms.
		terms := ledger.TermsOf(allocation.Instrument{ID: "gift", Kind: "gift", Currency: "USD"})
		terms.NotCashable = false
		j := apply(t, ledger.Journal{}, ledger.Grant("g", t0, terms, dec("5"), ""))
		apply(t, j, ledger.Refund("r", at(1), terms.Account, dec("5"), ""))
	})
}
