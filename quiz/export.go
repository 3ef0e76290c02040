package quiz

import "time"

// The export format: a learner's own data, as a file they can keep and
// import elsewhere. Files are written at ExportVersion; readers accept
// this format at any version from MinExportVersion. Version 2 added
// review_settings and a card's suspended flag, both optional, so a
// version 1 file reads as one without them. Version 3 added interviews and
// challenge runs, optional too.
const (
	ExportFormat     = "microlab-export"
	ExportVersion    = 3
	MinExportVersion = 1
)

// ReadsExportVersion reports whether this site imports files of version v.
func ReadsExportVersion(v int) bool { return v >= MinExportVersion && v <= ExportVersion }

// Export is all of one learner's data, shaped for JSON. Its field names
// and their order are the file format: change them only with a new
// ExportVersion, or files already downloaded stop importing.
type Export struct {
	// Format is always ExportFormat and Version ExportVersion.
	Format     string            `json:"format"`
	Version    int               `json:"version"`
	ExportedAt time.Time         `json:"exported_at"`
	Quizzes    []ExportQuiz      `json:"quizzes"`
	Cards      []ExportCard      `json:"cards"`
	ReviewLogs []ExportReviewLog `json:"review_logs"`
	// ReviewSettings are the learner's review choices, when they saved
	// any; a file without them leaves the importer's as they are.
	ReviewSettings *ExportReviewSettings `json:"review_settings,omitempty"`
	// Interviews are the learner's mock interviews, oldest first.
	Interviews []ExportInterview `json:"interviews,omitempty"`
	// ChallengeRuns are the learner's scored challenge runs, oldest first.
	ChallengeRuns []ExportChallengeRun `json:"challenge_runs,omitempty"`
}

// ExportChallengeRun is one scored run of a challenge; settings are the
// knobs as submitted, URL-encoded.
type ExportChallengeRun struct {
	Challenge string    `json:"challenge"`
	Settings  string    `json:"settings"`
	Pass      bool      `json:"pass"`
	Score     int       `json:"score"`
	At        time.Time `json:"at"`
}

// ExportInterview is one mock interview (interview.Session); a time not
// reached yet is left out.
type ExportInterview struct {
	ID         string                    `json:"id"`
	Format     string                    `json:"format"`
	Topic      string                    `json:"topic,omitempty"`
	CreatedAt  time.Time                 `json:"created_at"`
	FinishedAt *time.Time                `json:"finished_at,omitempty"`
	Questions  []ExportInterviewQuestion `json:"questions"`
}

// ExportInterviewQuestion is one question of a mock interview.
type ExportInterviewQuestion struct {
	Ref        string     `json:"ref"`
	SpeakingMS int64      `json:"speaking_ms"`
	FollowUp   int        `json:"follow_up"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	RevealedAt *time.Time `json:"revealed_at,omitempty"`
	RatedAt    *time.Time `json:"rated_at,omitempty"`
	Notes      string     `json:"notes,omitempty"`
	Ticks      string     `json:"ticks,omitempty"`
}

// ExportReviewSettings are the decks a learner studies (none: all of
// them) and their daily limits.
type ExportReviewSettings struct {
	Decks         []string `json:"decks"`
	NewPerDay     int      `json:"new_per_day"`
	ReviewsPerDay int      `json:"reviews_per_day"`
}

// ExportQuiz is one quiz with its items and answers; Answers[i] answers
// Items[i].
type ExportQuiz struct {
	ID   string     `json:"id"`
	Spec SpecRecord `json:"spec"`
	// Seed is written as a string: JSON readers that use doubles would
	// round a 64-bit integer.
	Seed       uint64         `json:"seed,string"`
	CreatedAt  time.Time      `json:"created_at"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
	Items      []Item         `json:"items"`
	Answers    []AnswerRecord `json:"answers"`
}

// ExportCard is the FSRS state of one flashcard (Card). State is
// numbered as State: 0 new, 1 learning, 2 review, 3 relearning.
type ExportCard struct {
	CardID     string     `json:"card_id"`
	State      int        `json:"state"`
	Step       int        `json:"step"`
	Stability  float64    `json:"stability"`
	Difficulty float64    `json:"difficulty"`
	Due        time.Time  `json:"due"`
	LastReview *time.Time `json:"last_review,omitempty"`
	Reps       int        `json:"reps"`
	Lapses     int        `json:"lapses"`
	// Suspended cards are never due until the learner unsuspends them.
	Suspended bool `json:"suspended,omitempty"`
}

// ExportReviewLog is one review of one flashcard (ReviewLog). Rating is
// numbered as Rating (1 again … 4 easy), State as in ExportCard.
type ExportReviewLog struct {
	CardID      string    `json:"card_id"`
	Rating      int       `json:"rating"`
	ReviewedAt  time.Time `json:"reviewed_at"`
	State       int       `json:"state"`
	ElapsedDays int       `json:"elapsed_days"`
	IntervalNS  int64     `json:"interval_ns"`
}

// NewExportCard is card c, whose id is id, as the file keeps it: a card
// never reviewed has no last_review rather than the zero time.
func NewExportCard(id string, c Card) ExportCard {
	e := ExportCard{CardID: id, State: int(c.State), Step: c.Step, Stability: c.Stability, Difficulty: c.Difficulty,
		Due: c.Due, Reps: c.Reps, Lapses: c.Lapses}
	if !c.LastReview.IsZero() {
		last := c.LastReview
		e.LastReview = &last
	}
	return e
}

// Card returns the card as the scheduler takes it.
func (e ExportCard) Card() Card {
	c := Card{State: State(e.State), Step: e.Step, Stability: e.Stability, Difficulty: e.Difficulty,
		Due: e.Due, Reps: e.Reps, Lapses: e.Lapses}
	if e.LastReview != nil {
		c.LastReview = *e.LastReview
	}
	return c
}

// NewExportReviewLog is review r as the file keeps it.
func NewExportReviewLog(r CardReview) ExportReviewLog {
	return ExportReviewLog{CardID: r.CardID, Rating: int(r.Rating), ReviewedAt: r.Reviewed, State: int(r.State),
		ElapsedDays: r.ElapsedDays, IntervalNS: int64(r.Interval)}
}

// ReviewLog returns the review as the scheduler logs it.
func (e ExportReviewLog) ReviewLog() ReviewLog {
	return ReviewLog{Rating: Rating(e.Rating), Reviewed: e.ReviewedAt, State: State(e.State),
		ElapsedDays: e.ElapsedDays, Interval: time.Duration(e.IntervalNS)}
}
