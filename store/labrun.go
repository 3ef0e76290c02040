package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MaxLabRuns is how many recorded lab runs one learner keeps: saving one
// more drops the oldest. A run is at most a megabyte (a thousand commands
// are about 150 KB), so a learner holds at most a few dozen megabytes.
const MaxLabRuns = 100

// maxLabRunRecord bounds a run's JSON.
const maxLabRunRecord = 1 << 20

// LabRun is one recorded run of a lab (simulator.Record as JSON, with what
// lists show of it).
type LabRun struct {
	ID       string // unguessable: whoever has it may watch the replay
	Owner    string // the learner whose lab recorded it (GetLabRun fills it)
	Title    string // the scenario's title, or "Free play"
	Scenario string // the scenario's slug, empty in free play
	EndNS    int64  // the virtual time the run reached
	Commands int    // how many commands it recorded
	Record   []byte // the simulator.Record: JSON, or JSON gzipped (the web layer's choice)
	Created  time.Time
	Saved    time.Time
	Expires  time.Time
}

func checkLabRun(r *LabRun) error {
	switch {
	case len(r.ID) < 16 || len(r.ID) > 64:
		return invalidf("run id of %d bytes; 16 to 64", len(r.ID))
	case r.Title == "" || len(r.Title) > 200:
		return invalidf("run title of %d bytes; 1 to 200", len(r.Title))
	case r.Scenario != "" && !validSlugID(r.Scenario):
		return invalidf("scenario %q is not a slug", r.Scenario)
	case r.EndNS < 0 || r.Commands < 0:
		return invalidf("a run cannot end at %d ns or hold %d commands", r.EndNS, r.Commands)
	case len(r.Record) == 0 || len(r.Record) > maxLabRunRecord:
		return invalidf("run record of %d bytes; 1 to %d", len(r.Record), maxLabRunRecord)
	case !storableTime(r.Created) || !storableTime(r.Saved) || !storableTime(r.Expires):
		return invalidf("run times outside the years 1970 to 9999")
	}
	return nil
}

// SaveLabRun stores the learner's run, or rewrites it when the learner has
// saved it before (a live run is saved again as it goes on). A run id
// another learner holds is refused, as ErrNotFound. When the learner holds
// more than MaxLabRuns, the oldest go.
func (db *DB) SaveLabRun(ctx context.Context, learnerID string, r LabRun) error {
	wrap := func(err error) error { return fmt.Errorf("store: save lab run: %w", err) }
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	if err := checkLabRun(&r); err != nil {
		return wrap(err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO lab_runs (id, learner_id, title, scenario, end_ns, commands, record, created_at, saved_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET title = excluded.title, end_ns = excluded.end_ns, commands = excluded.commands,
				record = excluded.record, saved_at = excluded.saved_at, expires_at = excluded.expires_at
			WHERE lab_runs.learner_id = excluded.learner_id`,
			r.ID, learnerID, r.Title, r.Scenario, r.EndNS, r.Commands, r.Record,
			formatTime(r.Created), formatTime(r.Saved), formatTime(r.Expires))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound // the id is another learner's
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM lab_runs WHERE learner_id = ? AND id NOT IN (
			SELECT id FROM lab_runs WHERE learner_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)`,
			learnerID, learnerID, MaxLabRuns)
		return err
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// GetLabRun returns the run with this id, record included, unless it has
// expired by now: then, as for an id nobody holds, ErrNotFound.
func (db *DB) GetLabRun(ctx context.Context, id string, now time.Time) (LabRun, error) {
	var r LabRun
	if len(id) < 16 || len(id) > 64 {
		return r, ErrNotFound
	}
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		runs, err := scanLabRuns(tx.QueryContext(ctx, `SELECT id, learner_id, title, scenario, end_ns, commands, record, created_at, saved_at, expires_at
			FROM lab_runs WHERE id = ? AND expires_at > ?`, id, formatTime(now)))
		if err != nil {
			return err
		}
		if len(runs) == 0 {
			return ErrNotFound
		}
		r = runs[0]
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("store: lab run: %w", err)
	}
	return r, err
}

// LabRuns lists the learner's runs that have not expired by now, newest
// first, without their records.
func (db *DB) LabRuns(ctx context.Context, learnerID string, now time.Time) ([]LabRun, error) {
	if checkLearnerID(learnerID) != nil {
		return nil, nil
	}
	var out []LabRun
	err := db.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanLabRuns(tx.QueryContext(ctx, `SELECT id, learner_id, title, scenario, end_ns, commands, '', created_at, saved_at, expires_at
			FROM lab_runs WHERE learner_id = ? AND expires_at > ? ORDER BY created_at DESC, id DESC`, learnerID, formatTime(now)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: lab runs: %w", err)
	}
	return out, nil
}

// DeleteLabRun removes the learner's run. A run that is not the learner's,
// or not there, is ErrNotFound.
func (db *DB) DeleteLabRun(ctx context.Context, learnerID, id string) error {
	if checkLearnerID(learnerID) != nil {
		return ErrNotFound
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM lab_runs WHERE id = ? AND learner_id = ?", id, learnerID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("store: delete lab run: %w", err)
	}
	return err
}

// DeleteExpiredLabRuns removes every run expired by now and says how many.
func (db *DB) DeleteExpiredLabRuns(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM lab_runs WHERE expires_at <= ?", formatTime(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired lab runs: %w", err)
	}
	return n, nil
}

func scanLabRuns(rows *sql.Rows, err error) ([]LabRun, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LabRun
	for rows.Next() {
		var (
			r                      LabRun
			rec                    []byte
			created, saved, expire string
		)
		if err := rows.Scan(&r.ID, &r.Owner, &r.Title, &r.Scenario, &r.EndNS, &r.Commands, &rec, &created, &saved, &expire); err != nil {
			return nil, err
		}
		if len(rec) > 0 {
			r.Record = rec
		}
		if r.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		if r.Saved, err = parseTime(saved); err != nil {
			return nil, err
		}
		if r.Expires, err = parseTime(expire); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
