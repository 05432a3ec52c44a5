package ledger_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// jsonTypes are the ledger's types with a JSON form, by name: a function
// returning a pointer to a fresh zero value of each, for decoding into.
var jsonTypes = []struct {
	name string
	zero func() any
}{
	{"Transaction", func() any { return new(ledger.Transaction) }},
	{"Posting", func() any { return new(ledger.Posting) }},
	{"Terms", func() any { return new(ledger.Terms) }},
	{"Entry", func() any { return new(ledger.Entry) }},
	{"Account", func() any { return new(ledger.Account) }},
	{"Journal", func() any { return new(ledger.Journal) }},
}

// decodeAs decodes data into a fresh value of jsonTypes[k], returning the
// value (not the pointer).
func decodeAs(k int, data []byte) (any, error) {
	p := jsonTypes[k].zero()
	err := json.Unmarshal(data, p)
	return reflect.ValueOf(p).Elem().Interface(), err
}

// equalJSONValues compares two decoded values of one ledger type by
// content: amounts by value, times as instants, journals by their
// transactions.
func equalJSONValues(a, b any) bool {
	if ja, ok := a.(ledger.Journal); ok {
		jb := b.(ledger.Journal)
		return ja.Len() == jb.Len() && cmp.Equal(slices.Collect(txsOf(ja)), slices.Collect(txsOf(jb)))
	}
	return cmp.Equal(a, b, cmp.Comparer(func(x, y decimal.Decimal) bool { return x.Equal(y) }),
		cmp.Comparer(func(x, y time.Time) bool { return x.Equal(y) }))
}

// txsOf yields a journal's transactions.
func txsOf(j ledger.Journal) func(func(ledger.Transaction) bool) {
	return func(yield func(ledger.Transaction) bool) {
		for _, tx := range j.Transactions() {
			if !yield(tx) {
				return
			}
		}
	}
}

// Issue 16, item 1: every ledger type with a JSON form rejects what it
// does not know, with an error wrapping ledger.ErrInvalid that names the
// transaction and the JSON path of every problem.
func TestJSONStrict(t *testing.T) {
	tests := []struct {
		name, typ, data string
		id              string   // the InvalidError's ID
		problems        []string // all of them, in order
		reason          string
	}{
		{"misspelt_field", "Transaction",
			`{"id":"spend:b1","time":"2024-03-01T09:00:00Z","kind":"spend","postings":[{"account":"instrument:USD:v1","ammount":"-10"}]}`,
			"spend:b1", []string{`postings[0]: unknown field "ammount"; a posting has the fields account, amount, line, product`},
			"a misspelt amount must not make a posting of zero"},
		{"every_problem_listed", "Transaction",
			`{"id":"t1","tim":"2024-03-01","kind":"spend","note":5,"postings":[` +
				`{"account":"instrument:USD:v1","amount":"12,50"},{"account":"bonus:USD","amount":"1","lin":"l1"}],` +
				`"terms":[{"account":"instrument:USD:v1","overdraft":"x","expires":"2024-03-01","transferable":"yes"}]}`,
			"t1", []string{
				`unknown field "tim"; a transaction has the fields id, time, kind, bill, ref, note, postings, terms`,
				`note: found the number 5; want a string`,
				`postings[0].amount: "12,50" is not a decimal amount; write 12.50`,
				`postings[1]: unknown field "lin"; a posting has the fields account, amount, line, product`,
				`postings[1].account: account "bonus:USD": unknown system account "bonus"`,
				`terms[0].overdraft: "x" is not a decimal amount; want a decimal such as "12.50"`,
				`terms[0].expires: "2024-03-01" is not an RFC 3339 time; want one such as "2024-03-01T09:00:00Z"`,
				`terms[0].transferable: found "yes"; want true or false`,
			}, "all problems at once, each with its path"},
		{"field_twice", "Transaction", `{"id":"t1","kind":"spend","Kind":"grant"}`,
			"t1", []string{`field "kind" given twice (as "kind" and "Kind")`}, "which of two values counts is not guessed"},
		{"not_an_object", "Transaction", `["t1"]`, "", []string{`found an array; want a transaction`}, ""},
		{"posting_unknown", "Posting", `{"account":"revenue:USD","amount":"1","produkt":"ecs"}`,
			"", []string{`unknown field "produkt"; a posting has the fields account, amount, line, product`}, ""},
		{"terms_unknown", "Terms", `{"account":"instrument:USD:v1","overdraf":"50"}`,
			"", []string{`unknown field "overdraf"; terms has the fields account, kind, group, overdraft, expires, transferable, not_cashable`}, ""},
		{"entry_unknown", "Entry", `{"seq":-1,"id":"t1","balanse":"5"}`,
			"t1", []string{
				`unknown field "balanse"; an entry has the fields seq, id, time, kind, bill, ref, note, account, amount, line, product, balance`,
				`seq: found the number -1; want a position, a whole number from 0`,
			}, ""},
		{"account_not_string", "Account", `5`, "", []string{`found the number 5; want an account such as "instrument:USD:v1" or "revenue:USD"`}, ""},
		{"account_bad", "Account", `"instrument:usd:v1"`, "",
			[]string{`account "instrument:usd:v1": account instrument:usd:v1: currency "usd" is not three upper-case letters`}, ""},
		{"huge_amount", "Posting", `{"account":"revenue:USD","amount":"1e5000"}`, "",
			[]string{`amount: "1e5000" has more than 1000 digits`}, "decoding must not make encoding write a million zeros"},
		{"journal_paths", "Journal", `[{"id":"g1","kind":"grant","extra":1},{"id":"g2","postings":{}}]`, "g1",
			[]string{`[0]: unknown field "extra"; a transaction has the fields id, time, kind, bill, ref, note, postings, terms`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := slices.IndexFunc(jsonTypes, func(x struct {
				name string
				zero func() any
			}) bool {
				return x.name == tt.typ
			})
			_, err := decodeAs(k, []byte(tt.data))
			if !errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("decoding %s: %v; want an error wrapping ErrInvalid (%s)", tt.data, err, tt.reason)
			}
			var ie *ledger.InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("decoding %s: %T, want an *InvalidError", tt.data, err)
			}
			if ie.ID != tt.id {
				t.Errorf("id %q, want %q", ie.ID, tt.id)
			}
			if diff := cmp.Diff(tt.problems, ie.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// A journal lists the problems of every transaction, each as its own
// InvalidError, and refuses one the journal would refuse.
func TestJournalJSONErrors(t *testing.T) {
	var j ledger.Journal
	err := json.Unmarshal([]byte(`[{"id":"g1","extra":1},{"id":"g2","postings":{}}]`), &j)
	var ie *ledger.InvalidError
	if !errors.Is(err, ledger.ErrInvalid) || !errors.As(err, &ie) {
		t.Fatalf("got %v", err)
	}
	want := "ledger: invalid transaction \"g1\":\n\t[0]: unknown field \"extra\"; a transaction has the fields id, time, kind, bill, ref, note, postings, terms\n" +
		"ledger: invalid transaction \"g2\":\n\t[1].postings: found an object; want an array of postings"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}

	spend := spendTx("s1", at(1), acct("v"), "10")
	data, _ := json.Marshal([]ledger.Transaction{spend})
	err = json.Unmarshal(data, &j)
	if !errors.As(err, &ie) || ie.ID != "s1" || len(ie.Problems) != 1 {
		t.Errorf("an overdrawing stored spend: %v", err)
	}
	grant := ledger.Grant("g", t0, ledger.Terms{Account: acct("v")}, dec("5"), "")
	data, _ = json.Marshal([]ledger.Transaction{grant, grant})
	if err := json.Unmarshal(data, &j); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("a stored journal with one transaction twice: %v", err)
	}
	if j.Len() != 0 {
		t.Errorf("a failed decode changed the journal: %d transactions", j.Len())
	}
}

// A failed decode leaves the value as it was.
func TestJSONErrorLeavesValue(t *testing.T) {
	tx := spendTx("s1", at(1), acct("v"), "10")
	before := tx
	if err := json.Unmarshal([]byte(`{"id":"x","bad":1}`), &tx); err == nil || !tx.Equal(before) {
		t.Errorf("after a failed decode: %v, %+v", err, tx)
	}
}

// What this package wrote before strict decoding still reads the same: the
// transaction form (as pgstore stores it), and the forms encoding/json gave
// Posting, Terms and Entry before they had their own (Go field names,
// decimal amounts, zero times written out).
func TestJSONOldFormsDecode(t *testing.T) {
	tests := []struct {
		typ  string
		data string
		want any
	}{
		{"Transaction", `{"id":"t1","time":"2024-01-01T00:00:00Z","kind":"grant","bill":"b1","ref":"r0","note":"note",` +
			`"postings":[{"account":"issued:USD","amount":"-10.50","line":"l1","product":"ecs"},{"account":"instrument:USD:v","amount":"10.5"}],` +
			`"terms":[{"account":"instrument:USD:v","kind":"voucher","group":"g","overdraft":"5.00","expires":"2024-01-01T03:00:00Z","transferable":true}]}`,
			ledger.Transaction{ID: "t1", Time: t0, Kind: ledger.KindGrant, Bill: "b1", Ref: "r0", Note: "note",
				Postings: []ledger.Posting{{Account: sys(ledger.Issued), Amount: dec("-10.50"), Line: "l1", Product: "ecs"}, {Account: acct("v"), Amount: dec("10.5")}},
				Terms:    []ledger.Terms{{Account: acct("v"), Kind: "voucher", Group: "g", Overdraft: dec("5.00"), Expires: at(3), Transferable: true}}}},
		{"Transaction", `{"id":"g","time":"2024-01-01T00:00:00Z","kind":"grant","postings":[],"terms":[{"account":"instrument:USD:v"}]}`,
			ledger.Transaction{ID: "g", Time: t0, Kind: ledger.KindGrant, Terms: []ledger.Terms{{Account: acct("v")}}}},
		{"Posting", `{"Account":"instrument:USD:v","Amount":"10.5","Line":"l1","Product":""}`,
			ledger.Posting{Account: acct("v"), Amount: dec("10.5"), Line: "l1"}},
		{"Posting", `{"Account":"instrument:USD:v","Amount":10.5,"Line":"","Product":""}`,
			ledger.Posting{Account: acct("v"), Amount: dec("10.5")}},
		{"Terms", `{"Account":"instrument:USD:v","Kind":"","Group":"","Overdraft":"0","Expires":"0001-01-01T00:00:00Z","Transferable":false}`,
			ledger.Terms{Account: acct("v")}},
		{"Entry", `{"Seq":2,"ID":"s1","Time":"2024-01-01T01:00:00Z","Kind":"spend","Bill":"","Ref":"","Note":"",` +
			`"Account":"instrument:USD:v","Amount":"-3","Line":"","Product":"ecs","Balance":"7"}`,
			ledger.Entry{Seq: 2, ID: "s1", Time: at(1), Kind: ledger.KindSpend, Account: acct("v"), Amount: dec("-3"), Product: "ecs", Balance: dec("7")}},
		{"Account", `"revenue:USD"`, sys(ledger.Revenue)},
		{"Account", `""`, ledger.Account{}},
	}
	for i, tt := range tests {
		k := slices.IndexFunc(jsonTypes, func(x struct {
			name string
			zero func() any
		}) bool {
			return x.name == tt.typ
		})
		got, err := decodeAs(k, []byte(tt.data))
		if err != nil {
			t.Errorf("%d: decoding %s: %v", i, tt.data, err)
			continue
		}
		if !equalJSONValues(tt.want, got) {
			t.Errorf("%d: decoding %s: got %+v, want %+v", i, tt.data, got, tt.want)
		}
	}
}

// The encoded forms of a posting, terms and an entry on their own.
func TestJSONForms(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{ledger.Posting{Account: acct("v"), Amount: dec("-10.50"), Product: "ecs"},
			`{"account":"instrument:USD:v","amount":"-10.50","product":"ecs"}`},
		{ledger.Terms{Account: acct("v"), Overdraft: dec("5"), Transferable: true},
			`{"account":"instrument:USD:v","overdraft":"5","transferable":true}`},
		{ledger.Entry{Seq: 1, ID: "s1", Time: t0, Kind: ledger.KindSpend, Account: acct("v"), Amount: dec("-3.0"), Balance: dec("7")},
			`{"seq":1,"id":"s1","time":"2024-01-01T00:00:00Z","kind":"spend","account":"instrument:USD:v","amount":"-3.0","balance":"7"}`},
		{ledger.Journal{}, `[]`},
	} {
		data, err := json.Marshal(tt.v)
		if err != nil || string(data) != tt.want {
			t.Errorf("%T: %s, %v; want %s", tt.v, data, err, tt.want)
		}
	}
}

// genAmount draws an amount with up to 4 decimals, possibly negative.
func genAmount(t *rapid.T, label string) decimal.Decimal {
	return decimal.New(rapid.Int64Range(-1_000_000_000, 1_000_000_000).Draw(t, label), -int32(rapid.IntRange(0, 4).Draw(t, label+" places")))
}

// genTime draws an instant, with nanoseconds, in one of a few zones.
func genTime(t *rapid.T, label string) time.Time {
	zones := []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800), time.FixedZone("Y", -7*3600)}
	sec := rapid.Int64Range(-62135596800+86400, 253402300799-86400).Draw(t, label)
	return time.Unix(sec, rapid.Int64Range(0, 999_999_999).Draw(t, label+" ns")).In(rapid.SampledFrom(zones).Draw(t, label+" zone"))
}

// genAccount draws an account, possibly the zero one.
func genAccount(t *rapid.T, label string) ledger.Account {
	cur := rapid.SampledFrom([]string{"USD", "CNY", "KRW"}).Draw(t, label+" currency")
	switch rapid.IntRange(0, 2).Draw(t, label) {
	case 0:
		return ledger.InstrumentAccount(rapid.StringMatching(`[a-z0-9:@_-]{1,12}`).Draw(t, label+" id"), cur)
	case 1:
		s := rapid.SampledFrom([]ledger.System{ledger.Issued, ledger.Revenue, ledger.Expired, ledger.Refunded, ledger.Receivable}).Draw(t, label+" system")
		return ledger.SystemAccount(s, cur)
	}
	return ledger.Account{}
}

func genString(t *rapid.T, label string) string { return rapid.String().Draw(t, label) }

func genPosting(t *rapid.T) ledger.Posting {
	return ledger.Posting{Account: genAccount(t, "account"), Amount: genAmount(t, "amount"),
		Line: genString(t, "line"), Product: genString(t, "product")}
}

func genTerms(t *rapid.T) ledger.Terms {
	tm := ledger.Terms{Account: genAccount(t, "terms account"), Kind: genString(t, "kind"), Group: genString(t, "group"),
		Transferable: rapid.Bool().Draw(t, "transferable")}
	if rapid.Bool().Draw(t, "has overdraft") {
		tm.Overdraft = genAmount(t, "overdraft")
	}
	if rapid.Bool().Draw(t, "has expiry") {
		tm.Expires = genTime(t, "expires")
	}
	return tm
}

func genTransaction(t *rapid.T) ledger.Transaction {
	tx := ledger.Transaction{ID: genString(t, "id"), Time: genTime(t, "time"),
		Kind: ledger.Kind(rapid.SampledFrom([]string{"grant", "spend", "reverse", "whatever", ""}).Draw(t, "kind")),
		Bill: genString(t, "bill"), Ref: genString(t, "ref"), Note: genString(t, "note")}
	for range rapid.IntRange(0, 4).Draw(t, "postings") {
		tx.Postings = append(tx.Postings, genPosting(t))
	}
	for range rapid.IntRange(0, 2).Draw(t, "terms") {
		tx.Terms = append(tx.Terms, genTerms(t))
	}
	return tx
}

func genEntry(t *rapid.T) ledger.Entry {
	return ledger.Entry{Seq: rapid.IntRange(0, 1<<40).Draw(t, "seq"), ID: genString(t, "id"), Time: genTime(t, "time"),
		Kind: ledger.Kind(genString(t, "kind")), Bill: genString(t, "bill"), Ref: genString(t, "ref"), Note: genString(t, "note"),
		Account: genAccount(t, "account"), Amount: genAmount(t, "amount"), Line: genString(t, "line"),
		Product: genString(t, "product"), Balance: genAmount(t, "balance")}
}

// genJournal draws a valid journal: grants onto a few instruments, spends
// and reversals of them.
func genJournal(t *rapid.T) ledger.Journal {
	var j ledger.Journal
	for i := range rapid.IntRange(0, 8).Draw(t, "transactions") {
		a := ledger.InstrumentAccount(rapid.SampledFrom([]string{"v1", "c1", "card"}).Draw(t, "instrument"), "USD")
		when := genTime(t, "when")
		var tx ledger.Transaction
		switch rapid.IntRange(0, 2).Draw(t, "op") {
		case 0:
			tx = ledger.Grant(fmt.Sprint("g", i), when, genValidTerms(t, a), decimal.New(rapid.Int64Range(1, 10000).Draw(t, "grant"), -2), genString(t, "note"))
		case 1:
			b := j.Balance(a)
			if !b.IsPositive() {
				continue
			}
			tx = spendTx(fmt.Sprint("s", i), when, a, b.StringFixed(2))
		default:
			tx, _ = ledger.Expire(j, when)
		}
		if next, _, err := j.Apply(tx); err == nil {
			j = next
		}
	}
	return j
}

func genValidTerms(t *rapid.T, a ledger.Account) ledger.Terms {
	tm := ledger.Terms{Account: a, Kind: rapid.SampledFrom([]string{"voucher", "free_credit", ""}).Draw(t, "terms kind"),
		Transferable: rapid.Bool().Draw(t, "transferable")}
	if rapid.Bool().Draw(t, "has expiry") {
		tm.Expires = genTime(t, "expires")
	}
	return tm
}

// Every ledger JSON type round-trips: marshal, unmarshal, equal content;
// marshalling the result again writes the same bytes.
func TestJSONRoundTrip(t *testing.T) {
	gens := map[string]func(*rapid.T) any{
		"Transaction": func(t *rapid.T) any { return genTransaction(t) },
		"Posting":     func(t *rapid.T) any { return genPosting(t) },
		"Terms":       func(t *rapid.T) any { return genTerms(t) },
		"Entry":       func(t *rapid.T) any { return genEntry(t) },
		"Account":     func(t *rapid.T) any { return genAccount(t, "account") },
		"Journal":     func(t *rapid.T) any { return genJournal(t) },
	}
	for k, typ := range jsonTypes {
		t.Run(typ.name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				v := gens[typ.name](t)
				data, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				back, err := decodeAs(k, data)
				if err != nil {
					t.Fatalf("decoding %s: %v", data, err)
				}
				if !equalJSONValues(v, back) {
					t.Fatalf("round trip of %s:\n%s", data, cmp.Diff(v, back, cmp.Comparer(func(x, y decimal.Decimal) bool { return x.Equal(y) })))
				}
				again, _ := json.Marshal(back)
				if string(again) != string(data) {
					t.Fatalf("encoded again differently:\n%s\n%s", data, again)
				}
			})
		})
	}
}

// FuzzJSON decodes any bytes as each ledger JSON type. Decoding never
// panics; it fails with a JSON syntax error or an error wrapping
// ErrInvalid; and what it accepts encodes and decodes back to the same
// content, and encodes again to the same bytes.
func FuzzJSON(f *testing.F) {
	seeds := []string{
		// Transaction
		`{"id":"t1","time":"2024-01-01T00:00:00Z","kind":"grant","postings":[{"account":"issued:USD","amount":"-10.50"},{"account":"instrument:USD:v","amount":"10.5"}],"terms":[{"account":"instrument:USD:v","overdraft":"5","expires":"2024-01-01T03:00:00Z","transferable":true}]}`,
		`{"id":"t1","postings":[{"account":"instrument:USD:v","ammount":"1"}]}`,
		`{"ID":"t1","Kind":"spend","kind":"grant"}`,
		// Posting, Terms, Entry, Account
		`{"account":"instrument:USD:a:b","amount":1e3,"line":"l1"}`,
		`{"account":"instrument:USD:v","overdraft":"12,50","expires":null}`,
		`{"seq":3,"id":"s","amount":"-1","balance":"1e-3"}`,
		`"revenue:KRW"`,
		// Journal
		`[{"id":"g","time":"2024-01-01T00:00:00Z","kind":"grant","postings":[{"account":"issued:USD","amount":"-1"},{"account":"instrument:USD:v","amount":"1"}]}]`,
		`[]`, `null`, `{}`, `[1,"x",{}]`,
	}
	for _, s := range seeds {
		for k := range jsonTypes {
			f.Add(uint8(k), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		n := int(k) % len(jsonTypes)
		v, err := decodeAs(n, data)
		if err != nil {
			var se *json.SyntaxError
			if !errors.Is(err, ledger.ErrInvalid) && !errors.As(err, &se) {
				t.Fatalf("decoding %q as %s: %v (%T): neither ErrInvalid nor a syntax error", data, jsonTypes[n].name, err, err)
			}
			return
		}
		enc, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("encoding what %q decoded to: %v", data, err)
		}
		back, err := decodeAs(n, enc)
		if err != nil {
			t.Fatalf("decoding %s (from %q): %v", enc, data, err)
		}
		if !equalJSONValues(v, back) {
			t.Fatalf("%s: %q decoded to %+v, its encoding %s to %+v", jsonTypes[n].name, data, v, enc, back)
		}
		if again, _ := json.Marshal(back); string(again) != string(enc) {
			t.Fatalf("encoded again differently:\n%s\n%s", enc, again)
		}
	})
}

// Decoding reports every problem of a stored transaction at once, each
// with its JSON path, in an error wrapping ErrInvalid.
func ExampleTransaction_UnmarshalJSON() {
	var tx ledger.Transaction
	err := json.Unmarshal([]byte(`{"id":"spend:b1","time":"2024-03-01T09:00:00Z","kind":"spend","postings":[
		{"account":"instrument:USD:v1","amount":"-12,50","lin":"l1"},
		{"account":"revenue:USD","ammount":"12.50"}]}`), &tx)
	fmt.Println(errors.Is(err, ledger.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// ledger: invalid transaction "spend:b1":
	// 	postings[0]: unknown field "lin"; a posting has the fields account, amount, line, product
	// 	postings[0].amount: "-12,50" is not a decimal amount; write -12.50
	// 	postings[1]: unknown field "ammount"; a posting has the fields account, amount, line, product
}

// BenchmarkTransactionUnmarshalJSON decodes a spend of 18 postings, the
// size of a 5-line, 5-instrument bill, as a Store reading it back does.
func BenchmarkTransactionUnmarshalJSON(b *testing.B) {
	tx := ledger.Transaction{ID: "spend:b1", Time: t0, Kind: ledger.KindSpend, Bill: "b1"}
	for i := range 18 {
		tx.Postings = append(tx.Postings, ledger.Posting{Account: acct(fmt.Sprint("inst-", i)), Amount: dec("-12.34"), Line: "line-1", Product: "ecs"})
	}
	data, _ := json.Marshal(tx)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var back ledger.Transaction
		if err := json.Unmarshal(data, &back); err != nil {
			b.Fatal(err)
		}
	}
}
