package renewal

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// genWallet draws a Kingsoft-style wallet: vouchers (some expired, many
// sharing an expiry), gift balance and available credit with a credit line,
// in whole yuan and cents.
func genWallet(t *rapid.T, now time.Time) allocation.Wallet {
	var w allocation.Wallet
	money := func(label string, max int64) decimal.Decimal {
		return decimal.New(rapid.Int64Range(0, max).Draw(t, label), -2)
	}
	nv := rapid.IntRange(0, 5).Draw(t, "vouchers")
	for k := range nv {
		id := fmt.Sprintf("v-%d", k)
		var until time.Time
		if d := rapid.IntRange(-1, 3).Draw(t, id+"_until"); d >= 0 {
			until = now.Add(time.Duration(d) * 72 * time.Hour) // d == 0: expired now
		}
		w = append(w, allocation.Instrument{ID: id, Kind: VoucherKind, Currency: "CNY",
			Balance: money(id+"_balance", 150_00), ValidUntil: until})
	}
	if rapid.Bool().Draw(t, "has_gift") {
		w = append(w, allocation.Instrument{ID: "gift", Kind: GiftKind, Currency: "CNY", Balance: money("gift", 100_00)})
	}
	if rapid.Bool().Draw(t, "has_cash") {
		w = append(w, allocation.Instrument{ID: "cash", Kind: CashKind, Currency: "CNY",
			Balance:   money("cash", 300_00).Sub(decimal.New(rapid.Int64Range(0, 1).Draw(t, "overdrawn")*50, 0)),
			Overdraft: money("credit_line", 100_00)})
	}
	return w
}

// genFleet draws auto instances, many expiring at the same instant, some
// not due, refused or blocked, with prices in whole cents.
func genFleet(t *rapid.T, now time.Time) []Instance {
	base := startOfDay(now, shanghai)
	n := rapid.IntRange(0, 8).Draw(t, "instances")
	fleet := make([]Instance, n)
	for k := range fleet {
		in := kec(fmt.Sprintf("i-%d", k), base.Add(time.Duration(rapid.IntRange(1, 30).Draw(t, "expiry_hour"))*time.Hour))
		in.Product = rapid.SampledFrom([]string{"KEC", "KRDS", "FREE", "CHEAP"}).Draw(t, "product")
		switch rapid.IntRange(0, 9).Draw(t, "variant") {
		case 0:
			in.Kind = Trial
		case 1:
			in.Renewable = false
		case 2:
			in.Status, in.AutoBlocked = Expired, true
		case 3:
			in.Policy = Manual
		}
		fleet[k] = in
	}
	return fleet
}

func propPrices(t *rapid.T) Prices {
	return Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
		"KEC":   decimal.New(rapid.Int64Range(1, 200_00).Draw(t, "kec_price"), -2),
		"KRDS":  decimal.New(rapid.Int64Range(1, 400_00).Draw(t, "krds_price"), -2),
		"FREE":  decimal.Zero,
		"CHEAP": decimal.New(1, -2),
	}}
}

// referenceRunAuto is the slow obvious RunAuto for wallets of unscoped
// vouchers, gift and cash under DefaultPolicy: it returns the outcome of
// each instance and the balances after the run.
func referenceRunAuto(fleet []Instance, now time.Time, wallet allocation.Wallet, p Prices) (map[string]Outcome, map[string]decimal.Decimal) {
	bal := map[string]decimal.Decimal{}
	for _, in := range wallet {
		bal[in.ID] = in.Balance
	}
	// Due auto instances, earliest expiry first, then id; those renewal
	// management would renew but whose last day has passed are missed.
	var due []Instance
	out := map[string]Outcome{}
	for _, in := range fleet {
		y, m, d := in.ExpiresAt.Add(-time.Nanosecond).In(shanghai).Date()
		managed := in.Kind != Trial && in.Kind != OneTime && in.Renewable
		switch {
		case in.Policy != Auto || !(in.Status == "" || in.Status == Active) || in.AutoBlocked:
		case !now.Before(in.ExpiresAt):
			if managed {
				out[in.ID] = Missed
			}
		case !now.Before(time.Date(y, m, d, 0, 0, 0, 0, shanghai)):
			due = append(due, in)
		}
	}
	slices.SortFunc(due, func(a, b Instance) int {
		if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	for _, in := range due {
		if in.Kind == Trial || in.Kind == OneTime || !in.Renewable {
			out[in.ID] = Refused
			continue
		}
		price := p.Monthly[in.Product]
		left := price
		take := map[string]decimal.Decimal{}
		// Vouchers: soonest expiry (none last), then largest deduction, then id.
		var vs []allocation.Instrument
		for _, w := range wallet {
			if w.Kind == VoucherKind && (w.ValidUntil.IsZero() || now.Before(w.ValidUntil)) {
				vs = append(vs, w)
			}
		}
		slices.SortFunc(vs, func(a, b allocation.Instrument) int {
			switch {
			case a.ValidUntil.IsZero() != b.ValidUntil.IsZero():
				if a.ValidUntil.IsZero() {
					return 1
				}
				return -1
			case !a.ValidUntil.Equal(b.ValidUntil):
				return a.ValidUntil.Compare(b.ValidUntil)
			}
			da, db := decimal.Min(bal[a.ID], price), decimal.Min(bal[b.ID], price)
			if c := db.Cmp(da); c != 0 {
				return c
			}
			if a.ID < b.ID {
				return -1
			}
			return 1
		})
		draw := func(id string, avail decimal.Decimal) {
			if avail.Sign() <= 0 || left.Sign() == 0 {
				return
			}
			x := decimal.Min(avail, left)
			take[id] = x
			left = left.Sub(x)
		}
		for _, v := range vs {
			draw(v.ID, bal[v.ID])
		}
		if _, ok := bal["gift"]; ok {
			draw("gift", bal["gift"])
		}
		for _, w := range wallet {
			if w.ID == "cash" {
				draw("cash", bal["cash"].Add(w.Overdraft))
			}
		}
		if left.Sign() > 0 {
			out[in.ID] = Failed
			continue
		}
		out[in.ID] = Renewed
		for id, x := range take {
			bal[id] = bal[id].Sub(x)
		}
	}
	return out, bal
}

func TestRunAutoProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		now := time.Date(2024, 3, 15, 0, 0, 0, 0, shanghai).Add(time.Duration(rapid.IntRange(0, 23*60).Draw(t, "minute")) * time.Minute)
		fleet := genFleet(t, now)
		wallet := genWallet(t, now)
		p := propPrices(t)
		origFleet := slices.Clone(fleet)
		origWallet := slices.Clone(wallet)

		run, err := RunAuto(fleet, now, shanghai, wallet, p, allocation.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(origFleet, fleet); diff != "" {
			t.Fatalf("RunAuto changed its instances:\n%s", diff)
		}
		if diff := cmp.Diff(balancesOf(origWallet), balancesOf(wallet)); diff != "" {
			t.Fatalf("RunAuto changed its wallet:\n%s", diff)
		}
		checkRun(t, fleet, run)

		// Agrees with the reference.
		wantOut, wantBal := referenceRunAuto(fleet, now, wallet, p)
		gotOut := map[string]Outcome{}
		for _, r := range run.Results {
			gotOut[r.Instance.ID] = r.Outcome
		}
		if diff := cmp.Diff(wantOut, gotOut); diff != "" {
			t.Fatalf("outcomes (-reference +RunAuto):\n%s", diff)
		}
		if diff := cmp.Diff(wantBal, balancesOf(run.Wallet)); diff != "" {
			t.Fatalf("balances (-reference +RunAuto):\n%s", diff)
		}

		// Never spends more than the wallet holds: what the renewed splits
		// paid is exactly what left the wallet, and nothing went below its
		// floor (zero, or −Overdraft for available credit).
		paid := decimal.Zero
		for _, r := range run.Results {
			if r.Outcome == Renewed {
				paid = paid.Add(r.Split.Paid)
			}
		}
		spent := decimal.Zero
		for k, in := range run.Wallet {
			before := wallet[k]
			spent = spent.Add(before.Balance.Sub(in.Balance))
			floor := decimal.Min(before.Balance, decimal.Zero)
			if in.Kind == CashKind {
				floor = decimal.Min(before.Balance, before.Overdraft.Neg())
			}
			if in.Balance.Cmp(floor) < 0 || in.Balance.Cmp(before.Balance) > 0 {
				t.Fatalf("%s: balance %s → %s (floor %s)", in.ID, before.Balance, in.Balance, floor)
			}
			if in.ID != before.ID || in.Kind != before.Kind || !in.Overdraft.Equal(before.Overdraft) {
				t.Fatalf("instrument %d changed beyond its balance", k)
			}
		}
		if !paid.Equal(spent) {
			t.Fatalf("splits paid %s but the wallet lost %s", paid, spent)
		}

		// Deterministic, whatever the order of instances and wallet.
		permFleet := rapid.Permutation(fleet).Draw(t, "perm_fleet")
		permWallet := rapid.Permutation(wallet).Draw(t, "perm_wallet")
		run2, err := RunAuto(permFleet, now, shanghai, permWallet, p, allocation.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(run.Results, run2.Results, cmp.Comparer(func(a, b error) bool {
			return a == nil && b == nil || a != nil && b != nil && a.Error() == b.Error()
		})); diff != "" {
			t.Fatalf("results depend on input order (-first +permuted):\n%s", diff)
		}
		if diff := cmp.Diff(byID(run.Instances), byID(run2.Instances)); diff != "" {
			t.Fatalf("instances depend on input order:\n%s", diff)
		}
		if diff := cmp.Diff(balancesOf(run.Wallet), balancesOf(run2.Wallet)); diff != "" {
			t.Fatalf("wallet depends on input order:\n%s", diff)
		}
	})
}

func balancesOf(w allocation.Wallet) map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(w))
	for _, in := range w {
		out[in.ID] = in.Balance
	}
	return out
}

func byID(instances []Instance) map[string]Instance {
	out := make(map[string]Instance, len(instances))
	for _, in := range instances {
		out[in.ID] = in
	}
	return out
}
