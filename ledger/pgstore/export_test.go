package pgstore

import "context"

// KeptLen is the length of the journal s keeps in memory for stream (0
// if none), for the tests of package pgstore_test.
func KeptLen(s *Store, stream string) int {
	k, _ := s.cache.get(stream)
	return k.j.Len()
}

// MigrateTo is Migrate up to step n only, for the tests of a migration.
func MigrateTo(ctx context.Context, s *Store, n int) error { return s.migrate(ctx, n) }

// Steps is the number of migration steps.
const Steps = len(steps)

// CheckpointStep is the migration step adding checkpoints.
const CheckpointStep = checkpointStep
