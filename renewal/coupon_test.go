package renewal

import (
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func TestReusableMustNamePercentageInstruments(t *testing.T) {
	wallet := allocation.Wallet{
		{ID: "p", Kind: VoucherKind, Currency: "CNY", Percent: decimal.NewNullDecimal(dec("10")), Uncapped: true},
		cash("cash", "500.00", "0"),
	}
	fleet := []Instance{kec("web", expiry)}
	// A misspelt id would silently leave a reusable coupon single-use; a
	// stored-value id means the host misunderstood the flag.
	_, err := RunAuto(fleet, runAt, shanghai, wallet, prices(), allocation.Policy{}, "nope", "cash", "p")
	checkWraps(t, "RunAuto", err, []error{ErrInvalid})
	checkProblems(t, "RunAuto", err, 2)
	_, err = Renew(fleet[0], 1, runAt, shanghai, wallet, prices(), allocation.Policy{}, "cash")
	checkWraps(t, "Renew", err, []error{ErrInvalid})
	checkProblems(t, "Renew", err, 1)
}

func TestRenewLoopCarriesTheCoupon(t *testing.T) {
	// A host renewing by hand in a loop passes each Renewal's Wallet to
	// the next call: the single-use coupon discounts the first renewal only
	// (issue 17.3).
	wallet := allocation.Wallet{
		{ID: "p", Kind: VoucherKind, Currency: "CNY", Percent: decimal.NewNullDecimal(dec("20")), Uncapped: true},
		cash("cash", "500.00", "0"),
	}
	var got []string
	for _, id := range []string{"a", "b", "c"} {
		r, err := Renew(kec(id, expiry), 1, runAt, shanghai, wallet, prices(), allocation.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Split.Discounted.StringFixed(2))
		wallet = r.Wallet
	}
	if fmt.Sprint(got) != "[20.00 0.00 0.00]" || wallet[0].Status != UsedUp || balances(wallet)["cash"] != "220.00" {
		t.Errorf("discounts %v, coupon %q, balances %v; want [20.00 0.00 0.00], used_up, cash 220.00", got, wallet[0].Status, balances(wallet))
	}
}

// TestCouponProperties: in a run, a single-use coupon discounts at most one
// renewal, and exactly the first renewal in renewal order when it applies
// to all; a reusable one discounts every renewal until its cap is spent;
// and renewing the same instances one by one with Renew, carrying the
// Renewal's Wallet, gives the same splits as one RunAuto.
func TestCouponProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "instances")
		fleet := make([]Instance, n)
		for k := range fleet {
			fleet[k] = kec(fmt.Sprintf("i-%d", k), expiry.Add(time.Duration(rapid.IntRange(0, 12).Draw(t, "hour"))*time.Hour))
			fleet[k].Product = rapid.SampledFrom([]string{"KEC", "KRDS"}).Draw(t, "product")
		}
		coupon := allocation.Instrument{ID: "p", Kind: VoucherKind, Currency: "CNY",
			Percent: decimal.NewNullDecimal(decimal.NewFromInt(rapid.Int64Range(1, 100).Draw(t, "percent")))}
		if rapid.Bool().Draw(t, "capped") {
			coupon.Balance = decimal.New(rapid.Int64Range(1, 200_00).Draw(t, "cap"), -2)
		} else {
			coupon.Uncapped = true
		}
		var reusable []string
		if rapid.Bool().Draw(t, "reusable") {
			reusable = []string{"p"}
		}
		wallet := allocation.Wallet{coupon, cash("cash", "10000.00", "0")}

		run, err := RunAuto(fleet, runAt, shanghai, wallet, prices(), allocation.Policy{}, reusable...)
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Results) != n {
			t.Fatalf("%d results for %d due instances", len(run.Results), n)
		}
		used := 0
		capLeft := coupon.Balance
		for k, r := range run.Results {
			if r.Outcome != Renewed {
				t.Fatalf("%s: %s", r.Instance.ID, r.Outcome)
			}
			if r.Split.Discounted.Sign() > 0 {
				used++
			}
			if reusable == nil {
				if (k == 0) != (r.Split.Discounted.Sign() > 0) {
					t.Fatalf("single-use coupon: renewal %d discounted %s", k, r.Split.Discounted)
				}
			} else if coupon.Uncapped || capLeft.Sign() > 0 {
				if r.Split.Discounted.Sign() == 0 {
					t.Fatalf("reusable coupon with cap %s left did not discount renewal %d", capLeft, k)
				}
				capLeft = capLeft.Sub(r.Split.Discounted)
			}
		}
		if reusable == nil && (used != 1 || run.Wallet[0].Status != UsedUp) {
			t.Fatalf("single-use coupon discounted %d renewals and is %q", used, run.Wallet[0].Status)
		}
		if reusable != nil && run.Wallet[0].Status != "" {
			t.Fatalf("reusable coupon marked %q", run.Wallet[0].Status)
		}

		// Renew in a loop, in renewal order, carrying the wallet.
		w := wallet
		for k, res := range run.Results {
			in := fleet[0]
			for _, f := range fleet {
				if f.ID == res.Instance.ID {
					in = f
				}
			}
			r, err := Renew(in, 1, runAt, shanghai, w, prices(), allocation.Policy{}, reusable...)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Split.Equal(res.Split) {
				t.Fatalf("renewal %d: Renew's split differs from RunAuto's: %+v vs %+v", k, r.Split, res.Split)
			}
			w = r.Wallet
		}
		if fmt.Sprint(balances(w)) != fmt.Sprint(balances(run.Wallet)) || w[0].Status != run.Wallet[0].Status {
			t.Fatalf("Renew loop ends with %v %q, RunAuto with %v %q", balances(w), w[0].Status, balances(run.Wallet), run.Wallet[0].Status)
		}
	})
}
