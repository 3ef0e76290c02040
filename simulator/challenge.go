package simulator

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Challenge is a scenario with a goal instead of a question: a fault
// script and objectives the learner must meet by setting some of the shop's
// knobs before the run. Evaluate plays it flat out and scores it; Scenario
// turns the same run into a lab for watching it live. Challenges (in
// challenges.go) lists them.
type Challenge struct {
	// Slug names the challenge in URLs (/lab/challenges/{slug}).
	Slug string `json:"slug"`
	// Title is a short human title.
	Title string `json:"title"`
	// Pattern is the slug of the pattern page the challenge belongs to.
	Pattern string `json:"pattern"`
	// Brief is the set-up and the goal in plain words, with no hint of the
	// answer: one to three sentences.
	Brief string `json:"brief"`
	// Faults is the fault script, in time order. Its steps at 0 s set the
	// stage (they come before the learner's settings, which may undo them);
	// the later ones are the faults.
	Faults []Step `json:"faults"`
	// Duration is how long the run lasts.
	Duration time.Duration `json:"duration_ns"`
	// Objectives are what the run must show, each over its own window.
	Objectives []Objective `json:"objectives"`
	// Knobs are what the learner may set, in the order a form shows them.
	Knobs []Knob `json:"knobs"`
	// Par is a configuration that meets every objective (tested).
	Par Settings `json:"par"`
	// Naive is the shop as it starts, or an obvious but wrong setting, that
	// misses at least one objective (tested).
	Naive Settings `json:"naive"`
}

// KnobKind says what a knob's value is and how a form should ask for it.
type KnobKind string

// Knob kinds. Every value is a whole number except a bool ("on" or "off")
// and a choice (one of Knob.Choices).
const (
	KnobMS      KnobKind = "ms"      // milliseconds
	KnobPercent KnobKind = "percent" // whole percent, 0..100
	KnobCount   KnobKind = "count"   // a count: retries, instances, tokens
	KnobBool    KnobKind = "bool"    // "on" or "off"
	KnobChoice  KnobKind = "choice"  // one of Choices
)

// Knob is one setting a learner may make, described for a form. Its value
// becomes a simulator command applied at 0 s.
type Knob struct {
	// Name is the form field's name: lower-kebab, unique in the challenge.
	Name string `json:"name"`
	// Label is what a form shows beside the field.
	Label string   `json:"label"`
	Kind  KnobKind `json:"kind"`
	// Min and Max bound a number; Default is the value the shop starts with
	// in this challenge, as text ("2000", "on", "round-robin").
	Min     int    `json:"min"`
	Max     int    `json:"max"`
	Default string `json:"default"`
	// Unit is the number's unit for people: "ms", "%", "retries".
	Unit string `json:"unit,omitempty"`
	// Choices are a choice knob's values.
	Choices []string `json:"choices,omitempty"`
	// Applies is the edge ("orders>payment"), service, consumer group or
	// part of the shop ("gateway") the knob sets.
	Applies string `json:"applies"`
	// command turns a value that passed parsing (a number; 1 or 0 for a
	// bool; the choice's index) into the command that sets it.
	command func(v int) Command
}

// MaxSettingValue is the longest value ParseSettings reads, in bytes.
const MaxSettingValue = 64

// Setting is one knob's value, as text in its canonical form.
type Setting struct {
	Knob  string `json:"knob"`
	Value string `json:"value"`
}

// Settings is a learner's configuration of one challenge: every knob's
// value, in the challenge's knob order (a knob the form left out keeps its
// default). Build one with ParseSettings.
//
// Settings is plain data: stored as JSON or as Values().Encode(), it reads
// back as the same configuration.
type Settings struct {
	List []Setting `json:"list"`
}

// ParseSettings reads a learner's form for ch. Each field must be one of
// ch's knobs, given once, with a value of at most MaxSettingValue bytes
// within the knob's range; a form may hold at most one field per knob.
// Knobs the form leaves out keep their defaults. Nothing else is accepted.
func ParseSettings(ch Challenge, form url.Values) (Settings, error) {
	if len(form) > len(ch.Knobs) {
		return Settings{}, fmt.Errorf("%d settings given; challenge %s has %d knobs", len(form), ch.Slug, len(ch.Knobs))
	}
	for _, name := range slices.Sorted(maps.Keys(form)) { // the same form, the same error
		if ch.knob(name) < 0 {
			if len(name) > MaxSettingValue {
				name = name[:MaxSettingValue] + "…"
			}
			return Settings{}, fmt.Errorf("unknown knob %q", name)
		}
	}
	s := Settings{List: make([]Setting, len(ch.Knobs))}
	for i := range ch.Knobs {
		k := &ch.Knobs[i]
		text := k.Default
		if vs, ok := form[k.Name]; ok {
			if len(vs) != 1 {
				return Settings{}, fmt.Errorf("knob %q given %d times; give it once", k.Name, len(vs))
			}
			text = vs[0]
		}
		_, canon, err := k.parse(text)
		if err != nil {
			return Settings{}, err
		}
		s.List[i] = Setting{Knob: k.Name, Value: canon}
	}
	return s, nil
}

// parse reads one value of k; it returns the number the knob's command
// takes and the value's canonical text.
func (k *Knob) parse(text string) (int, string, error) {
	if len(text) > MaxSettingValue {
		return 0, "", fmt.Errorf("knob %q: a value of %d bytes is longer than the %d allowed (%s)", k.Name, len(text), MaxSettingValue, k.allowed())
	}
	switch k.Kind {
	case KnobBool:
		switch text {
		case "on":
			return 1, text, nil
		case "off":
			return 0, text, nil
		}
	case KnobChoice:
		for i, c := range k.Choices {
			if text == c {
				return i, text, nil
			}
		}
	default:
		n, err := strconv.Atoi(text)
		if err == nil && n >= k.Min && n <= k.Max {
			return n, strconv.Itoa(n), nil
		}
		if err == nil {
			return 0, "", fmt.Errorf("knob %q: value %q out of range (%s)", k.Name, text, k.allowed())
		}
		return 0, "", fmt.Errorf("knob %q: value %q is not a whole number (%s)", k.Name, text, k.allowed())
	}
	return 0, "", fmt.Errorf("knob %q: value %q is not allowed (%s)", k.Name, text, k.allowed())
}

// allowed says which values k takes: "allowed 100..10000 ms".
func (k *Knob) allowed() string {
	switch k.Kind {
	case KnobBool:
		return `allowed "on" or "off"`
	case KnobChoice:
		return "allowed " + strings.Join(k.Choices, ", ")
	}
	r := fmt.Sprintf("allowed %d..%d", k.Min, k.Max)
	if k.Unit != "" {
		r += " " + k.Unit
	}
	return r
}

func (ch *Challenge) knob(name string) int {
	for i := range ch.Knobs {
		if ch.Knobs[i].Name == name {
			return i
		}
	}
	return -1
}

// Values returns the settings as a form's values, one per knob, so a
// stored configuration can be shown back in the form: ParseSettings of
// them gives the same Settings.
func (s Settings) Values() url.Values {
	v := make(url.Values, len(s.List))
	for _, st := range s.List {
		v.Set(st.Knob, st.Value)
	}
	return v
}

// Value returns knob's value as text, or "" when there is no such knob.
func (s Settings) Value(knob string) string {
	for _, st := range s.List {
		if st.Knob == knob {
			return st.Value
		}
	}
	return ""
}

// Commands returns the commands that make s, applied at 0 s after the
// fault script's own steps at 0 s: one per knob set away from its default,
// in knob order. A setting that is not one of ch's knobs, or whose value
// the knob does not take, gives none: ParseSettings refuses both.
func (ch Challenge) Commands(s Settings) []Command {
	var out []Command
	for i := range ch.Knobs {
		k := &ch.Knobs[i]
		text := s.Value(k.Name)
		if text == "" || text == k.Default {
			continue
		}
		if v, _, err := k.parse(text); err == nil {
			out = append(out, k.command(v))
		}
	}
	return out
}

// Objective is a goal on one figure of the run, measured over a window of
// virtual time and decided at its end; nothing after To counts.
type Objective struct {
	// Name says the goal and its window, for people.
	Name string `json:"name"`
	// What is the figure, in words: "gateway p99 of reads".
	What string `json:"what"`
	// Op is how the figure compares to Goal: "<", "≤", "=", "≥" or ">".
	Op   string  `json:"op"`
	Goal float64 `json:"goal"`
	// Unit is the figure's unit: "ms", "%" or "" for a count.
	Unit string `json:"unit,omitempty"`
	// From and To bound the window; the objective is decided at To.
	From    time.Duration `json:"from_ns"`
	To      time.Duration `json:"to_ns"`
	measure func(r *Run, from, to time.Duration) float64
}

// objective builds an objective and its name.
func objective(what, op string, goal float64, unit string, from, to float64, m func(r *Run, from, to time.Duration) float64) Objective {
	o := Objective{What: what, Op: op, Goal: goal, Unit: unit, From: sec(from), To: sec(to), measure: m}
	o.Name = fmt.Sprintf("%s %s %s, %s", what, op, o.amount(goal), o.window())
	return o
}

// window says the objective's window: "from 10 s to 20 s", or "at 35 s"
// for a figure read at one moment.
func (o *Objective) window() string {
	if o.From == o.To {
		return "at " + secText(o.To)
	}
	return "from " + secText(o.From) + " to " + secText(o.To)
}

// secText is a window's bound as people say it, 0 included: "0 s", "10.05 s".
func secText(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// met reports whether v meets the objective.
func (o *Objective) met(v float64) bool {
	switch o.Op {
	case "<":
		return v < o.Goal
	case "≤":
		return v <= o.Goal
	case "=":
		return v == o.Goal
	case "≥":
		return v >= o.Goal
	case ">":
		return v > o.Goal
	}
	return false
}

// amount writes a figure in the objective's unit: "312 ms", "95.2 %", "3".
func (o *Objective) amount(v float64) string {
	switch o.Unit {
	case "ms":
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + " ms"
	case "%":
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " %"
	case "":
		return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + " " + o.Unit
}

// check is the objective as a scenario's check, due at the end of its
// window. It leaves the figure in the run's notes under note(i) for
// Evaluate.
func (o Objective) check(i int) Check {
	return Check{Name: o.Name, At: o.To, Eval: func(r *Run) (bool, string) {
		v := o.measure(r, o.From, o.To)
		r.Notes[note(i)] = v
		return o.met(v), fmt.Sprintf("%s %s (goal %s %s)", o.What, o.amount(v), o.Op, o.amount(o.Goal))
	}}
}

func note(i int) string { return "objective " + strconv.Itoa(i) }

// ChallengeResult is a scored run of a challenge.
type ChallengeResult struct {
	Challenge string    `json:"challenge"`
	Seed      uint64    `json:"seed"`
	Settings  []Setting `json:"settings"`
	// Pass is set when every objective holds.
	Pass       bool      `json:"pass"`
	Objectives []Outcome `json:"objectives"`
	// Refused lists the settings or faults the simulation refused, with
	// why; a run with any is not the challenge's and does not pass.
	Refused []string `json:"refused,omitempty"`
	Cost    Cost     `json:"cost"`
	// Score is 0 when an objective fails, else 1000 minus the cost's
	// points, and never below 0.
	Score int `json:"score"`
	// Timeline is the gateway, second by second, for charts; Marks are
	// the fault script's steps after 0 s.
	Timeline []Sample `json:"timeline"`
	Marks    []Mark   `json:"marks"`
	// Arrivals and ArrivalDigest are the requests the run met and their
	// digest (Sim.Arrivals): two runs with equal digests met the same
	// traffic.
	Arrivals      uint64 `json:"arrivals"`
	ArrivalDigest string `json:"arrival_digest"`
}

// Sample is the gateway over one second of a run, [At-1 s, At).
type Sample struct {
	At       float64 `json:"t"`   // seconds
	Requests uint64  `json:"n"`   // answered in the second
	ErrorPct float64 `json:"err"` // of them, the share in 5xx
	P99MS    float64 `json:"p99"` // their 99th percentile latency
}

// Mark is a step of the fault script, for a chart.
type Mark struct {
	At    float64 `json:"t"` // seconds
	Label string  `json:"label"`
}

// Outcome is one objective's verdict with its measured figure.
type Outcome struct {
	Name  string  `json:"name"`
	Pass  bool    `json:"pass"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
	// Detail is the figure in words: "gateway p99 of reads 312 ms (goal < 400 ms)".
	Detail string `json:"detail"`
}

// Cost is what the configuration spent to meet the objectives, so that
// refusing all traffic does not win. Over the whole run: one point per 100
// requests the gateway refused for their client's rate (429: cheap, the
// client was told to slow down); one point per 10 requests it shed (503),
// answered degraded (a fallback's 200) or in error (500, 504); one point per
// 20 retries callers and sidecars made; and 25 points for each instance run
// beyond the shop's own.
type Cost struct {
	Items  []CostItem `json:"items"`
	Points int        `json:"points"`
}

// CostItem is one line of a cost.
type CostItem struct {
	Name   string `json:"name"`
	Count  uint64 `json:"count"`
	Points int    `json:"points"`
}

// The cost's rates (see Cost).
const (
	costPerLimited  = 100 // 429s per point
	costPerShed     = 10  // requests per point
	costPerRetry    = 20  // retries per point
	costPerInstance = 25  // points per extra instance
)

// Evaluate plays ch with the settings s on the default shop seeded with
// seed: the settings as commands at 0 s, the fault script, the objectives
// decided as their windows end, all in virtual time with no wall clock.
// The same challenge, settings and seed give the same result.
func Evaluate(ch Challenge, s Settings, seed uint64) ChallengeResult {
	sc := ch.scenario(s)
	cfg := DefaultConfig()
	cfg.Seed = seed
	sim := MustNew(cfg)
	script := NewScript(&sc, sim, 0)
	res := ChallengeResult{Challenge: ch.Slug, Seed: seed, Settings: append([]Setting(nil), s.List...), Pass: true}
	// Second by second, to read the gateway's slots for the timeline: the
	// run is the same however it is cut (see TestChallengeScenarioValidates).
	for t := rollSlot; t <= script.Duration(); t += rollSlot {
		script.RunUntil(t)
		res.Timeline = append(res.Timeline, sim.gatewaySecond(t))
	}
	script.RunUntil(script.Duration())
	for _, st := range ch.Faults {
		if st.At > 0 {
			res.Marks = append(res.Marks, Mark{At: st.At.Seconds(), Label: st.Command.Describe()})
		}
	}
	for i, v := range script.Verdicts() {
		o := &ch.Objectives[i]
		res.Objectives = append(res.Objectives, Outcome{Name: o.Name, Pass: v.Pass, Value: script.run.Notes[note(i)], Unit: o.Unit, Detail: v.Detail})
		res.Pass = res.Pass && v.Pass
	}
	for i, st := range script.Steps() {
		if st.Err != "" {
			res.Pass = false
			res.Refused = append(res.Refused, sc.Timeline[i].Command.Describe()+": "+st.Err)
		}
	}
	res.Cost = runCost(sim)
	n, digest := sim.Arrivals()
	res.Arrivals, res.ArrivalDigest = n, strconv.FormatUint(digest, 16)
	if res.Pass {
		res.Score = max(0, 1000-res.Cost.Points)
	}
	return res
}

// runCost adds up what the run spent (see Cost).
func runCost(s *Sim) Cost {
	g := &s.gw
	limited := g.byCode[code429]
	shed := g.byCode[code503] + g.byCode[code200Degraded] + g.byCode[code500] + g.byCode[code504]
	var retries uint64
	for i := range s.edges {
		retries += s.edges[i].retries + s.edges[i].sidecarRetries
	}
	var extra uint64
	for i := range s.services {
		if n, base := s.services[i].count, s.cfg.Services[i].Instances; n > base {
			extra += uint64(n - base)
		}
	}
	c := Cost{Items: []CostItem{
		{"requests refused for the client's rate (429)", limited, int(limited / costPerLimited)},
		{"requests shed, degraded or failed (503, fallback 200, 500, 504)", shed, int(shed / costPerShed)},
		{"retries", retries, int(retries / costPerRetry)},
		{"extra instances", extra, int(extra) * costPerInstance},
	}}
	for _, it := range c.Items {
		c.Points += it.Points
	}
	return c
}

// ScenarioSeed is the seed a live lab plays a scenario with (package lab's
// ScenarioSeed): Scenario's question is decided by a run with it.
const ScenarioSeed = 1

// Scenario is ch with the settings s as a live lab: the settings as
// commands at 0 s, the fault script, and the objectives as its checks. Its
// opening question asks whether the settings will meet every objective;
// the answer is decided by Evaluate with ScenarioSeed, so Scenario costs
// one evaluation. The scenario is not one of Scenarios.
func (ch Challenge) Scenario(s Settings) Scenario {
	sc := ch.scenario(s)
	res := Evaluate(ch, s, ScenarioSeed)
	failed := 0
	for _, o := range res.Objectives {
		if !o.Pass {
			failed++
		}
	}
	var figures []string
	for _, o := range res.Objectives {
		figures = append(figures, o.Detail)
	}
	shown := "The run measured: " + strings.Join(figures, "; ") + "."
	n := len(ch.Objectives)
	sc.Question = Question{
		Prompt: fmt.Sprintf("Your settings are in. How many of the %d objectives will the run meet?", n),
		Options: []Option{
			{Text: "Every one of them", Correct: failed == 0},
			{Text: "All but one", Correct: failed == 1},
			{Text: "Two or more are missed", Correct: failed >= 2},
		},
	}
	for i := range sc.Question.Options {
		o := &sc.Question.Options[i]
		if o.Correct {
			o.Explanation = shown
		} else {
			o.Explanation = fmt.Sprintf("Not this time: %d of %d held. %s", n-failed, n, shown)
		}
	}
	return sc
}

// scenario is the run of ch with s, without its question.
func (ch Challenge) scenario(s Settings) Scenario {
	sc := Scenario{
		Slug: ch.Slug, Title: ch.Title, Pattern: ch.Pattern, Setup: ch.Brief, Duration: ch.Duration,
		Narrative: "Your settings are applied at 0 s, then the fault script runs. " +
			"Each objective is measured over its own window and decided when the window ends: watch the figures it names while the faults play.",
	}
	i := 0
	for ; i < len(ch.Faults) && ch.Faults[i].At == 0; i++ {
		sc.Timeline = append(sc.Timeline, ch.Faults[i])
	}
	for _, c := range ch.Commands(s) {
		sc.Timeline = append(sc.Timeline, Step{At: 0, Command: c})
	}
	sc.Timeline = append(sc.Timeline, ch.Faults[i:]...)
	for k, o := range ch.Objectives {
		sc.Checks = append(sc.Checks, o.check(k))
	}
	sc.Stages = []Stage{{At: 0, Title: "Your settings", Say: "The shop starts with the settings you chose. Watch the figures the objectives name before anything breaks."}}
	if i < len(ch.Faults) {
		sc.Stages = append(sc.Stages, Stage{At: ch.Faults[i].At, Title: "The faults begin", Say: "The fault script is playing: " + ch.Faults[i].Command.Describe() + ". Watch the objectives' figures."})
	}
	return sc
}
