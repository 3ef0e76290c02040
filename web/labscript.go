package web

import (
	"fmt"
	"sort"
	"time"

	"microlab/simulator"
)

// labScript plays a scenario's timeline and decides its checks while a live
// simulation runs, in the same order as simulator.RunScenario: at each
// virtual time, scripted commands first, then checks, each in list order.
// Left alone, a live lab therefore reaches the same verdicts as the
// headless run with the same seed. The learner's own commands come on top,
// and may well change the outcome: that is the point of a lab.
type labScript struct {
	sc    *simulator.Scenario
	run   *simulator.Run
	items []scriptItem
	next  int
	// steps holds each timeline step's state: "" until it is due, "done",
	// or "error: …" when the simulation refused it (the learner may have
	// done it first).
	steps    []string
	verdicts []labVerdict
	// prediction is the option the owner chose before the run, -1 until then.
	prediction int
	ended      bool
}

type scriptItem struct {
	at    time.Duration
	order int
	step  int // index into the timeline, or -1
	check int // index into the checks, or -1
}

// labVerdict is a check's state: "" until decided, then "pass" or "fail".
type labVerdict struct {
	state  string
	detail string
}

// maxScriptEvents bounds the events a scenario keeps for its checks; a
// scenario run produces a few hundred.
const maxScriptEvents = 50000

func newLabScript(sc *simulator.Scenario) *labScript {
	s := &labScript{sc: sc, prediction: -1}
	for i, st := range sc.Timeline {
		s.items = append(s.items, scriptItem{at: st.At, order: i, step: i, check: -1})
	}
	for i, c := range sc.Checks {
		at := c.At
		if at == 0 || at > sc.Duration {
			at = sc.Duration
		}
		s.items = append(s.items, scriptItem{at: at, order: len(sc.Timeline) + i, step: -1, check: i})
	}
	sort.SliceStable(s.items, func(a, b int) bool {
		if s.items[a].at != s.items[b].at {
			return s.items[a].at < s.items[b].at
		}
		return s.items[a].order < s.items[b].order
	})
	s.steps = make([]string, len(sc.Timeline))
	s.verdicts = make([]labVerdict, len(sc.Checks))
	return s
}

// attach starts the script over on a fresh simulation (a new lab or a
// reset); the prediction is kept.
func (s *labScript) attach(sim *simulator.Sim) {
	run := &simulator.Run{Sim: sim, Notes: map[string]float64{}}
	sim.OnEvent(func(e simulator.Event) {
		if len(run.Events) < maxScriptEvents {
			run.Events = append(run.Events, e)
		}
	})
	s.run, s.next, s.ended = run, 0, false
	clear(s.steps)
	clear(s.verdicts)
}

// runUntil advances the simulation to t, applying the steps and deciding the
// checks that fall due on the way.
func (s *labScript) runUntil(sim *simulator.Sim, t time.Duration) {
	for s.next < len(s.items) && s.items[s.next].at <= t {
		it := s.items[s.next]
		s.next++
		sim.RunUntil(it.at)
		if it.step >= 0 {
			if err := sim.Apply(it.at, s.sc.Timeline[it.step].Command); err != nil {
				s.steps[it.step] = "error: " + err.Error()
			} else {
				s.steps[it.step] = "done"
			}
			continue
		}
		s.verdicts[it.check] = s.decide(&s.sc.Checks[it.check])
	}
	sim.RunUntil(t)
	if !s.ended && s.next == len(s.items) && sim.Now() >= s.sc.Duration {
		s.ended = true
		sim.OnEvent(nil)
	}
}

// decide evaluates a check. The checks were written for the scripted run;
// should one trip over a state the learner made, it fails with a reason
// rather than take the lab down.
func (s *labScript) decide(c *simulator.Check) (v labVerdict) {
	defer func() {
		if r := recover(); r != nil {
			v = labVerdict{state: "fail", detail: fmt.Sprintf("could not be decided in this state (%v)", r)}
		}
	}()
	ok, detail := c.Eval(s.run)
	if ok {
		return labVerdict{state: "pass", detail: detail}
	}
	return labVerdict{state: "fail", detail: detail}
}
