package ledger

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/billfold/billfold/allocation"
)

// A BillJob is one bill of a bill run ([RunBills]): a customer's bill, the
// definitions of the instruments that may pay it, and the policy, to be
// allocated and booked on the customer's stream.
//
// Wallet gives the instruments' definitions (kind, validity, scope,
// percent); their Balance and Overdraft are ignored and taken from the
// stream's journal ([WithBalances]), so a run never books more than the
// journal holds. The zero BillJob is rejected (a bill without an id).
type BillJob struct {
	Stream  string
	Bill    allocation.Bill
	Wallet  allocation.Wallet
	Policy  allocation.Policy
	Options SpendOptions
}

// RunOptions are the choices of [RunBills]. The zero RunOptions runs the
// whole input with one worker, three attempts per bill and no progress
// reports.
type RunOptions struct {
	// Workers is how many bills are booked at once (at least 1). Each
	// stream is always booked by the same worker, so the bills of one
	// stream are booked one after the other, in input order.
	Workers int
	// Part and Parts select the streams of this process when Parts > 1:
	// those with [StreamPart](stream, Parts) == Part. N processes running
	// parts 0…N−1 of the same input book every stream exactly once,
	// without coordination. Parts ≤ 1 selects every stream.
	Part, Parts int
	// Attempts bounds the read-modify-write attempts per bill ([Update]);
	// ≤ 0 means 3.
	Attempts int
	// Total is the number of bills this part is expected to book, for the
	// estimate of time left; 0 means unknown.
	Total int
	// Clock returns the current time, for the rate and the estimate; nil
	// leaves them zero. RunBills reads no clock of its own.
	Clock func() time.Time
	// Progress, if set, is called after every Every bills that are done or
	// failed, and once at the end, one call at a time.
	Progress func(Progress)
	// Every is how many bills lie between progress reports; ≤ 0 means
	// 1,000.
	Every int
	// Batch bounds the bills a worker books together when the Store is a
	// [BatchStore]; ≤ 0 means [DefaultBatch]. See [RunBills].
	Batch int
}

// DefaultBatch is the group size of a bill run on a [BatchStore] when
// [RunOptions].Batch is not set: large enough that one commit serves many
// bills, small enough that a group's journals and spends stay small.
const DefaultBatch = 256

// Progress is how far a bill run is. Done counts the bills booked (now or
// by an earlier run), Failed those rejected.
type Progress struct {
	Done, Failed int
	// Rate is bills done or failed per second since the run started; zero
	// without a Clock or before any time passed.
	Rate float64
	// Left is the estimated time to finish the Total bills at Rate; zero
	// when Total or Rate is unknown.
	Left time.Duration
}

// A Rejection is a bill a run did not book, with the reason: an error
// wrapping [allocation.ErrInvalid] (the bill, wallet or policy), or one of
// this package's ([ErrInvalid], [ErrConflict] when the bill was booked
// before with another split, [ErrInsufficient], [ErrVersion] when other
// writers kept the stream busy for every attempt, …).
type Rejection struct {
	Stream, Bill string
	Err          error
}

// A RunReport says what a bill run did.
type RunReport struct {
	// Booked counts the spends appended by this run, Replayed the bills
	// already on their stream (booked by an earlier, interrupted run), and
	// Skipped the bills of other parts.
	Booked, Replayed, Skipped int
	// Rejected lists the bills not booked, in the order they failed.
	Rejected []Rejection
}

// RunBills allocates and books every bill of jobs on its own stream of s:
// it reads the stream's journal, allocates the bill over job.Wallet with
// the balances the journal holds ([WithBalances]) under job.Policy, and
// appends the spend [FromSplit] builds (id "spend:" + bill id), with
// optimistic concurrency ([Update]). Up to opt.Workers bills are booked at
// once; jobs is read once, as it goes, so a run never holds all its bills.
//
// A bill that cannot be booked is rejected (see [Rejection]) and the run
// goes on with the others. Any other error (from ctx or the store) stops
// the run: RunBills stops reading jobs, lets the bills in flight end
// (booked or not, each whole), and returns the report so far and that
// error. It fails before reading jobs if opt.Parts > 1 and opt.Part is
// not in 0…Parts−1.
//
// A run is exactly-once: when the stream already holds the bill's spend
// id, RunBills allocates the bill again over the journal as it was just
// before that spend, and counts the bill as replayed if it gives the same
// spend (an error wrapping [ErrConflict] otherwise). So a run stopped at
// any point and run again with the same input books every bill once, and
// the books end as one uninterrupted run leaves them.
//
// On a journal resumed from a checkpoint ([Resume]) the journal as it was
// just before a spend stored before the checkpoint is not kept, so the
// spend cannot be built again to compare: RunBills then counts the bill
// as replayed on the strength of its id alone. A store that takes
// checkpoints keeps a stream's last write after its newest checkpoint
// (see ledger/pgstore), so a run restarted after a crash still compares
// in full; only a bill rerun after later writes to its stream is counted
// on its id.
//
// When s is a [BatchStore], each worker books its bills in groups of up
// to opt.Batch bills of distinct streams: one LoadBatch reads their
// journals, each bill is allocated and built as above, and one AppendBatch
// appends the group's new spends together (one commit on a database). A
// group is closed early when the input has nothing ready, so a slow
// iterator never holds up bills already read, and a bill whose stream is
// in the group already waits for the next one. A journal resumed from a
// checkpoint cannot tell a new spend id from one stored before its
// checkpoint until the store recalls it: when s is a [BatchRecaller], one
// RecallBatch recalls what the group's resumed journals need, and their
// bills are booked with the others. A bill whose journal still needs
// older transactions (s is no BatchRecaller), or whose verdict is a
// version conflict (another writer moved its stream), is booked on its
// own, as above, through [Update], which recalls through a [Recaller]; a
// bill whose verdict is another rejection is rejected, and the others of
// its group are booked. An error of
// AppendBatch or RecallBatch itself stops the run as a store error does,
// and none of the group's new spends is counted as booked.
//
// jobs must give each bill id once per stream; bills of one stream are
// booked in the order jobs gives them.
func RunBills(ctx context.Context, s Store, jobs iter.Seq[BillJob], opt RunOptions) (RunReport, error) {
	if opt.Parts > 1 && (opt.Part < 0 || opt.Part >= opt.Parts) {
		return RunReport{}, fmt.Errorf("ledger: bill run part %d of %d: want 0 to %d", opt.Part, opt.Parts, opt.Parts-1)
	}
	workers := max(opt.Workers, 1)
	attempts := opt.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	every := opt.Every
	if every <= 0 {
		every = 1000
	}
	r := runner{opt: opt, every: every}
	if opt.Clock != nil {
		r.start = opt.Clock()
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	bs, batched := s.(BatchStore)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	queues := make([]chan BillJob, workers)
	var wg sync.WaitGroup
	for w := range queues {
		queues[w] = make(chan BillJob, max(64, batch))
		wg.Add(1)
		go func(q <-chan BillJob) {
			defer wg.Done()
			var buf allocation.Wallet // the wallet of the bill in hand
			if batched {
				g := grouper{q: q, size: batch, busy: make(map[string]struct{})}
				for group := g.next(); len(group) > 0 && ctx.Err() == nil; group = g.next() {
					if !r.bookGroup(ctx, bs, group, attempts, &buf) {
						stop()
					}
				}
				for range q { // drain: the run is stopping
				}
				return
			}
			for job := range q {
				if ctx.Err() != nil {
					continue // drain: the run is stopping
				}
				replayed, err := book(ctx, s, &job, attempts, &buf)
				if !r.record(&job, replayed, err) {
					stop()
				}
			}
		}(queues[w])
	}
	skipped := 0
feed:
	for job := range jobs {
		h := streamHash(job.Stream)
		parts := uint64(max(opt.Parts, 1))
		if h%parts != uint64(max(opt.Part, 0))%parts {
			skipped++
			continue
		}
		select {
		case queues[(h/parts)%uint64(workers)] <- job: // independent of the part
		case <-ctx.Done():
			break feed
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report.Skipped = skipped
	if opt.Progress != nil {
		opt.Progress(r.progress())
	}
	if r.err == nil {
		r.err = ctx.Err() // the caller's ctx: ours is only stopped by an error recorded above
	}
	return r.report, r.err
}

// book allocates and books one bill, and reports whether it was a replay.
func book(ctx context.Context, s Store, job *BillJob, attempts int, buf *allocation.Wallet) (bool, error) {
	_, results, err := Update(ctx, s, job.Stream, attempts, func(j Journal) ([]Transaction, error) {
		tx, err := spend(j, job, buf)
		if err != nil {
			return nil, err
		}
		return []Transaction{tx}, nil
	})
	var ce *CheckpointError
	if errors.As(err, &ce) && ce.ID == "spend:"+job.Bill.ID && len(ce.Need) == 0 {
		return true, nil // stored before the stream's checkpoint: see RunBills
	}
	if err != nil {
		return false, err
	}
	return results[0].Replayed, nil
}

// spend builds the spend of job's bill on j, exactly once ([build]). The
// wallet with balances is built in *buf, which a worker reuses from bill to
// bill (Allocate keeps nothing of it).
func spend(j Journal, job *BillJob, buf *allocation.Wallet) (Transaction, error) {
	return build(j, "spend:"+job.Bill.ID, func(j Journal) (Transaction, error) {
		*buf = withBalances(append((*buf)[:0], job.Wallet...), j)
		split, err := allocation.Allocate(job.Bill, *buf, job.Policy)
		if err != nil {
			return Transaction{}, err
		}
		return FromSplit(job.Bill, job.Wallet, split, job.Options)
	})
}

// bookGroup books a group of bills of distinct streams on s with one
// LoadBatch and one AppendBatch, records each outcome, and reports whether
// the run may go on. Bills whose verdict is a version conflict are booked
// again one by one ([book]).
func (r *runner) bookGroup(ctx context.Context, s BatchStore, group []BillJob, attempts int, buf *allocation.Wallet) bool {
	jobs := make([]*BillJob, 0, len(group))
	streams := make([]string, 0, len(group))
	for i := range group {
		job := &group[i]
		if err := ValidStream(job.Stream); err != nil { // as Load would refuse it, for this bill alone
			if !r.record(job, false, err) {
				return false
			}
			continue
		}
		jobs, streams = append(jobs, job), append(streams, job.Stream)
	}
	if len(jobs) == 0 {
		return true
	}
	js, err := s.LoadBatch(ctx, streams)
	if err == nil && len(js) != len(streams) {
		err = fmt.Errorf("ledger: LoadBatch returned %d journals for %d streams", len(js), len(streams))
	}
	if err != nil {
		return r.stopAt(jobs[0], err)
	}
	built, ok := r.recallGroup(ctx, s, jobs, js, buf)
	if !ok {
		return false
	}
	appends := make([]StreamAppend, 0, len(jobs))
	fresh := make([]*BillJob, 0, len(jobs))
	txs := make([]Transaction, 0, len(jobs)) // each append's one spend
	for i, job := range jobs {
		tx, err := built[i].tx, built[i].err
		if !built[i].done {
			tx, err = spend(js[i], job, buf)
		}
		var ce *CheckpointError
		switch {
		case errors.As(err, &ce) && ce.ID == "spend:"+job.Bill.ID && len(ce.Need) == 0:
			if !r.record(job, true, nil) { // stored before the stream's checkpoint: see RunBills
				return false
			}
			continue
		case js[i].Base() > 0 && (errors.Is(err, ErrBeforeCheckpoint) || err == nil && len(js[i].Missing([]Transaction{tx})) > 0):
			// Still lacking older transactions (a store that cannot
			// recall in batches, or a second round): Update recalls
			// what it needs, round by round.
			replayed, err := book(ctx, s, job, attempts, buf)
			if !r.record(job, replayed, err) {
				return false
			}
			continue
		}
		var res Result
		if err == nil {
			_, res, err = js[i].apply(tx, true) // tx is the run's own: nothing changes it after
		}
		if err != nil || res.Replayed {
			if !r.record(job, res.Replayed, err) {
				return false
			}
			continue
		}
		txs = append(txs, tx)
		appends = append(appends, StreamAppend{Stream: job.Stream, Expected: js[i].Len(), Txs: txs[len(txs)-1 : len(txs) : len(txs)]})
		fresh = append(fresh, job)
	}
	if len(appends) == 0 {
		return true
	}
	verdicts, err := s.AppendBatch(ctx, appends)
	if err == nil && len(verdicts) != len(appends) {
		err = fmt.Errorf("ledger: AppendBatch returned %d verdicts for %d appends", len(verdicts), len(appends))
	}
	if err != nil {
		return r.stopAt(fresh[0], err)
	}
	for i, job := range fresh {
		replayed, err := false, verdicts[i]
		if errors.Is(err, ErrVersion) {
			replayed, err = book(ctx, s, job, attempts, buf)
		}
		if !r.record(job, replayed, err) {
			return false
		}
	}
	return true
}

// A builtSpend is a bill's spend built before a group's recall, kept so
// that it is not built twice: done when tx and err are the build's.
type builtSpend struct {
	tx   Transaction
	err  error
	done bool
}

// recallGroup prepares the journals of a group resumed from a checkpoint
// (js[i].Base() > 0) when s is a [BatchRecaller]: it builds each such
// bill's spend and recalls, for all the bills at once, what their
// journals need to judge them (their spend ids, unknown to a resumed
// journal until recalled), replacing js[i] by the journal recalled. It
// returns the spends built, to use as they are (those whose id the recall
// found stored are left to be built again), and whether the run may go on
// (false: a failure of the store, recorded).
func (r *runner) recallGroup(ctx context.Context, s BatchStore, jobs []*BillJob, js []Journal, buf *allocation.Wallet) ([]builtSpend, bool) {
	built := make([]builtSpend, len(jobs))
	br, ok := s.(BatchRecaller)
	if !ok {
		return built, true
	}
	var recalls []StreamRecall
	var at []int // the job of each recall
	for i, job := range jobs {
		if js[i].Base() == 0 {
			continue
		}
		tx, err := spend(js[i], job, buf)
		built[i] = builtSpend{tx, err, true}
		if err == nil {
			if need := js[i].Missing([]Transaction{tx}); len(need) > 0 {
				recalls = append(recalls, StreamRecall{Stream: job.Stream, Journal: js[i], IDs: need})
				at = append(at, i)
			}
		}
	}
	if len(recalls) == 0 {
		return built, true
	}
	got, err := br.RecallBatch(ctx, recalls)
	if err == nil && len(got) != len(recalls) {
		err = fmt.Errorf("ledger: RecallBatch returned %d journals for %d recalls", len(got), len(recalls))
	}
	for k := 0; err == nil && k < len(got); k++ {
		if got[k].Len() != recalls[k].Journal.Len() {
			err = fmt.Errorf("ledger: RecallBatch returned stream %q at version %d, asked at %d", recalls[k].Stream, got[k].Len(), recalls[k].Journal.Len())
		}
	}
	if err != nil {
		return nil, r.stopAt(jobs[at[0]], err)
	}
	for k, i := range at {
		js[i] = got[k]
		// A recall changes no balance or terms: the spend built before it
		// stands, unless its id turned out to be stored before the
		// checkpoint, which build must then see.
		if _, held := js[i].Transaction(built[i].tx.ID); held {
			built[i].done = false
		}
	}
	return built, true
}

// A grouper cuts a worker's queue into the groups of a batched bill run.
type grouper struct {
	q    <-chan BillJob
	size int
	// carry holds the bills read but left for a later group because their
	// stream was in the group already, in input order.
	carry, spare []BillJob
	group        []BillJob
	busy         map[string]struct{} // the streams of group and carry
}

// next returns the next group: the carried bills first, then bills from
// the queue, as long as they are ready, until size bills are held. A bill
// whose stream is in the group (or carried) is carried to a later group,
// so each stream's bills keep their order. It waits only for the first
// bill of a group, and returns an empty group at the end of the queue.
// The group is valid until the next call.
func (g *grouper) next() []BillJob {
	g.group = g.group[:0]
	clear(g.busy)
	carried := g.carry
	g.carry = g.spare[:0]
	for _, job := range carried {
		g.place(job)
	}
	g.spare = carried[:0]
	for len(g.group)+len(g.carry) < g.size {
		var job BillJob
		var ok bool
		if len(g.group) == 0 {
			job, ok = <-g.q
		} else {
			select {
			case job, ok = <-g.q:
			default:
				return g.group // nothing ready: book what is read
			}
		}
		if !ok {
			break
		}
		g.place(job)
	}
	return g.group
}

// place adds job to the group, or to the carried bills if its stream is
// busy.
func (g *grouper) place(job BillJob) {
	if _, busy := g.busy[job.Stream]; busy {
		g.carry = append(g.carry, job)
		return
	}
	g.busy[job.Stream] = struct{}{}
	g.group = append(g.group, job)
}

// rejected reports whether err is a reason not to book one bill, rather
// than a failure of the run.
func rejected(err error) bool {
	for _, e := range []error{allocation.ErrInvalid, ErrInvalid, ErrConflict, ErrInsufficient, ErrNotTransferable,
		ErrNotCashable, ErrHoldSettled, ErrHoldExpired, ErrHoldExceeded, ErrVersion} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// A runner counts the outcomes of a bill run's workers.
type runner struct {
	opt   RunOptions
	every int
	start time.Time

	mu     sync.Mutex
	report RunReport
	failed int
	err    error // the first error that stops the run
}

// record counts the outcome of one bill, reports progress when due, and
// reports whether the run may go on.
func (r *runner) record(job *BillJob, replayed bool, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err == nil && replayed:
		r.report.Replayed++
	case err == nil:
		r.report.Booked++
	case rejected(err):
		r.report.Rejected = append(r.report.Rejected, Rejection{Stream: job.Stream, Bill: job.Bill.ID, Err: err})
	default:
		if r.err == nil && !errors.Is(err, context.Canceled) {
			r.err = fmt.Errorf("ledger: bill run stopped at bill %q of stream %q: %w", job.Bill.ID, job.Stream, err)
		}
		return false
	}
	if r.opt.Progress != nil {
		if n := r.report.Booked + r.report.Replayed + len(r.report.Rejected); n%r.every == 0 {
			r.opt.Progress(r.progress())
		}
	}
	return true
}

// stopAt records err, a failure of the store while booking a group that
// starts with job, as the error that stops the run, and returns false.
func (r *runner) stopAt(job *BillJob, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil && !errors.Is(err, context.Canceled) {
		r.err = fmt.Errorf("ledger: bill run stopped at the group of bill %q of stream %q: %w", job.Bill.ID, job.Stream, err)
	}
	return false
}

// progress returns the progress so far. The caller holds r.mu.
func (r *runner) progress() Progress {
	p := Progress{Done: r.report.Booked + r.report.Replayed, Failed: len(r.report.Rejected)}
	if r.opt.Clock == nil {
		return p
	}
	elapsed := r.opt.Clock().Sub(r.start)
	if elapsed <= 0 {
		return p
	}
	p.Rate = float64(p.Done+p.Failed) / elapsed.Seconds()
	if r.opt.Total > 0 && p.Rate > 0 {
		left := max(r.opt.Total-p.Done-p.Failed, 0)
		p.Left = time.Duration(float64(left) / p.Rate * float64(time.Second))
	}
	return p
}

// StreamPart returns the part, from 0 to parts−1, that stream belongs to
// when a bill run is shared by parts processes: the 64-bit FNV-1a hash of
// the stream id's bytes, modulo parts. It is stable across processes,
// machines and releases. Parts ≤ 1 puts every stream in part 0.
func StreamPart(stream string, parts int) int {
	if parts <= 1 {
		return 0
	}
	return int(streamHash(stream) % uint64(parts))
}

// streamHash is the 64-bit FNV-1a hash of s.
func streamHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
