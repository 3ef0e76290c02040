package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MaxChallengeRuns is how many scored challenge runs one learner may hold:
// a run a minute for a day and a half.
const MaxChallengeRuns = 2000

// maxChallengeSettings bounds a run's settings, URL-encoded.
const maxChallengeSettings = 4096

// ChallengeRun is one scored submission to a challenge.
type ChallengeRun struct {
	Challenge string    // the challenge's slug
	Settings  string    // the knobs as submitted, URL-encoded
	Pass      bool      // every objective held
	Score     int       // 0 to 1000; 0 unless Pass
	At        time.Time // when it was scored
}

func checkChallengeRun(r ChallengeRun) error {
	switch {
	case !validSlugID(r.Challenge):
		return invalidf("challenge %q is not a slug", r.Challenge)
	case len(r.Settings) > maxChallengeSettings:
		return invalidf("settings of %d bytes; at most %d", len(r.Settings), maxChallengeSettings)
	case r.Score < 0 || r.Score > 1000 || (!r.Pass && r.Score != 0):
		return invalidf("score %d does not fit a run that passed: %v", r.Score, r.Pass)
	case !storableTime(r.At):
		return invalidf("run time %v is outside the years 1970 to 9999", r.At)
	}
	return nil
}

// validSlugID reports whether s is 1 to 80 lower-case letters, digits and
// hyphens.
func validSlugID(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// SaveChallengeRun stores a scored run for the learner.
func (db *DB) SaveChallengeRun(ctx context.Context, learnerID string, r ChallengeRun) error {
	wrap := func(err error) error { return fmt.Errorf("store: save challenge run %s: %w", r.Challenge, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if err := checkChallengeRun(r); err != nil {
		return wrap(err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		added, err := insertChallengeRun(ctx, tx, learnerID, r)
		if err != nil {
			return err
		}
		if !added {
			return invalidf("a run of %s at %v is stored already", r.Challenge, r.At)
		}
		return checkHoldings(ctx, tx, learnerID)
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

func insertChallengeRun(ctx context.Context, tx *sql.Tx, learnerID string, r ChallengeRun) (bool, error) {
	return inserted(tx.ExecContext(ctx, `INSERT INTO challenge_runs (learner_id, challenge, settings, pass, score, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, learnerID, r.Challenge, r.Settings, r.Pass, r.Score, formatTime(r.At)))
}

// ChallengeBests returns each challenge's best run of the learner: a pass
// before a miss, then the higher score, then the earlier run.
func (db *DB) ChallengeBests(ctx context.Context, learnerID string) (map[string]ChallengeRun, error) {
	out := map[string]ChallengeRun{}
	if checkLearnerID(learnerID) != nil {
		return out, nil
	}
	runs, err := db.challengeRuns(ctx, `SELECT challenge, settings, pass, score, created_at FROM challenge_runs
		WHERE learner_id = ? ORDER BY challenge, pass DESC, score DESC, created_at`, learnerID)
	if err != nil {
		return nil, fmt.Errorf("store: challenge bests: %w", err)
	}
	for _, r := range runs {
		if _, ok := out[r.Challenge]; !ok {
			out[r.Challenge] = r
		}
	}
	return out, nil
}

// LastChallengeRun returns the learner's latest run of the challenge, and
// false when there is none.
func (db *DB) LastChallengeRun(ctx context.Context, learnerID, challenge string) (ChallengeRun, bool, error) {
	if checkLearnerID(learnerID) != nil {
		return ChallengeRun{}, false, nil
	}
	runs, err := db.challengeRuns(ctx, `SELECT challenge, settings, pass, score, created_at FROM challenge_runs
		WHERE learner_id = ? AND challenge = ? ORDER BY created_at DESC LIMIT 1`, learnerID, challenge)
	if err != nil || len(runs) == 0 {
		return ChallengeRun{}, false, err
	}
	return runs[0], true, nil
}

func (db *DB) challengeRuns(ctx context.Context, query string, args ...any) ([]ChallengeRun, error) {
	var out []ChallengeRun
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.challengeRunsTx(ctx, tx, query, args...)
		return err
	})
	return out, err
}

func (db *DB) challengeRunsTx(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]ChallengeRun, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ChallengeRun
	for rows.Next() {
		var (
			r  ChallengeRun
			at string
		)
		if err := rows.Scan(&r.Challenge, &r.Settings, &r.Pass, &r.Score, &at); err != nil {
			return nil, err
		}
		if r.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
