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

// Bounds on what one import may hold: years of steady study. An import at
// the bounds (about 170 000 rows) takes about a second of the single
// writer, in transactions of Options.ImportBatch rows.
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
	// Interviews added; ones the learner already has are left as they are.
	Interviews int
	// ChallengeRuns added; a run the learner has (same challenge, same
	// time) is not added twice.
	ChallengeRuns int
	// ReviewLogs added.
	ReviewLogs int
	// Suspended cards that were not suspended here.
	Suspended int
	// Settings is whether the file's review settings were taken: only
	// when the learner had saved none.
	Settings bool
}

// Import merges an export into the learner's data, creating the learner if
// needed. Importing the same export twice adds nothing.
//
// It checks the whole export first: the format and version, well-formed
// ids, values in range and bounded counts (10 000 quizzes and cards, 50 000
// quiz items and answers, 50 000 review logs). If anything is wrong, it
// returns an *InvalidError (wrapping ErrInvalid) that lists the first
// problems by their path in the file, and changes nothing. The store does
// not know the catalog: whether the items, answers and grades make sense
// is quiz.Export.Check's to say, and a caller importing a file from
// outside runs it first. It then counts, in a snapshot, what the import
// would add, and returns a *FullError, changing nothing, if the learner
// would hold more than MaxQuizzes or MaxReviewLogs.
//
// The rows are written in transactions of at most Options.ImportBatch
// rows (a quiz with its items and answers is never split), so that an
// import of a large file holds the database's one writer for milliseconds
// at a time and other learners' answers are saved in between. An import
// that stops part way (the request cancelled, the process killed, the
// learner filled by a write made meanwhile) keeps the transactions that
// committed; since merging is idempotent, importing the file again
// completes it, and adds nothing that is already there.
//
// Merging never overwrites: a quiz the learner has already is kept and
// only its unanswered items take the imported answers; a review log at an
// instant already logged for its card is skipped; of two versions of a
// card the one reviewed later stays, and a card suspended in either copy
// is suspended; review settings are taken only by a learner who has saved
// none. A quiz whose id is another learner's
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
	if err := db.importFits(ctx, learnerID, e); err != nil {
		return ImportStats{}, fmt.Errorf("store: import into %s: %w", learnerID, err)
	}
	w := &batchWriter{db: db, learnerID: learnerID, limit: db.importBatch}
	if err := w.writeAll(ctx, e); err != nil {
		return w.stats, fmt.Errorf("store: import into %s: %w", learnerID, err)
	}
	return w.stats, nil
}

// writeAll queues every write of a checked export, quizzes first, then
// cards and review logs, and commits the last batch. A write's error names
// what it was writing.
func (w *batchWriter) writeAll(ctx context.Context, e quiz.Export) error {
	id := w.learnerID
	for _, q := range e.Quizzes {
		err := w.add(ctx, 1+len(q.Items)+len(q.Answers), func(tx *sql.Tx, stats *ImportStats) error {
			if err := importQuiz(ctx, tx, id, q, stats); err != nil {
				return fmt.Errorf("quiz %s: %w", q.ID, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, iv := range e.Interviews {
		err := w.add(ctx, 1+len(iv.Questions), func(tx *sql.Tx, stats *ImportStats) error {
			if err := importInterview(ctx, tx, id, importedInterview(iv), stats); err != nil {
				return fmt.Errorf("interview %s: %w", iv.ID, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, r := range e.ChallengeRuns {
		err := w.add(ctx, 1, func(tx *sql.Tx, stats *ImportStats) error {
			added, err := insertChallengeRun(ctx, tx, id, ChallengeRun{Challenge: r.Challenge, Settings: r.Settings, Pass: r.Pass, Score: r.Score, At: r.At})
			if err != nil {
				return fmt.Errorf("challenge run %s: %w", r.Challenge, err)
			}
			if added {
				stats.ChallengeRuns++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, c := range e.Cards {
		err := w.add(ctx, 1, func(tx *sql.Tx, stats *ImportStats) error {
			changed, err := upsertCard(ctx, tx, id, c.CardID, c.Card())
			if err != nil {
				return fmt.Errorf("card %s: %w", c.CardID, err)
			}
			if changed {
				stats.Cards++
			}
			if c.Suspended {
				// A suspension in either copy stands: the learner chose
				// not to see the card, and unsuspending is one click.
				suspended, err := inserted(tx.ExecContext(ctx,
					"UPDATE review_cards SET suspended = 1 WHERE learner_id = ? AND card_id = ? AND suspended = 0", id, c.CardID))
				if err != nil {
					return fmt.Errorf("card %s: %w", c.CardID, err)
				}
				if suspended {
					stats.Suspended++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if rs := e.ReviewSettings; rs != nil {
		err := w.add(ctx, 1, func(tx *sql.Tx, stats *ImportStats) error {
			// Settings already saved here are the learner's newer word.
			added, err := inserted(tx.ExecContext(ctx, `INSERT INTO review_settings (learner_id, decks, new_per_day, reviews_per_day)
				VALUES (?, ?, ?, ?) ON CONFLICT (learner_id) DO NOTHING`,
				id, strings.Join(rs.Decks, " "), rs.NewPerDay, rs.ReviewsPerDay))
			if err != nil {
				return fmt.Errorf("review settings: %w", err)
			}
			stats.Settings = stats.Settings || added
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, l := range e.ReviewLogs {
		err := w.add(ctx, 1, func(tx *sql.Tx, stats *ImportStats) error {
			added, err := insertLog(ctx, tx, id, l.CardID, l.ReviewLog(), sql.NullString{})
			if err != nil {
				return fmt.Errorf("review of %s: %w", l.CardID, err)
			}
			if added {
				stats.ReviewLogs++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// DefaultImportBatch is how many rows one transaction of an import writes
// unless Options.ImportBatch says otherwise. Each commit costs the writer
// about 2.6 ms of its own, so smaller batches make an import slower but
// let other learners' answers in sooner. BenchmarkImport, 61 000 rows, on
// the 2-core development machine: 500-row transactions hold the writer
// about 5 ms each and take 0.64 s in all; 2 000-row ones 14 ms and 0.43 s;
// one transaction 0.31 s, all of it in one hold. An answer is worth more
// than an import's speed, which is rate limited anyway.
const DefaultImportBatch = 500

// batchWriter groups the writes of an import into transactions of about
// limit rows. A write is one unit of the import (a quiz with its items and
// answers, a card, a review log) that must not be split.
type batchWriter struct {
	db        *DB
	learnerID string
	limit     int
	pending   []func(*sql.Tx, *ImportStats) error
	rows      int
	// wrote is whether a transaction has committed, so that an empty
	// import still creates the learner.
	wrote bool
	// stats counts what the committed transactions added.
	stats ImportStats
}

// add queues a write of rows rows, first committing what is queued if the
// write would take the transaction past the limit.
func (w *batchWriter) add(ctx context.Context, rows int, write func(*sql.Tx, *ImportStats) error) error {
	if len(w.pending) > 0 && w.rows+rows > w.limit {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	w.pending = append(w.pending, write)
	w.rows += rows
	return nil
}

// flush writes what is queued in one transaction that also makes sure the
// learner exists and is not revoked, and checks their holdings: a write
// made since importFits counted may have filled them.
func (w *batchWriter) flush(ctx context.Context) error {
	if len(w.pending) == 0 && w.wrote {
		return nil
	}
	var stats ImportStats
	err := w.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := w.db.ensureLearner(ctx, tx, w.learnerID); err != nil {
			return err
		}
		for _, write := range w.pending {
			if err := write(tx, &stats); err != nil {
				return err
			}
		}
		return checkHoldings(ctx, tx, w.learnerID)
	})
	if err != nil {
		return err
	}
	if w.db.importCommitted != nil {
		w.db.importCommitted(w.rows)
	}
	w.stats.add(stats)
	w.pending, w.rows, w.wrote = w.pending[:0], 0, true
	return nil
}

func (s *ImportStats) add(o ImportStats) {
	s.Quizzes += o.Quizzes
	s.Renamed += o.Renamed
	s.Skipped += o.Skipped
	s.Answers += o.Answers
	s.Cards += o.Cards
	s.Interviews += o.Interviews
	s.ChallengeRuns += o.ChallengeRuns
	s.ReviewLogs += o.ReviewLogs
	s.Suspended += o.Suspended
	s.Settings = s.Settings || o.Settings
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
	if !quiz.ReadsExportVersion(e.Version) {
		return invalidf("export version %d is not supported; this server reads versions %d to %d", e.Version, quiz.MinExportVersion, quiz.ExportVersion)
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
	bound("interviews", len(e.Interviews), MaxInterviews)
	bound("challenge_runs", len(e.ChallengeRuns), MaxChallengeRuns)
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
	if rs := e.ReviewSettings; rs != nil {
		if err := checkReviewSettings(ReviewSettings{Decks: rs.Decks, NewPerDay: rs.NewPerDay, ReviewsPerDay: rs.ReviewsPerDay}); err != nil {
			add("review_settings", err)
		}
	}
	clear(seen)
	for i, iv := range e.Interviews {
		where := fmt.Sprintf("interviews[%d]", i)
		if seen[iv.ID] {
			add(where, fmt.Errorf("the id appears twice"))
		}
		seen[iv.ID] = true
		if err := checkInterview(importedInterview(iv)); err != nil {
			add(where, err)
		}
	}
	for i, r := range e.ChallengeRuns {
		if err := checkChallengeRun(ChallengeRun{Challenge: r.Challenge, Settings: r.Settings, Pass: r.Pass, Score: r.Score, At: r.At}); err != nil {
			add(fmt.Sprintf("challenge_runs[%d]", i), err)
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
