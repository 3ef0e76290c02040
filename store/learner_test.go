package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"microlab/quiz"
)

func TestEnsureLearnerCreatesThenNotesTheVisit(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()

	if err := db.EnsureLearner(ctx, learnerA); err != nil {
		t.Fatal(err)
	}
	first := formatTime(c.Now())
	later := formatTime(c.Advance(time.Hour))
	if err := db.EnsureLearner(ctx, learnerA); err != nil {
		t.Fatal(err)
	}
	var created, seen string
	if err := db.read.QueryRow("SELECT created_at, seen_at FROM learners WHERE id = ?", learnerA).Scan(&created, &seen); err != nil {
		t.Fatal(err)
	}
	if created != first || seen != later {
		t.Errorf("created_at, seen_at = %s, %s; want %s, %s", created, seen, first, later)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM learners"); n != 1 {
		t.Errorf("%d learners, want 1", n)
	}
}

func TestMalformedLearnerIDsAreRefused(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	for _, id := range []string{
		"",
		strings.Repeat("a", 31),
		strings.Repeat("a", 33),
		strings.Repeat("A", 32), // upper case
		strings.Repeat("g", 32), // not hex
		"0123456789abcdef0123456789abcde ",
	} {
		wantErr(t, fmt.Sprintf("EnsureLearner(%q)", id), db.EnsureLearner(ctx, id), ErrInvalid)
		wantErr(t, fmt.Sprintf("DeleteLearner(%q)", id), db.DeleteLearner(ctx, id), ErrInvalid)
		wantErr(t, fmt.Sprintf("CreateQuiz(%q)", id), db.CreateQuiz(ctx, id, newQuiz(quizID(1), "saga-01")), ErrInvalid)
		_, err := db.Cards(ctx, id)
		wantErr(t, fmt.Sprintf("Cards(%q)", id), err, ErrInvalid)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM learners"); n != 0 {
		t.Errorf("%d learners were created from malformed ids", n)
	}
}

// fillLearner gives a learner a row in every table that holds learner data.
func fillLearner(tb testing.TB, db *DB, c *clock, learnerID string, n int) {
	tb.Helper()
	id := quizID(n)
	mustCreateQuiz(tb, db, learnerID, newQuiz(id, "saga-01", "bulkhead-02"))
	mustSaveAnswer(tb, db, learnerID, id, 0, right("saga-01"))
	mustReview(tb, db, c, learnerID, "what-are-microservices", quiz.Good)
	if err := db.SaveReviewSettings(context.Background(), learnerID, ReviewSettings{Decks: []string{"saga"}, NewPerDay: 5, ReviewsPerDay: 50}); err != nil {
		tb.Fatal(err)
	}
	mustCreateLinkCode(tb, db, learnerID, device(n)) // a device, the learner's mark and a code waiting
	if err := db.CreateInterview(context.Background(), learnerID, newInterview(quizID(500+n), c.Now())); err != nil {
		tb.Fatal(err)
	}
	if err := db.BoostCards(context.Background(), learnerID, []string{"saga/what-is-a-compensation"}); err != nil {
		tb.Fatal(err)
	}
	if err := db.SaveChallengeRun(context.Background(), learnerID, ChallengeRun{Challenge: "slow-payment", Settings: "breaker=on", Pass: true, Score: 900, At: c.Now()}); err != nil {
		tb.Fatal(err)
	}
	if err := db.SaveLabRun(context.Background(), learnerID, labRun(n, c.Now())); err != nil {
		tb.Fatal(err)
	}
}

func TestDeleteLearnerRemovesAllItsRowsAndNoOneElses(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	fillLearner(t, db, c, learnerA, 1)
	fillLearner(t, db, c, learnerB, 2)

	// How to count one learner's rows in each table. A table added later
	// without a rule here fails the test, so "delete my data" cannot
	// silently miss it. revoked_learners is the one table a delete adds
	// to: it holds the ids of learners who deleted their data, and nothing
	// else of theirs (checked at the end).
	rows, err := db.read.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('schema_migrations', 'revoked_learners') ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	countOf := func(table, learnerID string) int {
		t.Helper()
		var cols int
		db.read.QueryRow("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = 'learner_id'", table).Scan(&cols)
		switch {
		case table == "learners":
			return count(t, db, "SELECT COUNT(*) FROM learners WHERE id = ?", learnerID)
		case cols == 1:
			return count(t, db, "SELECT COUNT(*) FROM "+table+" WHERE learner_id = ?", learnerID)
		case table == "quiz_items" || table == "answers": // they belong to a learner through a quiz
			return count(t, db, "SELECT COUNT(*) FROM "+table+" WHERE quiz_id IN (SELECT id FROM quizzes WHERE learner_id = ?)", learnerID)
		case table == "interview_questions": // through an interview
			return count(t, db, "SELECT COUNT(*) FROM "+table+" WHERE interview_id IN (SELECT id FROM interviews WHERE learner_id = ?)", learnerID)
		}
		t.Fatalf("table %s has no learner_id column and no rule in this test", table)
		return 0
	}
	before := map[string]int{}
	for _, table := range tables {
		for _, l := range []string{learnerA, learnerB} {
			if countOf(table, l) == 0 {
				t.Fatalf("before the delete, learner %s has no row in %s: the test would prove nothing", l, table)
			}
		}
		before[table] = countOf(table, learnerB)
	}

	if err := db.DeleteLearner(ctx, learnerA); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if n := countOf(table, learnerA); n != 0 {
			t.Errorf("after deleting A, %s still holds %d of A's rows", table, n)
		}
		if got, want := countOf(table, learnerB), before[table]; got != want {
			t.Errorf("after deleting A, %s holds %d of B's rows, want %d", table, got, want)
		}
	}
	if _, err := db.Quiz(ctx, learnerB, quizID(2)); err != nil {
		t.Errorf("B's quiz after deleting A: %v", err)
	}
	// Deleting again, or someone never seen, is not an error.
	if err := db.DeleteLearner(ctx, learnerA); err != nil {
		t.Errorf("second DeleteLearner: %v", err)
	}
	if a, b := count(t, db, "SELECT COUNT(*) FROM revoked_learners WHERE id = ?", learnerA),
		count(t, db, "SELECT COUNT(*) FROM revoked_learners WHERE id = ?", learnerB); a != 1 || b != 0 {
		t.Errorf("revoked: A %d times, B %d times; want once and never", a, b)
	}
}

// A deleted learner's id is refused from then on, so a copy of the old
// cookie cannot bring it back; revocations older than a cookie's lifetime
// are pruned.
func TestDeletedLearnerIsRevoked(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	fillLearner(t, db, c, learnerA, 1)
	if err := db.DeleteLearner(ctx, learnerA); err != nil {
		t.Fatal(err)
	}
	if revoked, err := db.LearnerRevoked(ctx, learnerA); err != nil || !revoked {
		t.Fatalf("LearnerRevoked(A) = %v, %v; want true", revoked, err)
	}
	if revoked, _ := db.LearnerRevoked(ctx, learnerB); revoked {
		t.Error("B is revoked without having deleted anything")
	}
	if err := db.EnsureLearner(ctx, learnerA); !errors.Is(err, ErrRevoked) {
		t.Errorf("EnsureLearner(A) after the delete: %v, want ErrRevoked", err)
	}
	if err := db.CreateQuiz(ctx, learnerA, newQuiz(quizID(7), "saga-01")); !errors.Is(err, ErrRevoked) {
		t.Errorf("a quiz for A after the delete: %v, want ErrRevoked", err)
	}
	c.Advance(revokedFor + time.Hour)
	if err := db.DeleteLearner(ctx, learnerB); err != nil {
		t.Fatal(err)
	}
	if revoked, _ := db.LearnerRevoked(ctx, learnerA); revoked {
		t.Error("a revocation older than a cookie's lifetime was kept")
	}
}
