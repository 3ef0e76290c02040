package lab

import (
	"fmt"
	"slices"
	"time"

	"microlab/simulator"
)

// Every live lab records its run (simulator.Record): its scenario, seed and
// each command at its virtual time. A Recorder keeps the records; a replay
// lab (StartReplay) plays one back, and a fork (StartFork) goes on live
// from a moment of one.

// Run is a lab's record as it stands, for a Recorder.
type Run struct {
	// ID names the run: a fresh 128-bit id for each run (a reset starts a
	// new one), not the lab's, so sharing a replay gives nobody the lab.
	ID      string
	Owner   string
	Title   string
	Created time.Time
	Record  simulator.Record
}

// A Recorder keeps runs. Record is called on a lab's goroutine, when a
// command is recorded, every few seconds while the run goes on and when
// the lab ends; it must not block.
type Recorder interface {
	Record(Run)
}

// SetRecorder gives the manager somewhere to keep its labs' runs; without
// one nothing is kept. Call it before the first Start.
func (m *Manager) SetRecorder(r Recorder) { m.recorder = r }

// saveEvery is how often a running lab's record is saved, in wall time,
// when nothing else made it save.
const saveEvery = 5 * time.Second

// maxRecorded is the virtual time a record covers at most: a lab that runs
// on past it keeps the first part as its record, since a replay must
// re-simulate from zero to go back.
const maxRecorded = simulator.MaxRecordLength

// recording is a lab's own record and when it was last saved.
type recording struct {
	id      string
	created time.Time
	rec     simulator.Record
	saved   time.Time
	savedNS int64
	dirty   bool
	full    bool // past maxRecorded: nothing more is added
}

// startRecording begins a new record for the run reset just started.
func (l *Lab) startRecording() {
	slug := ""
	if l.sc != nil {
		slug = l.sc.Slug
	}
	l.rc = recording{id: newID(), created: time.Now(), savedNS: -1,
		rec: simulator.Record{Version: simulator.RecordVersion, Scenario: slug, Seed: l.seed, Prediction: l.prediction}}
	id := l.rc.id
	l.runID.Store(&id)
}

// recordRefusal says why the command about to apply could not be
// recorded, or nil: only a record already full of commands refuses. Past
// maxRecorded the lab goes on and the record simply stops.
func (l *Lab) recordRefusal() error {
	rc := &l.rc
	if l.replay != nil || rc.full || l.sim.Now() > maxRecorded || len(rc.rec.Commands) < simulator.MaxRecordCommands {
		return nil
	}
	return fmt.Errorf("This run has recorded %d commands, the most one run keeps. Reset the lab to start a new run.", simulator.MaxRecordCommands)
}

// record adds a command just applied at the simulation's time, sent by
// "owner" or "viewer".
func (l *Lab) record(c simulator.Command, by string) {
	rc := &l.rc
	if l.replay != nil || rc.full {
		return
	}
	if l.sim.Now() > maxRecorded {
		rc.full = true
		return
	}
	if rc.rec.Add(l.sim.Now(), by, c) == nil {
		rc.dirty = true
	}
}

// save hands the record to the recorder when it changed: now if force,
// else at most every saveEvery.
func (l *Lab) save(force bool) {
	rc := &l.rc
	r := l.m.recorder
	if r == nil || l.replay != nil {
		return
	}
	end := int64(min(l.sim.Now(), maxRecorded))
	if !rc.full && end > rc.rec.EndNS {
		rc.rec.EndNS = end
	}
	rc.rec.Prediction = l.prediction
	changed := rc.dirty || rc.rec.EndNS != rc.savedNS
	if !changed || rc.rec.EndNS == 0 && len(rc.rec.Commands) == 0 {
		return
	}
	if !force && time.Since(rc.saved) < saveEvery {
		return
	}
	rec := rc.rec
	rec.Commands = rc.rec.Commands[:len(rc.rec.Commands):len(rc.rec.Commands)] // the lab only appends
	r.Record(Run{ID: rc.id, Owner: l.owner, Title: l.title, Created: rc.created, Record: rec})
	rc.saved, rc.savedNS, rc.dirty = time.Now(), rc.rec.EndNS, false
}

// NewRunID is a fresh run id, for a run that comes from elsewhere (an
// imported file).
func NewRunID() string { return newID() }

// RunID is the id the lab's current run is recorded under; a reset starts
// a new one.
func (l *Lab) RunID() string {
	if id := l.runID.Load(); id != nil {
		return *id
	}
	return ""
}

// seekEvery bounds how often a replay re-simulates: a seek back replays
// from zero, up to a few tens of milliseconds for a long run.
const seekEvery = 150 * time.Millisecond

// seek moves a replay to m.ms: forward by simulating on, back by replaying
// from zero. The charts' last minute is rebuilt a second at a time, and
// every viewer gets the whole state anew.
func (l *Lab) seek(m *message) []byte {
	if l.replay == nil {
		return fail(m, "invalid", "Only a recorded run can be scrubbed; a live lab moves forward.")
	}
	end := l.replay.Record().End()
	t := time.Duration(m.ms) * time.Millisecond
	if m.ms < 0 || t > end {
		return fail(m, "invalid", "ms %d out of range 0..%d (the run's end)", m.ms, int64(end/time.Millisecond))
	}
	if time.Since(l.lastSeek) < seekEvery {
		// Too soon after the last: the newest position asked for is
		// kept, and the next tick due goes there.
		l.pendingSeek = &t
		return l.ack(m, fmt.Sprintf("going to %.1f s", t.Seconds()))
	}
	l.seekNow(t)
	return l.ack(m, fmt.Sprintf("at %.1f s", l.sim.Now().Seconds()))
}

// seekNow seeks and notes when, dropping any seek still waiting.
func (l *Lab) seekNow(t time.Duration) {
	l.pendingSeek = nil
	l.seekTo(t)
	l.lastSeek = time.Now()
}

// seekDue carries out a seek that waited, once it may.
func (l *Lab) seekDue() {
	if l.pendingSeek != nil && time.Since(l.lastSeek) >= seekEvery {
		l.seekNow(*l.pendingSeek)
	}
}

// seekTo brings the replay to t and sends every viewer the state there.
func (l *Lab) seekTo(t time.Duration) {
	if t < l.sim.Now() {
		if err := l.reset(l.seed); err != nil {
			return
		}
	}
	// The charts show the last historySeconds: run straight to there when
	// it is further on, then a second at a time, keeping a row for each.
	if start := t - historySeconds*time.Second; start > l.sim.Now() {
		l.replay.RunUntil(start)
		l.fr.resetHistory()
	}
	l.historyRow()
	for s := l.sim.Now().Truncate(time.Second) + time.Second; s < t; s += time.Second {
		l.replay.RunUntil(s)
		l.historyRow()
	}
	l.replay.RunUntil(t)
	l.historyRow()
	if l.replay.Sim().Now() >= l.replay.Record().End() {
		l.state = statePaused
	}
	l.fr.have = false
	l.fr.evSeq = l.sim.EventSeq()
	snap := l.sim.Snapshot()
	rv := l.runView()
	src := source{shape: l.fr.shape, run: &rv}
	src.setSnapshot(&snap)
	vals := fillVector(&src, make([]val, 0, len(l.fr.keys)))
	msg := l.snapshotMessage(&snap, vals)
	for v := range l.viewers {
		select {
		case v.out <- msg:
			v.needKey = true
		default:
			v.needKey = true // it will get a key frame instead
		}
	}
}

// historyRow adds the charts' row for the second the simulation is in,
// unless it has one.
func (l *Lab) historyRow() {
	fr := &l.fr
	sec := int64(l.sim.Now() / time.Second)
	if sec == fr.histSec {
		return
	}
	snap := l.sim.SnapshotWithoutTimelines()
	fr.histSec = sec
	fr.addRow(chartRow(sec, &snap))
}

// advanceReplay plays the record on towards target, in slices, until the
// budget is spent; at the record's end the replay pauses.
func (l *Lab) advanceReplay(target, budget time.Duration) {
	end := l.replay.Record().End()
	target = min(target, end)
	start := time.Now()
	for l.sim.Now() < target && time.Since(start) <= budget {
		l.replay.RunUntil(min(target, l.sim.Now()+slice))
		if l.replay.Err() != nil {
			break
		}
	}
	if l.sim.Now() >= end || l.replay.Err() != nil {
		l.state, l.ffUntil = statePaused, 0
	}
}

// StartReplay starts a lab that plays rec back, for one viewer at client
// address addr (owner is their learner, if any): it ends when they leave.
// It counts against the server's and the address's labs, not the
// learner's. rec must be valid (simulator.Record.Validate).
func (m *Manager) StartReplay(owner, addr string, rec *simulator.Record) (*Lab, error) {
	sc, err := recordScenario(rec)
	if err != nil {
		return nil, err
	}
	return m.launch(owner, addr, false, func() (*Lab, error) {
		l, err := newLabFrom(m, owner, sc, rec.Seed, rec)
		if err != nil {
			return nil, err
		}
		l.state, l.prediction = statePaused, rec.Prediction
		l.predicted.Store(rec.Prediction >= 0)
		// A replay does not stop at the stages' questions, and a viewer
		// who answers one in the tab may read its explanation.
		l.answered.Store(1<<len(l.answers) - 1)
		return l, nil
	})
}

// StartFork starts a live lab owned by owner, from the state rec's run had
// at virtual time at: the same scenario and seed, the commands up to at
// replayed, and the owner in control from there. The fork records a run
// of its own, starting with those commands.
func (m *Manager) StartFork(owner, addr string, rec *simulator.Record, at time.Duration) (*Lab, error) {
	sc, err := recordScenario(rec)
	if err != nil {
		return nil, err
	}
	if at < 0 || at > rec.End() {
		return nil, fmt.Errorf("lab: fork at %v is outside the run (0 to %v)", at, rec.End())
	}
	prefix := *rec
	prefix.EndNS, prefix.Commands = int64(at), nil
	for _, c := range rec.Commands {
		if c.AtNS <= int64(at) {
			prefix.Commands = append(prefix.Commands, c)
		}
	}
	p, err := simulator.NewReplayer(&prefix)
	if err != nil {
		return nil, err
	}
	p.RunUntil(at)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return m.launch(owner, addr, true, func() (*Lab, error) {
		l, err := newLab(m, owner, sc, rec.Seed)
		if err != nil {
			return nil, err
		}
		l.sim, l.script = p.Sim(), p.Script()
		if l.script != nil {
			l.script.HoldAtQuestions()
		}
		l.prediction = rec.Prediction
		l.predicted.Store(rec.Prediction >= 0)
		if sc == nil || rec.Prediction >= 0 {
			l.state = statePaused
		}
		l.rc.rec.Commands = slices.Clone(prefix.Commands)
		l.rc.rec.EndNS, l.rc.rec.Prediction, l.rc.dirty = int64(at), rec.Prediction, true
		return l, nil
	})
}

func recordScenario(rec *simulator.Record) (*simulator.Scenario, error) {
	if rec.Scenario == "" {
		return nil, nil
	}
	sc, ok := simulator.ScenarioBySlug(rec.Scenario)
	if !ok {
		return nil, fmt.Errorf("lab: no scenario %q", rec.Scenario)
	}
	return &sc, nil
}
