package store

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
)

// Review settings and suspensions travel with an export (version 2), and
// importing merges them without overwriting the importer's own choices.
func TestExportCarriesReviewSettingsAndSuspensions(t *testing.T) {
	const (
		learnerC = "cccccccccccccccccccccccccccccccc"
		learnerD = "dddddddddddddddddddddddddddddddd"
		learnerE = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	)
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	fillRich(t, db, c, learnerA) // reviews the cards "saga" and "questions/describe-a-project"
	mine := ReviewSettings{Decks: []string{"saga", "bulkhead"}, NewPerDay: 7, ReviewsPerDay: 70}
	if err := db.SaveReviewSettings(ctx, learnerA, mine); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"saga", "bulkhead/never-reviewed"} {
		if err := db.SetSuspended(ctx, learnerA, id, true); err != nil {
			t.Fatal(err)
		}
	}
	e := mustExport(t, db, learnerA)
	if rs := e.ReviewSettings; rs == nil || rs.NewPerDay != 7 || rs.ReviewsPerDay != 70 || !slices.Equal(rs.Decks, mine.Decks) {
		t.Fatalf("the export's review settings = %+v, want %+v", rs, mine)
	}
	var flagged []string
	for _, card := range e.Cards {
		if card.Suspended {
			flagged = append(flagged, card.CardID)
		}
	}
	if !slices.Equal(flagged, []string{"bulkhead/never-reviewed", "saga"}) {
		t.Errorf("the export marks %v suspended", flagged)
	}

	// A fresh learner takes them all.
	stats := mustImport(t, db, learnerB, e)
	if !stats.Settings || stats.Suspended != 2 {
		t.Errorf("import into a fresh learner: settings taken %v, %d suspended; want true, 2", stats.Settings, stats.Suspended)
	}
	if got, _ := db.ReviewSettings(ctx, learnerB); !reflect.DeepEqual(got, mine) {
		t.Errorf("B's settings = %+v, want %+v", got, mine)
	}
	if got := suspended(t, db, learnerB); !slices.Equal(got, []string{"bulkhead/never-reviewed", "saga"}) {
		t.Errorf("B's suspended cards = %v", got)
	}
	// Importing again adds nothing.
	if again := mustImport(t, db, learnerB, e); again.Settings || again.Suspended != 0 {
		t.Errorf("a second import: %+v, want nothing taken", again)
	}

	// A learner with settings of their own keeps them, and gains the suspensions.
	theirs := ReviewSettings{Decks: []string{}, NewPerDay: 30, ReviewsPerDay: 300}
	if err := db.SaveReviewSettings(ctx, learnerC, theirs); err != nil {
		t.Fatal(err)
	}
	if stats := mustImport(t, db, learnerC, e); stats.Settings {
		t.Error("the import overwrote C's own settings")
	}
	if got, _ := db.ReviewSettings(ctx, learnerC); !reflect.DeepEqual(got, theirs) {
		t.Errorf("C's settings = %+v, want their own %+v", got, theirs)
	}
	if got := suspended(t, db, learnerC); len(got) != 2 {
		t.Errorf("C's suspended cards = %v, want the two of the file", got)
	}

	// A version 1 file has neither, and still imports.
	old := mustExport(t, db, learnerA)
	old.Version, old.ReviewSettings = 1, nil
	for i := range old.Cards {
		old.Cards[i].Suspended = false
	}
	mustImport(t, db, learnerD, old)
	if got, _ := db.ReviewSettings(ctx, learnerD); !reflect.DeepEqual(got, DefaultReviewSettings) {
		t.Errorf("after a version 1 import, D's settings = %+v, want the defaults", got)
	}

	// Settings out of bounds refuse the whole file.
	bad := mustExport(t, db, learnerA)
	bad.ReviewSettings.NewPerDay = 5000
	if _, err := db.Import(ctx, learnerE, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("an import with 5000 new cards a day: %v, want ErrInvalid", err)
	}
}

func suspended(tb testing.TB, db *DB, learnerID string) []string {
	tb.Helper()
	m, err := db.SuspendedCards(context.Background(), learnerID)
	if err != nil {
		tb.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}
