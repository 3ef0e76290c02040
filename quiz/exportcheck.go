package quiz

import (
	"fmt"
	"time"
)

// ExportError is the first reason an export file cannot be imported. It
// names the place in the file, never a type of ours, so its message is
// meant for the person importing: "quizzes[2].items[0].order: …".
type ExportError struct {
	// Path is the field, in the file's own names and with indices from 0,
	// like "cards[3].stability"; "" when the problem is the whole file.
	Path string
	// Problem says what is wrong there.
	Problem string
}

// Error returns the path and the problem.
func (e *ExportError) Error() string {
	if e.Path == "" {
		return e.Problem
	}
	return e.Path + ": " + e.Problem
}

func exportErr(path, format string, args ...any) *ExportError {
	return &ExportError{Path: path, Problem: fmt.Sprintf(format, args...)}
}

// maxCardReps bounds a card's reviews and lapses: a review a minute for two
// years, far above any real card, and far enough below the integer's limit
// that another review cannot overflow it.
const maxCardReps = 1_000_000

// maxStability bounds a reviewed card's stability, in days: ten times the
// longest interval the scheduler gives, yet small enough that its formulas
// stay finite. Below minStability, or above this, a review gives NaN.
const maxStability = 365_000

// Check reports the first reason e cannot be imported against the catalog,
// as an *ExportError, and otherwise grades every answer again.
//
// A file can be edited, so nothing in it is trusted that the site can
// work out itself: every item must ask a question the catalog has, with an
// order listing each of its options once; every answer must be to its
// item's question, valid for it (ValidateAnswer), given after its quiz was
// created and before it was finished; a reviewed card must have a last
// review no later than its due time and a memory state the scheduler can
// go on from. An answer's score and correctness are then replaced by what
// Grade says, so a forged grade cannot feed mastery.
//
// Bounds that concern storage rather than meaning (id formats, years,
// counts) are the store's to check. When Check refuses, e is unchanged.
func (e *Export) Check(c *Catalog) error {
	if e.Format != ExportFormat {
		return exportErr("format", "this is not a Microlab export (the format is %q, not %q)", clip(e.Format), ExportFormat)
	}
	if !ReadsExportVersion(e.Version) {
		return exportErr("version", "version %d is not supported; this site reads versions %d to %d", e.Version, MinExportVersion, ExportVersion)
	}
	for i, q := range e.Quizzes {
		if err := checkExportQuiz(c, q, fmt.Sprintf("quizzes[%d]", i)); err != nil {
			return err
		}
	}
	for i, card := range e.Cards {
		if err := checkExportCard(card, fmt.Sprintf("cards[%d]", i)); err != nil {
			return err
		}
	}
	// Only now, with nothing refused, is e changed.
	for _, q := range e.Quizzes {
		for j := range q.Answers {
			a := &q.Answers[j]
			question, _ := c.Question(a.QuestionID)
			res := Grade(question, Answer{Choices: a.Choices})
			a.Score, a.Correct = res.Score, res.Correct
		}
	}
	return nil
}

// checkExportQuiz checks one quiz's items against the catalog, its answers
// against its items, and its times against each other.
func checkExportQuiz(c *Catalog, q ExportQuiz, path string) error {
	questions := make([]Question, len(q.Items))
	for j, it := range q.Items {
		at := fmt.Sprintf("%s.items[%d]", path, j)
		question, ok := c.Question(it.QuestionID)
		if !ok {
			return exportErr(at+".question_id", "there is no question %q on this site", clip(it.QuestionID))
		}
		if n := len(question.Options); !isOrderOf(it.Order, n) {
			what := fmt.Sprintf("has %d entries", len(it.Order))
			if len(it.Order) == n {
				what = "repeats an option or names one it does not have"
			}
			return exportErr(at+".order", "question %s has %d options, so the order lists each of 0 to %d once; this one %s",
				question.ID, n, n-1, what)
		}
		questions[j] = question
	}
	if len(q.Answers) > len(q.Items) {
		return exportErr(path+".answers", "%d answers to %d items", len(q.Answers), len(q.Items))
	}
	last := q.CreatedAt
	for j, a := range q.Answers {
		at := fmt.Sprintf("%s.answers[%d]", path, j)
		if a.QuestionID != q.Items[j].QuestionID {
			return exportErr(at+".question_id", "the answer is to question %q, but item %d asks %s", clip(a.QuestionID), j, q.Items[j].QuestionID)
		}
		if err := ValidateAnswer(questions[j], Answer{Choices: a.Choices}); err != nil {
			return exportErr(at+".choices", "%s", err)
		}
		if a.AnsweredAt.Before(q.CreatedAt) {
			return exportErr(at+".answered_at", "%s is before the quiz was created, at %s", stamp(a.AnsweredAt), stamp(q.CreatedAt))
		}
		if a.AnsweredAt.After(last) {
			last = a.AnsweredAt
		}
	}
	if q.FinishedAt != nil && q.FinishedAt.Before(last) {
		return exportErr(path+".finished_at", "%s is before the quiz's last answer, at %s", stamp(*q.FinishedAt), stamp(last))
	}
	return nil
}

// checkExportCard checks that a card is one the scheduler could have left,
// so that it can be reviewed again: a card last reviewed after its due
// time would stay due for ever, since a review older than the stored one
// never replaces it.
func checkExportCard(card ExportCard, path string) error {
	switch {
	case card.Reps > maxCardReps || card.Lapses > maxCardReps:
		return exportErr(path, "%d reviews and %d lapses are more than a card can have had", card.Reps, card.Lapses)
	case card.LastReview != nil && card.LastReview.After(card.Due):
		return exportErr(path+".last_review", "%s is after the card's due time, %s; a card falls due after its last review",
			stamp(*card.LastReview), stamp(card.Due))
	case State(card.State) == StateNew:
		return nil
	case card.LastReview == nil:
		return exportErr(path+".last_review", "the card is in state %d, so it has been reviewed and needs the time of its last review", card.State)
	case !(card.Stability >= minStability && card.Stability <= maxStability):
		return exportErr(path+".stability", "%v is outside %v to %v days", card.Stability, minStability, float64(maxStability))
	case !(card.Difficulty >= minDifficulty && card.Difficulty <= maxDifficulty):
		return exportErr(path+".difficulty", "%v is outside %v to %v", card.Difficulty, minDifficulty, maxDifficulty)
	}
	return nil
}

// isOrderOf reports whether order lists each of 0 … n-1 exactly once.
func isOrderOf(order []int, n int) bool {
	if len(order) != n {
		return false
	}
	seen := make([]bool, n)
	for _, v := range order {
		if v < 0 || v >= n || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

// stamp writes a time as the file does.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// clip shortens text from the file that a message repeats, so that a
// message stays a sentence however long the file's value.
func clip(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
