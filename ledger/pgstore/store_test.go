package pgstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
)

// The contract of ledger.Store, as TestMemoryStore in the ledger package
// checks it for the memory store, plus what the tables hold after each
// step: a rejected batch leaves no row behind.
func TestStore(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(db, pgstore.Options{Schema: testSchema})
	c1, c2 := newStream("store"), newStream("store")
	if j, err := s.Load(ctx, c1); err != nil || j.Len() != 0 {
		t.Fatalf("Load of an unknown stream: %d, %v", j.Len(), err)
	}
	g := ledger.Grant("g1", t0, ledger.Terms{Account: acct("v")}, dec("10"), "")
	if v, err := s.Append(ctx, c1, 0, []ledger.Transaction{g, g}); err != nil || v != 1 {
		t.Fatalf("Append = %d, %v (a replay in the batch is a no-op)", v, err)
	}
	_, err := s.Append(ctx, c1, 0, []ledger.Transaction{spendTx("s1", at(1), acct("v"), "1")})
	var ve *ledger.VersionError
	if !errors.As(err, &ve) || ve.Stream != c1 || ve.Expected != 0 || ve.Actual != 1 || !errors.Is(err, ledger.ErrVersion) {
		t.Fatalf("stale Append = %v", err)
	}
	// A rejected transaction stores nothing of its batch.
	v, err := s.Append(ctx, c1, 1, []ledger.Transaction{spendTx("s1", at(1), acct("v"), "1"), spendTx("s2", at(1), acct("v"), "10")})
	if !errors.Is(err, ledger.ErrInsufficient) || v != 1 {
		t.Fatalf("Append of an overspend = %d, %v", v, err)
	}
	j, err := s.Load(ctx, c1)
	if err != nil || j.Len() != 1 || !j.Balance(acct("v")).Equal(dec("10")) {
		t.Fatalf("after a rejected batch: len %d, balance %s, %v", j.Len(), j.Balance(acct("v")), err)
	}
	checkStored(t, c1, j)
	if j, _ := s.Load(ctx, c2); j.Len() != 0 {
		t.Fatal("streams are not separate")
	}

	// The same id: equal content is a replay (nothing stored), other
	// content a conflict.
	if v, err := s.Append(ctx, c1, 1, []ledger.Transaction{g}); err != nil || v != 1 {
		t.Fatalf("Append of a replay = %d, %v", v, err)
	}
	other := g
	other.Note = "other"
	if v, err := s.Append(ctx, c1, 1, []ledger.Transaction{other}); !errors.Is(err, ledger.ErrConflict) || v != 1 {
		t.Fatalf("Append of a conflicting id = %d, %v", v, err)
	}
	checkStored(t, c1, j)

	// An empty batch checks the version only.
	if v, err := s.Append(ctx, c1, 1, nil); err != nil || v != 1 {
		t.Fatalf("empty Append = %d, %v", v, err)
	}
	if v, err := s.Append(ctx, c1, 3, nil); !errors.Is(err, ledger.ErrVersion) || v != 1 {
		t.Fatalf("empty Append at the wrong version = %d, %v", v, err)
	}
	if v, err := s.Append(ctx, c2, 0, nil); err != nil || v != 0 {
		t.Fatalf("empty Append to an unknown stream = %d, %v", v, err)
	}

	// A stream is created by its first accepted transaction only.
	if _, err := s.Append(ctx, c2, 2, []ledger.Transaction{g}); !errors.Is(err, ledger.ErrVersion) {
		t.Fatalf("Append to an unknown stream at version 2: %v", err)
	}
	bad := g
	bad.Kind = "bonus"
	if _, err := s.Append(ctx, c2, 0, []ledger.Transaction{bad}); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("Append of an invalid transaction: %v", err)
	}
	if st := readStored(t, c2); st.version != -1 || st.txs != 0 {
		t.Fatalf("rejected appends to a new stream left %+v", st)
	}

	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Load(done, c1); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: %v", err)
	}
	if _, err := s.Append(done, c1, 1, []ledger.Transaction{spendTx("s1", at(1), acct("v"), "1")}); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context: %v", err)
	}
	if _, _, err := s.Update(done, c1, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a cancelled context: %v", err)
	}
	checkStored(t, c1, j)
}

// Everything a transaction holds comes back equal from the database,
// through a Store that keeps nothing in memory; the body column holds
// exactly the transaction's JSON encoding, and the postings rows its
// postings with exact amounts.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	stream := newStream("roundtrip")
	seoul := time.FixedZone("KST", 9*3600)
	free := ledger.Terms{Account: ledger.InstrumentAccount("free:1", "KRW"), Kind: "free_credit", Group: "a",
		Overdraft: dec("5.50"), Expires: time.Date(2025, 2, 28, 23, 59, 59, 999999999, seoul), Transferable: true}
	txs := []ledger.Transaction{
		ledger.Grant("grant é 1", time.Date(2024, 2, 29, 12, 0, 0, 123456789, seoul), free, dec("1000.000"), "gift ✓"),
		{ID: "spend:b1", Time: at(1), Kind: ledger.KindSpend, Bill: "b1", Note: "n", Postings: []ledger.Posting{
			{Account: free.Account, Amount: dec("-0.001"), Line: "l1", Product: "ecs"},
			{Account: ledger.SystemAccount(ledger.Revenue, "KRW"), Amount: dec("0.0010"), Line: "l1", Product: "ecs"},
		}},
		{ID: "rev", Time: at(2), Kind: ledger.KindReverse, Ref: "spend:b1", Bill: "b1", Postings: []ledger.Posting{
			{Account: free.Account, Amount: dec("0.001"), Line: "l1", Product: "ecs"},
			{Account: ledger.SystemAccount(ledger.Revenue, "KRW"), Amount: dec("-0.001"), Line: "l1", Product: "ecs"},
		}},
		{ID: "event", Time: at(3), Kind: ledger.KindGrant}, // no postings, no terms
	}
	if v, err := pgstore.New(db, pgstore.Options{Schema: testSchema}).Append(ctx, stream, 0, txs); err != nil || v != len(txs) {
		t.Fatalf("Append = %d, %v", v, err)
	}
	j, err := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1}).Load(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	for i, tx := range j.Transactions() {
		if !tx.Equal(txs[i]) {
			t.Errorf("transaction %d:\n got %+v\nwant %+v", i, tx, txs[i])
		}
		want, _ := json.Marshal(txs[i])
		var body string
		if err := db.QueryRow(ctx, `SELECT body::text FROM billfold_transactions WHERE stream = $1 AND position = $2`, stream, i).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			t.Errorf("body %d:\n got %s\nwant %s", i, body, want)
		}
	}
	var amounts []string
	rows, _ := db.Query(ctx, `SELECT amount::text FROM billfold_postings WHERE stream = $1 ORDER BY position, idx`, stream)
	var a string
	if _, err := pgx.ForEachRow(rows, []any{&a}, func() error { amounts = append(amounts, a); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{"-1000.000", "1000.000", "-0.001", "0.0010", "0.001", "-0.001"}
	if !slices.Equal(amounts, want) {
		t.Errorf("postings amounts %v, want %v", amounts, want)
	}
	checkStored(t, stream, j)
}

// Update holds the stream's lock from load to store: build sees the
// latest journal, its errors and Apply's are returned with nothing
// stored, and a build that only replays stores nothing.
func TestUpdate(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(db, pgstore.Options{Schema: testSchema})
	stream := newStream("update")
	g := ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("10"), "")
	build := func(txs ...ledger.Transaction) func(ledger.Journal) ([]ledger.Transaction, error) {
		return func(ledger.Journal) ([]ledger.Transaction, error) { return txs, nil }
	}

	// Nothing to add: no stream is created.
	if j, rs, err := s.Update(ctx, stream, build()); err != nil || j.Len() != 0 || len(rs) != 0 {
		t.Fatalf("empty Update = %d, %v, %v", j.Len(), rs, err)
	}
	if st := readStored(t, stream); st.version != -1 {
		t.Fatalf("an empty Update created the stream: %+v", st)
	}
	j, rs, err := s.Update(ctx, stream, build(g, spendTx("s1", at(1), acct("cash"), "4")))
	if err != nil || j.Len() != 2 || len(rs) != 2 || rs[1].Seq != 1 || rs[1].Replayed {
		t.Fatalf("Update = %d, %+v, %v", j.Len(), rs, err)
	}
	// Another Store appends: Update sees it.
	other := pgstore.New(db, pgstore.Options{Schema: testSchema})
	if _, err := other.Append(ctx, stream, 2, []ledger.Transaction{spendTx("s2", at(2), acct("cash"), "5")}); err != nil {
		t.Fatal(err)
	}
	j, rs, err = s.Update(ctx, stream, func(j ledger.Journal) ([]ledger.Transaction, error) {
		if !j.Balance(acct("cash")).Equal(dec("1")) {
			t.Errorf("build sees balance %s, want 1", j.Balance(acct("cash")))
		}
		return []ledger.Transaction{g, spendTx("s3", at(3), acct("cash"), "1")}, nil
	})
	if err != nil || j.Len() != 4 || !rs[0].Replayed || rs[1].Seq != 3 {
		t.Fatalf("Update after another store's append = %d, %+v, %v", j.Len(), rs, err)
	}
	// Replays only: nothing stored.
	if j, rs, err := s.Update(ctx, stream, build(g)); err != nil || j.Len() != 4 || !rs[0].Replayed {
		t.Fatalf("replaying Update = %d, %+v, %v", j.Len(), rs, err)
	}
	boom := errors.New("boom")
	if j, _, err := s.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) { return nil, boom }); err != boom || j.Len() != 4 {
		t.Fatalf("build error: %d, %v", j.Len(), err)
	}
	if j, _, err := s.Update(ctx, stream, build(spendTx("s4", at(4), acct("cash"), "0.5"), spendTx("s5", at(4), acct("cash"), "1"))); !errors.Is(err, ledger.ErrInsufficient) || j.Len() != 4 {
		t.Fatalf("overspending Update: %d, %v", j.Len(), err)
	}
	j, err = pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1}).Load(ctx, stream)
	if err != nil || j.Len() != 4 || !j.Balance(acct("cash")).IsZero() {
		t.Fatalf("after the updates: %d, %s, %v", j.Len(), j.Balance(acct("cash")), err)
	}
	checkStored(t, stream, j)
}

// A Store checks a journal it kept against the database before using it:
// when the rows it was read from are gone (here deleted behind its back,
// which the package documentation rules out) it reads the stream anew.
func TestStaleCache(t *testing.T) {
	ctx := context.Background()
	stream := newStream("stale")
	a, b := pgstore.New(db, pgstore.Options{Schema: testSchema}), pgstore.New(db, pgstore.Options{Schema: testSchema})
	g := func(id string) ledger.Transaction {
		return ledger.Grant(id, t0, ledger.Terms{Account: acct("cash")}, dec("1"), "")
	}
	if _, err := a.Append(ctx, stream, 0, []ledger.Transaction{g("a1"), g("a2")}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM billfold_transactions WHERE stream = $1`, `DELETE FROM billfold_streams WHERE stream = $1`} {
		if _, err := db.Exec(ctx, q, stream); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Append(ctx, stream, 0, []ledger.Transaction{g("b1"), g("b2"), g("b3")}); err != nil {
		t.Fatal(err)
	}
	j, err := a.Load(ctx, stream)
	if err != nil || j.Len() != 3 {
		t.Fatalf("Load after the rows changed: %d, %v", j.Len(), err)
	}
	if _, ok := j.Transaction("b1"); !ok {
		t.Fatal("Load returned the kept journal")
	}
	// The same with the write path, which checks version and last id.
	if _, err := db.Exec(ctx, `UPDATE billfold_streams SET last = 'x' WHERE stream = $1`, stream); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, stream, 3, []ledger.Transaction{g("a3")}); !errors.Is(err, pgstore.ErrCorrupt) {
		t.Fatalf("Append to a stream whose last id disagrees with its rows: %v", err)
	}
}

// Rows that do not make a journal are reported, not loaded.
func TestCorrupt(t *testing.T) {
	ctx := context.Background()
	s := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	insert := func(t *testing.T, stream string, pos int, id, body string) {
		t.Helper()
		if _, err := db.Exec(ctx, `INSERT INTO billfold_streams (stream, version) VALUES ($1, $2)
			ON CONFLICT (stream) DO UPDATE SET version = $2`, stream, pos+1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO billfold_transactions (stream, position, id, kind, time, body)
			VALUES ($1, $2, $3, 'grant', now(), $4)`, stream, pos, id, body); err != nil {
			t.Fatal(err)
		}
	}
	good, _ := json.Marshal(ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("1"), ""))
	overspend, _ := json.Marshal(spendTx("s", t0, acct("cash"), "2"))
	type row struct{ id, body string }
	for _, c := range []struct {
		name string
		rows []row // an empty id leaves a gap
	}{
		{"undecodable", []row{{"g", `{"id": "g", "color": "red"}`}}},
		{"id_differs", []row{{"h", string(good)}}},
		{"overdraws", []row{{"g", string(good)}, {"s", string(overspend)}}},
		{"invalid", []row{{"x", `{"id": "x", "time": "2024-01-01T00:00:00Z", "kind": "grant", "postings": [{"account": "instrument:USD:cash", "amount": "1"}]}`}}},
		{"position_gap", []row{{"g", string(good)}, {"", ""}, {"s", string(overspend)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stream := newStream("corrupt")
			for i, r := range c.rows {
				if r.id != "" {
					insert(t, stream, i, r.id, r.body)
				}
			}
			if _, err := s.Load(ctx, stream); !errors.Is(err, pgstore.ErrCorrupt) {
				t.Errorf("Load = %v, want ErrCorrupt", err)
			}
		})
	}
}
