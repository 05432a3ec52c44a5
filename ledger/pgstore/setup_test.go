package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/billfold/billfold/ledger/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// newRole creates a login role for the test, and a pool that connects as
// it (SET ROLE at connection start, so it works with any admin URL) with
// the search_path searchPath(role) returns. Both go when the test ends,
// with everything the role owns.
func newRole(t *testing.T, prefix string, searchPath func(role string) string) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	role := fmt.Sprintf("%s_%d", prefix, rand.Uint32())
	if _, err := db.Exec(ctx, `CREATE ROLE `+role); err != nil {
		t.Fatal(err)
	}
	cfg := poolConfig.Copy()
	cfg.MaxConns = 4
	cfg.ConnConfig.RuntimeParams["search_path"] = searchPath(role)
	cfg.ConnConfig.RuntimeParams["role"] = role
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		for _, q := range []string{`DROP OWNED BY ` + role + ` CASCADE`, `DROP ROLE ` + role} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Error(err)
			}
		}
	})
	return role, p
}

// The tables live in Options.Schema, whatever the search_path says. A
// role whose search_path starts with its own schema ("$user") used to get
// a second, empty ledger the day that schema was created: the next
// Migrate created tables there, Load returned an empty journal, and a
// grant already booked was booked again.
func TestSchemaIsExplicit(t *testing.T) {
	ctx := context.Background()
	// The default search_path, "$user", public, with a schema of the
	// test's playing the part of public.
	role, pool := newRole(t, "alice", func(role string) string { return `"$user", ` + role + "_ledger" })
	ledgerSchema := role + "_ledger"
	if _, err := db.Exec(ctx, `CREATE SCHEMA `+ledgerSchema+` AUTHORIZATION `+role); err != nil {
		t.Fatal(err)
	}
	// The role's search_path: "$user" first, which does not exist yet.
	var path string
	if err := pool.QueryRow(ctx, `SELECT current_schemas(false)::text`).Scan(&path); err != nil || path != "{"+ledgerSchema+"}" {
		t.Fatalf("search_path resolves to %s, %v", path, err)
	}
	opt := pgstore.Options{Schema: ledgerSchema}
	grant := ledger.Grant("grant-2024-06", t0, ledger.Terms{Account: acct("gift")}, dec("50"), "")
	book := func() (ledger.Journal, []ledger.Result) {
		t.Helper()
		s := pgstore.New(pool, opt)
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		j, rs, err := s.Update(ctx, "customer", func(ledger.Journal) ([]ledger.Transaction, error) {
			return []ledger.Transaction{grant}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return j, rs
	}
	if j, rs := book(); j.Len() != 1 || rs[0].Replayed {
		t.Fatalf("first booking: %d transactions, %+v", j.Len(), rs)
	}
	if _, err := db.Exec(ctx, `CREATE SCHEMA `+role+` AUTHORIZATION `+role); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	j, rs := book()
	if j.Len() != 1 || !rs[0].Replayed || !j.Balance(acct("gift")).Equal(dec("50")) {
		t.Fatalf("after CREATE SCHEMA %s: %d transactions, %+v, balance %s: the grant was booked twice", role, j.Len(), rs, j.Balance(acct("gift")))
	}
	var stray *string
	if err := db.QueryRow(ctx, `SELECT to_regclass($1)::text`, role+".billfold_streams").Scan(&stray); err != nil || stray != nil {
		t.Fatalf("tables in the role's schema: %v, %v", stray, err)
	}

	// A Store on a schema without the tables refuses to work, and Migrate
	// does not create a schema that does not exist.
	elsewhere := pgstore.New(pool, pgstore.Options{Schema: role})
	if _, err := elsewhere.Load(ctx, "customer"); !errors.Is(err, pgstore.ErrSetup) {
		t.Fatalf("Load from a schema without tables: %v", err)
	}
	if _, err := elsewhere.Append(ctx, "customer", 0, []ledger.Transaction{grant}); !errors.Is(err, pgstore.ErrSetup) {
		t.Fatalf("Append to a schema without tables: %v", err)
	}
	if err := pgstore.New(pool, pgstore.Options{Schema: role + "_typo"}).Migrate(ctx); !errors.Is(err, pgstore.ErrSetup) {
		t.Fatalf("Migrate into a schema that does not exist: %v", err)
	}
}

// A role with only the privileges the package documentation lists for
// each operation can run them all, Migrate included once the tables are
// there: it needs CREATE only when there is something to migrate.
func TestLeastPrivilege(t *testing.T) {
	ctx := context.Background()
	role, pool := newRole(t, "app", func(string) string { return testSchema })
	for _, q := range []string{
		`GRANT USAGE ON SCHEMA %s TO %s`,
		`GRANT SELECT ON %s.billfold_schema TO %s`,
		`GRANT SELECT, INSERT, UPDATE ON %s.billfold_streams TO %s`,
		`GRANT SELECT, INSERT ON %s.billfold_transactions TO %s`,
		`GRANT SELECT, INSERT ON %s.billfold_checkpoints TO %s`,
	} {
		if _, err := db.Exec(ctx, fmt.Sprintf(q, testSchema, role)); err != nil {
			t.Fatal(err)
		}
	}
	s := pgstore.New(pool, pgstore.Options{Schema: testSchema, CacheStreams: -1})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate with nothing to migrate: %v", err)
	}
	stream := newStream("least")
	g := ledger.Grant("g", t0, ledger.Terms{Account: acct("cash")}, dec("10"), "")
	if _, err := s.Append(ctx, stream, 0, []ledger.Transaction{g}); err != nil {
		t.Fatalf("Append: %v", err)
	}
	j, _, err := s.Update(ctx, stream, func(ledger.Journal) ([]ledger.Transaction, error) {
		return []ledger.Transaction{spendTx("s", at(1), acct("cash"), "4")}, nil
	})
	if err != nil || j.Len() != 2 {
		t.Fatalf("Update: %d, %v", j.Len(), err)
	}
	if j, err := s.Load(ctx, stream); err != nil || !j.Balance(acct("cash")).Equal(dec("6")) {
		t.Fatalf("Load: %v", err)
	}
	if tx, ok, err := s.Resolve(ctx, stream, "s"); err != nil || !ok || tx.ID != "s" {
		t.Fatalf("Resolve: %v, %v", ok, err)
	}
	// Without a privilege the operations need, the error says so and is
	// not one to retry.
	if _, err := db.Exec(ctx, fmt.Sprintf(`REVOKE INSERT ON %s.billfold_transactions FROM %s`, testSchema, role)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Append(ctx, stream, 2, []ledger.Transaction{spendTx("s2", at(2), acct("cash"), "1")})
	if !errors.Is(err, pgstore.ErrSetup) || errors.Is(err, pgstore.ErrTransient) {
		t.Fatalf("Append without INSERT on the transactions: %v", err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM billfold_transactions WHERE stream = $1`, stream).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d transactions stored, %v", n, err)
	}
}
