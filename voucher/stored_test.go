package voucher_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/internal/stored/storedtest"
	"github.com/billfold/billfold/voucher"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var storeT0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// genVoucher issues a voucher with drawn terms and takes it through a drawn
// part of its public lifecycle: activation or redemption, payments of
// drawn splits, expiry, revocation.
func genVoucher(t *rapid.T) voucher.Voucher {
	p := voucher.Params{
		ID:       rapid.StringMatching(`V-[0-9]{1,4}`).Draw(t, "id"),
		Type:     rapid.SampledFrom([]voucher.Type{voucher.Regular, voucher.Discount, voucher.Percentage}).Draw(t, "type"),
		Currency: rapid.SampledFrom([]string{"CNY", "KRW", "USD"}).Draw(t, "currency"),
		IssuedAt: storedtest.Instant(t, storeT0, 90, "issued_at"),
		Priority: rapid.IntRange(-3, 3).Draw(t, "priority"),
	}
	if p.Type == voucher.Percentage {
		p.Percent = decimal.New(rapid.Int64Range(1, 1000).Draw(t, "percent"), -1)
		if rapid.Bool().Draw(t, "capped") {
			p.Denomination = storedtest.Amount(t, "cap", 4)
		}
	} else {
		p.Denomination = storedtest.Amount(t, "denomination", 4)
	}
	if rapid.Bool().Draw(t, "min_spend") {
		p.MinSpend = storedtest.Amount(t, "min_spend_amount", 4)
	}
	products := []string{"kec", "ebs", "cdn", "sms"}
	p.Scope = allocation.Scope{
		Products:        rapid.SliceOfNDistinct(rapid.SampledFrom(products), 0, 2, rapid.ID[string]).Draw(t, "products"),
		ExcludeProducts: rapid.SliceOfNDistinct(rapid.SampledFrom(products), 0, 1, rapid.ID[string]).Draw(t, "exclude_products"),
		ExcludeModes:    rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"trial", "renewal"}), 0, 2, rapid.ID[string]).Draw(t, "exclude_modes"),
	}
	if rapid.Bool().Draw(t, "has_code") {
		code, err := voucher.GenerateCode(bytes.NewReader([]byte(rapid.StringN(64, 64, 64).Draw(t, "randomness"))))
		if err == nil {
			p.Code = code
		}
	}
	if rapid.Bool().Draw(t, "activate_by") {
		p.ActivateBy = p.IssuedAt.Add(time.Duration(rapid.IntRange(1, 60).Draw(t, "activate_days")) * 24 * time.Hour)
	}
	p.ValidFor = time.Duration(rapid.IntRange(0, 90).Draw(t, "valid_days")) * 24 * time.Hour
	if rapid.Bool().Draw(t, "fixed_window") {
		p.ValidFrom = storedtest.Instant(t, p.IssuedAt.Add(-10*24*time.Hour), 90, "fixed_from")
		p.ValidUntil = storedtest.Instant(t, maxTime(p.ValidFrom, p.IssuedAt).Add(time.Second), 90, "fixed_until")
	}
	v, err := voucher.New(p)
	if err != nil {
		t.Fatal(err)
	}
	at := p.IssuedAt
	for i, n := 0, rapid.IntRange(0, 6).Draw(t, "ops"); i < n; i++ {
		at = storedtest.Instant(t, at, 90, "at")
		var w voucher.Voucher
		switch rapid.IntRange(0, 4).Draw(t, "op") {
		case 0:
			w, err = v.Activate(rapid.SampledFrom([]string{"acct-1", "acct-2"}).Draw(t, "account"), at)
		case 1:
			w, err = v.Redeem(v.Code(), "acct-1", at)
		case 2:
			bal := v.Balance()
			use := bal
			if bal.IsPositive() && rapid.Bool().Draw(t, "partly") {
				use = bal.Mul(decimal.New(rapid.Int64Range(1, 99).Draw(t, "percent_used"), -2)).Round(4)
			}
			if v.Uncapped() {
				use = storedtest.Amount(t, "discount", 4)
			}
			split := allocation.Split{Bill: fmt.Sprint("B-", i), Currency: v.Currency(), Instruments: []allocation.InstrumentResult{
				{ID: v.ID(), Used: use, BalanceAfter: bal.Sub(use)},
			}}
			w, err = v.Apply(split, at)
		case 3:
			w, err = v.Expire(at)
		case 4:
			w, err = v.Revoke(at)
		}
		if err == nil {
			v = w
		}
	}
	return v
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// view is everything a host can read of a voucher, as text: what the
// round trip must keep, checked without relying on Voucher.Equal.
func view(v voucher.Voucher) []string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	return []string{
		v.ID(), string(v.Type()), v.Currency(), v.Denomination().String(), v.Balance().String(),
		v.Used().String(), v.Forfeited().String(), v.Percent().String(), fmt.Sprint(v.Uncapped()),
		v.MinSpend().String(), fmt.Sprintf("%q", v.Scope()), v.Code().String(), ts(v.IssuedAt()),
		ts(v.ActivateBy()), v.ValidFor().String(), ts(v.ValidFrom()), ts(v.ValidUntil()),
		fmt.Sprint(v.Priority()), string(v.Status()), v.Account(), ts(v.ActivatedAt()), ts(v.ClosedAt()),
		// The scale of amounts is kept too.
		fmt.Sprint(v.Denomination().Exponent(), v.Balance().Exponent(), v.Used().Exponent()),
	}
}

func TestPropertyStoredVoucherRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := genVoucher(t)
		got := storedtest.RoundTrip(t, v)
		data, _ := json.Marshal(v) // for the messages below
		if diff := cmp.Diff(view(v), view(got)); diff != "" {
			t.Fatalf("round trip of %s (-stored +read):\n%s", data, diff)
		}
		if !got.Equal(v) || !v.Equal(got) {
			t.Fatalf("Equal says the voucher read back from %s differs", data)
		}
		if diff := cmp.Diff(v.Instrument(), got.Instrument(), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("instrument (-stored +read):\n%s", diff)
		}
	})
}

// TestVoucherEqual: Equal tells different states apart, so that the round
// trip property means something.
func TestVoucherEqual(t *testing.T) {
	v, _ := voucher.New(voucher.Params{ID: "V-1", Type: voucher.Regular, Currency: "CNY", Denomination: decimal.NewFromInt(100), IssuedAt: storeT0})
	a, _ := v.Activate("acct", storeT0)
	b, _ := v.Activate("acct", storeT0.Add(time.Second))
	c, _ := v.Activate("other", storeT0)
	if !a.Equal(a) || a.Equal(v) || a.Equal(b) || a.Equal(c) || v.Equal(voucher.Voucher{}) {
		t.Error("Equal does not tell the states apart")
	}
	inSeoul, _ := v.Activate("acct", storeT0.In(storedtest.Zone(t, "Asia/Seoul")))
	if !a.Equal(inSeoul) {
		t.Error("the same instant in another Location is a different voucher")
	}
}

// storedUsed is a valid stored voucher: activated, then 40 of 100 spent.
const storedUsed = `{"version":1,"id":"V-1","type":"regular","currency":"CNY","denomination":"100",
	"issued_at":"2024-03-01T00:00:00Z","valid_for":"720h0m0s","status":"active","account":"acct",
	"activated_at":"2024-03-02T00:00:00Z","valid_from":"2024-03-02T00:00:00Z","valid_until":"2024-04-01T00:00:00Z",
	"balance":"60","used":"40"}`

func TestUnmarshalVoucherRefuses(t *testing.T) {
	tests := []struct {
		name, edit string // edit replaces the first "old=>new"
		want       []string
		reason     string
	}{
		{"valid", "", nil, "the base document is valid"},
		{"unknown_fields", `"balance":"60"=>"balanc":"60","colour":"red","balance":"60"`, []string{`balanc: unknown field`, `colour: unknown field`}, "a misspelt field is not silently dropped; every one is named"},
		{"unknown_status", `"status":"active"=>"status":"frozen"`, []string{`status "frozen" is not`}, "statuses are a closed set"},
		{"balance_above_face_value", `"balance":"60"=>"balance":"160"`, []string{"balance 160 + used 40 + forfeited 0 = 200, not the denomination 100"}, "a stored voucher cannot hold more than its face value"},
		{"negative_amount", `"used":"40"=>"used":"-40","forfeited":"80"`, []string{"used -40 must not be negative", "a voucher in status active has forfeited nothing"}, "amounts are never negative"},
		{"window_reversed", `"valid_until":"2024-04-01T00:00:00Z"=>"valid_until":"2024-03-01T00:00:00Z"`, []string{"valid until 2024-03-01T00:00:00Z must be after valid from 2024-03-02T00:00:00Z", "is not the one the terms give"}, "a validity window ends after it starts"},
		{"activated_before_issue", `"activated_at":"2024-03-02T00:00:00Z"=>"activated_at":"2024-02-02T00:00:00Z"`, []string{"activated at 2024-02-02T00:00:00Z is before issued at"}, "a voucher is activated after it is issued"},
		{"unknown_version", `"version":1=>"version":2`, []string{`version: 2 is not supported: this build reads version 1`}, "a version this build does not know is refused, not guessed at"},
		{"missing_version", `"version":1,=>`, []string{"version: missing"}, "the version is required"},
		{"decimal_comma", `"balance":"60"=>"balance":"59,50"`, []string{`balance: "59,50" is not a decimal amount`, "write 59.50"}, "a decimal comma gets a hint"},
		{"bad_time", `"issued_at":"2024-03-01T00:00:00Z"=>"issued_at":"2024-03-01"`, []string{`issued_at: "2024-03-01" is not an RFC 3339 time`}, "instants carry their offset"},
		{"missing_fields", `"id":"V-1","type":"regular",=>`, []string{"id: missing", "type: missing"}, "every missing field is named"},
		{"scope_unknown_field", `"status"=>"scope":{"product":["kec"]},"status"`, []string{"scope.product: unknown field"}, "nested objects are strict too"},
		{"repeated_field", `"used":"40"=>"used":"40","used":"40"`, []string{"used: field appears twice"}, "a repeated field is ambiguous"},
		{"trailing_data", `"used":"40"}=>"used":"40"} {}`, []string{"data after the object"}, "one document, one value"},
		{"closed_without_final_status", `"used":"40"=>"used":"40","closed_at":"2024-03-05T00:00:00Z"`, []string{"closed at \"2024-03-05T00:00:00Z\" must be set exactly when the status is final"}, "only a final voucher has closed"},
		{"inactive_but_activated", `"status":"active"=>"status":"inactive"`, []string{"an inactive voucher has no activation, validity window or use"}, "activation is what makes a voucher active"},
		{"used_up_with_balance", `"status":"active"=>"status":"used_up","closed_at":"2024-03-10T00:00:00Z"`, []string{"a used-up voucher has a zero balance (balance 60)"}, "used up means nothing is left"},
		{"expired_off_deadline", `"status":"active"=>"status":"expired","closed_at":"2024-03-10T00:00:00Z"`, []string{`an expired voucher closed at its deadline "2024-04-01T00:00:00Z", not "2024-03-10T00:00:00Z"`, "a voucher in status expired has forfeited its balance (balance 60)"}, "expiry happens at the end of validity and forfeits the rest"},
		{"window_not_from_terms", `"valid_until":"2024-04-01T00:00:00Z"=>"valid_until":"2024-05-01T00:00:00Z"`, []string{"is not the one the terms give for activation at 2024-03-02T00:00:00Z"}, "the window follows from the terms: 30 days from activation"},
		{"account_without_activation", `"activated_at":"2024-03-02T00:00:00Z",=>`, []string{"must be set together", "a voucher in status active has an activation instant"}, "an account is bound at activation"},
		{"active_with_nothing_left", `"balance":"60","used":"40"=>"balance":"0","used":"100"`, []string{"an active voucher has a positive balance (balance 0)"}, "a voucher paid down to zero is used up"},
		{"used_up_without_use", `"status":"active"=>"status":"used_up","closed_at":"2024-03-10T00:00:00Z"`, []string{"a used-up voucher has a zero balance"}, "used up means nothing is left"},
		{"closed_before_activation", `"status":"active"=>"status":"revoked","closed_at":"2024-03-01T12:00:00Z","forfeited":"60"`, []string{"closed at 2024-03-01T12:00:00Z is before activated at 2024-03-02T00:00:00Z"}, "a voucher closes after it starts"},
		{"bad_code", `"status"=>"code":"5CFF-9JF7-18V4-GKF1","status"`, []string{"code: voucher: activation code", "check symbol does not match"}, "a stored code passes its check symbol"},
		{"not_an_object", `{=>[`, []string{"is not a JSON object"}, "garbage is refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := storedtest.Edit(t, storedUsed, tt.edit)
			v, _ := voucher.New(voucher.Params{ID: "before", Type: voucher.Regular, Currency: "CNY", Denomination: decimal.NewFromInt(1), IssuedAt: storeT0})
			err := json.Unmarshal([]byte(doc), &v)
			if !json.Valid([]byte(doc)) {
				// encoding/json refuses what is not JSON before calling
				// UnmarshalJSON; the method must refuse it on its own too.
				if err == nil {
					t.Fatal("encoding/json accepted invalid JSON")
				}
				err = v.UnmarshalJSON([]byte(doc))
			}
			if tt.want == nil {
				if err != nil || v.ID() != "V-1" || !v.Balance().Equal(decimal.NewFromInt(60)) {
					t.Fatalf("valid document: %v, %v", v.ID(), err)
				}
				return
			}
			storedtest.Refused(t, err, voucher.ErrInvalid, tt.want, tt.reason)
			if !v.Equal(voucher.Voucher{}) {
				t.Errorf("a refused document left %q behind; want the zero Voucher", v.ID())
			}
		})
	}
}

// storedCoupon is a valid stored uncapped 15 % coupon, activated.
const storedCoupon = `{"version":1,"id":"C-1","type":"percentage","currency":"CNY","denomination":"0","percent":"15",
	"issued_at":"2024-03-01T00:00:00Z","status":"active","account":"acct","activated_at":"2024-03-02T00:00:00Z",
	"valid_from":"2024-03-02T00:00:00Z","balance":"0"}`

func TestUnmarshalCouponAndInactiveRefuse(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"coupon_valid", storedCoupon, nil},
		{"uncapped_with_balance", strings.Replace(storedCoupon, `"balance":"0"`, `"balance":"5"`, 1), []string{"an uncapped coupon has no balance or forfeited amount (balance 5"}},
		{"active_coupon_used", strings.Replace(storedCoupon, `"balance":"0"`, `"balance":"0","used":"12.83"`, 1), []string{"a coupon in status active has used nothing (used 12.83"}},
		{"used_up_by_forfeiting", `{"version":1,"id":"V-3","type":"regular","currency":"CNY","denomination":"10","issued_at":"2024-03-01T00:00:00Z",
			"status":"used_up","account":"a","activated_at":"2024-03-01T00:00:00Z","valid_from":"2024-03-01T00:00:00Z",
			"closed_at":"2024-03-02T00:00:00Z","balance":"0","forfeited":"10"}`, []string{"a used-up voucher has paid something (used 0)"}},
		{"revoked_before_issue", `{"version":1,"id":"V-2","type":"regular","currency":"CNY","denomination":"10","issued_at":"2024-03-01T00:00:00Z",
			"status":"revoked","closed_at":"2024-02-01T00:00:00Z","balance":"0","forfeited":"10"}`, []string{"closed at 2024-02-01T00:00:00Z is before issued at 2024-03-01T00:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v voucher.Voucher
			err := json.Unmarshal([]byte(tc.doc), &v)
			if tc.want == nil {
				if err != nil || !v.Uncapped() {
					t.Error(err)
				}
				return
			}
			storedtest.Refused(t, err, voucher.ErrInvalid, tc.want, "")
		})
	}
}

func TestMarshalZeroVoucher(t *testing.T) {
	if _, err := json.Marshal(voucher.Voucher{}); !errors.Is(err, voucher.ErrInvalid) {
		t.Errorf("err = %v; want one wrapping ErrInvalid: the zero Voucher is not a voucher", err)
	}
}

// FuzzUnmarshalVoucher: no input makes the decoder panic; what it accepts
// is a valid voucher that stores again to the same bytes; what it refuses
// leaves the zero Voucher.
func FuzzUnmarshalVoucher(f *testing.F) {
	f.Add([]byte(storedUsed))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"version":1,"id":"V","type":"percentage","currency":"CNY","denomination":"0","percent":"15","issued_at":"2024-03-01T00:00:00Z","status":"inactive","balance":"0","code":"5CFF-9JF7-18V4-GKF0","scope":{"products":["kec"]}}`))
	f.Add([]byte(`{"version":1,"balance":"1e999999999","valid_for":"-9223372036854775808ns"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		storedtest.FuzzDecoder(t, data, voucher.Voucher{})
		var v voucher.Voucher
		if json.Unmarshal(data, &v) != nil {
			return
		}
		// What is accepted keeps the voucher's invariants.
		if v.Balance().IsNegative() || (!v.Uncapped() && !v.Balance().Add(v.Used()).Add(v.Forfeited()).Equal(v.Denomination())) ||
			v.Status().Final() == v.ClosedAt().IsZero() || (v.Account() == "") != v.ActivatedAt().IsZero() ||
			(!v.ValidUntil().IsZero() && !v.ValidUntil().After(v.ValidFrom())) {
			t.Fatalf("accepted %q, which breaks the voucher's invariants", data)
		}
	})
}

// Example_storeAndRestore shows a host keeping a voucher between two
// requests: stored as JSON after it was redeemed, read back for the next
// bill, whose wallet the host builds from the voucher's instrument (with
// ledger.WithBalances(journal, wallet) when it keeps a journal, which owns
// the balance).
func Example_storeAndRestore() {
	issued := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	v, _ := voucher.New(voucher.Params{
		ID: "V-100", Type: voucher.Regular, Currency: "CNY",
		Denomination: decimal.NewFromInt(100), Code: voucher.MustParseCode("5CFF-9JF7-18V4-GKF0"),
		IssuedAt: issued, ValidFor: 90 * 24 * time.Hour,
	})
	v, _ = v.Redeem(voucher.MustParseCode("5CFF-9JF7-18V4-GKF0"), "acct-42", issued.Add(48*time.Hour))

	row, err := json.Marshal(v) // the host saves row in its database
	if err != nil {
		panic(err)
	}
	fmt.Println(string(row))

	var restored voucher.Voucher // next request: load and decode
	if err := json.Unmarshal(row, &restored); err != nil {
		panic(err)
	}
	in := restored.Instrument()
	fmt.Println(restored.Equal(v), in.ID, in.Kind, in.Balance, in.Status, in.ValidUntil.Format(time.DateOnly))

	// A damaged row is refused whole, with every problem named.
	err = json.Unmarshal([]byte(strings.Replace(string(row), `"status":"active"`, `"status":"actve","colour":"red"`, 1)), &restored)
	fmt.Println(errors.Is(err, voucher.ErrInvalid), restored.ID() == "")
	fmt.Println(err)
	// Output:
	// {"version":1,"id":"V-100","type":"regular","currency":"CNY","denomination":"100","code":"5CFF-9JF7-18V4-GKF0","issued_at":"2024-03-01T00:00:00Z","valid_for":"2160h0m0s","status":"active","account":"acct-42","activated_at":"2024-03-03T00:00:00Z","valid_from":"2024-03-03T00:00:00Z","valid_until":"2024-06-01T00:00:00Z","balance":"100"}
	// true V-100 voucher 100 active 2024-06-01
	// true true
	// voucher: invalid voucher "V-100": colour: unknown field; status "actve" is not inactive, active, used_up, expired or revoked
}
