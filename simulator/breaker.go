package simulator

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// BreakerState is a circuit breaker's state, named as Resilience4j names them.
type BreakerState uint8

// Circuit breaker states.
const (
	// Closed lets every call through and records its outcome in the window.
	Closed BreakerState = iota
	// Open rejects every call until WaitInOpen has passed.
	Open
	// HalfOpen lets PermittedInHalfOpen probe calls through and rejects the rest.
	HalfOpen
	// ForcedOpen rejects every call until a command resets the breaker.
	ForcedOpen
	// Disabled lets every call through and records nothing.
	Disabled
)

var breakerStateNames = [...]string{"CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"}

// String returns the Resilience4j name of the state, e.g. "HALF_OPEN".
func (s BreakerState) String() string {
	if int(s) < len(breakerStateNames) {
		return breakerStateNames[s]
	}
	return "UNKNOWN"
}

// MarshalText encodes the state by its name.
func (s BreakerState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a state from its name.
func (s *BreakerState) UnmarshalText(b []byte) error {
	for i, n := range breakerStateNames {
		if n == string(b) {
			*s = BreakerState(i)
			return nil
		}
	}
	return fmt.Errorf("unknown breaker state %q", b)
}

// BreakerConfig is a count-based circuit breaker with Resilience4j semantics.
type BreakerConfig struct {
	// Enabled installs the breaker; off behaves as DISABLED. Teaching: on.
	Enabled bool
	// Window is the count-based sliding window: the last Window calls.
	// Teaching: 20. (Resilience4j slidingWindowSize 100; Hystrix uses a 10 s rolling window.)
	Window int
	// MinCalls is how many calls the window needs before a rate is computed.
	// Teaching: 10. (Resilience4j minimumNumberOfCalls 100; Hystrix requestVolumeThreshold 20.)
	MinCalls int
	// FailureRate trips the breaker when the failure share is at or above it. It is
	// read to the nearest hundredth of a percent and compared exactly, so 0.7, or
	// 70 × 0.01 as a browser computes it, trips on 7 failures in 10.
	// Teaching: 0.5. (Resilience4j failureRateThreshold 50; Hystrix errorThresholdPercentage 50.)
	FailureRate float64
	// SlowCall is the duration above which a call counts as slow.
	// Teaching: 1 s. (Resilience4j slowCallDurationThreshold 60 s.)
	SlowCall time.Duration
	// SlowRate trips the breaker when the slow share is at or above it, read like
	// FailureRate. Teaching: 0.8. (Resilience4j slowCallRateThreshold 100.)
	SlowRate float64
	// WaitInOpen is how long the breaker stays OPEN before it lets probes through.
	// Teaching: 5 s. (Resilience4j waitDurationInOpenState 60 s; Hystrix sleepWindowInMilliseconds 5000.)
	WaitInOpen time.Duration
	// PermittedInHalfOpen is how many probe calls HALF_OPEN admits.
	// Teaching: 3. (Resilience4j permittedNumberOfCallsInHalfOpenState 10; Hystrix: 1.)
	PermittedInHalfOpen int
}

// DefaultBreakerConfig returns the teaching preset.
func DefaultBreakerConfig() BreakerConfig {
	return BreakerConfig{
		Enabled: true, Window: 20, MinCalls: 10, FailureRate: 0.5, SlowCall: time.Second,
		SlowRate: 0.8, WaitInOpen: 5 * time.Second, PermittedInHalfOpen: 3,
	}
}

func (c *BreakerConfig) validate() error {
	if c.Window < 1 || c.Window > MaxBreakerWindow {
		return fmt.Errorf("breaker window %d out of range 1..%d", c.Window, MaxBreakerWindow)
	}
	if c.MinCalls < 1 || c.MinCalls > MaxBreakerWindow {
		return fmt.Errorf("breaker min calls %d out of range 1..%d", c.MinCalls, MaxBreakerWindow)
	}
	if !(c.FailureRate > 0 && c.FailureRate <= 1) || !(c.SlowRate > 0 && c.SlowRate <= 1) ||
		basisPoints(c.FailureRate) < 1 || basisPoints(c.SlowRate) < 1 {
		return fmt.Errorf("breaker thresholds %g/%g out of range [0.0001, 1]", c.FailureRate, c.SlowRate)
	}
	if c.SlowCall <= 0 || c.SlowCall > MaxTimeout {
		return fmt.Errorf("breaker slow-call duration %v out of range (0, %v]", c.SlowCall, MaxTimeout)
	}
	if c.WaitInOpen <= 0 || c.WaitInOpen > MaxBreakerWait {
		return fmt.Errorf("breaker wait in open %v out of range (0, %v]", c.WaitInOpen, MaxBreakerWait)
	}
	if c.PermittedInHalfOpen < 1 || c.PermittedInHalfOpen > MaxBreakerWindow {
		return fmt.Errorf("breaker half-open calls %d out of range 1..%d", c.PermittedInHalfOpen, MaxBreakerWindow)
	}
	return nil
}

// basisPoints reads a share in 0..1 as a whole number of hundredths of a percent,
// the grain at which breaker thresholds are compared. Rounding makes 0.07, 0.7 and
// 70 × 0.01 (0.7000000000000001) exactly 700 and 7000.
func basisPoints(share float64) int { return int(math.Round(share * 10000)) }

// Outcome bits recorded in a breaker window slot.
const (
	outFailed = 1 << 0
	outSlow   = 1 << 1
)

// Breaker is a count-based circuit breaker. It is a plain value with no clock of its
// own: every method takes the virtual time. Semantics follow Resilience4j:
//
//   - CLOSED records each call's outcome in a ring of the last Window calls. Once
//     MinCalls (capped at Window) are recorded, it opens when the failure rate or the
//     slow-call rate is at or above its threshold.
//   - OPEN rejects calls. The first call after WaitInOpen moves it to HALF_OPEN
//     (Resilience4j's default: no automatic transition without a call).
//   - HALF_OPEN admits PermittedInHalfOpen calls and rejects the rest; when all of them
//     have completed it opens again or closes by the same thresholds.
//   - FORCED_OPEN rejects and DISABLED admits everything, until Reset.
//
// One deliberate difference: an outcome reported for a permission granted in an earlier
// state (a slow call admitted while CLOSED that returns while HALF_OPEN) is ignored,
// where Resilience4j would count it in the current state.
type Breaker struct {
	cfg       BreakerConfig
	state     BreakerState
	epoch     uint32 // bumped on every transition; permissions carry it
	ring      [MaxBreakerWindow]uint8
	n, head   int // recorded calls in the ring, next slot
	failed    int // failed calls in the ring
	slow      int // slow calls in the ring
	openedAt  time.Duration
	permitted int // half-open permissions handed out
	done      int // half-open outcomes recorded
	lastN     int // window size when the last transition happened
	lastFail  float64
	lastSlow  float64
	// The thresholds in basis points, so that tripped compares integers: in
	// floating point 0.07 × 100 is 7.000000000000001, and 7 failures in 100 would
	// not reach a 7% threshold.
	failBP, slowBP int

	// NotPermitted counts calls the breaker rejected.
	NotPermitted uint64
	// Transitions counts state changes.
	Transitions uint64
	// Opened counts transitions to OPEN.
	Opened uint64
}

// NewBreaker returns a CLOSED breaker (DISABLED when cfg.Enabled is false).
func NewBreaker(cfg BreakerConfig) *Breaker {
	b := &Breaker{}
	b.Configure(cfg)
	return b
}

// Configure replaces the config and resets the breaker to CLOSED (or DISABLED).
func (b *Breaker) Configure(cfg BreakerConfig) {
	b.cfg = cfg
	if cfg.MinCalls > cfg.Window {
		b.cfg.MinCalls = cfg.Window
	}
	b.failBP, b.slowBP = basisPoints(cfg.FailureRate), basisPoints(cfg.SlowRate)
	b.Reset()
}

// Config returns the breaker's config.
func (b *Breaker) Config() BreakerConfig { return b.cfg }

// State returns the current state.
func (b *Breaker) State() BreakerState { return b.state }

// Reset clears the window and returns to CLOSED, or DISABLED if the breaker is not
// enabled. It reports whether the state changed.
func (b *Breaker) Reset() bool {
	to := Closed
	if !b.cfg.Enabled {
		to = Disabled
	}
	return b.transition(0, to)
}

// Force moves the breaker to FORCED_OPEN or DISABLED (or back to CLOSED with Reset).
// It reports whether the state changed.
func (b *Breaker) Force(now time.Duration, to BreakerState) bool {
	return b.transition(now, to)
}

func (b *Breaker) transition(now time.Duration, to BreakerState) bool {
	changed := b.state != to
	b.lastN, b.lastFail, b.lastSlow = b.n, 0, 0
	if b.n > 0 {
		b.lastFail = float64(b.failed) / float64(b.n)
		b.lastSlow = float64(b.slow) / float64(b.n)
	}
	b.state = to
	b.epoch++
	b.n, b.head, b.failed, b.slow = 0, 0, 0, 0
	b.permitted, b.done = 0, 0
	if to == Open {
		b.openedAt = now
	}
	if changed {
		b.Transitions++
		if to == Open {
			b.Opened++
		}
	}
	return changed
}

// Allow asks for permission to make a call at now. It returns a permission token to
// pass to Record or Release, whether the call may proceed, and whether the state
// changed (OPEN → HALF_OPEN happens here).
func (b *Breaker) Allow(now time.Duration) (token uint32, ok, changed bool) {
	switch b.state {
	case Closed, Disabled:
		return b.epoch, true, false
	case Open:
		if now-b.openedAt < b.cfg.WaitInOpen {
			b.NotPermitted++
			return 0, false, false
		}
		b.transition(now, HalfOpen)
		changed = true
		fallthrough
	case HalfOpen:
		if b.permitted >= b.cfg.PermittedInHalfOpen {
			b.NotPermitted++
			return 0, false, changed
		}
		b.permitted++
		return b.epoch, true, changed
	}
	b.NotPermitted++
	return 0, false, false
}

// Release gives back a permission whose call was never made (e.g. a bulkhead rejected
// it), so a half-open probe slot is not lost.
func (b *Breaker) Release(token uint32) {
	if token == b.epoch && b.state == HalfOpen && b.permitted > 0 {
		b.permitted--
	}
}

// Record reports the outcome of a permitted call: whether it failed and how long it
// took. It reports whether the state changed.
func (b *Breaker) Record(now time.Duration, token uint32, failed bool, d time.Duration) bool {
	if token != b.epoch || (b.state != Closed && b.state != HalfOpen) {
		return false
	}
	var o uint8
	if failed {
		o |= outFailed
	}
	if d > b.cfg.SlowCall {
		o |= outSlow
	}
	if b.state == HalfOpen {
		b.push(o, b.cfg.PermittedInHalfOpen)
		b.done++
		if b.done < b.cfg.PermittedInHalfOpen {
			return false
		}
		if b.tripped() {
			return b.transition(now, Open)
		}
		return b.transition(now, Closed)
	}
	b.push(o, b.cfg.Window)
	if b.n >= b.cfg.MinCalls && b.tripped() {
		return b.transition(now, Open)
	}
	return false
}

// push records an outcome in a ring of size w, evicting the oldest when full.
func (b *Breaker) push(o uint8, w int) {
	if b.n == w {
		old := b.ring[b.head]
		if old&outFailed != 0 {
			b.failed--
		}
		if old&outSlow != 0 {
			b.slow--
		}
	} else {
		b.n++
	}
	b.ring[b.head] = o
	if o&outFailed != 0 {
		b.failed++
	}
	if o&outSlow != 0 {
		b.slow++
	}
	b.head++
	if b.head == w {
		b.head = 0
	}
}

// tripped reports whether the failure or slow-call share of the window is at or
// above its threshold (Resilience4j: rate ≥ threshold), in integers:
// failed/n ≥ bp/10000 exactly when failed·10000 ≥ bp·n.
func (b *Breaker) tripped() bool {
	return b.failed*10000 >= b.failBP*b.n || b.slow*10000 >= b.slowBP*b.n
}

// BreakerWindow is the breaker's window as a snapshot shows it.
type BreakerWindow struct {
	// Calls is how many outcomes the window holds.
	Calls int `json:"calls"`
	// Failed and Slow count failed and slow outcomes in the window.
	Failed int `json:"failed"`
	Slow   int `json:"slow"`
	// FailureRate and SlowRate are shares in 0..1, or -1 below the minimum calls.
	FailureRate float64 `json:"failure_rate"`
	SlowRate    float64 `json:"slow_rate"`
}

// Window returns the current window and its rates.
func (b *Breaker) Window() BreakerWindow {
	w := BreakerWindow{Calls: b.n, Failed: b.failed, Slow: b.slow, FailureRate: -1, SlowRate: -1}
	min := b.cfg.MinCalls
	if b.state == HalfOpen {
		min = b.cfg.PermittedInHalfOpen
	}
	if b.n >= min && b.n > 0 {
		w.FailureRate = float64(b.failed) / float64(b.n)
		w.SlowRate = float64(b.slow) / float64(b.n)
	}
	return w
}

// planBreaker reconfigures an edge's breaker and, when the command gives a state,
// resets or forces it.
func (s *Sim) planBreaker(a *args, e *edge) (func(), string, error) {
	p := e.policy
	bc := p.Breaker
	setIfGiven(&bc.Enabled, a.Enabled)
	setIfGiven(&p.Fallback, a.Fallback)
	setIfGiven(&bc.Window, a.Window)
	setIfGiven(&bc.MinCalls, a.MinCalls)
	setIfGiven(&bc.PermittedInHalfOpen, a.HalfOpenCalls)
	setIfGiven(&bc.FailureRate, a.FailureRate)
	setIfGiven(&bc.SlowRate, a.SlowRate)
	a.ms(&bc.SlowCall, "slow_ms", a.SlowMS)
	a.ms(&bc.WaitInOpen, "wait_ms", a.WaitMS)
	if a.err != nil {
		return nil, "", a.err
	}
	if math.IsNaN(bc.FailureRate) || math.IsNaN(bc.SlowRate) {
		return nil, "", errors.New("rates must be numbers")
	}
	if err := bc.validate(); err != nil {
		return nil, "", err
	}
	// A form that sends 70 % as 70 × 0.01 sends 0.7000000000000001: keep the
	// threshold the learner meant, which is also what the breaker compares.
	bc.FailureRate = float64(basisPoints(bc.FailureRate)) / 10000
	bc.SlowRate = float64(basisPoints(bc.SlowRate)) / 10000
	to, err := breakerStateArg(a.State)
	if err != nil {
		return nil, "", err
	}
	if a.State != "" && !bc.Enabled && to != Disabled {
		return nil, "", errors.New("the breaker is not enabled; enable it first")
	}
	p.Breaker = bc
	// Configure resets the breaker, so only a change to its own settings calls it: a
	// command that sets only fallback or state keeps the window it has.
	reconf := a.Enabled != nil || a.Window != nil || a.MinCalls != nil || a.HalfOpenCalls != nil ||
		a.FailureRate != nil || a.SlowRate != nil || a.SlowMS != nil || a.WaitMS != nil
	return func() {
			before := e.breaker.State()
			e.policy = p
			if reconf {
				e.breaker.Configure(bc)
			}
			switch {
			case a.State == "closed":
				e.breaker.Reset()
			case a.State != "":
				e.breaker.Force(s.now, to)
			}
			if e.breaker.State() != before {
				s.breakerChanged(e)
			}
		}, fmt.Sprintf("breaker %s: enabled=%v window=%d min=%d failure≥%g slow>%v slow≥%g wait=%v half-open=%d fallback=%v state=%s",
			a.Edge, bc.Enabled, bc.Window, bc.MinCalls, bc.FailureRate, bc.SlowCall, bc.SlowRate, bc.WaitInOpen,
			bc.PermittedInHalfOpen, p.Fallback, orDefault(a.State, "unchanged")), nil
}

// breakerStateArg reads the state a breaker command asks for; "" asks for none.
func breakerStateArg(state string) (BreakerState, error) {
	switch state {
	case "":
		return 0, nil
	case "closed":
		return Closed, nil
	case "forced-open":
		return ForcedOpen, nil
	case "disabled":
		return Disabled, nil
	}
	return 0, fmt.Errorf("state %q is not closed, forced-open or disabled", state)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func describeBreaker(c *Command) string {
	return describeParts("breaker on "+edgeText(c.Edge), "reconfigured", c.State, onOff(c.Enabled, "installed"))
}
