package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"microlab/quiz"
)

func TestReviewSettings(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	if s, err := db.ReviewSettings(ctx, learnerA); err != nil || !reflect.DeepEqual(s, DefaultReviewSettings) {
		t.Fatalf("settings before any save = %+v, %v; want the defaults", s, err)
	}
	want := ReviewSettings{Decks: []string{"saga", "bulkhead"}, NewPerDay: 5, ReviewsPerDay: 50}
	if err := db.SaveReviewSettings(ctx, learnerA, want); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ReviewSettings(ctx, learnerA); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("settings = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []ReviewSettings{
		{NewPerDay: -1, ReviewsPerDay: 1}, {NewPerDay: 1000}, {ReviewsPerDay: 10000},
		{Decks: []string{"a b"}}, {Decks: []string{"saga/what"}}, {Decks: make([]string, 65)},
	} {
		wantErr(t, "save settings", db.SaveReviewSettings(ctx, learnerA, bad), ErrInvalid)
	}
	if got, _ := db.ReviewSettings(ctx, learnerA); !reflect.DeepEqual(got, want) {
		t.Errorf("a refused save changed the settings to %+v", got)
	}
}

func TestReviewCountsSuspendAndReset(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	start := c.Now()
	mustReview(t, db, c, learnerA, "saga/a", quiz.Good) // a new card introduced
	c.Advance(time.Hour)
	mustReview(t, db, c, learnerA, "saga/a", quiz.Good)
	mustReview(t, db, c, learnerA, "saga/b", quiz.Again)
	if r, n, err := db.ReviewCounts(ctx, learnerA, start); err != nil || r != 3 || n != 2 {
		t.Errorf("counts since the start = %d reviews, %d new, %v; want 3 and 2", r, n, err)
	}
	if r, n, _ := db.ReviewCounts(ctx, learnerA, start.Add(time.Minute)); r != 2 || n != 1 {
		t.Errorf("counts since a minute in = %d, %d; want 2 and 1", r, n)
	}
	if logs, err := db.ReviewLogsSince(ctx, learnerA, start.Add(time.Minute)); err != nil || len(logs) != 2 || logs[0].CardID != "saga/a" {
		t.Errorf("logs since a minute in = %+v, %v", logs, err)
	}

	before, _, _ := db.Card(ctx, learnerA, "saga/a")
	for _, id := range []string{"saga/a", "saga/never-seen"} {
		if err := db.SetSuspended(ctx, learnerA, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if s, _ := db.SuspendedCards(ctx, learnerA); !reflect.DeepEqual(s, map[string]bool{"saga/a": true, "saga/never-seen": true}) {
		t.Errorf("suspended = %v", s)
	}
	if after, _, _ := db.Card(ctx, learnerA, "saga/a"); !reflect.DeepEqual(after, before) {
		t.Errorf("suspending changed the schedule: %+v, was %+v", after, before)
	}
	if never, _, _ := db.Card(ctx, learnerA, "saga/never-seen"); never.State != quiz.StateNew || never.Reps != 0 {
		t.Errorf("a suspended card never seen = %+v, want new", never)
	}
	// A suspended new card can still be reviewed (a quiz may lapse it).
	mustReview(t, db, c, learnerA, "saga/never-seen", quiz.Good)
	if err := db.SetSuspended(ctx, learnerA, "saga/a", false); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.SuspendedCards(ctx, learnerA); len(s) != 1 || !s["saga/never-seen"] {
		t.Errorf("after unsuspending saga/a, suspended = %v", s)
	}
	if err := db.ResetCard(ctx, learnerA, "saga/a"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Card(ctx, learnerA, "saga/a"); ok {
		t.Error("a reset card is still stored")
	}
	if r, _, _ := db.ReviewCounts(ctx, learnerA, start); r != 4 {
		t.Errorf("reset lost the history: %d reviews, want 4", r)
	}
	wantErr(t, "suspend a bad id", db.SetSuspended(ctx, learnerA, "a b", true), ErrInvalid)
	wantErr(t, "reset a bad id", db.ResetCard(ctx, learnerA, ""), ErrInvalid)
}

func TestUndoReview(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	if _, ok, err := db.Undoable(ctx, learnerA); ok || err != nil {
		t.Fatalf("undoable with no reviews: %v, %v", ok, err)
	}
	first := mustReview(t, db, c, learnerA, "saga/a", quiz.Good)
	c.Advance(20 * time.Minute)
	mustReview(t, db, c, learnerA, "saga/a", quiz.Easy)
	last, ok, err := db.Undoable(ctx, learnerA)
	if err != nil || !ok || last.CardID != "saga/a" || last.Rating != quiz.Easy {
		t.Fatalf("undoable = %+v, %v, %v; want the Easy of saga/a", last, ok, err)
	}
	wantErr(t, "undo another card", db.UndoReview(ctx, learnerA, "saga/b", last.Reviewed), ErrNotFound)
	wantErr(t, "undo at another time", db.UndoReview(ctx, learnerA, "saga/a", last.Reviewed.Add(-time.Second)), ErrNotFound)
	if err := db.UndoReview(ctx, learnerA, "saga/a", last.Reviewed); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := db.Card(ctx, learnerA, "saga/a"); !reflect.DeepEqual(got, first) {
		t.Errorf("after undo the card is %+v, want it as after the first review, %+v", got, first)
	}
	wantErr(t, "undo twice", db.UndoReview(ctx, learnerA, "saga/a", last.Reviewed), ErrNotFound)
	// The first review is now the latest: undoing it makes the card new.
	prev, ok, _ := db.Undoable(ctx, learnerA)
	if !ok || prev.Rating != quiz.Good {
		t.Fatalf("after one undo, undoable = %+v, %v; want the Good", prev, ok)
	}
	if err := db.UndoReview(ctx, learnerA, "saga/a", prev.Reviewed); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Card(ctx, learnerA, "saga/a"); ok {
		t.Error("undoing a new card's first review left it stored")
	}
	if r, _, _ := db.ReviewCounts(ctx, learnerA, time.Time{}); r != 0 {
		t.Errorf("%d reviews left after undoing both", r)
	}
	// The review is the card's state no longer (reset since): no undo.
	mustReview(t, db, c, learnerA, "saga/b", quiz.Good)
	if err := db.ResetCard(ctx, learnerA, "saga/b"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Undoable(ctx, learnerA); ok {
		t.Error("a review whose card was reset since is offered for undo")
	}
}
