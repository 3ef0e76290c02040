package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// A Record is a run as data: the scenario (or free play), the seed, and every
// command at the virtual time it was applied. The simulation is deterministic,
// so a Record replays the run exactly: Replay it to any time and the state is
// the one the live run had then, byte for byte.
//
// The configuration is DefaultConfig with Seed; a scenario's own changes are
// its timeline's steps, which replay with it. What a lab does to pace a run
// (speed, pause, step, fast-forward) changes no virtual time and is not kept.
type Record struct {
	// Version is RecordVersion; a file of another version is refused.
	Version int `json:"version"`
	// Scenario is the scenario's slug, empty for free play.
	Scenario string `json:"scenario,omitempty"`
	Seed     uint64 `json:"seed"`
	// EndNS is the virtual time the run reached, in nanoseconds.
	EndNS int64 `json:"end_ns"`
	// Prediction is the option the learner predicted (-1: none), kept to
	// show beside the replay; it does not change the run.
	Prediction int `json:"prediction"`
	// Commands are in time order; two at the same time apply in the order
	// given.
	Commands []RecordedCommand `json:"commands"`
}

// RecordedCommand is one command and the virtual time it applied at.
type RecordedCommand struct {
	AtNS int64 `json:"at_ns"`
	// By says who sent it: "owner", or "viewer" for a viewer the owner had
	// handed control to.
	By      string  `json:"by"`
	Command Command `json:"command"`
}

// Bounds of a Record, for files from outside.
const (
	RecordVersion = 1
	// MaxRecordCommands is the most commands one run keeps.
	MaxRecordCommands = 1000
	// MaxRecordLength is the longest run a record may describe, in virtual
	// time: a replay goes back by re-simulating from zero, and checking a
	// file replays it whole, so this bounds what either costs (about a
	// quarter of a second of CPU; BenchmarkSeekBack in lab).
	MaxRecordLength = 30 * time.Minute
	// MaxRecordSeed is the largest seed: JSON numbers above 2^53 lose
	// precision in a browser.
	MaxRecordSeed = 1<<53 - 1
	// MaxRecordBytes bounds a record file.
	MaxRecordBytes = 1 << 20
)

// End is the virtual time the run reached.
func (r *Record) End() time.Duration { return time.Duration(r.EndNS) }

// Add appends a command applied at virtual time at. It refuses a command
// past the bound, or earlier than the last one kept.
func (r *Record) Add(at time.Duration, by string, c Command) error {
	if len(r.Commands) >= MaxRecordCommands {
		return fmt.Errorf("this run has recorded %d commands, the most one run keeps; reset it or start a new lab", MaxRecordCommands)
	}
	if n := len(r.Commands); n > 0 && int64(at) < r.Commands[n-1].AtNS {
		return fmt.Errorf("record: command at %v is before the last one (%v)", at, time.Duration(r.Commands[n-1].AtNS))
	}
	r.Commands = append(r.Commands, RecordedCommand{AtNS: int64(at), By: by, Command: c})
	if int64(at) > r.EndNS {
		r.EndNS = int64(at)
	}
	return nil
}

// Validate checks a record from outside: its version, scenario, seed and
// length, and every command's shape, time order and sender. Whether each
// command applies to the state it meets is found by replaying it (see
// CheckRecord).
func (r *Record) Validate() error {
	if r.Version != RecordVersion {
		return fmt.Errorf("version %d: this Microlab reads version %d", r.Version, RecordVersion)
	}
	if r.Scenario != "" {
		if _, ok := ScenarioBySlug(r.Scenario); !ok {
			return fmt.Errorf("scenario %q: no such scenario", truncate(r.Scenario, 40))
		}
	}
	if r.Seed > MaxRecordSeed {
		return fmt.Errorf("seed %d: out of range 0..%d", r.Seed, uint64(MaxRecordSeed))
	}
	if r.EndNS < 0 || r.EndNS > int64(MaxRecordLength) {
		return fmt.Errorf("end_ns %d: a run lasts 0 to %v of virtual time", r.EndNS, MaxRecordLength)
	}
	if r.Prediction < -1 || r.Prediction > 25 {
		return fmt.Errorf("prediction %d: out of range -1..25", r.Prediction)
	}
	if len(r.Commands) > MaxRecordCommands {
		return fmt.Errorf("%d commands: a run keeps at most %d", len(r.Commands), MaxRecordCommands)
	}
	last := int64(0)
	for i := range r.Commands {
		c := &r.Commands[i]
		switch {
		case c.AtNS < last:
			return fmt.Errorf("command %d (%s): at_ns %d is before the command ahead of it (%d); commands must be in time order", i+1, truncate(c.Command.Type, 40), c.AtNS, last)
		case c.AtNS > r.EndNS:
			return fmt.Errorf("command %d (%s): at_ns %d is after the run's end (%d)", i+1, truncate(c.Command.Type, 40), c.AtNS, r.EndNS)
		case c.By != "owner" && c.By != "viewer":
			return fmt.Errorf("command %d: by %q must be \"owner\" or \"viewer\"", i+1, truncate(c.By, 40))
		}
		if _, err := c.Command.checkShape(); err != nil {
			return fmt.Errorf("command %d: %w", i+1, err)
		}
		last = c.AtNS
	}
	return nil
}

// DecodeRecord reads one record from at most MaxRecordBytes of data,
// refusing unknown fields, and validates it.
func DecodeRecord(rd io.Reader) (*Record, error) {
	data, err := io.ReadAll(io.LimitReader(rd, MaxRecordBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxRecordBytes {
		return nil, fmt.Errorf("the file is over %d KB, more than any run needs", MaxRecordBytes>>10)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a Microlab run file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a Microlab run file: more than one JSON value")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Replayer re-runs a Record: RunUntil(t) brings the simulation to t,
// applying the recorded commands and the scenario's steps on the way, just
// as the live run did. It only goes forward; to go back, start a new one.
type Replayer struct {
	rec    *Record
	sim    *Sim
	script *Script // nil in free play
	next   int     // the next command to apply
	err    error
}

// maxReplayEvents bounds the events a replayed script keeps for its checks,
// as a live lab's does.
const maxReplayEvents = 50000

// NewReplayer starts rec at virtual time zero. rec must be valid.
func NewReplayer(rec *Record) (*Replayer, error) {
	cfg := DefaultConfig()
	cfg.Seed = rec.Seed
	sim, err := New(cfg)
	if err != nil {
		return nil, err
	}
	p := &Replayer{rec: rec, sim: sim}
	if rec.Scenario != "" {
		sc, ok := ScenarioBySlug(rec.Scenario)
		if !ok {
			return nil, fmt.Errorf("scenario %q: no such scenario", rec.Scenario)
		}
		p.script = NewScript(&sc, sim, 0)
		p.script.LimitEvents(maxReplayEvents)
	}
	return p, nil
}

// Sim is the simulation being replayed.
func (p *Replayer) Sim() *Sim { return p.sim }

// Script is the scenario's script, nil in free play.
func (p *Replayer) Script() *Script { return p.script }

// Record is what is replayed.
func (p *Replayer) Record() *Record { return p.rec }

// Applied is how many recorded commands have been applied.
func (p *Replayer) Applied() int { return p.next }

// Err is the first recorded command that failed to apply, if any: a record
// edited by hand, or made by another version of the simulator. The replay
// stops there.
func (p *Replayer) Err() error { return p.err }

// RunUntil advances to t (no further than the record's end), applying each
// command due on the way at its own time.
func (p *Replayer) RunUntil(t time.Duration) {
	t = min(t, p.rec.End())
	for p.err == nil && p.next < len(p.rec.Commands) && time.Duration(p.rec.Commands[p.next].AtNS) <= t {
		c := &p.rec.Commands[p.next]
		at := time.Duration(c.AtNS)
		p.advance(at)
		if err := p.sim.Apply(at, c.Command); err != nil {
			p.err = fmt.Errorf("command %d (%s) at %.3f s: %w", p.next+1, c.Command.Type, at.Seconds(), err)
			return
		}
		p.next++
	}
	if p.err == nil {
		p.advance(t)
	}
}

func (p *Replayer) advance(t time.Duration) {
	if p.script != nil {
		p.script.RunUntil(t)
	} else {
		p.sim.RunUntil(t)
	}
}

// CheckRecord replays rec to its end and reports the first command that does not
// apply: a record that passes Validate and Check replays without error.
func CheckRecord(rec *Record) error {
	p, err := NewReplayer(rec)
	if err != nil {
		return err
	}
	p.RunUntil(rec.End())
	return p.Err()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// RunSummary is what a replayed run showed: its checks' verdicts (a
// scenario's), its key figures, the gateway second by second, and the
// traffic it met.
type RunSummary struct {
	Checks        []Verdict
	Figures       []Figure
	Timeline      []Sample
	Arrivals      uint64
	ArrivalDigest string
}

// Summarize replays rec to its end, sampling the gateway every second.
func Summarize(rec *Record) (RunSummary, error) {
	var out RunSummary
	p, err := NewReplayer(rec)
	if err != nil {
		return out, err
	}
	for t := rollSlot; t <= rec.End(); t += rollSlot {
		p.RunUntil(t)
		out.Timeline = append(out.Timeline, p.sim.gatewaySecond(t))
	}
	p.RunUntil(rec.End())
	if err := p.Err(); err != nil {
		return out, err
	}
	if p.script != nil {
		out.Checks = append([]Verdict(nil), p.script.Verdicts()...)
	}
	out.Figures = keyFigures(p.sim, p.sim.Snapshot())
	n, digest := p.sim.Arrivals()
	out.Arrivals, out.ArrivalDigest = n, strconv.FormatUint(digest, 16)
	return out, nil
}

// landmarkKinds are the events a replay can jump to: the moments a run
// turns.
var landmarkKinds = map[string]bool{
	"command": true, "breaker": true, "kill": true, "evict": true,
	"registry-down": true, "registry-up": true, "broker-down": true, "broker-up": true,
	"saga-stuck": true, "event-lost": true, "dead-letter": true,
}

// MaxLandmarks bounds the landmarks of one run.
const MaxLandmarks = 200

// Landmarks replays rec and lists the moments worth jumping to: commands
// (the learner's and the scenario's), breakers changing state, instances
// killed or evicted, the registry or broker going down or up, sagas stuck,
// events lost. Events of one kind within a second of the last kept one are
// left out, so a flapping breaker is one landmark a second, and at most
// MaxLandmarks are kept.
func Landmarks(rec *Record) ([]Mark, error) {
	p, err := NewReplayer(rec)
	if err != nil {
		return nil, err
	}
	var out []Mark
	last := map[string]float64{}
	var seq uint64
	for t := time.Duration(0); t < rec.End() && len(out) < MaxLandmarks; {
		t = min(t+rollSlot, rec.End())
		p.RunUntil(t)
		for _, e := range p.sim.Events(seq) {
			seq = e.Seq
			if !landmarkKinds[e.Kind] || len(out) >= MaxLandmarks {
				continue
			}
			if at, ok := last[e.Kind]; ok && e.AtMS-at < 1000 {
				continue
			}
			last[e.Kind] = e.AtMS
			out = append(out, Mark{At: e.AtMS / 1000, Label: e.Message})
		}
	}
	return out, p.Err()
}
