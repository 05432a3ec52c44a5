package policies_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/credit"
	"github.com/billfold/billfold/examples/policies"
	"github.com/billfold/billfold/prepaid"
	"github.com/billfold/billfold/voucher"
	"github.com/shopspring/decimal"
)

const (
	seedKingsoftAssets  = "000_f04d44448bd9d2a1.txt"
	seedAlibaba         = "001_d1525b524f7b874c.txt"
	seedGuance          = "002_974120889ed2e661.txt"
	seedKakao           = "003_b4fbba3f981e0ca6.txt"
	seedKingsoftRenewal = "004_436d555c5a6b9a35.txt"
)

var at = time.Date(2024, 4, 10, 8, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// must returns v, panicking on a setup error (scenario setup is fixed data).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// scenario is one bill allocated under one embedded policy, with the
// amounts the seed's rule implies.
type scenario struct {
	name   string
	policy string
	bill   allocation.Bill
	wallet allocation.Wallet
	// used is what each instrument must pay (instruments not listed: 0).
	used map[string]string
	// steps is what each step must pay in total (steps not listed: 0).
	steps map[string]string
	// skipped lists a reason each named unused instrument must report.
	skipped     map[string]allocation.Reason
	outstanding string
	invoiceable string
	reason      string
}

func line(id, product, category, amount string) allocation.Line {
	return allocation.Line{ID: id, Product: product, Category: category, Amount: d(amount)}
}

func run(t *testing.T, sc scenario) allocation.Split {
	t.Helper()
	if sc.reason == "" {
		t.Fatal("scenario without reason")
	}
	p, err := policies.Load(sc.policy)
	if err != nil {
		t.Fatal(err)
	}
	split, err := allocation.Allocate(sc.bill, sc.wallet, p)
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	for _, in := range sc.wallet {
		r, ok := split.Instrument(in.ID)
		if !ok {
			t.Fatalf("instrument %s missing from the split", in.ID)
		}
		want := "0"
		if w, ok := sc.used[in.ID]; ok {
			want = w
		}
		if !r.Used.Equal(d(want)) {
			t.Errorf("%s used %s; want %s (%s)", in.ID, r.Used, want, sc.reason)
		}
		if reason, ok := sc.skipped[in.ID]; ok && !containsReason(r.Skipped, reason) {
			t.Errorf("%s skipped %v; want %s (%s)", in.ID, r.Skipped, reason, sc.reason)
		}
	}
	byStep := map[string]decimal.Decimal{}
	for _, a := range split.Allocations {
		byStep[a.Step] = byStep[a.Step].Add(a.Amount)
	}
	for _, s := range p.Steps {
		want := "0"
		if w, ok := sc.steps[s.Name]; ok {
			want = w
		}
		if !byStep[s.Name].Equal(d(want)) {
			t.Errorf("step %s paid %s; want %s (%s)", s.Name, byStep[s.Name], want, sc.reason)
		}
	}
	if !split.Outstanding.Equal(d(sc.outstanding)) {
		t.Errorf("outstanding %s; want %s (%s)", split.Outstanding, sc.outstanding, sc.reason)
	}
	if !split.Invoiceable.Equal(d(sc.invoiceable)) {
		t.Errorf("invoiceable %s; want %s (%s)", split.Invoiceable, sc.invoiceable, sc.reason)
	}
	if sum := split.Discounted.Add(split.Paid).Add(split.Outstanding); !sum.Equal(split.Total) {
		t.Errorf("total %s ≠ discounted + paid + outstanding %s", split.Total, sum)
	}
	return split
}

func containsReason(rs []allocation.Reason, r allocation.Reason) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func TestEveryPolicyFile(t *testing.T) {
	files, err := filepath.Glob("*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no policy files: %v", err)
	}
	names := policies.Names()
	if len(names) != len(files) {
		t.Errorf("Names() = %v; files %v", names, files)
	}
	exercised := map[string]bool{}
	for _, sc := range scenarios(t) {
		exercised[sc.policy] = true
	}
	for _, f := range files {
		name := strings.TrimSuffix(f, ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var p allocation.Policy
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("decoding %s: %v", f, err)
			}
			if p.Name != name {
				t.Errorf("policy name %q; want the file name %q", p.Name, name)
			}
			if len(p.Steps) == 0 {
				t.Error("a seed policy lists its steps")
			}
			loaded, err := policies.Load(name)
			if err != nil || !reflect.DeepEqual(loaded, p) {
				t.Errorf("Load(%q) = %+v, %v; want the file's policy", name, loaded, err)
			}
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			var again allocation.Policy
			if err := json.Unmarshal(b, &again); err != nil || !reflect.DeepEqual(again, p) {
				t.Errorf("JSON round trip changed the policy: %v", err)
			}
			if !exercised[name] {
				t.Errorf("no scenario allocates a bill under %s", name)
			}
		})
	}
	if _, err := policies.Load("no-such-policy"); err == nil {
		t.Error("Load of an unknown policy must fail")
	}
	if _, err := policies.JSON("no-such-policy"); err == nil || !strings.Contains(err.Error(), "kakao-credits") {
		t.Errorf("JSON error %v should list the policies there are", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustLoad of an unknown policy must panic")
			}
		}()
		policies.MustLoad("no-such-policy")
	}()
	if p := policies.MustLoad("kakao-credits"); p.Name != "kakao-credits" {
		t.Error("MustLoad")
	}
}

func TestScenarios(t *testing.T) {
	seen := map[string]bool{}
	for _, sc := range scenarios(t) {
		if seen[sc.name] {
			t.Fatalf("duplicate scenario %s", sc.name)
		}
		seen[sc.name] = true
		t.Run(sc.name, func(t *testing.T) { run(t, sc) })
	}
}

// kingsoftWallet: a voucher of 100, gift balance 200, available credit 50
// with a credit line of 1,000.
func kingsoftWallet(t *testing.T) allocation.Wallet {
	v := must(voucher.New(voucher.Params{ID: "voucher", Type: voucher.Regular, Currency: "CNY", Denomination: d("100"), IssuedAt: at.AddDate(0, -1, 0), ValidFor: 90 * 24 * time.Hour}))
	v = must(v.Activate("acct", at.AddDate(0, -1, 0)))
	g := must(credit.NewGift(credit.GiftParams{ID: "gift", Account: "acct", Currency: "CNY", Balance: d("200")}))
	l := must(credit.NewLine(credit.LineParams{ID: "available", Account: "acct", Currency: "CNY", Limit: d("1000"), Available: d("50")}))
	return allocation.Wallet{l.Instrument(), g.Instrument(), v.Instrument()}
}

func renewalVouchers(t *testing.T) allocation.Wallet {
	var w allocation.Wallet
	for _, v := range []struct {
		id, amount string
		expires    time.Time
	}{
		{"v-june-50", "50", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"v-june-80", "80", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"v-may-30", "30", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
	} {
		x := must(voucher.New(voucher.Params{ID: v.id, Type: voucher.Regular, Currency: "CNY", Denomination: d(v.amount), IssuedAt: at.AddDate(0, -2, 0), ValidUntil: v.expires}))
		w = append(w, must(x.Activate("acct", at.AddDate(0, -1, 0))).Instrument())
	}
	return w
}

// guanceWallet: a regular voucher of 100, the discount voucher a 10,000
// card purchase earned (1,000), the card (bought for 10,000, 9,000 spent,
// overdraft 500), and cash; cashKind is "cash" or "cloud_account".
func guanceWallet(t *testing.T, cashKind string, cardAge int) allocation.Wallet {
	rules := prepaid.GuanceRules()
	rules.Overdraft = d("500")
	bought := at.AddDate(0, -cardAge, 0)
	p := must(rules.Purchase(prepaid.PurchaseParams{ID: "card", Account: "acct", Denomination: d("10000"), At: bought}, time.UTC))
	card := p.Card
	if card.StatusAt(at) != prepaid.Expired {
		card = must(card.Apply(allocation.Split{Bill: "earlier", Currency: "CNY", Instruments: []allocation.InstrumentResult{{ID: "card", Used: d("9000"), BalanceAfter: d("1000")}}}, bought))
	}
	dv := must(voucher.New(voucher.Params{ID: "discount", Type: voucher.Discount, Currency: "CNY", Denomination: p.Bonus, IssuedAt: bought}))
	dv = must(dv.Activate("acct", bought))
	rv := must(voucher.New(voucher.Params{ID: "regular", Type: voucher.Regular, Currency: "CNY", Denomination: d("100"), IssuedAt: at.AddDate(0, 0, -3), ValidFor: 30 * 24 * time.Hour}))
	rv = must(rv.Activate("acct", at.AddDate(0, 0, -3)))
	cash := allocation.Instrument{ID: "cash", Kind: cashKind, Currency: "CNY", Balance: d("100"), Invoiceable: true}
	return append(prepaid.Wallet([]prepaid.Card{card}, "acct"), rv.Instrument(), dv.Instrument(), cash)
}

// kakaoWallet: two general free credits, one for the vm service only, and
// a paid credit, in billing group main; and a free credit of group dev.
func kakaoWallet(t *testing.T) allocation.Wallet {
	granted := at.AddDate(0, -2, 0)
	free := func(id, amount string, until time.Time, services ...string) credit.Credit {
		return must(credit.NewFree(credit.FreeParams{ID: id, Domain: "acme", Group: "main", Currency: "KRW", Amount: d(amount), GrantedAt: granted, ValidUntil: until, Services: services}))
	}
	cs := []credit.Credit{
		free("free-june", "50000", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)),
		free("free-may", "30000", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)),
		free("free-vm", "40000", time.Date(2024, 4, 20, 0, 0, 0, 0, time.UTC), "vm"),
		must(credit.NewPaid(credit.PaidParams{ID: "paid", Domain: "acme", Group: "main", Currency: "KRW", Amount: d("100000"), PurchasedAt: granted}, time.UTC)),
	}
	dev := free("dev-credit", "99999", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	_, dev, err := dev.Transfer(credit.Destination{ID: "dev-credit-2", Domain: "acme", Group: "dev"}, d("10"), granted)
	if err != nil {
		t.Fatal(err)
	}
	return credit.Wallet(append(cs, dev), "main")
}

func alibabaWallet(t *testing.T) allocation.Wallet {
	b := must(prepaid.NewPrepayment(prepaid.PrepaymentParams{ID: "prepay", Account: "acct", Currency: "USD"}))
	b = must(b.Deposit(prepaid.Deposit{ID: "wire", At: at.AddDate(0, 0, -7), Amount: d("2000"), Method: "bank_transfer", Purpose: prepaid.Purpose{Product: "ecs"}}))
	return allocation.Wallet{b.Instrument()}
}

func scenarios(t *testing.T) []scenario {
	ks := kingsoftWallet(t)
	bill := func(id, currency, mode string, lines ...allocation.Line) allocation.Bill {
		return allocation.Bill{ID: id, Currency: currency, At: at, Mode: mode, Lines: lines}
	}
	withExclude := func(b allocation.Bill, kinds ...string) allocation.Bill { b.ExcludeKinds = kinds; return b }
	return []scenario{
		{
			name: "kingsoft_payment_order", policy: "kingsoft-account-assets",
			bill:   bill("K-1", "CNY", "payg", line("ecs", "kec", "compute", "250"), line("eip", "eip", "network", "150")),
			wallet: ks,
			used:   map[string]string{"voucher": "100", "gift": "200", "available": "100"},
			steps:  map[string]string{"vouchers": "100", "gift_balance": "200", "available_credit": "100"},
			// Only what available credit paid is invoiceable: no invoice
			// for gift balance; vouchers are not money paid.
			outstanding: "0", invoiceable: "100",
			reason: seedKingsoftAssets + ": vouchers first, then gift balance, then available credit (which may go negative)",
		},
		{
			name: "kingsoft_gift_not_for_trials", policy: "kingsoft-account-assets",
			bill:        bill("K-2", "CNY", "trial", line("trial", "kec", "compute", "400")),
			wallet:      ks,
			used:        map[string]string{"voucher": "100", "available": "300"},
			steps:       map[string]string{"vouchers": "100", "available_credit": "300"},
			skipped:     map[string]allocation.Reason{"gift": allocation.ReasonModeExcluded},
			outstanding: "0", invoiceable: "300",
			reason: seedKingsoftAssets + ": gift balance cannot pay product trials",
		},
		{
			name: "kingsoft_vouchers_not_chosen", policy: "kingsoft-account-assets",
			bill:        withExclude(bill("K-3", "CNY", "payg", line("ecs", "kec", "compute", "250")), voucher.KindVoucher),
			wallet:      ks,
			used:        map[string]string{"gift": "200", "available": "50"},
			steps:       map[string]string{"gift_balance": "200", "available_credit": "50"},
			skipped:     map[string]allocation.Reason{"voucher": allocation.ReasonExcludedByBill},
			outstanding: "0", invoiceable: "50",
			reason: seedKingsoftAssets + ": the customer may choose whether to use vouchers",
		},
		{
			name: "kingsoft_online_payment_beyond_credit", policy: "kingsoft-account-assets",
			bill:        bill("K-4", "CNY", "payg", line("big", "kec", "compute", "2000")),
			wallet:      ks,
			used:        map[string]string{"voucher": "100", "gift": "200", "available": "1050"},
			steps:       map[string]string{"vouchers": "100", "gift_balance": "200", "available_credit": "1050"},
			outstanding: "650", invoiceable: "1700",
			reason: seedKingsoftAssets + ": if available credit is not enough, online payment completes the transaction",
		},
		{
			name: "kingsoft_renewal_soonest_then_largest", policy: "kingsoft-renewal-vouchers",
			bill:        bill("R-1", "CNY", "renewal", line("renew-kec", "kec", "compute", "100")),
			wallet:      renewalVouchers(t),
			used:        map[string]string{"v-may-30": "30", "v-june-80": "70"},
			steps:       map[string]string{"vouchers": "100"},
			skipped:     map[string]allocation.Reason{"v-june-50": allocation.ReasonNothingLeft},
			outstanding: "0", invoiceable: "0",
			reason: seedKingsoftRenewal + ": vouchers that expire soonest first; same expiry, largest deduction first",
		},
		{
			name: "guance_deduction_order", policy: "guance-billing-center",
			bill:   bill("G-1", "CNY", "payg", line("metrics", "metrics", "metrics", "1500"), line("sms", "sms", "sms", "300"), line("dial", "dial_testing", "dial_testing", "600")),
			wallet: guanceWallet(t, "cash", 1),
			// Vouchers pay only metrics (SMS and dial testing are reserved
			// for cash and cards); the card pays 1,000, cash 100, then the
			// card runs 200 into overdraft.
			used:        map[string]string{"regular": "100", "discount": "1000", "card": "1200", "cash": "100"},
			steps:       map[string]string{"regular_vouchers": "100", "discount_vouchers": "1000", "prepaid_cards": "1000", "cash": "100", "prepaid_card_overdraft": "200"},
			outstanding: "0", invoiceable: "100",
			reason: seedGuance + ": regular vouchers, discount vouchers, prepaid cards, cash, prepaid card balance (negative for overdue); SMS and dial testing only cash or prepaid card; no invoice for the card-paid part",
		},
		{
			name: "guance_vouchers_never_pay_sms", policy: "guance-billing-center",
			bill:        bill("G-2", "CNY", "payg", line("sms", "sms", "sms", "50")),
			wallet:      guanceWallet(t, "cash", 1),
			used:        map[string]string{"card": "50"},
			steps:       map[string]string{"prepaid_cards": "50"},
			skipped:     map[string]allocation.Reason{"regular": allocation.ReasonRestrictedCategory, "discount": allocation.ReasonRestrictedCategory},
			outstanding: "0", invoiceable: "0",
			reason: seedGuance + ": SMS consumption can only be paid using cash or prepaid card",
		},
		{
			name: "guance_card_optional_at_prepaid_checkout", policy: "guance-billing-center",
			bill:        withExclude(bill("G-3", "CNY", "subscription", line("plan", "commercial_plan", "plan", "1500")), prepaid.KindCard),
			wallet:      guanceWallet(t, "cash", 1),
			used:        map[string]string{"regular": "100", "discount": "1000", "cash": "100"},
			steps:       map[string]string{"regular_vouchers": "100", "discount_vouchers": "1000", "cash": "100"},
			skipped:     map[string]allocation.Reason{"card": allocation.ReasonExcludedByBill},
			outstanding: "300", invoiceable: "400",
			reason: seedGuance + ": the customer chooses whether to use the prepaid card at the checkout of prepaid orders",
		},
		{
			name: "guance_expired_card_void", policy: "guance-billing-center",
			bill:        bill("G-4", "CNY", "payg", line("sms", "sms", "sms", "300")),
			wallet:      guanceWallet(t, "cash", 13),
			used:        map[string]string{"cash": "100"},
			steps:       map[string]string{"cash": "100"},
			skipped:     map[string]allocation.Reason{"card": allocation.ReasonExpired},
			outstanding: "200", invoiceable: "300",
			reason: seedGuance + ": expired prepaid cards become void",
		},
		{
			name: "guance_cloud_account", policy: "guance-cloud-account",
			bill:   bill("GC-1", "CNY", "payg", line("metrics", "metrics", "metrics", "1500"), line("sms", "sms", "sms", "300"), line("dial", "dial_testing", "dial_testing", "400")),
			wallet: guanceWallet(t, "cloud_account", 1),
			// No overdraft step: what the cloud account cannot pay is
			// outstanding.
			used:        map[string]string{"regular": "100", "discount": "1000", "card": "1000", "cash": "100"},
			steps:       map[string]string{"regular_vouchers": "100", "discount_vouchers": "1000", "prepaid_cards": "1000", "cloud_account_cash": "100"},
			outstanding: "0", invoiceable: "100",
			reason: seedGuance + ": cloud-account settlement: regular vouchers, discount vouchers, prepaid cards, cloud account cash balance",
		},
		{
			name: "guance_cloud_account_no_overdraft", policy: "guance-cloud-account",
			bill:        bill("GC-2", "CNY", "payg", line("sms", "sms", "sms", "1500")),
			wallet:      guanceWallet(t, "cloud_account", 1),
			used:        map[string]string{"card": "1000", "cash": "100"},
			steps:       map[string]string{"prepaid_cards": "1000", "cloud_account_cash": "100"},
			skipped:     map[string]allocation.Reason{"regular": allocation.ReasonRestrictedCategory},
			outstanding: "400", invoiceable: "500",
			reason: seedGuance + ": SMS only prepaid cards and cloud account cash balance; no negative card balance in this variant",
		},
		{
			name: "kakao_credit_usage_order", policy: "kakao-credits",
			bill: bill("KC-1", "KRW", "payg",
				line("vm", "vm", "compute", "100000"), line("app", "marketplace_app", credit.CategoryMarketplace, "20000"),
				line("image", "ubuntu_pro", credit.CategoryOSImage, "10000"), line("db", "mysql", "database", "30000")),
			wallet: kakaoWallet(t),
			// Free general credits, earliest expiry first (May 30,000 then
			// June 50,000), pay vm and db; the vm-only credit pays all it
			// can of vm, which the general ones leave to it (max_coverage:
			// in bill order they would take vm first and leave 20,000 of it
			// unused while paid credit paid db); the paid credit pays the
			// rest of vm and what free credits may not (marketplace, OS
			// image).
			used:  map[string]string{"free-may": "30000", "free-june": "50000", "free-vm": "40000", "paid": "40000"},
			steps: map[string]string{"free_credit_earliest_expiry": "80000", "free_credit_specific_services": "40000", "paid_credit_earliest_expiry": "40000"},
			// Credits are not invoiceable when used (paid credits are
			// invoiced at purchase unless InvoiceOnUse).
			outstanding: "0", invoiceable: "0",
			reason: seedKakao + ": free credit earliest expiry, free credit for specific services, then paid credit; the usage free credits can pay is deducted first; free credits exclude marketplace and OS images",
		},
		{
			name: "kakao_expired_credit_unused", policy: "kakao-credits",
			bill:        allocation.Bill{ID: "KC-2", Currency: "KRW", At: time.Date(2024, 5, 15, 0, 0, 0, 0, time.UTC), Lines: []allocation.Line{line("vm", "vm", "compute", "60000")}},
			wallet:      kakaoWallet(t),
			used:        map[string]string{"free-june": "50000", "paid": "10000"},
			steps:       map[string]string{"free_credit_earliest_expiry": "50000", "paid_credit_earliest_expiry": "10000"},
			skipped:     map[string]allocation.Reason{"free-may": allocation.ReasonExpired, "free-vm": allocation.ReasonExpired},
			outstanding: "0", invoiceable: "0",
			reason: seedKakao + ": the remaining balance cannot be used after the usage period",
		},
		{
			name: "alibaba_subscription_order", policy: "alibaba-prepayment",
			bill:        bill("A-1", "USD", "subscription", line("rds", "rds", "database", "750")),
			wallet:      alibabaWallet(t),
			used:        map[string]string{"prepay": "750"},
			steps:       map[string]string{"prepayment_balance": "750"},
			outstanding: "0", invoiceable: "750",
			reason: seedAlibaba + ": prepayment balance pays subscription orders",
		},
		{
			name: "alibaba_payg_bill", policy: "alibaba-prepayment",
			bill:        bill("A-2", "USD", "payg", line("ecs", "ecs", "compute", "1500"), line("oss", "oss", "storage", "750")),
			wallet:      alibabaWallet(t),
			used:        map[string]string{"prepay": "2000"},
			steps:       map[string]string{"prepayment_balance": "2000"},
			outstanding: "250", invoiceable: "2250",
			reason: seedAlibaba + ": prepayment balance pays pay-as-you-go bills",
		},
	}
}
