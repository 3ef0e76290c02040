package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A learner carries their progress to another browser with a one-time
// code: the browser that makes it becomes a device of the learner (if it
// is not one yet), and the browser that enters it becomes another. See
// migrations/0006_devices.sql for the rules the tables keep.
const (
	// LinkCodeLife is how long a link code works.
	LinkCodeLife = 10 * time.Minute
	// MaxLiveLinkCodes is how many unexpired codes one learner may hold.
	MaxLiveLinkCodes = 3
	// MaxDevices is how many devices one learner may link.
	MaxDevices = 20
	// MaxDeviceLabel bounds a device's label, in characters.
	MaxDeviceLabel = 60
	// deviceSeenEvery is how stale a device's last-seen time may get
	// before a visit writes it again: every request checks the device, and
	// it should not cost a write each time.
	deviceSeenEvery = time.Hour
)

// What a *FullError from linking names.
const (
	FullDevices   = "linked devices"
	FullLinkCodes = "link codes waiting"
)

// linkAlphabet is what codes are made of: digits and upper-case letters
// without 0, O, 1 and I, which read alike. 32 symbols, 5 bits each, so a
// code of 8 holds 40 bits.
const linkAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

const linkCodeLen = 8

// Device is a browser that carries a learner's progress.
type Device struct {
	ID      string
	Label   string
	Created time.Time
	Seen    time.Time
}

// NewDevice is a browser about to become a device: the id its cookie will
// carry (32 lower-case hex digits) and its label.
type NewDevice struct {
	ID, Label string
}

// Joining is the browser entering a link code: the device it becomes, and
// the learner and device its cookies named before, "" for none.
type Joining struct {
	Device      NewDevice
	FromLearner string
	FromDevice  string
}

// LinkCode is a code just made, as the learner is to read and type it.
type LinkCode struct {
	// Code is grouped in two fours, like "K7QH-3MZP".
	Code    string
	Expires time.Time
}

// ValidDeviceID reports whether id has the form of a device id, the same
// as a learner id's.
func ValidDeviceID(id string) bool { return validID(id) }

// NormalizeLinkCode turns what a person typed into the code it means: case
// does not matter, and spaces and dashes are ignored. ok is false when it
// cannot be a code.
func NormalizeLinkCode(s string) (code string, ok bool) {
	if len(s) > 32 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
		case r < utf8.RuneSelf && strings.IndexByte(linkAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != linkCodeLen {
		return "", false
	}
	return b.String(), true
}

// FormatLinkCode writes a normalized code in two groups of four.
func FormatLinkCode(code string) string {
	if len(code) != linkCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// hashLinkCode is what link_codes keeps of a normalized code.
func hashLinkCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// newLinkCode draws a normalized code from crypto/rand: 256 is a multiple
// of 32, so each byte's low five bits pick a symbol uniformly.
func newLinkCode() string {
	var b [linkCodeLen]byte
	rand.Read(b[:]) // never fails: crypto/rand panics rather than return an error
	for i := range b {
		b[i] = linkAlphabet[b[i]&31]
	}
	return string(b[:])
}

// checkDevice returns an error wrapping ErrInvalid unless d has a
// well-formed id and a label of 1 to 60 printable characters.
func checkDevice(d NewDevice) error {
	if !ValidDeviceID(d.ID) {
		return invalidf("device id %q is not 32 lower-case hex digits", d.ID)
	}
	n := utf8.RuneCountInString(d.Label)
	if n == 0 || n > MaxDeviceLabel || !utf8.ValidString(d.Label) || strings.TrimSpace(d.Label) != d.Label {
		return invalidf("device label %q is not 1 to %d characters without surrounding space", d.Label, MaxDeviceLabel)
	}
	for _, r := range d.Label {
		if !unicode.IsPrint(r) {
			return invalidf("device label %q holds a character that does not print", d.Label)
		}
	}
	return nil
}

// CreateLinkCode makes a code that links another browser to the learner
// for LinkCodeLife. self is the browser asking: it is registered as a
// device of the learner unless it is one already, and the learner is
// created on this first write. A learner holding MaxLiveLinkCodes codes,
// or self new to a learner with MaxDevices devices, gives a *FullError
// (FullLinkCodes, FullDevices); a revoked learner ErrRevoked.
func (db *DB) CreateLinkCode(ctx context.Context, learnerID string, self NewDevice) (LinkCode, error) {
	wrap := func(err error) error { return fmt.Errorf("store: create link code for %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return LinkCode{}, wrap(err)
	}
	if err := checkDevice(self); err != nil {
		return LinkCode{}, wrap(err)
	}
	var code LinkCode
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		if err := db.ensureLearner(ctx, tx, learnerID); err != nil {
			return err
		}
		if err := db.addDevice(ctx, tx, learnerID, self, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM link_codes WHERE expires_at <= ?", formatTime(now)); err != nil {
			return err
		}
		var live int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM link_codes WHERE learner_id = ?", learnerID).Scan(&live); err != nil {
			return err
		}
		if live >= MaxLiveLinkCodes {
			return &FullError{What: FullLinkCodes, Max: MaxLiveLinkCodes}
		}
		expires := ms(now.Add(LinkCodeLife))
		// Two live codes alike are one in 2^40 per pair: draw again rather
		// than let one learner's code name another's.
		for range 5 {
			c := newLinkCode()
			ok, err := inserted(tx.ExecContext(ctx, `INSERT INTO link_codes (hash, learner_id, created_at, expires_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`, hashLinkCode(c), learnerID, formatTime(now), formatTime(expires)))
			if err != nil {
				return err
			}
			if ok {
				code = LinkCode{Code: FormatLinkCode(c), Expires: expires}
				return nil
			}
		}
		return errors.New("no unused code in 5 draws")
	})
	if err != nil {
		return LinkCode{}, wrap(err)
	}
	return code, nil
}

// addDevice registers d as a device of the learner unless it is one
// already, and marks the learner as one whose browsers need a device.
func (db *DB) addDevice(ctx context.Context, tx *sql.Tx, learnerID string, d NewDevice, now time.Time) error {
	var owner string
	err := tx.QueryRowContext(ctx, "SELECT learner_id FROM devices WHERE id = ?", d.ID).Scan(&owner)
	switch {
	case err == nil && owner == learnerID:
		return nil
	case err == nil:
		return invalidf("device %s belongs to another learner", d.ID)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM devices WHERE learner_id = ?", learnerID).Scan(&n); err != nil {
		return err
	}
	if n >= MaxDevices {
		return &FullError{What: FullDevices, Max: MaxDevices}
	}
	at := formatTime(now)
	if _, err := tx.ExecContext(ctx, "INSERT INTO devices (id, learner_id, label, created_at, seen_at) VALUES (?, ?, ?, ?, ?)",
		d.ID, learnerID, d.Label, at, at); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT OR IGNORE INTO device_learners (learner_id) VALUES (?)", learnerID)
	return err
}

// RedeemLinkCode uses a link code: the joining browser becomes a new
// device of the code's learner, whose id it returns, and the code is gone.
// A code that is malformed, unknown, used or expired gives an error
// wrapping ErrNotFound, and so does one of a learner who deleted their
// data; a learner with MaxDevices devices a *FullError (FullDevices), and
// the code stays usable. The browser's device of its former learner, if
// any, is signed out. A browser entering its own learner's code keeps its
// device and only uses the code up.
func (db *DB) RedeemLinkCode(ctx context.Context, code string, j Joining) (string, error) {
	wrap := func(err error) error { return fmt.Errorf("store: redeem link code: %w", err) }
	if err := checkDevice(j.Device); err != nil {
		return "", wrap(err)
	}
	if (j.FromLearner != "" && !ValidLearnerID(j.FromLearner)) || (j.FromDevice != "" && !ValidDeviceID(j.FromDevice)) {
		return "", wrap(invalidf("former learner %q or device %q is malformed", j.FromLearner, j.FromDevice))
	}
	norm, ok := NormalizeLinkCode(code)
	if !ok {
		return "", wrap(fmt.Errorf("malformed code: %w", ErrNotFound))
	}
	hash := hashLinkCode(norm)
	var learnerID string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		var expires string
		err := tx.QueryRowContext(ctx, "SELECT learner_id, expires_at FROM link_codes WHERE hash = ?", hash).Scan(&learnerID, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("unknown or used code: %w", ErrNotFound)
		}
		if err != nil {
			return err
		}
		if expires <= formatTime(now) {
			return fmt.Errorf("expired code: %w", ErrNotFound)
		}
		if err := db.ensureLearner(ctx, tx, learnerID); errors.Is(err, ErrRevoked) {
			return fmt.Errorf("code of a revoked learner: %w", ErrNotFound)
		} else if err != nil {
			return err
		}
		if learnerID != j.FromLearner {
			if err := db.addDevice(ctx, tx, learnerID, j.Device, now); err != nil {
				return err
			}
			if j.FromLearner != "" && j.FromDevice != "" {
				if _, err := tx.ExecContext(ctx, "DELETE FROM devices WHERE id = ? AND learner_id = ?", j.FromDevice, j.FromLearner); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM link_codes WHERE hash = ?", hash)
		return err
	})
	if err != nil {
		return "", wrap(err)
	}
	return learnerID, nil
}

// Devices returns the learner's devices, the oldest first.
func (db *DB) Devices(ctx context.Context, learnerID string) ([]Device, error) {
	wrap := func(err error) error { return fmt.Errorf("store: devices of %s: %w", learnerID, err) }
	if err := checkLearnerID(learnerID); err != nil {
		return nil, wrap(err)
	}
	rows, err := db.read.QueryContext(ctx, "SELECT id, label, created_at, seen_at FROM devices WHERE learner_id = ? ORDER BY created_at, id", learnerID)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		var d Device
		var created, seen string
		if err := rows.Scan(&d.ID, &d.Label, &created, &seen); err != nil {
			return nil, wrap(err)
		}
		if d.Created, err = parseTime(created); err != nil {
			return nil, wrap(err)
		}
		if d.Seen, err = parseTime(seen); err != nil {
			return nil, wrap(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// SignOutDevice signs one of the learner's devices out: its cookie no
// longer names the learner. A device the learner does not have gives an
// error wrapping ErrNotFound.
func (db *DB) SignOutDevice(ctx context.Context, learnerID, deviceID string) error {
	wrap := func(err error) error {
		return fmt.Errorf("store: sign out device %s of %s: %w", deviceID, learnerID, err)
	}
	if err := checkLearnerID(learnerID); err != nil {
		return wrap(err)
	}
	res, err := db.write.ExecContext(ctx, "DELETE FROM devices WHERE id = ? AND learner_id = ?", deviceID, learnerID)
	if err != nil {
		return wrap(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(err)
	} else if n == 0 {
		return wrap(ErrNotFound)
	}
	return nil
}

// DeviceSignedIn reports whether a browser whose cookies name the learner
// and deviceID ("" for no device cookie) may act as that learner: the
// device is one of the learner's, or, with no device, the learner never
// registered one. It is one primary-key read; a device last seen over an
// hour ago is noted as seen now, a write.
func (db *DB) DeviceSignedIn(ctx context.Context, learnerID, deviceID string) (bool, error) {
	wrap := func(err error) error {
		return fmt.Errorf("store: is device %q of %s signed in: %w", deviceID, learnerID, err)
	}
	if err := checkLearnerID(learnerID); err != nil {
		return false, wrap(err)
	}
	if deviceID == "" {
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM device_learners WHERE learner_id = ?", learnerID).Scan(&n); err != nil {
			return false, wrap(err)
		}
		return n == 0, nil
	}
	var owner, seen string
	err := db.read.QueryRowContext(ctx, "SELECT learner_id, seen_at FROM devices WHERE id = ?", deviceID).Scan(&owner, &seen)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != learnerID) {
		return false, nil
	}
	if err != nil {
		return false, wrap(err)
	}
	now := db.now()
	if last, err := parseTime(seen); err != nil || now.Sub(last) >= deviceSeenEvery {
		if _, err := db.write.ExecContext(ctx, "UPDATE devices SET seen_at = ? WHERE id = ?", formatTime(now), deviceID); err != nil {
			return false, wrap(err)
		}
	}
	return true, nil
}

// LearnerHasProgress reports whether the learner holds any quiz or
// flashcard of their own: what a browser would lose by linking to another
// learner.
func (db *DB) LearnerHasProgress(ctx context.Context, learnerID string) (bool, error) {
	if err := checkLearnerID(learnerID); err != nil {
		return false, fmt.Errorf("store: has progress: %w", err)
	}
	var has bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM quizzes WHERE learner_id = ?1)
		OR EXISTS (SELECT 1 FROM review_cards WHERE learner_id = ?1)
		OR EXISTS (SELECT 1 FROM review_logs WHERE learner_id = ?1)`, learnerID).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("store: has %s progress: %w", learnerID, err)
	}
	return has, nil
}
