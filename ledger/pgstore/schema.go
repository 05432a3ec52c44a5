package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrateLock is the key of the transaction-level advisory lock Migrate
// holds: "billfold" in ASCII.
const migrateLock = 0x62696c6c666f6c64

// steps are the migrations, applied in order; step i+1 is steps[i]. A step
// once released is never changed: changes to the schema are new steps.
var steps = [...]string{
	`CREATE TABLE billfold_streams (
		stream  text   PRIMARY KEY,
		version bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
		last    text   NOT NULL DEFAULT ''
	);
	CREATE TABLE billfold_transactions (
		stream   text        NOT NULL REFERENCES billfold_streams (stream),
		position bigint      NOT NULL CHECK (position >= 0),
		id       text        NOT NULL,
		kind     text        NOT NULL,
		time     timestamptz NOT NULL,
		bill     text,
		ref      text,
		body     json        NOT NULL,
		PRIMARY KEY (stream, position),
		UNIQUE (stream, id)
	);
	CREATE TABLE billfold_postings (
		stream   text    NOT NULL,
		position bigint  NOT NULL,
		idx      integer NOT NULL CHECK (idx >= 0),
		account  text    NOT NULL,
		currency text    NOT NULL,
		amount   numeric NOT NULL CHECK (amount <> 0),
		line     text,
		product  text,
		PRIMARY KEY (stream, position, idx),
		FOREIGN KEY (stream, position) REFERENCES billfold_transactions (stream, position)
	);
	CREATE INDEX billfold_postings_account ON billfold_postings (stream, account);
	COMMENT ON TABLE billfold_transactions IS 'billfold ledger journals: body is the transaction as JSON; rows are only ever inserted';`,
}

// Migrate creates the tables of the package documentation, or completes
// them: it applies, in one database transaction, the migration steps the
// database does not have yet, and records them in billfold_schema. It is
// idempotent and safe to run from several processes at once (they take
// turns on an advisory lock). Tables are created unqualified, in the first
// schema of the connection's search_path.
func (s *Store) Migrate(ctx context.Context) error {
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS billfold_schema (step integer PRIMARY KEY)`); err != nil {
			return err
		}
		var done int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(step), 0) FROM billfold_schema`).Scan(&done); err != nil {
			return err
		}
		for i := done; i < len(steps); i++ {
			if _, err := tx.Exec(ctx, steps[i]); err != nil {
				return fmt.Errorf("step %d: %w", i+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO billfold_schema (step) VALUES ($1)`, i+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}
