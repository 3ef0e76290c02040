package lab

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// classWatch collects the class messages a viewer is sent.
func classWatch(v *Viewer) <-chan map[string]any {
	out := make(chan map[string]any, 64)
	go func() {
		for f := range v.Frames() {
			if strings.HasPrefix(string(f.Bytes()), `{"type":"class"`) {
				var m map[string]any
				json.Unmarshal(f.Bytes(), &m)
				out <- m
			}
		}
	}()
	return out
}

// nextClass waits for a class message that satisfies ok.
func nextClass(t *testing.T, ch <-chan map[string]any, what string, ok func(m map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-ch:
			if ok(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no class message with %s", what)
		}
	}
}

func reply(t *testing.T, v *Viewer, msg string) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(v.Send([]byte(msg)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// In class mode the owner sees the viewers' votes tallied, the viewers do
// not; control handed to a viewer lets them command the shop (recorded as
// the viewer's) but not run the class; taken back, it is gone; once the
// owner predicts, the vote is closed.
func TestClassModeTalliesVotesAndHandsControl(t *testing.T) {
	kept := &keptRuns{}
	m := newTestManager(t)
	m.SetRecorder(kept)
	sc := mustScenario(t, "payment-outage")
	l, err := m.Start("teacher", "192.0.2.1", &sc)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.End(CloseNormal, "done"); <-l.Done() }()
	owner, _ := l.Join(true, "192.0.2.1")
	ann, _ := l.Join(false, "192.0.2.2")
	bo, _ := l.Join(false, "192.0.2.3")
	for _, v := range []*Viewer{owner, ann, bo} {
		defer v.Leave()
	}
	ownerClass, annClass := classWatch(owner), classWatch(ann)
	go func() {
		for range bo.Frames() {
		}
	}()

	if r := reply(t, ann, `{"type":"vote","option":1}`); r["code"] != "invalid" {
		t.Errorf("a vote with class mode off: %v", r)
	}
	if r := reply(t, ann, `{"type":"class","on":true}`); r["code"] != "read-only" {
		t.Errorf("a viewer turning class mode on: %v", r)
	}
	if r := reply(t, owner, `{"type":"class","on":true}`); r["type"] != "ack" {
		t.Fatalf("class on: %v", r)
	}
	for _, msg := range []string{`{"type":"vote","option":1}`, `{"type":"vote","option":2}`} {
		if r := reply(t, ann, msg); r["type"] != "ack" {
			t.Fatalf("%s: %v", msg, r)
		}
	}
	if r := reply(t, bo, `{"type":"vote","option":1}`); r["type"] != "ack" {
		t.Fatal(r)
	}
	if r := reply(t, bo, `{"type":"vote","option":9}`); r["code"] != "invalid" {
		t.Errorf("a vote out of range: %v", r)
	}
	tally := nextClass(t, ownerClass, "both votes tallied", func(m map[string]any) bool { return m["voted"] == 2.0 })
	if got, _ := json.Marshal(tally["votes"]); string(got) != "[0,1,1,0]" && string(got) != "[0,1,1]" {
		t.Errorf("the tally is %s, want one vote each for B and C", got)
	}
	if got, _ := json.Marshal(tally["viewers"]); string(got) != "[2,3]" {
		t.Errorf("the owner is told of viewers %s, want [2,3]", got)
	}
	seen := nextClass(t, annClass, "class mode on", func(m map[string]any) bool { return m["on"] == true })
	if _, ok := seen["votes"]; ok {
		t.Errorf("a viewer was shown the tally: %v", seen)
	}

	// Control to bo (viewer 3), and back.
	if r := reply(t, ann, `{"type":"kill","target":"catalog-1"}`); r["code"] != "read-only" {
		t.Errorf("a viewer without control commanding: %v", r)
	}
	if r := reply(t, owner, `{"type":"hand","viewer":9}`); r["code"] != "not-found" {
		t.Errorf("handing control to nobody: %v", r)
	}
	if r := reply(t, owner, `{"type":"hand","viewer":3}`); r["type"] != "ack" {
		t.Fatal(r)
	}
	nextClass(t, annClass, "viewer 3 in control", func(m map[string]any) bool { return m["controller"] == 3.0 })
	if r := reply(t, bo, `{"type":"kill","target":"catalog-1"}`); r["type"] != "ack" {
		t.Errorf("the viewer handed control commanding: %v", r)
	}
	for _, msg := range []string{`{"type":"take-back"}`, `{"type":"hand","viewer":2}`, `{"type":"predict","option":1}`, `{"type":"reset"}`} {
		if r := reply(t, bo, msg); r["code"] != "read-only" {
			t.Errorf("the viewer in control sending %s: %v", msg, r)
		}
	}
	if r := reply(t, owner, `{"type":"take-back"}`); r["type"] != "ack" {
		t.Fatal(r)
	}
	if r := reply(t, bo, `{"type":"kill","target":"catalog-2"}`); r["code"] != "read-only" {
		t.Errorf("after take-back the viewer still commands: %v", r)
	}

	// The owner's prediction starts the run and closes the vote.
	if r := reply(t, owner, `{"type":"predict","option":1}`); r["type"] != "ack" {
		t.Fatal(r)
	}
	if r := reply(t, ann, `{"type":"vote","option":0}`); r["code"] != "closed" {
		t.Errorf("a vote after the run started: %v", r)
	}
	l.End(CloseNormal, "done")
	<-l.Done()
	run, _ := kept.get(kept.last)
	if len(run.Record.Commands) != 1 || run.Record.Commands[0].By != "viewer" {
		t.Errorf("the recorded commands: %+v, want the kill, by a viewer", run.Record.Commands)
	}
}
