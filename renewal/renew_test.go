package renewal

import (
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/google/go-cmp/cmp"
)

func TestRenew(t *testing.T) {
	before := at(shanghai, 2024, 3, 10, 9, 0)
	tests := []struct {
		name     string
		reason   string
		edit     func(*Instance)
		months   int
		at       time.Time
		wallet   allocation.Wallet
		want     func(*Instance) // edits of the input expected in the result
		from     time.Time
		amount   string
		owed     string // Split.Outstanding
		balances map[string]string
	}{
		{
			name:   "in_service_extends_from_expiry",
			reason: seedRenewal + ": manual renewal for a chosen period; an instance in service is extended from its expiry",
			edit:   func(i *Instance) { i.Policy = Manual },
			months: 3, at: before, wallet: allocation.Wallet{cash("cash", "500.00", "0")},
			want: func(i *Instance) {
				i.ExpiresAt, i.AnchorDay, i.PeriodMonths = at(shanghai, 2024, 6, 15, 10, 0), 15, 3
				i.AnchorClock = clock("10:00")
			},
			from: expiry, amount: "300.00", owed: "0.00", balances: map[string]string{"cash": "200.00"},
		},
		{
			name:   "auto_policy_stays_auto",
			reason: seedRenewal + ": manual renewal keeps an automatic renewal policy",
			months: 1, at: before, wallet: allocation.Wallet{cash("cash", "500.00", "0")},
			want: func(i *Instance) {
				i.ExpiresAt, i.AnchorDay = next, 15
				i.AnchorClock = clock("10:00")
			},
			from: expiry, amount: "100.00", owed: "0.00", balances: map[string]string{"cash": "400.00"},
		},
		{
			name:   "expired_by_time_starts_at_renewal",
			reason: seedRenewal + ": expired instances are renewed manually, from the renewal time",
			edit:   func(i *Instance) { i.Policy = Manual },
			months: 1, at: at(shanghai, 2024, 3, 20, 16, 45), wallet: allocation.Wallet{cash("cash", "500.00", "0")},
			want: func(i *Instance) {
				i.ExpiresAt, i.AnchorDay = at(shanghai, 2024, 4, 20, 16, 45), 20
				i.AnchorClock = clock("16:45")
			},
			from: at(shanghai, 2024, 3, 20, 16, 45), amount: "100.00", owed: "0.00", balances: map[string]string{"cash": "400.00"},
		},
		{
			name:   "renewed_exactly_at_expiry",
			reason: "contract: the new period starts at the later of expiry and renewal time; at expiry both agree",
			months: 1, at: expiry, wallet: allocation.Wallet{cash("cash", "500.00", "0")},
			want: func(i *Instance) {
				i.ExpiresAt, i.AnchorDay = next, 15
				i.AnchorClock = clock("10:00")
			},
			from: expiry, amount: "100.00", owed: "0.00", balances: map[string]string{"cash": "400.00"},
		},
		{
			name:   "failed_auto_recovered_before_expiry_time",
			reason: seedRenewal + ": a failed auto instance renewed by hand the same morning keeps its period (no overlap, no gap)",
			edit:   func(i *Instance) { i.Status, i.AutoBlocked = Expired, true },
			months: 1, at: runAt.Add(time.Hour), wallet: allocation.Wallet{cash("cash", "500.00", "0")},
			want: func(i *Instance) {
				i.Status, i.AutoBlocked = Active, false
				i.ExpiresAt, i.AnchorDay = next, 15
				i.AnchorClock = clock("10:00")
			},
			from: expiry, amount: "100.00", owed: "0.00", balances: map[string]string{"cash": "400.00"},
		},
		{
			name:   "failed_auto_recovered_after_expiry",
			reason: seedRenewal + ": after a failed renewal, manual renewal recovers the instance and keeps policy auto",
			edit:   func(i *Instance) { i.Status, i.AutoBlocked = Expired, true },
			months: 2, at: at(shanghai, 2024, 3, 31, 8, 0), wallet: allocation.Wallet{cash("cash", "500.00", "0")},
			want: func(i *Instance) {
				i.Status, i.AutoBlocked = Active, false
				i.ExpiresAt, i.AnchorDay, i.PeriodMonths = at(shanghai, 2024, 5, 31, 8, 0), 31, 2
				i.AnchorClock = clock("08:00")
			},
			from: at(shanghai, 2024, 3, 31, 8, 0), amount: "200.00", owed: "0.00", balances: map[string]string{"cash": "300.00"},
		},
		{
			name:   "month_end_anchor_kept",
			reason: "DESIGN invariant 8: Jan 31 renewed by one month ends Feb 29 and remembers the 31st",
			edit:   func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 1, 31, 10, 0) },
			months: 1, at: at(shanghai, 2024, 1, 20, 0, 0), wallet: allocation.Wallet{cash("cash", "100.00", "0")},
			want: func(i *Instance) {
				i.ExpiresAt, i.AnchorDay = at(shanghai, 2024, 2, 29, 10, 0), 31
				i.AnchorClock = clock("10:00")
			},
			from: at(shanghai, 2024, 1, 31, 10, 0), amount: "100.00", owed: "0.00", balances: map[string]string{"cash": "0.00"},
		},
		{
			name:   "hidden_anchor_used",
			reason: "DESIGN invariant 8: Feb 29 anchored on the 31st renews to Mar 31",
			edit:   func(i *Instance) { i.ExpiresAt, i.AnchorDay = at(shanghai, 2024, 2, 29, 10, 0), 31 },
			months: 1, at: at(shanghai, 2024, 2, 20, 0, 0), wallet: allocation.Wallet{cash("cash", "100.00", "0")},
			want: func(i *Instance) {
				i.ExpiresAt, i.AnchorDay = at(shanghai, 2024, 3, 31, 10, 0), 31
				i.AnchorClock = clock("10:00")
			},
			from: at(shanghai, 2024, 2, 29, 10, 0), amount: "100.00", owed: "0.00", balances: map[string]string{"cash": "0.00"},
		},
		{
			name:   "rest_left_for_online_payment",
			reason: seedAssets + ": if available credit is not enough, online payment completes the transaction",
			months: 2, at: before, wallet: allocation.Wallet{voucher("v-1", "30.00", time.Time{}), cash("cash", "50.00", "0")},
			want: func(i *Instance) {
				i.ExpiresAt, i.AnchorDay, i.PeriodMonths = at(shanghai, 2024, 5, 15, 10, 0), 15, 2
				i.AnchorClock = clock("10:00")
			},
			from: expiry, amount: "200.00", owed: "120.00", balances: map[string]string{"v-1": "0.00", "cash": "0.00"},
		},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := kec("web", expiry)
			if tc.edit != nil {
				tc.edit(&in)
			}
			orig, origWallet := in, balances(tc.wallet)
			r, err := Renew(in, tc.months, tc.at, shanghai, tc.wallet, prices(), allocation.Policy{})
			if err != nil {
				t.Fatalf("Renew: %v", err)
			}
			want := in
			want.Status, want.AutoBlocked, want.PeriodMonths = Active, false, tc.months
			tc.want(&want)
			if diff := cmp.Diff(want, r.Instance); diff != "" {
				t.Errorf("instance (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if !r.From.Equal(tc.from) || !r.To.Equal(want.ExpiresAt) || r.Months != tc.months ||
				r.Amount.StringFixed(2) != tc.amount {
				t.Errorf("renewal from %s to %s, %d months, %s; want from %s to %s, %d, %s", r.From, r.To, r.Months, r.Amount,
					tc.from, want.ExpiresAt, tc.months, tc.amount)
			}
			if got := r.Split.Outstanding.StringFixed(2); got != tc.owed {
				t.Errorf("outstanding %s, want %s", got, tc.owed)
			}
			if !r.Split.Total.Equal(r.Amount) || r.Split.Lines[0].ID != "web" {
				t.Errorf("split %+v does not bill the renewal", r.Split)
			}
			if diff := cmp.Diff(tc.balances, balances(r.Wallet)); diff != "" {
				t.Errorf("balances (-want +got):\n%s", diff)
			}
			if in != orig || cmp.Diff(origWallet, balances(tc.wallet)) != "" {
				t.Error("Renew changed its arguments")
			}
		})
	}
}

func TestRenewErrors(t *testing.T) {
	wallet := allocation.Wallet{cash("cash", "500.00", "0")}
	tests := []struct {
		name   string
		reason string
		edit   func(*Instance)
		months int
		at     time.Time
		wallet allocation.Wallet
		want   []error
	}{
		{"trial", seedRenewal + ": trial instances do not require renewal",
			func(i *Instance) { i.Kind = Trial }, 1, runAt, wallet, []error{ErrTrial, ErrNotRenewable}},
		{"one_time", seedRenewal + ": one-time fee instances do not require renewal",
			func(i *Instance) { i.Kind = OneTime }, 1, runAt, wallet, []error{ErrOneTime, ErrNotRenewable}},
		{"kad", seedRenewal + ": KAD instances do not require renewal management",
			func(i *Instance) { i.Product, i.Renewable = "KAD", false }, 1, runAt, wallet, []error{ErrProductNotRenewable, ErrNotRenewable}},
		{"kcm", seedRenewal + ": KCM cannot be renewed in the console",
			func(i *Instance) { i.Product, i.Renewable = "KCM", false }, 1, runAt, wallet, []error{ErrProductNotRenewable, ErrNotRenewable}},
		{"released", "contract: statuses other than active and expired are refused",
			func(i *Instance) { i.Status = "released" }, 1, runAt, wallet, []error{ErrInactive, ErrNotRenewable}},
		{"zero_months", "contract: a renewal adds 1..MaxMonths months",
			nil, 0, runAt, wallet, []error{ErrInvalid}},
		{"too_many_months", "contract: a renewal adds 1..MaxMonths months",
			nil, MaxMonths + 1, runAt, wallet, []error{ErrInvalid}},
		{"zero_at", "time is an argument and must be given",
			nil, 1, time.Time{}, wallet, []error{ErrInvalid}},
		{"invalid_instance", "an invalid instance is rejected before anything else",
			func(i *Instance) { i.Kind = "lease" }, 1, runAt, wallet, []error{ErrInvalid}},
		{"no_price", "the product must be priced",
			func(i *Instance) { i.Product = "KXX" }, 1, runAt, wallet, []error{ErrInvalid, ErrNoPrice}},
		{"refused_without_price", seedRenewal + ": a product that is never renewed needs no price; its refusal is the error",
			func(i *Instance) { i.Product, i.Renewable = "KXX", false }, 1, runAt, wallet, []error{ErrProductNotRenewable, ErrNotRenewable}},
		{"trial_without_price", seedRenewal + ": a trial needs no price either",
			func(i *Instance) { i.Product, i.Kind = "KXX", Trial }, 1, runAt, wallet, []error{ErrTrial, ErrNotRenewable}},
		{"invalid_wallet", "Allocate's validation error is passed on",
			nil, 1, runAt, allocation.Wallet{{ID: "x"}}, []error{ErrInvalid, allocation.ErrInvalid}},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := kec("web", expiry)
			if tc.edit != nil {
				tc.edit(&in)
			}
			r, err := Renew(in, tc.months, tc.at, shanghai, tc.wallet, prices(), allocation.Policy{})
			checkWraps(t, "Renew", err, tc.want)
			if r.Wallet != nil || r.Months != 0 || r.Instance != (Instance{}) {
				t.Errorf("Renew returned a result with an error: %+v", r)
			}
		})
	}
	// MaxMonths itself is allowed.
	if r, err := Renew(kec("web", expiry), MaxMonths, runAt, nil, nil, prices(), allocation.Policy{}); err != nil ||
		!r.To.Equal(time.Date(2124, 3, 15, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("Renew(MaxMonths) = %s, %v", r.To, err)
	}
}
