package web

import (
	"context"
	"time"

	"microlab/interview"
	"microlab/quiz"
	"microlab/store"
)

// LearnerStore is what the quiz, review and progress pages need of the
// store: a learner's quiz history, flashcards and the data they can take
// out, bring in or delete. It is declared here, beside the handlers that
// call it, so the web layer depends on these methods and not on all of
// store.DB; *store.DB is the one implementation.
type LearnerStore interface {
	// The quiz pages.
	CreateQuiz(ctx context.Context, learnerID string, q quiz.NewAttempt) error
	Quiz(ctx context.Context, learnerID, quizID string) (quiz.Attempt, error)
	QuizItem(ctx context.Context, learnerID, quizID string, idx int) (quiz.ItemView, error)
	SaveAnswer(ctx context.Context, learnerID, quizID string, idx int, a quiz.AnswerRecord) error
	RefitOrder(ctx context.Context, learnerID, quizID string, idx int, order []int) error
	MissedQuestionIDs(ctx context.Context, learnerID string, topics []string) ([]string, error)

	// The review page, and quizzes feeding wrong answers into it.
	Cards(ctx context.Context, learnerID string) (map[string]quiz.Card, error)
	Card(ctx context.Context, learnerID, cardID string) (quiz.Card, bool, error)
	SaveReview(ctx context.Context, learnerID, cardID string, c quiz.Card, log quiz.ReviewLog) error
	ReviewSettings(ctx context.Context, learnerID string) (store.ReviewSettings, error)
	SaveReviewSettings(ctx context.Context, learnerID string, s store.ReviewSettings) error
	ReviewCounts(ctx context.Context, learnerID string, since time.Time) (reviews, introduced int, err error)
	ReviewLogsSince(ctx context.Context, learnerID string, since time.Time) ([]quiz.CardReview, error)
	SuspendedCards(ctx context.Context, learnerID string) (map[string]bool, error)
	SetSuspended(ctx context.Context, learnerID, cardID string, suspended bool) error
	ResetCard(ctx context.Context, learnerID, cardID string) error
	Undoable(ctx context.Context, learnerID string) (store.LastReview, bool, error)
	UndoReview(ctx context.Context, learnerID, cardID string, reviewed time.Time) error

	// The mock interview.
	CreateInterview(ctx context.Context, learnerID string, s interview.Session) error
	Interview(ctx context.Context, learnerID, id string) (interview.Session, []int64, error)
	Interviews(ctx context.Context, learnerID string, limit int) ([]interview.Session, error)
	UpdateInterview(ctx context.Context, learnerID string, s interview.Session, i int, version int64) error
	BoostCards(ctx context.Context, learnerID string, cardIDs []string) error
	BoostedCards(ctx context.Context, learnerID string) (map[string]time.Time, error)

	// Challenges.
	SaveChallengeRun(ctx context.Context, learnerID string, r store.ChallengeRun) error
	ChallengeBests(ctx context.Context, learnerID string) (map[string]store.ChallengeRun, error)
	LastChallengeRun(ctx context.Context, learnerID, challenge string) (store.ChallengeRun, bool, error)
	// Recorded lab runs (labruns.go).
	SaveLabRun(ctx context.Context, learnerID string, r store.LabRun) error
	GetLabRun(ctx context.Context, id string, now time.Time) (store.LabRun, error)
	LabRuns(ctx context.Context, learnerID string, now time.Time) ([]store.LabRun, error)
	DeleteLabRun(ctx context.Context, learnerID, id string) error
	DeleteExpiredLabRuns(ctx context.Context, now time.Time) (int64, error)

	// The progress page and the learner's own data.
	Attempts(ctx context.Context, learnerID string, limit int) ([]quiz.AttemptSummary, error)
	TopicStats(ctx context.Context, learnerID string) (map[string]quiz.TopicStat, error)
	Export(ctx context.Context, learnerID string) (quiz.Export, error)
	Import(ctx context.Context, learnerID string, e quiz.Export) (store.ImportStats, error)
	DeleteLearner(ctx context.Context, id string) error
	// LearnerRevoked reports whether id deleted their data, so that a
	// replayed cookie gets a new learner rather than the old id.
	LearnerRevoked(ctx context.Context, id string) (bool, error)

	// Linked devices (devices.go): codes that carry a learner to another
	// browser, the browsers that carry one, and the check every request
	// with a learner cookie makes.
	CreateLinkCode(ctx context.Context, learnerID string, self store.NewDevice) (store.LinkCode, error)
	RedeemLinkCode(ctx context.Context, code string, j store.Joining) (string, error)
	Devices(ctx context.Context, learnerID string) ([]store.Device, error)
	SignOutDevice(ctx context.Context, learnerID, deviceID string) error
	DeviceSignedIn(ctx context.Context, learnerID, deviceID string) (bool, error)
	LearnerHasProgress(ctx context.Context, learnerID string) (bool, error)
}
