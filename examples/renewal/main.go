// Command renewal tells the story of 004_436d555c5a6b9a35.txt (Kingsoft
// Cloud renewal management) over one month: February 2024, in an account
// on Beijing time with a few vouchers and a thin balance.
//
// Every day at 00:05 the system runs the automatic renewals that are due.
// Along the way an instance renewed from vouchers (soonest-expiring first,
// equal expiry → largest deduction), one renewed on the month's last day
// that keeps its month-end anchor, one that fails for lack of balance and
// is recovered by hand, and instances that renewal management refuses
// (trial, one-time fee, KAD, KCM, and an expired manual instance that
// cannot switch to auto). On March 1 the customer asks for a unified
// expiry on the 1st of the month and pays the prorated quote.
//
//	go run ./examples/renewal
//
// The output is deterministic.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/renewal"
	"github.com/shopspring/decimal"
)

func main() {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		fmt.Fprintln(os.Stderr, "renewal:", err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(trimLines(out.Bytes())); err != nil {
		os.Exit(1)
	}
}

// trimLines drops the spaces tabwriter leaves at the end of lines whose
// last cells are empty.
func trimLines(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	for k, l := range lines {
		lines[k] = bytes.TrimRight(l, " ")
	}
	return bytes.Join(lines, []byte("\n"))
}

// cst is the account's time zone (Beijing time, no daylight saving).
var cst = time.FixedZone("CST", 8*3600)

func day(m time.Month, d, h, mi int) time.Time { return time.Date(2024, m, d, h, mi, 0, 0, cst) }

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// A scene is one account: its instances, wallet and price list.
type scene struct {
	fleet  []renewal.Instance
	wallet allocation.Wallet
	prices renewal.Prices
	log    *tabwriter.Writer
}

func run(w io.Writer) error {
	s := &scene{
		prices: renewal.Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
			"KEC":  money("100.00"), // cloud server
			"KRDS": money("300.00"), // relational database
			"EBS":  money("40.00"),  // block storage
			"KCDN": money("60.00"),  // content delivery
			"KAD":  money("500.00"), // advanced defense: not renewable
			"KCM":  money("80.00"),  // certificates: not renewable
		}},
		wallet: allocation.Wallet{
			{ID: "v-feb", Kind: renewal.VoucherKind, Currency: "CNY", Balance: money("30.00"), ValidUntil: day(2, 10, 0, 0)},
			{ID: "v-mar-a", Kind: renewal.VoucherKind, Currency: "CNY", Balance: money("40.00"), ValidUntil: day(3, 31, 0, 0)},
			{ID: "v-mar-b", Kind: renewal.VoucherKind, Currency: "CNY", Balance: money("60.00"), ValidUntil: day(3, 31, 0, 0)},
			{ID: "gift", Kind: renewal.GiftKind, Currency: "CNY", Balance: money("20.00")},
			{ID: "cash", Kind: renewal.CashKind, Currency: "CNY", Balance: money("150.00")},
		},
		fleet: []renewal.Instance{
			// Bought on Jan 31: its anchor is the month's end.
			{ID: "web-1", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2, 29, 10, 0), AnchorDay: 31},
			{ID: "web-2", Product: "KEC", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2, 5, 9, 0)},
			{ID: "db-1", Product: "KRDS", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2, 12, 8, 0)},
			{ID: "disk-1", Product: "EBS", Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2, 20, 12, 0)},
			{ID: "cdn-1", Product: "KCDN", Renewable: true, Policy: renewal.Manual, ExpiresAt: day(2, 3, 18, 0)},
			{ID: "try-1", Product: "KEC", Kind: renewal.Trial, Renewable: true, Policy: renewal.Auto, ExpiresAt: day(2, 8, 9, 0)},
			{ID: "snap-1", Product: "KEC", Kind: renewal.OneTime, Renewable: true, ExpiresAt: day(3, 15, 0, 0)},
			{ID: "kad-1", Product: "KAD", Renewable: false, ExpiresAt: day(4, 1, 0, 0)},
			{ID: "kcm-1", Product: "KCM", Renewable: false, ExpiresAt: day(9, 1, 0, 0)},
		},
		log: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0),
	}

	fmt.Fprintln(w, "Renewals, February 2024 (Asia/Shanghai, CNY)")
	fmt.Fprintln(w)
	fmt.Fprintln(s.log, "WHEN\tINSTANCE\tPRODUCT\tWHAT\tEXPIRES\tPAID BY\tNOTE")
	for d := day(2, 1, 0, 5); !d.After(day(3, 1, 0, 5)); d = d.AddDate(0, 0, 1) {
		if err := s.auto(d); err != nil {
			return err
		}
		if err := s.customer(d); err != nil {
			return err
		}
	}
	if err := s.log.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	if err := s.unify(w, day(3, 1, 9, 0)); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return s.summary(w)
}

// auto runs the automatic renewals due at now.
func (s *scene) auto(now time.Time) error {
	r, err := renewal.RunAuto(s.fleet, now, cst, s.wallet, s.prices, allocation.Policy{})
	if err != nil {
		return err
	}
	for _, res := range r.Results {
		split, why := res.Split, note(res.Err)
		if res.Outcome == renewal.Failed {
			// Nothing of the attempted split was spent.
			short := res.Amount.Sub(res.Split.Paid).Sub(res.Split.Discounted)
			split, why = allocation.Split{}, short.StringFixed(2)+" short: "+why
		}
		s.row(now, res.Instance, "auto: "+string(res.Outcome), res.To, split, why)
	}
	s.fleet, s.wallet = r.Instances, r.Wallet
	return nil
}

// customer plays what the customer does by hand on some days.
func (s *scene) customer(now time.Time) error {
	switch now.Format("01-02") {
	case "02-13":
		// db-1 failed yesterday. The customer tops up 500 and renews it
		// by hand in the afternoon; it stays on automatic renewal.
		at := day(2, 13, 15, 0)
		s.topUp(at, "500.00")
		if err := s.renew(at, "db-1", 1); err != nil {
			return err
		}
	case "02-14":
		// cdn-1 is manual and expired on Feb 3: no switching to auto.
		at := day(2, 14, 10, 0)
		in := s.find("cdn-1")
		_, err := in.EnableAuto(at)
		s.row(at, in, "enable auto: refused", in.ExpiresAt, allocation.Split{}, note(err))
	case "02-15":
		// Instances renewal management does not cover.
		at := day(2, 15, 10, 0)
		for _, id := range []string{"snap-1", "kad-1"} {
			if err := s.renew(at, id, 1); err != nil {
				return err
			}
		}
		in := s.find("kcm-1")
		_, err := in.EnableAuto(at)
		s.row(at, in, "enable auto: refused", in.ExpiresAt, allocation.Split{}, note(err))
	}
	return nil
}

// renew renews instance id by hand for months months at at. A refusal is
// part of the story; any other error is not.
func (s *scene) renew(at time.Time, id string, months int) error {
	in := s.find(id)
	r, err := renewal.Renew(in, months, at, cst, s.wallet, s.prices, allocation.Policy{})
	if errors.Is(err, renewal.ErrNotRenewable) {
		s.row(at, in, "manual: refused", in.ExpiresAt, allocation.Split{}, note(err))
		return nil
	}
	if err != nil {
		return err
	}
	n := fmt.Sprintf("%d month from %s", months, r.From.Format("01-02 15:04"))
	if r.Split.Outstanding.Sign() > 0 {
		n += ", " + r.Split.Outstanding.StringFixed(2) + " online"
	}
	s.row(at, r.Instance, "manual: renewed", r.To, r.Split, n)
	s.set(r.Instance)
	s.wallet = r.Wallet
	return nil
}

// topUp adds amount to the cash balance, as a host would on a bank
// transfer.
func (s *scene) topUp(at time.Time, amount string) {
	for k := range s.wallet {
		if s.wallet[k].ID == "cash" {
			s.wallet[k].Balance = s.wallet[k].Balance.Add(money(amount))
		}
	}
	fmt.Fprintf(s.log, "%s\t\t\ttop-up\t\tcash +%s\t\n", at.Format("01-02 15:04"), amount)
}

// unify quotes a unified expiry on the 1st for the renewable fleet, pays
// the quote from the wallet (the rest online) and applies it.
func (s *scene) unify(w io.Writer, at time.Time) error {
	var picked []renewal.Instance
	for _, in := range s.fleet {
		if in.Policy == renewal.Auto && in.Refused() == nil {
			picked = append(picked, in)
		}
	}
	q, err := renewal.Unify(picked, 1, at, cst, s.prices, allocation.Rounding{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Unified expiry on the 1st, quoted %s\n\n", at.Format("2006-01-02 15:04"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "INSTANCE\tPRODUCT\tFROM\tTO\tDAYS\tMONTHLY\tFEE\t")
	for _, l := range q.Lines {
		if l.Err != nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\t%s\t\n", l.Instance, l.Product, l.From.Format("01-02 15:04"), note(l.Err))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t\n", l.Instance, l.Product, l.From.Format("01-02 15:04"),
			l.To.Format("01-02 15:04"), l.Days, l.PeriodDays, l.Monthly.StringFixed(2), l.Fee.StringFixed(2))
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t\t%s\t\n", q.Total.StringFixed(2))
	if err := tw.Flush(); err != nil {
		return err
	}

	split, err := allocation.Allocate(q.Bill("unify:2024-03-01", at), s.wallet, renewal.DefaultPolicy())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nPaid %s from the wallet (%s), %s online.\n", split.Paid.StringFixed(2),
		paidBy(split), split.Outstanding.StringFixed(2))
	s.wallet = s.wallet.After(split)
	fleet, err := q.Apply(s.fleet)
	if err != nil {
		return err
	}
	s.fleet = fleet
	return nil
}

// summary prints the fleet and the wallet at the end.
func (s *scene) summary(w io.Writer) error {
	fmt.Fprintln(w, "Fleet on March 1")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tPRODUCT\tKIND\tPOLICY\tSTATUS\tEXPIRES\tANCHOR")
	for _, in := range s.fleet {
		status := string(orDefault(string(in.Status), "active"))
		if in.ExpiredAt(day(3, 1, 9, 0)) {
			status = "expired"
		}
		if in.AutoBlocked {
			status += ", blocked"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", in.ID, in.Product, orDefault(string(in.Kind), "standard"),
			orDefault(string(in.Policy), "manual"), status, in.ExpiresAt.Format("2006-01-02 15:04"), in.AnchorDay)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Wallet on March 1")
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "INSTRUMENT\tKIND\tBALANCE\t")
	for _, in := range s.wallet {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", in.ID, in.Kind, in.Balance.StringFixed(2))
	}
	return tw.Flush()
}

func (s *scene) row(at time.Time, in renewal.Instance, what string, expires time.Time, split allocation.Split, note string) {
	fmt.Fprintf(s.log, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", at.Format("01-02 15:04"), in.ID, in.Product, what,
		expires.In(cst).Format("2006-01-02 15:04"), paidBy(split), note)
}

func (s *scene) find(id string) renewal.Instance {
	for _, in := range s.fleet {
		if in.ID == id {
			return in
		}
	}
	panic("no instance " + id) // the story only names its own instances
}

func (s *scene) set(in renewal.Instance) {
	for k := range s.fleet {
		if s.fleet[k].ID == in.ID {
			s.fleet[k] = in
		}
	}
}

// paidBy lists what each instrument of a split paid, in the order it
// first drew.
func paidBy(split allocation.Split) string {
	var ids []string
	sums := map[string]decimal.Decimal{}
	for _, a := range split.Allocations {
		if _, ok := sums[a.Instrument]; !ok {
			ids = append(ids, a.Instrument)
		}
		sums[a.Instrument] = sums[a.Instrument].Add(a.Amount)
	}
	if len(ids) == 0 {
		return "-"
	}
	parts := make([]string, len(ids))
	for k, id := range ids {
		parts[k] = id + " " + sums[id].StringFixed(2)
	}
	return strings.Join(parts, ", ")
}

// note says briefly why, from the sentinel an error wraps.
func note(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, renewal.ErrInsufficientBalance):
		return "insufficient balance; expired, stays auto, blocked"
	case errors.Is(err, renewal.ErrTrial):
		return "trial instance"
	case errors.Is(err, renewal.ErrOneTime):
		return "one-time fee instance"
	case errors.Is(err, renewal.ErrProductNotRenewable):
		return "product not renewable in the console"
	case errors.Is(err, renewal.ErrExpiredManual):
		return "expired manual instance"
	case errors.Is(err, renewal.ErrExpired):
		return "expired: renew first"
	}
	return err.Error()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
