package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"microlab/quiz"
)

// maxList bounds the rows a list method returns.
const maxList = 1000

// listLimit turns a caller's limit into one within 1 … maxList; zero or a
// negative limit means maxList.
func listLimit(limit int) int {
	if limit <= 0 || limit > maxList {
		return maxList
	}
	return limit
}

// Attempts returns the learner's quizzes, newest first, at most limit of
// them (at most 1000; zero or less means 1000). A learner without quizzes,
// or never seen, has none.
func (db *DB) Attempts(ctx context.Context, learnerID string, limit int) ([]quiz.AttemptSummary, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return nil, fmt.Errorf("store: attempts: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT q.id, q.created_at, q.finished_at,
			(SELECT group_concat(question_id, ' ') FROM quiz_items WHERE quiz_id = q.id),
			(SELECT COUNT(*) FROM quiz_items WHERE quiz_id = q.id),
			(SELECT COUNT(*) FROM answers WHERE quiz_id = q.id),
			(SELECT COALESCE(SUM(score), 0) FROM answers WHERE quiz_id = q.id)
		FROM quizzes q WHERE q.learner_id = ?
		ORDER BY q.created_at DESC, q.id DESC LIMIT ?`, learnerID, listLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: attempts of %s: %w", learnerID, err)
	}
	defer rows.Close()
	var list []quiz.AttemptSummary
	for rows.Next() {
		var (
			a         quiz.AttemptSummary
			created   string
			finished  sql.NullString
			questions string
		)
		if err := rows.Scan(&a.QuizID, &created, &finished, &questions, &a.Total, &a.Answered, &a.Score); err != nil {
			return nil, fmt.Errorf("store: attempts of %s: %w", learnerID, err)
		}
		if a.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("store: attempts of %s: %w", learnerID, err)
		}
		if a.FinishedAt, err = parseTimePtr(finished); err != nil {
			return nil, fmt.Errorf("store: attempts of %s: %w", learnerID, err)
		}
		for _, id := range strings.Fields(questions) {
			if t := quiz.TopicOf(id); !slices.Contains(a.Topics, t) {
				a.Topics = append(a.Topics, t)
			}
		}
		slices.Sort(a.Topics)
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: attempts of %s: %w", learnerID, err)
	}
	return list, nil
}

// TopicStats returns the learner's quiz answers summed up per topic. Topics
// the learner has never answered are absent from the map.
func (db *DB) TopicStats(ctx context.Context, learnerID string) (map[string]quiz.TopicStat, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return nil, fmt.Errorf("store: topic stats: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT a.topic, COUNT(*), SUM(a.correct), SUM(a.score), MAX(a.answered_at)
		FROM quizzes q JOIN answers a ON a.quiz_id = q.id
		WHERE q.learner_id = ? GROUP BY a.topic`, learnerID)
	if err != nil {
		return nil, fmt.Errorf("store: topic stats of %s: %w", learnerID, err)
	}
	defer rows.Close()
	stats := make(map[string]quiz.TopicStat)
	for rows.Next() {
		var (
			topic string
			s     quiz.TopicStat
			last  string
		)
		if err := rows.Scan(&topic, &s.Answered, &s.Correct, &s.ScoreSum, &last); err != nil {
			return nil, fmt.Errorf("store: topic stats of %s: %w", learnerID, err)
		}
		if s.LastAt, err = parseTime(last); err != nil {
			return nil, fmt.Errorf("store: topic stats of %s: %w", learnerID, err)
		}
		stats[topic] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: topic stats of %s: %w", learnerID, err)
	}
	return stats, nil
}

// MissedQuestionIDs returns, sorted, the ids of the questions whose latest
// answer by the learner was not fully correct: what "retry the ones I
// missed" asks again. With topics, only questions of those topics count;
// with none, all do. Between two answers given in the same millisecond,
// the one of the quiz with the greater id counts as the later.
func (db *DB) MissedQuestionIDs(ctx context.Context, learnerID string, topics []string) ([]string, error) {
	wrap := func(err error) error { return fmt.Errorf("store: missed questions of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return nil, wrap(err)
	}
	if len(topics) > maxSpecTopics {
		return nil, wrap(invalidf("%d topics asked; at most %d are allowed", len(topics), maxSpecTopics))
	}
	filter, args := "", []any{learnerID}
	if len(topics) > 0 {
		list, err := json.Marshal(topics)
		if err != nil {
			return nil, wrap(err)
		}
		filter = " AND a.topic IN (SELECT value FROM json_each(?))"
		args = append(args, string(list))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT question_id FROM (
			SELECT a.question_id, a.correct, ROW_NUMBER() OVER (
				PARTITION BY a.question_id ORDER BY a.answered_at DESC, a.quiz_id DESC, a.idx DESC) AS latest
			FROM quizzes q JOIN answers a ON a.quiz_id = q.id
			WHERE q.learner_id = ?`+filter+`
		) WHERE latest = 1 AND correct = 0 ORDER BY question_id`, args...)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return ids, nil
}
