package simulator

import (
	"strings"
	"testing"
	"time"
)

// step is one scripted call on a breaker: ask at `at`, and if admitted, report the
// outcome at the same instant.
type breakerStep struct {
	at      time.Duration
	fail    bool
	dur     time.Duration
	wantOK  bool
	wantNow BreakerState // state after the step
}

func runBreakerScript(t *testing.T, b *Breaker, steps []breakerStep) {
	t.Helper()
	for i, st := range steps {
		tok, ok, _ := b.Allow(st.at)
		if ok != st.wantOK {
			t.Fatalf("step %d at %v: allowed=%v, want %v (state %s)", i, st.at, ok, st.wantOK, b.State())
		}
		if ok {
			b.Record(st.at, tok, st.fail, st.dur)
		}
		if got := b.State(); got != st.wantNow {
			t.Fatalf("step %d at %v: state %s, want %s", i, st.at, got, st.wantNow)
		}
	}
}

func teachingBreaker() *Breaker { return NewBreaker(DefaultBreakerConfig()) }

func TestBreakerNoRateBeforeMinimumCalls(t *testing.T) {
	b := teachingBreaker()
	// Nine failures: 100% failure rate, but fewer than minCalls (10) recorded.
	var steps []breakerStep
	for i := 0; i < 9; i++ {
		steps = append(steps, breakerStep{at: time.Duration(i) * time.Millisecond, fail: true, wantOK: true, wantNow: Closed})
	}
	runBreakerScript(t, b, steps)
	if w := b.Window(); w.FailureRate != -1 || w.Calls != 9 {
		t.Fatalf("window %+v: want 9 calls and no rate yet (-1)", w)
	}
	// The tenth failure reaches minCalls with 100% ≥ 50%: OPEN.
	runBreakerScript(t, b, []breakerStep{{at: 10 * time.Millisecond, fail: true, wantOK: true, wantNow: Open}})
}

func TestBreakerFailureRateThresholdIsInclusive(t *testing.T) {
	b := teachingBreaker()
	// Alternate success/failure: after 10 calls 5 failed = 50% ≥ 50%: OPEN at call 10.
	var steps []breakerStep
	for i := 0; i < 10; i++ {
		want := Closed
		if i == 9 {
			want = Open
		}
		steps = append(steps, breakerStep{at: time.Duration(i) * time.Millisecond, fail: i%2 == 1, wantOK: true, wantNow: want})
	}
	runBreakerScript(t, b, steps)
	if b.lastN != 10 || b.lastFail != 0.5 {
		t.Fatalf("tripped on %d calls at %g, want 10 calls at 0.5", b.lastN, b.lastFail)
	}
}

func TestBreakerSlidingWindowForgetsOldCalls(t *testing.T) {
	b := teachingBreaker()
	at := time.Duration(0)
	var steps []breakerStep
	add := func(n int, fail bool) {
		for i := 0; i < n; i++ {
			at += time.Millisecond
			steps = append(steps, breakerStep{at: at, fail: fail, wantOK: true, wantNow: Closed})
		}
	}
	add(10, false) // 0/10
	add(9, true)   // 9/19 = 47%
	add(20, false) // the failures slide out of the 20-call window
	runBreakerScript(t, b, steps)
	if w := b.Window(); w.Calls != 20 || w.Failed != 0 {
		t.Fatalf("window %+v, want 20 calls with none failed", w)
	}
	steps = steps[:0]
	add(9, true) // 9/20 = 45%
	runBreakerScript(t, b, steps)
	// The tenth failure makes it 10/20 = 50%: OPEN.
	runBreakerScript(t, b, []breakerStep{{at: at + time.Millisecond, fail: true, wantOK: true, wantNow: Open}})
}

func TestBreakerSlowCallRate(t *testing.T) {
	b := teachingBreaker()
	// Successful but slow calls (> 1 s): 8 slow of 10 = 80% ≥ 80%: OPEN on the 10th.
	var steps []breakerStep
	for i := 0; i < 10; i++ {
		d := 10 * time.Millisecond
		if i >= 2 {
			d = 1500 * time.Millisecond
		}
		want := Closed
		if i == 9 {
			want = Open
		}
		steps = append(steps, breakerStep{at: time.Duration(i) * time.Millisecond, dur: d, wantOK: true, wantNow: want})
	}
	runBreakerScript(t, b, steps)
	// Exactly the threshold duration is not slow (Resilience4j: slower than).
	b2 := teachingBreaker()
	steps = steps[:0]
	for i := 0; i < 10; i++ {
		steps = append(steps, breakerStep{at: time.Duration(i) * time.Millisecond, dur: time.Second, wantOK: true, wantNow: Closed})
	}
	runBreakerScript(t, b2, steps)
}

func TestBreakerHalfOpenToClosedAndBackToOpen(t *testing.T) {
	b := teachingBreaker()
	var steps []breakerStep
	for i := 0; i < 10; i++ {
		want := Closed
		if i == 9 {
			want = Open
		}
		steps = append(steps, breakerStep{at: 0, fail: true, wantOK: true, wantNow: want})
	}
	runBreakerScript(t, b, steps)
	// OPEN rejects until waitInOpen (5 s) has passed.
	runBreakerScript(t, b, []breakerStep{
		{at: 1 * time.Second, wantOK: false, wantNow: Open},
		{at: 4999 * time.Millisecond, wantOK: false, wantNow: Open},
	})
	if b.NotPermitted != 2 {
		t.Fatalf("not permitted %d, want 2", b.NotPermitted)
	}
	// At 5 s the first call moves it to HALF_OPEN and is a probe; three probes are
	// admitted, a fourth is rejected while they are in flight.
	t1, ok1, changed := b.Allow(5 * time.Second)
	if !ok1 || !changed || b.State() != HalfOpen {
		t.Fatalf("at 5 s: ok=%v changed=%v state=%s, want a probe in HALF_OPEN", ok1, changed, b.State())
	}
	t2, ok2, _ := b.Allow(5 * time.Second)
	t3, ok3, _ := b.Allow(5 * time.Second)
	_, ok4, _ := b.Allow(5 * time.Second)
	if !ok2 || !ok3 || ok4 {
		t.Fatalf("half-open admissions %v %v %v, want true true false", ok2, ok3, ok4)
	}
	// Two of three probes fail: 67% ≥ 50%: back to OPEN once all three completed.
	b.Record(5100*time.Millisecond, t1, true, 0)
	b.Record(5100*time.Millisecond, t2, false, 0)
	if b.State() != HalfOpen {
		t.Fatalf("after 2 of 3 probes: %s, want HALF_OPEN", b.State())
	}
	b.Record(5200*time.Millisecond, t3, true, 0)
	if b.State() != Open {
		t.Fatalf("after 3 probes, 2 failed: %s, want OPEN", b.State())
	}
	// Next window: wait 5 s from 5.2 s; probes: one failure of three = 33% < 50%: CLOSED.
	if _, ok, _ := b.Allow(10 * time.Second); ok {
		t.Fatalf("at 10 s (4.8 s after re-opening) a call was admitted")
	}
	var toks []uint32
	for i := 0; i < 3; i++ {
		tk, ok, _ := b.Allow(10200 * time.Millisecond)
		if !ok {
			t.Fatalf("probe %d rejected", i)
		}
		toks = append(toks, tk)
	}
	b.Record(10300*time.Millisecond, toks[0], true, 0)
	b.Record(10300*time.Millisecond, toks[1], false, 0)
	b.Record(10300*time.Millisecond, toks[2], false, 0)
	if b.State() != Closed {
		t.Fatalf("after probes 1 failed of 3: %s, want CLOSED", b.State())
	}
	if w := b.Window(); w.Calls != 0 {
		t.Fatalf("closing starts a fresh window, got %+v", w)
	}
	if b.Transitions != 5 || b.Opened != 2 {
		t.Fatalf("transitions %d opened %d, want 5 and 2", b.Transitions, b.Opened)
	}
}

func TestBreakerIgnoresOutcomesFromAnEarlierState(t *testing.T) {
	b := teachingBreaker()
	slowTok, _, _ := b.Allow(0) // admitted while CLOSED, returns much later
	for i := 0; i < 10; i++ {
		tk, _, _ := b.Allow(0)
		b.Record(0, tk, true, 0)
	}
	if b.State() != Open {
		t.Fatalf("state %s, want OPEN", b.State())
	}
	b.Allow(5 * time.Second) // HALF_OPEN, one probe out
	if b.Record(5*time.Second, slowTok, false, 0) || b.done != 0 {
		t.Fatalf("a CLOSED-era outcome was counted in HALF_OPEN")
	}
}

func TestBreakerReleaseReturnsAHalfOpenPermit(t *testing.T) {
	cfg := DefaultBreakerConfig()
	cfg.PermittedInHalfOpen = 1
	b := NewBreaker(cfg)
	b.Force(0, Open)
	tk, ok, _ := b.Allow(5 * time.Second)
	if !ok {
		t.Fatal("the probe was rejected")
	}
	if _, ok, _ := b.Allow(5 * time.Second); ok {
		t.Fatal("a second probe was admitted with 1 permitted")
	}
	b.Release(tk)
	if _, ok, _ := b.Allow(5 * time.Second); !ok {
		t.Fatal("a released permit was not given again")
	}
}

func TestBreakerForcedOpenAndDisabled(t *testing.T) {
	b := teachingBreaker()
	b.Force(0, ForcedOpen)
	if _, ok, _ := b.Allow(time.Hour); ok {
		t.Fatal("FORCED_OPEN admitted a call")
	}
	b.Force(0, Disabled)
	for i := 0; i < 50; i++ {
		tk, ok, _ := b.Allow(0)
		if !ok {
			t.Fatal("DISABLED rejected a call")
		}
		b.Record(0, tk, true, 0)
	}
	if b.State() != Disabled {
		t.Fatalf("DISABLED moved to %s", b.State())
	}
	b.Reset()
	if b.State() != Closed {
		t.Fatalf("Reset gave %s, want CLOSED", b.State())
	}
}

// In the whole simulation: payment fails every charge; charges sent one at a time
// every 100 ms with a fixed 40 ms service time.
func TestBreakerInTheShop(t *testing.T) {
	cfg := quietConfig()
	cfg.Services[svcPayment].ErrorRate = 1
	s := MustNew(cfg)
	e := &s.edges[edgeOrdersPayment]
	for i := 0; i < 12; i++ {
		s.RunUntil(time.Duration(i) * 100 * time.Millisecond)
		s.startCall(edgeOrdersPayment, opCharge, ownerNone, 0, 0, noTrace)
	}
	s.RunUntil(2 * time.Second)
	// Calls 0..9 reach payment and fail; the 10th failure (call 9, completing at
	// 940 ms) opens the breaker; calls 10 and 11 (1.0 s, 1.1 s) are rejected.
	if got := e.breaker.State(); got != Open {
		t.Fatalf("state %s, want OPEN", got)
	}
	if e.breaker.NotPermitted != 2 || e.fallbacks != 2 {
		t.Fatalf("not permitted %d, fallbacks %d, want 2 and 2", e.breaker.NotPermitted, e.fallbacks)
	}
	if at := eventTime(s, "breaker", "→ OPEN"); at != 940*time.Millisecond {
		t.Fatalf("opened at %v, want 940ms", at)
	}
	// Payment recovers; the first call after 940 ms + 5 s probes and three successes close it.
	s.services[svcPayment].cfg.ErrorRate = 0
	s.RunUntil(5940 * time.Millisecond)
	for i := 0; i < 3; i++ {
		s.startCall(edgeOrdersPayment, opCharge, ownerNone, 0, 0, noTrace)
	}
	s.startCall(edgeOrdersPayment, opCharge, ownerNone, 0, 0, noTrace) // a fourth: rejected
	if got := e.breaker.State(); got != HalfOpen {
		t.Fatalf("state %s, want HALF_OPEN", got)
	}
	s.RunUntil(6 * time.Second)
	if got := e.breaker.State(); got != Closed || e.breaker.NotPermitted != 3 {
		t.Fatalf("state %s with %d rejected, want CLOSED with 3", got, e.breaker.NotPermitted)
	}
	if at := eventTime(s, "breaker", "→ CLOSED"); at != 5980*time.Millisecond {
		t.Fatalf("closed at %v, want 5.98s (three 40 ms probes)", at)
	}
}

// quietConfig is the default shop with no load, fixed service times and no
// business-rule failures: timelines can be worked out by hand.
func quietConfig() Config {
	cfg := DefaultConfig()
	cfg.Load.Rate = 0
	for i := range cfg.Services {
		cfg.Services[i].Sigma = 0
	}
	cfg.Saga.OutOfStock, cfg.Saga.Declined = 0, 0
	return cfg
}

func eventTime(s *Sim, kind, text string) time.Duration {
	for _, e := range s.Events(0) {
		if e.Kind == kind && contains([]string{e.Message}, e.Message) && containsStr(e.Message, text) {
			return time.Duration(e.AtMS * float64(time.Millisecond))
		}
	}
	return -1
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// A breaker opens at rate ≥ threshold (Resilience4j), exactly: for every whole
// percent p and every window n up to the largest, with MinCalls = Window = n, the
// first k failures (or slow calls) with k·100 ≥ p·n open it and k−1 do not. The
// threshold is given three ways: as Go reads "0.07" (p/100), as a browser form
// computes it (p × 0.01, which is 0.7000000000000001 for 70) and through a command.
// In floating point 0.07 × 100 is 7.000000000000001, so a bare float comparison
// misses ties such as 7 of 100 at 7% and 7 of 10 at 70 × 0.01.
func TestBreakerOpensAtEveryWholePercentTieExactly(t *testing.T) {
	kinds := []struct {
		name string
		set  func(c *BreakerConfig, r float64)
		rec  func(b *Breaker, tok uint32, bad bool)
	}{
		{"failure rate", func(c *BreakerConfig, r float64) { c.FailureRate = r },
			func(b *Breaker, tok uint32, bad bool) { b.Record(0, tok, bad, time.Millisecond) }},
		{"slow-call rate", func(c *BreakerConfig, r float64) { c.SlowRate = r },
			func(b *Breaker, tok uint32, bad bool) {
				d := time.Millisecond
				if bad {
					d = 2 * time.Second
				}
				b.Record(0, tok, false, d)
			}},
	}
	ways := []struct {
		name  string
		share func(p int) float64
	}{
		{"p/100", func(p int) float64 { return float64(p) / 100 }},
		{"p × 0.01", func(p int) float64 { return float64(p) * 0.01 }},
	}
	for _, k := range kinds {
		for _, w := range ways {
			for p := 1; p <= 100; p++ {
				for n := 1; n <= MaxBreakerWindow; n++ {
					need := (p*n + 99) / 100 // the fewest bad calls with bad/n ≥ p/100
					for _, bad := range []int{need - 1, need} {
						cfg := DefaultBreakerConfig()
						cfg.Window, cfg.MinCalls, cfg.FailureRate, cfg.SlowRate = n, n, 1, 1
						k.set(&cfg, w.share(p))
						b := NewBreaker(cfg)
						for i := 0; i < n; i++ {
							tok, _, _ := b.Allow(0)
							k.rec(b, tok, i < bad) // the bad calls first: the state is judged at the n-th
						}
						if want := bad >= need; (b.State() == Open) != want {
							t.Fatalf("%s %d%% (%s = %v), window %d: %d bad calls left it %s, want open=%v",
								k.name, p, w.name, w.share(p), n, bad, b.State(), want)
						}
					}
				}
			}
		}
	}
}

// A threshold sent as a browser sends 70 % (70 × 0.01) is kept as 70 %: the
// command's event and the snapshot say 0.7, and 7 failures in 10 open the breaker.
func TestBreakerCommandKeepsTheThresholdTheLearnerMeant(t *testing.T) {
	s := MustNew(quietConfig())
	msg := []byte(`{"type":"breaker","edge":"orders>payment","window":10,"min_calls":10,"failure_rate":0.7000000000000001,"slow_rate":0.30000000000000004}`)
	c, err := DecodeCommand(msg)
	must(t, err)
	must(t, s.Apply(0, c))
	e := &s.edges[edgeOrdersPayment]
	if got := e.policy.Breaker; got.FailureRate != 0.7 || got.SlowRate != 0.3 {
		t.Fatalf("thresholds %v/%v, want 0.7/0.3", got.FailureRate, got.SlowRate)
	}
	if ev := s.Events(0); !strings.Contains(ev[len(ev)-1].Message, "failure≥0.7 ") {
		t.Fatalf("event %q, want it to say failure≥0.7", ev[len(ev)-1].Message)
	}
	for i := 0; i < 10; i++ {
		tok, _, _ := e.breaker.Allow(0)
		e.breaker.Record(0, tok, i < 7, time.Millisecond)
	}
	if e.breaker.State() != Open {
		t.Fatalf("7 failures in 10 at 70%%: %s, want OPEN", e.breaker.State())
	}
	for _, bad := range []string{`0.00004`, `1.00001`, `-0.5`} {
		c, err := DecodeCommand([]byte(`{"type":"breaker","edge":"orders>payment","failure_rate":` + bad + `}`))
		if err == nil {
			err = s.Apply(s.Now(), c)
		}
		if err == nil {
			t.Errorf("failure_rate %s was accepted", bad)
		}
	}
}
