package quiz

import "time"

// AttemptSummary is one quiz in a learner's history.
type AttemptSummary struct {
	QuizID string
	// Topics are the topics of the quiz's questions, sorted.
	Topics    []string
	CreatedAt time.Time
	// FinishedAt is nil while the quiz is unfinished.
	FinishedAt *time.Time
	// Answered of Total items have an answer.
	Answered, Total int
	// Score is the points earned: the sum of the answers' scores, out of
	// Total.
	Score float64
}

// TopicStat sums up a learner's quiz answers on one topic.
type TopicStat struct {
	// Answered questions, of which Correct were fully right.
	Answered, Correct int
	// ScoreSum is the sum of the answers' scores, from 0 to Answered.
	ScoreSum float64
	// LastAt is when the latest of these answers was given.
	LastAt time.Time
}
