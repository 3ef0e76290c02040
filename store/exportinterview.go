package store

import (
	"time"

	"microlab/interview"
	"microlab/quiz"
)

// exportInterview shapes a session for the file.
func exportInterview(s interview.Session) quiz.ExportInterview {
	e := quiz.ExportInterview{ID: s.ID, Format: s.Format, Topic: s.Topic, CreatedAt: s.CreatedAt, FinishedAt: timePtr(s.FinishedAt),
		Questions: make([]quiz.ExportInterviewQuestion, len(s.Questions))}
	for i, q := range s.Questions {
		e.Questions[i] = quiz.ExportInterviewQuestion{Ref: q.Ref, SpeakingMS: q.Speaking.Milliseconds(), FollowUp: q.FollowUp,
			StartedAt: timePtr(q.StartedAt), AnsweredAt: timePtr(q.AnsweredAt), RevealedAt: timePtr(q.RevealedAt),
			RatedAt: timePtr(q.RatedAt), Notes: q.Notes, Ticks: q.Ticks}
	}
	return e
}

// importedInterview is the session a file describes.
func importedInterview(e quiz.ExportInterview) interview.Session {
	s := interview.Session{ID: e.ID, Format: e.Format, Topic: e.Topic, CreatedAt: e.CreatedAt, FinishedAt: timeOf(e.FinishedAt),
		Questions: make([]interview.Question, len(e.Questions))}
	for i, q := range e.Questions {
		s.Questions[i] = interview.Question{Ref: q.Ref, Speaking: time.Duration(q.SpeakingMS) * time.Millisecond, FollowUp: q.FollowUp,
			StartedAt: timeOf(q.StartedAt), AnsweredAt: timeOf(q.AnsweredAt), RevealedAt: timeOf(q.RevealedAt),
			RatedAt: timeOf(q.RatedAt), Notes: q.Notes, Ticks: q.Ticks}
	}
	return s
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
