//go:build !unix

package pgstore_test

import "errors"

// cluster stands in for the throwaway server of cluster_test.go, which
// needs a unix system.
type cluster struct{ url string }

func startCluster() (*cluster, error) {
	return nil, errors.New("pgstore tests: starting a throwaway PostgreSQL server needs a unix system: set DATABASE_URL to a database the tests may create schemas in")
}

func (c *cluster) stop() {}
