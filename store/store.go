package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Sync says how hard SQLite works to keep a committed transaction.
type Sync string

const (
	// SyncNormal survives a crash of the process: with WAL, a commit that
	// returned is in the log even if the process dies a moment later. Only a
	// power loss or an OS crash can take the last transactions back.
	SyncNormal Sync = "NORMAL"
	// SyncFull also survives power loss, at the price of an fsync per commit.
	SyncFull Sync = "FULL"
)

// Options tune Open. The zero value is what the server uses by default.
type Options struct {
	// Sync is the synchronous pragma; empty means SyncNormal.
	Sync Sync
	// BusyTimeout is how long a connection waits for a lock; zero means 5 s.
	BusyTimeout time.Duration
	// Readers is the size of the read pool; zero means 4.
	Readers int
	// Now is the clock; nil means time.Now. Tests inject their own.
	Now func() time.Time
	// ImportBatch is how many rows one transaction of an import writes at
	// most (a quiz is never split); zero means DefaultImportBatch.
	ImportBatch int
}

// DB is an open Microlab database: one writer connection and a read pool
// on the same SQLite file.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	// importBatch is Options.ImportBatch.
	importBatch int
	// importCommitted, when a test sets it, is called after each
	// transaction of an import commits, with the rows it was given (those
	// it skipped as already present included).
	importCommitted func(rows int)
}

// ErrNotFound is returned when a row that was asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// Open opens (creating if needed) the SQLite database at path and applies
// any pending migrations.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Sync == "" {
		opts.Sync = SyncNormal
	}
	if opts.Sync != SyncNormal && opts.Sync != SyncFull {
		return nil, fmt.Errorf("store: unknown sync mode %q (want NORMAL or FULL)", opts.Sync)
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.Readers == 0 {
		opts.Readers = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ImportBatch < 0 {
		return nil, fmt.Errorf("store: import batch %d is negative", opts.ImportBatch)
	}
	if opts.ImportBatch == 0 {
		opts.ImportBatch = DefaultImportBatch
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
	}

	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", fmt.Sprint(opts.BusyTimeout.Milliseconds()))
	q.Set("_synchronous", string(opts.Sync))
	q.Set("_txlock", "immediate")
	// Reuse prepared statements per connection: preparing costs as much as
	// running the small queries the store makes.
	q.Set("_stmt_cache_size", "64")
	dsn := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)

	q.Set("mode", "ro")
	q.Del("_txlock")
	q.Del("_journal_mode") // the writer has set it; a read-only connection cannot
	read, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	read.SetMaxOpenConns(opts.Readers)
	read.SetMaxIdleConns(opts.Readers)

	db := &DB{path: path, write: write, read: read, now: opts.Now, importBatch: opts.ImportBatch}
	if err := db.migrate(ctx, migrationFiles); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers a query on both pools.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping reader: %w", err)
	}
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping writer: %w", err)
	}
	return nil
}

// Close closes both pools. The WAL is checkpointed by SQLite when the last
// connection closes.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// inTx runs fn in a write transaction and commits it when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
