package ledger

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// fastText draws a string that is often plain (see plain) and sometimes
// not: escapes, HTML characters, non-ASCII, invalid UTF-8.
// With plainOnly it draws only plain strings, which the fast paths read.
func fastText(t *rapid.T, plainOnly bool, label string) string {
	form := 0
	if !plainOnly {
		form = rapid.IntRange(0, 2).Draw(t, label+" form")
	}
	switch form {
	case 0:
		return rapid.StringMatching(`[ !#-%'-;=?-\[\]-~]{0,8}`).Draw(t, label) // plain: no " & < > \
	case 1:
		return rapid.SampledFrom([]string{"a<b>&c", "\"q\"", `back\slash`, `\u0041`, "tab\t", "\xff", "é", "\u2028"}).Draw(t, label)
	}
	return rapid.String().Draw(t, label)
}

// fastTime draws a time, sometimes one MarshalJSON refuses (a year
// outside 0…9999, an offset of 24 hours or more) or with an offset in
// seconds; with plainOnly, only times MarshalJSON writes.
func fastTime(t *rapid.T, plainOnly bool, label string) time.Time {
	zones := []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800), time.FixedZone("Y", -7*3600),
		time.FixedZone("S", 3600+17), time.FixedZone("F", 25*3600), time.FixedZone("G", -24*3600)}
	sec := rapid.Int64Range(-62135596800-86400*800, 253402300799+86400*800)
	if plainOnly {
		zones, sec = zones[:4], rapid.Int64Range(-62135596800+86400, 253402300799-86400)
	}
	return time.Unix(sec.Draw(t, label), rapid.SampledFrom([]int64{0, 500_000_000, 120_000, 1}).Draw(t, label+" ns")).
		In(rapid.SampledFrom(zones).Draw(t, label+" zone"))
}

func fastAccount(t *rapid.T, plainOnly bool, label string) Account {
	kinds := 3 // the zero account too, which the fast path leaves to the strict decoder
	if plainOnly {
		kinds = 2
	}
	switch rapid.IntRange(0, kinds).Draw(t, label) {
	case 0:
		if plainOnly {
			return InstrumentAccount(rapid.StringMatching(`[!#-%'-;=?-\[\]-~]{1,8}`).Draw(t, label+" id"), "USD")
		}
		return InstrumentAccount(fastText(t, plainOnly, label+" id"), "USD")
	case 1:
		return SystemAccount(Revenue, "CNY")
	case 2:
		a := InstrumentAccount("v1", "KRW")
		a.hold = rapid.SampledFrom([]string{"h", "h:1", "50%"}).Draw(t, label+" hold")
		return a
	}
	return Account{}
}

func fastAmount(t *rapid.T, label string) decimal.Decimal {
	return decimal.New(rapid.Int64().Draw(t, label), int32(rapid.IntRange(-20, 3).Draw(t, label+" exp")))
}

func fastTransaction(t *rapid.T) Transaction {
	plainOnly := rapid.Bool().Draw(t, "plain only")
	tx := Transaction{ID: fastText(t, plainOnly, "id"), Time: fastTime(t, plainOnly, "time"), Kind: Kind(fastText(t, plainOnly, "kind")),
		Bill: fastText(t, plainOnly, "bill"), Ref: fastText(t, plainOnly, "ref"), Note: fastText(t, plainOnly, "note")}
	for range rapid.IntRange(0, 3).Draw(t, "postings") {
		tx.Postings = append(tx.Postings, Posting{Account: fastAccount(t, plainOnly, "account"), Amount: fastAmount(t, "amount"),
			Line: fastText(t, plainOnly, "line"), Product: fastText(t, plainOnly, "product")})
	}
	for range rapid.IntRange(0, 2).Draw(t, "terms") {
		tm := Terms{Account: fastAccount(t, plainOnly, "terms account"), Kind: fastText(t, plainOnly, "terms kind"), Group: fastText(t, plainOnly, "group"),
			Transferable: rapid.Bool().Draw(t, "transferable"), NotCashable: rapid.Bool().Draw(t, "not cashable")}
		if rapid.Bool().Draw(t, "has overdraft") {
			tm.Overdraft = fastAmount(t, "overdraft")
		}
		if rapid.Bool().Draw(t, "has expiry") {
			tm.Expires = fastTime(t, plainOnly, "expires")
		}
		tx.Terms = append(tx.Terms, tm)
	}
	return tx
}

// strictTransaction is what the strict decoder alone reads from data.
func strictTransaction(data []byte) (Transaction, error) {
	var tx Transaction
	err := decode(data, &tx, (*decoder).transaction, func(v Transaction) string { return v.ID })
	return tx, err
}

// The hand-written encoder writes the very bytes encoding/json writes for
// the form, and fails where it fails.
func TestMarshalJSONIsEncodingJSONs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tx := fastTransaction(t)
		want, wantErr := marshalTransaction(tx)
		got, err := tx.MarshalJSON()
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("MarshalJSON:\n got %s, %v\nwant %s, %v", got, err, want, wantErr)
		}
		if err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("MarshalJSON error %q, want %q", err, wantErr)
		}
	})
}

// Reading a transaction gives what the strict decoder gives, value and
// error, for what MarshalJSON writes and for any change to it: the fast
// path reads only what it reads alike.
func TestUnmarshalJSONIsStrictDecoders(t *testing.T) {
	checks, fast := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		checks++
		data, err := fastTransaction(t).MarshalJSON()
		if err != nil {
			t.Skip("a transaction without a JSON form")
		}
		switch rapid.IntRange(0, 5).Draw(t, "change") { // 0, 4, 5: none
		case 1: // a byte replaced
			i := rapid.IntRange(0, len(data)-1).Draw(t, "at")
			data = bytes.Clone(data)
			data[i] = rapid.SampledFrom([]byte(`{}[]",:0-.9eZ x\ntrue`)).Draw(t, "byte")
		case 2: // cut
			data = data[:rapid.IntRange(0, len(data)-1).Draw(t, "cut")]
		case 3: // a span repeated
			i := rapid.IntRange(0, len(data)-1).Draw(t, "from")
			j := rapid.IntRange(i, len(data)).Draw(t, "to")
			data = append(append(bytes.Clone(data[:j]), data[i:j]...), data[j:]...)
		}
		want, wantErr := strictTransaction(data)
		var got Transaction
		err = got.UnmarshalJSON(data)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("UnmarshalJSON(%s): %v; the strict decoder: %v", data, err, wantErr)
		}
		if _, ok := readCanonical(data); ok {
			fast++
		}
		if !identical(got, want) {
			t.Fatalf("UnmarshalJSON(%s) = %+v; the strict decoder: %+v", data, got, want)
		}
	})
	if fast < checks/10 {
		t.Errorf("the fast path read %d of %d transactions; the test must exercise it more", fast, checks)
	}
	t.Logf("the fast path read %d of %d transactions", fast, checks)
}

// The canonical form a store writes is read by the fast path, into what
// the strict decoder reads.
func TestCanonicalFormReadFast(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	v1, rev := InstrumentAccount("v1", "USD"), SystemAccount(Revenue, "USD")
	terms := []Terms{{Account: v1, Kind: "voucher", Overdraft: decimal.New(5, 0),
		Expires: time.Date(2024, 4, 1, 0, 0, 0, 0, time.FixedZone("", 8*3600)), Transferable: true, NotCashable: true}}
	for _, tx := range []Transaction{
		{ID: "spend:b1", Time: at, Kind: KindSpend, Bill: "b1", Ref: "r", Note: "n",
			Postings: []Posting{{Account: v1, Amount: decimal.RequireFromString("-30.50"), Line: "l1", Product: "ecs"},
				{Account: rev, Amount: decimal.RequireFromString("30.50"), Line: "l1", Product: "ecs"}},
			Terms: terms},
		{ID: "grant:1", Time: at, Kind: "grant", Terms: terms}, // no postings
		{ID: "x", Time: at.Add(time.Nanosecond), Postings: []Posting{{Account: v1, Amount: decimal.New(-12345678901234567, -30)}}},
	} {
		data, err := tx.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := readCanonical(data)
		want, err := strictTransaction(data)
		if !ok || err != nil {
			t.Fatalf("readCanonical(%s) reads it: %v; the strict decoder: %v", data, ok, err)
		}
		if !identical(got, want) || !got.same(tx) {
			t.Errorf("readCanonical(%s) = %+v; the strict decoder: %+v", data, got, want)
		}
	}
}

// identical reports whether a and b are the same ([Transaction.same]:
// equal, amounts with the same exponents, times in the same zone offsets)
// with times in locations of the same name and the same nil slices, which
// cmp.Diff, going by [Transaction.Equal], would not tell apart.
func identical(a, b Transaction) bool {
	if !a.same(b) || (a.Postings == nil) != (b.Postings == nil) || (a.Terms == nil) != (b.Terms == nil) ||
		a.Time.Location().String() != b.Time.Location().String() {
		return false
	}
	for i, t := range a.Terms {
		if t.Expires.Location().String() != b.Terms[i].Expires.Location().String() {
			return false
		}
	}
	return true
}

// appendExact writes what exact writes, for coefficients of any size.
func TestAppendExactIsExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := rapid.OneOf(rapid.Int64Range(-1000, 1000), rapid.Int64()).Draw(t, "coefficient")
		d := decimal.New(c, int32(rapid.IntRange(-25, 5).Draw(t, "exp")))
		if rapid.Bool().Draw(t, "big") {
			d = d.Mul(decimal.New(rapid.Int64().Draw(t, "factor"), 0))
		}
		if got, want := string(appendExact([]byte("x"), d)), "x"+exact(d); got != want {
			t.Fatalf("appendExact(%v) = %s, want %s", d, got, want)
		}
	})
	for _, d := range []decimal.Decimal{decimal.New(5, -1), decimal.New(-5, -1), decimal.New(0, -2), decimal.New(12345, -5),
		decimal.New(-1, -18), decimal.New(1, 3), decimal.New(math.MaxInt64, -18), decimal.New(math.MinInt64, -19)} {
		if got, want := string(appendExact(nil, d)), exact(d); got != want {
			t.Errorf("appendExact(%v) = %s, want %s", d, got, want)
		}
	}
}

// smallDecimal reads what decimal.NewFromString reads, where it reads.
func TestSmallDecimalIsNewFromString(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text := rapid.StringMatching(`-?[0-9]{0,20}(\.[0-9]{0,20})?|[-+.0-9eE]{0,6}`).Draw(t, "text")
		got, ok := smallDecimal([]byte(text))
		if !ok {
			return
		}
		want, err := decimal.NewFromString(text)
		if err != nil || !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Fatalf("smallDecimal(%q) = %v (exponent %d); NewFromString: %v (exponent %d), %v", text, got, got.Exponent(), want, want.Exponent(), err)
		}
	})
	for i, text := range []string{"-30.50", "0.00", "-0", "007", "123456789012345678", "1e5", "1.", ".5", "--1", "1.2.3"} {
		got, ok := smallDecimal([]byte(text))
		want, err := decimal.NewFromString(text)
		if ok != (i < 5) {
			t.Errorf("smallDecimal(%q) reads it: %v; want %v", text, ok, i < 5)
		}
		if ok && (err != nil || !got.Equal(want) || got.Exponent() != want.Exponent()) {
			t.Errorf("smallDecimal(%q) = %v (exponent %d); NewFromString: %v (exponent %d), %v", text, got, got.Exponent(), want, want.Exponent(), err)
		}
	}
}

// FuzzUnmarshalJSONIsStrictDecoders reads any bytes as a Transaction
// through UnmarshalJSON (the fast path for the canonical form a store
// writes, else the strict decoder) and through the strict decoder alone:
// the same value and the same error, never a panic.
func FuzzUnmarshalJSONIsStrictDecoders(f *testing.F) {
	for _, tx := range []Transaction{
		{ID: "g", Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Kind: KindGrant, Postings: []Posting{
			{Account: SystemAccount(Issued, "USD"), Amount: decimal.RequireFromString("-10.50")},
			{Account: InstrumentAccount("v", "USD"), Amount: decimal.RequireFromString("10.50"), Line: "l1", Product: "ecs"}},
			Terms: []Terms{{Account: InstrumentAccount("v", "USD"), Kind: "voucher", Overdraft: decimal.New(5, 0),
				Expires: time.Date(2024, 2, 1, 0, 0, 0, 0, time.FixedZone("", 8*3600)), Transferable: true}}},
		{ID: "r", Time: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), Kind: KindReverse, Ref: "g", Bill: "b\u00e9", Note: "a \"quoted\" note"},
	} {
		data, err := tx.MarshalJSON()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id":"t","postings":[{"account":"instrument:USD:v","amount":"01"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := strictTransaction(data)
		var got Transaction
		err := got.UnmarshalJSON(data)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("UnmarshalJSON(%q): %v; the strict decoder: %v", data, err, wantErr)
		}
		if !identical(got, want) {
			t.Fatalf("UnmarshalJSON(%q) = %+v; the strict decoder: %+v", data, got, want)
		}
	})
}
