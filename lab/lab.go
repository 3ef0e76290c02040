package lab

import (
	"crypto/rand"
	"encoding/base64"
	"sync/atomic"
	"time"

	"microlab/internal/humanize"
	"microlab/simulator"
)

// Bounds of a lab; PROTOCOL.md documents the ones a client sees.
const (
	tick         = 100 * time.Millisecond // one frame per tick
	minSpeed     = 0.25
	maxSpeed     = 20
	maxStepMS    = 10_000 // a single step, in virtual ms
	maxFFSeconds = 600    // one fast-forward, in virtual seconds
	maxSeed      = 1<<53 - 1
	// A tick may spend this much wall time simulating, less when many labs
	// share the CPU budget (budget.go); past it the simulation falls behind
	// its speed rather than starve the server.
	tickBudget = 40 * time.Millisecond
	ffBudget   = 70 * time.Millisecond
	slice      = 100 * time.Millisecond // virtual time simulated between budget checks

	// maxScriptEvents bounds the events a scenario keeps for its checks; a
	// scenario run produces a few hundred.
	maxScriptEvents = 50000
)

// Run states, as the vector's run.state says them.
const (
	stateWaiting = "waiting" // for the prediction
	stateRunning = "running"
	statePaused  = "paused"
	stateAsking  = "asking" // held at a stage's question until the owner answers
)

// Info describes a lab.
type Info struct {
	// ID is the lab's unguessable id, 128 random bits.
	ID string
	// Owner is the learner who started it and alone controls it.
	Owner string
	// Title is the scenario's title, or "Free play".
	Title string
	// Scenario is nil in free play.
	Scenario *simulator.Scenario
	// Created is when the lab started.
	Created time.Time
}

// Slug names the lab's kind: the scenario's slug, or "free-play".
func (i Info) Slug() string {
	if i.Scenario == nil {
		return "free-play"
	}
	return i.Scenario.Slug
}

// stop says why a lab ended, as the close code and reason its viewers get.
type stop struct {
	code   int
	reason string
}

// Lab is one running simulation.
type Lab struct {
	id      string
	owner   string
	sc      *simulator.Scenario // nil in free play
	title   string
	created time.Time
	m       *Manager

	addr        string       // the client address that started it
	viewerCount atomic.Int32 // joined viewers, bounded by MaxViewers
	viewerSeq   atomic.Int64 // numbers the viewers as they join

	reqs   chan request
	joins  chan *Viewer
	leaves chan *Viewer
	stops  chan stop // the first stop wins
	done   chan struct{}

	// Everything below belongs to the lab's goroutine.
	sim        *simulator.Sim
	script     *simulator.Script // nil in free play
	seed       uint64
	epoch      int
	state      string
	speed      float64
	ffUntil    time.Duration // a fast-forward's target, 0 when none
	eff        float64
	prediction int // the option the owner chose, -1 until then
	// predicted is prediction >= 0, readable from any goroutine.
	predicted atomic.Bool
	// answers are the owner's answers to the stages' questions (-1: none),
	// kept across a reset; answered has bit i set once stage i is answered,
	// readable from any goroutine.
	answers    []int
	answered   atomic.Uint64
	viewers    map[*Viewer]struct{}
	lastTick   time.Time
	simulating bool // counted in the manager's CPU budget
	fr         frameState
	// rc is the run's record (record.go); runID its id, readable from any
	// goroutine.
	rc    recording
	runID atomic.Pointer[string]
	// A replay lab plays source back through replay, and cannot be
	// changed; lastSeek bounds how often it re-simulates.
	source      *simulator.Record
	replay      *simulator.Replayer
	lastSeek    time.Time
	pendingSeek *time.Duration // a seek that came too soon, done at a later tick
	class       classState     // class.go
}

// Predicted reports whether the owner has locked in the prediction (always
// false in free play). Until then nothing may tell what the run will show.
func (l *Lab) Predicted() bool { return l.predicted.Load() }

// Answered reports whether the owner has answered stage i's question. Until
// then nothing may explain its options.
func (l *Lab) Answered(i int) bool { return i >= 0 && i < 64 && l.answered.Load()&(1<<i) != 0 }

func newLab(m *Manager, owner string, sc *simulator.Scenario, seed uint64) (*Lab, error) {
	return newLabFrom(m, owner, sc, seed, nil)
}

// newLabFrom makes a lab that replays source, or a live one when source
// is nil.
func newLabFrom(m *Manager, owner string, sc *simulator.Scenario, seed uint64, source *simulator.Record) (*Lab, error) {
	l := &Lab{source: source,
		id: newID(), owner: owner, sc: sc, title: "Free play", created: time.Now(), m: m,
		reqs: make(chan request, 16), joins: make(chan *Viewer), leaves: make(chan *Viewer),
		stops: make(chan stop, 1), done: make(chan struct{}),
		state: stateRunning, speed: 1, prediction: -1, viewers: map[*Viewer]struct{}{},
	}
	if sc != nil {
		l.title, l.state = sc.Title, stateWaiting
		l.answers = make([]int, len(sc.Stages))
		for i := range l.answers {
			l.answers[i] = -1
		}
	}
	if err := l.reset(seed); err != nil {
		return nil, err
	}
	l.fr.shape = newShape(&m.topo, sc)
	l.fr.keys = m.schemaFor(l.fr.shape)
	return l, nil
}

// newID is 128 random bits, URL-safe base64 without padding.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Info describes the lab.
func (l *Lab) Info() Info {
	return Info{ID: l.id, Owner: l.owner, Title: l.title, Scenario: l.sc, Created: l.created}
}

// End asks the lab to stop; the first reason given is the one viewers see.
// It returns at once: Done is closed once the lab has stopped.
func (l *Lab) End(code int, reason string) {
	select {
	case l.stops <- stop{code, reason}:
	default:
	}
}

// Done is closed when the lab has stopped.
func (l *Lab) Done() <-chan struct{} { return l.done }

// reset starts the simulation over at virtual time zero with seed; the
// prediction is kept.
func (l *Lab) reset(seed uint64) error {
	if l.source != nil {
		p, err := simulator.NewReplayer(l.source)
		if err != nil {
			return err
		}
		l.replay, l.sim, l.script, l.ffUntil = p, p.Sim(), p.Script(), 0
		l.epoch++
		l.fr.resetHistory()
		l.fr.evSeq = 0
		return nil
	}
	if l.rc.id != "" {
		l.save(true) // the run so far stays recorded; the reset starts another
	}
	cfg := simulator.DefaultConfig()
	cfg.Seed = seed
	sim, err := simulator.New(cfg)
	if err != nil {
		return err
	}
	l.sim, l.seed, l.ffUntil = sim, seed, 0
	l.epoch++
	if l.sc != nil {
		l.script = simulator.NewScript(l.sc, sim, 0)
		l.script.LimitEvents(maxScriptEvents)
		l.script.HoldAtQuestions()
		for i, a := range l.answers {
			if a >= 0 {
				l.script.Answer(i, a) // answered once: the learner has seen why
			}
		}
	}
	l.fr.resetHistory()
	l.fr.evSeq = 0
	l.startRecording()
	return nil
}

// run is the lab's goroutine. Its clock ticks only while someone watches:
// a lab nobody watches costs nothing until a viewer comes back, and stops
// after Idle. Watched or not, it stops after Life, so a client that joins
// and leaves now and then cannot keep a place for ever.
func (l *Lab) run() {
	defer l.m.running.Done()
	defer close(l.done)
	lim := l.m.limits
	ticks := time.NewTicker(tick)
	ticks.Stop()
	idle, life := time.NewTimer(lim.Idle), time.NewTimer(lim.Life)
	defer func() {
		ticks.Stop()
		idle.Stop()
		life.Stop()
		l.simulating = l.m.budget.setActive(l.simulating, false)
	}()
	var why stop
loop:
	for {
		select {
		case now := <-ticks.C:
			l.tick(now)
		case <-idle.C:
			why = stop{CloseNormal, "This lab stopped: nobody watched it for " + humanize.Duration(lim.Idle) + "."}
			break loop
		case <-life.C:
			why = stop{CloseNormal, "This lab stopped: it ran for " + humanize.Duration(lim.Life) + ", the most one lab may. Start a new one."}
			break loop
		case req := <-l.reqs:
			req.reply <- l.handle(req.msg)
		case v := <-l.joins:
			l.join(v)
			if len(l.viewers) == 1 {
				idle.Stop()
				l.lastTick = time.Now()
				ticks.Reset(tick)
			}
		case v := <-l.leaves:
			if _, ok := l.viewers[v]; ok {
				delete(l.viewers, v)
				l.leaveClass(v)
				if len(l.viewers) == 0 && l.replay != nil {
					why = stop{CloseNormal, "The replay ended: its viewer left."}
					break loop
				}
				if len(l.viewers) == 0 {
					ticks.Stop()
					idle.Reset(lim.Idle)
					l.save(true)
				}
			}
		case why = <-l.stops:
			break loop
		}
		l.simulating = l.m.budget.setActive(l.simulating, len(l.viewers) > 0 && (l.state == stateRunning || l.ffUntil > 0))
	}
	l.save(true)
	l.m.remove(l)
	for v := range l.viewers {
		v.shut(why.code, why.reason)
	}
}

// tick advances the simulation by the wall time since the last tick times
// the speed, and sends the frame. Nobody watching, nothing moves: a lab
// left alone waits where it is for its viewers to come back.
func (l *Lab) tick(now time.Time) {
	dt := now.Sub(l.lastTick)
	l.lastTick = now
	if dt > time.Second {
		dt = time.Second
	}
	if len(l.viewers) == 0 {
		return
	}
	if l.replay != nil {
		l.seekDue()
	}
	before := l.sim.Now()
	switch {
	case l.ffUntil > 0:
		l.advance(l.ffUntil, l.m.budget.share(ffBudget))
		if l.sim.Now() >= l.ffUntil {
			l.ffUntil = 0
		}
	case l.state == stateRunning:
		l.advance(l.sim.Now()+time.Duration(float64(dt)*l.speed), l.m.budget.share(tickBudget))
	}
	if dt > 0 {
		l.eff = 0.8*l.eff + 0.2*float64(l.sim.Now()-before)/float64(dt)
	}
	l.broadcast()
	l.sendClass()
	l.save(false)
}

// advance simulates up to target, in slices, until the wall-time budget is
// spent. A scenario stops at its end, and pauses there.
func (l *Lab) advance(target time.Duration, budget time.Duration) {
	if l.replay != nil {
		l.advanceReplay(target, budget)
		return
	}
	sc := l.script
	if sc != nil && !sc.Ended() && target > sc.Duration() {
		target = sc.Duration()
	}
	start := time.Now()
	for l.sim.Now() < target {
		next := min(target, l.sim.Now()+slice)
		if sc == nil {
			l.sim.RunUntil(next)
		} else {
			wasEnded := sc.Ended()
			sc.RunUntil(next)
			if sc.Asking() >= 0 {
				l.state, l.ffUntil = stateAsking, 0
				return
			}
			if !wasEnded && sc.Ended() {
				l.state, l.ffUntil = statePaused, 0
				return
			}
		}
		if time.Since(start) > budget {
			return
		}
	}
}

// runView is the lab's own state for the vector.
func (l *Lab) runView() runView {
	rv := runView{state: l.state, speed: l.speed, eff: l.eff, viewers: len(l.viewers), seed: l.seed, epoch: l.epoch,
		prediction: l.prediction}
	if l.ffUntil > 0 {
		rv.state = "fast-forward"
		rv.ffUntil = float64(l.ffUntil / time.Millisecond)
	}
	if l.state != stateRunning && l.ffUntil == 0 {
		rv.eff = 0
	}
	if l.script != nil {
		rv.ended, rv.steps, rv.verdicts = l.script.Ended(), l.script.Steps(), l.script.Verdicts()
		rv.stage, rv.asking, rv.answers = l.script.Stage(), l.script.Asking(), l.answers
	}
	return rv
}

// join adds a viewer and sends it the state as it is now. The frames the
// others get carry changes against the last frame, not against now, so the
// newcomer's next frame is a key frame, and deltas follow from there.
func (l *Lab) join(v *Viewer) {
	l.viewers[v] = struct{}{}
	snap := l.sim.Snapshot()
	rv := l.runView()
	src := source{shape: l.fr.shape, run: &rv}
	src.setSnapshot(&snap)
	vals := fillVector(&src, make([]val, 0, len(l.fr.keys)))
	v.out <- l.snapshotMessage(&snap, vals)
	v.needKey = true
	if l.class.on {
		l.class.dirty = true // the newcomer learns of the class, the owner of the newcomer
	}
}
