package store

import (
	"context"
	"database/sql"
	"fmt"
)

// What one learner may hold. A learner is an anonymous cookie that costs
// nothing to make, so without a bound one client could fill the disk
// through one learner; these are far above what a person builds (a quiz a
// day for three years; a hundred reviews a day for half a year).
const (
	// MaxQuizzes is how many quizzes one learner may hold.
	MaxQuizzes = 1000
	// MaxReviewLogs is how many flashcard reviews one learner may hold.
	MaxReviewLogs = 20000
)

// checkHoldings returns an *FullError when the learner holds more than the
// bounds allow, as they stand in tx (after a write, which tx then rolls
// back).
func checkHoldings(ctx context.Context, tx *sql.Tx, learnerID string) error {
	for _, h := range []struct {
		what, query string
		max         int
	}{
		{"quizzes", "SELECT count(*) FROM quizzes WHERE learner_id = ?", MaxQuizzes},
		{"flashcard reviews", "SELECT count(*) FROM review_logs WHERE learner_id = ?", MaxReviewLogs},
		{"mock interviews", "SELECT count(*) FROM interviews WHERE learner_id = ?", MaxInterviews},
		{"challenge runs", "SELECT count(*) FROM challenge_runs WHERE learner_id = ?", MaxChallengeRuns},
	} {
		var n int
		if err := tx.QueryRowContext(ctx, h.query, learnerID).Scan(&n); err != nil {
			return err
		}
		if n > h.max {
			return &FullError{What: h.what, Max: h.max}
		}
	}
	return nil
}

// FullError is returned when a write would leave a learner holding more
// than one may; nothing is written. It matches ErrFull with errors.Is.
type FullError struct {
	// What is the kind of thing, "quizzes" or "flashcard reviews".
	What string
	// Max is how many of them one learner may hold.
	Max int
}

// Error says what is full.
func (e *FullError) Error() string { return fmt.Sprintf("%s: more than %d %s", ErrFull, e.Max, e.What) }

// Unwrap returns ErrFull.
func (e *FullError) Unwrap() error { return ErrFull }
