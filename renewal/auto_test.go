package renewal

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

const seedAssets = "000_f04d44448bd9d2a1.txt"

// The renewal run of the tables: 00:30 on 2024-03-15 in Shanghai.
var (
	runAt  = at(shanghai, 2024, 3, 15, 0, 30)
	expiry = at(shanghai, 2024, 3, 15, 10, 0)
	next   = at(shanghai, 2024, 4, 15, 10, 0)
)

func prices() Prices {
	return Prices{Currency: "CNY", Monthly: map[string]decimal.Decimal{
		"KEC":  dec("100.00"),
		"KRDS": dec("300.00"),
		"KAD":  dec("50.00"),
		"KCM":  dec("80.00"),
		"FREE": dec("0"),
	}}
}

func voucher(id, balance string, until time.Time) allocation.Instrument {
	return allocation.Instrument{ID: id, Kind: VoucherKind, Currency: "CNY", Balance: dec(balance), ValidUntil: until}
}

func gift(id, balance string) allocation.Instrument {
	return allocation.Instrument{ID: id, Kind: GiftKind, Currency: "CNY", Balance: dec(balance)}
}

func cash(id, balance, overdraft string) allocation.Instrument {
	return allocation.Instrument{ID: id, Kind: CashKind, Currency: "CNY", Balance: dec(balance), Overdraft: dec(overdraft)}
}

// outcome is what a table expects of one Result.
type outcome struct {
	ID      string
	Outcome Outcome
	To      time.Time
	Err     error // a sentinel, matched with errors.Is
}

func outcomes(results []Result) []outcome {
	if len(results) == 0 {
		return nil
	}
	out := make([]outcome, len(results))
	for k, r := range results {
		out[k] = outcome{ID: r.Instance.ID, Outcome: r.Outcome, To: r.To, Err: r.Err}
	}
	return out
}

// cmpOutcome compares outcomes, errors by errors.Is against the wanted
// sentinel and times by instant.
var cmpOutcome = cmp.Comparer(func(a, b outcome) bool {
	errOK := a.Err == nil && b.Err == nil || a.Err != nil && b.Err != nil && (errors.Is(a.Err, b.Err) || errors.Is(b.Err, a.Err))
	return a.ID == b.ID && a.Outcome == b.Outcome && a.To.Equal(b.To) && errOK
})

func balances(w allocation.Wallet) map[string]string {
	out := make(map[string]string, len(w))
	for _, in := range w {
		out[in.ID] = in.Balance.StringFixed(2)
	}
	return out
}

func TestRunAuto(t *testing.T) {
	soon, later := at(shanghai, 2024, 3, 31, 0, 0), at(shanghai, 2024, 4, 30, 0, 0)
	mk := func(id string, edit func(*Instance)) Instance {
		in := kec(id, expiry)
		if edit != nil {
			edit(&in)
		}
		return in
	}
	expiredBlocked := func(id string) Instance {
		in := mk(id, nil)
		in.Status, in.AutoBlocked = Expired, true
		return in
	}
	tests := []struct {
		name      string
		reason    string
		instances []Instance
		wallet    allocation.Wallet
		want      []outcome
		balances  map[string]string // after the run
		after     []Instance        // Run.Instances, when checked
	}{
		{
			name:      "vouchers_soonest_expiry_first",
			reason:    seedRenewal + ": vouchers that will expire soon will be used first",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{voucher("v-late", "100.00", later), voucher("v-soon", "60.00", soon), cash("cash", "500.00", "0")},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{"v-late": "60.00", "v-soon": "0.00", "cash": "500.00"},
		},
		{
			name:      "equal_expiry_largest_deduction_first",
			reason:    seedRenewal + ": if the expiration time of vouchers is the same, the one with the largest deduction is used first",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{voucher("v-a", "30.00", soon), voucher("v-b", "80.00", soon), cash("cash", "500.00", "0")},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{"v-a": "10.00", "v-b": "0.00", "cash": "500.00"},
		},
		{
			name:      "voucher_without_expiry_last",
			reason:    seedRenewal + ": soonest-expiring first, so a voucher that never expires comes after dated ones",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{voucher("v-forever", "90.00", time.Time{}), voucher("v-dated", "20.00", later)},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{"v-forever": "10.00", "v-dated": "0.00"},
		},
		{
			name:      "vouchers_before_balance",
			reason:    seedRenewal + ": fees are deducted from the account balance; vouchers, if any, are used first",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{cash("cash", "500.00", "0"), voucher("v-1", "30.00", soon)},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{"v-1": "0.00", "cash": "430.00"},
		},
		{
			name:      "gift_before_available_credit",
			reason:    seedAssets + ": after vouchers the system first uses gift balance and then available credit",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{cash("cash", "500.00", "0"), gift("gift", "25.00"), voucher("v-1", "30.00", soon)},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{"v-1": "0.00", "gift": "0.00", "cash": "455.00"},
		},
		{
			name:      "credit_package_available_credit",
			reason:    seedAssets + ": available credit as credit.Line projects it (kind credit_line) pays after gift balance, into its credit line",
			instances: []Instance{mk("i-1", nil)},
			wallet: allocation.Wallet{gift("gift", "30.00"),
				{ID: "line", Kind: CreditLineKind, Currency: "CNY", Balance: dec("40.00"), Overdraft: dec("100.00")}},
			want:     []outcome{{"i-1", Renewed, next, nil}},
			balances: map[string]string{"gift": "0.00", "line": "-30.00"},
		},
		{
			name:      "available_credit_goes_negative_within_credit_line",
			reason:    seedAssets + ": available credit may be negative, down to the granted credit line",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{cash("cash", "40.00", "100.00")},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{"cash": "-60.00"},
		},
		{
			name:      "expired_voucher_is_not_used",
			reason:    seedRenewal + ": vouchers are judged at the renewal time; an expired one cannot pay",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{voucher("v-old", "100.00", runAt), cash("cash", "100.00", "0")},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{"v-old": "100.00", "cash": "0.00"},
		},
		{
			name:      "insufficient_balance_fails_and_spends_nothing",
			reason:    seedRenewal + ": renewal fails on the expiration date due to insufficient balance; the instance becomes expired",
			instances: []Instance{mk("i-1", nil)},
			wallet:    allocation.Wallet{voucher("v-1", "30.00", soon), cash("cash", "50.00", "0")},
			want:      []outcome{{"i-1", Failed, expiry, ErrInsufficientBalance}},
			balances:  map[string]string{"v-1": "30.00", "cash": "50.00"},
			after:     []Instance{expiredBlocked("i-1")},
		},
		{
			name:      "nil_wallet_fails",
			reason:    seedRenewal + ": with no balance at all the renewal fails",
			instances: []Instance{mk("i-1", nil)},
			want:      []outcome{{"i-1", Failed, expiry, ErrInsufficientBalance}},
			balances:  map[string]string{},
		},
		{
			name:      "free_product_needs_no_balance",
			reason:    "a zero monthly price is paid in full by nothing",
			instances: []Instance{mk("i-1", func(i *Instance) { i.Product = "FREE" })},
			want:      []outcome{{"i-1", Renewed, next, nil}},
			balances:  map[string]string{},
		},
		{
			name:   "wallet_carried_forward",
			reason: seedRenewal + ": renewals are deducted from one balance; the second instance sees what the first left",
			instances: []Instance{
				mk("i-2", func(i *Instance) { i.ExpiresAt = expiry.Add(time.Hour) }),
				mk("i-1", nil),
			},
			wallet: allocation.Wallet{cash("cash", "150.00", "0")},
			want: []outcome{
				{"i-1", Renewed, next, nil},
				{"i-2", Failed, expiry.Add(time.Hour), ErrInsufficientBalance},
			},
			balances: map[string]string{"cash": "50.00"},
		},
		{
			name:   "equal_expiry_by_id",
			reason: "renewal order: equal expiry → instance id, so a thin wallet pays i-a, not i-b, whatever the input order",
			instances: []Instance{
				mk("i-b", nil),
				mk("i-a", nil),
			},
			wallet: allocation.Wallet{cash("cash", "100.00", "0")},
			want: []outcome{
				{"i-a", Renewed, next, nil},
				{"i-b", Failed, expiry, ErrInsufficientBalance},
			},
			balances: map[string]string{"cash": "0.00"},
		},
		{
			name:   "failure_leaves_funds_for_a_cheaper_one",
			reason: seedRenewal + ": a failed renewal deducts nothing, so a later cheaper instance can still be renewed",
			instances: []Instance{
				mk("rds", func(i *Instance) { i.Product = "KRDS" }),
				mk("web", func(i *Instance) { i.ExpiresAt = expiry.Add(time.Minute) }),
			},
			wallet: allocation.Wallet{cash("cash", "150.00", "0")},
			want: []outcome{
				{"rds", Failed, expiry, ErrInsufficientBalance},
				{"web", Renewed, next.Add(time.Minute), nil},
			},
			balances: map[string]string{"cash": "50.00"},
		},
		{
			name:   "only_due_instances",
			reason: seedRenewal + ": auto renewal after 00:00 on the expiration date, manual instances by the customer",
			instances: []Instance{
				mk("tomorrow", func(i *Instance) { i.ExpiresAt = expiry.Add(24 * time.Hour) }),
				mk("manual", func(i *Instance) { i.Policy = Manual }),
				mk("blocked", func(i *Instance) { i.Status, i.AutoBlocked = Expired, true }),
				mk("lapsed_trial", func(i *Instance) { i.ExpiresAt, i.Kind = runAt.Add(-time.Minute), Trial }),
			},
			wallet:   allocation.Wallet{cash("cash", "1000.00", "0")},
			want:     nil,
			balances: map[string]string{"cash": "1000.00"},
		},
		{
			name: "a_passed_window_is_reported_missed",
			reason: seedRenewal + ": if an instance fails to be renewed on the expiration date, the instance becomes expired;" +
				" the system renews instances only if they are in the validity period",
			instances: []Instance{
				mk("lapsed", func(i *Instance) { i.ExpiresAt = runAt.Add(-time.Minute) }),
				mk("just_lapsed", func(i *Instance) { i.ExpiresAt = runAt }), // ExpiresAt is exclusive
				mk("web", nil),
			},
			wallet: allocation.Wallet{cash("cash", "1000.00", "0")},
			want: []outcome{
				{"lapsed", Missed, runAt.Add(-time.Minute), ErrWindowMissed},
				{"just_lapsed", Missed, runAt, ErrWindowMissed},
				{"web", Renewed, next, nil},
			},
			balances: map[string]string{"cash": "900.00"},
			after: []Instance{
				mk("lapsed", func(i *Instance) {
					i.ExpiresAt, i.Status, i.AutoBlocked = runAt.Add(-time.Minute), Expired, true
				}),
				mk("just_lapsed", func(i *Instance) { i.ExpiresAt, i.Status, i.AutoBlocked = runAt, Expired, true }),
				mk("web", func(i *Instance) {
					i.ExpiresAt, i.AnchorDay, i.AnchorClock, i.PeriodMonths = next, 15, clock("10:00"), 1
				}),
			},
		},
		{
			name:   "refused_auto_instances_are_reported",
			reason: seedRenewal + ": trial, one-time fee, KAD and KCM instances are not renewed",
			instances: []Instance{
				mk("trial", func(i *Instance) { i.Kind = Trial }),
				mk("once", func(i *Instance) { i.Kind = OneTime }),
				mk("kad", func(i *Instance) { i.Product, i.Renewable = "KAD", false }),
				mk("kcm", func(i *Instance) { i.Product, i.Renewable = "KCM", false }),
				mk("web", func(i *Instance) { i.ExpiresAt = expiry.Add(time.Minute) }),
			},
			wallet: allocation.Wallet{cash("cash", "1000.00", "0")},
			want: []outcome{
				{"kad", Refused, expiry, ErrProductNotRenewable},
				{"kcm", Refused, expiry, ErrProductNotRenewable},
				{"once", Refused, expiry, ErrOneTime},
				{"trial", Refused, expiry, ErrTrial},
				{"web", Renewed, next.Add(time.Minute), nil},
			},
			balances: map[string]string{"cash": "900.00"},
		},
		{
			name:      "voucher_for_another_product_is_not_used",
			reason:    seedRenewal + ": vouchers pay the renewal only within their scope",
			instances: []Instance{mk("i-1", nil)},
			wallet: allocation.Wallet{
				func() allocation.Instrument {
					v := voucher("v-rds", "100.00", soon)
					v.Scope.Products = []string{"KRDS"}
					return v
				}(),
				cash("cash", "100.00", "0"),
			},
			want:     []outcome{{"i-1", Renewed, next, nil}},
			balances: map[string]string{"v-rds": "100.00", "cash": "0.00"},
		},
		{
			name:      "month_end_anchor_recorded",
			reason:    "DESIGN invariant 8: Jan 31 renews to Feb 29 and remembers the 31st",
			instances: []Instance{mk("i-1", func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 1, 31, 10, 0) })},
			wallet:    allocation.Wallet{cash("cash", "100.00", "0")},
			want:      []outcome{{"i-1", Renewed, at(shanghai, 2024, 2, 29, 10, 0), nil}},
			balances:  map[string]string{"cash": "0.00"},
			after: []Instance{mk("i-1", func(i *Instance) {
				i.ExpiresAt, i.AnchorDay, i.AnchorClock = at(shanghai, 2024, 2, 29, 10, 0), 31, clock("10:00")
			})},
		},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			now := runAt
			if tc.name == "month_end_anchor_recorded" {
				now = at(shanghai, 2024, 1, 31, 9, 0)
			}
			origInstances, origWallet := slices.Clone(tc.instances), balances(tc.wallet)
			run, err := RunAuto(tc.instances, now, shanghai, tc.wallet, prices(), allocation.Policy{})
			if err != nil {
				t.Fatalf("RunAuto: %v", err)
			}
			if diff := cmp.Diff(tc.want, outcomes(run.Results), cmpOutcome); diff != "" {
				t.Errorf("results (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if diff := cmp.Diff(tc.balances, balances(run.Wallet)); diff != "" {
				t.Errorf("balances after (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if tc.after != nil {
				if diff := cmp.Diff(tc.after, run.Instances); diff != "" {
					t.Errorf("instances after (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(origInstances, tc.instances); diff != "" {
				t.Errorf("RunAuto changed its instances:\n%s", diff)
			}
			if diff := cmp.Diff(origWallet, balances(tc.wallet)); diff != "" {
				t.Errorf("RunAuto changed its wallet:\n%s", diff)
			}
			checkRun(t, tc.instances, run)
		})
	}
}

// checkRun checks what every Run must satisfy: instances in input order,
// results matching them, renewed ones one month on and paid in full,
// failed ones expired, blocked, auto, and spending nothing.
func checkRun(t fataler, instances []Instance, run Run) {
	t.Helper()
	if len(run.Instances) != len(instances) {
		t.Fatalf("%d instances out, %d in", len(run.Instances), len(instances))
	}
	byID := map[string]int{}
	for k, in := range instances {
		byID[in.ID] = k
		if run.Instances[k].ID != in.ID {
			t.Fatalf("instance %d is %s, want %s (input order)", k, run.Instances[k].ID, in.ID)
		}
	}
	touched := map[string]bool{}
	for _, r := range run.Results {
		k := byID[r.Instance.ID]
		before, after := instances[k], run.Instances[k]
		touched[after.ID] = true
		if r.Instance != after {
			t.Fatalf("result instance %+v differs from Run.Instances %+v", r.Instance, after)
		}
		if !r.From.Equal(before.ExpiresAt) {
			t.Fatalf("%s: From %s, want %s", after.ID, r.From, before.ExpiresAt)
		}
		switch r.Outcome {
		case Renewed:
			if r.Err != nil || !r.To.Equal(after.ExpiresAt) || after.Status != before.Status ||
				after.AutoBlocked || after.Policy != Auto || after.PeriodMonths != 1 ||
				after.AnchorDay < 1 || !after.ExpiresAt.Equal(before.NextExpiry(1, shanghaiOr(after))) {
				t.Fatalf("renewed %s: %+v from %+v", after.ID, r, before)
			}
			if !r.Split.Outstanding.IsZero() || !r.Split.Paid.Add(r.Split.Discounted).Equal(r.Amount) {
				t.Fatalf("renewed %s with split paid %s discounted %s outstanding %s for %s", after.ID,
					r.Split.Paid, r.Split.Discounted, r.Split.Outstanding, r.Amount)
			}
		case Failed:
			if !errors.Is(r.Err, ErrInsufficientBalance) || !r.To.Equal(before.ExpiresAt) ||
				after.Status != Expired || !after.AutoBlocked || after.Policy != Auto ||
				!after.ExpiresAt.Equal(before.ExpiresAt) {
				t.Fatalf("failed %s: %+v", after.ID, r)
			}
		case Refused:
			if !errors.Is(r.Err, ErrNotRenewable) || after != before || !r.Amount.IsZero() {
				t.Fatalf("refused %s: %+v", after.ID, r)
			}
		case Missed:
			if !errors.Is(r.Err, ErrWindowMissed) || !r.To.Equal(before.ExpiresAt) || !r.Amount.IsZero() ||
				!r.Split.Equal(allocation.Split{}) || after.Status != Expired || !after.AutoBlocked ||
				after.Policy != Auto || !after.ExpiresAt.Equal(before.ExpiresAt) {
				t.Fatalf("missed %s: %+v", after.ID, r)
			}
		default:
			t.Fatalf("%s: outcome %q", after.ID, r.Outcome)
		}
	}
	for k, in := range instances {
		if !touched[in.ID] && run.Instances[k] != in {
			t.Fatalf("%s changed without a result", in.ID)
		}
	}
}

// fataler is what checkRun needs of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// shanghaiOr returns the zone of in's expiry (the tests keep expiries in
// the account zone).
func shanghaiOr(in Instance) *time.Location { return in.ExpiresAt.Location() }

func TestRunAutoBlockedUntilManualRenewal(t *testing.T) {
	// 004_436d555c5a6b9a35.txt: "If an instance fails to be renewed on the
	// expiration date, the instance becomes expired ... the renewal policy
	// of this instance remains as automatic renewal after it expires.
	// However, the instance can no longer be automatically renewed by the
	// system. To recover the instance, you must manually renew it. ...
	// After the expired instances are renewed, you do not need to enable
	// automatic renewal for them again."
	fleet := []Instance{kec("web", expiry)}
	wallet := allocation.Wallet{cash("cash", "60.00", "0")}

	run, err := RunAuto(fleet, runAt, shanghai, wallet, prices(), allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(run.Results); len(got) != 1 || got[0].Outcome != Failed {
		t.Fatalf("first run: %+v, want a failure", got)
	}
	failed := run.Instances[0]

	// Later the same day, with money again: still not renewed automatically.
	topped := allocation.Wallet{cash("cash", "500.00", "0")}
	run2, err := RunAuto(run.Instances, runAt.Add(time.Hour), shanghai, topped, prices(), allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(run2.Results) != 0 || run2.Instances[0] != failed {
		t.Fatalf("blocked instance was touched: %+v", run2.Results)
	}
	if _, err := failed.DisableAuto().EnableAuto(runAt.Add(time.Hour)); !errors.Is(err, ErrExpiredManual) {
		t.Fatalf("switching the expired instance to manual and back: %v, want ErrExpiredManual", err)
	}

	// The customer renews by hand the next day, from the renewal time.
	manualAt := at(shanghai, 2024, 3, 16, 14, 0)
	r, err := Renew(failed, 1, manualAt, shanghai, topped, prices(), allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	want := failed
	want.Status, want.AutoBlocked = Active, false
	want.ExpiresAt, want.AnchorDay, want.AnchorClock, want.PeriodMonths = at(shanghai, 2024, 4, 16, 14, 0), 16, clock("14:00"), 1
	if diff := cmp.Diff(want, r.Instance); diff != "" {
		t.Fatalf("manual renewal (-want +got):\n%s", diff)
	}
	if got := balances(r.Wallet)["cash"]; got != "400.00" {
		t.Fatalf("cash after manual renewal %s, want 400.00", got)
	}

	// And it renews automatically again on its new expiry date.
	run3, err := RunAuto([]Instance{r.Instance}, at(shanghai, 2024, 4, 16, 0, 1), shanghai, r.Wallet, prices(), allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(run3.Results); len(got) != 1 || got[0].Outcome != Renewed ||
		!got[0].To.Equal(at(shanghai, 2024, 5, 16, 14, 0)) {
		t.Fatalf("after manual recovery: %+v, want renewed to 2024-05-16 14:00", got)
	}
}

func TestRunAutoMonthEndChain(t *testing.T) {
	// DESIGN invariant 8 with 004_436d555c5a6b9a35.txt's monthly renewals:
	// Jan 31 → Feb 29 → Mar 31 → Apr 30 → May 31, run by run.
	fleet := []Instance{kec("web", at(shanghai, 2024, 1, 31, 10, 0))}
	wallet := allocation.Wallet{cash("cash", "1000.00", "0")}
	var got []string
	for range 4 {
		now := startOfDay(fleet[0].ExpiresAt, shanghai).Add(time.Minute)
		run, err := RunAuto(fleet, now, shanghai, wallet, prices(), allocation.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Results) != 1 || run.Results[0].Outcome != Renewed {
			t.Fatalf("run at %s: %+v", now, outcomes(run.Results))
		}
		fleet, wallet = run.Instances, run.Wallet
		got = append(got, fleet[0].ExpiresAt.Format("01-02"))
	}
	if diff := cmp.Diff([]string{"02-29", "03-31", "04-30", "05-31"}, got); diff != "" {
		t.Errorf("expiries (-want +got):\n%s", diff)
	}
	if b := balances(wallet)["cash"]; b != "600.00" {
		t.Errorf("cash %s, want 600.00", b)
	}
}

func TestRunAutoSplit(t *testing.T) {
	// The bill RunAuto pays: one line for the instance, mode "renewal".
	in := kec("web", expiry)
	v := voucher("v-1", "30.00", at(shanghai, 2024, 3, 31, 0, 0))
	v.Scope.Modes = []string{BillMode}
	run, err := RunAuto([]Instance{in}, runAt, shanghai, allocation.Wallet{v, cash("cash", "500.00", "0")}, prices(), allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	r := run.Results[0]
	if r.Split.Bill != "renewal:web:2024-03-15T02:00:00Z" || r.Split.Currency != "CNY" ||
		len(r.Split.Lines) != 1 || r.Split.Lines[0].ID != "web" || !r.Amount.Equal(dec("100")) {
		t.Fatalf("split %+v", r.Split)
	}
	var steps []string
	for _, a := range r.Split.Allocations {
		steps = append(steps, a.Instrument+"/"+a.Step+"/"+a.Amount.StringFixed(2))
	}
	if diff := cmp.Diff([]string{"v-1/vouchers/30.00", "cash/balance/70.00"}, steps); diff != "" {
		t.Errorf("allocations (-want +got):\n%s", diff)
	}
	// A policy that excludes the renewal mode leaves the voucher out.
	v.Scope.Modes, v.Scope.ExcludeModes = nil, []string{BillMode}
	run, err = RunAuto([]Instance{in}, runAt, shanghai, allocation.Wallet{v, cash("cash", "500.00", "0")}, prices(), allocation.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if b := balances(run.Wallet); b["v-1"] != "30.00" || b["cash"] != "400.00" {
		t.Errorf("balances %v", b)
	}
}

func TestRunAutoCustomPolicy(t *testing.T) {
	// A host may pay renewals another way, say balance before vouchers.
	policy := allocation.Policy{Steps: []allocation.Step{
		{Name: "cash", Kinds: []string{CashKind}},
		{Name: "vouchers", Kinds: []string{VoucherKind}},
	}}
	wallet := allocation.Wallet{voucher("v-1", "100.00", time.Time{}), cash("cash", "60.00", "0")}
	run, err := RunAuto([]Instance{kec("web", expiry)}, runAt, shanghai, wallet, prices(), policy)
	if err != nil {
		t.Fatal(err)
	}
	if b := balances(run.Wallet); b["cash"] != "0.00" || b["v-1"] != "60.00" {
		t.Errorf("balances %v, want cash spent first", b)
	}
}

func TestRunAutoPercentVoucher(t *testing.T) {
	// A percentage coupon is single-use (the voucher package, and Guance's
	// discount vouchers in 002_974120889ed2e661.txt): within one run it
	// discounts the first renewal it applies to and is then used up,
	// whatever cap it has left; a run is many bills, and allocation only
	// applies a coupon once per bill (issue 17.3). Only a coupon the host
	// lists as reusable discounts every renewal, within its cap.
	capped := allocation.Instrument{ID: "p-cap", Kind: VoucherKind, Currency: "CNY",
		Percent: decimal.NewNullDecimal(dec("10")), Balance: dec("15.00")}
	uncapped := allocation.Instrument{ID: "p-free", Kind: VoucherKind, Currency: "CNY",
		Percent: decimal.NewNullDecimal(dec("50")), Uncapped: true}
	fleet := []Instance{kec("a", expiry), kec("b", expiry)}
	tests := []struct {
		name      string
		reason    string
		coupon    allocation.Instrument
		reusable  []string
		discounts []string // per renewal, in renewal order
		cash      string
		balance   string // the coupon's balance after the run
		status    string // the coupon's status after the run
	}{
		{"capped_single_use", "voucher: a coupon is single-use; the cap it did not take is not carried to the next renewal",
			capped, nil, []string{"10.00", "0.00"}, "310.00", "5.00", UsedUp},
		{"uncapped_single_use", "issue 17.3: 50 % off one renewal of the run, not 2 × 50",
			uncapped, nil, []string{"50.00", "0.00"}, "350.00", "0.00", UsedUp},
		{"capped_reusable", "a reusable coupon discounts each renewal until its cap is spent (10 + 5)",
			capped, []string{"p-cap"}, []string{"10.00", "5.00"}, "315.00", "0.00", ""},
		{"uncapped_reusable", "a reusable uncapped coupon discounts every renewal",
			uncapped, []string{"p-free"}, []string{"50.00", "50.00"}, "400.00", "0.00", ""},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			wallet := allocation.Wallet{tc.coupon, cash("cash", "500.00", "0")}
			run, err := RunAuto(fleet, runAt, shanghai, wallet, prices(), allocation.Policy{}, tc.reusable...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range run.Results {
				if r.Outcome != Renewed {
					t.Fatalf("%s: %s", r.Instance.ID, r.Outcome)
				}
				got = append(got, r.Split.Discounted.StringFixed(2))
			}
			if diff := cmp.Diff(tc.discounts, got); diff != "" {
				t.Errorf("discounts (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if b := balances(run.Wallet); b["cash"] != tc.cash || b[tc.coupon.ID] != tc.balance {
				t.Errorf("balances %v, want cash %s and coupon %s", b, tc.cash, tc.balance)
			}
			if c := run.Wallet[0]; c.Status != tc.status || c.Uncapped != tc.coupon.Uncapped {
				t.Errorf("coupon after the run: status %q uncapped %v, want %q", c.Status, c.Uncapped, tc.status)
			}
			if wallet[0].Status != "" {
				t.Error("RunAuto changed its wallet")
			}
		})
	}
}

func TestRunAutoInvalid(t *testing.T) {
	good := []Instance{kec("web", expiry)}
	wallet := allocation.Wallet{cash("cash", "500.00", "0")}
	tests := []struct {
		name      string
		reason    string
		instances []Instance
		at        time.Time
		wallet    allocation.Wallet
		prices    func(*Prices)
		want      []error
		problems  int
	}{
		{"duplicate_ids", "renewal order needs unique ids",
			[]Instance{kec("web", expiry), kec("web", expiry.Add(time.Hour))}, runAt, wallet, nil, []error{ErrInvalid}, 1},
		{"invalid_instance_anywhere", "everything is validated first, not only due instances",
			[]Instance{kec("web", expiry), {ID: "broken"}}, runAt, wallet, nil, []error{ErrInvalid}, 2},
		{"zero_at", "time is an argument and must be given",
			good, time.Time{}, wallet, nil, []error{ErrInvalid}, 1},
		{"bad_currency", "prices need an ISO 4217 currency",
			good, runAt, wallet, func(p *Prices) { p.Currency = "cny" }, []error{ErrInvalid}, 1},
		{"negative_price", "prices must not be negative",
			good, runAt, wallet, func(p *Prices) { p.Monthly["KCM"] = dec("-1") }, []error{ErrInvalid}, 1},
		{"missing_price_of_due_instance", "a due instance must be priced",
			good, runAt, wallet, func(p *Prices) { delete(p.Monthly, "KEC") }, []error{ErrInvalid, ErrNoPrice}, 1},
		{"zero_prices", "the zero Prices cannot charge",
			good, runAt, wallet, func(p *Prices) { *p = Prices{} }, []error{ErrInvalid, ErrNoPrice}, 2},
		{"invalid_wallet", "Allocate's validation error is passed on",
			good, runAt, allocation.Wallet{cash("cash", "1", "0"), cash("cash", "2", "0")}, nil,
			[]error{ErrInvalid, allocation.ErrInvalid}, 1},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			p := prices()
			if tc.prices != nil {
				tc.prices(&p)
			}
			run, err := RunAuto(tc.instances, tc.at, shanghai, tc.wallet, p, allocation.Policy{})
			checkWraps(t, "RunAuto", err, tc.want)
			checkProblems(t, "RunAuto", err, tc.problems)
			if run.Instances != nil || run.Wallet != nil || run.Results != nil {
				t.Errorf("RunAuto returned a partial run with an error: %+v", run)
			}
		})
	}

	// A missing price of an instance that is not due does not matter.
	p := prices()
	delete(p.Monthly, "KRDS")
	rds := kec("rds", expiry.Add(72*time.Hour))
	rds.Product = "KRDS"
	if _, err := RunAuto([]Instance{kec("web", expiry), rds}, runAt, shanghai, wallet, p, allocation.Policy{}); err != nil {
		t.Errorf("missing price of a later instance: %v", err)
	}
	// Nothing due: the wallet is not even looked at.
	if run, err := RunAuto(nil, runAt, nil, nil, prices(), allocation.Policy{}); err != nil || len(run.Results) != 0 {
		t.Errorf("empty run: %+v, %v", run, err)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	want := allocation.Policy{
		Name:     "renewal",
		Strategy: allocation.InOrder,
		Steps: []allocation.Step{
			{Name: "vouchers", Kinds: []string{"voucher"}, Order: []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst}},
			{Name: "gift_balance", Kinds: []string{"gift"}},
			{Name: "balance", Kinds: []string{"cash", "credit_line"}, Draw: allocation.DrawAll},
		},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("DefaultPolicy (-want +got):\n%s", diff)
	}
	p.Steps[0].Kinds[0] = "changed"
	if DefaultPolicy().Steps[0].Kinds[0] != "voucher" {
		t.Error("DefaultPolicy shares state between calls")
	}
	// Only the zero policy is replaced.
	for _, q := range []allocation.Policy{
		{Name: "x"}, {Strategy: allocation.MaxCoverage}, {Rounding: allocation.Rounding{Places: 2}},
		{Steps: []allocation.Step{{Name: "s"}}}, {Restrictions: []allocation.Restriction{{}}},
	} {
		if diff := cmp.Diff(q, orDefault(q)); diff != "" {
			t.Errorf("orDefault replaced a non-zero policy:\n%s", diff)
		}
	}
	if diff := cmp.Diff(DefaultPolicy(), orDefault(allocation.Policy{})); diff != "" {
		t.Errorf("orDefault(zero) is not DefaultPolicy:\n%s", diff)
	}
}

func TestRunAutoShortMessage(t *testing.T) {
	// The shortfall is printed at the currency's minor units, or at the
	// price's own scale when that is finer.
	for _, tc := range []struct{ price, cash, want string }{
		{"100.00", "40.00", `renewal: insufficient balance: instance "web": 60.00 CNY short`},
		{"100.005", "0", `renewal: insufficient balance: instance "web": 100.005 CNY short`},
		{"100", "0", `renewal: insufficient balance: instance "web": 100.00 CNY short`},
	} {
		p := prices()
		p.Monthly["KEC"] = dec(tc.price)
		run, err := RunAuto([]Instance{kec("web", expiry)}, runAt, shanghai,
			allocation.Wallet{cash("cash", tc.cash, "0")}, p, allocation.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if got := run.Results[0].Err; got == nil || got.Error() != tc.want {
			t.Errorf("price %s: %v, want %s", tc.price, got, tc.want)
		}
	}
}
