package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"
)

// MustOpen opens a database in a fresh temporary folder and closes it when
// the test ends.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "microlab.db"), Options{})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenSetsPragmas(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	} {
		var got string
		if err := db.write.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
}

func TestReadPoolCannotWrite(t *testing.T) {
	db := MustOpen(t)
	_, err := db.read.Exec("INSERT INTO learners (id, created_at, seen_at) VALUES (?, '', '')", "0123456789abcdef0123456789abcdef")
	if err == nil {
		t.Fatal("insert through the read pool succeeded, want a read-only error")
	}
}

func TestMigrationsApplyOnceAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	// Versions above the real migrations', which Open has applied already.
	fsys := fstest.MapFS{
		"migrations/9001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"migrations/9002_b.sql": {Data: []byte("CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (7);")},
	}
	shipped, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range shipped {
		want = append(want, m.version)
	}
	want = append(want, 9001, 9002)
	for start := 1; start <= 2; start++ {
		db, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("start %d: Open: %v", start, err)
		}
		// A second application of 9001 or 9002 would fail (table exists) or
		// insert a second row; both are caught below.
		if err := db.migrate(ctx, fsys); err != nil {
			t.Fatalf("start %d: migrate: %v", start, err)
		}
		var rows int
		if err := db.read.QueryRow("SELECT COUNT(*) FROM b").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 1 {
			t.Errorf("start %d: table b has %d rows, want 1", start, rows)
		}
		got, err := db.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("start %d: applied = %v, want %v", start, got, want)
		}
		db.Close()
	}
}

func TestFailedMigrationLeavesNothingBehind(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	fsys := fstest.MapFS{
		"migrations/0099_half.sql": {Data: []byte("CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);")},
	}
	if err := db.migrate(ctx, fsys); err == nil {
		t.Fatal("migrate succeeded, want an error for the missing table")
	}
	var n int
	db.read.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").Scan(&n)
	if n != 0 {
		t.Error("table half exists after its migration failed; the migration was not atomic")
	}
	db.read.QueryRow("SELECT COUNT(*) FROM schema_migrations WHERE version = 99").Scan(&n)
	if n != 0 {
		t.Error("failed migration 99 was recorded as applied")
	}
}

func TestBadMigrationNamesAreRefused(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"migrations/init.sql": {Data: []byte("SELECT 1;")}},
		"duplicate": {
			"migrations/0001_a.sql": {Data: []byte("SELECT 1;")},
			"migrations/1_b.sql":    {Data: []byte("SELECT 1;")},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := loadMigrations(fsys); err == nil {
				t.Error("loadMigrations accepted it, want an error")
			}
		})
	}
}

func TestCommittedDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "durable.db")
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	db, err := Open(ctx, path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const id = "00112233445566778899aabbccddeeff"
	if err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO learners (id, created_at, seen_at) VALUES (?, ?, ?)", id, "t", "t")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.read.QueryRowContext(ctx, "SELECT id FROM learners").Scan(&got); err != nil {
		t.Fatalf("after reopen: %v", err)
	}
	if got != id {
		t.Errorf("after reopen, learner id = %q, want %q", got, id)
	}
}
