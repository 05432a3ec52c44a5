package ledger

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// These tests pin down internals whose effect is speed, not results: which
// transactions count as time-sorted (History binary-searches those), how
// the cursor uses the stored marks, and that the indexed and the linear
// way of netting postings agree.

func TestTimeSorted(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLog()
	for i, h := range []int{0, 1, 1, 3, 2, 5} { // sorted up to the 2
		l.add(Transaction{ID: fmt.Sprint(i), Time: t0.Add(time.Duration(h) * time.Hour), Kind: KindGrant})
	}
	if l.sorted != 4 {
		t.Fatalf("sorted = %d, want 4", l.sorted)
	}
	for n, want := range []bool{true, true, true, true, true, false, false} {
		if got := l.timeSorted(n); got != want {
			t.Errorf("timeSorted(%d) = %v", n, got)
		}
	}
}

func TestCursorUsesMarks(t *testing.T) {
	// 100 entries of 1 each, with marks that are deliberately off by 1000
	// per mark, so the result tells how it was computed.
	one := decimal.NewFromInt(1)
	var txs []Transaction
	var entries []entry
	for i := range 100 {
		txs = append(txs, Transaction{Postings: []Posting{{Amount: one}}})
		entries = append(entries, entry{seq: i})
	}
	marks := []decimal.Decimal{decimal.NewFromInt(1032), decimal.NewFromInt(2064), decimal.NewFromInt(3096)}
	c := cursor{txs: txs, entries: entries, marks: marks}
	for _, step := range []struct{ k, want int64 }{
		{0, 0},
		{5, 5},      // from the start
		{37, 37},    // 32 ahead: adds on
		{70, 2070},  // 33 ahead: jumps to mark 2 (64 entries), adds 6
		{70, 2070},  // stays
		{71, 2071},  // adds on
		{31, 31},    // behind: back to the start
		{32, 32},    // one ahead: adds on, past the mark
		{100, 3100}, // jumps to mark 3, adds 4
		{96, 3096},  // behind: mark 3
		{63, 1063},  // behind: mark 1, adds 31
		{64, 1064},  // adds on from 63
		{0, 0},      // behind: the start
		{33, 1033},  // 33 ahead: jumps to mark 1, adds 1
		{65, 1065},  // exactly 32 ahead: adds on
	} {
		if got := c.after(int(step.k)); !got.Equal(decimal.NewFromInt(step.want)) {
			t.Errorf("after(%d) = %s, want %d", step.k, got, step.want)
		}
	}
}

func TestNetsIndexedAgreesWithLinear(t *testing.T) {
	for _, n := range []int{1, 16, 17, 40} {
		var ps []Posting
		for i := range n {
			ps = append(ps, Posting{Account: InstrumentAccount(fmt.Sprint(i%7), "USD"), Amount: decimal.New(int64(i+1), -2)})
		}
		got := nets(ps)
		var want []net
		for _, p := range ps {
			want = addNet(want, p.Account, p.Amount)
		}
		if len(got) != len(want) {
			t.Fatalf("%d postings: %d nets, want %d", n, len(got), len(want))
		}
		for i := range want {
			if got[i].account != want[i].account || !got[i].amount.Equal(want[i].amount) {
				t.Errorf("%d postings: net %d = %v, want %v", n, i, got[i], want[i])
			}
		}
	}
}

// The cursor's int64 running balance agrees exactly with decimal sums,
// across scales and past the int64 range.
func TestCursorExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var txs []Transaction
		var entries []entry
		var sums, marks []decimal.Decimal
		sum := decimal.Decimal{}
		for i := range rapid.IntRange(0, 120).Draw(t, "n") {
			var d decimal.Decimal
			switch rapid.IntRange(0, 4).Draw(t, "size") {
			case 0: // huge coefficients
				d = decimal.New(rapid.Int64().Draw(t, "v"), rapid.Int32Range(-3, 3).Draw(t, "exp")).Mul(decimal.New(1, 5))
			case 1: // far-apart exponents
				d = decimal.New(rapid.Int64Range(-9, 9).Draw(t, "v"), rapid.Int32Range(-40, 40).Draw(t, "exp"))
			default:
				d = decimal.New(rapid.Int64Range(-99999, 99999).Draw(t, "v"), rapid.Int32Range(-4, 2).Draw(t, "exp"))
			}
			txs = append(txs, Transaction{Postings: []Posting{{Amount: d}}})
			entries = append(entries, entry{seq: i})
			sum = sum.Add(d)
			sums = append(sums, sum)
			if (i+1)%markEvery == 0 {
				marks = append(marks, sum)
			}
		}
		c := cursor{txs: txs, entries: entries, marks: marks}
		for range rapid.IntRange(0, 30).Draw(t, "queries") {
			k := rapid.IntRange(0, len(entries)).Draw(t, "k")
			want := decimal.Decimal{}
			if k > 0 {
				want = sums[k-1]
			}
			if got := c.after(k); !got.Equal(want) {
				t.Fatalf("after(%d) = %s, want %s", k, got, want)
			}
		}
	})
}

func TestAddScaled(t *testing.T) {
	for _, c := range []struct {
		a   int64
		ea  int32
		b   int64
		eb  int32
		s   int64
		exp int32
		ok  bool
	}{
		{125, -2, 12, 0, 1325, -2, true},
		{12, 0, 125, -2, 1325, -2, true},
		{0, 30, 5, -2, 5, -2, true},
		{5, -2, 0, 30, 5, -2, true},
		{math.MaxInt64, 0, 1, 0, 0, 0, false},
		{math.MinInt64, 0, -1, 0, 0, 0, false},
		{math.MaxInt64 - 1, 0, 1, 0, math.MaxInt64, 0, true},
		{math.MinInt64 + 1, 0, -1, 0, math.MinInt64, 0, true},
		{1, 18, 0, 0, 1_000_000_000_000_000_000, 0, true},
		{1, 19, 1, 0, 0, 0, false},
		{-1, 19, 1, 0, 0, 0, false},
		{1, 0, 1, 19, 0, 0, false},
		{1, math.MaxInt32, 1, math.MinInt32, 0, 0, false},
		{math.MaxInt64 / 10, 1, 7, 0, math.MaxInt64, 0, true},
		{math.MinInt64 / 10, 1, -8, 0, math.MinInt64, 0, true},
		{math.MaxInt64/10 + 1, 1, 0, 0, 0, 0, false},
		{math.MinInt64/10 - 1, 1, 0, 0, 0, 0, false},
	} {
		s, exp, ok := addScaled(c.a, c.ea, c.b, c.eb)
		if s != c.s || exp != c.exp || ok != c.ok {
			t.Errorf("addScaled(%d, %d, %d, %d) = %d, %d, %v; want %d, %d, %v", c.a, c.ea, c.b, c.eb, s, exp, ok, c.s, c.exp, c.ok)
		}
	}
}

func TestScaled(t *testing.T) {
	for _, c := range []struct {
		d  string
		v  int64
		e  int32
		ok bool
	}{
		{"999999999999999999", 999999999999999999, 0, true}, // 18 digits
		{"-99999999999999999.9", -999999999999999999, -1, true},
		{"1000000000000000000", 0, 0, false}, // 19 digits
		{"0", 0, 0, true},
		{"12.50", 1250, -2, true},
	} {
		v, e, ok := scaled(decimal.RequireFromString(c.d))
		if v != c.v || e != c.e || ok != c.ok {
			t.Errorf("scaled(%s) = %d, %d, %v", c.d, v, e, ok)
		}
	}
}
