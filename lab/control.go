package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"microlab/internal/humanize"
	"microlab/simulator"
)

// A viewer's message is a run control (this file's table) or one of the
// simulator's commands (its own table, simulator.CommandTypes).

// control is one kind of run-control message.
type control struct {
	// fields are the fields it allows besides "type" and "id".
	fields []string
	// required is the field it cannot do without, if any.
	required string
	// anyone is set when a viewer who does not own the lab may send it.
	anyone bool
	// replay is set for what a replay's viewer may send: playback, not
	// changes to the run.
	replay bool
	// ownerOnly is set for what a viewer handed control (class.go) still
	// may not send.
	ownerOnly bool
	// run carries it out on the lab's goroutine and returns the reply.
	run func(l *Lab, m *message) []byte
}

// controls are the run controls, by type.
var controls = map[string]control{
	"speed":        {fields: []string{"value"}, required: "value", replay: true, run: (*Lab).setSpeed},
	"pause":        {replay: true, run: (*Lab).pause},
	"resume":       {replay: true, run: (*Lab).resume},
	"step":         {fields: []string{"ms"}, replay: true, run: (*Lab).step},
	"fast-forward": {fields: []string{"seconds"}, required: "seconds", replay: true, run: (*Lab).fastForward},
	"seek":         {fields: []string{"ms"}, required: "ms", replay: true, run: (*Lab).seek},
	"reset":        {fields: []string{"seed", "new_seed"}, ownerOnly: true, run: (*Lab).restart},
	"predict":      {fields: []string{"option", "stage"}, required: "option", ownerOnly: true, run: (*Lab).predict},
	"class":        {fields: []string{"on"}, required: "on", ownerOnly: true, run: (*Lab).classOn},
	"vote":         {fields: []string{"option"}, required: "option", anyone: true, run: (*Lab).vote},
	"hand":         {fields: []string{"viewer"}, required: "viewer", ownerOnly: true, run: (*Lab).hand},
	"take-back":    {ownerOnly: true, run: (*Lab).takeBack},
	"trace":        {fields: []string{"trace"}, required: "trace", anyone: true, replay: true, run: (*Lab).trace},
}

// controlFields decode each run-control field into the message.
var controlFields = map[string]func(m *message, raw json.RawMessage) error{
	"value":   func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.value) },
	"ms":      func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.ms) },
	"seconds": func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.seconds) },
	"seed": func(m *message, raw json.RawMessage) error {
		var seed uint64
		err := json.Unmarshal(raw, &seed)
		if err == nil && seed > maxSeed {
			err = fmt.Errorf("out of range 0..%d", uint64(maxSeed))
		}
		m.seed = &seed
		return err
	},
	"new_seed": func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.newSeed) },
	"option":   func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.option) },
	"stage":    func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.stage) },
	"trace":    func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.trace) },
	"on":       func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.on) },
	"viewer":   func(m *message, raw json.RawMessage) error { return json.Unmarshal(raw, &m.viewer) },
}

// controlTypes are the run controls' types, sorted.
var controlTypes = slices.Sorted(maps.Keys(controls))

// messageTypes are every type a viewer may send: the run controls, then the
// simulator's commands.
func messageTypes() []string { return append(slices.Clone(controlTypes), simulator.CommandTypes()...) }

// message is one decoded message from a viewer.
type message struct {
	typ     string
	id      json.RawMessage
	ctl     *control          // nil for a simulator command
	cmd     simulator.Command // a simulator command
	value   float64
	ms      int64
	seconds float64
	seed    *uint64
	newSeed bool
	option  int
	stage   int // 0: the opening prediction; else the stage whose question is answered
	trace   uint64
	on      bool // class mode
	viewer  int  // a viewer's number, to hand control to
	// from is the viewer who sent it (nil in tests that call handle).
	from *Viewer
}

// refusal is a message refused before it reaches the lab.
type refusal struct {
	code, message string
}

// maxIDLen bounds the "id" a viewer may have echoed.
const maxIDLen = 64

// parseMessage decodes and checks the shape of one message. Whether a
// command makes sense for the simulation's state is for the lab to say.
func parseMessage(data []byte) (message, *refusal) {
	var m message
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fields); err != nil || dec.More() || fields == nil {
		return m, &refusal{"bad-json", "That message is not one JSON object; send {\"type\": …}."}
	}
	if raw, ok := fields["id"]; ok {
		if len(raw) > maxIDLen || (raw[0] != '"' && (raw[0] < '0' || raw[0] > '9')) {
			return m, &refusal{"invalid", "\"id\" must be a number or a short string, echoed in the reply."}
		}
		m.id = raw
		delete(fields, "id")
	}
	rawType, ok := fields["type"]
	if !ok || json.Unmarshal(rawType, &m.typ) != nil || m.typ == "" {
		return m, &refusal{"bad-message", "The message has no \"type\" string."}
	}
	delete(fields, "type")
	ctl, ok := controls[m.typ]
	if !ok {
		return m, parseCommand(&m, fields)
	}
	m.ctl = &ctl
	for k, raw := range fields {
		if !slices.Contains(ctl.fields, k) {
			return m, &refusal{"invalid", fmt.Sprintf("%s: field %q does not apply", m.typ, humanize.Truncate(k, 40))}
		}
		if err := controlFields[k](&m, raw); err != nil {
			return m, &refusal{"invalid", fmt.Sprintf("%s: bad %q: %v", m.typ, k, err)}
		}
	}
	if _, ok := fields[ctl.required]; ctl.required != "" && !ok {
		return m, &refusal{"invalid", fmt.Sprintf("%s: missing %q", m.typ, ctl.required)}
	}
	if m.typ == "reset" && m.seed != nil && m.newSeed {
		return m, &refusal{"invalid", "reset: give a seed or new_seed, not both"}
	}
	return m, nil
}

// parseCommand decodes a simulator command; fields are the message's
// fields but its type and id.
func parseCommand(m *message, fields map[string]json.RawMessage) *refusal {
	if !slices.Contains(simulator.CommandTypes(), m.typ) {
		return &refusal{"unknown-type", fmt.Sprintf("Unknown message type %q. Known: %s, and the simulator's commands: %s.",
			humanize.Truncate(m.typ, 40), strings.Join(controlTypes, ", "), strings.Join(simulator.CommandTypes(), ", "))}
	}
	typ, _ := json.Marshal(m.typ)
	fields["type"] = typ
	rest, _ := json.Marshal(fields)
	cmd, err := simulator.DecodeCommand(rest)
	if err != nil {
		return &refusal{"invalid", err.Error()}
	}
	m.cmd = cmd
	return nil
}

// request is one message the lab's goroutine must handle.
type request struct {
	msg   message
	reply chan []byte
}

// handle carries out one message and returns the encoded reply.
func (l *Lab) handle(m message) []byte {
	if m.ctl != nil {
		return m.ctl.run(l, &m)
	}
	// A simulator command, applied now (also while waiting for the
	// prediction: setting up before the run is fine), after whatever the
	// scenario does at this same moment, as its replay will apply it.
	if err := l.recordRefusal(); err != nil {
		return replyError(m.id, "full", err.Error())
	}
	if l.script != nil {
		l.script.RunUntil(l.sim.Now())
	}
	before := l.sim.EventSeq()
	if err := l.sim.Apply(l.sim.Now(), m.cmd); err != nil {
		return replyError(m.id, "invalid", err.Error())
	}
	by := "owner"
	if m.from != nil && !m.from.owner {
		by = "viewer" // handed control in class mode
	}
	l.record(m.cmd, by)
	l.save(true)
	msg := m.typ
	if evs := l.sim.Events(before); len(evs) > 0 {
		msg = evs[len(evs)-1].Message
	}
	return l.ack(&m, msg)
}

func (l *Lab) ack(m *message, text string) []byte { return replyAck(m.id, m.typ, text, l.sim.Now()) }

func fail(m *message, code, format string, args ...any) []byte {
	return replyError(m.id, code, fmt.Sprintf(format, args...))
}

func (l *Lab) trace(m *message) []byte {
	for _, tr := range l.sim.Traces() {
		if tr.ID == m.trace {
			b, _ := json.Marshal(struct {
				Type  string          `json:"type"`
				ID    json.RawMessage `json:"id,omitempty"`
				Trace simulator.Trace `json:"trace"`
			}{"trace", m.id, tr})
			return b
		}
	}
	return fail(m, "not-found", "Trace %d is no longer kept: only the last 32 sampled requests are.", m.trace)
}

func (l *Lab) predict(m *message) []byte {
	if l.sc == nil {
		return fail(m, "invalid", "There is no prediction to make in free play.")
	}
	if m.stage != 0 {
		return l.answer(m)
	}
	if m.option < 0 || m.option >= len(l.sc.Question.Options) {
		return fail(m, "invalid", "option %d out of range 0..%d", m.option, len(l.sc.Question.Options)-1)
	}
	if l.prediction >= 0 {
		return fail(m, "invalid", "The prediction is already made; reset keeps it.")
	}
	l.prediction = m.option
	l.predicted.Store(true)
	if l.state == stateWaiting {
		l.state = stateRunning
	}
	return l.ack(m, fmt.Sprintf("prediction %c recorded; the run starts", 'A'+m.option))
}

// answer records the owner's answer to the question the run is held at,
// and lets the run go on.
func (l *Lab) answer(m *message) []byte {
	ask := l.script.Asking()
	if m.stage != ask || ask < 0 {
		if m.stage > 0 && m.stage < len(l.answers) && l.answers[m.stage] >= 0 {
			return fail(m, "invalid", "Stage %d is already answered.", m.stage)
		}
		return fail(m, "invalid", "Stage %d asks nothing now: a stage's question is answered when the run stops at it.", m.stage)
	}
	if err := l.script.Answer(ask, m.option); err != nil {
		return fail(m, "invalid", "%v", err)
	}
	l.answers[ask] = m.option
	l.answered.Store(l.answered.Load() | 1<<ask)
	l.state = stateRunning
	return l.ack(m, fmt.Sprintf("answer %c recorded; the run goes on", 'A'+m.option))
}

// holding refuses run control while the run waits for an answer.
func (l *Lab) holding(m *message) ([]byte, bool) {
	switch l.state {
	case stateWaiting:
		return fail(m, "waiting", "Answer the prediction question first; the run starts when you do."), true
	case stateAsking:
		return fail(m, "waiting", "Answer the stage's question first; the run goes on when you do."), true
	}
	return nil, false
}

func (l *Lab) setSpeed(m *message) []byte {
	if !(m.value >= minSpeed && m.value <= maxSpeed) {
		return fail(m, "invalid", "speed %g out of range %g..%g", m.value, minSpeed, float64(maxSpeed))
	}
	l.speed = m.value
	return l.ack(m, fmt.Sprintf("speed %g×", m.value))
}

func (l *Lab) pause(m *message) []byte {
	if reply, held := l.holding(m); held {
		return reply
	}
	l.state, l.ffUntil = statePaused, 0
	return l.ack(m, "paused")
}

func (l *Lab) resume(m *message) []byte {
	if reply, held := l.holding(m); held {
		return reply
	}
	l.state = stateRunning
	return l.ack(m, "running")
}

func (l *Lab) step(m *message) []byte {
	if reply, held := l.holding(m); held {
		return reply
	}
	if l.state == stateRunning || l.ffUntil > 0 {
		return fail(m, "invalid", "Pause the simulation before stepping it.")
	}
	ms := m.ms
	if ms == 0 {
		ms = 100
	}
	if ms < 1 || ms > maxStepMS {
		return fail(m, "invalid", "ms %d out of range 1..%d", ms, maxStepMS)
	}
	l.advance(l.sim.Now()+time.Duration(ms)*time.Millisecond, l.m.budget.share(ffBudget))
	return l.ack(m, fmt.Sprintf("stepped to %.1f s", l.sim.Now().Seconds()))
}

func (l *Lab) fastForward(m *message) []byte {
	if reply, held := l.holding(m); held {
		return reply
	}
	if !(m.seconds >= 1 && m.seconds <= maxFFSeconds) {
		return fail(m, "invalid", "seconds %g out of range 1..%d", m.seconds, maxFFSeconds)
	}
	l.ffUntil = l.sim.Now() + time.Duration(m.seconds*float64(time.Second))
	return l.ack(m, fmt.Sprintf("fast-forwarding %g s", m.seconds))
}

// restart handles "reset": the same seed, a given one or a new one.
func (l *Lab) restart(m *message) []byte {
	seed := l.seed
	switch {
	case m.newSeed:
		seed = 1 + mrand.Uint64N(999_999)
	case m.seed != nil:
		seed = *m.seed
	}
	if err := l.reset(seed); err != nil {
		return fail(m, "invalid", "%v", err)
	}
	if l.state != stateWaiting {
		l.state = statePaused
	}
	return l.ack(m, fmt.Sprintf("reset to 0 s with seed %d", seed))
}

// replyAck and replyError encode the answers to a viewer's message.
func replyAck(id json.RawMessage, typ, message string, at time.Duration) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"type":"ack"`...)
	b = appendID(b, id)
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
	b = appendID(b, id)
	b = append(b, `,"code":`...)
	b = appendJSONString(b, code)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, message)
	return append(b, '}')
}

func appendID(b []byte, id json.RawMessage) []byte {
	if id == nil {
		return b
	}
	b = append(b, `,"id":`...)
	return append(b, id...)
}
