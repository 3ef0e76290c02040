package lab

import (
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"time"

	"microlab/simulator"
)

// The refusals of Start and Join. The web layer turns each into a status
// and a message a person can act on.
var (
	// ErrTooMany: the learner already runs as many labs as one may.
	ErrTooMany = errors.New("lab: this learner already runs as many labs as one may")
	// ErrFull: every lab place on the server is taken.
	ErrFull = errors.New("lab: every lab place on this server is taken")
	// ErrClosing: the server is shutting down and starts or joins nothing.
	ErrClosing = errors.New("lab: the server is shutting down")
	// ErrEnded: the lab has stopped.
	ErrEnded = errors.New("lab: this lab has ended")
	// ErrCrowded: the lab has as many viewers as one lab takes.
	ErrCrowded = errors.New("lab: this lab has as many viewers as it takes")
)

// Close codes a viewer is told when its lab ends: the websocket protocol's
// numbers.
const (
	CloseNormal    = 1000 // the owner ended the lab, or nobody watched it
	CloseGoingAway = 1001 // the server is shutting down
)

// Limits bound the labs of one server.
type Limits struct {
	// PerLearner is how many labs one learner may run at once; 0 means 3.
	PerLearner int
	// Total is how many labs the server runs at once; 0 means 200.
	Total int
	// Idle is how long a lab nobody watches lives on; 0 means 10 minutes.
	Idle time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.PerLearner <= 0 {
		l.PerLearner = 3
	}
	if l.Total <= 0 {
		l.Total = 200
	}
	if l.Idle <= 0 {
		l.Idle = 10 * time.Minute
	}
	return l
}

// Manager holds every running lab.
type Manager struct {
	limits Limits
	log    *slog.Logger
	topo   simulator.Topology

	mu      sync.Mutex
	labs    map[string]*Lab
	schemas map[[3]int][]string // by scenario shape: scenario?, steps, checks
	closed  bool

	running sync.WaitGroup // lab goroutines
	viewers sync.WaitGroup // viewers that joined and have not left
}

// NewManager returns a manager with no labs; zero limits take their
// defaults.
func NewManager(limits Limits, log *slog.Logger) *Manager {
	return &Manager{
		limits: limits.withDefaults(), log: log, topo: simulator.ShopTopology(simulator.DefaultConfig()),
		labs: map[string]*Lab{}, schemas: map[[3]int][]string{},
	}
}

// Limits returns the manager's limits, defaults filled in.
func (m *Manager) Limits() Limits { return m.limits }

// Topology is the wiring of every lab's shop.
func (m *Manager) Topology() simulator.Topology { return m.topo }

// Start creates a lab owned by owner and starts its goroutine: a scenario,
// or free play when sc is nil. A scenario starts from the seed of its
// recorded run, so left alone it reaches the same verdicts; free play from
// a random one. It refuses with ErrClosing, ErrTooMany or ErrFull.
func (m *Manager) Start(owner string, sc *simulator.Scenario) (*Lab, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosing
	}
	n := 0
	for _, l := range m.labs {
		if l.owner == owner {
			n++
		}
	}
	if n >= m.limits.PerLearner {
		return nil, ErrTooMany
	}
	if len(m.labs) >= m.limits.Total {
		return nil, ErrFull
	}
	seed := uint64(ScenarioSeed)
	if sc == nil {
		seed = 1 + mrand.Uint64N(999_999)
	}
	l, err := newLab(m, owner, sc, seed)
	if err != nil {
		return nil, err
	}
	m.labs[l.id] = l
	m.running.Add(1)
	go l.run()
	m.log.Info("lab started", "lab", l.id, "scenario", l.Info().Slug(), "labs", len(m.labs))
	return l, nil
}

// ScenarioSeed is the seed a scenario's lab starts with, the seed of its
// recorded run.
const ScenarioSeed = 1

// schemaFor returns the vector's keys for a lab of this shape, shared by
// every lab of the same shape.
func (m *Manager) schemaFor(sh *shape) []string {
	k := [3]int{int(b2f(sh.scenario)), sh.steps, sh.checks}
	if keys, ok := m.schemas[k]; ok {
		return keys
	}
	keys := schema(sh)
	m.schemas[k] = keys
	return keys
}

// Get returns the running lab with this id, or nil.
func (m *Manager) Get(id string) *Lab {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.labs[id]
}

// Owned lists the labs owner runs, oldest first.
func (m *Manager) Owned(owner string) []Info {
	m.mu.Lock()
	var out []Info
	for _, l := range m.labs {
		if l.owner == owner {
			out = append(out, l.Info())
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b Info) int { return a.Created.Compare(b.Created) })
	return out
}

// Count is how many labs run now.
func (m *Manager) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.labs)
}

func (m *Manager) remove(l *Lab) {
	m.mu.Lock()
	delete(m.labs, l.id)
	n := len(m.labs)
	m.mu.Unlock()
	m.log.Info("lab stopped", "lab", l.id, "labs", n)
}

// enter counts a new viewer in, unless the manager is closing; Close waits
// for the viewers it counted to leave.
func (m *Manager) enter() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.viewers.Add(1)
	return true
}

// Close stops every lab and tells every viewer CloseGoingAway, then waits up
// to a few seconds for the viewers to leave, which they do once they have
// said goodbye.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	labs := make([]*Lab, 0, len(m.labs))
	for _, l := range m.labs {
		labs = append(labs, l)
	}
	m.mu.Unlock()
	for _, l := range labs {
		l.End(CloseGoingAway, "The server is shutting down.")
	}
	done := make(chan struct{})
	go func() {
		m.running.Wait()
		m.viewers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		m.log.Warn("labs: viewers still connected after 5 s of shutting down")
	}
}
