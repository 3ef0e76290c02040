package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"microlab/quiz"
)

// QuizItem reads item idx (from 0) of the learner's quiz in one query:
// the question page's read, which runs once for every question a learner
// sees. It returns ErrNotFound when the quiz does not exist, is another
// learner's, or has no item idx.
func (db *DB) QuizItem(ctx context.Context, learnerID, quizID string, idx int) (quiz.ItemView, error) {
	wrap := func(err error) error { return fmt.Errorf("store: quiz %s item %d: %w", quizID, idx, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return quiz.ItemView{}, wrap(err)
	}
	if !validID(quizID) || idx < 0 {
		return quiz.ItemView{}, wrap(ErrNotFound)
	}
	var (
		v                 quiz.ItemView
		order             string
		aq, achoices, aat sql.NullString
		ascore            sql.NullFloat64
		acorrect          sql.NullBool
	)
	err := db.read.QueryRowContext(ctx, `SELECT i.question_id, i.option_order,
			(SELECT COUNT(*) FROM quiz_items WHERE quiz_id = q.id),
			(SELECT COUNT(*) FROM answers WHERE quiz_id = q.id),
			a.question_id, a.choices, a.score, a.correct, a.answered_at
		FROM quizzes q
		JOIN quiz_items i ON i.quiz_id = q.id AND i.idx = ?3
		LEFT JOIN answers a ON a.quiz_id = q.id AND a.idx = ?3
		WHERE q.id = ?1 AND q.learner_id = ?2`, quizID, learnerID, idx).
		Scan(&v.QuestionID, &order, &v.Total, &v.Answered, &aq, &achoices, &ascore, &acorrect, &aat)
	if errors.Is(err, sql.ErrNoRows) {
		return quiz.ItemView{}, wrap(ErrNotFound)
	}
	if err != nil {
		return quiz.ItemView{}, wrap(err)
	}
	if v.Order, err = parseInts(order); err != nil {
		return quiz.ItemView{}, wrap(err)
	}
	if aq.Valid {
		a := quiz.AnswerRecord{QuestionID: aq.String, Score: ascore.Float64, Correct: acorrect.Bool}
		if a.Choices, err = parseInts(achoices.String); err != nil {
			return quiz.ItemView{}, wrap(err)
		}
		if a.AnsweredAt, err = parseTime(aat.String); err != nil {
			return quiz.ItemView{}, wrap(err)
		}
		v.Answer = &a
	}
	return v, nil
}
