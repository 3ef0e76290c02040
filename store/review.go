package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"microlab/quiz"
)

// maxCardIDLen bounds a flashcard id.
const maxCardIDLen = 128

// validCardID reports whether id can name a flashcard: 1 to 128 ASCII
// letters, digits and the punctuation "-_./:#".
func validCardID(id string) bool {
	if id == "" || len(id) > maxCardIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == '/', c == ':', c == '#':
		default:
			return false
		}
	}
	return true
}

// checkCard checks the values of a card before it is stored.
func checkCard(c quiz.Card) error {
	switch {
	case c.State < quiz.StateNew || c.State > quiz.StateRelearning:
		return invalidf("card state %d is unknown", int(c.State))
	case c.Step < 0 || c.Reps < 0 || c.Lapses < 0:
		return invalidf("card step %d, reps %d, lapses %d: none may be negative", c.Step, c.Reps, c.Lapses)
	case !finite(c.Stability) || c.Stability < 0 || !finite(c.Difficulty) || c.Difficulty < 0:
		return invalidf("card stability %v and difficulty %v must be finite and not negative", c.Stability, c.Difficulty)
	case !storableTime(c.Due):
		return invalidf("card due %v is outside the years 1970 to 9999", c.Due)
	case !c.LastReview.IsZero() && !storableTime(c.LastReview):
		return invalidf("card last review %v is outside the years 1970 to 9999", c.LastReview)
	}
	return nil
}

// checkLog checks the values of a review log before it is stored.
func checkLog(l quiz.ReviewLog) error {
	switch {
	case !l.Rating.Valid():
		return invalidf("rating %d is not again, hard, good or easy", int(l.Rating))
	case l.State < quiz.StateNew || l.State > quiz.StateRelearning:
		return invalidf("review state %d is unknown", int(l.State))
	case !storableTime(l.Reviewed):
		return invalidf("review time %v is outside the years 1970 to 9999", l.Reviewed)
	case l.ElapsedDays < 0 || l.Interval < 0:
		return invalidf("elapsed days %d and interval %v may not be negative", l.ElapsedDays, l.Interval)
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// cardColumns are the columns of review_cards that scanCard reads, in its
// order.
const cardColumns = "card_id, state, step, stability, difficulty, due, last_review, reps, lapses"

// scanCard reads one row of cardColumns.
func scanCard(scan func(dest ...any) error) (string, quiz.Card, error) {
	var (
		id   string
		c    quiz.Card
		due  string
		last sql.NullString
	)
	if err := scan(&id, &c.State, &c.Step, &c.Stability, &c.Difficulty, &due, &last, &c.Reps, &c.Lapses); err != nil {
		return "", quiz.Card{}, err
	}
	var err error
	if c.Due, err = parseTime(due); err != nil {
		return "", quiz.Card{}, err
	}
	if c.LastReview, err = parseNullTime(last); err != nil {
		return "", quiz.Card{}, err
	}
	return id, c, nil
}

// Cards returns every card the learner has reviewed, by card id. A card
// that is absent is new (quiz.Card{}).
func (db *DB) Cards(ctx context.Context, learnerID string) (map[string]quiz.Card, error) {
	wrap := func(err error) error { return fmt.Errorf("store: cards of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return nil, wrap(err)
	}
	rows, err := db.read.QueryContext(ctx, "SELECT "+cardColumns+" FROM review_cards WHERE learner_id = ?", learnerID)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	cards := make(map[string]quiz.Card)
	for rows.Next() {
		id, c, err := scanCard(rows.Scan)
		if err != nil {
			return nil, wrap(err)
		}
		cards[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return cards, nil
}

// Card returns the learner's card with this id and true, or a new card and
// false when the learner has never reviewed it.
func (db *DB) Card(ctx context.Context, learnerID, cardID string) (quiz.Card, bool, error) {
	wrap := func(err error) error { return fmt.Errorf("store: card %s of %s: %w", cardID, learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return quiz.Card{}, false, wrap(err)
	}
	if !validCardID(cardID) {
		return quiz.Card{}, false, wrap(invalidf("card id %q is not 1 to %d letters, digits or -_./:#", cardID, maxCardIDLen))
	}
	row := db.read.QueryRowContext(ctx, "SELECT "+cardColumns+" FROM review_cards WHERE learner_id = ? AND card_id = ?",
		learnerID, cardID)
	_, c, err := scanCard(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return quiz.Card{}, false, nil
	}
	if err != nil {
		return quiz.Card{}, false, wrap(err)
	}
	return c, true, nil
}

// SaveReview records one review of a flashcard: c is the card after the
// review and log the review, as quiz.Scheduler.Review returns them. It
// creates the learner if this is its first write, inserts the log and
// stores the card, in one transaction.
//
// The review must have been computed from the card as it is stored, which
// is how two tabs (or a double click) rating the same shown card are told
// apart from two real reviews: every review adds one to Reps, so c.Reps
// must be one more than the stored card's (a card never reviewed has 0).
// The check and the write are one transaction, so of concurrent reviews of
// one card exactly one is saved; the others, and a second log at the same
// millisecond, return an error wrapping ErrAlreadyAnswered and change
// nothing. Values out of range, or a card whose LastReview is not
// log.Reviewed, give an error wrapping ErrInvalid.
func (db *DB) SaveReview(ctx context.Context, learnerID, cardID string, c quiz.Card, log quiz.ReviewLog) error {
	wrap := func(err error) error { return fmt.Errorf("store: save review of %s: %w", cardID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if !validCardID(cardID) {
		return wrap(invalidf("card id %q is not 1 to %d letters, digits or -_./:#", cardID, maxCardIDLen))
	}
	if err := checkLog(log); err != nil {
		return wrap(err)
	}
	if err := checkCard(c); err != nil {
		return wrap(err)
	}
	if !ms(c.LastReview).Equal(ms(log.Reviewed)) {
		return wrap(invalidf("the card was last reviewed at %v, not at the logged %v", c.LastReview, log.Reviewed))
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		_, before, err := scanCard(tx.QueryRowContext(ctx, "SELECT "+cardColumns+" FROM review_cards WHERE learner_id = ? AND card_id = ?",
			learnerID, cardID).Scan)
		existed := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if before.Reps != c.Reps-1 {
			return ErrAlreadyAnswered // reviewed since this review's card was read
		}
		// A card stored only to carry its suspension was never reviewed:
		// undoing goes back to new.
		added, err := insertLog(ctx, tx, learnerID, cardID, log, sql.NullString{String: encodePrev(before, existed && before.Reps > 0), Valid: true})
		if err != nil {
			return err
		}
		if !added {
			return ErrAlreadyAnswered
		}
		if _, err = upsertCard(ctx, tx, learnerID, cardID, c); err != nil {
			return err
		}
		return checkHoldings(ctx, tx, learnerID)
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// insertLog adds a review log unless the card already has one at that
// instant, and reports whether it did. prev is the card before the review,
// for undo (see encodePrev), or NULL when unknown.
func insertLog(ctx context.Context, tx *sql.Tx, learnerID, cardID string, l quiz.ReviewLog, prev sql.NullString) (bool, error) {
	return inserted(tx.ExecContext(ctx, `INSERT INTO review_logs
		(learner_id, card_id, rating, reviewed_at, state, elapsed_days, interval_ns, prev_card)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (learner_id, card_id, reviewed_at) DO NOTHING`,
		learnerID, cardID, int(l.Rating), formatTime(l.Reviewed), int(l.State), l.ElapsedDays, int64(l.Interval), prev))
}

// upsertCard stores a card unless the stored one was reviewed later (or at
// the same instant), and reports whether it wrote anything. Both SaveReview
// and Import rely on it: of two versions of a card, the later one wins.
func upsertCard(ctx context.Context, tx *sql.Tx, learnerID, cardID string, c quiz.Card) (bool, error) {
	return inserted(tx.ExecContext(ctx, `INSERT INTO review_cards
		(learner_id, card_id, state, step, stability, difficulty, due, last_review, reps, lapses)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (learner_id, card_id) DO UPDATE SET
			state = excluded.state, step = excluded.step,
			stability = excluded.stability, difficulty = excluded.difficulty,
			due = excluded.due, last_review = excluded.last_review,
			reps = excluded.reps, lapses = excluded.lapses
		WHERE excluded.last_review > review_cards.last_review
			OR (review_cards.last_review IS NULL AND excluded.last_review IS NOT NULL)`,
		learnerID, cardID, int(c.State), c.Step, c.Stability, c.Difficulty,
		formatTime(c.Due), nullTime(c.LastReview), c.Reps, c.Lapses))
}

// DueCount returns how many of the learner's reviewed cards are due at now
// or before. New cards, never reviewed, are not counted: the store does not
// know them.
func (db *DB) DueCount(ctx context.Context, learnerID string, now time.Time) (int, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return 0, fmt.Errorf("store: due count: %w", err)
	}
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM review_cards WHERE learner_id = ? AND due <= ?",
		learnerID, formatTime(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: due count of %s: %w", learnerID, err)
	}
	return n, nil
}

// ReviewLogs returns the learner's latest reviews, newest first, at most
// limit of them (at most 1000; zero or less means 1000).
func (db *DB) ReviewLogs(ctx context.Context, learnerID string, limit int) ([]quiz.CardReview, error) {
	wrap := func(err error) error { return fmt.Errorf("store: review logs of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return nil, wrap(err)
	}
	logs, err := db.queryLogs(ctx, `WHERE learner_id = ? ORDER BY reviewed_at DESC, id DESC LIMIT ?`, learnerID, listLimit(limit))
	if err != nil {
		return nil, wrap(err)
	}
	return logs, nil
}

// queryLogs reads the review logs that where (a WHERE clause and what
// follows it) selects.
func (db *DB) queryLogs(ctx context.Context, where string, args ...any) ([]quiz.CardReview, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT card_id, rating, reviewed_at, state, elapsed_days, interval_ns
		FROM review_logs `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var logs []quiz.CardReview
	for rows.Next() {
		r, err := scanLog(rows.Scan)
		if err != nil {
			return nil, err
		}
		logs = append(logs, r)
	}
	return logs, rows.Err()
}

// scanLog reads card_id, rating, reviewed_at, state, elapsed_days and
// interval_ns.
func scanLog(scan func(dest ...any) error) (quiz.CardReview, error) {
	var (
		r        quiz.CardReview
		reviewed string
		interval int64
	)
	if err := scan(&r.CardID, &r.Rating, &reviewed, &r.State, &r.ElapsedDays, &interval); err != nil {
		return quiz.CardReview{}, err
	}
	var err error
	if r.Reviewed, err = parseTime(reviewed); err != nil {
		return quiz.CardReview{}, err
	}
	r.Interval = time.Duration(interval)
	return r, nil
}
