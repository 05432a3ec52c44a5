// Command checkout tells a checkout story with ledger holds, on the
// prepayment balance of the Alibaba Cloud prepayment balance seed (001:
// the balance pays subscription orders): two orders reserve from one
// balance at checkout; a third order that would need the reserved money is
// refused while the holds are open; the first order is delivered in part
// (a final capture takes what was delivered and gives the rest back); the
// second is abandoned and its hold lapses at the next Expire; then the
// third order goes through. Every bill is allocated with allocation.Allocate
// under the ready-made alibaba-prepayment policy over the wallet the
// journal gives (ledger.WithBalances: what open holds reserve is not
// available). It prints each step with the balance, the holds, the account
// statement and the books.
//
//	go run ./examples/checkout
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/allocation/policies"
	"github.com/billfold/billfold/ledger"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "checkout:", err)
		os.Exit(1)
	}
}

func at(h, m int) time.Time { return time.Date(2024, 5, 6, h, m, 0, 0, time.UTC) }

func usd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// shop is the customer's books and the policy their orders are paid by.
type shop struct {
	w       io.Writer
	policy  allocation.Policy
	wallet  allocation.Wallet
	account ledger.Account
	j       ledger.Journal
}

// apply applies tx and prints what it did to the balance.
func (s *shop) apply(what string, tx ledger.Transaction) error {
	j, _, err := s.j.Apply(tx)
	if err != nil {
		return err
	}
	s.j = j
	fmt.Fprintf(s.w, "%s  %-58s available %8s  held %7s\n", tx.Time.Format("15:04"), what,
		s.j.Balance(s.account).StringFixed(2), s.j.Held(s.account).StringFixed(2))
	return nil
}

// refused prints a step the books refused, with why.
func (s *shop) refused(when time.Time, what string, why string) {
	fmt.Fprintf(s.w, "%s  %-58s REFUSED: %s\n", when.Format("15:04"), what, why)
}

// checkout allocates bill over the balance as the journal has it and holds
// the split until until. It refuses the order, changing nothing, when the
// available balance cannot pay all of it.
func (s *shop) checkout(bill allocation.Bill, until time.Time) (ledger.Transaction, error) {
	current := ledger.WithBalances(s.j, s.wallet)
	split, err := allocation.Allocate(bill, current, s.policy)
	if err != nil {
		return ledger.Transaction{}, err
	}
	if !split.Outstanding.IsZero() {
		return ledger.Transaction{}, fmt.Errorf("%s of %s cannot be paid from the balance", split.Outstanding.StringFixed(2), split.Total.StringFixed(2))
	}
	return ledger.Hold(bill, current, split, until, "checkout")
}

// run plays the story and writes it to w.
func run(w io.Writer) error {
	policy, err := policies.Load("alibaba-prepayment")
	if err != nil {
		return err
	}
	prepay := allocation.Instrument{ID: "prepayment", Kind: "prepayment", Currency: "USD"}
	s := &shop{w: w, policy: policy, wallet: allocation.Wallet{prepay}, account: ledger.InstrumentAccount(prepay.ID, prepay.Currency)}
	orderA := allocation.Bill{ID: "order-A", Currency: "USD", At: at(9, 0), Mode: "subscription", Lines: []allocation.Line{
		{ID: "rds-1y", Product: "rds", Amount: usd("300.00")},
		{ID: "oss-1y", Product: "oss", Amount: usd("120.00")},
	}}
	orderB := allocation.Bill{ID: "order-B", Currency: "USD", At: at(9, 30), Mode: "subscription", Lines: []allocation.Line{
		{ID: "ecs-1y", Product: "ecs", Amount: usd("380.00")},
	}}
	orderC := allocation.Bill{ID: "order-C", Currency: "USD", At: at(10, 0), Mode: "subscription", Lines: []allocation.Line{
		{ID: "ecs-6m", Product: "ecs", Amount: usd("350.00")},
	}}

	fmt.Fprintf(w, "Checkout with holds on prepayment balance %s (%s)\n\n", prepay.ID, prepay.Currency)
	if err := s.apply("deposit 1000.00 by bank transfer", ledger.Deposit("deposit-1", at(8, 0), s.account, usd("1000.00"), "", "bank transfer")); err != nil {
		return err
	}
	holdA, err := s.checkout(orderA, at(18, 0))
	if err != nil {
		return err
	}
	if err := s.apply("order-A 420.00 reserved until 18:00", holdA); err != nil {
		return err
	}
	holdB, err := s.checkout(orderB, at(12, 0))
	if err != nil {
		return err
	}
	if err := s.apply("order-B 380.00 reserved until 12:00", holdB); err != nil {
		return err
	}

	// Order C while both holds are open: the wallet the journal gives
	// cannot pay it, and a hold built from a stale wallet (the balance
	// before the holds) is refused by the ledger itself.
	if _, err := s.checkout(orderC, at(13, 0)); err != nil {
		s.refused(orderC.At, "order-C 350.00 at checkout", err.Error())
	} else {
		return errors.New("order-C was accepted while the balance is held")
	}
	stale := allocation.Wallet{prepay}
	stale[0].Balance = usd("1000.00")
	split, err := allocation.Allocate(orderC, stale, policy)
	if err != nil {
		return err
	}
	holdC, err := ledger.Hold(orderC, stale, split, at(13, 0), "checkout")
	if err != nil {
		return err
	}
	var short *ledger.InsufficientError
	if _, _, err := s.j.Apply(holdC); !errors.As(err, &short) {
		return fmt.Errorf("stale hold of order-C: %v, want a refusal", err)
	}
	sf := short.Shortfalls[0]
	s.refused(orderC.At, "order-C 350.00 held from a stale wallet", fmt.Sprintf("available would be %s (%s held)", sf.Balance.StringFixed(2), sf.Held.StringFixed(2)))

	// Order A: the RDS instance is delivered, the OSS plan is not.
	capA, err := ledger.Capture(s.j, "deliver-A", at(11, 0), holdA.ID, usd("300.00"), true, "rds delivered; oss not available in region")
	if err != nil {
		return err
	}
	if err := s.apply("order-A delivered in part: 300.00 captured, rest released", capA); err != nil {
		return err
	}
	// Order B: nobody pays or cancels it; at 12:00 it lapses.
	if _, err := ledger.Capture(s.j, "deliver-B", at(12, 5), holdB.ID, usd("380.00"), true, ""); errors.Is(err, ledger.ErrHoldExpired) {
		s.refused(at(12, 5), "order-B captured after its hold expired", err.Error())
	} else {
		return fmt.Errorf("late capture of order-B: %v, want ErrHoldExpired", err)
	}
	lapse, ok := ledger.Expire(s.j, at(12, 10))
	if !ok {
		return errors.New("nothing lapsed at 12:10")
	}
	if err := s.apply("expire at 12:10: order-B lapses", lapse); err != nil {
		return err
	}
	// Order C again: now the balance can pay it.
	orderC.At = at(12, 30)
	holdC, err = s.checkout(orderC, at(15, 0))
	if err != nil {
		return err
	}
	if err := s.apply("order-C 350.00 reserved until 15:00", holdC); err != nil {
		return err
	}
	capC, err := ledger.Capture(s.j, "deliver-C", at(12, 45), holdC.ID, usd("350.00"), false, "ecs delivered")
	if err != nil {
		return err
	}
	if err := s.apply("order-C delivered: 350.00 captured", capC); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nHolds\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "hold\tuntil\tstate\theld\tcaptured\treleased\tlapsed\tleft\t\n")
	for _, id := range []string{holdA.ID, holdB.ID, holdC.ID} {
		st, _ := s.j.HoldStatus(id)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", st.ID, st.Until.Format("15:04"), st.State, st.Held.StringFixed(2),
			st.Captured.StringFixed(2), st.Released.StringFixed(2), st.Lapsed.StringFixed(2), st.Left.StringFixed(2))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nStatement of %s (its balance is what is available: holds sit in held accounts)\n\n", s.account)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "time\tkind\ttransaction\tamount\tbalance\t\n")
	for _, e := range s.j.History(s.account, ledger.Filter{}) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", e.Time.Format("15:04"), e.Kind, e.ID, e.Amount.StringFixed(2), e.Balance.StringFixed(2))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nRevenue by product\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, e := range s.j.History(ledger.SystemAccount(ledger.Revenue, "USD"), ledger.Filter{}) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", e.ID, e.Line, e.Product, e.Amount.StringFixed(2))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nBooks (USD): every account, adding up to zero\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	var sum decimal.Decimal
	for _, a := range s.j.Accounts() {
		fmt.Fprintf(tw, "%s\t%s\t\n", a, s.j.Balance(a).StringFixed(2))
		sum = sum.Add(s.j.Balance(a))
	}
	fmt.Fprintf(tw, "sum\t%s\t\n", sum.StringFixed(2))
	return tw.Flush()
}
