package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"microlab/quiz"
)

// ReviewSettings are a learner's choices for review, as Anki's deck
// options: which decks (topics) to study, and how many new cards and
// reviews a day at most.
type ReviewSettings struct {
	Decks         []string // topics; empty means every deck
	NewPerDay     int      // 0 to 999
	ReviewsPerDay int      // 0 to 9999
}

// DefaultReviewSettings are Anki's defaults: every deck, 20 new cards and
// 200 reviews a day.
var DefaultReviewSettings = ReviewSettings{NewPerDay: 20, ReviewsPerDay: 200}

// maxDecks bounds the decks a learner may pick.
const maxDecks = 64

// ReviewSettings returns the learner's review settings, or the defaults
// when they have saved none.
func (db *DB) ReviewSettings(ctx context.Context, learnerID string) (ReviewSettings, error) {
	wrap := func(err error) error { return fmt.Errorf("store: review settings of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return ReviewSettings{}, wrap(err)
	}
	s, saved, err := savedSettings(ctx, db.read, learnerID)
	switch {
	case err != nil:
		return ReviewSettings{}, wrap(err)
	case !saved:
		return DefaultReviewSettings, nil
	}
	return s, nil
}

// savedSettings reads the review settings the learner saved; saved is
// false when they saved none.
func savedSettings(ctx context.Context, q queryRower, learnerID string) (s ReviewSettings, saved bool, err error) {
	var decks string
	err = q.QueryRowContext(ctx, "SELECT decks, new_per_day, reviews_per_day FROM review_settings WHERE learner_id = ?",
		learnerID).Scan(&decks, &s.NewPerDay, &s.ReviewsPerDay)
	if errors.Is(err, sql.ErrNoRows) {
		return ReviewSettings{}, false, nil
	}
	if err != nil {
		return ReviewSettings{}, false, err
	}
	s.Decks = strings.Fields(decks)
	return s, true, nil
}

// SaveReviewSettings stores the learner's review settings, creating the
// learner on a first write. Out-of-range numbers, more than 64 decks or a
// deck that is not a valid card id give an error wrapping ErrInvalid.
func (db *DB) SaveReviewSettings(ctx context.Context, learnerID string, s ReviewSettings) error {
	wrap := func(err error) error { return fmt.Errorf("store: save review settings of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if err := checkReviewSettings(s); err != nil {
		return wrap(err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO review_settings (learner_id, decks, new_per_day, reviews_per_day)
			VALUES (?, ?, ?, ?) ON CONFLICT (learner_id) DO UPDATE SET
				decks = excluded.decks, new_per_day = excluded.new_per_day, reviews_per_day = excluded.reviews_per_day`,
			learnerID, strings.Join(s.Decks, " "), s.NewPerDay, s.ReviewsPerDay)
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// checkReviewSettings returns an error wrapping ErrInvalid for settings
// SaveReviewSettings refuses.
func checkReviewSettings(s ReviewSettings) error {
	switch {
	case s.NewPerDay < 0 || s.NewPerDay > 999 || s.ReviewsPerDay < 0 || s.ReviewsPerDay > 9999:
		return invalidf("%d new cards and %d reviews a day: the limits are 0 to 999 and 0 to 9999", s.NewPerDay, s.ReviewsPerDay)
	case len(s.Decks) > maxDecks:
		return invalidf("%d decks; at most %d", len(s.Decks), maxDecks)
	}
	for _, d := range s.Decks {
		if !validCardID(d) || strings.Contains(d, "/") {
			return invalidf("deck %q is not a topic", d)
		}
	}
	return nil
}

// ReviewCounts says how many reviews the learner made since since, and how
// many of those introduced a new card: what the daily limits count.
func (db *DB) ReviewCounts(ctx context.Context, learnerID string, since time.Time) (reviews, introduced int, err error) {
	if err := checkLearnerID(learnerID); err != nil {
		return 0, 0, fmt.Errorf("store: review counts: %w", err)
	}
	err = db.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(state = 0), 0) FROM review_logs
		WHERE learner_id = ? AND reviewed_at >= ?`, learnerID, formatTime(since)).Scan(&reviews, &introduced)
	if err != nil {
		return 0, 0, fmt.Errorf("store: review counts of %s: %w", learnerID, err)
	}
	return reviews, introduced, nil
}

// maxLogsSince bounds ReviewLogsSince.
const maxLogsSince = 20000

// ReviewLogsSince returns the learner's reviews made since since, oldest
// first, at most 20 000 of them: the statistics page's material.
func (db *DB) ReviewLogsSince(ctx context.Context, learnerID string, since time.Time) ([]quiz.CardReview, error) {
	wrap := func(err error) error { return fmt.Errorf("store: review logs of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return nil, wrap(err)
	}
	logs, err := db.queryLogs(ctx, `WHERE learner_id = ? AND reviewed_at >= ? ORDER BY reviewed_at, id LIMIT ?`,
		learnerID, formatTime(since), maxLogsSince)
	if err != nil {
		return nil, wrap(err)
	}
	return logs, nil
}

// SuspendedCards returns the ids of the learner's suspended cards.
func (db *DB) SuspendedCards(ctx context.Context, learnerID string) (map[string]bool, error) {
	wrap := func(err error) error { return fmt.Errorf("store: suspended cards of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return nil, wrap(err)
	}
	rows, err := db.read.QueryContext(ctx, "SELECT card_id FROM review_cards WHERE learner_id = ? AND suspended = 1", learnerID)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap(err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// SetSuspended suspends a card (it is never due until unsuspended) or
// unsuspends it, keeping its schedule. A card never reviewed is stored new
// to carry the flag.
func (db *DB) SetSuspended(ctx context.Context, learnerID, cardID string, suspended bool) error {
	wrap := func(err error) error { return fmt.Errorf("store: suspend %s: %w", cardID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if !validCardID(cardID) {
		return wrap(invalidf("card id %q is not 1 to %d letters, digits or -_./:#", cardID, maxCardIDLen))
	}
	flag := 0
	if suspended {
		flag = 1
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_cards
			(learner_id, card_id, state, step, stability, difficulty, due, last_review, reps, lapses, suspended)
			VALUES (?, ?, 0, 0, 0, 0, ?, NULL, 0, 0, ?)
			ON CONFLICT (learner_id, card_id) DO UPDATE SET suspended = excluded.suspended`,
			learnerID, cardID, formatTime(db.now().UTC()), flag); err != nil {
			return err
		}
		return checkHoldings(ctx, tx, learnerID)
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// ResetCard forgets the learner's schedule of a card: it is new again (and
// no longer suspended). Its review history stays.
func (db *DB) ResetCard(ctx context.Context, learnerID, cardID string) error {
	wrap := func(err error) error { return fmt.Errorf("store: reset %s: %w", cardID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if !validCardID(cardID) {
		return wrap(invalidf("card id %q is not 1 to %d letters, digits or -_./:#", cardID, maxCardIDLen))
	}
	if _, err := db.write.ExecContext(ctx, "DELETE FROM review_cards WHERE learner_id = ? AND card_id = ?", learnerID, cardID); err != nil {
		return wrap(err)
	}
	return nil
}

// LastReview is the learner's latest review that can be undone.
type LastReview struct {
	CardID   string
	Rating   quiz.Rating
	Reviewed time.Time
}

// cardJSON is a card as review_logs.prev_card keeps it.
type cardJSON struct {
	State      quiz.State `json:"state"`
	Step       int        `json:"step"`
	Stability  float64    `json:"stability"`
	Difficulty float64    `json:"difficulty"`
	Due        time.Time  `json:"due"`
	LastReview time.Time  `json:"last_review"`
	Reps       int        `json:"reps"`
	Lapses     int        `json:"lapses"`
}

func encodePrev(c quiz.Card, existed bool) string {
	if !existed {
		return ""
	}
	b, _ := json.Marshal(cardJSON{c.State, c.Step, c.Stability, c.Difficulty, c.Due, c.LastReview, c.Reps, c.Lapses})
	return string(b)
}

// Undoable returns the learner's latest review, when it can be undone: it
// is the latest review of its card, the card has not changed since, and
// the card's earlier state is known. ok is false otherwise.
func (db *DB) Undoable(ctx context.Context, learnerID string) (LastReview, bool, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return LastReview{}, false, fmt.Errorf("store: undoable review: %w", err)
	}
	r, _, ok, err := lastUndoable(ctx, db.read, learnerID)
	if err != nil {
		return LastReview{}, false, fmt.Errorf("store: undoable review of %s: %w", learnerID, err)
	}
	return r, ok, nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// lastUndoable reads the learner's latest review and, when it can be
// undone, the card's state before it (prev "" for a card that was new).
func lastUndoable(ctx context.Context, q queryRower, learnerID string) (r LastReview, prev string, ok bool, err error) {
	var (
		reviewed string
		prevCard sql.NullString
		last     sql.NullString
	)
	err = q.QueryRowContext(ctx, `SELECT l.card_id, l.rating, l.reviewed_at, l.prev_card, c.last_review
		FROM review_logs l LEFT JOIN review_cards c ON c.learner_id = l.learner_id AND c.card_id = l.card_id
		WHERE l.learner_id = ? ORDER BY l.id DESC LIMIT 1`, learnerID).Scan(&r.CardID, &r.Rating, &reviewed, &prevCard, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return LastReview{}, "", false, nil
	}
	if err != nil {
		return LastReview{}, "", false, err
	}
	if r.Reviewed, err = parseTime(reviewed); err != nil {
		return LastReview{}, "", false, err
	}
	// The card must still be the one this review made.
	if !prevCard.Valid || !last.Valid || last.String != reviewed {
		return LastReview{}, "", false, nil
	}
	return r, prevCard.String, true, nil
}

// UndoReview undoes the learner's latest review if it is still the one
// the page offered to undo (card and time): the card goes back to its
// state before it, and the review leaves the log. Anything else gives an
// error wrapping ErrNotFound, and changes nothing.
func (db *DB) UndoReview(ctx context.Context, learnerID, cardID string, reviewed time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("store: undo review of %s: %w", cardID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		r, prev, ok, err := lastUndoable(ctx, tx, learnerID)
		if err != nil {
			return err
		}
		if !ok || r.CardID != cardID || !ms(r.Reviewed).Equal(ms(reviewed)) {
			return ErrNotFound
		}
		if prev == "" {
			_, err = tx.ExecContext(ctx, "DELETE FROM review_cards WHERE learner_id = ? AND card_id = ?", learnerID, cardID)
		} else {
			var c cardJSON
			if err := json.Unmarshal([]byte(prev), &c); err != nil {
				return fmt.Errorf("stored earlier card: %w", err)
			}
			_, err = tx.ExecContext(ctx, `UPDATE review_cards SET state = ?, step = ?, stability = ?, difficulty = ?,
				due = ?, last_review = ?, reps = ?, lapses = ? WHERE learner_id = ? AND card_id = ?`,
				int(c.State), c.Step, c.Stability, c.Difficulty, formatTime(c.Due), nullTime(c.LastReview), c.Reps, c.Lapses,
				learnerID, cardID)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM review_logs WHERE id = (SELECT MAX(id) FROM review_logs WHERE learner_id = ?)`, learnerID)
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}
