package pgstore

// KeptLen is the length of the journal s keeps in memory for stream (0
// if none), for the tests of package pgstore_test.
func KeptLen(s *Store, stream string) int {
	k, _ := s.cache.get(stream)
	return k.j.Len()
}

// CheckpointStep is the migration step adding checkpoints.
const CheckpointStep = checkpointStep
