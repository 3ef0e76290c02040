package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"microlab/quiz"
)

func TestAttemptsListNewestFirstWithTheirTotals(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()

	first := c.Now()
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(1), "saga-01", "bulkhead-01", "saga-02"))
	mustSaveAnswer(t, db, learnerA, quizID(1), 0, right("saga-01"))
	mustSaveAnswer(t, db, learnerA, quizID(1), 1, quiz.AnswerRecord{QuestionID: "bulkhead-01", Choices: []int{0, 1}, Score: 0.5})
	end := c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, quizID(1), 2, wrong("saga-02"))

	second := c.Advance(time.Hour)
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(2), "api-gateway-03", "circuit-breaker-10"))
	mustSaveAnswer(t, db, learnerA, quizID(2), 0, right("api-gateway-03"))
	mustCreateQuiz(t, db, learnerB, newQuiz(quizID(3), "saga-01"))

	got, err := db.Attempts(ctx, learnerA, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []quiz.AttemptSummary{
		{QuizID: quizID(2), Topics: []string{"api-gateway", "circuit-breaker"}, CreatedAt: second, Answered: 1, Total: 2, Score: 1},
		{QuizID: quizID(1), Topics: []string{"bulkhead", "saga"}, CreatedAt: first, FinishedAt: &end, Answered: 3, Total: 3, Score: 1.5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Attempts =\n%+v\nwant\n%+v", got, want)
	}
	if got, err := db.Attempts(ctx, learnerA, 1); err != nil || len(got) != 1 || got[0].QuizID != quizID(2) {
		t.Errorf("Attempts(limit 1) = %+v, %v; want the newest only", got, err)
	}
	if got, err := db.Attempts(ctx, "cccccccccccccccccccccccccccccccc", 10); err != nil || len(got) != 0 {
		t.Errorf("Attempts of a learner never seen = %+v, %v; want none", got, err)
	}
}

func TestTopicStatsSumAnswersPerTopic(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(1), "saga-01", "saga-02", "bulkhead-01"))
	mustSaveAnswer(t, db, learnerA, quizID(1), 0, right("saga-01"))
	sagaLast := c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, quizID(1), 1, quiz.AnswerRecord{QuestionID: "saga-02", Choices: []int{1, 0}, Score: 0.25})
	bulkheadLast := c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, quizID(1), 2, wrong("bulkhead-01"))
	mustCreateQuiz(t, db, learnerB, newQuiz(quizID(2), "saga-01"))
	mustSaveAnswer(t, db, learnerB, quizID(2), 0, right("saga-01"))

	got, err := db.TopicStats(ctx, learnerA)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]quiz.TopicStat{
		"saga":     {Answered: 2, Correct: 1, ScoreSum: 1.25, LastAt: sagaLast},
		"bulkhead": {Answered: 1, Correct: 0, ScoreSum: 0, LastAt: bulkheadLast},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TopicStats =\n%+v\nwant\n%+v", got, want)
	}
}

func TestMissedQuestionsAreThoseWhoseLatestAnswerWasWrong(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	// First quiz: saga-01 wrong, saga-02 right, bulkhead-01 wrong, saga-03 partly right.
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(1), "saga-01", "saga-02", "bulkhead-01", "saga-03"))
	mustSaveAnswer(t, db, learnerA, quizID(1), 0, wrong("saga-01"))
	mustSaveAnswer(t, db, learnerA, quizID(1), 1, right("saga-02"))
	mustSaveAnswer(t, db, learnerA, quizID(1), 2, wrong("bulkhead-01"))
	mustSaveAnswer(t, db, learnerA, quizID(1), 3, quiz.AnswerRecord{QuestionID: "saga-03", Choices: []int{0, 1}, Score: 0.5})
	// Later: saga-01 now right, saga-02 now wrong. The quiz id is smaller,
	// so only the time can make these answers the latest.
	c.Advance(time.Hour)
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(0), "saga-01", "saga-02"))
	mustSaveAnswer(t, db, learnerA, quizID(0), 0, right("saga-01"))
	mustSaveAnswer(t, db, learnerA, quizID(0), 1, wrong("saga-02"))
	// Learner B's mistakes are B's.
	mustCreateQuiz(t, db, learnerB, newQuiz(quizID(2), "sidecar-01"))
	mustSaveAnswer(t, db, learnerB, quizID(2), 0, wrong("sidecar-01"))

	for _, tc := range []struct {
		name   string
		topics []string
		want   []string
	}{
		{"all topics", nil, []string{"bulkhead-01", "saga-02", "saga-03"}},
		{"one topic", []string{"saga"}, []string{"saga-02", "saga-03"}},
		{"a topic never answered", []string{"sidecar"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.MissedQuestionIDs(ctx, learnerA, tc.topics)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("MissedQuestionIDs(%v) = %v, want %v", tc.topics, got, tc.want)
			}
		})
	}
}
