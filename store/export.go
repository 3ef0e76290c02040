package store

import (
	"context"
	"database/sql"
	"fmt"

	"microlab/quiz"
)

// Export returns all of the learner's data, read from one snapshot:
// quizzes oldest first, cards by id, review logs oldest first. A learner
// never seen has an empty export.
func (db *DB) Export(ctx context.Context, learnerID string) (quiz.Export, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return quiz.Export{}, fmt.Errorf("store: export: %w", err)
	}
	e := quiz.Export{
		Format:     quiz.ExportFormat,
		Version:    quiz.ExportVersion,
		ExportedAt: ms(db.now()),
		Quizzes:    []quiz.ExportQuiz{},
		Cards:      []quiz.ExportCard{},
		ReviewLogs: []quiz.ExportReviewLog{},
	}
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		if err := exportQuizzes(ctx, tx, learnerID, &e); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+cardColumns+", suspended FROM review_cards WHERE learner_id = ? ORDER BY card_id", learnerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var suspended bool
			id, c, err := scanCard(func(dest ...any) error { return rows.Scan(append(dest, &suspended)...) })
			if err != nil {
				return err
			}
			card := quiz.NewExportCard(id, c)
			card.Suspended = suspended
			e.Cards = append(e.Cards, card)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if e.ReviewSettings, err = exportSettings(ctx, tx, learnerID); err != nil {
			return err
		}
		sessions, _, err := readInterviews(ctx, tx, "i.learner_id = ?", learnerID)
		if err != nil {
			return err
		}
		for i := len(sessions) - 1; i >= 0; i-- { // oldest first
			e.Interviews = append(e.Interviews, exportInterview(sessions[i]))
		}
		runs, err := db.challengeRunsTx(ctx, tx, `SELECT challenge, settings, pass, score, created_at FROM challenge_runs
			WHERE learner_id = ? ORDER BY created_at, challenge`, learnerID)
		if err != nil {
			return err
		}
		for _, r := range runs {
			e.ChallengeRuns = append(e.ChallengeRuns, quiz.ExportChallengeRun{Challenge: r.Challenge, Settings: r.Settings, Pass: r.Pass, Score: r.Score, At: r.At})
		}
		rows, err = tx.QueryContext(ctx, `SELECT card_id, rating, reviewed_at, state, elapsed_days, interval_ns
			FROM review_logs WHERE learner_id = ? ORDER BY reviewed_at, card_id`, learnerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanLog(rows.Scan)
			if err != nil {
				return err
			}
			e.ReviewLogs = append(e.ReviewLogs, quiz.NewExportReviewLog(r))
		}
		return rows.Err()
	})
	if err != nil {
		return quiz.Export{}, fmt.Errorf("store: export %s: %w", learnerID, err)
	}
	return e, nil
}

// exportQuizzes reads the learner's quizzes, then all their items and all
// their answers in two queries, rather than two queries per quiz.
func exportQuizzes(ctx context.Context, tx *sql.Tx, learnerID string, e *quiz.Export) error {
	rows, err := tx.QueryContext(ctx, "SELECT "+quizColumns+" FROM quizzes WHERE learner_id = ? ORDER BY created_at, id", learnerID)
	if err != nil {
		return err
	}
	defer rows.Close()
	at := make(map[string]int) // quiz id → index in e.Quizzes
	for rows.Next() {
		q, err := scanQuiz(rows.Scan)
		if err != nil {
			return err
		}
		at[q.ID] = len(e.Quizzes)
		e.Quizzes = append(e.Quizzes, quiz.ExportQuiz{ID: q.ID, Spec: q.Spec.Record(), Seed: q.Seed,
			CreatedAt: q.CreatedAt, FinishedAt: q.FinishedAt, Items: []quiz.Item{}, Answers: []quiz.AnswerRecord{}})
	}
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = tx.QueryContext(ctx, `SELECT i.quiz_id, i.question_id, i.option_order
		FROM quiz_items i JOIN quizzes q ON q.id = i.quiz_id
		WHERE q.learner_id = ? ORDER BY i.quiz_id, i.idx`, learnerID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var quizID, order string
		var it quiz.Item
		if err := rows.Scan(&quizID, &it.QuestionID, &order); err != nil {
			return err
		}
		if it.Order, err = parseInts(order); err != nil {
			return err
		}
		q := &e.Quizzes[at[quizID]]
		q.Items = append(q.Items, it)
	}
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = tx.QueryContext(ctx, "SELECT quiz_id, idx, "+answerColumns+` FROM answers
		WHERE quiz_id IN (SELECT id FROM quizzes WHERE learner_id = ?) ORDER BY quiz_id, idx`, learnerID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var quizID string
		var idx int
		a, err := scanAnswer(func(dest ...any) error { return rows.Scan(append([]any{&quizID, &idx}, dest...)...) })
		if err != nil {
			return err
		}
		i, ok := at[quizID]
		if !ok {
			return fmt.Errorf("answer %s/%d has no quiz of learner %s", quizID, idx, learnerID)
		}
		q := &e.Quizzes[i]
		if idx != len(q.Answers) {
			return fmt.Errorf("quiz %s has an answer to item %d but none to item %d", quizID, idx, len(q.Answers))
		}
		q.Answers = append(q.Answers, a)
	}
	return rows.Err()
}

// exportSettings reads the learner's saved review settings, or nil when
// they saved none (the defaults then apply wherever the file goes).
func exportSettings(ctx context.Context, tx *sql.Tx, learnerID string) (*quiz.ExportReviewSettings, error) {
	s, saved, err := savedSettings(ctx, tx, learnerID)
	if err != nil || !saved {
		return nil, err
	}
	return &quiz.ExportReviewSettings{Decks: s.Decks, NewPerDay: s.NewPerDay, ReviewsPerDay: s.ReviewsPerDay}, nil
}
