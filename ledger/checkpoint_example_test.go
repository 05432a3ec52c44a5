package ledger_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// A store keeps a checkpoint every so many transactions and, cold, resumes
// the journal from the newest one and the transactions after it. What
// needs an older transaction the journal asks for by id, and the store
// recalls it.
func ExampleResume() {
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	cash := ledger.InstrumentAccount("cash", "USD")
	spend := func(id string, amount int64) ledger.Transaction {
		return ledger.Transaction{ID: id, Time: at, Kind: ledger.KindSpend, Postings: []ledger.Posting{
			{Account: cash, Amount: decimal.New(-amount, 0)},
			{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: decimal.New(amount, 0)}}}
	}
	stored := []ledger.Transaction{
		ledger.Grant("grant", at, ledger.Terms{Account: cash, Kind: "cash"}, decimal.New(100, 0), ""),
		spend("bill-1", 30),
		spend("bill-2", 20),
	}
	old, _, _, _ := ledger.Journal{}.ApplyAll(stored[:2])
	data, _ := json.Marshal(old.Checkpoint()) // kept by the store with the second transaction

	var cp ledger.Checkpoint
	if err := json.Unmarshal(data, &cp); err != nil {
		panic(err)
	}
	j, _ := ledger.Resume(cp, stored[2:])
	fmt.Println("resumed at", j.Base(), "of", j.Len(), "- cash", j.Balance(cash))

	// A refund of bill-1, stored before the checkpoint.
	_, err := ledger.Reverse(j, "refund-1", at, "bill-1", decimal.New(10, 0), "")
	var ce *ledger.CheckpointError
	if errors.As(err, &ce) {
		fmt.Println("needs", ce.Need)
		var past []ledger.Past // what the store reads by id and by ref
		for seq, tx := range stored[:cp.Len()] {
			if slices.Contains(ce.Need, tx.ID) || slices.Contains(ce.Need, tx.Ref) {
				past = append(past, ledger.Past{Seq: seq, Transaction: tx})
			}
		}
		j, _ = j.Recall(ce.Need, past)
	}
	tx, err := ledger.Reverse(j, "refund-1", at, "bill-1", decimal.New(10, 0), "")
	if err != nil {
		panic(err)
	}
	_, r, err := j.Apply(tx)
	if errors.As(err, &ce) { // is refund-1 new? the store looks it up: absent
		j, _ = j.Recall(ce.Need, nil)
		j, r, err = j.Apply(tx)
	}
	fmt.Println("refund at", r.Seq, err, "- cash", j.Balance(cash), "- bill-1 reversible", j.Reversible("bill-1"))
	// Output:
	// resumed at 2 of 3 - cash 50
	// needs [bill-1]
	// refund at 3 <nil> - cash 60 - bill-1 reversible 20
}
