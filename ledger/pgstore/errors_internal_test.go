package pgstore

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/billfold/billfold/ledger"
	"github.com/jackc/pgx/v5/pgconn"
)

// Every failure lands in the class that says what a host should do: the
// server's answer decides when there is one (whatever it answered, the
// database transaction rolled back); without one, a failure while the
// commit was being sent is an unknown outcome.
func TestClassify(t *testing.T) {
	live, dead := context.Background(), func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}()
	pg := func(code string) error { return &pgconn.PgError{Severity: "ERROR", Code: code, Message: "m"} }
	fatal := func(code string) error { return &pgconn.PgError{Severity: "FATAL", Code: code, Message: "m"} }
	for _, c := range []struct {
		name       string
		ctx        context.Context
		err        error
		committing bool
		want       error
	}{
		{"nul_byte", live, pg("22021"), true, ledger.ErrInvalid},
		{"numeric_out_of_range", live, pg("22003"), false, ledger.ErrInvalid},
		{"index_row_too_big", live, pg("54000"), true, ledger.ErrInvalid},
		{"serialization_failure", live, pg("40001"), true, ErrTransient},
		{"deadlock", live, pg("40P01"), false, ErrTransient},
		{"lock_timeout", live, pg("55P03"), false, ErrTransient},
		{"idle_in_transaction_timeout", live, pg("25P03"), true, ErrTransient},
		{"terminated_before_commit", live, fatal("57P01"), false, ErrTransient},
		{"terminated_in_commit", live, fatal("57P01"), true, ErrUnknownOutcome},
		{"idle_timeout_before_commit_arrived", live, fatal("25P03"), true, ErrTransient},
		{"serialization_failure_at_commit", live, pg("40001"), true, ErrTransient},
		{"cannot_connect", live, pg("08006"), false, ErrTransient},
		{"too_many_connections", live, pg("53300"), false, ErrTransient},
		{"undefined_table", live, pg("42P01"), false, ErrSetup},
		{"permission_denied", live, pg("42501"), true, ErrSetup},
		{"no_schema", live, pg("3F000"), false, ErrSetup},
		{"network_before_commit", live, io.ErrUnexpectedEOF, false, ErrTransient},
		{"network_in_commit", live, io.ErrUnexpectedEOF, true, ErrUnknownOutcome},
		{"cancelled_in_commit", dead, context.Canceled, true, ErrUnknownOutcome},
		{"cancelled_before_commit", dead, context.Canceled, false, context.Canceled},
		{"query_cancelled_by_ctx", dead, pg("57014"), false, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := classify(c.ctx, c.err, "s", c.committing, []string{"t1"})
			if !errors.Is(got, c.want) {
				t.Fatalf("classify = %v, want %v", got, c.want)
			}
			for _, other := range []error{ledger.ErrInvalid, ErrTransient, ErrSetup, ErrUnknownOutcome} {
				if other != c.want && errors.Is(got, other) {
					t.Fatalf("classify = %v, also %v", got, other)
				}
			}
			if !errors.Is(got, c.err) {
				t.Fatalf("classify = %v does not wrap the cause", got)
			}
			var oe *OutcomeError
			if errors.As(got, &oe) != (c.want == ErrUnknownOutcome) || oe != nil && (oe.Stream != "s" || len(oe.IDs) != 1) {
				t.Fatalf("classify = %#v", got)
			}
		})
	}
}
