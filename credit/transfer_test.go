package credit

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func TestTransfer(t *testing.T) {
	free := mustFree(t, freeParams())
	at := t0.AddDate(0, 1, 0)
	to := Destination{ID: "f1-dev", Domain: "dom", Group: "dev"}
	from, got, err := free.Transfer(to, d("30000"), at)
	if err != nil {
		t.Fatalf("Transfer: %v (%s: free credits move between groups of a domain)", err, seedKakao)
	}
	wantFrom := []Entry{
		{Type: EntryAccumulation, At: t0, Amount: d("100000")},
		{Type: EntryTransferDeduction, At: at, Amount: d("30000"), Group: "dev", Ref: "f1-dev"},
	}
	wantTo := []Entry{{Type: EntryTransferAccumulation, At: at, Amount: d("30000"), Group: "main", Ref: "f1"}}
	if diff := cmp.Diff(wantFrom, from.History()); diff != "" {
		t.Errorf("source history (-want +got) (%s: transfer deduction naming the target group):\n%s", seedKakao, diff)
	}
	if diff := cmp.Diff(wantTo, got.History()); diff != "" {
		t.Errorf("target history (-want +got) (%s: transfer accumulation):\n%s", seedKakao, diff)
	}
	if !from.Remaining().Equal(d("70000")) || from.Status() != Available {
		t.Errorf("source remaining %s %s; want 70000 available", from.Remaining(), from.Status())
	}
	if got.ID() != "f1-dev" || got.Group() != "dev" || got.Domain() != "dom" || got.Type() != Free ||
		!got.Remaining().Equal(d("30000")) || !got.Accumulated().Equal(d("30000")) || got.Status() != Available ||
		!got.ValidUntil().Equal(free.ValidUntil()) || !got.ValidFrom().Equal(free.ValidFrom()) || got.Name() != "Welcome" ||
		!got.GrantedAt().Equal(at) {
		t.Errorf("received credit %+v", got)
	}
	if diff := cmp.Diff(free.Scope(), got.Scope()); diff != "" {
		t.Errorf("received scope differs (it must keep the exclusions):\n%s", diff)
	}
	if !free.Remaining().Equal(d("100000")) || len(free.History()) != 1 {
		t.Error("Transfer changed its receiver")
	}
	// Transferring everything uses the source up.
	all, _, err := free.Transfer(to, d("100000"), at)
	if err != nil || all.Status() != UsedUp || !all.ZeroAt().Equal(at) || !all.Remaining().IsZero() {
		t.Errorf("transfer of all: %v %s %v", err, all.Status(), all.ZeroAt())
	}

	tests := []struct {
		name    string
		c       Credit
		to      Destination
		amount  string
		at      time.Time
		wantErr error
		reason  string
	}{
		{"paid", mustPaid(t, paidParams()), to, "1", at, ErrNotTransferable, seedKakao + ": paid credits cannot be transferred, even within the same domain"},
		{"other_domain", free, Destination{ID: "x", Domain: "other", Group: "dev"}, "1", at, ErrNotTransferable, seedKakao + ": only within the same domain"},
		{"same_group", free, Destination{ID: "x", Domain: "dom", Group: "main"}, "1", at, ErrInvalid, "a transfer goes to another group"},
		{"no_group", free, Destination{ID: "x", Domain: "dom"}, "1", at, ErrInvalid, "a target group is needed"},
		{"same_id", free, Destination{ID: "f1", Domain: "dom", Group: "dev"}, "1", at, ErrInvalid, "the received credit needs its own id"},
		{"no_id", free, Destination{Domain: "dom", Group: "dev"}, "1", at, ErrInvalid, "the received credit needs an id"},
		{"zero_amount", free, to, "0", at, ErrInvalid, "transfer something"},
		{"negative_amount", free, to, "-1", at, ErrInvalid, "transfer something"},
		{"too_much", free, to, "100000.01", at, ErrTransition, "not more than remains"},
		{"expired", free, to, "1", free.ValidUntil(), ErrTransition, "an expired credit cannot move"},
		{"recovered", mustRecovered(t, free), to, "1", at, ErrTransition, "only available credits move"},
		{"zero_instant", free, to, "1", time.Time{}, ErrInvalid, "time is an argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst, err := tt.c.Transfer(tt.to, d(tt.amount), tt.at)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v; want %v (%s)", err, tt.wantErr, tt.reason)
			}
			if dst.ID() != "" || len(src.History()) != len(tt.c.History()) || !src.Remaining().Equal(tt.c.Remaining()) {
				t.Error("a refused transfer changed something")
			}
			if tt.wantErr == ErrNotTransferable {
				var te *TransferError
				if !errors.As(err, &te) || te.ID != tt.c.ID() || te.Type != tt.c.Type() || te.Problem == "" {
					t.Errorf("not a typed TransferError: %v", err)
				}
			}
		})
	}
}

func TestPropertyTransferConserves(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		groups := []string{"g0", "g1", "g2", "g3"}
		p := freeParams()
		p.Group = "g0"
		p.Amount = decimal.New(rapid.Int64Range(1, 1_000_000).Draw(t, "amount"), 0)
		credits := []Credit{mustFree(t, p)}
		total := p.Amount
		at := t0
		for i := 0; i < 8; i++ {
			at = at.Add(time.Hour)
			k := rapid.IntRange(0, len(credits)-1).Draw(t, "source")
			src := credits[k]
			to := Destination{ID: src.ID() + "." + string(rune('a'+i)), Domain: "dom", Group: rapid.SampledFrom(groups).Draw(t, "group")}
			amt := decimal.New(rapid.Int64Range(-5, src.Remaining().IntPart()+5).Draw(t, "moved"), 0)
			from, got, err := src.Transfer(to, amt, at)
			if err != nil {
				if errors.Is(err, ErrNotTransferable) {
					t.Fatalf("free credit in one domain refused: %v", err)
				}
				continue
			}
			credits[k] = from
			credits = append(credits, got)
			sum := decimal.Zero
			for _, c := range credits {
				sum = sum.Add(c.Remaining())
				if c.Remaining().IsNegative() || c.Remaining().GreaterThan(c.Accumulated()) {
					t.Fatalf("credit %s remaining %s outside [0, %s]", c.ID(), c.Remaining(), c.Accumulated())
				}
				// Remaining = accumulated − deductions, from the history alone.
				ded := c.Total(EntryUse).Add(c.Total(EntryTransferDeduction)).Add(c.Total(EntryExpiry)).Add(c.Total(EntryRecovery)).Add(c.Total(EntryRefund))
				if !c.Accumulated().Sub(ded).Equal(c.Remaining()) {
					t.Fatalf("credit %s: history disagrees with remaining", c.ID())
				}
			}
			if !sum.Equal(total) {
				t.Fatalf("total across groups %s; want %s (%s: a transfer moves credit, it does not make or lose any)", sum, total, seedKakao)
			}
		}
	})
}

func TestPropertyPaidNeverTransfers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := mustPaid(t, paidParams())
		to := Destination{ID: "x", Domain: rapid.SampledFrom([]string{"dom", "other"}).Draw(t, "domain"), Group: rapid.SampledFrom([]string{"dev", "ops"}).Draw(t, "group")}
		amt := decimal.New(rapid.Int64Range(1, 500000).Draw(t, "amount"), 0)
		if _, _, err := c.Transfer(to, amt, t0.Add(time.Hour)); !errors.Is(err, ErrNotTransferable) {
			t.Fatalf("paid credit transfer: %v; want ErrNotTransferable (%s)", err, seedKakao)
		}
	})
}
