package simulator

import (
	"fmt"
	"sort"
	"time"
)

// Script plays a scenario on a simulation: it applies the timeline's commands
// and decides the checks as virtual time reaches them. At each virtual time
// the scripted commands come first, then the checks, each in list order, so
// however the time is sliced — one RunUntil to the end, as the headless
// runner does, or a hundred-millisecond slice per frame, as a live lab does —
// the same seed gives the same verdicts. Commands applied from outside (a
// learner's, in a lab) come on top and may change the outcome: that is the
// point of a lab.
//
// A Script belongs to the goroutine that owns its Sim.
type Script struct {
	sc       *Scenario
	sim      *Sim
	d        time.Duration
	run      Run
	items    []scriptItem
	next     int
	steps    []StepState
	verdicts []Verdict
	// maxEvents bounds the events kept for the checks; 0 keeps all.
	maxEvents int
	ended     bool
	// hold makes the script wait at each question stage until it is
	// answered; answers holds each stage's answer, -1 when none.
	hold    bool
	answers []int
	asking  int // the stage held at, or -1
}

// scriptItem is one timeline step or one check, at the time it falls due.
type scriptItem struct {
	at    time.Duration
	order int // commands, then checks, then questions at the same time, each in list order
	step  int // index into the timeline, or -1
	check int // index into the checks, or -1
	stage int // index of a stage that asks, or -1
}

// StepState is what became of one timeline step.
type StepState struct {
	// Done is set once the step fell due and was applied.
	Done bool
	// Err is why the simulation refused the step when it fell due (the
	// learner may have done the same thing first); empty otherwise.
	Err string
}

// NewScript starts sc on sim, which should be at virtual time zero, for d of
// virtual time (0 means sc.Duration). Steps after d are left out, and a check
// due after d is decided at d as not reached. The script records sim's
// events for its checks from now on (see Sim.OnEvent).
func NewScript(sc *Scenario, sim *Sim, d time.Duration) *Script {
	if d <= 0 {
		d = sc.Duration
	}
	s := &Script{sc: sc, sim: sim, d: d, run: Run{Sim: sim, Notes: map[string]float64{}}}
	for i, st := range sc.Timeline {
		if st.At <= d {
			s.items = append(s.items, scriptItem{at: st.At, order: i, step: i, check: -1, stage: -1})
		}
	}
	for i, c := range sc.Checks {
		at := c.At
		if at == 0 || at > d {
			at = d
		}
		s.items = append(s.items, scriptItem{at: at, order: len(sc.Timeline) + i, step: -1, check: i, stage: -1})
	}
	s.answers, s.asking = make([]int, len(sc.Stages)), -1
	for i, st := range sc.Stages {
		s.answers[i] = -1
		if st.Asks() && st.At <= d {
			s.items = append(s.items, scriptItem{at: st.At, order: len(sc.Timeline) + len(sc.Checks) + i, step: -1, check: -1, stage: i})
		}
	}
	sort.SliceStable(s.items, func(a, b int) bool {
		if s.items[a].at != s.items[b].at {
			return s.items[a].at < s.items[b].at
		}
		return s.items[a].order < s.items[b].order
	})
	s.steps = make([]StepState, len(sc.Timeline))
	s.verdicts = make([]Verdict, len(sc.Checks))
	for i, c := range sc.Checks {
		s.verdicts[i].Name, s.verdicts[i].Yours = c.Name, c.Yours
	}
	sim.OnEvent(s.record)
	return s
}

// LimitEvents bounds the events the script keeps for its checks to n (0: no
// bound). A live lab that runs on after its script ends must not keep every
// event for ever; a scenario's own run produces a few hundred.
func (s *Script) LimitEvents(n int) { s.maxEvents = n }

func (s *Script) record(e Event) {
	if s.maxEvents == 0 || len(s.run.Events) < s.maxEvents {
		s.run.Events = append(s.run.Events, e)
	}
}

// Duration is how long the script runs.
func (s *Script) Duration() time.Duration { return s.d }

// Scenario is the scenario the script plays.
func (s *Script) Scenario() *Scenario { return s.sc }

// RunUntil advances the simulation to t, applying the steps and deciding the
// checks that fall due on the way. Once every item is done and the time has
// reached the script's duration, the script has ended and stops recording
// events; the simulation may go on.
//
// A script told to HoldAtQuestions stops short of t at a stage that asks a
// question nobody has answered: Asking then names the stage, and RunUntil
// goes no further until Answer is called for it.
func (s *Script) RunUntil(t time.Duration) {
	for s.next < len(s.items) && s.items[s.next].at <= t {
		it := s.items[s.next]
		s.sim.RunUntil(it.at)
		switch {
		case it.stage >= 0:
			if s.hold && s.answers[it.stage] < 0 {
				s.asking = it.stage
				return
			}
			s.asking = -1
		case it.step >= 0:
			s.apply(it.step)
		default:
			s.verdicts[it.check] = s.decide(&s.sc.Checks[it.check])
		}
		s.next++
	}
	s.sim.RunUntil(t)
	if !s.ended && s.next == len(s.items) && s.sim.Now() >= s.d {
		s.ended = true
		s.sim.OnEvent(nil)
	}
}

// apply carries out timeline step i. A refusal is kept as the step's state
// and, for the checks and the record, as a command-error event.
func (s *Script) apply(i int) {
	c := s.sc.Timeline[i].Command
	if err := s.sim.Apply(s.sim.Now(), c); err != nil {
		s.steps[i] = StepState{Done: true, Err: err.Error()}
		s.run.Events = append(s.run.Events, Event{AtMS: ms(s.sim.Now()), Kind: "command-error", Subject: c.Type, Message: err.Error()})
		return
	}
	s.steps[i] = StepState{Done: true}
}

// decide evaluates a check. The checks were written for the scripted run;
// should one trip over a state a learner made, it fails with a reason
// rather than take the caller down.
func (s *Script) decide(c *Check) (v Verdict) {
	v = Verdict{Name: c.Name, AtMS: ms(s.sim.Now()), Yours: c.Yours, Decided: true}
	if c.At > s.d {
		v.Detail = fmt.Sprintf("not reached: the check is at %v, the run ended at %v", c.At, s.d)
		return v
	}
	defer func() {
		if r := recover(); r != nil {
			v.Pass, v.Detail = false, fmt.Sprintf("could not be decided in this state (%v)", r)
		}
	}()
	v.Pass, v.Detail = c.Eval(&s.run)
	return v
}

// HoldAtQuestions makes the script wait at every stage that asks a question
// until it is answered, as a live lab plays. RunScenario, played by no one,
// goes straight through.
func (s *Script) HoldAtQuestions() { s.hold = true }

// Asking returns the stage whose question the script waits at, or -1.
func (s *Script) Asking() int { return s.asking }

// Stage returns the stage the run is in: the last one that has begun, or -1
// for a scenario without stages.
func (s *Script) Stage() int {
	cur := -1
	for i, st := range s.sc.Stages {
		if st.At <= s.sim.Now() {
			cur = i
		}
	}
	return cur
}

// Answer records option as the answer to stage i's question, before the
// stage or while the script waits at it; the next RunUntil goes on.
// Answers do not change the simulation: a guided run and a straight one
// with the same seed and commands are the same run.
func (s *Script) Answer(i, option int) error {
	if i < 0 || i >= len(s.sc.Stages) || !s.sc.Stages[i].Asks() {
		return fmt.Errorf("stage %d asks no question", i)
	}
	if n := len(s.sc.Stages[i].Question.Options); option < 0 || option >= n {
		return fmt.Errorf("option %d out of range 0..%d", option, n-1)
	}
	if s.answers[i] >= 0 {
		return fmt.Errorf("stage %d is already answered", i)
	}
	s.answers[i] = option
	if s.asking == i {
		s.asking = -1
	}
	return nil
}

// Answers returns each stage's answer, -1 where none is given. The slice is
// the script's own: read it, don't keep it past the next call.
func (s *Script) Answers() []int { return s.answers }

// Steps returns each timeline step's state, in timeline order. The slice is
// the script's own: read it, don't keep it past the next RunUntil.
func (s *Script) Steps() []StepState { return s.steps }

// Verdicts returns each check's verdict so far, in the scenario's order. The
// slice is the script's own: read it, don't keep it past the next RunUntil.
func (s *Script) Verdicts() []Verdict { return s.verdicts }

// Ended reports whether every step and check is done and the run has reached
// the script's duration.
func (s *Script) Ended() bool { return s.ended }

// Result is the run so far: the verdicts, the key figures, the snapshot now
// and every event recorded. After the end it is the scenario's outcome.
func (s *Script) Result() Result {
	res := Result{Scenario: s.sc.Slug, Seed: s.sim.cfg.Seed, DurationMS: ms(s.d), Pass: true}
	res.Checks = append([]Verdict(nil), s.verdicts...)
	for _, v := range res.Checks {
		res.Pass = res.Pass && (v.Pass || v.Yours)
	}
	res.Snapshot = s.sim.Snapshot()
	res.Events = s.run.Events
	res.Figures = keyFigures(s.sim, res.Snapshot)
	return res
}
