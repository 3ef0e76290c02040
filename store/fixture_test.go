package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"microlab/quiz"
)

// Two learners, for tests of who may see what.
const (
	learnerA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	learnerB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// clock is a settable clock for Options.Now, safe to read from several
// goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d and returns the new time.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// mustOpenFile opens the database at path with the clock c; the caller
// closes it (tests that reopen a file need to choose when).
func mustOpenFile(tb testing.TB, path string, c *clock) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path, Options{Now: c.Now})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	return db
}

// mustOpenClock opens a database in a fresh temporary folder with the clock
// c and closes it when the test ends.
func mustOpenClock(tb testing.TB, c *clock) *DB {
	tb.Helper()
	db := mustOpenFile(tb, filepath.Join(tb.TempDir(), "microlab.db"), c)
	tb.Cleanup(func() { db.Close() })
	return db
}

// quizID returns a well-formed quiz id made from n.
func quizID(n int) string { return fmt.Sprintf("%032x", n) }

// newQuiz plans a quiz of the given questions, each with three options
// shown in the order 2, 0, 1.
func newQuiz(id string, questions ...string) quiz.NewAttempt {
	q := quiz.NewAttempt{ID: id, Spec: quiz.Spec{Topics: []string{"saga", "bulkhead"}, Length: 5}, Seed: 42}
	for _, qid := range questions {
		q.Items = append(q.Items, quiz.Item{QuestionID: qid, Order: []int{2, 0, 1}})
	}
	return q
}

// right and wrong are answers to a question of newQuiz whose option 0 is
// the correct one.
func right(questionID string) quiz.AnswerRecord {
	return quiz.AnswerRecord{QuestionID: questionID, Choices: []int{0}, Score: 1, Correct: true}
}

func wrong(questionID string) quiz.AnswerRecord {
	return quiz.AnswerRecord{QuestionID: questionID, Choices: []int{2}, Score: 0}
}

func mustCreateQuiz(tb testing.TB, db *DB, learnerID string, q quiz.NewAttempt) {
	tb.Helper()
	if err := db.CreateQuiz(context.Background(), learnerID, q); err != nil {
		tb.Fatalf("CreateQuiz(%s, %s): %v", learnerID, q.ID, err)
	}
}

func mustSaveAnswer(tb testing.TB, db *DB, learnerID, quizID string, idx int, a quiz.AnswerRecord) {
	tb.Helper()
	if err := db.SaveAnswer(context.Background(), learnerID, quizID, idx, a); err != nil {
		tb.Fatalf("SaveAnswer(%s, %s, %d): %v", learnerID, quizID, idx, err)
	}
}

func mustQuiz(tb testing.TB, db *DB, learnerID, quizID string) quiz.Attempt {
	tb.Helper()
	q, err := db.Quiz(context.Background(), learnerID, quizID)
	if err != nil {
		tb.Fatalf("Quiz(%s, %s): %v", learnerID, quizID, err)
	}
	return q
}

// mustReview reviews card cardID of the learner with rating r at the
// clock's time, as the web layer will, and saves it.
func mustReview(tb testing.TB, db *DB, c *clock, learnerID, cardID string, r quiz.Rating) quiz.Card {
	tb.Helper()
	ctx := context.Background()
	card, _, err := db.Card(ctx, learnerID, cardID)
	if err != nil {
		tb.Fatalf("Card(%s, %s): %v", learnerID, cardID, err)
	}
	next, log := quiz.DefaultScheduler().Review(card, r, c.Now())
	if err := db.SaveReview(ctx, learnerID, cardID, next, log); err != nil {
		tb.Fatalf("SaveReview(%s, %s): %v", learnerID, cardID, err)
	}
	return next
}

// wantErr fails the test unless err matches target.
func wantErr(tb testing.TB, what string, err, target error) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Errorf("%s: error = %v, want one wrapping %v", what, err, target)
	}
}

// count returns the result of a COUNT(*) query on the read pool.
func count(tb testing.TB, db *DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.read.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}
