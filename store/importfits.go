package store

import (
	"context"
	"database/sql"

	"microlab/quiz"
)

// importFits returns a *FullError if importing e would leave the learner
// holding more than the bounds allow, counting in one snapshot the quizzes
// and review logs the import would add. Most imports are far below the
// bounds, and cost two counts.
func (db *DB) importFits(ctx context.Context, learnerID string, e quiz.Export) error {
	return db.inReadTx(ctx, func(tx *sql.Tx) error {
		var quizzes, logs int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM quizzes WHERE learner_id = ?", learnerID).Scan(&quizzes); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM review_logs WHERE learner_id = ?", learnerID).Scan(&logs); err != nil {
			return err
		}
		if quizzes+len(e.Quizzes) > MaxQuizzes {
			for _, q := range e.Quizzes {
				isNew, err := quizIsNew(ctx, tx, learnerID, q.ID)
				if err != nil {
					return err
				}
				if isNew {
					quizzes++
				}
			}
			if quizzes > MaxQuizzes {
				return &FullError{What: "quizzes", Max: MaxQuizzes}
			}
		}
		var interviews int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM interviews WHERE learner_id = ?", learnerID).Scan(&interviews); err != nil {
			return err
		}
		if interviews+len(e.Interviews) > MaxInterviews {
			for _, iv := range e.Interviews {
				isNew, err := interviewIsNew(ctx, tx, learnerID, iv.ID)
				if err != nil {
					return err
				}
				if isNew {
					interviews++
				}
			}
			if interviews > MaxInterviews {
				return &FullError{What: "mock interviews", Max: MaxInterviews}
			}
		}
		var runs int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM challenge_runs WHERE learner_id = ?", learnerID).Scan(&runs); err != nil {
			return err
		}
		// A run already held is not added again, but the count is cheap to
		// take as an upper bound: past it, count what is new.
		if runs+len(e.ChallengeRuns) > MaxChallengeRuns {
			for _, r := range e.ChallengeRuns {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM challenge_runs WHERE learner_id = ? AND challenge = ? AND created_at = ?",
					learnerID, r.Challenge, formatTime(r.At)).Scan(&n); err != nil {
					return err
				}
				runs += 1 - n
			}
			if runs > MaxChallengeRuns {
				return &FullError{What: "challenge runs", Max: MaxChallengeRuns}
			}
		}
		if logs+len(e.ReviewLogs) > MaxReviewLogs {
			// A log is keyed as insertLog's ON CONFLICT keys it.
			type key struct{ card, at string }
			seen := make(map[key]bool, len(e.ReviewLogs))
			for _, l := range e.ReviewLogs {
				k := key{l.CardID, formatTime(l.ReviewedAt)}
				if seen[k] {
					continue
				}
				seen[k] = true
				var n int
				err := tx.QueryRowContext(ctx, "SELECT count(*) FROM review_logs WHERE learner_id = ? AND card_id = ? AND reviewed_at = ?",
					learnerID, k.card, k.at).Scan(&n)
				if err != nil {
					return err
				}
				logs += 1 - n
			}
			if logs > MaxReviewLogs {
				return &FullError{What: "flashcard reviews", Max: MaxReviewLogs}
			}
		}
		return nil
	})
}

// quizIsNew reports whether importing the quiz id would add a quiz to the
// learner's, as importQuiz decides: not if the learner has it, or has its
// copy, or if both the id and the copy's id are another learner's.
func quizIsNew(ctx context.Context, tx *sql.Tx, learnerID, id string) (bool, error) {
	owner, err := quizOwner(ctx, tx, id)
	if err != nil || owner == "" || owner == learnerID {
		return owner == "", err
	}
	owner, err = quizOwner(ctx, tx, copyID(learnerID, id))
	return owner == "", err
}
