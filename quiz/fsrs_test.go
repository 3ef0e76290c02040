package quiz

import (
	"math"
	"strings"
	"testing"
	"time"
)

// t0 is an arbitrary review time; the scheduler reads no clock.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-6*math.Max(1, math.Abs(want)) }

// check compares a card against hand-worked values.
func check(t *testing.T, step string, c Card, state State, s, d float64, due time.Time) {
	t.Helper()
	if c.State != state {
		t.Errorf("%s: state %v, want %v", step, c.State, state)
	}
	if !near(c.Stability, s) {
		t.Errorf("%s: stability %.6f, want %.6f", step, c.Stability, s)
	}
	if !near(c.Difficulty, d) {
		t.Errorf("%s: difficulty %.6f, want %.6f", step, c.Difficulty, d)
	}
	if !c.Due.Equal(due) {
		t.Errorf("%s: due %v after t0, want %v", step, c.Due.Sub(t0), due.Sub(t0))
	}
}

// The constants every hand-worked value below uses, from DefaultWeights:
//
//	DECAY  = −w20 = −0.1542
//	FACTOR = 0.9^(1/DECAY) − 1 = 0.9^(−6.485084) − 1 = 1.980346 − 1 = 0.980346
//	D0(4)  = w4 − e^(w5·3) + 1 = 6.4133 − e^2.5002 + 1 = 7.4133 − 12.184931 = −4.771631
//	         (unclamped: the mean-reversion target)
//	I(0.9, S) = S/FACTOR·(0.9^(1/DECAY) − 1) = S/FACTOR·FACTOR = S, so at the
//	default retention an interval is S rounded to whole days.
func TestFSRSConstants(t *testing.T) {
	s := DefaultScheduler()
	if got := s.factor(); !near(got, 0.980346494) {
		t.Errorf("FACTOR = %.9f, want 0.980346494", got)
	}
	if got := s.initialDifficulty(Easy); !near(got, -4.771630703) {
		t.Errorf("D0(4) unclamped = %.9f, want -4.771630703", got)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("DefaultScheduler().Validate() = %v", err)
	}
}

// A new card's first rating sets S0 = w[G−1] and D0(G) = w4 − e^(w5·(G−1)) + 1,
// clamped to [1, 10]:
//
//	Again: S = w0 = 0.212,  D = 6.4133 − e^0 + 1             = 6.4133
//	Hard:  S = w1 = 1.2931, D = 7.4133 − e^0.8334 = 7.4133 − 2.301129 = 5.112171
//	Good:  S = w2 = 2.3065, D = 7.4133 − e^1.6668 = 7.4133 − 5.295196 = 2.118104
//	Easy:  S = w3 = 8.2956, D = 7.4133 − e^2.5002 = −4.771631 → clamped to 1
//
// and the learning steps (1 min, 10 min) give the wait: Again → step 0 (1 min);
// Hard on step 0 → halfway between the first two steps ((1+10)/2 = 5.5 min);
// Good → step 1 (10 min); Easy → Review at once, I = round(8.2956) = 8 days.
func TestFSRSFirstReview(t *testing.T) {
	s := DefaultScheduler()
	tests := []struct {
		rating Rating
		state  State
		step   int
		s, d   float64
		wait   time.Duration
	}{
		{Again, StateLearning, 0, 0.212, 6.4133, time.Minute},
		{Hard, StateLearning, 0, 1.2931, 5.112170706, 5*time.Minute + 30*time.Second},
		{Good, StateLearning, 1, 2.3065, 2.118103970, 10 * time.Minute},
		{Easy, StateReview, 0, 8.2956, 1, 8 * day},
	}
	for _, tt := range tests {
		t.Run(tt.rating.String(), func(t *testing.T) {
			c, log := s.Review(Card{}, tt.rating, t0)
			check(t, "first review", c, tt.state, tt.s, tt.d, t0.Add(tt.wait))
			if c.Step != tt.step {
				t.Errorf("step %d, want %d", c.Step, tt.step)
			}
			if c.Reps != 1 || c.Lapses != 0 || !c.LastReview.Equal(t0) {
				t.Errorf("reps %d, lapses %d, last review %v; want 1, 0, t0", c.Reps, c.Lapses, c.LastReview)
			}
			if log.Rating != tt.rating || log.State != StateNew || log.Interval != tt.wait || !log.Reviewed.Equal(t0) || log.ElapsedDays != 0 {
				t.Errorf("log %+v, want rating %v, state new, interval %v, at t0, 0 days", log, tt.rating, tt.wait)
			}
		})
	}
}

// TestFSRSGraduateAndLapse follows one card through Good, Good, Good, Again,
// Good, with every value worked by hand from the formulas in fsrs.go:
//
//  1. t0, new, Good: S = w2 = 2.3065, D = 2.118104 (see TestFSRSFirstReview);
//     Learning step 1, due t0 + 10 min.
//
//  2. t0 + 10 min, Good. Same day (t = 0), so short-term stability:
//     factor = e^(w17·(3−3+w18))·S^(−w19) = e^(0.5425·0.0912)·2.3065^(−0.0658)
//     = 1.050720·0.946494 = 0.994500, raised to 1 for Good → S = 2.3065.
//     D: ΔD = −w6·(3−3) = 0, so D' = w7·D0(4) + (1−w7)·D
//     = 0.001·(−4.771631) + 0.999·2.118104 = 2.111214.
//     Last learning step passed → Review, I = round(2.3065) = 2 days.
//
//  3. t0 + 10 min + 2 days, Good. t = 2:
//     R = (1 + FACTOR·t/S)^DECAY = (1 + 0.980346·2/2.3065)^(−0.1542) = 1.850073^(−0.1542) = 0.909493.
//     S' = S·(1 + e^w8·(11−D)·S^(−w9)·(e^(w10·(1−R)) − 1))
//     = 2.3065·(1 + 6.502586·8.888786·0.870025·0.074702) = 2.3065·(1 + 3.756579) = 10.971048.
//     D' = 0.001·(−4.771631) + 0.999·2.111214 = 2.104331. I = round(10.971048) = 11 days.
//
//  4. 11 days later, Again. t = 11:
//     R = (1 + 0.980346·11/10.971048)^(−0.1542) = 1.982934^(−0.1542) = 0.899819.
//     S'f = min(w11·D^(−w12)·((S+1)^w13 − 1)·e^(w14·(1−R)), S/e^(w17·w18))
//     = min(1.4835·0.955346·0.920618·1.179545, 10.971048/1.050720)
//     = min(1.539013, 10.441454) = 1.539013.
//     D: ΔD = −3.0194·(1−3) = 6.0388; damped D + (10−D)·ΔD/9 = 2.104331 + 7.895669·0.670978 = 7.402150;
//     D' = 0.001·(−4.771631) + 0.999·7.402150 = 7.389976.
//     A lapse: Lapses 1, Relearning step 0, due in 10 min.
//
//  5. 10 min later, Good. Same day: factor = 1.050720·1.539013^(−0.0658)
//     = 1.050720·0.972030 = 1.021331 ≥ 1 → S = 1.539013·1.021331 = 1.571842.
//     D' = 0.001·(−4.771631) + 0.999·7.389976 = 7.377814.
//     Last relearning step passed → Review, I = round(1.571842) = 2 days.
func TestFSRSGraduateAndLapse(t *testing.T) {
	s := DefaultScheduler()
	var c Card
	now := t0

	c, _ = s.Review(c, Good, now)
	check(t, "1 new, Good", c, StateLearning, 2.3065, 2.118103970, now.Add(10*time.Minute))

	now = now.Add(10 * time.Minute)
	c, _ = s.Review(c, Good, now)
	check(t, "2 learning, Good", c, StateReview, 2.3065, 2.111214236, now.Add(2*day))

	if got := s.Retrievability(c, now.Add(2*day)); !near(got, 0.909493256) {
		t.Errorf("R after 2 days = %.9f, want 0.909493256", got)
	}
	now = now.Add(2 * day)
	c, log := s.Review(c, Good, now)
	check(t, "3 review, Good", c, StateReview, 10.971048263, 2.104331391, now.Add(11*day))
	if log.ElapsedDays != 2 || log.State != StateReview || log.Interval != 11*day {
		t.Errorf("3: log %+v, want 2 elapsed days, state review, interval 11 days", log)
	}

	now = now.Add(11 * day)
	c, _ = s.Review(c, Again, now)
	check(t, "4 review, Again", c, StateRelearning, 1.539012530, 7.389975788, now.Add(10*time.Minute))
	if c.Lapses != 1 || c.Step != 0 {
		t.Errorf("4: lapses %d, step %d; want 1, 0", c.Lapses, c.Step)
	}

	now = now.Add(10 * time.Minute)
	c, _ = s.Review(c, Good, now)
	check(t, "5 relearning, Good", c, StateReview, 1.571841590, 7.377814182, now.Add(2*day))
	if c.Reps != 5 || c.Lapses != 1 {
		t.Errorf("5: reps %d, lapses %d; want 5, 1", c.Reps, c.Lapses)
	}
}

// Learning steps in detail: Again goes back to step 0 (1 min); Hard on step 1
// repeats step 1 (10 min); with one relearning step of 10 min, Hard waits
// 1.5 × 10 = 15 min.
func TestFSRSSteps(t *testing.T) {
	s := DefaultScheduler()
	c, _ := s.Review(Card{}, Good, t0) // step 1
	now := t0.Add(10 * time.Minute)
	hard, _ := s.Review(c, Hard, now)
	if hard.State != StateLearning || hard.Step != 1 || hard.Due.Sub(now) != 10*time.Minute {
		t.Errorf("Hard on step 1: %v step %d due in %v; want learning, step 1, 10m", hard.State, hard.Step, hard.Due.Sub(now))
	}
	again, _ := s.Review(c, Again, now)
	if again.State != StateLearning || again.Step != 0 || again.Due.Sub(now) != time.Minute {
		t.Errorf("Again on step 1: %v step %d due in %v; want learning, step 0, 1m", again.State, again.Step, again.Due.Sub(now))
	}

	lapsed := Card{State: StateRelearning, Stability: 2, Difficulty: 5, LastReview: now, Due: now}
	got, _ := s.Review(lapsed, Hard, now.Add(10*time.Minute))
	if got.State != StateRelearning || got.Due.Sub(now.Add(10*time.Minute)) != 15*time.Minute {
		t.Errorf("Hard while relearning: %v due in %v; want relearning, 15m", got.State, got.Due.Sub(now.Add(10*time.Minute)))
	}

	t.Run("without learning steps a new card goes straight to Review", func(t *testing.T) {
		s := DefaultScheduler()
		s.LearningSteps = nil
		c, _ := s.Review(Card{}, Hard, t0)
		if c.State != StateReview || c.Due.Sub(t0) != day { // round(w1 = 1.2931) = 1 day
			t.Errorf("new card, Hard: %v due in %v; want review, 1 day", c.State, c.Due.Sub(t0))
		}
	})
	t.Run("without relearning steps a lapse stays in Review", func(t *testing.T) {
		s := DefaultScheduler()
		s.RelearningSteps = nil
		c := Card{State: StateReview, Stability: 10, Difficulty: 5, LastReview: t0}
		got, _ := s.Review(c, Again, t0.Add(10*day))
		if got.State != StateReview || got.Lapses != 1 || got.Due.Sub(t0.Add(10*day))%day != 0 {
			t.Errorf("lapse: %v, lapses %d, due in %v; want review, 1, whole days", got.State, got.Lapses, got.Due.Sub(t0.Add(10*day)))
		}
	})
	t.Run("a step past the end, after the steps were shortened, graduates", func(t *testing.T) {
		c := Card{State: StateLearning, Step: 5, Stability: 3, Difficulty: 5, LastReview: t0}
		got, _ := s.Review(c, Good, t0.Add(time.Hour))
		if got.State != StateReview {
			t.Errorf("state %v, want review", got.State)
		}
	})
}

// Retrievability is (1 + FACTOR·t/S)^DECAY in whole days: exactly 0.9 when
// t = S, 1 right after a review, 0 for a card never reviewed.
func TestRetrievability(t *testing.T) {
	s := DefaultScheduler()
	c := Card{State: StateReview, Stability: 10, Difficulty: 5, LastReview: t0}
	for _, tt := range []struct {
		name string
		at   time.Time
		want float64
	}{
		{"at t = S it is 0.9", t0.Add(10 * day), 0.9},
		{"the same day it is 1", t0.Add(23 * time.Hour), 1},
		{"part days are not counted: 10 days 23 hours is 10 days", t0.Add(10*day + 23*time.Hour), 0.9},
		{"before the last review it is 1", t0.Add(-day), 1},
	} {
		if got := s.Retrievability(c, tt.at); !near(got, tt.want) {
			t.Errorf("%s: R = %.9f, want %v", tt.name, got, tt.want)
		}
	}
	if got := s.Retrievability(Card{}, t0); got != 0 {
		t.Errorf("new card: R = %v, want 0", got)
	}
	prev := 1.0
	for d := 1; d <= 400; d *= 2 {
		r := s.Retrievability(c, t0.Add(time.Duration(d)*day))
		if r >= prev || r <= 0 {
			t.Errorf("R after %d days = %v; want it to fall, staying above 0 (previous %v)", d, r, prev)
		}
		prev = r
	}
}

// Intervals at other retentions, for S = 10:
//
//	I(r, 10) = 10/0.980346·(r^(−6.485084) − 1)
//	r = 0.80: 0.8^(−6.485084) = 4.250790 → 10.200475·3.250790 = 33.16 → 33 days
//	r = 0.85: 0.85^(−6.485084) = 2.868958 → 10.200475·1.868958 = 19.06 → 19 days
//	r = 0.90: 10 days
//	r = 0.95: 0.95^(−6.485084) = 1.394647 → 10.200475·0.394647 = 4.03 → 4 days
func TestIntervalByRetention(t *testing.T) {
	for _, tt := range []struct {
		retention float64
		want      int
	}{{0.80, 33}, {0.85, 19}, {0.90, 10}, {0.95, 4}} {
		s := DefaultScheduler()
		s.DesiredRetention = tt.retention
		if got := s.interval(10); got != tt.want {
			t.Errorf("retention %v: I(10) = %d days, want %d", tt.retention, got, tt.want)
		}
	}
}

func TestHigherRetentionGivesShorterIntervals(t *testing.T) {
	for _, stability := range []float64{3, 10, 45, 200} {
		prev := math.MaxInt
		for _, r := range []float64{0.7, 0.8, 0.85, 0.9, 0.95, 0.97} {
			s := DefaultScheduler()
			s.DesiredRetention = r
			c := Card{State: StateReview, Stability: stability, Difficulty: 5, LastReview: t0}
			now := t0.Add(time.Duration(stability) * day)
			got, _ := s.Review(c, Good, now)
			ivl := int(got.Due.Sub(now) / day)
			if ivl > prev {
				t.Errorf("S = %v: retention %v gives %d days, longer than %d at a lower retention", stability, r, ivl, prev)
			}
			prev = ivl
		}
	}
}

func TestRatingsOrderIntervals(t *testing.T) {
	s := DefaultScheduler()
	t.Run("on a Review card Easy ≥ Good ≥ Hard, and Again goes to relearning", func(t *testing.T) {
		for _, st := range []float64{0.5, 2, 10, 60, 365} {
			for _, d := range []float64{1, 5, 10} {
				for _, days := range []int{1, 3, 30, 400} {
					c := Card{State: StateReview, Stability: st, Difficulty: d, LastReview: t0}
					now := t0.Add(time.Duration(days) * day)
					var waits [5]time.Duration
					for r := Again; r <= Easy; r++ {
						got, _ := s.Review(c, r, now)
						waits[r] = got.Due.Sub(now)
						if r > Again && got.Stability < c.Stability {
							t.Errorf("S %v D %v t %d: %v lowered stability to %v", st, d, days, r, got.Stability)
						}
					}
					if !(waits[Again] < waits[Hard] && waits[Hard] <= waits[Good] && waits[Good] <= waits[Easy]) {
						t.Errorf("S %v D %v t %d: waits again %v hard %v good %v easy %v; want increasing", st, d, days, waits[Again], waits[Hard], waits[Good], waits[Easy])
					}
				}
			}
		}
	})
	t.Run("on a new card Again < Hard < Good < Easy", func(t *testing.T) {
		var prev time.Duration
		for r := Again; r <= Easy; r++ {
			c, _ := s.Review(Card{}, r, t0)
			if w := c.Due.Sub(t0); w <= prev {
				t.Errorf("%v waits %v, not longer than the rating below (%v)", r, w, prev)
			} else {
				prev = w
			}
		}
	})
	t.Run("difficulty rises with Again and falls with Easy", func(t *testing.T) {
		c := Card{State: StateReview, Stability: 10, Difficulty: 5, LastReview: t0}
		again, _ := s.Review(c, Again, t0.Add(10*day))
		easy, _ := s.Review(c, Easy, t0.Add(10*day))
		if !(again.Difficulty > c.Difficulty && easy.Difficulty < c.Difficulty) {
			t.Errorf("D 5 → again %v, easy %v; want above and below 5", again.Difficulty, easy.Difficulty)
		}
	})
}

func TestIntervalBounds(t *testing.T) {
	s := DefaultScheduler()
	for _, tt := range []struct {
		name      string
		stability float64
		max       int
		want      int
	}{
		{"a tiny stability still waits one day", 0.01, 36500, 1},
		{"a stability of 0.4 rounds to 0, raised to 1 day", 0.4, 36500, 1},
		{"a stability of 2.5 rounds half away from zero to 3 days", 2.5, 36500, 3},
		{"a huge stability is capped at the maximum interval", 1e6, 36500, 36500},
		{"a lower maximum interval caps too", 500, 100, 100},
	} {
		s.MaximumInterval = tt.max
		if got := s.interval(tt.stability); got != tt.want {
			t.Errorf("%s: I(%v) = %d, want %d", tt.name, tt.stability, got, tt.want)
		}
	}
	t.Run("review intervals are whole days within bounds", func(t *testing.T) {
		s := DefaultScheduler()
		s.MaximumInterval = 365
		c := Card{}
		now := t0
		var wait time.Duration
		for i := range 30 {
			c, _ = s.Review(c, Easy, now)
			wait = c.Due.Sub(now)
			if c.State != StateReview || wait%day != 0 || wait < day || wait > 365*day {
				t.Fatalf("review %d: %v, wait %v; want review, whole days from 1 to 365", i+1, c.State, wait)
			}
			now = c.Due
		}
		if wait != 365*day {
			t.Errorf("after 30 Easy reviews the interval is %v, want the 365-day cap", wait)
		}
	})
}

func TestSchedulerValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*Scheduler)
		want string
	}{
		{"retention of 1 is refused", func(s *Scheduler) { s.DesiredRetention = 1 }, "desired retention 1"},
		{"retention of 0 is refused", func(s *Scheduler) { s.DesiredRetention = 0 }, "desired retention 0"},
		{"a weight out of bounds is refused", func(s *Scheduler) { s.Weights[20] = 0.05 }, "w20"},
		{"the zero weights are refused", func(s *Scheduler) { s.Weights = Weights{} }, "w0"},
		{"a zero step is refused", func(s *Scheduler) { s.LearningSteps = []time.Duration{0} }, "step 0s"},
		{"a maximum interval under a day is refused", func(s *Scheduler) { s.MaximumInterval = 0 }, "maximum interval 0"},
	} {
		s := DefaultScheduler()
		tt.edit(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestParseRating(t *testing.T) {
	for in, want := range map[string]Rating{"again": Again, "Hard": Hard, " good ": Good, "4": Easy, "1": Again} {
		if got, err := ParseRating(in); err != nil || got != want {
			t.Errorf("ParseRating(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "5", "perfect"} {
		if _, err := ParseRating(in); err == nil {
			t.Errorf("ParseRating(%q) succeeded; want an error", in)
		}
	}
}

func TestReviewPanicsOnInvalidRating(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Review with rating 0 did not panic")
		}
	}()
	DefaultScheduler().Review(Card{}, Rating(0), t0)
}
