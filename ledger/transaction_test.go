package ledger_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
)

// valid returns a well-formed transaction for the validation table to
// break, one defect per row.
func valid() ledger.Transaction {
	return ledger.Transaction{ID: "t1", Time: t0, Kind: ledger.KindGrant, Postings: []ledger.Posting{
		{Account: sys(ledger.Issued), Amount: dec("-10")},
		{Account: acct("v"), Amount: dec("10")},
	}, Terms: []ledger.Terms{{Account: acct("v"), Overdraft: dec("5")}}}
}

func TestValidate(t *testing.T) {
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid transaction: %v", err)
	}
	rows := []struct {
		name     string
		break_   func(tx *ledger.Transaction)
		problems int
	}{
		{"missing_id", func(tx *ledger.Transaction) { tx.ID = "" }, 1},
		{"missing_time", func(tx *ledger.Transaction) { tx.Time = time.Time{} }, 1},
		{"year_beyond_rfc_3339", func(tx *ledger.Transaction) { tx.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, 1},
		{"year_before_rfc_3339", func(tx *ledger.Transaction) { tx.Time = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }, 1},
		{"missing_kind", func(tx *ledger.Transaction) { tx.Kind = "" }, 1},
		{"unknown_kind", func(tx *ledger.Transaction) { tx.Kind = "bonus" }, 1},
		{"reverse_without_ref", func(tx *ledger.Transaction) { tx.Kind = ledger.KindReverse }, 1},
		{"ref_to_itself", func(tx *ledger.Transaction) { tx.Ref = tx.ID }, 1},
		{"zero_account", func(tx *ledger.Transaction) { tx.Postings = append(tx.Postings, ledger.Posting{Amount: dec("1")}) }, 1},
		{"zero_amount", func(tx *ledger.Transaction) { tx.Postings = append(tx.Postings, ledger.Posting{Account: acct("v")}) }, 1},
		{"unbalanced", func(tx *ledger.Transaction) { tx.Postings[0].Amount = dec("-9.99") }, 1},
		{"unbalanced_in_two_currencies", func(tx *ledger.Transaction) {
			tx.Postings[0].Account = ledger.SystemAccount(ledger.Issued, "EUR")
		}, 2},
		{"transfer_touching_a_system_account", func(tx *ledger.Transaction) { tx.Kind = ledger.KindTransfer }, 1},
		{"terms_for_a_system_account", func(tx *ledger.Transaction) { tx.Terms[0].Account = sys(ledger.Revenue) }, 1},
		{"terms_for_an_invalid_account", func(tx *ledger.Transaction) { tx.Terms[0].Account = ledger.Account{} }, 1},
		{"negative_overdraft", func(tx *ledger.Transaction) { tx.Terms[0].Overdraft = dec("-0.01") }, 1},
		{"terms_twice", func(tx *ledger.Transaction) { tx.Terms = append(tx.Terms, tx.Terms[0], tx.Terms[0]) }, 2},
		{"everything", func(tx *ledger.Transaction) {
			*tx = ledger.Transaction{Kind: ledger.KindReverse, Postings: []ledger.Posting{{}}}
		}, 5}, // id, time, ref, account, amount
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			tx := valid()
			row.break_(&tx)
			err := tx.Validate()
			var ie *ledger.InvalidError
			if !errors.Is(err, ledger.ErrInvalid) || !errors.As(err, &ie) {
				t.Fatalf("Validate = %v, want an InvalidError", err)
			}
			if len(ie.Problems) != row.problems || ie.ID != tx.ID {
				t.Errorf("problems of %q: %q, want %d", ie.ID, ie.Problems, row.problems)
			}
			if !strings.HasPrefix(err.Error(), "ledger: invalid transaction") {
				t.Errorf("message %q", err)
			}
			// The journal refuses it the same way and stays empty.
			j, _, aerr := ledger.Journal{}.Apply(tx)
			if !errors.Is(aerr, ledger.ErrInvalid) || j.Len() != 0 {
				t.Errorf("Apply = %v, len %d", aerr, j.Len())
			}
		})
	}
}

func TestTransactionEqual(t *testing.T) {
	a := valid()
	b := valid()
	b.Time = t0.In(time.FixedZone("KST", 9*3600)) // the same instant
	b.Postings[1].Amount = dec("10.000")          // the same amount
	if !a.Equal(b) || !b.Equal(a) {
		t.Error("equal content compares unequal")
	}
	changes := []func(tx *ledger.Transaction){
		func(tx *ledger.Transaction) { tx.ID = "t2" },
		func(tx *ledger.Transaction) { tx.Time = tx.Time.Add(1) },
		func(tx *ledger.Transaction) { tx.Kind = ledger.KindDeposit },
		func(tx *ledger.Transaction) { tx.Bill = "b" },
		func(tx *ledger.Transaction) { tx.Ref = "r" },
		func(tx *ledger.Transaction) { tx.Note = "n" },
		func(tx *ledger.Transaction) { tx.Postings = tx.Postings[:1] },
		func(tx *ledger.Transaction) { tx.Postings[0].Account = sys(ledger.Revenue) },
		func(tx *ledger.Transaction) { tx.Postings[0].Amount = dec("-11") },
		func(tx *ledger.Transaction) { tx.Postings[0].Line = "l" },
		func(tx *ledger.Transaction) { tx.Postings[0].Product = "p" },
		func(tx *ledger.Transaction) { tx.Postings[0], tx.Postings[1] = tx.Postings[1], tx.Postings[0] },
		func(tx *ledger.Transaction) { tx.Terms = nil },
		func(tx *ledger.Transaction) { tx.Terms[0].Account = acct("w") },
		func(tx *ledger.Transaction) { tx.Terms[0].Kind = "k" },
		func(tx *ledger.Transaction) { tx.Terms[0].Group = "g" },
		func(tx *ledger.Transaction) { tx.Terms[0].Overdraft = dec("6") },
		func(tx *ledger.Transaction) { tx.Terms[0].Expires = t0 },
		func(tx *ledger.Transaction) { tx.Terms[0].Transferable = true },
	}
	for i, change := range changes {
		b := valid()
		change(&b)
		if a.Equal(b) || b.Equal(a) {
			t.Errorf("change %d: still equal", i)
		}
	}
}

func TestTransactionJSON(t *testing.T) {
	tx := valid()
	tx.Bill, tx.Ref, tx.Note = "b1", "r0", "note"
	tx.Postings[0].Line, tx.Postings[0].Product = "l1", "ecs"
	tx.Postings[0].Amount, tx.Postings[1].Amount = dec("-10.50"), dec("10.5")
	tx.Terms[0] = ledger.Terms{Account: acct("v"), Kind: "voucher", Group: "g", Overdraft: dec("5.00"), Expires: at(3), Transferable: true}
	data, err := json.Marshal(tx)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"t1","time":"2024-01-01T00:00:00Z","kind":"grant","bill":"b1","ref":"r0","note":"note",` +
		`"postings":[{"account":"issued:USD","amount":"-10.50","line":"l1","product":"ecs"},{"account":"instrument:USD:v","amount":"10.5"}],` +
		`"terms":[{"account":"instrument:USD:v","kind":"voucher","group":"g","overdraft":"5.00","expires":"2024-01-01T03:00:00Z","transferable":true}]}`
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	var back ledger.Transaction
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tx, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// Empty terms and overdraft are left out; postings are always there.
	data, _ = json.Marshal(ledger.Grant("g", t0, ledger.Terms{Account: acct("v")}, dec("0"), ""))
	if string(data) != `{"id":"g","time":"2024-01-01T00:00:00Z","kind":"grant","postings":[],"terms":[{"account":"instrument:USD:v"}]}` {
		t.Errorf("minimal JSON: %s", data)
	}
	for _, bad := range []string{
		`{"id":"t","extra":1}`,
		`{"id":"t","postings":[{"account":"instrument:USD:v","amount":"x"}]}`,
		`{"id":"t","postings":[{"account":"bonus:USD","amount":"1"}]}`,
		`{"id":"t","terms":[{"account":"instrument:USD:v","other":true}]}`,
	} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("decoding %s: no error", bad)
		}
	}
}
