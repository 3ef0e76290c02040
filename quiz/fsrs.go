package quiz

// This file implements FSRS-6, the Free Spaced Repetition Scheduler, version
// 6 (21 weights), written from the published formulas:
//
//   - "The Algorithm", open-spaced-repetition/fsrs4anki wiki (FSRS-6 section),
//     https://github.com/open-spaced-repetition/fsrs4anki/wiki/The-Algorithm
//   - py-fsrs v6 (open-spaced-repetition/py-fsrs, ALGORITHM.md and
//     fsrs/scheduler.py), read for the default weights, the state machine of
//     learning steps and the clamps; no code was copied.
//
// Notation: G is the rating (Again=1 … Easy=4), S stability in days, D
// difficulty in [1, 10], R retrievability, t whole days since the last review,
// r the desired retention, DECAY = −w20 and FACTOR = 0.9^(1/DECAY) − 1.
//
//	R(t, S)    = (1 + FACTOR·t/S)^DECAY                     forgetting curve
//	I(r, S)    = S/FACTOR · (r^(1/DECAY) − 1)               interval; I(0.9, S) = S
//	S0(G)      = w[G−1]
//	D0(G)      = w4 − e^(w5·(G−1)) + 1                      clamped to [1, 10]
//	D'(D, G)   = w7·D0(4) + (1−w7)·(D + (10−D)·ΔD/9),  ΔD = −w6·(G−3)   clamped
//	S'r        = S·(1 + e^w8·(11−D)·S^−w9·(e^(w10·(1−R)) − 1)·w15[G=2]·w16[G=4])
//	S'f        = min(w11·D^−w12·((S+1)^w13 − 1)·e^(w14·(1−R)),  S / e^(w17·w18))
//	S'short    = S·e^(w17·(G−3+w18))·S^−w19, the factor at least 1 when G ≥ 3
//
// A review less than a day after the previous one (t < 1) is a short-term
// review and uses S'short; otherwise a recall (Hard, Good, Easy) uses S'r and
// a lapse (Again) uses S'f. Difficulty follows D' on every review after the
// first. Intervals of Review cards are whole days, rounded, from 1 up to
// MaximumInterval; there is no fuzz, so the schedule is deterministic.

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Weights are the 21 FSRS-6 model parameters w0 … w20.
type Weights [21]float64

// DefaultWeights returns the FSRS-6 default parameters, as shipped by py-fsrs
// v6 and the fsrs-rs optimizer (Anki 25.09's defaults).
func DefaultWeights() Weights {
	return Weights{
		0.212, 1.2931, 2.3065, 8.2956, // w0–w3: initial stability for Again, Hard, Good, Easy
		6.4133, 0.8334, // w4, w5: initial difficulty
		3.0194, 0.001, // w6: difficulty step per rating; w7: mean reversion
		1.8722, 0.1666, 0.796, // w8–w10: recall stability
		1.4835, 0.0614, 0.2629, 1.6483, // w11–w14: forget stability
		0.6014, 1.8729, // w15: Hard penalty; w16: Easy bonus
		0.5425, 0.0912, 0.0658, // w17–w19: short-term stability
		0.1542, // w20: decay of the forgetting curve
	}
}

// Bounds the optimizer keeps each weight within; Validate checks them.
var (
	weightsMin = Weights{0.001, 0.001, 0.001, 0.001, 1, 0.001, 0.001, 0.001, 0, 0, 0.001, 0.001, 0.001, 0.001, 0, 0, 1, 0, 0, 0, 0.1}
	weightsMax = Weights{100, 100, 100, 100, 10, 4, 4, 0.75, 4.5, 0.8, 3.5, 5, 0.25, 0.9, 4, 1, 6, 2, 2, 0.8, 0.8}
)

// Limits on a card's memory state.
const (
	minStability  = 0.001
	minDifficulty = 1.0
	maxDifficulty = 10.0
)

// Rating is the learner's verdict on one review.
type Rating int

// The four ratings, numbered as FSRS numbers them.
const (
	Again Rating = iota + 1 // forgot
	Hard                    // recalled with serious difficulty
	Good                    // recalled after some thought
	Easy                    // recalled at once
)

var ratingNames = [...]string{Again: "again", Hard: "hard", Good: "good", Easy: "easy"}

// Valid reports whether r is one of Again, Hard, Good, Easy.
func (r Rating) Valid() bool { return r >= Again && r <= Easy }

// String returns "again", "hard", "good" or "easy".
func (r Rating) String() string {
	if !r.Valid() {
		return fmt.Sprintf("Rating(%d)", int(r))
	}
	return ratingNames[r]
}

// ParseRating reads a rating from a form value: its name ("good") or its
// number ("3").
func ParseRating(s string) (Rating, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for r := Again; r <= Easy; r++ {
		if s == r.String() || s == fmt.Sprint(int(r)) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%q is not a rating: choose again, hard, good or easy", s)
}

// State is where a card is in its life.
type State int

// Card states. The zero value is StateNew, so Card{} is a new card.
const (
	StateNew        State = iota // never reviewed
	StateLearning                // first seen, going through the learning steps
	StateReview                  // graduated; scheduled in whole days
	StateRelearning              // forgotten in review, going through the relearning steps
)

var stateNames = [...]string{"new", "learning", "review", "relearning"}

// String returns "new", "learning", "review" or "relearning".
func (s State) String() string {
	if s < StateNew || s > StateRelearning {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// Card is the review state of one flashcard. The zero value is a new card
// that is due at once.
type Card struct {
	State State
	// Step is the index of the current learning or relearning step; 0 in
	// the other states.
	Step int
	// Stability is the number of days after which recall falls to 90%.
	Stability float64
	// Difficulty is how hard the card is to stabilise, from 1 to 10.
	Difficulty float64
	// Due is when the card should next be reviewed.
	Due time.Time
	// LastReview is when it was last reviewed; zero for a new card.
	LastReview time.Time
	// Reps counts reviews, Lapses the times a Review card was rated Again.
	Reps, Lapses int
}

// ReviewLog records one review, for history and for re-optimising weights.
type ReviewLog struct {
	Rating   Rating
	Reviewed time.Time
	// State is the card's state before the review.
	State State
	// ElapsedDays is the whole days since the previous review; 0 for a new
	// card.
	ElapsedDays int
	// Interval is how long until the card is due again.
	Interval time.Duration
}

// Scheduler schedules reviews with FSRS-6. Build one with DefaultScheduler
// and adjust fields as needed; the zero value is not usable.
type Scheduler struct {
	Weights Weights
	// DesiredRetention is the probability of recall to schedule for, in
	// (0, 1). Higher retention means shorter intervals.
	DesiredRetention float64
	// LearningSteps are the short waits a new card goes through before it
	// graduates to Review; empty sends it straight to Review.
	LearningSteps []time.Duration
	// RelearningSteps are the short waits after a lapse; empty keeps a
	// lapsed card in Review with a day-based interval.
	RelearningSteps []time.Duration
	// MaximumInterval caps a Review interval, in days.
	MaximumInterval int
}

// DefaultScheduler returns the FSRS-6 default weights, a desired retention
// of 0.9, learning steps of 1 and 10 minutes, one relearning step of 10
// minutes and a maximum interval of 36500 days.
func DefaultScheduler() Scheduler {
	return Scheduler{
		Weights:          DefaultWeights(),
		DesiredRetention: 0.9,
		LearningSteps:    []time.Duration{time.Minute, 10 * time.Minute},
		RelearningSteps:  []time.Duration{10 * time.Minute},
		MaximumInterval:  36500,
	}
}

// Validate reports whether every field of s is usable: weights within the
// bounds the optimizer keeps them in, retention strictly between 0 and 1,
// positive steps and a maximum interval of at least one day.
func (s Scheduler) Validate() error {
	var errs []error
	for i, w := range s.Weights {
		if math.IsNaN(w) || w < weightsMin[i] || w > weightsMax[i] {
			errs = append(errs, fmt.Errorf("weight w%d = %v is outside [%v, %v]", i, w, weightsMin[i], weightsMax[i]))
		}
	}
	if !(s.DesiredRetention > 0 && s.DesiredRetention < 1) {
		errs = append(errs, fmt.Errorf("desired retention %v is not between 0 and 1", s.DesiredRetention))
	}
	for _, st := range append(append([]time.Duration(nil), s.LearningSteps...), s.RelearningSteps...) {
		if st <= 0 {
			errs = append(errs, fmt.Errorf("step %v is not positive", st))
		}
	}
	if s.MaximumInterval < 1 {
		errs = append(errs, fmt.Errorf("maximum interval %d is less than one day", s.MaximumInterval))
	}
	if len(errs) > 0 {
		return fmt.Errorf("quiz: scheduler: %w", errors.Join(errs...))
	}
	return nil
}

// decay and factor shape the forgetting curve; FACTOR is chosen so that
// R(S, S) = 0.9 whatever the decay.
func (s Scheduler) decay() float64  { return -s.Weights[20] }
func (s Scheduler) factor() float64 { return math.Pow(0.9, 1/s.decay()) - 1 }

// Retrievability returns the predicted probability that the card is recalled
// at now, from 0 to 1; 0 for a card never reviewed. Time is counted in whole
// days since the last review, as the scheduler counts it.
func (s Scheduler) Retrievability(c Card, now time.Time) float64 {
	if c.State == StateNew || c.LastReview.IsZero() || c.Stability <= 0 {
		return 0
	}
	return s.retrievability(elapsedDays(c.LastReview, now), c.Stability)
}

func (s Scheduler) retrievability(days int, stability float64) float64 {
	return math.Pow(1+s.factor()*float64(days)/stability, s.decay())
}

// elapsedDays counts whole 24-hour periods from last to now, never negative.
// Days are not calendar dates: the package knows no time zone.
func elapsedDays(last, now time.Time) int {
	d := now.Sub(last)
	if d < 0 {
		return 0
	}
	return int(d / (24 * time.Hour))
}

// Review applies rating r, given at now, to card c and returns the updated
// card and a log of the review. It does not modify c. r must be valid
// (see ParseRating for input from a learner); Review panics otherwise, as
// that is a bug in the caller.
func (s Scheduler) Review(c Card, r Rating, now time.Time) (Card, ReviewLog) {
	if !r.Valid() {
		panic(fmt.Sprintf("quiz: Scheduler.Review with invalid rating %d", int(r)))
	}
	log := ReviewLog{Rating: r, Reviewed: now, State: c.State}
	days := 0
	if c.State != StateNew && !c.LastReview.IsZero() {
		days = elapsedDays(c.LastReview, now)
		log.ElapsedDays = days
	}
	c.Reps++

	var wait time.Duration
	switch c.State {
	case StateNew:
		c.Stability = s.initialStability(r)
		c.Difficulty = clampDifficulty(s.initialDifficulty(r))
		c.State, c.Step = StateLearning, 0
		wait = s.step(&c, r, s.LearningSteps)
	case StateLearning, StateRelearning:
		s.updateMemory(&c, r, days)
		steps := s.LearningSteps
		if c.State == StateRelearning {
			steps = s.RelearningSteps
		}
		wait = s.step(&c, r, steps)
	default: // StateReview, and anything unknown treated as Review
		c.State, c.Step = StateReview, 0
		s.updateMemory(&c, r, days)
		if r == Again {
			c.Lapses++
			if len(s.RelearningSteps) > 0 {
				c.State, c.Step = StateRelearning, 0
				wait = s.RelearningSteps[0]
				break
			}
		}
		wait = s.days(c.Stability)
	}

	c.LastReview = now
	c.Due = now.Add(wait)
	log.Interval = wait
	return c, log
}

// updateMemory moves the card's stability and difficulty on by one review
// after t whole days.
func (s Scheduler) updateMemory(c *Card, r Rating, t int) {
	if t < 1 {
		c.Stability = s.shortTermStability(c.Stability, r)
	} else {
		R := s.retrievability(t, c.Stability)
		if r == Again {
			c.Stability = s.forgetStability(c.Difficulty, c.Stability, R)
		} else {
			c.Stability = s.recallStability(c.Difficulty, c.Stability, R, r)
		}
	}
	c.Difficulty = s.nextDifficulty(c.Difficulty, r)
}

// step moves a learning or relearning card through steps and returns the
// wait until it is due; it graduates the card to Review when the steps are
// done (or there are none), or at once on Easy.
func (s Scheduler) step(c *Card, r Rating, steps []time.Duration) time.Duration {
	// Step can lie past the end if the steps were shortened since.
	if len(steps) == 0 || (c.Step >= len(steps) && r != Again) {
		return s.graduate(c)
	}
	switch r {
	case Again:
		c.Step = 0
		return steps[0]
	case Hard: // stay on this step
		switch {
		case c.Step == 0 && len(steps) == 1:
			return steps[0] * 3 / 2
		case c.Step == 0:
			return (steps[0] + steps[1]) / 2
		default:
			return steps[c.Step]
		}
	case Good:
		if c.Step+1 >= len(steps) {
			return s.graduate(c)
		}
		c.Step++
		return steps[c.Step]
	default: // Easy
		return s.graduate(c)
	}
}

func (s Scheduler) graduate(c *Card) time.Duration {
	c.State, c.Step = StateReview, 0
	return s.days(c.Stability)
}

// days is the Review interval for stability, as a duration of whole days.
func (s Scheduler) days(stability float64) time.Duration {
	return time.Duration(s.interval(stability)) * 24 * time.Hour
}

// interval is I(r, S) in whole days, rounded, within [1, MaximumInterval].
func (s Scheduler) interval(stability float64) int {
	ivl := stability / s.factor() * (math.Pow(s.DesiredRetention, 1/s.decay()) - 1)
	days := math.Round(ivl)
	if math.IsNaN(days) || days < 1 {
		return 1
	}
	if days > float64(s.MaximumInterval) {
		return max(s.MaximumInterval, 1)
	}
	return int(days)
}

// initialStability is S0(G) = w[G−1].
func (s Scheduler) initialStability(r Rating) float64 {
	return max(s.Weights[r-1], minStability)
}

// initialDifficulty is D0(G) = w4 − e^(w5·(G−1)) + 1, unclamped: the mean
// reversion target D0(4) is used unclamped.
func (s Scheduler) initialDifficulty(r Rating) float64 {
	w := s.Weights
	return w[4] - math.Exp(w[5]*float64(r-1)) + 1
}

// nextDifficulty is D' with linear damping (the step shrinks as D nears 10)
// and mean reversion towards D0(4).
func (s Scheduler) nextDifficulty(d float64, r Rating) float64 {
	w := s.Weights
	delta := -w[6] * float64(r-3)
	damped := d + (10-d)*delta/9
	return clampDifficulty(w[7]*s.initialDifficulty(Easy) + (1-w[7])*damped)
}

// recallStability is S'r, the stability after a successful review.
func (s Scheduler) recallStability(d, st, R float64, r Rating) float64 {
	w := s.Weights
	bonus := 1.0
	switch r {
	case Hard:
		bonus = w[15]
	case Easy:
		bonus = w[16]
	}
	growth := math.Exp(w[8]) * (11 - d) * math.Pow(st, -w[9]) * (math.Exp(w[10]*(1-R)) - 1) * bonus
	return max(st*(1+growth), minStability)
}

// forgetStability is S'f, the stability after a lapse; it never exceeds the
// stability a same-day Again would leave.
func (s Scheduler) forgetStability(d, st, R float64) float64 {
	w := s.Weights
	long := w[11] * math.Pow(d, -w[12]) * (math.Pow(st+1, w[13]) - 1) * math.Exp(w[14]*(1-R))
	short := st / math.Exp(w[17]*w[18])
	return max(min(long, short), minStability)
}

// shortTermStability is S'short, for reviews on the same day; Good and Easy
// never lower stability.
func (s Scheduler) shortTermStability(st float64, r Rating) float64 {
	w := s.Weights
	inc := math.Exp(w[17]*(float64(r)-3+w[18])) * math.Pow(st, -w[19])
	if r >= Good {
		inc = max(inc, 1)
	}
	return max(st*inc, minStability)
}

func clampDifficulty(d float64) float64 {
	return min(max(d, minDifficulty), maxDifficulty)
}
