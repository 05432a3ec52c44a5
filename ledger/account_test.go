package ledger_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/billfold/billfold/ledger"
)

func TestAccountText(t *testing.T) {
	for _, a := range []ledger.Account{
		ledger.InstrumentAccount("gift-1", "USD"),
		ledger.InstrumentAccount("a:b:c", "KRW"), // ids may contain colons
		ledger.SystemAccount(ledger.Issued, "CNY"),
		ledger.SystemAccount(ledger.Receivable, "EUR"),
	} {
		text, err := a.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var b ledger.Account
		if err := b.UnmarshalText(text); err != nil || b != a {
			t.Errorf("%q decodes to %v, %v; want %v", text, b, err, a)
		}
		if p, err := ledger.ParseAccount(a.String()); err != nil || p != a {
			t.Errorf("ParseAccount(%q) = %v, %v", a, p, err)
		}
	}
	if got := ledger.InstrumentAccount("v", "USD").String(); got != "instrument:USD:v" {
		t.Errorf("String = %q", got)
	}
	if got := ledger.SystemAccount(ledger.Revenue, "USD").String(); got != "revenue:USD" {
		t.Errorf("String = %q", got)
	}
	var z ledger.Account
	if z.String() != "" || !z.IsZero() || z.IsInstrument() {
		t.Errorf("zero Account: %q, zero %v, instrument %v", z, z.IsZero(), z.IsInstrument())
	}
	if err := z.UnmarshalText(nil); err != nil || !z.IsZero() {
		t.Errorf("empty text: %v, %v", z, err)
	}
}

func TestParseAccountRejects(t *testing.T) {
	for _, s := range []string{"", "revenue", "revenue:usd", "bonus:USD", "instrument:USD:", "instrument:US:x", "instrument:USDX:x", ":USD"} {
		if a, err := ledger.ParseAccount(s); err == nil {
			t.Errorf("ParseAccount(%q) = %v, want an error", s, a)
		}
		var a ledger.Account
		if err := a.UnmarshalText([]byte(s)); s != "" && err == nil {
			t.Errorf("UnmarshalText(%q) = %v, want an error", s, a)
		}
	}
}

func TestAccountAccessors(t *testing.T) {
	i := ledger.InstrumentAccount("v", "USD")
	s := ledger.SystemAccount(ledger.Expired, "USD")
	if !i.IsInstrument() || i.Instrument() != "v" || i.System() != "" || i.Currency() != "USD" || i.IsZero() {
		t.Errorf("instrument account accessors: %v %q %q %q", i.IsInstrument(), i.Instrument(), i.System(), i.Currency())
	}
	if s.IsInstrument() || s.Instrument() != "" || s.System() != ledger.Expired || s.Currency() != "USD" || s.IsZero() {
		t.Errorf("system account accessors: %v %q %q %q", s.IsInstrument(), s.Instrument(), s.System(), s.Currency())
	}
	if ledger.InstrumentAccount("", "USD").IsInstrument() {
		t.Error("an account without id is not an instrument account")
	}
}

func TestAccountCompare(t *testing.T) {
	want := []ledger.Account{
		ledger.InstrumentAccount("a", "CNY"),
		ledger.SystemAccount(ledger.Issued, "CNY"),
		ledger.InstrumentAccount("a", "USD"),
		ledger.InstrumentAccount("b", "USD"),
		ledger.SystemAccount(ledger.Issued, "USD"),
		ledger.SystemAccount(ledger.Revenue, "USD"),
		ledger.SystemAccount(ledger.Expired, "USD"),
		ledger.SystemAccount(ledger.Refunded, "USD"),
		ledger.SystemAccount(ledger.Receivable, "USD"),
		ledger.SystemAccount("x-unknown", "USD"),
		ledger.SystemAccount("y-unknown", "USD"),
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortFunc(got, ledger.Account.Compare)
	if !slices.Equal(got, want) {
		t.Errorf("sorted:\n got %v\nwant %v", got, want)
	}
	for i, a := range want {
		for k, b := range want {
			if c := a.Compare(b); c != cmpInt(i, k) {
				t.Errorf("%v.Compare(%v) = %d", a, b, c)
			}
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestAccountInvalidInTransaction(t *testing.T) {
	// Unknown systems and bad currencies are reported by Validate.
	tx := ledger.Transaction{ID: "t", Time: t0, Kind: ledger.KindGrant, Postings: []ledger.Posting{
		{Account: ledger.SystemAccount("bonus", "USD"), Amount: dec("-1")},
		{Account: ledger.InstrumentAccount("", "USD"), Amount: dec("1")},
	}}
	var ie *ledger.InvalidError
	if err := tx.Validate(); !errors.As(err, &ie) || len(ie.Problems) != 2 {
		t.Fatalf("Validate = %v, want two problems", err)
	}
}

func TestCurrencyCodes(t *testing.T) {
	for code, ok := range map[string]bool{"AAA": true, "ZZZ": true, "AZA": true, "@AA": false, "AA[": false, "AAa": false, "AA": false, "AAAA": false} {
		_, err := ledger.ParseAccount("revenue:" + code)
		if (err == nil) != ok {
			t.Errorf("currency %q: error %v, want valid %v", code, err, ok)
		}
	}
}
