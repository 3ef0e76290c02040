package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// This file is the plumbing between Go and SQLite that every noun uses: how
// values are written to columns and read back, and read snapshots.

// formatTime is how a time is stored: UTC, milliseconds, see timeLayout.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a time stored by formatTime.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// parseNullTime reads a time stored by nullTime; NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// storableTime reports whether t survives formatTime and sorts correctly as
// text: its UTC year has four digits and is not before 1970.
func storableTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1970 && y <= 9999
}

// ms truncates t to what formatTime keeps, in UTC.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// ints encodes a list of indices as a JSON array; nil is "[]".
func ints(v []int) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // cannot fail for []int
	return string(b)
}

// parseInts reads a column written by ints; "[]" gives nil.
func parseInts(s string) ([]int, error) {
	var v []int
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("stored list %q: %w", s, err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// The seed is a uint64; SQLite integers are signed 64-bit, so the column
// holds the same bits read as an int64.
func seedColumn(seed uint64) int64  { return int64(seed) }
func seedFromColumn(v int64) uint64 { return uint64(v) }

// inReadTx runs fn in a transaction on the read pool, so that all its
// queries see one snapshot of the database even while the writer commits.
func (db *DB) inReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// inserted reports whether an INSERT … ON CONFLICT DO NOTHING (or an upsert
// with a WHERE) wrote its row.
func inserted(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
