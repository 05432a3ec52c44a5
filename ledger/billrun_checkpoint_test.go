package ledger_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// resumingStore is a store that, as a database store with checkpoints
// does, hands out journals resumed from a checkpoint: cut keeps the last
// cut transactions of a stream after its checkpoint (all of them if the
// stream is shorter). It recalls older transactions from the whole
// journal its MemoryStore holds, and books through that MemoryStore.
type resumingStore struct {
	*ledger.MemoryStore
	cut     int
	recalls int
}

func (s *resumingStore) resumed(t ledger.Journal) (ledger.Journal, error) {
	c := max(t.Len()-s.cut, 0)
	var head, tail []ledger.Transaction
	for i, tx := range t.Transactions() {
		if i < c {
			head = append(head, tx)
		} else {
			tail = append(tail, tx)
		}
	}
	old, _, _, err := ledger.Journal{}.ApplyAll(head)
	if err != nil {
		return ledger.Journal{}, err
	}
	return ledger.Resume(old.Checkpoint(), tail)
}

func (s *resumingStore) Load(ctx context.Context, stream string) (ledger.Journal, error) {
	j, err := s.MemoryStore.Load(ctx, stream)
	if err != nil {
		return j, err
	}
	return s.resumed(j)
}

func (s *resumingStore) LoadBatch(ctx context.Context, streams []string) ([]ledger.Journal, error) {
	js, err := s.MemoryStore.LoadBatch(ctx, streams)
	for i := range js {
		if err == nil {
			js[i], err = s.resumed(js[i])
		}
	}
	return js, err
}

func (s *resumingStore) Recall(ctx context.Context, stream string, j ledger.Journal, ids ...string) (ledger.Journal, error) {
	s.recalls++
	whole, err := s.MemoryStore.Load(ctx, stream)
	if err != nil {
		return j, err
	}
	var past []ledger.Past
	for seq, tx := range whole.Transactions() {
		if seq < j.Base() && (slices.Contains(ids, tx.ID) || (tx.Ref != "" && slices.Contains(ids, tx.Ref))) {
			past = append(past, ledger.Past{Seq: seq, Transaction: tx})
		}
	}
	return j.Recall(ids, past)
}

// A bill run over journals resumed from checkpoints books what it books
// over whole journals: a new spend's id is recalled (to learn it is new)
// before it is appended, in the batched path as in the single one. Run
// again, a bill whose spend lies after the checkpoint is compared in full
// and replayed, and one whose spend lies before it is replayed on its id.
func TestRunBillsOverResumedJournals(t *testing.T) {
	const n = 12
	ctx := context.Background()
	var plain ledger.MemoryStore
	seedRun(t, &plain, n)
	want, err := ledger.RunBills(ctx, &plain, runJobs(n, 1), ledger.RunOptions{})
	if err != nil || want.Booked == 0 {
		t.Fatalf("plain run: %+v, %v", want, err)
	}

	for _, mode := range []string{"batched", "batched, recalling in batches", "one by one"} {
		t.Run(mode, func(t *testing.T) {
			mem := &ledger.MemoryStore{}
			seedRun(t, mem, n)
			rs := &resumingStore{MemoryStore: mem, cut: 0} // the checkpoint is the whole journal
			br := &batchRecallingStore{resumingStore: rs}
			var s ledger.Store = rs
			switch mode {
			case "batched, recalling in batches":
				s = br
			case "one by one":
				s = onlyStore{rs}
			}
			got, err := ledger.RunBills(ctx, s, runJobs(n, 1), ledger.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(summary(want), summary(got)); diff != "" {
				t.Fatalf("report (-plain +resumed):\n%s", diff)
			}
			if rs.recalls == 0 {
				t.Fatal("no recall: the new spends' ids were taken as new without asking")
			}
			if bills := want.Booked + len(want.Rejected); s == ledger.Store(br) && (br.recalled != bills || br.singles != 0) {
				t.Fatalf("%d journals recalled in %d batches and %d appends of one stream: want every bill's journal recalled in a batch and no bill booked alone", br.recalled, br.batches, br.singles)
			}
			for c := range n {
				stream := "c" + strconv.Itoa(c)
				a, _ := plain.Load(ctx, stream)
				b, _ := mem.Load(ctx, stream)
				if diff := cmp.Diff(slices.Collect(txsOf(a)), slices.Collect(txsOf(b))); diff != "" {
					t.Fatalf("stream %s (-plain +resumed):\n%s", stream, diff)
				}
			}
			for _, cut := range []int{0, 1, 2} { // spends before, and after, the checkpoint
				rs.cut = cut
				recalled := br.recalled
				again, err := ledger.RunBills(ctx, s, runJobs(n, 1), ledger.RunOptions{})
				if err != nil || again.Booked != 0 || again.Replayed != want.Booked || len(again.Rejected) != len(want.Rejected) {
					t.Fatalf("rerun with %d transactions after the checkpoint: %+v, %v; want %d replayed", cut, again, err, want.Booked)
				}
				// With the month's spends all after the checkpoint, the
				// journals know them: nothing to recall.
				if cut == 2 && br.recalled != recalled {
					t.Fatalf("rerun with every spend after the checkpoint recalled %d journals, want none", br.recalled-recalled)
				}
			}
		})
	}
}

// batchRecallingStore is a resumingStore that also recalls for many
// journals at once ([ledger.BatchRecaller]), and counts its batch recalls
// and the appends it is asked to make one stream at a time.
type batchRecallingStore struct {
	*resumingStore
	batches, recalled, singles int
}

func (s *batchRecallingStore) RecallBatch(ctx context.Context, recalls []ledger.StreamRecall) ([]ledger.Journal, error) {
	s.batches++
	s.recalled += len(recalls)
	out := make([]ledger.Journal, len(recalls))
	for i, r := range recalls {
		j, err := s.Recall(ctx, r.Stream, r.Journal, r.IDs...)
		if err != nil {
			return nil, err
		}
		out[i] = j
	}
	return out, nil
}

func (s *batchRecallingStore) Append(ctx context.Context, stream string, expected int, txs []ledger.Transaction) (int, error) {
	s.singles++
	return s.resumingStore.Append(ctx, stream, expected, txs)
}

// A store whose RecallBatch answers for fewer journals than it was asked
// about stops the run, as a failure of the store, with nothing booked
// from that group.
func TestRunBillsStopsOnAShortRecall(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		store func(*resumingStore) ledger.Store
		want  func(error) bool
	}{
		{"short", func(rs *resumingStore) ledger.Store { return &shortRecaller{batchRecallingStore{resumingStore: rs}} },
			func(err error) bool { return err != nil && strings.Contains(err.Error(), "RecallBatch returned") }},
		{"failing", func(rs *resumingStore) ledger.Store { return &failingRecaller{batchRecallingStore{resumingStore: rs}} },
			func(err error) bool { return errors.Is(err, errRecall) }},
		{"another version", func(rs *resumingStore) ledger.Store { return &newerRecaller{batchRecallingStore{resumingStore: rs}} },
			func(err error) bool { return err != nil && strings.Contains(err.Error(), "asked at") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := &ledger.MemoryStore{}
			seedRun(t, mem, 4)
			before := make([]int, 4)
			for c := range before {
				j, _ := mem.Load(ctx, "c"+strconv.Itoa(c))
				before[c] = j.Len()
			}
			r, err := ledger.RunBills(ctx, tc.store(&resumingStore{MemoryStore: mem}), runJobs(4, 1), ledger.RunOptions{Batch: 4})
			if !tc.want(err) || r.Booked != 0 {
				t.Fatalf("RunBills = %+v, %v; want it stopped by the recall, nothing booked", r, err)
			}
			for c := range before {
				if j, _ := mem.Load(ctx, "c"+strconv.Itoa(c)); j.Len() != before[c] {
					t.Fatalf("c%d: %d transactions after the stopped run, %d before", c, j.Len(), before[c])
				}
			}
		})
	}
}

// shortRecaller is a batchRecallingStore that drops the last journal of
// each RecallBatch.
type shortRecaller struct{ batchRecallingStore }

func (s *shortRecaller) RecallBatch(ctx context.Context, recalls []ledger.StreamRecall) ([]ledger.Journal, error) {
	js, err := s.batchRecallingStore.RecallBatch(ctx, recalls)
	if err != nil || len(js) == 0 {
		return js, err
	}
	return js[:len(js)-1], nil
}

// failingRecaller is a batchRecallingStore whose RecallBatch fails, as a
// database does.
type failingRecaller struct{ batchRecallingStore }

var errRecall = errors.New("recall failed")

func (s *failingRecaller) RecallBatch(context.Context, []ledger.StreamRecall) ([]ledger.Journal, error) {
	return nil, errRecall
}

// newerRecaller is a batchRecallingStore whose RecallBatch answers with
// the journals at another version than asked (a store that reloaded).
type newerRecaller struct{ batchRecallingStore }

func (s *newerRecaller) RecallBatch(ctx context.Context, recalls []ledger.StreamRecall) ([]ledger.Journal, error) {
	out := make([]ledger.Journal, len(recalls))
	for k, r := range recalls {
		j, err := s.MemoryStore.Load(ctx, r.Stream) // whole, and so at its full length: not the checkpoint's version
		if err != nil {
			return nil, err
		}
		out[k], _, _, err = j.ApplyAll([]ledger.Transaction{ledger.Grant("late:"+r.Stream, t0, ledger.Terms{Account: acct("cash")}, decimal.New(1, 0), "")})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// onlyStore hides every method of a store but those of [ledger.Store] and
// [ledger.Recaller], so that RunBills books one bill at a time.
type onlyStore struct{ s *resumingStore }

func (o onlyStore) Load(ctx context.Context, stream string) (ledger.Journal, error) {
	return o.s.Load(ctx, stream)
}
func (o onlyStore) Append(ctx context.Context, stream string, expected int, txs []ledger.Transaction) (int, error) {
	return o.s.Append(ctx, stream, expected, txs)
}
func (o onlyStore) Recall(ctx context.Context, stream string, j ledger.Journal, ids ...string) (ledger.Journal, error) {
	return o.s.Recall(ctx, stream, j, ids...)
}

// summary is what a report says, without the rejections' error values.
func summary(r ledger.RunReport) []int {
	return []int{r.Booked, r.Replayed, r.Skipped, len(r.Rejected)}
}
