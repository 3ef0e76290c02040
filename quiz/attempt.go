package quiz

import "time"

// A learner's quiz history is made of the types below: what a built quiz
// keeps (its spec, seed and the order each question's options were shown
// in) and the graded answers given to it. They hold no question text,
// which stays in the Catalog, so a history outlives edits to the banks.

// NewAttempt is a quiz that Build has planned, ready to be stored: an
// Attempt before its first answer.
type NewAttempt struct {
	// ID is 32 lower-case hex digits of randomness, chosen by the caller.
	ID   string
	Spec Spec
	// Seed is the seed Build was given, kept to explain the quiz later.
	Seed  uint64
	Items []Item
}

// Item is one question of a stored quiz: Planned without the question's
// text, which stays in the catalog.
type Item struct {
	// QuestionID is the question's id in the catalog, like "saga-03".
	QuestionID string `json:"question_id"`
	// Order lists option indices (bank order) in the order to show them.
	Order []int `json:"order"`
}

// AnswerRecord is a learner's graded answer to one quiz item.
type AnswerRecord struct {
	// QuestionID must be the question of the item answered.
	QuestionID string `json:"question_id"`
	// Choices are option indices in bank order, as in Answer.
	Choices []int `json:"choices"`
	// Score and Correct are the grade, as in Result.
	Score   float64 `json:"score"`
	Correct bool    `json:"correct"`
	// AnsweredAt is when the answer was given. The store stamps a new
	// answer with its own clock and ignores this; an import keeps it.
	AnsweredAt time.Time `json:"answered_at"`
}

// Attempt is a stored quiz and how far the learner has got.
type Attempt struct {
	ID        string
	Spec      Spec
	Seed      uint64
	CreatedAt time.Time
	// FinishedAt is when the last item was answered; nil until then.
	FinishedAt *time.Time
	Items      []Item
	// Answers[i] is the answer to Items[i]. Items are answered in order, so
	// the answered items are exactly the first len(Answers).
	Answers []AnswerRecord
}

// Finished reports whether every item has been answered.
func (a Attempt) Finished() bool { return a.FinishedAt != nil }

// SpecRecord is a Spec as the store and exports keep it. Its JSON names
// are part of the export format: they must not change even if Spec's
// fields are renamed.
type SpecRecord struct {
	Topics     []string `json:"topics,omitempty"`
	Length     int      `json:"length"`
	Difficulty string   `json:"difficulty,omitempty"`
	OnlyIDs    []string `json:"only_ids,omitempty"`
}

// Record returns the spec as it is kept.
func (s Spec) Record() SpecRecord {
	return SpecRecord{Topics: s.Topics, Length: s.Length, Difficulty: string(s.Difficulty), OnlyIDs: s.OnlyIDs}
}

// Spec returns the record as a Spec.
func (r SpecRecord) Spec() Spec {
	return Spec{Topics: r.Topics, Length: r.Length, Difficulty: Difficulty(r.Difficulty), OnlyIDs: r.OnlyIDs}
}
