package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func labRun(n int, at time.Time) LabRun {
	return LabRun{ID: fmt.Sprintf("run-%016d", n), Title: "Slow payment", Scenario: "slow-payment",
		EndNS: int64(n) * 1e9, Commands: n, Record: []byte(fmt.Sprintf(`{"version":1,"n":%d}`, n)),
		Created: at, Saved: at, Expires: at.Add(time.Hour)}
}

// A run is saved as it goes on, survives a restart, is readable by anyone
// with its id and deletable by its owner alone, and is gone once expired.
func TestLabRunsSurviveARestartAndExpire(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "runs.db")
	db := mustOpenFile(t, path, c)
	r := labRun(1, c.Now())
	if err := db.SaveLabRun(ctx, learnerA, r); err != nil {
		t.Fatal(err)
	}
	r.EndNS, r.Commands, r.Record, r.Saved = 9e9, 3, []byte(`{"version":1,"later":true}`), c.Advance(time.Minute)
	if err := db.SaveLabRun(ctx, learnerA, r); err != nil {
		t.Fatal(err)
	}
	// Another learner cannot overwrite it.
	stolen := r
	stolen.Record = []byte(`{"stolen":true}`)
	wantErr(t, "saving another learner's run", db.SaveLabRun(ctx, learnerB, stolen), ErrNotFound)
	db.Close()

	db = mustOpenFile(t, path, c)
	defer db.Close()
	got, err := db.GetLabRun(ctx, r.ID, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner != learnerA || got.EndNS != 9e9 || got.Commands != 3 || string(got.Record) != `{"version":1,"later":true}` || !got.Created.Equal(ms(r.Created)) {
		t.Errorf("after a restart the run is %+v", got)
	}
	list, err := db.LabRuns(ctx, learnerA, c.Now())
	if err != nil || len(list) != 1 || list[0].ID != r.ID || list[0].Record != nil {
		t.Errorf("learner A's runs = %+v, %v; want the one, without its record", list, err)
	}
	if list, _ := db.LabRuns(ctx, learnerB, c.Now()); len(list) != 0 {
		t.Errorf("learner B lists %d runs of A's", len(list))
	}
	wantErr(t, "B deleting A's run", db.DeleteLabRun(ctx, learnerB, r.ID), ErrNotFound)
	if _, err := db.GetLabRun(ctx, r.ID, c.Now()); err != nil {
		t.Fatalf("B's delete removed A's run: %v", err)
	}

	// An hour after its last save it has expired: not served, then swept.
	later := c.Advance(time.Hour)
	wantErr(t, "an expired run", func() error { _, err := db.GetLabRun(ctx, r.ID, later); return err }(), ErrNotFound)
	if n, err := db.DeleteExpiredLabRuns(ctx, later); err != nil || n != 1 {
		t.Errorf("swept %d expired runs (%v), want 1", n, err)
	}
	if n := count(t, db, "SELECT count(*) FROM lab_runs"); n != 0 {
		t.Errorf("%d runs left after the sweep", n)
	}
	wantErr(t, "deleting a run that is gone", db.DeleteLabRun(ctx, learnerA, r.ID), ErrNotFound)
}

// A learner keeps the newest MaxLabRuns runs; saving one more drops the
// oldest, and nobody else's.
func TestLabRunsKeepTheNewest(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := mustOpenClock(t, c)
	defer db.Close()
	if err := db.SaveLabRun(ctx, learnerB, labRun(9999, c.Now())); err != nil {
		t.Fatal(err)
	}
	for i := range MaxLabRuns + 5 {
		if err := db.SaveLabRun(ctx, learnerA, labRun(i, c.Advance(time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM lab_runs WHERE learner_id = ?", learnerA); n != MaxLabRuns {
		t.Errorf("learner A holds %d runs, want %d", n, MaxLabRuns)
	}
	if n := count(t, db, "SELECT count(*) FROM lab_runs WHERE learner_id = ? AND id IN (?, ?)", learnerA, labRun(0, c.Now()).ID, labRun(4, c.Now()).ID); n != 0 {
		t.Errorf("the five oldest should have gone; %d of the first and fifth remain", n)
	}
	if _, err := db.GetLabRun(ctx, labRun(9999, c.Now()).ID, c.Now()); err != nil {
		t.Errorf("learner B's run went with A's: %v", err)
	}
}

// Bad runs are refused with a reason and nothing is written.
func TestLabRunBadInput(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := mustOpenClock(t, c)
	defer db.Close()
	for name, change := range map[string]func(r *LabRun){
		"short id":     func(r *LabRun) { r.ID = "abc" },
		"no title":     func(r *LabRun) { r.Title = "" },
		"bad scenario": func(r *LabRun) { r.Scenario = "Slow Payment!" },
		"negative end": func(r *LabRun) { r.EndNS = -1 },
		"no record":    func(r *LabRun) { r.Record = nil },
		"huge record":  func(r *LabRun) { r.Record = make([]byte, maxLabRunRecord+1) },
		"year 1900":    func(r *LabRun) { r.Expires = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		r := labRun(1, c.Now())
		change(&r)
		wantErr(t, name, db.SaveLabRun(ctx, learnerA, r), ErrInvalid)
	}
	wantErr(t, "a bad learner id", db.SaveLabRun(ctx, "nope", labRun(1, c.Now())), ErrInvalid)
	if n := count(t, db, "SELECT count(*) FROM lab_runs"); n != 0 {
		t.Errorf("%d runs written from bad input", n)
	}
	wantErr(t, "a short id", func() error { _, err := db.GetLabRun(ctx, "x", c.Now()); return err }(), ErrNotFound)
}
