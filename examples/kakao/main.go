// Command kakao tells the KakaoCloud credits story of seed
// 003_b4fbba3f981e0ca6.txt with the credit package: free and paid credits of
// one billing group, a free credit transferred to another group of the
// same domain (a paid one refuses), a month's invoice settled in the
// seed's usage order (free credit with the earliest expiry → free credit
// for specific services → paid credit with the earliest expiry; free
// credits never pay marketplace or OS image charges), the split applied
// back to the credits, and the Credits tab as the console shows it over
// the following months.
//
//	go run ./examples/kakao
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
	"github.com/billfold/billfold/examples/internal/changes"
	"github.com/billfold/billfold/examples/internal/splittable"
	"github.com/billfold/billfold/examples/policies"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kakao:", err)
		os.Exit(1)
	}
}

// printCredits prints the console's Credits tab for a group at at, with
// the listing window counted in zone.
func printCredits(out io.Writer, credits []credit.Credit, group string, at time.Time, zone *time.Location) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "credit\ttype\tusage period\taccumulated\tused\ttransferred\tremaining\tstatus")
	for _, c := range credit.List(credits, group, at, zone) {
		fmt.Fprintf(tw, "%s\t%s\t%s – %s\t%s\t%s\t%s\t%s\t%s\n", c.ID(), c.Type(),
			c.ValidFrom().Format(time.DateOnly), c.ValidUntil().Format(time.DateOnly),
			c.Accumulated(), c.Used(), c.Total(credit.EntryTransferDeduction), c.Remaining(), c.Status())
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

func run(out io.Writer) error {
	krw := decimal.RequireFromString
	// The story's dates are days in zone. Validity and the listing window
	// are counted on the customer's calendar, so a host passes its
	// customer's zone (Asia/Seoul for KakaoCloud) where zone is passed.
	zone := time.UTC
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, zone) }

	free := func(id, name, amount string, granted, until time.Time, services ...string) (credit.Credit, error) {
		return credit.NewFree(credit.FreeParams{ID: id, Name: name, Domain: "acme", Group: "main", Currency: "KRW",
			Amount: krw(amount), GrantedAt: granted, ValidUntil: until, Services: services})
	}
	var credits []credit.Credit
	for _, f := range []struct {
		id, name, amount string
		granted, until   time.Time
		services         []string
	}{
		{"FC-welcome", "Welcome credit", "300000", day(2024, 3, 1), day(2024, 9, 1), nil},
		{"FC-event", "Spring event", "100000", day(2024, 4, 1), day(2024, 6, 1), nil},
		{"FC-vm", "VM migration reward", "150000", day(2024, 4, 15), day(2024, 12, 31), []string{"virtual_machine"}},
	} {
		c, err := free(f.id, f.name, f.amount, f.granted, f.until, f.services...)
		if err != nil {
			return err
		}
		credits = append(credits, c)
	}
	paid, err := credit.NewPaid(credit.PaidParams{ID: "PC-2024-1", Name: "Prepaid 1M", Domain: "acme", Group: "main", Currency: "KRW", Amount: krw("1000000"), PurchasedAt: day(2024, 2, 29)}, zone)
	if err != nil {
		return err
	}
	credits = append(credits, paid)

	// Transfers between billing groups of the domain.
	fmt.Fprintf(out, "== Transfer 100000 of FC-welcome from group main to group dev\n\n")
	from, received, err := credits[0].Transfer(credit.Destination{ID: "FC-welcome-dev", Domain: "acme", Group: "dev"}, krw("100000"), day(2024, 5, 2))
	if err != nil {
		return err
	}
	credits[0] = from
	credits = append(credits, received)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "credit\tgroup\ttransaction type\ttransfer group\ttransfer amount")
	for _, c := range []credit.Credit{from, received} {
		h := c.History()
		e := h[len(h)-1]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID(), c.Group(), e.Type, e.Group, e.Amount)
	}
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, _, err := paid.Transfer(credit.Destination{ID: "PC-dev", Domain: "acme", Group: "dev"}, krw("1"), day(2024, 5, 2)); err != nil {
		fmt.Fprintf(out, "paid credit: %v\n\n", err)
	}

	// May's invoice for group main, settled on May 31.
	bill := allocation.Bill{ID: "2024-05/main", Currency: "KRW", At: time.Date(2024, 5, 31, 15, 0, 0, 0, time.UTC), Mode: "payg", Lines: []allocation.Line{
		{ID: "vm", Product: "virtual_machine", Category: "compute", Amount: krw("420000")},
		{ID: "object-storage", Product: "object_storage", Category: "storage", Amount: krw("80000")},
		{ID: "marketplace", Product: "waf_appliance", Category: credit.CategoryMarketplace, Amount: krw("50000")},
		{ID: "os-image", Product: "windows_server", Category: credit.CategoryOSImage, Amount: krw("30000")},
	}}
	policy, err := policies.Load("kakao-credits")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "== Invoice %s, policy %s\n\n", bill.ID, policy.Name)
	split, err := allocation.Allocate(bill, credit.Wallet(credits, "main"), policy)
	if err != nil {
		return err
	}
	if err := splittable.Write(out, split); err != nil {
		return err
	}
	fmt.Fprintln(out, "after applying the split:")
	row := func(c credit.Credit) []string {
		return []string{c.ID(), c.Group(), string(c.Status()), c.Remaining().String()}
	}
	var before, after [][]string
	for i, c := range credits {
		if c.Group() != "main" {
			continue
		}
		next, err := c.Apply(split, bill.At)
		if err != nil {
			return err
		}
		before, after = append(before, row(c)), append(after, row(next))
		credits[i] = next
	}
	if err := changes.Write(out, []string{"credit", "group", "status", "remaining"}, before, after); err != nil {
		return err
	}

	// The Credits tab of group main over the following months: used-up and
	// expired credits stay listed for three months after reaching zero
	// (FC-vm expires on Dec 31 with 30000 left; List shows it expired).
	for _, at := range []time.Time{day(2024, 6, 1), day(2024, 8, 31), day(2024, 9, 1), day(2025, 1, 15), day(2025, 3, 31)} {
		fmt.Fprintf(out, "== Credits of group main on %s\n\n", at.Format(time.DateOnly))
		if err := printCredits(out, credits, "main", at, zone); err != nil {
			return err
		}
	}
	return nil
}
