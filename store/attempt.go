package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"microlab/quiz"
)

// Bounds on what a quiz may hold. They are far above what quiz.Build makes
// (20 questions of at most 7 options) and exist so that no request or
// import can make the store keep or return something unreasonable.
const (
	maxQuizItems   = 100
	maxOptions     = 16
	maxSpecTopics  = 100
	maxSpecOnlyIDs = 1000
)

// checkSpec checks a spec before it is stored: bounded, and naming only
// well-formed topics and question ids.
func checkSpec(r quiz.SpecRecord) error {
	if r.Length < 0 || r.Length > maxQuizItems {
		return invalidf("quiz length %d is outside 0 to %d", r.Length, maxQuizItems)
	}
	if r.Difficulty != "" && !quiz.Difficulty(r.Difficulty).Valid() {
		return invalidf("difficulty %q is not easy, medium or hard", r.Difficulty)
	}
	if len(r.Topics) > maxSpecTopics {
		return invalidf("the spec names %d topics; at most %d are allowed", len(r.Topics), maxSpecTopics)
	}
	for _, t := range r.Topics {
		if !quiz.ValidTopic(t) {
			return invalidf("topic %q is not a slug", t)
		}
	}
	if len(r.OnlyIDs) > maxSpecOnlyIDs {
		return invalidf("the spec names %d questions; at most %d are allowed", len(r.OnlyIDs), maxSpecOnlyIDs)
	}
	for _, id := range r.OnlyIDs {
		if !quiz.ValidQuestionID(id) {
			return invalidf("question id %q is not a topic, a dash and two digits", id)
		}
	}
	return nil
}

// checkItems checks the items of a new or imported quiz.
func checkItems(items []quiz.Item) error {
	if len(items) == 0 || len(items) > maxQuizItems {
		return invalidf("a quiz has %d questions; it must have 1 to %d", len(items), maxQuizItems)
	}
	for i, it := range items {
		if !quiz.ValidQuestionID(it.QuestionID) {
			return invalidf("item %d: question id %q is not a topic, a dash and two digits", i, it.QuestionID)
		}
		if !isPermutation(it.Order) {
			return invalidf("item %d: option order %v does not list each of 1 to %d options once", i, it.Order, maxOptions)
		}
	}
	return nil
}

// isPermutation reports whether order holds each of 0 … len(order)-1 once,
// for 1 to maxOptions options.
func isPermutation(order []int) bool {
	if len(order) == 0 || len(order) > maxOptions {
		return false
	}
	seen := make([]bool, len(order))
	for _, v := range order {
		if v < 0 || v >= len(order) || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

// checkAnswer checks that a can be the answer to it: same question, each
// choice an option of the question at most once, a score from 0 to 1 and
// correct only with full marks.
func checkAnswer(a quiz.AnswerRecord, it quiz.Item) error {
	if a.QuestionID != it.QuestionID {
		return invalidf("the answer is to question %q, but the item asks %q", a.QuestionID, it.QuestionID)
	}
	if len(a.Choices) > len(it.Order) {
		return invalidf("the answer makes %d choices; the question has %d options", len(a.Choices), len(it.Order))
	}
	seen := make([]bool, len(it.Order))
	for _, c := range a.Choices {
		if c < 0 || c >= len(it.Order) || seen[c] {
			return invalidf("choices %v are not distinct options of a question with %d", a.Choices, len(it.Order))
		}
		seen[c] = true
	}
	if math.IsNaN(a.Score) || a.Score < 0 || a.Score > 1 {
		return invalidf("score %v is outside 0 to 1", a.Score)
	}
	if a.Correct && a.Score != 1 {
		return invalidf("an answer scoring %v cannot be correct", a.Score)
	}
	return nil
}

// CreateQuiz stores a new quiz for the learner, creating the learner if
// this is its first write, in one transaction. It returns an error wrapping
// ErrInvalid for a malformed learner or quiz id, a quiz id already taken, or
// items that are not 1 to 100 questions each with a permutation of its
// options.
func (db *DB) CreateQuiz(ctx context.Context, learnerID string, q quiz.NewAttempt) error {
	wrap := func(err error) error { return fmt.Errorf("store: create quiz %s: %w", q.ID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if !validID(q.ID) {
		return wrap(invalidf("quiz id %q is not 32 lower-case hex digits", q.ID))
	}
	spec := q.Spec.Record()
	if err := checkSpec(spec); err != nil {
		return wrap(err)
	}
	if err := checkItems(q.Items); err != nil {
		return wrap(err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		added, err := insertQuiz(ctx, tx, learnerID, q.ID, spec, q.Seed, db.now(), nil)
		if err != nil {
			return err
		}
		if !added {
			return invalidf("quiz id %s is already taken", q.ID)
		}
		if err := insertItems(ctx, tx, q.ID, q.Items); err != nil {
			return err
		}
		return checkHoldings(ctx, tx, learnerID)
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// insertQuiz adds a quiz row unless the id is taken, and reports whether
// it did.
func insertQuiz(ctx context.Context, tx *sql.Tx, learnerID, id string, spec quiz.SpecRecord, seed uint64, created time.Time, finished *time.Time) (bool, error) {
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return false, err
	}
	var fin sql.NullString
	if finished != nil {
		fin = nullTime(*finished)
	}
	return inserted(tx.ExecContext(ctx, `INSERT INTO quizzes (id, learner_id, spec, seed, created_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		id, learnerID, string(specJSON), seedColumn(seed), formatTime(created), fin))
}

func insertItems(ctx context.Context, tx *sql.Tx, quizID string, items []quiz.Item) error {
	for i, it := range items {
		_, err := tx.ExecContext(ctx, "INSERT INTO quiz_items (quiz_id, idx, question_id, option_order) VALUES (?, ?, ?, ?)",
			quizID, i, it.QuestionID, ints(it.Order))
		if err != nil {
			return err
		}
	}
	return nil
}

// Quiz returns the learner's quiz with its items and answers, read from one
// snapshot. It returns ErrNotFound when there is no such quiz or when it
// belongs to another learner: the two cases look the same from outside.
func (db *DB) Quiz(ctx context.Context, learnerID, quizID string) (quiz.Attempt, error) {
	wrap := func(err error) error { return fmt.Errorf("store: quiz %s: %w", quizID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return quiz.Attempt{}, wrap(err)
	}
	if !validID(quizID) {
		return quiz.Attempt{}, wrap(ErrNotFound)
	}
	var q quiz.Attempt
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		if q, err = readQuiz(ctx, tx, learnerID, quizID); err != nil {
			return err
		}
		if q.Items, err = readItems(ctx, tx, quizID); err != nil {
			return err
		}
		q.Answers, err = readAnswers(ctx, tx, quizID)
		return err
	})
	if err != nil {
		return quiz.Attempt{}, wrap(err)
	}
	return q, nil
}

// quizColumns are the columns of quizzes that scanQuiz reads, in its order.
const quizColumns = "id, spec, seed, created_at, finished_at"

// readQuiz reads the learner's quizzes row, without items and answers;
// ErrNotFound when the learner has no such quiz.
func readQuiz(ctx context.Context, tx *sql.Tx, learnerID, quizID string) (quiz.Attempt, error) {
	q, err := scanQuiz(tx.QueryRowContext(ctx, "SELECT "+quizColumns+" FROM quizzes WHERE id = ? AND learner_id = ?",
		quizID, learnerID).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return quiz.Attempt{}, ErrNotFound
	}
	return q, err
}

// scanQuiz reads one row of quizColumns.
func scanQuiz(scan func(dest ...any) error) (quiz.Attempt, error) {
	var (
		q        quiz.Attempt
		spec     string
		seed     int64
		created  string
		finished sql.NullString
	)
	if err := scan(&q.ID, &spec, &seed, &created, &finished); err != nil {
		return quiz.Attempt{}, err
	}
	var rec quiz.SpecRecord
	if err := json.Unmarshal([]byte(spec), &rec); err != nil {
		return quiz.Attempt{}, fmt.Errorf("stored spec of quiz %s: %w", q.ID, err)
	}
	q.Spec = rec.Spec()
	q.Seed = seedFromColumn(seed)
	var err error
	if q.CreatedAt, err = parseTime(created); err != nil {
		return quiz.Attempt{}, err
	}
	if q.FinishedAt, err = parseTimePtr(finished); err != nil {
		return quiz.Attempt{}, err
	}
	return q, nil
}

// parseTimePtr reads a nullable time column as a *time.Time.
func parseTimePtr(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func readItems(ctx context.Context, tx *sql.Tx, quizID string) ([]quiz.Item, error) {
	rows, err := tx.QueryContext(ctx, "SELECT question_id, option_order FROM quiz_items WHERE quiz_id = ? ORDER BY idx", quizID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []quiz.Item
	for rows.Next() {
		var (
			it    quiz.Item
			order string
		)
		if err := rows.Scan(&it.QuestionID, &order); err != nil {
			return nil, err
		}
		if it.Order, err = parseInts(order); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// answerColumns are the columns scanAnswer reads, in its order.
const answerColumns = "question_id, choices, score, correct, answered_at"

// scanAnswer reads one row of answerColumns.
func scanAnswer(scan func(dest ...any) error) (quiz.AnswerRecord, error) {
	var (
		a       quiz.AnswerRecord
		choices string
		at      string
	)
	if err := scan(&a.QuestionID, &choices, &a.Score, &a.Correct, &at); err != nil {
		return quiz.AnswerRecord{}, err
	}
	var err error
	if a.Choices, err = parseInts(choices); err != nil {
		return quiz.AnswerRecord{}, err
	}
	if a.AnsweredAt, err = parseTime(at); err != nil {
		return quiz.AnswerRecord{}, err
	}
	return a, nil
}

// readAnswers reads a quiz's answers in item order. They always cover the
// first items without a gap; anything else means the data is damaged.
func readAnswers(ctx context.Context, tx *sql.Tx, quizID string) ([]quiz.AnswerRecord, error) {
	rows, err := tx.QueryContext(ctx, "SELECT idx, "+answerColumns+" FROM answers WHERE quiz_id = ? ORDER BY idx", quizID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var answers []quiz.AnswerRecord
	for rows.Next() {
		var idx int
		a, err := scanAnswer(func(dest ...any) error { return rows.Scan(append([]any{&idx}, dest...)...) })
		if err != nil {
			return nil, err
		}
		if idx != len(answers) {
			return nil, fmt.Errorf("quiz %s has an answer to item %d but none to item %d", quizID, idx, len(answers))
		}
		answers = append(answers, a)
	}
	return answers, rows.Err()
}

// SaveAnswer records the learner's answer to item idx of a quiz and commits
// it before returning. When it is the answer to the last item, the quiz is
// marked finished in the same transaction.
//
// The first answer stands. SaveAnswer returns an error wrapping
//   - ErrNotFound when the quiz does not exist, belongs to another learner,
//     or has no item idx;
//   - ErrOutOfOrder when an earlier item is still unanswered;
//   - ErrAlreadyAnswered, as an *AlreadyAnsweredError holding the answer
//     that stands, when item idx already has an answer;
//   - ErrInvalid when the answer cannot belong to the item (another
//     question, choices that are not its options, a score outside 0 to 1).
//
// a.AnsweredAt is ignored: the answer is stamped with the store's clock.
func (db *DB) SaveAnswer(ctx context.Context, learnerID, quizID string, idx int, a quiz.AnswerRecord) error {
	wrap := func(err error) error { return fmt.Errorf("store: save answer %s/%d: %w", quizID, idx, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if !validID(quizID) || idx < 0 {
		return wrap(ErrNotFound)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// One statement finds the learner's quiz and, for item idx, how
		// many items the quiz has, how many before idx are answered, and the
		// item itself (NULL if there is none): each statement costs a round
		// trip through database/sql and cgo, and this is the hot path.
		var (
			items, earlier    int
			questionID, order sql.NullString
		)
		err := tx.QueryRowContext(ctx, `SELECT
				(SELECT COUNT(*) FROM quiz_items WHERE quiz_id = ?1),
				(SELECT COUNT(*) FROM answers WHERE quiz_id = ?1 AND idx < ?3),
				(SELECT question_id FROM quiz_items WHERE quiz_id = ?1 AND idx = ?3),
				(SELECT option_order FROM quiz_items WHERE quiz_id = ?1 AND idx = ?3)
			FROM quizzes WHERE id = ?1 AND learner_id = ?2`,
			quizID, learnerID, idx).Scan(&items, &earlier, &questionID, &order)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !questionID.Valid) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		it := quiz.Item{QuestionID: questionID.String}
		if it.Order, err = parseInts(order.String); err != nil {
			return err
		}
		if err := checkAnswer(a, it); err != nil {
			return err
		}
		if earlier < idx {
			return ErrOutOfOrder
		}

		now := db.now()
		added, err := insertAnswer(ctx, tx, quizID, idx, a, now)
		if err != nil {
			return err
		}
		if !added {
			first, err := scanAnswer(tx.QueryRowContext(ctx, "SELECT "+answerColumns+" FROM answers WHERE quiz_id = ? AND idx = ?",
				quizID, idx).Scan)
			if err != nil {
				return err
			}
			return &AlreadyAnsweredError{First: first}
		}
		if idx == items-1 {
			_, err = tx.ExecContext(ctx, "UPDATE quizzes SET finished_at = ? WHERE id = ?", formatTime(now), quizID)
		}
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// insertAnswer adds an answer unless the item already has one, and reports
// whether it did; the answer must have been checked against its item.
func insertAnswer(ctx context.Context, tx *sql.Tx, quizID string, idx int, a quiz.AnswerRecord, at time.Time) (bool, error) {
	return inserted(tx.ExecContext(ctx, `INSERT INTO answers
		(quiz_id, idx, question_id, topic, choices, score, correct, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (quiz_id, idx) DO NOTHING`,
		quizID, idx, a.QuestionID, quiz.TopicOf(a.QuestionID), ints(a.Choices), a.Score, a.Correct, formatTime(at)))
}

// RefitOrder replaces the option order of item idx of the learner's quiz,
// while it has no answer. A bank edit can change how many options a
// question has after a quiz was stored; the question page then shows the
// question in a fresh order (quiz.Presented) and keeps it here, so the
// answer it posts fits the item. It returns ErrNotFound when the learner
// has no such unanswered item, and ErrInvalid for an order that is not a
// permutation.
func (db *DB) RefitOrder(ctx context.Context, learnerID, quizID string, idx int, order []int) error {
	wrap := func(err error) error { return fmt.Errorf("store: refit order %s/%d: %w", quizID, idx, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if !validID(quizID) || idx < 0 {
		return wrap(ErrNotFound)
	}
	if !isPermutation(order) {
		return wrap(invalidf("order %v is not a permutation of 1 to %d options", order, maxOptions))
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE quiz_items SET option_order = ?
			WHERE quiz_id = ? AND idx = ?
			AND EXISTS (SELECT 1 FROM quizzes WHERE id = quiz_items.quiz_id AND learner_id = ?)
			AND NOT EXISTS (SELECT 1 FROM answers WHERE quiz_id = quiz_items.quiz_id AND idx = quiz_items.idx)`,
			ints(order), quizID, idx, learnerID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}
