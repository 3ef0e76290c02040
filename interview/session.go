package interview

// This file is a mock interview's session: spoken questions, each answered
// against a countdown kept in the server's time, then marked by the
// learner against its rubric, the question's key points.

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"microlab/content"
)

// Formats of a mock interview.
const (
	// FormatScreen is a 10-minute phone screen: three questions, two
	// minutes of speaking each.
	FormatScreen = "screen"
	// FormatRound is a 30-minute round: six questions of two minutes and
	// one design question of five.
	FormatRound = "round"
	// FormatTopic is the questions on one chosen page.
	FormatTopic = "topic"
)

// Bounds of a session.
const (
	// MaxQuestions is the most questions one session holds.
	MaxQuestions = 12
	// MaxNotes is the most characters of notes kept for one question.
	MaxNotes = 4000
	// MaxPoints is the most key points a rubric may have.
	MaxPoints = 12
	// MinSpeaking and MaxSpeaking bound a question's speaking time.
	MinSpeaking = time.Minute
	MaxSpeaking = 10 * time.Minute
	// FollowUpTime is the speaking time of a follow-up question.
	FollowUpTime = time.Minute
)

// Ref kinds: what a question of a session refers to.
const (
	RefQuestion = "question" // an interview question page: "question:design-patterns"
	RefPattern  = "pattern"  // a pattern page, asked to be explained: "pattern:saga"
	RefDesign   = "design"   // a design prompt: "design:checkout-under-payment-faults"
)

// Ticks, one per key point, in Question.Ticks.
const (
	TickMissed  = '0'
	TickPartly  = '1'
	TickCovered = '2'
)

// Session is one mock interview of one learner.
type Session struct {
	ID         string
	Format     string
	Topic      string // the chosen page's slug, for FormatTopic
	CreatedAt  time.Time
	FinishedAt time.Time // zero until the last question is marked
	Questions  []Question
}

// Question is one question of a session and how far the learner has got.
// The times are the server's, so a countdown cannot be stretched by a
// client's clock; each is zero until it happens.
type Question struct {
	Ref      string
	Speaking time.Duration
	// FollowUp is the index of the follow-up asked after the first answer,
	// or -1 when the question has none.
	FollowUp int
	// StartedAt is when the question was first shown; AnsweredAt when the
	// learner said they were done with the first answer (or its time ran
	// out); RevealedAt when the rubric was shown, after the follow-up when
	// there is one; RatedAt when the learner marked the points.
	StartedAt, AnsweredAt, RevealedAt, RatedAt time.Time
	Notes                                      string
	// Ticks holds one of TickMissed, TickPartly or TickCovered per key
	// point, in the rubric's order; "" until rated.
	Ticks string
}

// Phase is where a question stands.
type Phase int

// The phases of a question, in order.
const (
	PhaseWaiting   Phase = iota // not shown yet
	PhaseAnswering              // the first answer's countdown runs
	PhaseFollowUp               // the follow-up's countdown runs
	PhaseRubric                 // the learner marks the key points
	PhaseDone                   // marked
)

// Phase reports where q stands.
func (q *Question) Phase() Phase {
	switch {
	case !q.RatedAt.IsZero():
		return PhaseDone
	case !q.RevealedAt.IsZero():
		return PhaseRubric
	case !q.AnsweredAt.IsZero():
		return PhaseFollowUp
	case !q.StartedAt.IsZero():
		return PhaseAnswering
	}
	return PhaseWaiting
}

// Deadline is when the running countdown ends: the first answer's, or the
// follow-up's. It is zero in the other phases.
func (q *Question) Deadline() time.Time {
	switch q.Phase() {
	case PhaseAnswering:
		return q.StartedAt.Add(q.Speaking)
	case PhaseFollowUp:
		return q.AnsweredAt.Add(FollowUpTime)
	}
	return time.Time{}
}

// TimeUsed is how long the learner spoke, from the question's start to the
// rubric; zero before the rubric.
func (q *Question) TimeUsed() time.Duration {
	if q.RevealedAt.IsZero() {
		return 0
	}
	return q.RevealedAt.Sub(q.StartedAt)
}

// ErrPhase is returned when a step does not fit the question's phase: a
// second "done", or marks before the rubric. The session is unchanged.
var ErrPhase = errors.New("interview: not in that phase")

// Current is the index of the first question not yet marked, or -1 when
// every one is.
func (s *Session) Current() int {
	for i := range s.Questions {
		if s.Questions[i].Phase() != PhaseDone {
			return i
		}
	}
	return -1
}

// Start shows question i at now, when it is not shown yet.
func (s *Session) Start(i int, now time.Time) {
	if q := &s.Questions[i]; q.Phase() == PhaseWaiting {
		q.StartedAt = now
	}
}

// Done ends the countdown that runs on question i, keeping notes: after
// the first answer comes the follow-up, if there is one, else the rubric;
// after the follow-up, the rubric.
func (s *Session) Done(i int, notes string, now time.Time) error {
	if err := CheckNotes(notes); err != nil {
		return err
	}
	q := &s.Questions[i]
	switch q.Phase() {
	case PhaseAnswering:
		q.AnsweredAt = now
		if q.FollowUp < 0 {
			q.RevealedAt = now
		}
	case PhaseFollowUp:
		q.RevealedAt = now
	default:
		return ErrPhase
	}
	q.Notes = notes
	return nil
}

// Rate marks question i's key points: one tick per point. The session is
// finished once the last question is marked.
func (s *Session) Rate(i int, ticks string, points int, now time.Time) error {
	q := &s.Questions[i]
	if q.Phase() != PhaseRubric {
		return ErrPhase
	}
	if err := CheckTicks(ticks, points); err != nil {
		return err
	}
	q.Ticks, q.RatedAt = ticks, now
	if s.Current() < 0 {
		s.FinishedAt = now
	}
	return nil
}

// CheckNotes refuses notes longer than MaxNotes characters or not UTF-8.
func CheckNotes(notes string) error {
	if !utf8.ValidString(notes) {
		return fmt.Errorf("the notes are not valid text")
	}
	if n := utf8.RuneCountInString(notes); n > MaxNotes {
		return fmt.Errorf("the notes are %d characters long; at most %d are kept", n, MaxNotes)
	}
	return nil
}

// CheckTicks refuses marks that are not one tick per point.
func CheckTicks(ticks string, points int) error {
	if len(ticks) != points {
		return fmt.Errorf("mark each of the %d points as covered, partly or missed", points)
	}
	for i := 0; i < len(ticks); i++ {
		if ticks[i] < TickMissed || ticks[i] > TickCovered {
			return fmt.Errorf("point %d is not marked covered, partly or missed", i+1)
		}
	}
	return nil
}

// Score is a marked question's score out of 100: two for a covered point,
// one for a partly covered one, over two per point. ok is false until the
// question is marked.
func (q *Question) Score() (score int, ok bool) {
	if q.Ticks == "" {
		return 0, false
	}
	sum := 0
	for i := 0; i < len(q.Ticks); i++ {
		sum += int(q.Ticks[i] - TickMissed)
	}
	return (100*sum + len(q.Ticks)) / (2 * len(q.Ticks)), true
}

// Score is the mean of the marked questions' scores, and how many there
// are.
func (s *Session) Score() (score, marked int) {
	sum := 0
	for i := range s.Questions {
		if v, ok := s.Questions[i].Score(); ok {
			sum += v
			marked++
		}
	}
	if marked == 0 {
		return 0, 0
	}
	return (sum + marked/2) / marked, marked
}

// SplitRef splits "kind:slug".
func SplitRef(ref string) (kind, slug string, ok bool) {
	kind, slug, ok = strings.Cut(ref, ":")
	if !ok || slug == "" || (kind != RefQuestion && kind != RefPattern && kind != RefDesign) {
		return "", "", false
	}
	return kind, slug, true
}

// Check refuses a session the store must not hold: a format it does not
// know, no questions or too many, a malformed ref, a speaking time or a
// follow-up out of range, times out of order, notes or ticks out of
// bounds.
func (s *Session) Check() error {
	switch s.Format {
	case FormatScreen, FormatRound:
		if s.Topic != "" {
			return fmt.Errorf("a %s has no topic", s.Format)
		}
	case FormatTopic:
		if !validSlug(s.Topic) {
			return fmt.Errorf("topic %q is not a page's slug", s.Topic)
		}
	default:
		return fmt.Errorf("format %q is not screen, round or topic", s.Format)
	}
	if n := len(s.Questions); n == 0 || n > MaxQuestions {
		return fmt.Errorf("a session holds 1 to %d questions, not %d", MaxQuestions, n)
	}
	for i := range s.Questions {
		if err := s.Questions[i].check(); err != nil {
			return fmt.Errorf("question %d: %w", i+1, err)
		}
	}
	return nil
}

func (q *Question) check() error {
	if _, slug, ok := SplitRef(q.Ref); !ok || !validSlug(slug) {
		return fmt.Errorf("ref %q is not question:, pattern: or design: and a slug", q.Ref)
	}
	if q.Speaking < MinSpeaking || q.Speaking > MaxSpeaking {
		return fmt.Errorf("speaking time %v is outside %v to %v", q.Speaking, MinSpeaking, MaxSpeaking)
	}
	if q.FollowUp < -1 || q.FollowUp > 20 {
		return fmt.Errorf("follow-up %d is out of range", q.FollowUp)
	}
	// Each time needs the one before it, and none comes before it.
	steps := []time.Time{q.StartedAt, q.AnsweredAt, q.RevealedAt, q.RatedAt}
	for k := 1; k < len(steps); k++ {
		if !steps[k].IsZero() && (steps[k-1].IsZero() || steps[k].Before(steps[k-1])) {
			return fmt.Errorf("its times are out of order")
		}
	}
	if err := CheckNotes(q.Notes); err != nil {
		return err
	}
	if (q.Ticks == "") != q.RatedAt.IsZero() {
		return fmt.Errorf("marks and their time go together")
	}
	if q.Ticks != "" {
		return CheckTicks(q.Ticks, min(len(q.Ticks), MaxPoints))
	}
	return nil
}

// validSlug reports whether s could be a page or design slug, at most 80
// bytes.
func validSlug(s string) bool { return len(s) <= 80 && content.IsSlug(s) }
