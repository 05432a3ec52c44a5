package main

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/billfold/billfold/ledger"
)

// maxChunk bounds how many customers a worker opens at a time: one round
// trip each way when the store is a [ledger.BatchStore].
const maxChunk = 200

// open books every customer's opening grants by workers goroutines, a
// chunk of customers at a time (at most maxChunk, fewer so that every
// worker gets a few chunks), and returns how many customers' grants
// were new. Grants have stable ids, and a customer whose stream holds
// them already is only read (its grants recalled from before its
// checkpoint, for a chunk at once), so opening again books nothing. The
// first error stops it.
func open(ctx context.Context, store ledger.Store, gen generator, workers int) (int, error) {
	run, stop := context.WithCancel(ctx)
	defer stop()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		booked int
		first  error
	)
	size := min(maxChunk, max(1, gen.customers/max(gen.parts, 1)/(4*workers)))
	chunks := make(chan []int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				n, err := openChunk(run, store, gen, c)
				mu.Lock()
				booked += n
				if err != nil && first == nil {
					first = err
					stop()
				}
				mu.Unlock()
			}
		}()
	}
	var c []int
feed:
	for i := range gen.streams() {
		if c = append(c, i); len(c) < size {
			continue
		}
		select {
		case chunks <- c:
			c = nil
		case <-run.Done():
			c = nil
			break feed
		}
	}
	if len(c) > 0 {
		select {
		case chunks <- c:
		case <-run.Done():
		}
	}
	close(chunks)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return booked, first
}

// openChunk opens customers and returns how many it booked grants for.
// When store is a [ledger.BatchStore] it reads their streams in one
// round trip and books the grants of those still empty in one commit;
// any other stream (one that holds something else, or that another
// writer took meanwhile) is opened on its own, as is every stream of any
// other store.
func openChunk(ctx context.Context, store ledger.Store, gen generator, customers []int) (int, error) {
	booked := 0
	alone := customers
	if bs, ok := store.(ledger.BatchStore); ok {
		alone = nil
		streams := make([]string, len(customers))
		for k, i := range customers {
			streams[k] = stream(i)
		}
		js, err := bs.LoadBatch(ctx, streams)
		if err == nil {
			js, err = recallGrants(ctx, store, gen, customers, streams, js)
		}
		if err != nil {
			return 0, fmt.Errorf("opening the wallets of %s to %s: %w", streams[0], streams[len(streams)-1], err)
		}
		var (
			appends []ledger.StreamAppend
			of      []int // the customer of each append
		)
		for k, j := range js {
			grants := gen.grants(customers[k])
			switch {
			case holds(j, grants):
			case j.Len() == 0:
				appends = append(appends, ledger.StreamAppend{Stream: streams[k], Txs: grants})
				of = append(of, customers[k])
			default:
				alone = append(alone, customers[k])
			}
		}
		if len(appends) > 0 {
			verdicts, err := bs.AppendBatch(ctx, appends)
			if err != nil {
				return 0, fmt.Errorf("opening the wallets of %s to %s: %w", streams[0], streams[len(streams)-1], err)
			}
			for k, v := range verdicts {
				if v == nil {
					booked++
				} else {
					alone = append(alone, of[k])
				}
			}
		}
	}
	for _, i := range alone {
		isNew, err := openOne(ctx, store, stream(i), gen.grants(i))
		if err != nil {
			return booked, fmt.Errorf("opening the wallet of %s: %w", stream(i), err)
		}
		if isNew {
			booked++
		}
	}
	return booked, nil
}

// recallGrants returns js, the journals of customers' streams, with
// those resumed from a checkpoint (a stream past its store's checkpoint
// interval) knowing whether they hold the customers' grants, which are
// older than the checkpoint: one RecallBatch for them all when store is a
// [ledger.BatchRecaller], else they are returned as they are (and
// openOne recalls).
func recallGrants(ctx context.Context, store ledger.Store, gen generator, customers []int, streams []string, js []ledger.Journal) ([]ledger.Journal, error) {
	br, ok := store.(ledger.BatchRecaller)
	if !ok {
		return js, nil
	}
	var recalls []ledger.StreamRecall
	var at []int
	for k, j := range js {
		if j.Base() > 0 {
			recalls = append(recalls, ledger.StreamRecall{Stream: streams[k], Journal: j, IDs: ids(gen.grants(customers[k]))})
			at = append(at, k)
		}
	}
	if len(recalls) == 0 {
		return js, nil
	}
	got, err := br.RecallBatch(ctx, recalls)
	if err != nil {
		return nil, err
	}
	for r, k := range at {
		js[k] = got[r]
	}
	return js, nil
}

// ids returns the ids of txs.
func ids(txs []ledger.Transaction) []string {
	out := make([]string, len(txs))
	for i, tx := range txs {
		out[i] = tx.ID
	}
	return out
}

// holds reports whether j holds every one of txs, as they are.
func holds(j ledger.Journal, txs []ledger.Transaction) bool {
	return !slices.ContainsFunc(txs, func(g ledger.Transaction) bool {
		tx, ok := j.Transaction(g.ID)
		return !ok || !tx.Equal(g)
	})
}

// openOne books grants on stream unless the stream holds them already,
// and reports whether it booked them. A stream that holds them is only
// read: a write that replays them would still lock the stream's row,
// which costs a commit.
func openOne(ctx context.Context, store ledger.Store, stream string, grants []ledger.Transaction) (bool, error) {
	j, err := store.Load(ctx, stream)
	if r, ok := store.(ledger.Recaller); ok && err == nil && j.Base() > 0 {
		j, err = r.Recall(ctx, stream, j, ids(grants)...) // the grants lie before the checkpoint
	}
	if err != nil {
		return false, err
	}
	if holds(j, grants) {
		return false, nil
	}
	_, rs, err := ledger.Update(ctx, store, stream, 3, func(ledger.Journal) ([]ledger.Transaction, error) {
		return grants, nil
	})
	return err == nil && !rs[0].Replayed, err
}
