package store

import (
	"context"
	"errors"
	"testing"
)

// A learner holds at most MaxQuizzes quizzes: the next is refused with
// ErrFull and nothing is written; another learner is not affected.
func TestLearnerHoldingsAreBounded(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	for n := range MaxQuizzes {
		mustCreateQuiz(t, db, learnerA, newQuiz(quizID(n+1), "saga-01"))
	}
	err := db.CreateQuiz(ctx, learnerA, newQuiz(quizID(MaxQuizzes+1), "saga-01"))
	var full *FullError
	if !errors.Is(err, ErrFull) || !errors.As(err, &full) || full.What != "quizzes" || full.Max != MaxQuizzes {
		t.Fatalf("quiz %d: %v, want a FullError for quizzes", MaxQuizzes+1, err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM quizzes WHERE learner_id = ?", learnerA); n != MaxQuizzes {
		t.Errorf("A holds %d quizzes, want %d", n, MaxQuizzes)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM quiz_items WHERE quiz_id = ?", quizID(MaxQuizzes+1)); n != 0 {
		t.Errorf("the refused quiz left %d items", n)
	}
	mustCreateQuiz(t, db, learnerB, newQuiz(quizID(MaxQuizzes+2), "saga-01"))

	// An import that would take A past the bound changes nothing.
	e, err := db.Export(ctx, learnerB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(ctx, learnerA, e); !errors.Is(err, ErrFull) {
		t.Errorf("importing a quiz into a full learner: %v, want ErrFull", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM quizzes WHERE learner_id = ?", learnerA); n != MaxQuizzes {
		t.Errorf("after the refused import A holds %d quizzes, want %d", n, MaxQuizzes)
	}
}
