package simulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// evKind says what a scheduled event does when it fires.
type evKind uint8

const (
	evArrival         evKind = iota // a: load stream; gen: stream generation
	evJobDone                       // a: job
	evAttemptTimeout                // a: call; gen: call timer generation
	evRetry                         // a: call; gen: call timer generation
	evBulkheadExpire                // a: call; gen: call timer generation
	evHeartbeat                     // a: instance; gen: incarnation
	evLeaseExpire                   // a: instance; gen: lease generation
	evRefresh                       // a: caller
	evConsumerDone                  // a: group; b: consumer slot; gen: slot generation
	evAckTimeout                    // a: group; b: ring index; gen: delivery serial
	evCompRetry                     // a: saga; gen: saga timer generation
	evSagaStepRetry                 // a: saga; gen: saga timer generation (choreography publish retry)
	evSagaStepTimeout               // a: saga; gen: step token (choreography step timeout)
	evCacheHitDone                  // a: request; gen: request generation
	evOutboxPoll                    // gen: relay poll generation
	evOutboxConfirm                 // gen: relay batch generation
)

// event is one scheduled happening. It is a small value: the heap holds events by
// value, so scheduling allocates nothing once the heap has grown.
type event struct {
	at   time.Duration
	seq  uint64
	a, b int32
	gen  uint32
	kind evKind
}

func (e *event) before(o *event) bool {
	return e.at < o.at || (e.at == o.at && e.seq < o.seq)
}

// Sim is one simulation of the shop. It is not safe for concurrent use: one goroutine
// owns it and drives it with Apply, Advance and RunUntil. Nothing inside reads the wall
// clock or the global random source.
type Sim struct {
	cfg  Config
	now  time.Duration
	seq  uint64
	heap []event
	rng  *rand.Rand

	// processed counts fired events (including stale timers).
	processed uint64

	services  [numServices]service
	instances [numServices * MaxInstances]instance
	jobs      pool[job]
	calls     pool[call]
	reqs      pool[request]
	edges     [numEdges]edge
	reg       registry
	disc      [numCallers]discovery
	gw        gateway
	load      loadGen
	sagas     sagaBook
	broker    broker
	links     [numNodes][numNodes]bool // cut links
	log       eventLog
	traces    traceBook
	nodeStats [nodeInsts]rolling // gateway and services (registry and broker unused)
	sidecars  [numServices]SidecarPolicy
}

// New builds a simulation at virtual time 0 from cfg, or says what is wrong with cfg.
func New(cfg Config) (*Sim, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("simulator: %w", err)
	}
	s := &Sim{cfg: cfg}
	s.cfg.Edges = append([]EdgeConfig(nil), cfg.Edges...)
	s.rng = rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15^cfg.Seed))
	// The arrivals draw from a stream of their own, so that two designs
	// run on one seed meet the same requests at the same times, whatever
	// else each draws (see Sim.Arrivals).
	s.load.rng = rand.New(rand.NewPCG(cfg.Seed^0x5851f42d4c957f2d, 0xd1b54a32d192ed03))
	s.heap = make([]event, 0, 4096)
	s.jobs.init(1024)
	s.calls.init(1024)
	s.reqs.init(1024)
	s.log.init(cfg.EventRing)
	s.sagas.init(cfg.SagaHistory)
	for _, ec := range cfg.Edges {
		s.edges[edgeByName(ec.Edge)].init(edgeByName(ec.Edge), ec.Policy)
	}
	s.sidecars = cfg.Sidecar.Services
	s.initGateway()
	s.initInstances()
	s.initRegistry()
	s.initBroker()
	s.initLoad()
	return s, nil
}

// MustNew is New for presets known to be valid; it panics on a bad config.
func MustNew(cfg Config) *Sim {
	s, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return s
}

// Config returns the configuration the simulation was built with (commands do not
// change it; Snapshot shows the live values).
func (s *Sim) Config() Config { return s.cfg }

// Now returns the virtual time.
func (s *Sim) Now() time.Duration { return s.now }

// Processed returns how many scheduled events have fired so far.
func (s *Sim) Processed() uint64 { return s.processed }

// Advance runs the simulation for d of virtual time.
func (s *Sim) Advance(d time.Duration) {
	if d > 0 {
		s.RunUntil(s.now + d)
	}
}

// RunUntil fires every event scheduled at or before t, then sets the clock to t.
// A t in the past does nothing.
func (s *Sim) RunUntil(t time.Duration) {
	for len(s.heap) > 0 && s.heap[0].at <= t {
		s.step()
	}
	if t > s.now {
		s.now = t
	}
}

// Step fires the next scheduled event and reports whether there was one.
func (s *Sim) Step() bool {
	if len(s.heap) == 0 {
		return false
	}
	s.step()
	return true
}

// Apply runs the simulation up to virtual time at and then applies c. An invalid
// command returns an error and changes nothing (the clock has still advanced to at).
// An at before Now is an error.
func (s *Sim) Apply(at time.Duration, c Command) error {
	if at < s.now {
		return fmt.Errorf("simulator: command %q at %v is before now (%v)", c.Type, at, s.now)
	}
	s.RunUntil(at)
	return s.apply(c)
}

// The queue is a 4-ary min-heap of value events keyed by (at, seq): shallower than a
// binary heap, and sifting moves a hole instead of swapping. Since (at, seq) is a
// total order, the heap's shape never changes which event fires next.
func (s *Sim) schedule(at time.Duration, k evKind, a, b int32, gen uint32) {
	s.seq++
	ev := event{at: at, seq: s.seq, kind: k, a: a, b: b, gen: gen}
	s.heap = append(s.heap, ev)
	h := s.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !ev.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = ev
}

func (s *Sim) pop() event {
	h := s.heap
	top := h[0]
	n := len(h) - 1
	last := h[n]
	s.heap = h[:n]
	h = h[:n]
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if h[j].before(&h[m]) {
				m = j
			}
		}
		if !h[m].before(&last) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = last
	return top
}

func (s *Sim) step() {
	ev := s.pop()
	s.now = ev.at
	s.processed++
	switch ev.kind {
	case evArrival:
		s.onArrival(int(ev.a), ev.gen)
	case evJobDone:
		s.onJobDone(ev.a)
	case evAttemptTimeout:
		s.onAttemptTimeout(ev.a, ev.gen)
	case evRetry:
		s.onRetry(ev.a, ev.gen)
	case evBulkheadExpire:
		s.onBulkheadExpire(ev.a, ev.gen)
	case evHeartbeat:
		s.onHeartbeat(int(ev.a), ev.gen)
	case evLeaseExpire:
		s.onLeaseExpire(int(ev.a), ev.gen)
	case evRefresh:
		s.onRefresh(int(ev.a))
	case evConsumerDone:
		s.onConsumerDone(int(ev.a), int(ev.b), ev.gen)
	case evAckTimeout:
		s.onAckTimeout(int(ev.a), int(ev.b), ev.gen)
	case evCompRetry:
		s.onCompRetry(ev.a, ev.gen)
	case evSagaStepRetry:
		s.onSagaStepRetry(ev.a, ev.gen)
	case evSagaStepTimeout:
		s.onSagaStepTimeout(ev.a, ev.gen)
	case evCacheHitDone:
		s.onCacheHitDone(ev.a, ev.gen)
	case evOutboxPoll:
		s.onOutboxPoll(ev.gen)
	case evOutboxConfirm:
		s.onOutboxConfirm(ev.gen)
	}
}

// lognormal draws a service time with the given median and shape.
func (s *Sim) lognormal(median time.Duration, sigma float64) time.Duration {
	if sigma == 0 {
		return median
	}
	d := time.Duration(float64(median) * math.Exp(sigma*s.rng.NormFloat64()))
	if d < time.Microsecond {
		d = time.Microsecond
	}
	return d
}

// chance reports true with probability p.
func (s *Sim) chance(p float64) bool {
	return p > 0 && (p >= 1 || s.rng.Float64() < p)
}

// pool is a slice of records with a free list: getting and putting a record allocates
// nothing once the slice has grown to the simulation's working set.
type pool[T any] struct {
	items []T
	free  []int32
	used  int
}

func (p *pool[T]) init(n int) {
	p.items = make([]T, 0, n)
	p.free = make([]int32, 0, n)
}

func (p *pool[T]) get() int32 {
	p.used++
	if n := len(p.free); n > 0 {
		i := p.free[n-1]
		p.free = p.free[:n-1]
		return i
	}
	var zero T
	p.items = append(p.items, zero)
	return int32(len(p.items) - 1)
}

func (p *pool[T]) put(i int32) {
	p.used--
	p.free = append(p.free, i)
}

func (p *pool[T]) at(i int32) *T { return &p.items[i] }
