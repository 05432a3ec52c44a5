//go:build unix

package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

var (
	update   = flag.Bool("update", false, "rewrite testdata/totals.golden from the uninterrupted run's totals")
	killSeed = flag.Uint64("killseed", 0, "seed of the moments the run is killed at; 0 takes one from the clock (logged)")
)

// built is the command, built once per test binary (buildCommand) and
// removed by TestMain.
var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// The run of the tests: small enough for CI, with a few rejected bills.
const customers = 400

var runArgs = []string{"-customers", strconv.Itoa(customers), "-seed", "7", "-month", "2026-11", "-workers", "4"}

// TestExactlyOnceUnderKill runs the month-end four ways, each in a schema
// of its own, and checks that they leave the same books:
//
//   - A: one uninterrupted run (the reference), then the same run again,
//     which must book nothing (every bill replayed, the same rejections)
//     and print the same totals;
//   - B: the run killed with SIGKILL at random moments (three times),
//     then run again to its end;
//   - C: two processes at once, -parts 2, -part 0 and -part 1.
//
// Last, A books the next month: all its bills are new, and the first
// month's totals stay as they were.
//
// The same books means: the same month totals (summed in SQL), the same
// transactions on every stream (ids, positions and stored bodies), and
// the same balance of every account of every stream. A's totals are also
// checked against testdata/totals.golden, so that the generator and the
// policy stay what they were. The kill moments (a count of bills done,
// read from the progress bar, plus up to 20 ms) come from -killseed, or
// from the clock; the seed is logged so a failure can be replayed.
func TestExactlyOnceUnderKill(t *testing.T) {
	url := databaseURL(t)
	bin := buildCommand(t)
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	schema := func(name string) string {
		s := fmt.Sprintf("billrun_test_%s_%d_%d", name, os.Getpid(), rand.Uint32())
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+s); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(context.Background(), "DROP SCHEMA "+s+" CASCADE") })
		return s
	}
	month := "2026-11"

	// A: the reference, and its rerun.
	a := schema("a")
	outA := runToEnd(t, bin, url, a)
	first := parseReport(t, outA)
	if first.booked+first.rejected != customers || first.replayed != 0 || first.rejected == 0 {
		t.Fatalf("first run: %+v; want %d bills booked or rejected, some rejected, none replayed:\n%s", first, customers, outA)
	}
	totalsA := totalsOf(t, admin, a, month)
	if byStream, err := monthTotalsByStream(ctx, admin, a, month); err != nil || byStream.String() != totalsA.String() {
		t.Fatalf("totals with each stream's own kinds: %v\n%s\nwant those summed by account:\n%s", err, byStream, totalsA)
	}
	checkGolden(t, totalsA.String())
	if !strings.HasSuffix(outA, totalsA.String()) {
		t.Fatalf("the run printed totals other than the journals':\n%s\nwant them to end with:\n%s", outA, totalsA)
	}
	booksA := booksOf(t, admin, a)
	again := runToEnd(t, bin, url, a)
	if r := parseReport(t, again); r.booked != 0 || r.replayed != first.booked || r.rejected != first.rejected || r.reasons != first.reasons {
		t.Fatalf("rerun: %+v; want nothing booked, the %d bills replayed and the same rejections as the first run (%+v):\n%s", r, first.booked, first, again)
	}
	if !strings.HasSuffix(again, totalsA.String()) {
		t.Fatalf("the rerun printed other totals:\n%s\nwant:\n%s", again, totalsA)
	}
	sameBooks(t, "A after a rerun", booksOf(t, admin, a), booksA)
	defer func() { // after B and C, which compare with booksA
		next := runToEnd(t, bin, url, a, "-month", "2026-12")
		r := parseReport(t, next)
		if r.booked == 0 || r.replayed != 0 || r.booked+r.rejected != customers {
			t.Fatalf("the next month: %+v; want its %d bills booked or rejected, none replayed:\n%s", r, customers, next)
		}
		if got := totalsOf(t, admin, a, month); got.String() != totalsA.String() {
			t.Fatalf("after the next month, %s's totals:\n%s\nwant them unchanged:\n%s", month, got, totalsA)
		}
		checkKindPerStream(t, admin, a, month, totalsA)
	}()

	// B: killed at random moments, then run to the end.
	b := schema("b")
	seed := *killSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("kill moments from seed %d (replay with -killseed %d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for k := range 3 {
		// The moment: once the progress bar shows at least target bills
		// done (0: as soon as the process starts, in its migration or
		// opening grants), plus up to 20 ms.
		target, jitter := rng.IntN(customers), time.Duration(rng.Int64N(int64(20*time.Millisecond)))
		p := start(t, bin, url, b)
		for p.done() < target && !p.ended() {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(jitter)
		if p.ended() {
			t.Logf("kill %d: the run ended before %d bills and %v", k, target, jitter)
			continue
		}
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait()
		t.Logf("kill %d: after %d bills and %v; its progress bar showed %d", k, target, jitter, p.done())
	}
	outB := runToEnd(t, bin, url, b)
	t.Logf("the run after the kills: %s", strings.SplitN(outB, "\n", 2)[0])
	if r := parseReport(t, outB); r.booked+r.replayed != first.booked || r.rejected != first.rejected || r.reasons != first.reasons {
		t.Fatalf("run after the kills: %+v; want %d bills booked or replayed and the rejections of A (%+v):\n%s", r, first.booked, first, outB)
	}
	if got := totalsOf(t, admin, b, month); got.String() != totalsA.String() {
		t.Fatalf("after kills, totals:\n%s\nwant A's:\n%s", got, totalsA)
	}
	sameBooks(t, "B (killed) against A", booksOf(t, admin, b), booksA)

	// C: two parts at once.
	c := schema("c")
	type ended struct {
		out string
		err error
	}
	results := make(chan ended, 2)
	for part := range 2 {
		go func() {
			out, err := command(t, bin, url, c, "-parts", "2", "-part", strconv.Itoa(part)).Output()
			results <- ended{string(out), err}
		}()
	}
	var sum report
	parts := []ended{<-results, <-results}
	for _, e := range parts {
		if e.err != nil {
			t.Fatalf("a part failed: %v\n%s", e.err, stderrOf(e.err))
		}
		r := parseReport(t, e.out)
		sum.booked += r.booked
		sum.replayed += r.replayed
		sum.rejected += r.rejected
	}
	if sum.booked != first.booked || sum.replayed != 0 || sum.rejected != first.rejected {
		t.Fatalf("two parts together: %+v; want A's %+v", sum, first)
	}
	if got := totalsOf(t, admin, c, month); got.String() != totalsA.String() {
		t.Fatalf("two parts, totals:\n%s\nwant A's:\n%s", got, totalsA)
	}
	sameBooks(t, "C (two parts) against A", booksOf(t, admin, c), booksA)
}

// TestNeedsDatabaseURL: without DATABASE_URL the command says what to
// set and exits with status 2.
func TestNeedsDatabaseURL(t *testing.T) {
	cmd := exec.Command(buildCommand(t))
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "DATABASE_URL=") })
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), "set DATABASE_URL") {
		t.Fatalf("exit status %d (%v), stderr %q; want status 2 and a message naming DATABASE_URL", code, err, stderr.String())
	}
}

// buildCommand builds the command once per test binary, into a
// temporary directory, and returns its path.
func buildCommand(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "billrun-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		built.path = filepath.Join(dir, "billrun")
		out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// command returns the command running the month-end of runArgs in schema,
// plus args. It is killed when the test ends, if it still runs.
func command(t *testing.T, bin, url, schema string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(t.Context(), bin, append(append(slices.Clone(runArgs), "-schema", schema), args...)...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	return cmd
}

// A process is a run of the month-end started by start.
type process struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr []byte
	exited chan struct{}
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stderr = append(p.stderr, b...)
	return len(b), nil
}

var progressDone = regexp.MustCompile(`\] (\d+)/\d+ bills`)

// done returns how many bills the process's progress bar last showed as
// done or failed.
func (p *process) done() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	ms := progressDone.FindAllSubmatch(p.stderr, -1)
	if len(ms) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(string(ms[len(ms)-1][1]))
	return n
}

// ended reports whether the process has ended.
func (p *process) ended() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

func (p *process) wait() { <-p.exited }

// start starts the month-end in schema. The process is killed when the
// test ends, if it still runs.
func start(t *testing.T, bin, url, schema string) *process {
	t.Helper()
	p := &process{cmd: command(t, bin, url, schema), exited: make(chan struct{})}
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.wait()
	})
	return p
}

// runToEnd runs the month-end in schema, with args, to its end and
// returns what it printed on stdout.
func runToEnd(t *testing.T, bin, url, schema string, args ...string) string {
	t.Helper()
	out, err := command(t, bin, url, schema, args...).Output()
	if err != nil {
		t.Fatalf("billrun in %s: %v\n%s", schema, err, stderrOf(err))
	}
	return string(out)
}

// stderrOf returns what a failed command wrote on stderr.
func stderrOf(err error) string {
	if e, ok := err.(*exec.ExitError); ok {
		return string(e.Stderr)
	}
	return ""
}

// A report is the first line the command prints.
type report struct {
	booked, replayed, rejected int
	reasons                    string
}

var reportLine = regexp.MustCompile(`(?m)^run \S+, part \d+ of \d+: (\d+) bills: booked (\d+), replayed (\d+), rejected (\d+)(.*)$`)

func parseReport(t *testing.T, out string) report {
	t.Helper()
	m := reportLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no report line in:\n%s", out)
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	r := report{booked: n(m[2]), replayed: n(m[3]), rejected: n(m[4]), reasons: m[5]}
	if n(m[1]) != r.booked+r.replayed+r.rejected {
		t.Fatalf("report %q: the bills do not add up", m[0])
	}
	return r
}

func totalsOf(t *testing.T, pool *pgxpool.Pool, schema, month string) Totals {
	t.Helper()
	tot, err := monthTotals(context.Background(), pool, schema, month)
	if err != nil {
		t.Fatal(err)
	}
	return tot
}

// books are what the tables of a schema hold, in order: every stored
// transaction (stream, position, id, body) and every account's balance
// per stream, summed in SQL.
type books struct {
	transactions, balances []string
}

func booksOf(t *testing.T, pool *pgxpool.Pool, schema string) books {
	t.Helper()
	s := pgx.Identifier{schema}.Sanitize()
	rows := func(sql string) []string {
		rs, err := pool.Query(context.Background(), sql)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rs, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return books{
		transactions: rows(`SELECT stream || ' ' || position || ' ' || id || ' ' || body::text FROM ` + s + `.billfold_transactions ORDER BY stream, position`),
		balances:     rows(`SELECT stream || ' ' || account || ' ' || sum(amount)::text FROM ` + s + `.billfold_postings GROUP BY stream, account ORDER BY stream, account`),
	}
}

// sameBooks fails unless got and want hold the same transactions and
// balances, naming the first difference.
func sameBooks(t *testing.T, what string, got, want books) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want []string
	}{{"transactions", got.transactions, want.transactions}, {"balances", got.balances, want.balances}} {
		for i := range max(len(c.got), len(c.want)) {
			g, w := "(none)", "(none)"
			if i < len(c.got) {
				g = c.got[i]
			}
			if i < len(c.want) {
				w = c.want[i]
			}
			if g != w {
				t.Fatalf("%s: %d %s, want %d; row %d:\n got %s\nwant %s", what, len(c.got), c.name, len(c.want), i, g, w)
			}
		}
	}
	if len(want.transactions) == 0 {
		t.Fatalf("%s: no transactions stored", what)
	}
}

// checkGolden compares the reference run's totals with
// testdata/totals.golden (rewritten first with -update).
func checkGolden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join("testdata", "totals.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("totals differ from %s (rewrite with -update after review):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// checkKindPerStream adds to schema a stream whose card account was
// granted as a gift balance, and a bill of month paid 4.00 from it: the
// totals (which were want) then count that bill, and its 4.00 as paid by
// gift, not by prepaid cards.
func checkKindPerStream(t *testing.T, pool *pgxpool.Pool, schema, month string, want Totals) {
	t.Helper()
	ctx := context.Background()
	store := pgstore.New(pool, pgstore.Options{Schema: schema})
	card := ledger.InstrumentAccount("card", "USD")
	four := decimal.New(4, 0)
	txs := []ledger.Transaction{
		ledger.Grant("open:card", opening, ledger.Terms{Account: card, Kind: "gift"}, decimal.New(10, 0), ""),
		{ID: "spend:" + month + "/odd", Time: opening.AddDate(1, 0, 0), Kind: ledger.KindSpend, Bill: month + "/odd",
			Postings: []ledger.Posting{{Account: card, Amount: four.Neg()}, {Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: four}}},
	}
	if _, err := store.Append(ctx, "odd", 0, txs); err != nil {
		t.Fatal(err)
	}
	want.Bills++
	want.Billed = want.Billed.Add(four)
	want.Paid = slices.Clone(want.Paid)
	for k, p := range want.Paid {
		if p.Kind == "gift" {
			want.Paid[k].Amount = p.Amount.Add(four)
		}
	}
	if got := totalsOf(t, pool, schema, month); got.String() != want.String() {
		t.Fatalf("with the card of one stream a gift balance, totals:\n%s\nwant:\n%s", got, want)
	}
}
