package store

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"microlab/quiz"
)

func TestCreateQuizStoresWhatWasPlanned(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	q := newQuiz(quizID(7), "saga-01", "saga-02", "bulkhead-01")
	q.Seed = math.MaxUint64 - 5 // the top bit set: stored as a negative integer
	q.Spec = quiz.Spec{Topics: []string{"saga", "bulkhead"}, Length: 10, Difficulty: quiz.DifficultyHard, OnlyIDs: []string{"saga-01"}}
	q.Items[1].Order = []int{0, 3, 1, 2}
	mustCreateQuiz(t, db, learnerA, q) // also creates learner A

	got := mustQuiz(t, db, learnerA, q.ID)
	want := quiz.Attempt{ID: q.ID, Spec: q.Spec, Seed: q.Seed, CreatedAt: c.Now(), Items: q.Items}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Quiz() =\n%+v\nwant\n%+v", got, want)
	}
	if got.Finished() {
		t.Error("a quiz without answers is finished")
	}
}

func TestCreateQuizRefusesBadQuizzes(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(1), "saga-01"))

	tooMany := newQuiz(quizID(2))
	for range maxQuizItems + 1 {
		tooMany.Items = append(tooMany.Items, quiz.Item{QuestionID: "saga-01", Order: []int{0}})
	}
	badSpec := newQuiz(quizID(2), "saga-01")
	badSpec.Spec.Difficulty = "brutal"
	for _, tc := range []struct {
		name    string
		learner string
		q       quiz.NewAttempt
	}{
		{"an id that is not 32 hex digits", learnerB, newQuiz("1234", "saga-01")},
		{"an id in upper case", learnerB, newQuiz(strings.ToUpper(quizID(0xabc)), "saga-01")},
		{"the id of another learner's quiz", learnerB, newQuiz(quizID(1), "saga-01")},
		{"the id of one's own quiz", learnerA, newQuiz(quizID(1), "saga-01")},
		{"no items", learnerB, newQuiz(quizID(2))},
		{"too many items", learnerB, tooMany},
		{"a question id without its number", learnerB, newQuiz(quizID(2), "saga")},
		{"a question id with spaces", learnerB, newQuiz(quizID(2), "sa ga-01")},
		{"an option order that repeats an option", learnerB, quiz.NewAttempt{ID: quizID(2), Items: []quiz.Item{{QuestionID: "saga-01", Order: []int{0, 0, 1}}}}},
		{"an option order that skips an option", learnerB, quiz.NewAttempt{ID: quizID(2), Items: []quiz.Item{{QuestionID: "saga-01", Order: []int{0, 2}}}}},
		{"an empty option order", learnerB, quiz.NewAttempt{ID: quizID(2), Items: []quiz.Item{{QuestionID: "saga-01", Order: nil}}}},
		{"an unknown difficulty", learnerB, badSpec},
	} {
		t.Run(tc.name+" is invalid", func(t *testing.T) {
			wantErr(t, "CreateQuiz", db.CreateQuiz(ctx, tc.learner, tc.q), ErrInvalid)
		})
	}
	if n := count(t, db, "SELECT COUNT(*) FROM quizzes"); n != 1 {
		t.Errorf("%d quizzes stored, want only the first", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM learners WHERE id = ?", learnerB); n != 0 {
		t.Error("refused quizzes created learner B")
	}
	if q := mustQuiz(t, db, learnerA, quizID(1)); len(q.Items) != 1 {
		t.Errorf("A's quiz has %d items after the refused attempts, want 1", len(q.Items))
	}
}

func TestAnotherLearnerCanNeitherReadNorAnswerAQuiz(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02"))
	mustCreateQuiz(t, db, learnerB, newQuiz(quizID(2), "saga-01"))

	_, errForeign := db.Quiz(ctx, learnerB, id)
	_, errMissing := db.Quiz(ctx, learnerB, quizID(99))
	wantErr(t, "B reads A's quiz", errForeign, ErrNotFound)
	wantErr(t, "B reads a quiz that does not exist", errMissing, ErrNotFound)
	if strings.ReplaceAll(errForeign.Error(), id, "ID") != strings.ReplaceAll(errMissing.Error(), quizID(99), "ID") {
		t.Errorf("the errors tell a foreign quiz from a missing one: %q vs %q", errForeign, errMissing)
	}
	wantErr(t, "B answers A's quiz", db.SaveAnswer(ctx, learnerB, id, 0, right("saga-01")), ErrNotFound)
	wantErr(t, "B answers A's quiz, malformed quiz id", db.SaveAnswer(ctx, learnerB, "nope", 0, right("saga-01")), ErrNotFound)

	if q := mustQuiz(t, db, learnerA, id); len(q.Answers) != 0 {
		t.Errorf("A's quiz has %d answers after B's attempt, want 0", len(q.Answers))
	}
	attempts, err := db.Attempts(ctx, learnerB, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 1 || attempts[0].QuizID != quizID(2) {
		t.Errorf("B's attempts = %+v, want only B's own quiz", attempts)
	}
}

func TestTheFirstAnswerStands(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02"))
	answeredAt := c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, id, 0, wrong("saga-01"))

	c.Advance(time.Minute)
	err := db.SaveAnswer(ctx, learnerA, id, 0, right("saga-01"))
	wantErr(t, "second answer", err, ErrAlreadyAnswered)
	var already *AlreadyAnsweredError
	if !errors.As(err, &already) {
		t.Fatalf("error %v is not an *AlreadyAnsweredError", err)
	}
	first := wrong("saga-01")
	first.AnsweredAt = answeredAt
	if !reflect.DeepEqual(already.First, first) {
		t.Errorf("the error's first answer = %+v, want %+v", already.First, first)
	}
	if !strings.Contains(err.Error(), id+"/0") {
		t.Errorf("error %q does not name the quiz and item", err)
	}
	if q := mustQuiz(t, db, learnerA, id); !reflect.DeepEqual(q.Answers, []quiz.AnswerRecord{first}) {
		t.Errorf("stored answers = %+v, want only the first %+v", q.Answers, first)
	}
}

func TestAnswersComeInOrder(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02", "saga-03"))

	wantErr(t, "answering item 1 first", db.SaveAnswer(ctx, learnerA, id, 1, right("saga-02")), ErrOutOfOrder)
	mustSaveAnswer(t, db, learnerA, id, 0, right("saga-01"))
	wantErr(t, "skipping item 1", db.SaveAnswer(ctx, learnerA, id, 2, right("saga-03")), ErrOutOfOrder)
	wantErr(t, "item 3 of 3", db.SaveAnswer(ctx, learnerA, id, 3, right("saga-04")), ErrNotFound)
	wantErr(t, "item -1", db.SaveAnswer(ctx, learnerA, id, -1, right("saga-01")), ErrNotFound)
	if q := mustQuiz(t, db, learnerA, id); len(q.Answers) != 1 {
		t.Errorf("%d answers stored, want 1", len(q.Answers))
	}
}

func TestAnswersThatDoNotFitTheirItemAreRefused(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01"))
	for _, tc := range []struct {
		name string
		a    quiz.AnswerRecord
	}{
		{"an answer to another question", right("saga-02")},
		{"a choice the question does not offer", quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{3}}},
		{"a negative choice", quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{-1}}},
		{"the same choice twice", quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{1, 1}}},
		{"more choices than options", quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{0, 1, 2, 3}}},
		{"a score above 1", quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{0}, Score: 1.5}},
		{"a score that is not a number", quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{0}, Score: math.NaN()}},
		{"a correct answer without full marks", quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{0}, Score: 0.5, Correct: true}},
	} {
		t.Run(tc.name+" is invalid", func(t *testing.T) {
			wantErr(t, "SaveAnswer", db.SaveAnswer(ctx, learnerA, id, 0, tc.a), ErrInvalid)
		})
	}
	if n := count(t, db, "SELECT COUNT(*) FROM answers"); n != 0 {
		t.Errorf("%d answers stored, want 0", n)
	}
}

func TestTheLastAnswerFinishesTheQuiz(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02"))
	c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, id, 0, right("saga-01"))
	if q := mustQuiz(t, db, learnerA, id); q.FinishedAt != nil {
		t.Errorf("finished at %v after one answer of two", q.FinishedAt)
	}
	end := c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, id, 1, wrong("saga-02"))
	q := mustQuiz(t, db, learnerA, id)
	if q.FinishedAt == nil || !q.FinishedAt.Equal(end) {
		t.Errorf("FinishedAt = %v, want %v", q.FinishedAt, end)
	}
	if len(q.Answers) != 2 || !q.Answers[1].AnsweredAt.Equal(end) {
		t.Errorf("answers = %+v, want two, the last at %v", q.Answers, end)
	}
}

func TestAQuizSurvivesReopeningTheDatabase(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "durable.db")
	db := mustOpenFile(t, path, c)
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02", "saga-03"))
	mustSaveAnswer(t, db, learnerA, id, 0, right("saga-01"))
	mustSaveAnswer(t, db, learnerA, id, 1, wrong("saga-02"))
	before := mustQuiz(t, db, learnerA, id)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpenFile(t, path, c)
	defer db.Close()
	if after := mustQuiz(t, db, learnerA, id); !reflect.DeepEqual(after, before) {
		t.Errorf("after reopening:\n%+v\nwant\n%+v", after, before)
	}
	mustSaveAnswer(t, db, learnerA, id, 2, right("saga-03"))
	if q := mustQuiz(t, db, learnerA, id); q.FinishedAt == nil {
		t.Error("the quiz is not finished after its last answer")
	}
}

func TestRefitOrderOnlyChangesTheLearnersUnansweredItem(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	id := quizID(3)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02"))
	mustSaveAnswer(t, db, learnerA, id, 0, wrong("saga-01"))

	wantErr(t, "an answered item", db.RefitOrder(ctx, learnerA, id, 0, []int{4, 3, 2, 1, 0}), ErrNotFound)
	wantErr(t, "another learner's quiz", db.RefitOrder(ctx, learnerB, id, 1, []int{1, 0}), ErrNotFound)
	wantErr(t, "no such item", db.RefitOrder(ctx, learnerA, id, 2, []int{1, 0}), ErrNotFound)
	wantErr(t, "not a permutation", db.RefitOrder(ctx, learnerA, id, 1, []int{0, 0}), ErrInvalid)

	refit := []int{4, 0, 3, 1, 2}
	if err := db.RefitOrder(ctx, learnerA, id, 1, refit); err != nil {
		t.Fatal(err)
	}
	q := mustQuiz(t, db, learnerA, id)
	if !reflect.DeepEqual(q.Items[1].Order, refit) {
		t.Errorf("item 1's order = %v, want %v", q.Items[1].Order, refit)
	}
	if want := newQuiz(id, "saga-01").Items[0].Order; !reflect.DeepEqual(q.Items[0].Order, want) {
		t.Errorf("the answered item's order changed to %v", q.Items[0].Order)
	}
	// The answer to the fifth option now fits the item.
	a := right("saga-02")
	a.Choices = []int{4}
	mustSaveAnswer(t, db, learnerA, id, 1, a)
}
