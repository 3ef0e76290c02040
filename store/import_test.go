package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// mustOpenBatch opens a fresh database whose imports write at most batch
// rows a transaction, and records the rows of each committed transaction.
func mustOpenBatch(tb testing.TB, batch int) (*DB, *[]int) {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "microlab.db"), Options{Now: newClock().Now, ImportBatch: batch})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	var commits []int
	db.importCommitted = func(rows int) { commits = append(commits, rows) }
	return db, &commits
}

// An import is written in transactions of at most ImportBatch rows, a quiz
// never split, and between two of them the writer is free: another
// learner's answer is saved while the import is under way.
func TestImportCommitsInBoundedTransactions(t *testing.T) {
	db, commits := mustOpenBatch(t, 100)
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(1), "saga-01", "saga-02", "saga-03"))
	answered := 0
	db.importCommitted = func(rows int) {
		*commits = append(*commits, rows)
		// The import's transaction has committed: A's answer must not
		// wait for the rest of the import.
		if answered < 3 {
			mustSaveAnswer(t, db, learnerA, quizID(1), answered, right(fmt.Sprintf("saga-%02d", answered+1)))
			answered++
		}
	}
	// 30 quizzes of 20 answered items (41 rows each: two fit in 100),
	// 300 review logs of 300 cards.
	e := bigExport(30, 300)
	stats := mustImport(t, db, learnerB, e)
	if stats.Quizzes != 30 || stats.Answers != 600 || stats.Cards != 300 || stats.ReviewLogs != 300 {
		t.Fatalf("stats %+v, want 30 quizzes, 600 answers, 300 cards and logs", stats)
	}
	total := 0
	for i, rows := range *commits {
		if rows > 100 {
			t.Errorf("transaction %d wrote %d rows, more than the batch of 100", i, rows)
		}
		total += rows
	}
	// Two quizzes (82 rows) to a transaction: 14 of them, then the last
	// two quizzes topped up with 18 cards, then the other 582 card and log
	// rows in five transactions of 100 and one of 82.
	if want := 30*41 + 300 + 300; total != want {
		t.Errorf("the transactions wrote %d rows, want %d", total, want)
	}
	if want := 15 + 6; len(*commits) != want {
		t.Errorf("%d transactions (%v), want %d", len(*commits), *commits, want)
	}
	if answered != 3 {
		t.Errorf("A saved %d answers during the import, want 3", answered)
	}
	if got := mustQuiz(t, db, learnerA, quizID(1)); len(got.Answers) != 3 {
		t.Errorf("A's quiz has %d answers, want 3", len(got.Answers))
	}

	// A quiz larger than the batch is written whole, alone.
	small, commits := mustOpenBatch(t, 10)
	mustImport(t, small, learnerB, bigExport(2, 0))
	if len(*commits) != 2 || (*commits)[0] != 41 || (*commits)[1] != 41 {
		t.Errorf("two 41-row quizzes with a batch of 10: transactions %v, want [41 41]", *commits)
	}
}

// An import cut short keeps what it committed, and importing the same file
// again completes it: the learner ends with exactly the data of an import
// that ran through.
func TestAnInterruptedImportCompletesOnTheNextImport(t *testing.T) {
	e := bigExport(12, 200)
	whole, _ := mustOpenBatch(t, 100)
	mustImport(t, whole, learnerB, e)
	want := mustExport(t, whole, learnerB)

	db, _ := mustOpenBatch(t, 100)
	ctx, cancel := context.WithCancel(context.Background())
	db.importCommitted = func(int) { cancel() }
	first, err := db.Import(ctx, learnerB, e)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("import cancelled after its first transaction: %v, want context.Canceled", err)
	}
	if first.Quizzes != 2 || first.Answers != 40 || first.Cards != 0 {
		t.Errorf("the cut import reports %+v, want the 2 quizzes of its first transaction", first)
	}
	db.importCommitted = nil
	second := mustImport(t, db, learnerB, e)
	if second.Quizzes != 10 || second.Answers != 200 || second.Cards != 200 || second.ReviewLogs != 200 {
		t.Errorf("the second import reports %+v, want the other 10 quizzes, 200 answers, cards and logs", second)
	}
	sameData(t, "after an interrupted import and a second one", mustExport(t, db, learnerB), want)
}

// Holdings are counted before anything is written: an import that would
// take the learner past a bound is refused whole, however small the
// batches, and one that adds nothing new is accepted at the bound.
func TestAnImportPastTheHoldingsChangesNothing(t *testing.T) {
	ctx := context.Background()
	db, commits := mustOpenBatch(t, 1)
	for n := range MaxQuizzes - 1 {
		mustCreateQuiz(t, db, learnerA, newQuiz(quizID(n+1), "saga-01"))
	}
	two := bigExport(2, 0)
	var full *FullError
	if _, err := db.Import(ctx, learnerA, two); !errors.As(err, &full) || full.What != "quizzes" {
		t.Fatalf("importing 2 quizzes into %d of %d: %v, want a FullError for quizzes", MaxQuizzes-1, MaxQuizzes, err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM quizzes WHERE learner_id = ?", learnerA); n != MaxQuizzes-1 {
		t.Errorf("after the refused import A holds %d quizzes, want %d", n, MaxQuizzes-1)
	}
	if len(*commits) != 0 {
		t.Errorf("the refused import committed %d transactions", len(*commits))
	}

	// One new quiz fits; then A is at the bound, and the same file again,
	// which adds nothing, is still accepted.
	one := bigExport(1, 0)
	mustImport(t, db, learnerA, one)
	if stats := mustImport(t, db, learnerA, one); stats.Quizzes != 0 {
		t.Errorf("re-importing a quiz A holds, at the bound: %+v, want nothing added", stats)
	}

	// Review logs: the same, counted by (card, instant), a file's own
	// repeats once.
	logs, _ := mustOpenBatch(t, 1000)
	mustImport(t, logs, learnerB, bigExport(0, MaxReviewLogs-1))
	over := bigExport(0, MaxReviewLogs+1)
	if _, err := logs.Import(ctx, learnerB, over); !errors.As(err, &full) || full.What != "flashcard reviews" {
		t.Fatalf("importing 2 new reviews into %d of %d: %v, want a FullError for reviews", MaxReviewLogs-1, MaxReviewLogs, err)
	}
	if n := count(t, logs, "SELECT COUNT(*) FROM review_logs WHERE learner_id = ?", learnerB); n != MaxReviewLogs-1 {
		t.Errorf("after the refused import B holds %d reviews, want %d", n, MaxReviewLogs-1)
	}
	exact := bigExport(0, MaxReviewLogs)
	exact.ReviewLogs = append(exact.ReviewLogs, exact.ReviewLogs[0])
	if stats := mustImport(t, logs, learnerB, exact); stats.ReviewLogs != 1 {
		t.Errorf("importing 1 new review (and a repeat) at %d of %d: %+v, want 1 added", MaxReviewLogs-1, MaxReviewLogs, stats)
	}
}
