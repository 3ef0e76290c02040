package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"microlab/quiz"
)

// Bounds on what one import may hold: years of steady study, yet an import
// at the bounds (about 170 000 rows) holds the single writer, and so every
// other learner's writes, for about a second.
const (
	maxImportQuizzes = 10_000
	maxImportItems   = 50_000 // items of all quizzes; answers are no more
	maxImportCards   = 10_000
	maxImportLogs    = 50_000
	// maxProblems is how many problems an invalid import reports.
	maxProblems = 10
)

// ImportStats counts what an import added.
type ImportStats struct {
	// Quizzes added, Renamed of them under a new id (see Import).
	Quizzes, Renamed int
	// Skipped quizzes the learner already has with other items, or whose
	// id and renamed id are both another learner's.
	Skipped int
	// Answers added, to new quizzes or to unanswered items of existing
	// ones.
	Answers int
	// Cards added or replaced by a version reviewed later.
	Cards int
	// ReviewLogs added.
	ReviewLogs int
}

// Import merges an export into the learner's data, creating the learner if
// needed, in one transaction. Importing the same export twice adds nothing.
//
// It checks the whole export first: the format and version, well-formed
// ids, values in range and bounded counts (10 000 quizzes and cards, 50 000
// quiz items and answers, 50 000 review logs). If anything is wrong, it
// returns an *InvalidError (wrapping ErrInvalid) that lists the first
// problems by their path in the file, and changes nothing. The store does
// not know the catalog: whether the items, answers and grades make sense
// is quiz.Export.Check's to say, and a caller importing a file from
// outside runs it first.
//
// Merging never overwrites: a quiz the learner has already is kept and
// only its unanswered items take the imported answers; a review log at an
// instant already logged for its card is skipped; of two versions of a
// card the one reviewed later stays. A quiz whose id is another learner's
// is never attached to that learner's quiz: it is copied under an id
// derived from this learner's id and the original, so that moving one's
// data between browsers on the same server keeps the quiz history, and a
// second import finds the copy.
func (db *DB) Import(ctx context.Context, learnerID string, e quiz.Export) (ImportStats, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return ImportStats{}, fmt.Errorf("store: import: %w", err)
	}
	if err := checkExport(e); err != nil {
		return ImportStats{}, fmt.Errorf("store: import into %s: %w", learnerID, err)
	}
	var stats ImportStats
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		for _, q := range e.Quizzes {
			if err := importQuiz(ctx, tx, learnerID, q, &stats); err != nil {
				return fmt.Errorf("quiz %s: %w", q.ID, err)
			}
		}
		for _, c := range e.Cards {
			changed, err := upsertCard(ctx, tx, learnerID, c.CardID, c.Card())
			if err != nil {
				return fmt.Errorf("card %s: %w", c.CardID, err)
			}
			if changed {
				stats.Cards++
			}
		}
		for _, l := range e.ReviewLogs {
			added, err := insertLog(ctx, tx, learnerID, l.CardID, l.ReviewLog())
			if err != nil {
				return fmt.Errorf("review of %s: %w", l.CardID, err)
			}
			if added {
				stats.ReviewLogs++
			}
		}
		return checkHoldings(ctx, tx, learnerID)
	})
	if err != nil {
		return ImportStats{}, fmt.Errorf("store: import into %s: %w", learnerID, err)
	}
	return stats, nil
}

// importQuiz adds one checked quiz to the learner's data, or merges its
// answers into the learner's copy of it.
func importQuiz(ctx context.Context, tx *sql.Tx, learnerID string, q quiz.ExportQuiz, stats *ImportStats) error {
	id := q.ID
	owner, err := quizOwner(ctx, tx, id)
	if err != nil {
		return err
	}
	renamed := owner != "" && owner != learnerID
	if renamed {
		id = copyID(learnerID, q.ID)
		if owner, err = quizOwner(ctx, tx, id); err != nil {
			return err
		}
		if owner != "" && owner != learnerID {
			stats.Skipped++
			return nil
		}
	}

	if owner == "" {
		if _, err := insertQuiz(ctx, tx, learnerID, id, q.Spec, q.Seed, q.CreatedAt, q.FinishedAt); err != nil {
			return err
		}
		if err := insertItems(ctx, tx, id, q.Items); err != nil {
			return err
		}
		for i, a := range q.Answers {
			if _, err := insertAnswer(ctx, tx, id, i, a, a.AnsweredAt); err != nil {
				return err
			}
		}
		stats.Quizzes++
		stats.Answers += len(q.Answers)
		if renamed {
			stats.Renamed++
		}
		return nil
	}

	// The learner has this quiz: it must be the same quiz to take answers.
	items, err := readItems(ctx, tx, id)
	if err != nil {
		return err
	}
	if !sameItems(items, q.Items) {
		stats.Skipped++
		return nil
	}
	// Both the stored and the imported answers cover the first items
	// without a gap, so their union does too.
	for i, a := range q.Answers {
		added, err := insertAnswer(ctx, tx, id, i, a, a.AnsweredAt)
		if err != nil {
			return err
		}
		if added {
			stats.Answers++
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE quizzes SET finished_at = (SELECT MAX(answered_at) FROM answers WHERE quiz_id = ?1)
		WHERE id = ?1 AND finished_at IS NULL
			AND (SELECT COUNT(*) FROM answers WHERE quiz_id = ?1) = (SELECT COUNT(*) FROM quiz_items WHERE quiz_id = ?1)`, id)
	return err
}

// quizOwner returns the learner a quiz id belongs to, or "" when it is free.
func quizOwner(ctx context.Context, tx *sql.Tx, quizID string) (string, error) {
	var owner string
	err := tx.QueryRowContext(ctx, "SELECT learner_id FROM quizzes WHERE id = ?", quizID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return owner, err
}

// copyID is the id under which learnerID keeps its copy of a quiz whose id
// belongs to another learner: the same for the same two ids, so a second
// import finds the first copy, and unrelated to any other learner's ids.
func copyID(learnerID, quizID string) string {
	sum := sha256.Sum256([]byte("microlab quiz copy\x00" + learnerID + "\x00" + quizID))
	return hex.EncodeToString(sum[:idLen/2])
}

func sameItems(a, b []quiz.Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].QuestionID != b[i].QuestionID || ints(a[i].Order) != ints(b[i].Order) {
			return false
		}
	}
	return true
}

// checkExport validates the whole export before anything is written, and
// returns an error wrapping ErrInvalid listing the first problems found.
func checkExport(e quiz.Export) error {
	if e.Format != quiz.ExportFormat {
		return invalidf("this is not a Microlab export (format %q, want %q)", e.Format, quiz.ExportFormat)
	}
	if e.Version != quiz.ExportVersion {
		return invalidf("export version %d is not supported; this server reads version %d", e.Version, quiz.ExportVersion)
	}
	// Problems are named by their path in the file, as quiz.Export.Check
	// names them, so that both read alike to the person importing.
	var problems []string
	add := func(where string, err error) {
		if len(problems) < maxProblems {
			problems = append(problems, where+": "+reason(err))
		}
	}
	bound := func(what string, n, limit int) {
		if n > limit {
			add(what, fmt.Errorf("%d of them; at most %d can be imported", n, limit))
		}
	}
	items := 0
	for _, q := range e.Quizzes {
		items += len(q.Items)
	}
	bound("quizzes", len(e.Quizzes), maxImportQuizzes)
	bound("quizzes[].items", items, maxImportItems)
	bound("cards", len(e.Cards), maxImportCards)
	bound("review_logs", len(e.ReviewLogs), maxImportLogs)
	if len(problems) > 0 {
		return invalidf("%s", strings.Join(problems, "; "))
	}

	seen := make(map[string]bool)
	for i, q := range e.Quizzes {
		where := fmt.Sprintf("quizzes[%d]", i)
		if seen[q.ID] {
			add(where, fmt.Errorf("the id appears twice"))
		}
		seen[q.ID] = true
		if err := checkExportQuiz(q); err != nil {
			add(where, err)
		}
	}
	clear(seen)
	for i, c := range e.Cards {
		where := fmt.Sprintf("cards[%d]", i)
		if seen[c.CardID] {
			add(where, fmt.Errorf("the id appears twice"))
		}
		seen[c.CardID] = true
		if !validCardID(c.CardID) {
			add(where, fmt.Errorf("the id is not 1 to %d letters, digits or -_./:#", maxCardIDLen))
		}
		if err := checkCard(c.Card()); err != nil {
			add(where, err)
		}
	}
	for i, l := range e.ReviewLogs {
		where := fmt.Sprintf("review_logs[%d]", i)
		if !validCardID(l.CardID) {
			add(where, fmt.Errorf("the card id is not 1 to %d letters, digits or -_./:#", maxCardIDLen))
		}
		if err := checkLog(l.ReviewLog()); err != nil {
			add(where, err)
		}
	}
	if len(problems) > 0 {
		return invalidf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// checkExportQuiz checks one quiz of an export as CreateQuiz and SaveAnswer
// would have checked it, plus the times the store normally sets itself.
func checkExportQuiz(q quiz.ExportQuiz) error {
	if !validID(q.ID) {
		return fmt.Errorf("the id is not 32 lower-case hex digits")
	}
	if err := checkSpec(q.Spec); err != nil {
		return err
	}
	if !storableTime(q.CreatedAt) {
		return fmt.Errorf("created at %v is outside the years 1970 to 9999", q.CreatedAt)
	}
	if err := checkItems(q.Items); err != nil {
		return err
	}
	if len(q.Answers) > len(q.Items) {
		return fmt.Errorf("%d answers to %d items", len(q.Answers), len(q.Items))
	}
	for i, a := range q.Answers {
		if err := checkAnswer(a, q.Items[i]); err != nil {
			return fmt.Errorf("answers[%d]: %s", i, reason(err))
		}
		if !storableTime(a.AnsweredAt) {
			return fmt.Errorf("answers[%d]: answered at %v is outside the years 1970 to 9999", i, a.AnsweredAt)
		}
	}
	finished := len(q.Answers) == len(q.Items)
	switch {
	case finished && q.FinishedAt == nil:
		return fmt.Errorf("every item is answered but the quiz has no finished_at")
	case !finished && q.FinishedAt != nil:
		return fmt.Errorf("the quiz has a finished_at but %d of %d items are answered", len(q.Answers), len(q.Items))
	case q.FinishedAt != nil && !storableTime(*q.FinishedAt):
		return fmt.Errorf("finished at %v is outside the years 1970 to 9999", *q.FinishedAt)
	}
	return nil
}
