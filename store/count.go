package store

import (
	"context"
	"fmt"
)

// CountAnswers is the number of quiz answers stored, across all learners:
// what load tests compare with the answers the server acknowledged.
func (db *DB) CountAnswers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM answers").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count answers: %w", err)
	}
	return n, nil
}
