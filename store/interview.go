package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"microlab/interview"
)

// MaxInterviews is how many mock interviews one learner may hold: one a
// day for almost three years.
const MaxInterviews = 1000

// CreateInterview stores a new session for the learner. The id must be 32
// lower-case hex digits and not taken; the session must pass its Check.
func (db *DB) CreateInterview(ctx context.Context, learnerID string, s interview.Session) error {
	wrap := func(err error) error { return fmt.Errorf("store: create interview %s: %w", s.ID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if err := checkInterview(s); err != nil {
		return wrap(err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		added, err := insertInterview(ctx, tx, learnerID, s)
		if err != nil {
			return err
		}
		if !added {
			return invalidf("interview id %s is already taken", s.ID)
		}
		return checkHoldings(ctx, tx, learnerID)
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// checkInterview checks a session before it is stored.
func checkInterview(s interview.Session) error {
	if !validID(s.ID) {
		return invalidf("interview id %q is not 32 lower-case hex digits", s.ID)
	}
	if err := s.Check(); err != nil {
		return invalidf("%v", err)
	}
	times := []time.Time{s.CreatedAt}
	if !s.FinishedAt.IsZero() {
		times = append(times, s.FinishedAt)
	}
	for _, q := range s.Questions {
		times = append(times, q.StartedAt, q.AnsweredAt, q.RevealedAt, q.RatedAt)
	}
	for _, t := range times {
		if !t.IsZero() && !storableTime(t) {
			return invalidf("interview time %v is outside the years 1970 to 9999", t)
		}
	}
	if s.CreatedAt.IsZero() {
		return invalidf("an interview needs the time it was made")
	}
	return nil
}

// insertInterview adds a session and its questions unless the id is
// taken, and reports whether it did.
func insertInterview(ctx context.Context, tx *sql.Tx, learnerID string, s interview.Session) (bool, error) {
	added, err := inserted(tx.ExecContext(ctx, `INSERT INTO interviews (id, learner_id, format, topic, created_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		s.ID, learnerID, s.Format, s.Topic, formatTime(s.CreatedAt), nullTime(s.FinishedAt)))
	if err != nil || !added {
		return added, err
	}
	for i, q := range s.Questions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO interview_questions
			(interview_id, position, ref, speaking_ms, follow_up, started_at, answered_at, revealed_at, rated_at, notes, ticks)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, i, q.Ref, q.Speaking.Milliseconds(), q.FollowUp, nullTime(q.StartedAt), nullTime(q.AnsweredAt),
			nullTime(q.RevealedAt), nullTime(q.RatedAt), q.Notes, q.Ticks); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Interview reads one of the learner's sessions, with a version for
// UpdateInterview. It returns ErrNotFound when there is no such session
// or it belongs to another learner.
func (db *DB) Interview(ctx context.Context, learnerID, id string) (interview.Session, []int64, error) {
	wrap := func(err error) error { return fmt.Errorf("store: interview %s: %w", id, err) }
	if !validID(id) || checkLearnerID(learnerID) != nil {
		return interview.Session{}, nil, wrap(ErrNotFound)
	}
	var (
		s        interview.Session
		versions []int64
	)
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		all, vs, err := readInterviews(ctx, tx, "i.learner_id = ? AND i.id = ?", learnerID, id)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return ErrNotFound
		}
		s, versions = all[0], vs[0]
		return nil
	})
	if err != nil {
		return interview.Session{}, nil, wrap(err)
	}
	return s, versions, nil
}

// Interviews lists the learner's sessions, newest first, at most limit.
func (db *DB) Interviews(ctx context.Context, learnerID string, limit int) ([]interview.Session, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return nil, fmt.Errorf("store: interviews: %w", err)
	}
	var out []interview.Session
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, _, err = readInterviews(ctx, tx, `i.id IN (SELECT id FROM interviews WHERE learner_id = ?
			ORDER BY created_at DESC, id DESC LIMIT ?)`, learnerID, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: interviews: %w", err)
	}
	return out, nil
}

// readInterviews reads the sessions where holds (on interviews i), newest
// first, each with its questions' versions.
func readInterviews(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]interview.Session, [][]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.format, i.topic, i.created_at, i.finished_at,
			q.ref, q.speaking_ms, q.follow_up, q.started_at, q.answered_at, q.revealed_at, q.rated_at, q.notes, q.ticks, q.version
		FROM interviews i JOIN interview_questions q ON q.interview_id = i.id
		WHERE `+where+` ORDER BY i.created_at DESC, i.id DESC, q.position`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		out      []interview.Session
		versions [][]int64
	)
	for rows.Next() {
		var (
			id, format, topic, created     string
			finished                       sql.NullString
			q                              interview.Question
			speaking, version              int64
			started, answered, shown, rate sql.NullString
		)
		if err := rows.Scan(&id, &format, &topic, &created, &finished, &q.Ref, &speaking, &q.FollowUp,
			&started, &answered, &shown, &rate, &q.Notes, &q.Ticks, &version); err != nil {
			return nil, nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			s := interview.Session{ID: id, Format: format, Topic: topic}
			if s.CreatedAt, err = parseTime(created); err != nil {
				return nil, nil, err
			}
			if s.FinishedAt, err = parseNullTime(finished); err != nil {
				return nil, nil, err
			}
			out = append(out, s)
			versions = append(versions, nil)
		}
		q.Speaking = time.Duration(speaking) * time.Millisecond
		for _, t := range []struct {
			dst *time.Time
			src sql.NullString
		}{{&q.StartedAt, started}, {&q.AnsweredAt, answered}, {&q.RevealedAt, shown}, {&q.RatedAt, rate}} {
			if *t.dst, err = parseNullTime(t.src); err != nil {
				return nil, nil, err
			}
		}
		last := len(out) - 1
		out[last].Questions = append(out[last].Questions, q)
		versions[last] = append(versions[last], version)
	}
	return out, versions, rows.Err()
}

// UpdateInterview writes question i of the learner's session as s now
// holds it (and the session's end, when s is finished), provided the
// question is still at version, as Interview read it. When another write
// came first it returns ErrAlreadyAnswered and changes nothing.
func (db *DB) UpdateInterview(ctx context.Context, learnerID string, s interview.Session, i int, version int64) error {
	wrap := func(err error) error { return fmt.Errorf("store: update interview %s: %w", s.ID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if i < 0 || i >= len(s.Questions) {
		return wrap(invalidf("question %d of %d", i, len(s.Questions)))
	}
	if err := checkInterview(s); err != nil {
		return wrap(err)
	}
	q := s.Questions[i]
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE interview_questions SET started_at = ?, answered_at = ?, revealed_at = ?,
				rated_at = ?, notes = ?, ticks = ?, version = version + 1
			WHERE interview_id = ? AND position = ? AND version = ?
				AND interview_id IN (SELECT id FROM interviews WHERE learner_id = ?)`,
			nullTime(q.StartedAt), nullTime(q.AnsweredAt), nullTime(q.RevealedAt), nullTime(q.RatedAt), q.Notes, q.Ticks,
			s.ID, i, version, learnerID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrAlreadyAnswered
		}
		_, err = tx.ExecContext(ctx, "UPDATE interviews SET finished_at = ? WHERE id = ?", nullTime(s.FinishedAt), s.ID)
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// BoostCards lists new cards that a missed interview point asked to bring
// forward (see review_boosts). Cards already listed keep their time.
func (db *DB) BoostCards(ctx context.Context, learnerID string, cardIDs []string) error {
	if err := checkLearnerID(learnerID); err != nil {
		return fmt.Errorf("store: boost cards: %w", err)
	}
	for _, id := range cardIDs {
		if !validCardID(id) {
			return fmt.Errorf("store: boost cards: %w", invalidf("card id %q", id))
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		now := formatTime(db.now())
		for _, id := range cardIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO review_boosts (learner_id, card_id, boosted_at) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, learnerID, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: boost cards: %w", err)
	}
	return nil
}

// BoostedCards returns when each boosted card was boosted.
func (db *DB) BoostedCards(ctx context.Context, learnerID string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if checkLearnerID(learnerID) != nil {
		return out, nil
	}
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT card_id, boosted_at FROM review_boosts WHERE learner_id = ?", learnerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, at string
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			t, err := parseTime(at)
			if err != nil {
				return err
			}
			out[id] = t
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: boosted cards: %w", err)
	}
	return out, nil
}

// interviewOwner is the learner holding the session id, or "".
func interviewOwner(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var owner string
	err := tx.QueryRowContext(ctx, "SELECT learner_id FROM interviews WHERE id = ?", id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return owner, err
}

// interviewIsNew reports whether importing the session id would add one
// to the learner's, as importInterview decides.
func interviewIsNew(ctx context.Context, tx *sql.Tx, learnerID, id string) (bool, error) {
	owner, err := interviewOwner(ctx, tx, id)
	if err != nil || owner == "" || owner == learnerID {
		return owner == "", err
	}
	owner, err = interviewOwner(ctx, tx, copyID(learnerID, id))
	return owner == "", err
}

// importInterview adds one checked session unless the learner has it: a
// session is never merged, since its steps are the learner's own record.
// An id another learner holds is kept under a copy id, as for quizzes.
func importInterview(ctx context.Context, tx *sql.Tx, learnerID string, s interview.Session, stats *ImportStats) error {
	owner, err := interviewOwner(ctx, tx, s.ID)
	if err != nil || owner == learnerID {
		return err
	}
	if owner != "" {
		s.ID = copyID(learnerID, s.ID)
		if owner, err = interviewOwner(ctx, tx, s.ID); err != nil || owner != "" {
			return err
		}
	}
	added, err := insertInterview(ctx, tx, learnerID, s)
	if added {
		stats.Interviews++
	}
	return err
}
