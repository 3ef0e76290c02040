package lab

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"microlab/simulator"
)

// keptRuns is a Recorder that keeps the last version of each run.
type keptRuns struct {
	mu   sync.Mutex
	runs map[string]Run
	last string
}

func (k *keptRuns) Record(r Run) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.runs == nil {
		k.runs = map[string]Run{}
	}
	k.runs[r.ID], k.last = r, r.ID
}

func (k *keptRuns) get(id string) (Run, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r, ok := k.runs[id]
	return r, ok
}

// sendTo carries out one message on a lab the test drives by hand.
func sendTo(t *testing.T, l *Lab, msg string) map[string]any {
	t.Helper()
	m, ref := parseMessage([]byte(msg))
	if ref != nil {
		t.Fatalf("%s: %s", msg, ref.message)
	}
	var out map[string]any
	if err := json.Unmarshal(l.handle(m), &out); err != nil {
		t.Fatal(err)
	}
	if out["type"] == "error" {
		t.Fatalf("%s: %v", msg, out)
	}
	return out
}

// state is what must match byte for byte: the simulator's whole snapshot
// and every event it has logged.
func state(t *testing.T, sim *simulator.Sim) (snap, events string) {
	t.Helper()
	s, err := json.Marshal(sim.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	e, err := json.Marshal(sim.Events(0))
	if err != nil {
		t.Fatal(err)
	}
	return string(s), string(e)
}

// driveScenario plays a guided lab the way its goroutine and a learner
// would: frames built between uneven slices of time (a tick at 1×, 3.7×,
// a fast-forward), commands at odd virtual times, a hold at a stage's
// question answered before going on.
func driveScenario(t *testing.T, l *Lab) {
	t.Helper()
	v := newTestViewer(l)
	go func() {
		for range v.out {
		}
	}()
	tickTo := func(target time.Duration) {
		for l.sim.Now() < target && l.state != stateAsking {
			l.advance(min(target, l.sim.Now()+37*time.Millisecond+time.Duration(l.fr.ticks%5)*113*time.Millisecond), time.Minute)
			l.broadcast()
		}
	}
	// A setup command before the prediction, at 0 s.
	sendTo(t, l, `{"type":"timeout","edge":"orders>payment","ms":900}`)
	sendTo(t, l, `{"type":"predict","option":1}`)
	tickTo(1237 * time.Millisecond)
	sendTo(t, l, `{"type":"kill","target":"catalog-2"}`)
	tickTo(4_555_555_555)
	sendTo(t, l, `{"type":"latency","service":"inventory","ms":180}`)
	sendTo(t, l, `{"type":"retries","edge":"orders>inventory","retries":2}`)
	for l.state != stateAsking && l.sim.Now() < l.script.Duration() {
		tickTo(l.script.Duration())
	}
	if l.state == stateAsking {
		sendTo(t, l, `{"type":"restart","target":"catalog-2"}`) // while held at the question
		sendTo(t, l, `{"type":"predict","option":0,"stage":`+itoa(l.script.Asking())+`}`)
	}
	tickTo(l.sim.Now() + 3_333_333_333)
	sendTo(t, l, `{"type":"error-rate","service":"payment","rate":0.25}`)
	tickTo(l.script.Duration())
	l.save(true)
	close(v.out)
	delete(l.viewers, v)
}

// A recorded live lab replays headless to the same final snapshot and the
// same events, byte for byte.
func TestARecordedRunReplaysByteForByte(t *testing.T) {
	kept := &keptRuns{}
	m := newTestManager(t)
	m.SetRecorder(kept)
	sc, _ := simulator.ScenarioBySlug("payment-outage")
	l, err := newLab(m, "owner", &sc, 7)
	if err != nil {
		t.Fatal(err)
	}
	driveScenario(t, l)
	run, ok := kept.get(l.RunID())
	if !ok {
		t.Fatal("the lab saved no run")
	}
	rec := run.Record
	if len(rec.Commands) != 6 || rec.Scenario != "payment-outage" || rec.Seed != 7 || rec.Prediction != 1 || rec.End() != l.sim.Now() {
		t.Fatalf("record: %d commands, scenario %q, seed %d, prediction %d, end %v (lab at %v)",
			len(rec.Commands), rec.Scenario, rec.Seed, rec.Prediction, rec.End(), l.sim.Now())
	}
	if rec.Commands[0].AtNS != 0 || rec.Commands[1].AtNS != 1237e6 || rec.Commands[2].AtNS != 4_555_555_555 {
		t.Errorf("recorded times %d, %d, %d; want 0, 1237e6, 4555555555", rec.Commands[0].AtNS, rec.Commands[1].AtNS, rec.Commands[2].AtNS)
	}
	// Through a file, as an export would carry it.
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	back, err := simulator.DecodeRecord(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := simulator.NewReplayer(back)
	if err != nil {
		t.Fatal(err)
	}
	p.RunUntil(back.End())
	if p.Err() != nil || p.Applied() != 6 {
		t.Fatalf("replay applied %d commands: %v", p.Applied(), p.Err())
	}
	liveSnap, liveEvents := state(t, l.sim)
	snap, events := state(t, p.Sim())
	if snap != liveSnap {
		t.Errorf("the replay's final snapshot differs from the live run's:\nlive   %.300s\nreplay %.300s", liveSnap, snap)
	}
	if events != liveEvents {
		t.Errorf("the replay's events differ from the live run's (%d and %d bytes)", len(liveEvents), len(events))
	}
	// The script keeps every event since 0 s (the simulator's own log
	// keeps the last few hundred), and the checks' verdicts.
	liveRes, _ := json.Marshal(l.script.Result())
	res, _ := json.Marshal(p.Script().Result())
	if string(res) != string(liveRes) {
		t.Errorf("the replay's result (verdicts, figures, every event) differs from the live run's (%d and %d bytes)", len(liveRes), len(res))
	}
	if !strings.Contains(liveEvents, "catalog-2") {
		t.Errorf("the run's events do not show the commands: %.200s", liveEvents)
	}
}

// A fork from a moment of a replay, given more commands, reaches the state
// a fresh replay of the prefix and those commands reaches.
func TestAForkGoesOnLikeAFreshRunOfTheSamePrefix(t *testing.T) {
	kept := &keptRuns{}
	m := newTestManager(t)
	m.SetRecorder(kept)
	rec := &simulator.Record{Version: simulator.RecordVersion, Seed: 42, EndNS: 20e9, Prediction: -1,
		Commands: []simulator.RecordedCommand{
			{AtNS: 2_100_000_001, By: "owner", Command: simulator.Command{Type: "kill", Target: "catalog-1"}},
			{AtNS: 9_999_999_999, By: "owner", Command: simulator.Command{Type: "crash", Service: "payment"}},
			{AtNS: 15e9, By: "owner", Command: simulator.Command{Type: "restore", Service: "payment"}},
		}}
	if err := rec.Validate(); err != nil {
		t.Fatal(err)
	}
	at := 11_111_111_111 * time.Nanosecond
	l, err := m.StartFork("forker", "192.0.2.1", rec, at)
	if err != nil {
		t.Fatal(err)
	}
	ms := int64(2345)
	// The fork's goroutine runs; drive it through a viewer, as a learner.
	v, err := l.Join(true, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Leave()
	go func() {
		for range v.Frames() {
		}
	}()
	for _, msg := range []string{
		`{"type":"latency","service":"inventory","ms":250}`,
		`{"type":"step","ms":` + itoa(int(ms)) + `}`,
		`{"type":"scale","service":"catalog","instances":4}`,
		`{"type":"step","ms":5000}`,
	} {
		if r := v.Send([]byte(msg)); strings.Contains(string(r), `"error"`) {
			t.Fatalf("%s: %s", msg, r)
		}
	}
	l.End(CloseNormal, "done")
	<-l.Done()
	run, ok := kept.get(kept.last)
	if !ok || run.Owner != "forker" {
		t.Fatalf("the fork saved no run of its own: %+v", run)
	}
	got := run.Record
	if len(got.Commands) != 4 || got.Commands[2].AtNS != int64(at) || got.End() != at+time.Duration(ms+5000)*time.Millisecond {
		t.Fatalf("the fork's record: %+v", got)
	}
	want := &simulator.Record{Version: simulator.RecordVersion, Seed: 42, EndNS: got.EndNS, Prediction: -1,
		Commands: append(append([]simulator.RecordedCommand{}, rec.Commands[:2]...),
			simulator.RecordedCommand{AtNS: int64(at), By: "owner", Command: simulator.Command{Type: "latency", Service: "inventory", MS: ptr(int64(250))}},
			simulator.RecordedCommand{AtNS: int64(at) + ms*1e6, By: "owner", Command: simulator.Command{Type: "scale", Service: "catalog", Instances: ptr(4)}})}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("the fork recorded\n%s\nwant\n%s", gb, wb)
	}
	fresh, err := simulator.NewReplayer(want)
	if err != nil {
		t.Fatal(err)
	}
	fresh.RunUntil(want.End())
	if fresh.Err() != nil {
		t.Fatal(fresh.Err())
	}
	forkSnap, forkEvents := state(t, l.sim) // the lab's goroutine has ended
	freshSnap, freshEvents := state(t, fresh.Sim())
	if forkSnap != freshSnap || forkEvents != freshEvents {
		t.Errorf("the fork's final state differs from a fresh run of the same prefix and commands")
	}
}

// A replay scrubbed back and forth lands on the state a straight run to
// the same moment has, sends the viewer that state, and refuses changes.
func TestAReplaySeeksToTheSameStateAsAStraightRun(t *testing.T) {
	m := newTestManager(t)
	rec := &simulator.Record{Version: simulator.RecordVersion, Scenario: "payment-outage", Seed: 3, EndNS: 40e9, Prediction: 2,
		Commands: []simulator.RecordedCommand{
			{AtNS: 3_000_000_007, By: "owner", Command: simulator.Command{Type: "kill", Target: "catalog-2"}},
			{AtNS: 25e9, By: "owner", Command: simulator.Command{Type: "restart", Target: "catalog-2"}},
		}}
	l, err := newLabFrom(m, "viewer", ptr(mustScenario(t, "payment-outage")), rec.Seed, rec)
	if err != nil {
		t.Fatal(err)
	}
	l.state = statePaused
	v := newTestViewer(l)
	for _, to := range []int{30000, 12345, 39999, 0, 26000} {
		l.lastSeek = time.Time{}
		r := sendTo(t, l, `{"type":"seek","ms":`+itoa(to)+`}`)
		if r["type"] != "ack" {
			t.Fatalf("seek to %d: %v", to, r)
		}
		straight, _ := simulator.NewReplayer(rec)
		straight.RunUntil(time.Duration(to) * time.Millisecond)
		gotSnap, gotEvents := state(t, l.sim)
		wantSnap, wantEvents := state(t, straight.Sim())
		if gotSnap != wantSnap || gotEvents != wantEvents {
			t.Errorf("after seeking to %d ms the state differs from a straight run there", to)
		}
		select {
		case f := <-v.out:
			if !strings.HasPrefix(string(f.Bytes()), `{"type":"snapshot"`) {
				t.Errorf("after a seek the viewer got %.60s, want a snapshot", f.Bytes())
			}
		default:
			t.Errorf("after seeking to %d ms the viewer got nothing", to)
		}
		if n := len(l.fr.hist); to >= 60000 && n != historySeconds || to > 0 && to < 60000 && n != to/1000+1 {
			t.Errorf("after seeking to %d ms the charts hold %d seconds", to, n)
		}
	}
	for msg, code := range map[string]string{
		`{"type":"seek","ms":40001}`: "invalid",
		`{"type":"seek","ms":-1}`:    "invalid",
	} {
		m, _ := parseMessage([]byte(msg))
		var out map[string]any
		json.Unmarshal(l.handle(m), &out)
		if out["code"] != code {
			t.Errorf("%s: %v, want %s", msg, out, code)
		}
	}
	// A seek straight after another waits for the next tick due, and only
	// the newest one waiting is carried out.
	sendTo(t, l, `{"type":"seek","ms":1000}`)
	sendTo(t, l, `{"type":"seek","ms":2000}`)
	if l.sim.Now() != 26*time.Second || l.pendingSeek == nil || *l.pendingSeek != 2*time.Second {
		t.Fatalf("two seeks too soon: at %v, waiting %v", l.sim.Now(), l.pendingSeek)
	}
	l.lastSeek = time.Now().Add(-seekEvery)
	l.seekDue()
	if l.sim.Now() != 2*time.Second || l.pendingSeek != nil {
		t.Errorf("the waiting seek went to %v", l.sim.Now())
	}
	// A replay's viewer may play it back but not change it.
	rv := &Viewer{lab: l, out: make(chan *Frame, 1), gone: make(chan struct{}), bucket: &tokenBucket{}}
	if r := string(rv.Send([]byte(`{"type":"kill","target":"catalog-1"}`))); !strings.Contains(r, "read-only") {
		t.Errorf("a command on a replay: %s", r)
	}
	if r := string(rv.Send([]byte(`{"type":"reset"}`))); !strings.Contains(r, "read-only") {
		t.Errorf("a reset on a replay: %s", r)
	}
}

func ptr[T any](v T) *T { return &v }

func mustScenario(t *testing.T, slug string) simulator.Scenario {
	t.Helper()
	sc, ok := simulator.ScenarioBySlug(slug)
	if !ok {
		t.Fatalf("no scenario %s", slug)
	}
	return sc
}

// BenchmarkSeekBack is the dearest seek: from the end of a run back to
// just before it, which replays from zero, for a 10-minute and a
// 30-minute (the longest) run of free play with a command a second.
func BenchmarkSeekBack(b *testing.B) {
	for _, minutes := range []int{10, 30} {
		b.Run(itoa(minutes)+"min", func(b *testing.B) {
			end := time.Duration(minutes) * time.Minute
			rec := &simulator.Record{Version: simulator.RecordVersion, Seed: 5, EndNS: int64(end), Prediction: -1}
			for s := time.Duration(0); s < end && len(rec.Commands) < simulator.MaxRecordCommands; s += time.Second {
				ms := int64(s/time.Second%200) + 20
				rec.Commands = append(rec.Commands, simulator.RecordedCommand{AtNS: int64(s), By: "owner",
					Command: simulator.Command{Type: "latency", Service: "inventory", MS: &ms}})
			}
			l, err := newLabFrom(newTestManager(b), "viewer", nil, rec.Seed, rec)
			if err != nil {
				b.Fatal(err)
			}
			l.seekTo(end)
			for b.Loop() {
				l.seekTo(end - time.Second)
				l.seekTo(end) // forward again: one second, cheap
			}
			if l.replay.Err() != nil {
				b.Fatal(l.replay.Err())
			}
		})
	}
}
