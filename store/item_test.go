package store

import (
	"context"
	"errors"
	"testing"

	"microlab/quiz"
)

func TestQuizItemReadsOneQuestionWithItsAnswer(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	const learner, other = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	quizID := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	items := []quiz.Item{{QuestionID: "saga-01", Order: []int{2, 0, 1}}, {QuestionID: "saga-02", Order: []int{1, 0, 2}}}
	if err := db.CreateQuiz(ctx, learner, quiz.NewAttempt{ID: quizID, Seed: 7, Items: items}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAnswer(ctx, learner, quizID, 0, quiz.AnswerRecord{QuestionID: "saga-01", Choices: []int{2}, Score: 1, Correct: true}); err != nil {
		t.Fatal(err)
	}
	v, err := db.QuizItem(ctx, learner, quizID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v.QuestionID != "saga-01" || v.Total != 2 || v.Answered != 1 || v.Answer == nil || !v.Answer.Correct || v.Answer.Choices[0] != 2 || v.Order[0] != 2 {
		t.Errorf("item 0 = %+v (answer %+v)", v, v.Answer)
	}
	v, err = db.QuizItem(ctx, learner, quizID, 1)
	if err != nil || v.QuestionID != "saga-02" || v.Answer != nil || v.Answered != 1 {
		t.Errorf("item 1 = %+v, %v", v, err)
	}
	for name, call := range map[string]func() error{
		"another learner": func() error { _, err := db.QuizItem(ctx, other, quizID, 0); return err },
		"no such item":    func() error { _, err := db.QuizItem(ctx, learner, quizID, 2); return err },
		"no such quiz":    func() error { _, err := db.QuizItem(ctx, learner, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0); return err },
	} {
		if err := call(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}
