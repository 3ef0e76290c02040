package simulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scenario is a lab: a scripted run of the shop with a story, a question to answer
// before watching, and checks the simulator evaluates.
type Scenario struct {
	// Slug names the lab in URLs (/lab/{slug}) and on the command line.
	Slug string `json:"slug"`
	// Title is a short human title.
	Title string `json:"title"`
	// Pattern is the slug of the pattern page the lab belongs to.
	Pattern string `json:"pattern"`
	// Setup says what is set up and what the script does, never what then
	// happens: it is all a learner reads before predicting.
	Setup string `json:"setup"`
	// Narrative says what happens and what to watch, in 2–4 sentences,
	// shown once the prediction is made.
	Narrative string `json:"narrative"`
	// Question is asked before the run starts.
	Question Question `json:"question"`
	// Duration is how long the lab runs by default.
	Duration time.Duration `json:"duration_ns"`
	// Timeline is the commands to apply, in time order.
	Timeline []Step `json:"timeline"`
	// Checks are what the run must show.
	Checks []Check `json:"checks"`
	// Stages guide the learner through the run, in time order; the first
	// is at 0. A live lab shows the current one and holds its clock at a
	// stage that asks a question until it is answered.
	Stages []Stage `json:"stages"`
}

// Stage is one part of a guided lab, from At until the next stage.
type Stage struct {
	At time.Duration `json:"at_ns"`
	// Title is a few words: "Watch the baseline".
	Title string `json:"title"`
	// Say is what to watch or do now. Like the set-up, it never says what
	// will happen: that is for the stage's question, or for the reader to see.
	Say string `json:"say"`
	// Question, when set, is asked at At: a live lab pauses there until the
	// owner answers, and explains the options once they have.
	Question *Question `json:"question,omitempty"`
	// Try, when set, asks the learner to change something now; Checks[Try]
	// (one marked Yours) says whether the change had its effect.
	Try *int `json:"try,omitempty"`
}

// Asks reports whether the stage pauses the run for a question.
func (st *Stage) Asks() bool { return st.Question != nil }

// Question is a predict-first question with one correct option.
type Question struct {
	Prompt  string   `json:"prompt"`
	Options []Option `json:"options"`
}

// Option is one answer and why it is right or wrong.
type Option struct {
	Text        string `json:"text"`
	Correct     bool   `json:"correct"`
	Explanation string `json:"explanation"`
}

// Step is a command at a virtual time.
type Step struct {
	At      time.Duration `json:"at_ns"`
	Command Command       `json:"command"`
}

// Check is a claim about the run, decided at a virtual time (At), or at the end of
// the run when At is 0.
//
// A check marked Yours is about what the learner does in a "now you try"
// stage: a run nobody touches fails it, so it does not count towards the
// scenario's Pass.
type Check struct {
	Name  string                      `json:"name"`
	At    time.Duration               `json:"at_ns"`
	Yours bool                        `json:"yours,omitempty"`
	Eval  func(r *Run) (bool, string) `json:"-"`
}

// Run is what a check sees: the simulation and every event so far.
type Run struct {
	// Sim is the running simulation.
	Sim *Sim
	// Events holds every event of the run (not only the ring's last ones).
	Events []Event
	// Notes lets an early check leave a figure for a later one.
	Notes map[string]float64
}

// Verdict is a check's outcome. Until the check falls due it is undecided:
// Decided is false and Pass too.
type Verdict struct {
	Name    string  `json:"name"`
	AtMS    float64 `json:"at_ms"`
	Pass    bool    `json:"pass"`
	Detail  string  `json:"detail"`
	Yours   bool    `json:"yours,omitempty"`
	Decided bool    `json:"-"`
}

// Figure is a key number of a run.
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// Result is the outcome of RunScenario.
type Result struct {
	Scenario   string    `json:"scenario"`
	Seed       uint64    `json:"seed"`
	DurationMS float64   `json:"duration_ms"`
	Pass       bool      `json:"pass"`
	Checks     []Verdict `json:"checks"`
	Figures    []Figure  `json:"figures"`
	Snapshot   Snapshot  `json:"snapshot"`
	Events     []Event   `json:"events"`
}

// ScenarioBySlug finds a scenario.
func ScenarioBySlug(slug string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Slug == slug {
			return s, true
		}
	}
	return Scenario{}, false
}

// RunScenario runs sc on the default shop with seed for d of virtual time (0 means
// sc.Duration), applying its timeline and evaluating its checks: a Script played
// flat out to its end.
func RunScenario(sc Scenario, seed uint64, d time.Duration) Result {
	cfg := DefaultConfig()
	cfg.Seed = seed
	script := NewScript(&sc, MustNew(cfg), d)
	script.RunUntil(script.Duration())
	return script.Result()
}

// keyFigures are the numbers the CLI prints after the verdicts.
func keyFigures(s *Sim, snap Snapshot) []Figure {
	g := snap.Gateway
	var ok, all uint64
	for code, n := range g.Codes {
		all += n
		if strings.HasPrefix(code, "2") {
			ok += n
		}
	}
	fig := []Figure{
		{"requests", float64(g.Received), "req"},
		{"answered 2xx", pct(ok, all), "%"},
		{"gateway 5xx", pct(g.Codes["500"]+g.Codes["503"]+g.Codes["504"], all), "%"},
		{"429 rate limited", float64(g.Codes["429"]), "req"},
		{"gateway p99 (last 10 s)", snap.Nodes.Gateway.Stats.P99, "ms"},
		{"sagas completed", float64(snap.Sagas.Completed), ""},
		{"sagas compensated", float64(snap.Sagas.Compensated), ""},
		{"sagas stuck", float64(snap.Sagas.Stuck), ""},
		{"simulated events", float64(s.processed), ""},
	}
	var opens, retries uint64
	for _, e := range snap.Edges {
		retries += e.Retries
	}
	for i := range s.edges {
		opens += s.edges[i].breaker.Opened
	}
	fig = append(fig, Figure{"retries", float64(retries), ""}, Figure{"breaker openings", float64(opens), ""})
	var lag uint64
	for _, gv := range snap.Broker.Groups {
		if gv.Lag > lag {
			lag = gv.Lag
		}
	}
	fig = append(fig, Figure{"largest consumer lag now", float64(lag), "msg"})
	return fig
}

func pct(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return round3(100 * float64(a) / float64(b))
}

// Helpers for scenario timelines and checks.

func pI(v int) *int               { return &v }
func pMS(v int64) *int64          { return &v }
func pF(v float64) *float64       { return &v }
func pB(v bool) *bool             { return &v }
func sec(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }

func at(t float64, c Command) Step { return Step{At: sec(t), Command: c} }

// firstEvent returns the time of the first event of kind on subject at or after from
// whose message contains text, or -1.
func (r *Run) firstEvent(kind, subject, text string, from time.Duration) time.Duration {
	for _, e := range r.Events {
		if e.Kind == kind && (subject == "" || e.Subject == subject) && strings.Contains(e.Message, text) &&
			time.Duration(e.AtMS*float64(time.Millisecond)) >= from {
			return time.Duration(e.AtMS * float64(time.Millisecond))
		}
	}
	return -1
}

// command returns the first "command" event of type typ at or after from
// whose message contains text: a learner's, when from is past the script's
// own commands of that type.
func (r *Run) command(typ, text string, from time.Duration) (Event, bool) {
	for _, e := range r.Events {
		if e.Kind == "command" && e.Subject == typ && strings.Contains(e.Message, text) && e.at() >= from {
			return e, true
		}
	}
	return Event{}, false
}

// compensatedSince counts the recent compensated sagas started at or after
// from: those whose compensation only cancelled the order, and those that
// also released stock.
func (r *Run) compensatedSince(from time.Duration) (orderOnly, released int) {
	b := &r.Sim.sagas
	for k := 0; k < b.hlen; k++ {
		g := &b.history[k]
		if g.state != sagaCompensated || g.started < from {
			continue
		}
		rel := false
		for i := uint8(0); i < g.ntl; i++ {
			rel = rel || g.tl[i].step == compRelease
		}
		if rel {
			released++
		} else {
			orderOnly++
		}
	}
	return orderOnly, released
}

func (r *Run) edge(name string) *edge { return &r.Sim.edges[edgeByName(name)] }

func (r *Run) instance(name string) *instance { return &r.Sim.instances[instanceByName(name)] }

// kindStats returns the gateway's rolling figures for a request kind.
func (r *Run) kindStats(kind int) Stats { return r.Sim.gw.byKind[kind].stats(r.Sim.now) }

// verdict is a check's outcome and its detail; durations in args read as
// people say them ("12.7 s", "940 ms"), not as Go prints them.
func verdict(ok bool, format string, args ...any) (bool, string) {
	for i, a := range args {
		if d, isDur := a.(time.Duration); isDur {
			args[i] = spoken(d)
		}
	}
	return ok, fmt.Sprintf(format, args...)
}

// spoken is a duration as a check's detail says it: milliseconds under a
// second, else seconds to a tenth; a negative one (an event that never
// came) is "never".
type spoken time.Duration

func (d spoken) String() string {
	switch t := time.Duration(d); {
	case t < 0:
		return "never"
	case t < time.Second:
		return strconv.FormatInt(t.Round(time.Millisecond).Milliseconds(), 10) + " ms"
	default:
		return strconv.FormatFloat(float64(t.Round(100*time.Millisecond))/float64(time.Second), 'f', -1, 64) + " s"
	}
}
