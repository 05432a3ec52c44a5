package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// A Store keeps journals for a host, one per stream (a customer, a domain),
// with optimistic concurrency: an append names the version it was built
// on, and fails if the stream has moved on since. The version of a stream
// is its number of transactions ([Journal.Len]); an unknown stream is an
// empty journal at version 0.
//
// The ledger itself does no I/O; a Store is how a host persists journals
// (a database implementation needs only a table of transactions keyed by
// stream and position, unique by stream and transaction id). [Update] is
// the read-modify-write loop over any Store.
type Store interface {
	// Load returns the stream's journal.
	Load(ctx context.Context, stream string) (Journal, error)
	// Append adds txs, in order, to the stream if and only if its version
	// is expected, and returns the new version. Otherwise it fails with an
	// error wrapping [ErrVersion] and changes nothing. txs should be the
	// transactions the caller applied to the journal at version expected
	// (replays left out); a store may re-check them as [Journal.Apply]
	// does, and must store all of them or none.
	Append(ctx context.Context, stream string, expected int, txs []Transaction) (int, error)
}

// A MemoryStore is a [Store] and a [BatchStore] in memory, safe for
// concurrent use. It applies every appended transaction to its own journal
// with [Journal.Apply], so it holds only what Apply accepts (a replay is a
// no-op), and returns Apply's error, storing nothing of the batch, if one
// is rejected. Load costs O(1): journals are immutable values.
//
// The zero MemoryStore is empty and ready to use. It must not be copied
// after first use.
type MemoryStore struct {
	mu      sync.Mutex
	streams map[string]Journal
}

// Load returns the stream's journal (the zero Journal for an unknown
// stream). It fails only if ctx is done or the stream id is not one a
// store can keep ([ValidStream]).
func (s *MemoryStore) Load(ctx context.Context, stream string) (Journal, error) {
	if err := ctx.Err(); err != nil {
		return Journal{}, err
	}
	if err := ValidStream(stream); err != nil {
		return Journal{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.streams[stream], nil
}

// Append applies txs to the stream's journal if the stream is at version
// expected, and returns the new version; see [Store].Append. A stream id
// that [ValidStream] refuses fails with its error.
func (s *MemoryStore) Append(ctx context.Context, stream string, expected int, txs []Transaction) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := ValidStream(stream); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.streams[stream]
	if j.Len() != expected {
		return j.Len(), &VersionError{Stream: stream, Expected: expected, Actual: j.Len()}
	}
	next, err := applyEach(j, txs)
	if err != nil {
		return j.Len(), err
	}
	if s.streams == nil {
		s.streams = make(map[string]Journal)
	}
	s.streams[stream] = next
	return next.Len(), nil
}

// applyEach is [Journal.ApplyAll] for a store, which needs only the
// journal after txs: on an error it returns j and that error.
func applyEach(j Journal, txs []Transaction) (Journal, error) {
	next := j
	for _, tx := range txs {
		var err error
		if next, _, err = next.Apply(tx); err != nil {
			return j, err
		}
	}
	return next, nil
}

// LoadBatch returns the journals of streams, in their order, under one
// lock: see [BatchStore].LoadBatch. It fails if ctx is done or a stream id
// is one [ValidStream] refuses (with its error, naming the first such).
func (s *MemoryStore) LoadBatch(ctx context.Context, streams []string) ([]Journal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, stream := range streams {
		if err := ValidStream(stream); err != nil {
			return nil, err
		}
	}
	out := make([]Journal, len(streams))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, stream := range streams {
		out[i] = s.streams[stream]
	}
	return out, nil
}

// AppendBatch makes each append of appends under one lock, as
// [MemoryStore.Append] would: verdicts[i] is Append's error for appends[i]
// (nil when stored), and the appends with a nil verdict are stored
// together. A later append of a stream already named in appends is refused
// with an error wrapping [ErrInvalid]. err is only ctx's, checked first:
// then nothing is stored. See [BatchStore].AppendBatch.
func (s *MemoryStore) AppendBatch(ctx context.Context, appends []StreamAppend) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	verdicts := make([]error, len(appends))
	next := make([]Journal, len(appends))
	seen := make(map[string]struct{}, len(appends))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range appends {
		if err := ValidStream(a.Stream); err != nil {
			verdicts[i] = err
			continue
		}
		if _, dup := seen[a.Stream]; dup {
			verdicts[i] = fmt.Errorf("%w: stream %q appended to twice in one batch (append %d)", ErrInvalid, a.Stream, i)
			continue
		}
		seen[a.Stream] = struct{}{}
		j := s.streams[a.Stream]
		if j.Len() != a.Expected {
			verdicts[i] = &VersionError{Stream: a.Stream, Expected: a.Expected, Actual: j.Len()}
			continue
		}
		next[i], verdicts[i] = applyEach(j, a.Txs)
	}
	if s.streams == nil {
		s.streams = make(map[string]Journal)
	}
	for i, a := range appends {
		if verdicts[i] == nil {
			s.streams[a.Stream] = next[i]
		}
	}
	return verdicts, nil
}

// Update runs one read-modify-write of stream in s: it loads the journal,
// asks build for the transactions to add given that journal, applies them
// to it, and appends those that are not replays, expecting the loaded
// version. If another writer appended first (an error wrapping
// [ErrVersion]) it starts again from a fresh load, at most attempts times
// in all (at least once). Because build sees the journal it is appended
// to, a check it makes (a balance, a floor) still holds when it is stored:
// no lost update, no overspend.
//
// It returns the journal after the update and the [Result] of each
// transaction build returned. Errors from build, Apply (nothing is
// appended then) or the store are returned as they are; after the last
// failed attempt, the [VersionError].
func Update(ctx context.Context, s Store, stream string, attempts int, build func(Journal) ([]Transaction, error)) (Journal, []Result, error) {
	var err error
	for range max(attempts, 1) {
		var j Journal
		if j, err = s.Load(ctx, stream); err != nil {
			return Journal{}, nil, err
		}
		var txs []Transaction
		if j, txs, err = recalling(ctx, s, stream, j, build); err != nil { // a journal resumed from a checkpoint may ask for older transactions
			return j, nil, err
		}
		var next Journal
		var results []Result
		var fresh []Transaction
		if next, results, fresh, err = j.ApplyAll(txs); err != nil { // err outlives the loop
			return j, nil, err
		}
		if len(fresh) == 0 {
			return next, results, nil
		}
		if _, err = s.Append(ctx, stream, j.Len(), fresh); err == nil {
			return next, results, nil
		}
		if !errors.Is(err, ErrVersion) {
			return j, nil, err
		}
	}
	return Journal{}, nil, err
}

// A BatchStore is a [Store] that also reads and writes many streams in one
// round trip: [RunBills] uses it, when its Store has it, to book a group
// of bills per database transaction (group commit) instead of one.
type BatchStore interface {
	Store
	// LoadBatch returns the journals of streams, in their order, as Load
	// returns each: a consistent snapshot per stream (not across
	// streams). A stream may appear more than once.
	LoadBatch(ctx context.Context, streams []string) ([]Journal, error)
	// AppendBatch makes each append of appends as [Store].Append would,
	// each on its own: verdicts[i] is nil when appends[i] is stored, and
	// otherwise the error Append would return for it (a [*VersionError],
	// or the error of a rejected transaction), which leaves the others
	// unharmed. The appends it stores are stored together, in one commit:
	// all of them or none. err reports a failure of the store itself (ctx,
	// the database), after which none is stored, or, if the store says the
	// outcome is unknown, all or none. The streams of appends must be
	// distinct: a repeated stream is refused (the verdict of each append
	// of a stream after its first wraps [ErrInvalid]; the first is judged
	// on its own).
	AppendBatch(ctx context.Context, appends []StreamAppend) (verdicts []error, err error)
}

// A StreamAppend is one append of a [BatchStore]'s AppendBatch: the
// arguments of [Store].Append.
type StreamAppend struct {
	Stream   string
	Expected int
	Txs      []Transaction
}
