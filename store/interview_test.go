package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"microlab/interview"
)

func newInterview(id string, at time.Time) interview.Session {
	return interview.Session{ID: id, Format: interview.FormatScreen, CreatedAt: at, Questions: []interview.Question{
		{Ref: "question:design-patterns", Speaking: 2 * time.Minute, FollowUp: 1},
		{Ref: "design:checkout", Speaking: 5 * time.Minute, FollowUp: -1},
	}}
}

// A session taken through every step survives closing and reopening the
// database, times, notes and marks included.
func TestAnInterviewSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "durable.db")
	db := mustOpenFile(t, path, c)
	id := quizID(7)
	if err := db.CreateInterview(ctx, learnerA, newInterview(id, c.Now())); err != nil {
		t.Fatal(err)
	}
	step := func(i int, f func(s *interview.Session) error) {
		t.Helper()
		s, vs, err := db.Interview(ctx, learnerA, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := f(&s); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateInterview(ctx, learnerA, s, i, vs[i]); err != nil {
			t.Fatal(err)
		}
	}
	step(0, func(s *interview.Session) error { s.Start(0, c.Advance(time.Second)); return nil })
	step(0, func(s *interview.Session) error { return s.Done(0, "registry, breaker", c.Advance(90*time.Second)) })
	step(0, func(s *interview.Session) error {
		return s.Done(0, "registry, breaker; orchestrate", c.Advance(40*time.Second))
	})
	step(0, func(s *interview.Session) error { return s.Rate(0, "210", 3, c.Advance(20*time.Second)) })
	step(1, func(s *interview.Session) error { s.Start(1, c.Advance(time.Second)); return nil })
	step(1, func(s *interview.Session) error { return s.Done(1, "", c.Advance(5*time.Minute)) })
	step(1, func(s *interview.Session) error { return s.Rate(1, "22", 2, c.Advance(10*time.Second)) })
	before, _, err := db.Interview(ctx, learnerA, id)
	if err != nil {
		t.Fatal(err)
	}
	if before.FinishedAt.IsZero() || before.Questions[0].Notes != "registry, breaker; orchestrate" || before.Questions[0].TimeUsed() != 130*time.Second {
		t.Fatalf("before the restart: %+v", before)
	}
	if score, n := before.Score(); score != 75 || n != 2 {
		t.Errorf("score %d over %d questions, want (50+100)/2 = 75 over 2", score, n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenFile(t, path, c)
	defer db.Close()
	after, _, err := db.Interview(ctx, learnerA, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("after reopening:\n%+v\nwant\n%+v", after, before)
	}
	list, err := db.Interviews(ctx, learnerA, 10)
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Errorf("Interviews = %v, %v", list, err)
	}
}

// Another learner can neither read a session nor write into it, and a
// second write of the same step (two tabs) changes nothing.
func TestAnInterviewBelongsToItsLearner(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := mustOpenClock(t, c)
	id := quizID(8)
	if err := db.CreateInterview(ctx, learnerA, newInterview(id, c.Now())); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Interview(ctx, learnerB, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("learner B reads A's interview: %v, want ErrNotFound", err)
	}
	s, vs, err := db.Interview(ctx, learnerA, id)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(0, c.Advance(time.Second))
	if err := db.UpdateInterview(ctx, learnerB, s, 0, vs[0]); !errors.Is(err, ErrAlreadyAnswered) {
		t.Errorf("learner B writes into A's interview: %v, want it refused", err)
	}
	if got, _, _ := db.Interview(ctx, learnerA, id); !got.Questions[0].StartedAt.IsZero() {
		t.Error("learner B's write landed")
	}
	if err := db.UpdateInterview(ctx, learnerA, s, 0, vs[0]); err != nil {
		t.Fatal(err)
	}
	late := s
	late.Questions = append([]interview.Question(nil), s.Questions...)
	late.Questions[0].StartedAt = c.Advance(time.Minute)
	if err := db.UpdateInterview(ctx, learnerA, late, 0, vs[0]); !errors.Is(err, ErrAlreadyAnswered) {
		t.Errorf("a second write at the old version: %v, want ErrAlreadyAnswered", err)
	}
	if got, _, _ := db.Interview(ctx, learnerA, id); !got.Questions[0].StartedAt.Equal(s.Questions[0].StartedAt) {
		t.Errorf("the start moved to %v", got.Questions[0].StartedAt)
	}
	if n := count(t, db, "SELECT count(*) FROM interviews WHERE learner_id = ?", learnerB); n != 0 {
		t.Errorf("learner B holds %d interviews", n)
	}
}

// A session out of bounds is refused whole; deleting the learner deletes
// the sessions and the boosts.
func TestInterviewBoundsAndDeletion(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := mustOpenClock(t, c)
	bad := []func(s *interview.Session){
		func(s *interview.Session) { s.ID = "short" },
		func(s *interview.Session) { s.Format = "marathon" },
		func(s *interview.Session) { s.Questions = nil },
		func(s *interview.Session) { s.Questions[0].Ref = "lab:saga" },
		func(s *interview.Session) { s.Questions[0].Speaking = time.Hour },
		func(s *interview.Session) { s.Questions[0].Notes = strings.Repeat("x", interview.MaxNotes+1) },
		func(s *interview.Session) { s.Questions[0].AnsweredAt = c.Now() }, // answered, never started
		func(s *interview.Session) {
			for len(s.Questions) <= interview.MaxQuestions {
				s.Questions = append(s.Questions, s.Questions[0])
			}
		},
	}
	for i, edit := range bad {
		s := newInterview(quizID(100+i), c.Now())
		edit(&s)
		if err := db.CreateInterview(ctx, learnerA, s); !errors.Is(err, ErrInvalid) {
			t.Errorf("case %d: %v, want ErrInvalid", i, err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM interview_questions"); n != 0 {
		t.Errorf("refused sessions left %d questions behind", n)
	}
	if err := db.CreateInterview(ctx, learnerA, newInterview(quizID(1), c.Now())); err != nil {
		t.Fatal(err)
	}
	if err := db.BoostCards(ctx, learnerA, []string{"saga/what-is-a-compensation"}); err != nil {
		t.Fatal(err)
	}
	if b, err := db.BoostedCards(ctx, learnerA); err != nil || len(b) != 1 {
		t.Fatalf("BoostedCards = %v, %v", b, err)
	}
	if err := db.DeleteLearner(ctx, learnerA); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"interviews", "interview_questions", "review_boosts"} {
		if n := count(t, db, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("after deleting the learner, %s holds %d rows", table, n)
		}
	}
}
