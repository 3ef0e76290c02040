package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// idLen is the length of learner and quiz ids: 128 random bits in hex.
const idLen = 32

// validID reports whether id is 32 lower-case hex digits, the form of
// learner and quiz ids.
func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// LearnerIDLen is the length of a learner id: 128 random bits in hex, so
// that nobody can guess another learner's.
const LearnerIDLen = idLen

// ValidLearnerID reports whether id has the form of a learner id, 32
// lower-case hex digits. The web layer checks cookies with it, so a learner
// it accepts is one the store accepts too.
func ValidLearnerID(id string) bool { return validID(id) }

// checkLearnerID returns an error wrapping ErrInvalid unless id is a
// well-formed learner id.
func checkLearnerID(id string) error {
	if !ValidLearnerID(id) {
		return invalidf("learner id %q is not 32 lower-case hex digits", id)
	}
	return nil
}

// EnsureLearner records the learner with this id, creating it on its first
// write and otherwise noting that it was seen now. The id must be 32
// lower-case hex digits, or the error wraps ErrInvalid.
func (db *DB) EnsureLearner(ctx context.Context, id string) error {
	if err := checkLearnerID(id); err != nil {
		return fmt.Errorf("store: ensure learner: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return db.ensureLearner(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("store: ensure learner %s: %w", id, err)
	}
	return nil
}

// ensureLearner is EnsureLearner inside a transaction that is already open;
// the id must have been checked. A revoked id is refused with ErrRevoked.
func (db *DB) ensureLearner(ctx context.Context, tx *sql.Tx, id string) error {
	var revoked int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM revoked_learners WHERE id = ?", id).Scan(&revoked); err != nil {
		return err
	}
	if revoked > 0 {
		return ErrRevoked
	}
	now := formatTime(db.now())
	_, err := tx.ExecContext(ctx, `INSERT INTO learners (id, created_at, seen_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, id, now, now)
	return err
}

// revokedFor is how long a deleted learner's id stays revoked: the
// lifetime of the cookie that carried it.
const revokedFor = 400 * 24 * time.Hour

// DeleteLearner deletes the learner and, through ON DELETE CASCADE, every
// row of its data: quizzes, their items and answers, review cards and logs;
// and revokes the id, so that a copy of the learner's cookie cannot bring
// it back (EnsureLearner then refuses it with ErrRevoked). Deleting a
// learner that does not exist is not an error.
func (db *DB) DeleteLearner(ctx context.Context, id string) error {
	if err := checkLearnerID(id); err != nil {
		return fmt.Errorf("store: delete learner: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		if _, err := tx.ExecContext(ctx, "DELETE FROM learners WHERE id = ?", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM revoked_learners WHERE revoked_at < ?", formatTime(now.Add(-revokedFor))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO revoked_learners (id, revoked_at) VALUES (?, ?)", id, formatTime(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete learner %s: %w", id, err)
	}
	return nil
}

// LearnerRevoked reports whether id belongs to a learner who deleted their
// data: the web layer then gives the request a new id instead.
func (db *DB) LearnerRevoked(ctx context.Context, id string) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM revoked_learners WHERE id = ?", id).Scan(&n); err != nil {
		return false, fmt.Errorf("store: is learner %s revoked: %w", id, err)
	}
	return n > 0, nil
}
