package store

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"microlab/quiz"
)

func TestAReviewedCardIsStoredAndScheduled(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()

	if _, ok, err := db.Card(ctx, learnerA, "saga"); err != nil || ok {
		t.Fatalf("Card before any review: ok %v, err %v; want a new card", ok, err)
	}
	t0 := c.Now()
	card := mustReview(t, db, c, learnerA, "saga", quiz.Good) // learning, due in 10 minutes
	got, ok, err := db.Card(ctx, learnerA, "saga")
	if err != nil || !ok {
		t.Fatalf("Card after a review: ok %v, err %v", ok, err)
	}
	if !reflect.DeepEqual(got, card) {
		t.Errorf("Card = %+v, want %+v", got, card)
	}

	c.Advance(time.Minute)
	mustReview(t, db, c, learnerA, "bulkhead", quiz.Again) // due in 1 minute
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{t0, 0},
		{t0.Add(2 * time.Minute), 1},  // bulkhead
		{t0.Add(10 * time.Minute), 2}, // and saga, due exactly now
	} {
		if n, err := db.DueCount(ctx, learnerA, tc.at); err != nil || n != tc.want {
			t.Errorf("DueCount at %v = %d, %v; want %d", tc.at, n, err, tc.want)
		}
	}
	if n, _ := db.DueCount(ctx, learnerB, t0.Add(time.Hour)); n != 0 {
		t.Errorf("learner B has %d cards due, want 0", n)
	}

	cards, err := db.Cards(ctx, learnerA)
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 2 || cards["saga"].State != quiz.StateLearning || cards["bulkhead"].Reps != 1 {
		t.Errorf("Cards = %+v, want saga and bulkhead, each reviewed once", cards)
	}

	logs, err := db.ReviewLogs(ctx, learnerA, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []quiz.CardReview{
		{CardID: "bulkhead", ReviewLog: quiz.ReviewLog{Rating: quiz.Again, Reviewed: t0.Add(time.Minute), State: quiz.StateNew, Interval: time.Minute}},
		{CardID: "saga", ReviewLog: quiz.ReviewLog{Rating: quiz.Good, Reviewed: t0, State: quiz.StateNew, Interval: 10 * time.Minute}},
	}
	if !reflect.DeepEqual(logs, want) {
		t.Errorf("ReviewLogs =\n%+v\nwant\n%+v", logs, want)
	}
}

func TestAReviewAtTheSameInstantIsRefused(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	mustReview(t, db, c, learnerA, "saga", quiz.Good)

	next, log := quiz.DefaultScheduler().Review(quiz.Card{}, quiz.Easy, c.Now())
	wantErr(t, "second review at the same instant", db.SaveReview(ctx, learnerA, "saga", next, log), ErrAlreadyAnswered)
	if got, _, _ := db.Card(ctx, learnerA, "saga"); got.State != quiz.StateLearning {
		t.Errorf("card state = %v, want the first review's learning", got.State)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM review_logs"); n != 1 {
		t.Errorf("%d logs, want 1", n)
	}
}

func TestAnEarlierReviewSavedLateIsRefusedAndKeepsTheLaterCard(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	s := quiz.DefaultScheduler()
	// Two tabs review the same new card; the one that rated later commits
	// first. Both rated the card as shown, so the second to commit is a
	// second rating of it and is refused.
	early, earlyLog := s.Review(quiz.Card{}, quiz.Again, c.Now())
	late, lateLog := s.Review(quiz.Card{}, quiz.Easy, c.Now().Add(time.Second))
	if err := db.SaveReview(ctx, learnerA, "saga", late, lateLog); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "the earlier review saved late", db.SaveReview(ctx, learnerA, "saga", early, earlyLog), ErrAlreadyAnswered)
	if got, _, _ := db.Card(ctx, learnerA, "saga"); !reflect.DeepEqual(got, late) {
		t.Errorf("card = %+v, want the later review's %+v", got, late)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM review_logs"); n != 1 {
		t.Errorf("%d logs, want only the review that stands", n)
	}
}

func TestBadReviewsAreRefused(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	good, goodLog := quiz.DefaultScheduler().Review(quiz.Card{}, quiz.Good, c.Now())
	for _, tc := range []struct {
		name   string
		cardID string
		edit   func(*quiz.Card, *quiz.ReviewLog)
	}{
		{"an empty card id", "", nil},
		{"a card id with a space", "saga pattern", nil},
		{"a rating of 0", "saga", func(_ *quiz.Card, l *quiz.ReviewLog) { l.Rating = 0 }},
		{"a rating of 5", "saga", func(_ *quiz.Card, l *quiz.ReviewLog) { l.Rating = 5 }},
		{"an unknown state", "saga", func(c *quiz.Card, _ *quiz.ReviewLog) { c.State = 9 }},
		{"a stability that is not a number", "saga", func(c *quiz.Card, _ *quiz.ReviewLog) { c.Stability = math.NaN() }},
		{"a negative interval", "saga", func(_ *quiz.Card, l *quiz.ReviewLog) { l.Interval = -time.Minute }},
		{"a card not reviewed when the log says", "saga", func(c *quiz.Card, _ *quiz.ReviewLog) { c.LastReview = c.LastReview.Add(time.Hour) }},
		{"a review in year 1", "saga", func(c *quiz.Card, l *quiz.ReviewLog) { l.Reviewed, c.LastReview = time.Time{}, time.Time{} }},
	} {
		t.Run(tc.name+" is invalid", func(t *testing.T) {
			card, log := good, goodLog
			if tc.edit != nil {
				tc.edit(&card, &log)
			}
			wantErr(t, "SaveReview", db.SaveReview(ctx, learnerA, tc.cardID, card, log), ErrInvalid)
		})
	}
	for _, table := range []string{"learners", "review_cards", "review_logs"} {
		if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != 0 {
			t.Errorf("%s has %d rows after refused reviews, want 0", table, n)
		}
	}
}

func TestALearnerSeesOnlyTheirOwnCards(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	mustReview(t, db, c, learnerA, "saga", quiz.Good)
	if _, ok, _ := db.Card(ctx, learnerB, "saga"); ok {
		t.Error("B sees A's card")
	}
	if cards, _ := db.Cards(ctx, learnerB); len(cards) != 0 {
		t.Errorf("B's cards = %v, want none", cards)
	}
	if logs, _ := db.ReviewLogs(ctx, learnerB, 0); len(logs) != 0 {
		t.Errorf("B's logs = %v, want none", logs)
	}
}

func TestConcurrentReviewsOfOneShownCardLetOnlyOneStand(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	shown := mustReview(t, db, c, learnerA, "saga", quiz.Good)
	logsBefore := count(t, db, "SELECT COUNT(*) FROM review_logs")

	// Every goroutine rates the card as it was shown, each at its own
	// millisecond, so none is refused for sharing an instant with another.
	const raters = 16
	errs := make([]error, raters)
	var wg sync.WaitGroup
	for i := range raters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next, log := quiz.DefaultScheduler().Review(shown, quiz.Rating(1+i%4), c.Now().Add(time.Duration(i+1)*time.Millisecond))
			errs[i] = db.SaveReview(ctx, learnerA, "saga", next, log)
		}()
	}
	wg.Wait()
	saved := 0
	for i, err := range errs {
		switch {
		case err == nil:
			saved++
		case !errors.Is(err, ErrAlreadyAnswered):
			t.Errorf("rater %d: error = %v, want nil or one wrapping ErrAlreadyAnswered", i, err)
		}
	}
	if saved != 1 {
		t.Errorf("%d of %d concurrent reviews of one shown card were saved, want exactly 1", saved, raters)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM review_logs"); n != logsBefore+1 {
		t.Errorf("%d logs, want %d: one more", n, logsBefore+1)
	}
}
