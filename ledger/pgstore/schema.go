package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

	// Step 2: the postings are read from the transactions' bodies, which
	// hold them already, instead of being stored a second time as rows
	// checked against their transaction (see the package documentation,
	// Schema). The view has the table's columns, so SQL that sums
	// balances or reports per product reads the same rows.
	`DROP TABLE billfold_postings;
	CREATE VIEW billfold_postings (stream, position, idx, account, currency, amount, line, product) AS
		SELECT t.stream, t.position, (p.idx - 1)::integer, p.posting->>'account',
			split_part(p.posting->>'account', ':', 2), (p.posting->>'amount')::numeric,
			p.posting->>'line', p.posting->>'product'
		FROM billfold_transactions t, json_array_elements(t.body->'postings') WITH ORDINALITY AS p (posting, idx);
	COMMENT ON VIEW billfold_postings IS 'billfold ledger postings, one row per posting of each transaction body';`,
	checkpointStep,
}

// checkpointStep adds checkpoints (see the package documentation) and the
// index a resumed journal's recall of reversals, captures and releases by
// ref reads. It is idempotent, so that it may be ordered among other
// steps freely.
const checkpointStep = `CREATE TABLE IF NOT EXISTS billfold_checkpoints (
		stream   text   NOT NULL REFERENCES billfold_streams (stream),
		position bigint NOT NULL CHECK (position > 0),
		body     json   NOT NULL,
		PRIMARY KEY (stream, position)
	);
	CREATE INDEX IF NOT EXISTS billfold_transactions_ref ON billfold_transactions (stream, ref) WHERE ref IS NOT NULL;`

// Migrate creates the tables of the package documentation in
// [Options].Schema, or completes them: it applies, in one database
// transaction, the migration steps the schema does not have yet, and
// records them in billfold_schema. It is idempotent and safe to run from
// several processes at once (they take turns on an advisory lock).
//
// It first reads which steps the schema has: when it has them all, as on
// every start but the first after an upgrade, it changes nothing and
// needs only USAGE on the schema and SELECT on billfold_schema. Applying
// steps needs CREATE on the schema. The schema itself must exist: Migrate
// never creates one (a misspelt schema would otherwise start a second,
// empty ledger), and fails with an error wrapping [ErrSetup].
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, len(steps)) }

// migrate is Migrate up to step upTo.
func (s *Store) migrate(ctx context.Context, upTo int) error {
	done, err := s.applied(ctx)
	if err == nil && done >= upTo {
		return nil
	}
	var pe *pgconn.PgError
	if err != nil && !(errors.As(err, &pe) && pe.Code == "42P01") { // undefined table: nothing applied yet
		return fmt.Errorf("pgstore: migrate: %w", classify(ctx, err, "", false, nil))
	}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
			return err
		}
		// The steps name their tables unqualified: they resolve in the
		// schema, and only there.
		if _, err := tx.Exec(ctx, `SELECT set_config('search_path', $1, true)`, s.sql.schemaIdent); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.sql.schemaTable+` (step integer PRIMARY KEY)`); err != nil {
			return err
		}
		var done int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(step), 0) FROM `+s.sql.schemaTable).Scan(&done); err != nil {
			return err
		}
		for i := done; i < upTo; i++ {
			if _, err := tx.Exec(ctx, steps[i]); err != nil {
				return fmt.Errorf("step %d: %w", i+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+s.sql.schemaTable+` (step) VALUES ($1)`, i+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pgstore: migrate schema %q: %w", s.schema, classify(ctx, err, "", false, nil))
	}
	return nil
}

// applied returns how many migration steps the schema has.
func (s *Store) applied(ctx context.Context) (int, error) {
	var done int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(step), 0) FROM `+s.sql.schemaTable).Scan(&done)
	return done, err
}
