package renewal

import (
	"errors"
	"testing"
	"time"
)

// kec returns a standard, renewable, auto-renewed KEC instance expiring at
// expiry.
func kec(id string, expiry time.Time) Instance {
	return Instance{ID: id, Product: "KEC", Kind: Standard, Renewable: true, Policy: Auto,
		Status: Active, ExpiresAt: expiry, PeriodMonths: 1}
}

func TestInstanceRefused(t *testing.T) {
	exp := at(shanghai, 2024, 3, 15, 10, 0)
	tests := []struct {
		name   string
		reason string
		edit   func(*Instance)
		want   error // nil: renewable
	}{
		{"standard_renewable", seedRenewal + ": renewal management covers standard renewable instances",
			func(*Instance) {}, nil},
		{"empty_kind_is_standard", "contract: the empty Kind means Standard",
			func(i *Instance) { i.Kind = "" }, nil},
		{"expired_is_still_renewable", seedRenewal + ": expired instances are renewed manually",
			func(i *Instance) { i.Status = Expired }, nil},
		{"empty_status_is_active", "contract: the empty Status means Active",
			func(i *Instance) { i.Status = "" }, nil},
		{"trial", seedRenewal + ": trial instances do not require renewal",
			func(i *Instance) { i.Kind = Trial }, ErrTrial},
		{"one_time", seedRenewal + ": instances purchased by times in One-Time Fee Prepaid billing do not require renewal",
			func(i *Instance) { i.Kind = OneTime }, ErrOneTime},
		{"kad_not_renewable", seedRenewal + ": KAD instances do not require renewal management",
			func(i *Instance) { i.Product, i.Renewable = "KAD", false }, ErrProductNotRenewable},
		{"kcm_not_renewable", seedRenewal + ": KCM cannot be renewed in the console (enterprise information)",
			func(i *Instance) { i.Product, i.Renewable = "KCM", false }, ErrProductNotRenewable},
		{"trial_before_product", "contract: refusal reasons are checked in order, kind first",
			func(i *Instance) { i.Kind, i.Renewable = Trial, false }, ErrTrial},
		{"one_time_before_product", "contract: refusal reasons are checked in order, kind first",
			func(i *Instance) { i.Kind, i.Renewable = OneTime, false }, ErrOneTime},
		{"product_before_status", "contract: refusal reasons are checked in order, status last",
			func(i *Instance) { i.Renewable, i.Status = false, "released" }, ErrProductNotRenewable},
		{"released", "contract: a status other than active or expired is refused",
			func(i *Instance) { i.Status = "released" }, ErrInactive},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := kec("i-1", exp)
			tc.edit(&in)
			err := in.Refused()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Refused() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrNotRenewable) {
				t.Fatalf("Refused() = %v, want %v wrapping ErrNotRenewable", err, tc.want)
			}
			var re *RefusedError
			if !errors.As(err, &re) || re.Instance != "i-1" || re.Reason != tc.want {
				t.Fatalf("Refused() = %#v, want a *RefusedError for i-1", err)
			}
			want := `renewal: instance "i-1" refused: ` + tc.want.Error()[len("renewal: "):]
			if err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
		})
	}
}

func TestInstanceValidate(t *testing.T) {
	good := kec("i-1", at(time.UTC, 2024, 3, 15, 10, 0))
	if err := good.Validate(); err != nil {
		t.Fatalf("valid instance: %v", err)
	}
	tests := []struct {
		name   string
		reason string
		edit   func(*Instance)
		n      int
	}{
		{"empty_id", "contract: ids are required", func(i *Instance) { i.ID = "" }, 1},
		{"empty_product", "contract: a product is required to price the renewal", func(i *Instance) { i.Product = "" }, 1},
		{"unknown_kind", "contract: kinds are standard, trial, one_time", func(i *Instance) { i.Kind = "lease" }, 1},
		{"unknown_policy", "contract: policies are auto and manual", func(i *Instance) { i.Policy = "sometimes" }, 1},
		{"zero_expiry", "contract: ExpiresAt is required", func(i *Instance) { i.ExpiresAt = time.Time{} }, 1},
		{"negative_period", "contract: PeriodMonths is not negative", func(i *Instance) { i.PeriodMonths = -1 }, 1},
		{"anchor_too_big", "contract: AnchorDay is 0..31", func(i *Instance) { i.AnchorDay = 32 }, 1},
		{"anchor_negative", "contract: AnchorDay is 0..31", func(i *Instance) { i.AnchorDay = -1 }, 1},
		{"unknown_status", "issue 16.3: statuses are active, expired and released; a misspelt one would silently stop automatic renewals",
			func(i *Instance) { i.Status = "activ" }, 1},
		{"everything_at_once", "contract: every problem is listed, not just the first",
			func(i *Instance) { *i = Instance{Kind: "x", Policy: "y", Status: "z", PeriodMonths: -2, AnchorDay: 40} }, 8},
		{"zero_instance", "contract: the zero Instance is not valid", func(i *Instance) { *i = Instance{} }, 3},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.edit(&in)
			err := in.Validate()
			var ie *InvalidError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &ie) {
				t.Fatalf("Validate() = %v, want an *InvalidError", err)
			}
			if len(ie.Problems) != tc.n {
				t.Errorf("%d problems, want %d: %v", len(ie.Problems), tc.n, err)
			}
		})
	}
	// Boundaries that are valid.
	for _, d := range []int{0, 1, 31} {
		in := good
		in.AnchorDay = d
		if err := in.Validate(); err != nil {
			t.Errorf("AnchorDay %d: %v", d, err)
		}
	}
	in := good
	in.Kind, in.Policy, in.PeriodMonths = OneTime, Manual, 0
	if err := in.Validate(); err != nil {
		t.Errorf("one-time manual instance: %v", err)
	}
	in.Kind, in.Policy = Trial, ""
	if err := in.Validate(); err != nil {
		t.Errorf("trial with empty policy: %v", err)
	}
}

func TestInvalidErrorMessage(t *testing.T) {
	err := Instance{ID: "x"}.Validate()
	want := "renewal: invalid input:\n\tinstance \"x\": empty product\n\tinstance \"x\": zero expires_at"
	if err == nil || err.Error() != want {
		t.Errorf("message:\n%v\nwant:\n%s", err, want)
	}
}

func TestExpiredAt(t *testing.T) {
	exp := at(shanghai, 2024, 3, 15, 10, 0)
	in := kec("i-1", exp)
	if in.ExpiredAt(exp.Add(-time.Nanosecond)) {
		t.Error("expired before ExpiresAt")
	}
	if !in.ExpiredAt(exp) {
		t.Error("not expired at ExpiresAt (exclusive)")
	}
	in.Status = Expired
	if !in.ExpiredAt(exp.Add(-time.Hour)) {
		t.Error("Status expired does not count as expired")
	}
}

func TestDueAt(t *testing.T) {
	exp := at(shanghai, 2024, 3, 15, 10, 0)
	scl := zone(t, "America/Santiago")
	tests := []struct {
		name   string
		reason string
		edit   func(*Instance)
		at     time.Time
		loc    *time.Location
		want   bool
	}{
		{"at_midnight_of_expiry_date", seedRenewal + ": renewed after 00:00 on the expiration date",
			nil, at(shanghai, 2024, 3, 15, 0, 0), shanghai, true},
		{"just_before_midnight", seedRenewal + ": not before 00:00 on the expiration date",
			nil, at(shanghai, 2024, 3, 15, 0, 0).Add(-time.Nanosecond), shanghai, false},
		{"just_before_expiry", seedRenewal + ": only within the validity period",
			nil, exp.Add(-time.Nanosecond), shanghai, true},
		{"at_expiry", seedRenewal + ": the system renews only instances in the validity period",
			nil, exp, shanghai, false},
		{"day_before", seedRenewal + ": by month on the expiration date, not earlier",
			nil, at(shanghai, 2024, 3, 14, 12, 0), shanghai, false},
		{"midnight_in_the_account_zone", seedRenewal + ": 00:00 is the account's; 20:00 UTC on the 14th is 04:00 CST on the 15th",
			nil, time.Date(2024, 3, 14, 20, 0, 0, 0, time.UTC), shanghai, true},
		{"midnight_in_another_zone", seedRenewal + ": in UTC the expiry date starts 8 hours later",
			nil, time.Date(2024, 3, 14, 20, 0, 0, 0, time.UTC), time.UTC, false},
		{"nil_zone_is_utc", "contract: a nil loc means UTC",
			nil, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), nil, true},
		{"midnight_expiry_due_the_day_before", "contract: an instance expiring at 00:00 is due from 00:00 the day before",
			func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 3, 15, 0, 0) }, at(shanghai, 2024, 3, 14, 0, 0), shanghai, true},
		{"midnight_expiry_not_two_days_before", "contract: the window is the last day of validity only",
			func(i *Instance) { i.ExpiresAt = at(shanghai, 2024, 3, 15, 0, 0) }, at(shanghai, 2024, 3, 13, 23, 59), shanghai, false},
		{"skipped_midnight", "DST: Santiago's 2024-09-08 starts at 01:00; the window opens then",
			func(i *Instance) { i.ExpiresAt = time.Date(2024, 9, 8, 10, 0, 0, 0, scl) }, time.Date(2024, 9, 8, 1, 0, 0, 0, scl), scl, true},
		{"skipped_midnight_before", "DST: Santiago's 2024-09-08 starts at 01:00 -03; 23:59 -04 is the 7th",
			func(i *Instance) { i.ExpiresAt = time.Date(2024, 9, 8, 10, 0, 0, 0, scl) }, time.Date(2024, 9, 8, 1, 0, 0, 0, scl).Add(-time.Minute), scl, false},
		{"manual", seedRenewal + ": manual instances are renewed by the customer",
			func(i *Instance) { i.Policy = Manual }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"empty_policy_is_manual", seedRenewal + ": manual renewal is the default policy",
			func(i *Instance) { i.Policy = "" }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"trial", seedRenewal + ": trial instances do not require renewal",
			func(i *Instance) { i.Kind = Trial }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"one_time", seedRenewal + ": one-time fee instances do not require renewal",
			func(i *Instance) { i.Kind = OneTime }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"not_renewable", seedRenewal + ": KAD and KCM cannot be renewed in the console",
			func(i *Instance) { i.Renewable = false }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"blocked", seedRenewal + ": after a failed automatic renewal the system no longer renews it",
			func(i *Instance) { i.AutoBlocked = true }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"expired_status", seedRenewal + ": expired instances need manual renewal",
			func(i *Instance) { i.Status = Expired }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"released_status", "contract: only active instances are renewed automatically",
			func(i *Instance) { i.Status = "released" }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, false},
		{"empty_status_and_kind", "contract: empty Status is Active and empty Kind is Standard",
			func(i *Instance) { i.Status, i.Kind = "", "" }, at(shanghai, 2024, 3, 15, 1, 0), shanghai, true},
		{"zero_expiry", "contract: an instance without an expiry is never due",
			func(i *Instance) { i.ExpiresAt = time.Time{} }, time.Time{}, shanghai, false},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := kec("i-1", exp)
			if tc.edit != nil {
				tc.edit(&in)
			}
			if got := in.DueAt(tc.at, tc.loc); got != tc.want {
				t.Errorf("DueAt(%s) = %v, want %v\nreason: %s", tc.at, got, tc.want, tc.reason)
			}
		})
	}
}

func TestEnableDisableAuto(t *testing.T) {
	exp := at(shanghai, 2024, 3, 15, 10, 0)
	before, after := exp.Add(-time.Hour), exp.Add(time.Hour)
	tests := []struct {
		name    string
		reason  string
		edit    func(*Instance)
		at      time.Time
		wantErr error
	}{
		{"manual_in_service", seedRenewal + ": select instances on the Manual renewal tab and click Automatic renewal",
			func(i *Instance) { i.Policy = Manual }, before, nil},
		{"empty_policy_in_service", seedRenewal + ": manual is the default policy and can be switched",
			func(i *Instance) { i.Policy = "" }, before, nil},
		{"manual_expired_by_time", seedRenewal + ": if a manual instance expires, you cannot enable automatic renewal",
			func(i *Instance) { i.Policy = Manual }, after, ErrExpiredManual},
		{"manual_expired_exactly", seedRenewal + ": expiry is exclusive; at ExpiresAt the instance has expired",
			func(i *Instance) { i.Policy = Manual }, exp, ErrExpiredManual},
		{"manual_expired_status", seedRenewal + ": if a manual instance expires, you cannot enable automatic renewal",
			func(i *Instance) { i.Policy, i.Status = Manual, Expired }, before, ErrExpiredManual},
		{"auto_blocked_stays_auto", seedRenewal + ": a failed auto instance keeps the automatic policy",
			func(i *Instance) { i.Status, i.AutoBlocked = Expired, true }, after, nil},
		{"trial_refused", seedRenewal + ": trial instances are outside renewal management",
			func(i *Instance) { i.Policy, i.Kind = Manual, Trial }, before, ErrTrial},
		{"one_time_refused", seedRenewal + ": one-time fee instances are outside renewal management",
			func(i *Instance) { i.Policy, i.Kind = Manual, OneTime }, before, ErrOneTime},
		{"kcm_refused", seedRenewal + ": KCM cannot be renewed in the console",
			func(i *Instance) { i.Policy, i.Product, i.Renewable = Manual, "KCM", false }, before, ErrProductNotRenewable},
	}
	seen := rows{}
	for _, tc := range tests {
		seen.check(t, tc.name, tc.reason)
		t.Run(tc.name, func(t *testing.T) {
			in := kec("i-1", exp)
			tc.edit(&in)
			orig := in
			got, err := in.EnableAuto(tc.at)
			if in != orig {
				t.Fatal("EnableAuto changed its receiver")
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("EnableAuto = %v, want %v", err, tc.wantErr)
				}
				if got != (Instance{}) {
					t.Errorf("EnableAuto returned %+v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("EnableAuto: %v", err)
			}
			want := orig
			want.Policy = Auto
			if got != want {
				t.Errorf("EnableAuto = %+v, want %+v", got, want)
			}
		})
	}

	in := kec("i-1", exp)
	in.Status, in.AutoBlocked = Expired, true
	got := in.DisableAuto()
	want := in
	want.Policy, want.AutoBlocked = Manual, false
	if got != want {
		t.Errorf("DisableAuto = %+v, want %+v", got, want)
	}
	if in.Policy != Auto || !in.AutoBlocked {
		t.Error("DisableAuto changed its receiver")
	}
	// Now expired and manual: enabling again is refused until renewed.
	if _, err := got.EnableAuto(after); !errors.Is(err, ErrExpiredManual) {
		t.Errorf("EnableAuto after DisableAuto on an expired instance = %v, want ErrExpiredManual", err)
	}
	msg := `renewal: cannot enable auto renewal on an expired manual instance: instance "i-1" expired at 2024-03-15T02:00:00Z`
	if _, err := got.EnableAuto(after); err == nil || err.Error() != msg {
		t.Errorf("message %q, want %q", err, msg)
	}
}

func TestRefusedErrorWithoutReason(t *testing.T) {
	err := &RefusedError{Instance: "x"}
	if err.Error() != `renewal: instance "x" refused: not renewable` || !errors.Is(err, ErrNotRenewable) || errors.Is(err, ErrTrial) {
		t.Errorf("zero reason: %v", err)
	}
}
