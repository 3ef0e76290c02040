package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"microlab/simulator"
	"microlab/web/views"
)

// Live labs: each simulation runs in one goroutine that owns its
// *simulator.Sim, paces it against the wall clock, carries out its owner's
// commands and sends every viewer a frame ten times a second. Viewers hang
// off it through bounded queues, so a slow one loses frames and never
// holds up the simulation or anyone else.

// Bounds of a lab; PROTOCOL.md documents the ones a client sees.
const (
	labTick         = 100 * time.Millisecond // one frame per tick
	labMinSpeed     = 0.25
	labMaxSpeed     = 20
	labMaxStepMS    = 10_000 // a single step, in virtual ms
	labMaxFFSeconds = 600    // one fast-forward, in virtual seconds
	labMaxSeed      = 1<<53 - 1
	// A tick may spend this much wall time simulating; past it the
	// simulation falls behind its speed rather than starve the server.
	labTickBudget = 40 * time.Millisecond
	labFFBudget   = 70 * time.Millisecond
	labSlice      = 100 * time.Millisecond // virtual time simulated between budget checks

	labFrameEvents    = 50   // events in one frame at most
	labSnapshotEvents = 100  // events a joining viewer gets
	labKeyEvents      = 20   // events a key frame repeats
	labSagas          = 6    // saga timelines sent
	labTraces         = 12   // sampled traces listed
	labHistory        = 60   // seconds of chart history a joining viewer gets
	labMaxViewers     = 1000 // sockets on one lab
	labQueue          = 8    // frames queued per viewer before it loses some
	labCtlQueue       = 32   // replies queued per viewer
)

// labLimits are the bounds from Config, with their defaults filled in.
type labLimits struct {
	perLearner int
	total      int
	idle       time.Duration
}

// labManager holds every running lab.
type labManager struct {
	limits labLimits
	log    *slog.Logger

	mu     sync.Mutex
	labs   map[string]*labSim
	closed bool

	running sync.WaitGroup // lab goroutines
	sockets sync.WaitGroup // websocket connections
}

func newLabManager(cfg Config, log *slog.Logger) *labManager {
	l := labLimits{perLearner: cfg.LabsPerLearner, total: cfg.LabsTotal, idle: cfg.LabIdle}
	if l.perLearner <= 0 {
		l.perLearner = 3
	}
	if l.total <= 0 {
		l.total = 200
	}
	if l.idle <= 0 {
		l.idle = 10 * time.Minute
	}
	return &labManager{limits: l, log: log, labs: map[string]*labSim{}}
}

// start creates a lab owned by owner: a scenario, or free play when sc is
// nil. It refuses with a clear message past either bound.
func (m *labManager) start(owner string, sc *simulator.Scenario) (*labSim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errorf(http.StatusServiceUnavailable, "The server is shutting down, so it starts no new labs. Try again in a minute.")
	}
	var owned []*labSim
	for _, l := range m.labs {
		if l.owner == owner {
			owned = append(owned, l)
		}
	}
	slices.SortFunc(owned, func(a, b *labSim) int { return a.created.Compare(b.created) })
	var mine []views.Link
	for _, l := range owned {
		mine = append(mine, views.Link{Title: l.title + " (started " + l.created.Format("15:04") + ")", URL: "/lab/s/" + l.id})
	}
	if len(mine) >= m.limits.perLearner {
		return nil, &Error{Status: http.StatusTooManyRequests, Hints: mine, Message: fmt.Sprintf(
			"You already have %d labs running, the most one person may run at once. Open one of them below and end it, or wait: a lab nobody watches stops after %s.",
			len(mine), humanDuration(m.limits.idle))}
	}
	if len(m.labs) >= m.limits.total {
		return nil, errorf(http.StatusServiceUnavailable,
			"All %d lab places on this server are taken. Labs nobody watches stop after %s, so try again in a few minutes.",
			m.limits.total, humanDuration(m.limits.idle))
	}
	seed := uint64(1) // the seed of the recorded run, so the verdicts match it
	if sc == nil {
		seed = 1 + mrand.Uint64N(999_999)
	}
	l, err := newLabSim(m, owner, sc, seed)
	if err != nil {
		return nil, err
	}
	m.labs[l.id] = l
	m.running.Add(1)
	go l.run()
	m.log.Info("lab started", "lab", l.id, "scenario", l.slug(), "labs", len(m.labs))
	return l, nil
}

// get returns the running lab with this id, or nil.
func (m *labManager) get(id string) *labSim {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.labs[id]
}

func (m *labManager) remove(l *labSim) {
	m.mu.Lock()
	delete(m.labs, l.id)
	n := len(m.labs)
	m.mu.Unlock()
	m.log.Info("lab stopped", "lab", l.id, "labs", n)
}

// enter counts a new socket in, unless the manager is closing; Close
// waits for the sockets it counted.
func (m *labManager) enter() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.sockets.Add(1)
	return true
}

// count is how many labs run now.
func (m *labManager) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.labs)
}

// Close stops every lab and closes every lab socket with 1001 (going
// away), waiting up to a few seconds for the goodbyes to be written.
func (m *labManager) Close() {
	m.mu.Lock()
	m.closed = true
	labs := make([]*labSim, 0, len(m.labs))
	for _, l := range m.labs {
		labs = append(labs, l)
	}
	m.mu.Unlock()
	for _, l := range labs {
		l.end(websocket.CloseGoingAway, "The server is shutting down.")
	}
	done := make(chan struct{})
	go func() {
		m.running.Wait()
		m.sockets.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		m.log.Warn("labs: sockets still open after 5 s of shutting down")
	}
}

// labStop says why a lab ended, as the close frame its viewers get.
type labStop struct {
	code   int
	reason string
}

// labSim is one running simulation.
type labSim struct {
	id      string
	owner   string
	sc      *simulator.Scenario // nil in free play
	title   string
	created time.Time
	m       *labManager

	sockets atomic.Int32 // open sockets, bounded by labMaxViewers

	reqs   chan labRequest
	joins  chan *labViewer
	leaves chan *labViewer
	stop   chan labStop // the first stop wins
	done   chan struct{}

	// Everything below belongs to the lab's goroutine.
	sim       *simulator.Sim
	script    *labScript
	seed      uint64
	epoch     int
	state     string // waiting (for the prediction), running or paused
	speed     float64
	ffUntil   time.Duration // a fast-forward's target, 0 when none
	eff       float64
	viewers   map[*labViewer]struct{}
	idleSince time.Time
	lastTick  time.Time
	fr        frameState
}

func newLabSim(m *labManager, owner string, sc *simulator.Scenario, seed uint64) (*labSim, error) {
	l := &labSim{
		id: randomToken(16), owner: owner, sc: sc, title: "Free play", created: time.Now(), m: m,
		reqs: make(chan labRequest, 16), joins: make(chan *labViewer), leaves: make(chan *labViewer),
		stop: make(chan labStop, 1), done: make(chan struct{}),
		speed: 1, viewers: map[*labViewer]struct{}{},
	}
	l.state = "running"
	if sc != nil {
		l.title = sc.Title
		l.script = newLabScript(sc)
		l.state = "waiting"
	}
	if err := l.reset(seed); err != nil {
		return nil, err
	}
	l.fr.keys = schemaFor(l.script)
	return l, nil
}

func (l *labSim) slug() string {
	if l.sc == nil {
		return "free-play"
	}
	return l.sc.Slug
}

// end asks the lab to stop; the first reason given is the one viewers see.
func (l *labSim) end(code int, reason string) {
	select {
	case l.stop <- labStop{code, reason}:
	default:
	}
}

// reset starts the simulation over at virtual time zero with seed.
func (l *labSim) reset(seed uint64) error {
	cfg := simulator.DefaultConfig()
	cfg.Seed = seed
	sim, err := simulator.New(cfg)
	if err != nil {
		return err
	}
	l.sim, l.seed, l.ffUntil = sim, seed, 0
	l.epoch++
	if l.script != nil {
		l.script.attach(sim)
	}
	l.fr.resetHistory()
	l.fr.evSeq = 0
	return nil
}

// run is the lab's goroutine.
func (l *labSim) run() {
	defer l.m.running.Done()
	defer close(l.done)
	t := time.NewTicker(labTick)
	defer t.Stop()
	l.idleSince, l.lastTick = time.Now(), time.Now()
	var why labStop
loop:
	for {
		select {
		case now := <-t.C:
			if len(l.viewers) == 0 && now.Sub(l.idleSince) >= l.m.limits.idle {
				why = labStop{websocket.CloseNormalClosure, "This lab stopped: nobody watched it for " + humanDuration(l.m.limits.idle) + "."}
				break loop
			}
			l.tick(now)
		case req := <-l.reqs:
			req.reply <- l.handle(req)
		case v := <-l.joins:
			l.join(v)
		case v := <-l.leaves:
			if _, ok := l.viewers[v]; ok {
				delete(l.viewers, v)
				if len(l.viewers) == 0 {
					l.idleSince = time.Now()
				}
			}
		case why = <-l.stop:
			break loop
		}
	}
	l.m.remove(l)
	for v := range l.viewers {
		v.shut(why.code, why.reason)
	}
}

// tick advances the simulation by the wall time since the last tick times
// the speed, and sends the frame. Nobody watching, nothing moves: a lab
// left alone waits where it is for its viewers to come back.
func (l *labSim) tick(now time.Time) {
	dt := now.Sub(l.lastTick)
	l.lastTick = now
	if dt > time.Second {
		dt = time.Second
	}
	if len(l.viewers) == 0 {
		return
	}
	before := l.sim.Now()
	switch {
	case l.ffUntil > 0:
		l.advance(l.ffUntil, labFFBudget)
		if l.sim.Now() >= l.ffUntil {
			l.ffUntil = 0
		}
	case l.state == "running":
		l.advance(l.sim.Now()+time.Duration(float64(dt)*l.speed), labTickBudget)
	}
	if dt > 0 {
		l.eff = 0.8*l.eff + 0.2*float64(l.sim.Now()-before)/float64(dt)
	}
	l.broadcast(now)
}

// advance simulates up to target, in slices, until the wall-time budget is
// spent. A scenario stops at its end, and pauses there.
func (l *labSim) advance(target time.Duration, budget time.Duration) {
	sc := l.script
	if sc != nil && !sc.ended && target > l.sc.Duration {
		target = l.sc.Duration
	}
	start := time.Now()
	for l.sim.Now() < target {
		next := min(target, l.sim.Now()+labSlice)
		if sc == nil {
			l.sim.RunUntil(next)
		} else {
			wasEnded := sc.ended
			sc.runUntil(l.sim, next)
			if !wasEnded && sc.ended {
				l.state, l.ffUntil = "paused", 0
				return
			}
		}
		if time.Since(start) > budget {
			return
		}
	}
}

func (l *labSim) runView() runView {
	rv := runView{state: l.state, speed: l.speed, eff: l.eff, viewers: len(l.viewers), seed: l.seed, epoch: l.epoch, script: l.script}
	if l.ffUntil > 0 {
		rv.state = "fast-forward"
		rv.ffUntil = float64(l.ffUntil / time.Millisecond)
	}
	if l.state != "running" && l.ffUntil == 0 {
		rv.eff = 0
	}
	return rv
}

// labRequest is one message from a viewer that the lab's goroutine must
// handle: a command, or a question such as a trace.
type labRequest struct {
	msg   labMsg
	reply chan []byte
}

// handle carries out one request and returns the encoded reply.
func (l *labSim) handle(req labRequest) []byte {
	m := &req.msg
	fail := func(code, format string, args ...any) []byte {
		return replyError(m.id, code, fmt.Sprintf(format, args...))
	}
	ok := func(message string) []byte { return replyAck(m.id, m.Type, message, l.sim.Now()) }
	switch m.Type {
	case "trace":
		for _, tr := range l.sim.Traces() {
			if tr.ID == m.Trace {
				b, _ := json.Marshal(struct {
					Type  string          `json:"type"`
					ID    json.RawMessage `json:"id,omitempty"`
					Trace simulator.Trace `json:"trace"`
				}{"trace", m.id, tr})
				return b
			}
		}
		return fail("not-found", "Trace %d is no longer kept: only the last 32 sampled requests are.", m.Trace)
	case "predict":
		if l.script == nil {
			return fail("invalid", "There is no prediction to make in free play.")
		}
		if m.Option < 0 || m.Option >= len(l.sc.Question.Options) {
			return fail("invalid", "option %d out of range 0..%d", m.Option, len(l.sc.Question.Options)-1)
		}
		if l.script.prediction >= 0 {
			return fail("invalid", "The prediction is already made; reset keeps it.")
		}
		l.script.prediction = m.Option
		if l.state == "waiting" {
			l.state = "running"
		}
		return ok(fmt.Sprintf("prediction %c recorded; the run starts", 'A'+m.Option))
	case "speed":
		if !(m.Value >= labMinSpeed && m.Value <= labMaxSpeed) {
			return fail("invalid", "speed %g out of range %g..%g", m.Value, labMinSpeed, float64(labMaxSpeed))
		}
		l.speed = m.Value
		return ok(fmt.Sprintf("speed %g×", m.Value))
	case "pause":
		if l.state == "waiting" {
			return fail("waiting", "The run has not started: answer the prediction first.")
		}
		l.state, l.ffUntil = "paused", 0
		return ok("paused")
	case "resume":
		if l.state == "waiting" {
			return fail("waiting", "Answer the prediction question first; the run starts when you do.")
		}
		l.state = "running"
		return ok("running")
	case "step":
		if l.state == "waiting" {
			return fail("waiting", "Answer the prediction question first.")
		}
		if l.state == "running" || l.ffUntil > 0 {
			return fail("invalid", "Pause the simulation before stepping it.")
		}
		ms := m.MS
		if ms == 0 {
			ms = 100
		}
		if ms < 1 || ms > labMaxStepMS {
			return fail("invalid", "ms %d out of range 1..%d", ms, labMaxStepMS)
		}
		l.advance(l.sim.Now()+time.Duration(ms)*time.Millisecond, labFFBudget)
		return ok(fmt.Sprintf("stepped to %.1f s", l.sim.Now().Seconds()))
	case "fast-forward":
		if l.state == "waiting" {
			return fail("waiting", "Answer the prediction question first.")
		}
		if !(m.Seconds >= 1 && m.Seconds <= labMaxFFSeconds) {
			return fail("invalid", "seconds %g out of range 1..%d", m.Seconds, labMaxFFSeconds)
		}
		l.ffUntil = l.sim.Now() + time.Duration(m.Seconds*float64(time.Second))
		return ok(fmt.Sprintf("fast-forwarding %g s", m.Seconds))
	case "reset":
		seed := l.seed
		switch {
		case m.NewSeed:
			seed = 1 + mrand.Uint64N(999_999)
		case m.Seed != nil:
			seed = *m.Seed
		}
		if err := l.reset(seed); err != nil {
			return fail("invalid", "%v", err)
		}
		if l.state != "waiting" {
			l.state = "paused"
		}
		return ok(fmt.Sprintf("reset to 0 s with seed %d", seed))
	}
	// A simulator command, applied now (also while waiting for the
	// prediction: setting up before the run is fine).
	before := l.sim.EventSeq()
	if err := l.sim.Apply(l.sim.Now(), m.cmd); err != nil {
		return fail("invalid", "%v", err)
	}
	msg := m.Type
	if evs := l.sim.Events(before); len(evs) > 0 {
		msg = evs[len(evs)-1].Message
	}
	return ok(msg)
}

// join adds a viewer and sends it the state as it is now. The frames the
// others get carry changes against the last frame, not against now, so the
// newcomer's next frame is a key frame, and deltas follow from there.
func (l *labSim) join(v *labViewer) {
	l.viewers[v] = struct{}{}
	snap := l.sim.Snapshot()
	var slots instSlots
	fillInstSlots(&slots, &snap)
	w := vecWriter{vals: make([]labVal, 0, len(l.fr.keys))}
	rv := l.runView()
	fillVec(&w, &snap, &rv, &slots)
	v.out <- l.snapshotMessage(&snap, w.vals)
	v.needKey = true
}

// labViewer is one websocket on a lab.
type labViewer struct {
	conn  *websocket.Conn
	owner bool
	out   chan *websocket.PreparedMessage // frames, from the lab's goroutine
	ctl   chan []byte                     // replies, from the socket's reader
	gone  chan struct{}                   // closed when the lab ends
	code  int                             // the close code, set before gone is closed
	text  string
	// Owned by the lab's goroutine.
	needKey bool
	drops   uint64
}

func newLabViewer(conn *websocket.Conn, owner bool) *labViewer {
	return &labViewer{conn: conn, owner: owner, out: make(chan *websocket.PreparedMessage, labQueue),
		ctl: make(chan []byte, labCtlQueue), gone: make(chan struct{})}
}

func (v *labViewer) shut(code int, text string) {
	v.code, v.text = code, text
	close(v.gone)
}

// replyAck and replyError encode the answers to a viewer's message.
func replyAck(id json.RawMessage, typ, message string, at time.Duration) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"type":"ack"`...)
	if id != nil {
		b = append(b, `,"id":`...)
		b = append(b, id...)
	}
	b = append(b, `,"command":`...)
	b = appendJSONString(b, typ)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, message)
	b = append(b, `,"at":`...)
	b = appendNum(b, math.Round(float64(at)/float64(time.Millisecond)*10)/10)
	return append(b, '}')
}

func replyError(id json.RawMessage, code, message string) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"type":"error"`...)
	if id != nil {
		b = append(b, `,"id":`...)
		b = append(b, id...)
	}
	b = append(b, `,"code":`...)
	b = appendJSONString(b, code)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, message)
	return append(b, '}')
}
