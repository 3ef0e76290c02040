package lab

import (
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"microlab/internal/window"
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
	// ErrAddressLabs: the client's address already runs as many labs as one
	// address may, whatever learners it claims to be.
	ErrAddressLabs = errors.New("lab: this address already runs as many labs as one may")
	// ErrStartRate: the client's address started labs too often lately.
	ErrStartRate = errors.New("lab: this address starts labs too often")
	// ErrSockets: the server holds as many lab connections as it takes.
	ErrSockets = errors.New("lab: the server holds as many lab connections as it takes")
	// ErrAddressSockets: the client's address holds as many lab
	// connections as one address may.
	ErrAddressSockets = errors.New("lab: this address holds as many lab connections as one may")
)

// Close codes a viewer is told when its lab ends: the websocket protocol's
// numbers.
const (
	CloseNormal    = 1000 // the owner ended the lab, or nobody watched it
	CloseGoingAway = 1001 // the server is shutting down
)

// Limits bound the labs of one server. A learner is a cookie, which costs
// a client nothing, so every bound on a learner has one on the client's
// address beside it.
type Limits struct {
	// PerLearner is how many labs one learner may run at once; 0 means 3.
	PerLearner int
	// Total is how many labs the server runs at once; 0 means 200.
	Total int
	// Idle is how long a lab nobody watches lives on; 0 means 10 minutes.
	Idle time.Duration
	// Life is how long a lab lives at most, watched or not; 0 means 3 hours.
	Life time.Duration
	// PerAddress is how many labs may run that were started from one client
	// address; 0 means 20 (a classroom behind one address needs more).
	PerAddress int
	// StartsPerMinute is how many labs one address may start a minute; 0
	// means 20.
	StartsPerMinute int
	// Sockets is how many lab connections the server holds at once; 0 means
	// 2000. The command line derives it from the file descriptor limit.
	Sockets int
	// SocketsPerAddress is how many lab connections one address may hold;
	// 0 means 200.
	SocketsPerAddress int
	// CPUShare is the share of the machine (of GOMAXPROCS) all labs
	// together may spend simulating; 0 means a half.
	CPUShare float64
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.PerLearner, 3)
	def(&l.Total, 200)
	def(&l.PerAddress, 20)
	def(&l.StartsPerMinute, 20)
	def(&l.Sockets, 2000)
	def(&l.SocketsPerAddress, 200)
	if l.Idle <= 0 {
		l.Idle = 10 * time.Minute
	}
	if l.Life <= 0 {
		l.Life = 3 * time.Hour
	}
	if l.CPUShare <= 0 || l.CPUShare > 1 {
		l.CPUShare = 0.5
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
	// starts counts each client address's starts over the last minute.
	starts *window.Limit
	// sockets counts the lab connections per client address, and in all.
	sockets     map[string]int
	socketTotal int
	// owners hold each learner's command budget, shared by all the
	// sockets of all their labs; a learner with no lab left loses it.
	owners map[string]*tokenBucket
	// budget shares the labs' CPU; evaluating counts the challenge runs
	// under way (Evaluate).
	budget     cpuBudget
	evaluating atomic.Int32

	// recorder keeps the labs' runs (record.go); nil keeps nothing.
	recorder Recorder

	running sync.WaitGroup // lab goroutines
	viewers sync.WaitGroup // viewers that joined and have not left
}

// NewManager returns a manager with no labs; zero limits take their
// defaults.
func NewManager(limits Limits, log *slog.Logger) *Manager {
	m := &Manager{
		limits: limits.withDefaults(), log: log, topo: simulator.ShopTopology(simulator.DefaultConfig()),
		labs: map[string]*Lab{}, schemas: map[[3]int][]string{},
		sockets: map[string]int{}, owners: map[string]*tokenBucket{},
	}
	m.starts = window.New(m.limits.StartsPerMinute, time.Minute, maxAddresses)
	m.budget.total = time.Duration(m.limits.CPUShare * float64(runtime.GOMAXPROCS(0)) * float64(tick))
	return m
}

// closeWait bounds how long Close waits for viewers to take their leave: a
// goodbye is one small write, and the whole shutdown must stay short.
const closeWait = 2 * time.Second

// maxAddresses bounds the addresses the manager remembers starts of; past
// it, the oldest are forgotten first.
const maxAddresses = 10000

// Limits returns the manager's limits, defaults filled in.
func (m *Manager) Limits() Limits { return m.limits }

// Topology is the wiring of every lab's shop.
func (m *Manager) Topology() simulator.Topology { return m.topo }

// Start creates a lab owned by owner, a learner at client address addr,
// and starts its goroutine: a scenario, or free play when sc is nil. A
// scenario starts from the seed of its recorded run, so left alone it
// reaches the same verdicts; free play from a random one. It refuses with
// ErrClosing, ErrTooMany, ErrAddressLabs, ErrFull or ErrStartRate, in that
// order; only a lab that starts counts against the start rate.
func (m *Manager) Start(owner, addr string, sc *simulator.Scenario) (*Lab, error) {
	seed := uint64(ScenarioSeed)
	if sc == nil {
		seed = 1 + mrand.Uint64N(999_999)
	}
	return m.launch(owner, addr, true, func() (*Lab, error) { return newLab(m, owner, sc, seed) })
}

// launch checks the bounds, makes the lab with make and starts its
// goroutine; mine says whether it counts among its owner's labs.
func (m *Manager) launch(owner, addr string, mine bool, make func() (*Lab, error)) (*Lab, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosing
	}
	owned, here := 0, 0
	for _, l := range m.labs {
		if l.owner == owner && l.source == nil {
			owned++
		}
		if l.addr == addr {
			here++
		}
	}
	if mine && owned >= m.limits.PerLearner {
		return nil, ErrTooMany
	}
	if here >= m.limits.PerAddress {
		return nil, ErrAddressLabs
	}
	if len(m.labs) >= m.limits.Total {
		return nil, ErrFull
	}
	if !m.starts.Allow(addr, time.Now()) {
		return nil, ErrStartRate
	}
	l, err := make()
	if err != nil {
		return nil, err
	}
	l.addr = addr
	m.labs[l.id] = l
	m.running.Add(1)
	go l.run()
	kind := "lab started"
	if l.source != nil {
		kind = "replay started"
	}
	m.log.Info(kind, "lab", l.id, "scenario", l.Info().Slug(), "labs", len(m.labs))
	return l, nil
}

// ScenarioSeed is the seed a scenario's lab starts with, the seed of its
// recorded run.
const ScenarioSeed = simulator.ScenarioSeed

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
	owns := false
	for _, o := range m.labs {
		owns = owns || o.owner == l.owner
	}
	if !owns {
		delete(m.owners, l.owner)
	}
	m.mu.Unlock()
	m.log.Info("lab stopped", "lab", l.id, "labs", n)
}

// enter counts a new viewer from addr in, unless the manager is closing or
// the server or the address holds as many connections as it may; Close
// waits for the viewers it counted to leave.
func (m *Manager) enter(addr string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
		return ErrClosing
	case m.sockets[addr] >= m.limits.SocketsPerAddress:
		return ErrAddressSockets
	case m.socketTotal >= m.limits.Sockets:
		return ErrSockets
	}
	m.sockets[addr]++
	m.socketTotal++
	m.viewers.Add(1)
	return nil
}

// exit counts a viewer from addr out.
func (m *Manager) exit(addr string) {
	m.mu.Lock()
	if m.sockets[addr]--; m.sockets[addr] <= 0 {
		delete(m.sockets, addr)
	}
	m.socketTotal--
	m.mu.Unlock()
	m.viewers.Done()
}

// ownerBucket is the command budget of learner owner, shared by all the
// sockets of all their labs.
func (m *Manager) ownerBucket(owner string) *tokenBucket {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.owners[owner]
	if !ok {
		b = &tokenBucket{}
		m.owners[owner] = b
	}
	return b
}

// Close stops every lab and tells every viewer CloseGoingAway, then waits up
// to closeWait for the viewers to leave, which they do once they have said
// goodbye.
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
	case <-time.After(closeWait):
		m.log.Warn("labs: viewers still connected after shutting down", "waited", closeWait)
	}
}
