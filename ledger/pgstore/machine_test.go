package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// The state machine below drives one stream through two caching Stores
// (two processes sharing the database) with random grants, spends,
// top-ups, transfers, reversals, expiries, deposits, refunds, batches,
// replays, conflicting reuses of ids, stale versions, malformed
// transactions and read-modify-writes, and the same calls through a
// ledger.MemoryStore, the reference. After every step each outcome (error
// class and version) must agree, every Store's journal (and that of a
// Store keeping nothing in memory) must equal the reference's
// transaction by transaction, and the tables must hold exactly those
// transactions with postings whose SQL sums are the journal's balances.

// spec is one instrument of the machine's customer.
type spec struct {
	id, cur, kind, group string
	overdraft            int64         // cents
	expires              time.Duration // after t0; 0: never
	transferable         bool
}

var specs = []spec{
	{id: "voucher", cur: "USD", kind: "voucher", expires: 10 * time.Hour},
	{id: "cash", cur: "USD", kind: "cash"},
	{id: "card", cur: "USD", kind: "prepaid_card", overdraft: 5000},
	{id: "free", cur: "USD", kind: "free_credit", group: "a", expires: 30 * time.Hour, transferable: true},
	{id: "paid", cur: "USD", kind: "paid_credit", group: "a"},
	{id: "won", cur: "KRW", kind: "cash"},
}

var products = []string{"ecs", "rds", ""}

func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

func (s spec) account() ledger.Account { return ledger.InstrumentAccount(s.id, s.cur) }

func (s spec) terms() ledger.Terms {
	t := ledger.Terms{Account: s.account(), Kind: s.kind, Group: s.group,
		Overdraft: cents(s.overdraft), Transferable: s.transferable}
	if s.expires > 0 {
		t.Expires = t0.Add(s.expires)
	}
	return t
}

func wallet() allocation.Wallet {
	var w allocation.Wallet
	for _, s := range specs {
		w = append(w, allocation.Instrument{ID: s.id, Kind: s.kind, Currency: s.cur, Group: s.group, Overdraft: cents(s.overdraft)})
	}
	return w
}

type machine struct {
	ctx    context.Context
	stream string
	stores []*pgstore.Store // each with its own cache
	cold   *pgstore.Store   // keeps nothing
	ref    *ledger.MemoryStore
	now    time.Time
	n      int // for fresh ids
}

func (m *machine) id(prefix string) string {
	m.n++
	return fmt.Sprintf("%s%d", prefix, m.n)
}

// journal is the reference journal.
func (m *machine) journal(t *rapid.T) ledger.Journal {
	j, err := m.ref.Load(m.ctx, m.stream)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func (m *machine) store(t *rapid.T) *pgstore.Store {
	return m.stores[rapid.IntRange(0, len(m.stores)-1).Draw(t, "store")]
}

// appendAt appends txs at version expected to a Store and to the
// reference: both must give the same version and error.
func (m *machine) appendAt(t *rapid.T, expected int, txs ...ledger.Transaction) error {
	got, gerr := m.store(t).Append(m.ctx, m.stream, expected, txs)
	want, werr := m.ref.Append(m.ctx, m.stream, expected, txs)
	if errClass(gerr) != errClass(werr) || got != want {
		t.Fatalf("Append at %d of %d transactions: got %d, %v; the memory store %d, %v", expected, len(txs), got, gerr, want, werr)
	}
	var gve, wve *ledger.VersionError
	if errors.As(gerr, &gve) && (!errors.As(werr, &wve) || *gve != *wve) {
		t.Fatalf("version errors differ: %v, %v", gerr, werr)
	}
	return gerr
}

// appendNow appends txs at the current version.
func (m *machine) appendNow(t *rapid.T, txs ...ledger.Transaction) error {
	return m.appendAt(t, m.journal(t).Len(), txs...)
}

func (m *machine) tick(t *rapid.T) {
	m.now = m.now.Add(time.Duration(rapid.IntRange(0, 3).Draw(t, "hours")) * time.Hour)
}

func (m *machine) genGrant(t *rapid.T) ledger.Transaction {
	sp := rapid.SampledFrom(specs).Draw(t, "spec")
	return ledger.Grant(m.id("grant"), m.now, sp.terms(), cents(rapid.Int64Range(0, 20000).Draw(t, "amount")), "grant")
}

// genSpend books a random split of a random bill through FromSplit; it
// may overdraw.
func (m *machine) genSpend(t *rapid.T) ledger.Transaction {
	bill := allocation.Bill{ID: m.id("bill"), Currency: "USD", At: m.now}
	split := allocation.Split{Bill: bill.ID, Currency: "USD"}
	for i := range rapid.IntRange(1, 3).Draw(t, "lines") {
		l := allocation.Line{ID: fmt.Sprintf("l%d", i), Product: rapid.SampledFrom(products).Draw(t, "product")}
		bill.Lines = append(bill.Lines, l)
		split.Lines = append(split.Lines, allocation.LineResult{ID: l.ID,
			Outstanding: cents(rapid.Int64Range(0, 3000).Draw(t, "outstanding"))})
	}
	for range rapid.IntRange(0, 4).Draw(t, "allocations") {
		split.Allocations = append(split.Allocations, allocation.Allocation{
			Instrument: rapid.SampledFrom(specs[:5]).Draw(t, "instrument").id, // USD ones
			Line:       rapid.SampledFrom(bill.Lines).Draw(t, "line").ID,
			Amount:     cents(rapid.Int64Range(0, 8000).Draw(t, "amount")),
		})
	}
	tx, err := ledger.FromSplit(bill, wallet(), split, ledger.SpendOptions{Note: "n", Receivable: rapid.Bool().Draw(t, "receivable")})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func (m *machine) grant(t *rapid.T) { m.appendNow(t, m.genGrant(t)) }

func (m *machine) spend(t *rapid.T) { m.appendNow(t, m.genSpend(t)) }

func (m *machine) depositRefund(t *rapid.T) {
	prepay := ledger.InstrumentAccount("prepay", "USD")
	amount := cents(rapid.Int64Range(1, 20000).Draw(t, "amount"))
	if rapid.Bool().Draw(t, "deposit") {
		m.appendNow(t, ledger.Deposit(m.id("dep"), m.now, prepay, amount, rapid.SampledFrom(products).Draw(t, "product"), "by bank transfer"))
	} else {
		m.appendNow(t, ledger.Refund(m.id("refund"), m.now, prepay, amount, "remaining balance"))
	}
}

func (m *machine) topUp(t *rapid.T) {
	to := rapid.SampledFrom(specs).Draw(t, "target").account()
	tx, err := ledger.TopUp(m.journal(t), m.id("top"), m.now, to, cents(rapid.Int64Range(1, 30000).Draw(t, "amount")), "alipay")
	if err != nil {
		t.Fatal(err)
	}
	m.appendNow(t, tx)
}

func (m *machine) transfer(t *rapid.T) {
	from := rapid.SampledFrom(specs).Draw(t, "from")
	to := ledger.InstrumentAccount(m.id("xfer"), from.cur)
	amount := cents(rapid.Int64Range(1, 10000).Draw(t, "amount"))
	tx, err := ledger.Transfer(m.journal(t), m.id("tr"), m.now, from.account(), to, from.group+"+", amount, "")
	if err != nil {
		// Refused by the helper: built by hand, the Stores refuse it too.
		tx = ledger.Transaction{ID: m.id("badtr"), Time: m.now, Kind: ledger.KindTransfer, Postings: []ledger.Posting{
			{Account: from.account(), Amount: amount.Neg()}, {Account: to, Amount: amount}}}
		if m.appendNow(t, tx) == nil && !errors.Is(err, ledger.ErrInvalid) {
			t.Fatalf("Transfer refused with %v, the stores accepted it", err)
		}
		return
	}
	m.appendNow(t, tx)
}

func (m *machine) reverse(t *rapid.T) {
	j := m.journal(t)
	if j.Len() == 0 {
		t.Skip("nothing to reverse")
	}
	var ids []string
	for _, tx := range j.Transactions() {
		ids = append(ids, tx.ID)
	}
	ref := rapid.SampledFrom(ids).Draw(t, "ref")
	left := j.Reversible(ref)
	if !left.IsPositive() {
		t.Skip("not reversible")
	}
	amount := cents(rapid.Int64Range(1, left.Shift(2).IntPart()).Draw(t, "amount"))
	tx, err := ledger.Reverse(j, m.id("rev"), m.now, ref, amount, "refund")
	if err != nil {
		t.Fatalf("Reverse(%s, %s) of %s: %v", ref, amount, left, err)
	}
	m.appendNow(t, tx)
}

func (m *machine) expire(t *rapid.T) {
	m.tick(t)
	if tx, ok := ledger.Expire(m.journal(t), m.now); ok {
		m.appendNow(t, tx)
	}
}

// batch appends several transactions in one call, some of which may be
// rejected: all or nothing.
func (m *machine) batch(t *rapid.T) {
	var txs []ledger.Transaction
	for range rapid.IntRange(2, 4).Draw(t, "size") {
		if rapid.Bool().Draw(t, "grant") {
			txs = append(txs, m.genGrant(t))
		} else {
			txs = append(txs, m.genSpend(t))
		}
	}
	m.appendNow(t, txs...)
}

// accepted draws a transaction the reference holds.
func (m *machine) accepted(t *rapid.T) ledger.Transaction {
	j := m.journal(t)
	if j.Len() == 0 {
		t.Skip("nothing applied yet")
	}
	seq := rapid.IntRange(0, j.Len()-1).Draw(t, "seq")
	for i, tx := range j.Transactions() {
		if i == seq {
			return tx
		}
	}
	panic("unreachable")
}

// replay appends a transaction the stream holds: a no-op, alone or
// followed by a new one in the same batch.
func (m *machine) replay(t *rapid.T) {
	tx := m.accepted(t)
	if rapid.Bool().Draw(t, "alone") {
		m.appendNow(t, tx)
	} else {
		m.appendNow(t, tx, m.genGrant(t))
	}
}

// reuse appends other content under an id the stream holds: a conflict.
func (m *machine) reuse(t *rapid.T) {
	tx := m.accepted(t)
	tx.Note += " (changed)"
	if err := m.appendNow(t, tx); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("reusing %s: %v", tx.ID, err)
	}
}

// stale appends at a version the stream is not at.
func (m *machine) stale(t *rapid.T) {
	v := m.journal(t).Len()
	expected := rapid.IntRange(max(0, v-3), v+3).Filter(func(e int) bool { return e != v }).Draw(t, "expected")
	if err := m.appendAt(t, expected, m.genGrant(t)); !errors.Is(err, ledger.ErrVersion) {
		t.Fatalf("Append at %d of a stream at %d: %v", expected, v, err)
	}
}

func (m *machine) invalid(t *rapid.T) {
	tx := m.genGrant(t)
	switch rapid.IntRange(0, 2).Draw(t, "defect") {
	case 0:
		tx.Time = time.Time{}
	case 1:
		tx.Kind = "bonus"
	case 2:
		tx.Postings = append(tx.Postings, ledger.Posting{Account: acct("cash"), Amount: cents(1)})
	}
	if err := m.appendNow(t, tx); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("malformed transaction: %v", err)
	}
}

// update spends from the balance build sees, through Store.Update on one
// side and ledger.Update (optimistic, over a Store or the reference) on
// the other: the same journal must come out.
func (m *machine) update(t *rapid.T) {
	sp := rapid.SampledFrom(specs[:5]).Draw(t, "instrument")
	extra := rapid.Int64Range(-500, 500).Draw(t, "extra") // beyond the balance: may overdraw
	id := m.id("upd")
	build := func(j ledger.Journal) ([]ledger.Transaction, error) {
		amount := j.Balance(sp.account()).Add(cents(extra))
		if !amount.IsPositive() {
			return nil, nil
		}
		return []ledger.Transaction{spendTx(id, m.now, sp.account(), amount.StringFixed(2))}, nil
	}
	var (
		gj   ledger.Journal
		grs  []ledger.Result
		gerr error
	)
	if rapid.Bool().Draw(t, "locking") {
		gj, grs, gerr = m.store(t).Update(m.ctx, m.stream, build)
	} else {
		gj, grs, gerr = ledger.Update(m.ctx, m.store(t), m.stream, 3, build)
	}
	wj, wrs, werr := ledger.Update(m.ctx, m.ref, m.stream, 1, build)
	if errClass(gerr) != errClass(werr) || len(grs) != len(wrs) || (len(grs) > 0 && grs[0] != wrs[0]) {
		t.Fatalf("Update: got %+v, %v; the memory store %+v, %v", grs, gerr, wrs, werr)
	}
	sameJournal(t, "Update's journal", gj, wj)
}

// load loads the stream through a caching Store, which then keeps it.
func (m *machine) load(t *rapid.T) {
	j, err := m.store(t).Load(m.ctx, m.stream)
	if err != nil {
		t.Fatal(err)
	}
	sameJournal(t, "Load", j, m.journal(t))
}

// check compares the journal of a Store keeping nothing, and the tables,
// with the reference. (Loading through the caching Stores here would
// bring their caches up to date before every step.)
func (m *machine) check(t *rapid.T) {
	want := m.journal(t)
	j, err := m.cold.Load(m.ctx, m.stream)
	if err != nil {
		t.Fatal(err)
	}
	sameJournal(t, "Load", j, want)
	checkStored(t, m.stream, want)
	// Floors hold (the reference might be wrong too).
	for _, a := range want.Accounts() {
		if tm, _ := want.Terms(a); a.IsInstrument() && want.Balance(a).LessThan(tm.Overdraft.Neg()) {
			t.Fatalf("%s at %s is below its floor -%s", a, want.Balance(a), tm.Overdraft)
		}
	}
}

func TestMachine(t *testing.T) {
	ctx := context.Background()
	stores := []*pgstore.Store{pgstore.New(db, pgstore.Options{Schema: testSchema}), pgstore.New(db, pgstore.Options{Schema: testSchema})}
	cold := pgstore.New(db, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	rapid.Check(t, func(t *rapid.T) {
		m := &machine{ctx: ctx, stream: newStream("machine"), stores: stores, cold: cold,
			ref: &ledger.MemoryStore{}, now: t0}
		t.Repeat(map[string]func(*rapid.T){
			"grant":         m.grant,
			"spend":         m.spend,
			"depositRefund": m.depositRefund,
			"topUp":         m.topUp,
			"transfer":      m.transfer,
			"reverse":       m.reverse,
			"expire":        m.expire,
			"batch":         m.batch,
			"replay":        m.replay,
			"reuse":         m.reuse,
			"stale":         m.stale,
			"invalid":       m.invalid,
			"update":        m.update,
			"load":          m.load,
			"":              m.check,
		})
	})
}
