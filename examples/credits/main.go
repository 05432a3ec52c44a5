// Command credits runs six months of a KakaoCloud-style billing group on
// the ledger's automation (KakaoCloud credits, seed
// 003_b4fbba3f981e0ca6.txt: free credit first, then paid credit, free
// credit never for marketplace or OS images):
//
//   - a free credit granted on the 1st of every month, usable for the
//     month; at the month's end up to 30,000 won of what is left rolls over
//     for one more month and the rest is forfeited (GrantSchedule.Reset);
//   - a paid credit recharged automatically when it falls below 100,000
//     won, in steps of 100,000, one charge between 100,000 and 500,000, at
//     most 600,000 a month (EvaluateTopUp, booked with TopUp); until a
//     top-up lands, usage may take it up to 1,000,000 below zero;
//   - alerts when the free credit falls below 50 % and 10 % of the monthly
//     grant and when the paid credit falls below 50 % and 10 % of its
//     300,000 purchase (Crossings), each reported once.
//
// Usage is generated deterministically, one bill a week, with a burst of
// GPU usage in April. The program prints every grant, bill, alert and
// top-up as it happens, then the paid credit's statement, the free credit
// month by month and the system accounts.
//
//	go run ./examples/credits
package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/ledger"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "credits:", err)
		os.Exit(1)
	}
}

const currency = "KRW"

// krw parses an amount in won.
func krw(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// usage generates the same weekly usage on every run: a xorshift
// generator with a fixed seed.
type usage struct{ x uint32 }

// next returns a number from lo to hi.
func (u *usage) next(lo, hi int) int {
	u.x ^= u.x << 13
	u.x ^= u.x >> 17
	u.x ^= u.x << 5
	return lo + int(u.x%uint32(hi-lo+1))
}

// load returns how busy month m is, in tenths of a full load: a quiet
// February and May leave free credit to roll over.
func load(m time.Month) int {
	switch m {
	case time.February:
		return 4
	case time.March:
		return 6
	case time.May:
		return 3
	case time.June:
		return 8
	}
	return 10
}

// bill returns week k's bill, dated at.
func (u *usage) bill(k int, at time.Time) allocation.Bill {
	won := func(lo, hi int) decimal.Decimal { // in hundreds, scaled by the month's load
		return decimal.New(int64(u.next(lo, hi)*load(at.Month())/10), 2)
	}
	b := allocation.Bill{ID: fmt.Sprintf("%s/W%02d", at.Format("2006-01-02"), k+1), Currency: currency, At: at, Mode: "payg",
		Lines: []allocation.Line{
			{ID: "vm", Product: "virtual_machine", Category: "compute", Amount: won(250, 550)},
			{ID: "storage", Product: "object_storage", Category: "storage", Amount: won(30, 90)},
			{ID: "os-image", Product: "windows_server", Category: credit.CategoryOSImage, Amount: krw("4000")},
		}}
	if u.next(0, 2) == 0 {
		b.Lines = append(b.Lines, allocation.Line{ID: "marketplace", Product: "waf_appliance", Category: credit.CategoryMarketplace, Amount: won(50, 150)})
	}
	if at.Month() == time.April && k%4 == 1 {
		b.Lines = append(b.Lines, allocation.Line{ID: "gpu", Product: "gpu_instance", Category: "compute", Amount: krw("1150000")})
	}
	return b
}

// A book is the billing group's journal with its rules, and what the
// story has told so far.
type book struct {
	out     io.Writer
	j       ledger.Journal
	free    ledger.GrantSchedule
	paid    ledger.Account
	topUp   ledger.AutoTopUp
	alerts  []ledger.ThresholdRule
	policy  allocation.Policy
	resets  []ledger.Reset
	alerted int
	charged int
}

// apply applies txs as one batch and reports the alerts they crossed.
func (b *book) apply(txs ...ledger.Transaction) error {
	before := b.j.Len()
	next, _, _, err := b.j.ApplyAll(txs)
	if err != nil {
		return err
	}
	b.j = next
	cs, err := ledger.Crossings(b.j, before, b.j.Len(), b.alerts)
	if err != nil {
		return err
	}
	for _, c := range cs {
		b.alerted++
		fmt.Fprintf(b.out, "            ALERT %-8s %s took the balance from %s to %s, below %s\n",
			c.Rule.ID, c.Transaction, c.Before, c.After, c.Level)
	}
	return nil
}

// reset runs the free credit's reset for period n.
func (b *book) reset(n int) error {
	r, err := b.free.Reset(b.j, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "%s  grant    %s +%s\n", r.Start.Format(time.DateOnly), b.free.GrantAccount(n).Instrument(), r.Granted)
	for _, l := range r.Lines {
		fmt.Fprintf(b.out, "            expire   %s: %s\n", l.Account.Instrument(), l.Reason)
	}
	b.resets = append(b.resets, r)
	return b.apply(r.Transactions...)
}

// wallet builds the wallet of a bill from the journal: every free credit
// account that still holds something, and the paid credit, with the
// balances and overdraft the journal holds (ledger.WithBalances).
func (b *book) wallet() allocation.Wallet {
	var w allocation.Wallet
	for _, a := range b.j.Accounts() {
		t, _ := b.j.Terms(a)
		if !a.IsInstrument() || t.Kind != "free_credit" || !b.j.Balance(a).IsPositive() {
			continue
		}
		w = append(w, allocation.Instrument{ID: a.Instrument(), Kind: t.Kind, Currency: currency, ValidUntil: t.Expires, Group: t.Group,
			Scope: allocation.Scope{ExcludeCategories: []string{credit.CategoryMarketplace, credit.CategoryOSImage}}})
	}
	t, _ := b.j.Terms(b.paid)
	w = append(w, allocation.Instrument{ID: b.paid.Instrument(), Kind: t.Kind, Currency: currency, ValidUntil: t.Expires, Group: t.Group})
	return ledger.WithBalances(b.j, w)
}

// settle allocates and books a bill, then evaluates the auto top-up.
func (b *book) settle(bill allocation.Bill) error {
	wallet := b.wallet()
	split, err := allocation.Allocate(bill, wallet, b.policy)
	if err != nil {
		return err
	}
	tx, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if err != nil {
		return err
	}
	var free decimal.Decimal
	for _, in := range split.Instruments {
		if in.ID != b.paid.Instrument() {
			free = free.Add(in.Used)
		}
	}
	paid := split.Paid.Sub(free)
	fmt.Fprintf(b.out, "%s  bill     %s %s: free credit %s, paid credit %s", bill.At.Format(time.DateOnly), bill.ID, split.Total, free, paid)
	if split.Outstanding.IsPositive() {
		fmt.Fprintf(b.out, ", invoiced %s", split.Outstanding)
	}
	fmt.Fprintln(b.out)
	if err := b.apply(tx); err != nil {
		return err
	}
	return b.evaluate(bill.At)
}

// evaluate runs the auto top-up rule right after a spend and books what
// it charges. The first time it charges, it evaluates once more, as a
// retry would: that charges nothing.
func (b *book) evaluate(at time.Time) error {
	c, ok, err := ledger.EvaluateTopUp(b.j, b.topUp, at, nil)
	if err != nil {
		return err
	}
	if !ok {
		if c.Seq >= 0 { // below the threshold, yet no charge: say why
			fmt.Fprintf(b.out, "            no top-up: %s\n", c.Reason)
		}
		return nil
	}
	b.charged++
	fmt.Fprintf(b.out, "            TOP-UP   %s: charge %s, credit %s\n", c.ID, c.Money, c.Credit)
	fmt.Fprintf(b.out, "                     %s\n", c.Reason)
	tx, err := c.Book(b.j, at)
	if err != nil {
		return err
	}
	if err := b.apply(tx); err != nil {
		return err
	}
	if b.charged == 1 {
		again, ok, err := ledger.EvaluateTopUp(b.j, b.topUp, at, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(b.out, "            retried evaluation: charge %v (%s)\n", ok, again.Reason)
	}
	return nil
}

func run(out io.Writer) error {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// KakaoCloud's usage order (the seed's three steps, as the
	// kakao-credits policy has them), then paid credit into its overdraft
	// until the auto top-up lands.
	policy := allocation.Policy{Name: "kakao-credits-auto-top-up", Strategy: allocation.MaxCoverage,
		Steps: []allocation.Step{
			{Name: "free_credit_earliest_expiry", Kinds: []string{"free_credit"}, Scope: allocation.ScopeGeneral, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
			{Name: "free_credit_specific_services", Kinds: []string{"free_credit"}, Scope: allocation.ScopeSpecific, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
			{Name: "paid_credit_earliest_expiry", Kinds: []string{"paid_credit"}, Order: []allocation.OrderKey{allocation.ExpiresFirst}},
			{Name: "paid_credit_until_top_up", Kinds: []string{"paid_credit"}, Draw: allocation.DrawOverdraft},
		}}
	b := &book{
		out: out,
		free: ledger.GrantSchedule{ID: "FC-monthly", Currency: currency, Amount: krw("100000"),
			Kind: "free_credit", Group: "main", Transferable: true,
			Period:   ledger.Period{Anchor: start, Months: 1},
			Rollover: ledger.Rollover{MaxAmount: krw("30000")}},
		paid:   ledger.InstrumentAccount("PC-auto", currency),
		policy: policy,
	}
	b.topUp = ledger.AutoTopUp{ID: "PC-auto", Account: b.paid, Threshold: krw("100000"), Amount: krw("100000"),
		Min: krw("100000"), Max: krw("500000"), Cap: krw("600000"), CapPeriod: b.free.Period}
	for _, a := range []struct {
		id    string
		watch ledger.Watch
		pct   string
		of    string
	}{
		{"free-50", ledger.Watch{Currency: currency, Group: "main", Kind: "free_credit"}, "50", "100000"},
		{"free-10", ledger.Watch{Currency: currency, Group: "main", Kind: "free_credit"}, "10", "100000"},
		{"paid-50", ledger.Watch{Currency: currency, Instrument: "PC-auto"}, "50", "300000"},
		{"paid-10", ledger.Watch{Currency: currency, Instrument: "PC-auto"}, "10", "300000"},
	} {
		b.alerts = append(b.alerts, ledger.ThresholdRule{ID: a.id, Watch: a.watch, Percent: krw(a.pct), Of: krw(a.of)})
	}

	fmt.Fprintln(out, "billfold credits: billing group main, January to June 2024, KRW")
	fmt.Fprintln(out, "free credit   FC-monthly: 100000 on the 1st of each month for the month; up to 30000 of what is left rolls over for one more month")
	fmt.Fprintln(out, "paid credit   PC-auto: 300000 bought on 2024-01-01, valid 5 years; below 100000 it is recharged in steps of 100000,")
	fmt.Fprintln(out, "              one charge 100000 to 500000, at most 600000 a month; until a top-up lands it may go 1000000 below zero")
	fmt.Fprintln(out, "alerts        free-50, free-10: free credit below 50 % and 10 % of 100000; paid-50, paid-10: paid credit below 50 % and 10 % of 300000")
	fmt.Fprintln(out)

	purchase := ledger.Grant("purchase:PC-auto", start, ledger.Terms{Account: b.paid, Kind: "paid_credit", Group: "main",
		Overdraft: krw("1000000"), Expires: start.AddDate(5, 0, 0)}, krw("300000"), "paid credit purchase")
	fmt.Fprintf(out, "%s  purchase PC-auto +300000\n", start.Format(time.DateOnly))
	if err := b.apply(purchase); err != nil {
		return err
	}
	u := &usage{x: 2024}
	next := 0 // the next period to reset
	for k := 0; ; k++ {
		at := time.Date(2024, 1, 7+7*k, 12, 0, 0, 0, time.UTC)
		if at.Year() > 2024 || at.Month() > time.June {
			break
		}
		for ; !b.free.Period.Start(next).After(at); next++ {
			if next > 0 {
				fmt.Fprintln(out)
			}
			if err := b.reset(next); err != nil {
				return err
			}
		}
		if err := b.settle(u.bill(k, at)); err != nil {
			return err
		}
	}
	fmt.Fprintln(out)
	if err := b.reset(next); err != nil { // closes June
		return err
	}
	fmt.Fprintf(out, "\n%d alerts, %d top-ups\n\n", b.alerted, b.charged)
	return b.report()
}

// report prints the paid credit's statement, the free credit month by
// month and the system accounts.
func (b *book) report() error {
	fmt.Fprintln(b.out, "== Statement of paid credit PC-auto")
	tw := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "date\ttransaction\tkind\tamount\tbalance\t")
	entries := b.j.History(b.paid, ledger.Filter{})
	for i := 0; i < len(entries); i++ { // one row per transaction: its lines summed
		e, amount := entries[i], entries[i].Amount
		for ; i+1 < len(entries) && entries[i+1].Seq == e.Seq; i++ {
			amount = amount.Add(entries[i+1].Amount)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", e.Time.Format(time.DateOnly), e.ID, e.Kind, amount, entries[i].Balance)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(b.out, "\n== Free credit month by month")
	tw = tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "month\tgranted\trolled in\tused\tleft at month end\trolled over\tforfeited\t")
	for i, r := range b.resets[:len(b.resets)-1] {
		end := b.resets[i+1]
		used := sumHistory(b.j, b.free.GrantAccount(r.Period), ledger.KindSpend).Add(sumHistory(b.j, b.free.RolloverAccount(r.Period), ledger.KindSpend)).Neg()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Start.Format("2006-01"), r.Granted, r.Kept, used, end.Left, end.Kept, end.Forfeited)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(b.out, "\n== System accounts")
	tw = tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	var sum decimal.Decimal
	for _, a := range b.j.Accounts() {
		sum = sum.Add(b.j.Balance(a))
		if !a.IsInstrument() {
			fmt.Fprintf(tw, "%s\t%s\t\n", a, b.j.Balance(a))
		}
	}
	fmt.Fprintf(tw, "all accounts\t%s\t\n", sum)
	return tw.Flush()
}

// sumHistory returns the sum of a's postings in transactions of the given
// kinds.
func sumHistory(j ledger.Journal, a ledger.Account, kinds ...ledger.Kind) decimal.Decimal {
	var sum decimal.Decimal
	for _, e := range j.History(a, ledger.Filter{Kinds: kinds}) {
		sum = sum.Add(e.Amount)
	}
	return sum
}
