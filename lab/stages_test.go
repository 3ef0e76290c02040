package lab

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"microlab/simulator"
)

// A guided lab stops its clock at a stage's question, refuses to run on
// until the owner answers, answers only the question it is held at, and
// keeps the answer across a reset. The lab is driven by hand, as its
// goroutine would drive it.
func TestAGuidedLabHoldsAtEachQuestion(t *testing.T) {
	sc, _ := simulator.ScenarioBySlug("payment-outage")
	ask := -1
	for i, st := range sc.Stages {
		if st.Asks() {
			ask = i
			break
		}
	}
	l, err := newLab(newTestManager(t), "owner", &sc, 1)
	if err != nil {
		t.Fatal(err)
	}
	send := func(msg string) map[string]any {
		t.Helper()
		m, ref := parseMessage([]byte(msg))
		if ref != nil {
			t.Fatalf("%s: %s", msg, ref.message)
		}
		var out map[string]any
		if err := json.Unmarshal(l.handle(m), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	stage := func(i int) string { return `{"type":"predict","option":1,"stage":` + itoa(i) + `}` }

	if r := send(stage(ask)); r["code"] != "invalid" {
		t.Errorf("answering stage %d before the run reaches it: %v", ask, r)
	}
	if r := send(`{"type":"predict","option":1}`); r["type"] != "ack" {
		t.Fatalf("the opening prediction: %v", r)
	}
	at := sc.Stages[ask].At
	l.advance(at+5*time.Second, time.Minute)
	if l.state != stateAsking || l.sim.Now() != at || l.runView().asking != ask || l.Answered(ask) {
		t.Fatalf("past the question: state %s at %v, asking %d; want %s at %v asking %d",
			l.state, l.sim.Now(), l.runView().asking, stateAsking, at, ask)
	}
	for _, msg := range []string{`{"type":"resume"}`, `{"type":"pause"}`, `{"type":"step"}`, `{"type":"fast-forward","seconds":5}`} {
		if r := send(msg); r["code"] != "waiting" || !strings.Contains(r["message"].(string), "question") {
			t.Errorf("%s while asking: %v, want waiting", msg, r)
		}
	}
	if r := send(stage(0)); r["type"] != "error" {
		t.Errorf("answering the opening prediction again: %v", r)
	}
	if r := send(stage(ask + 1)); r["code"] != "invalid" {
		t.Errorf("answering a stage the run is not held at: %v", r)
	}
	if r := send(`{"type":"predict","option":9,"stage":` + itoa(ask) + `}`); r["code"] != "invalid" {
		t.Errorf("an option out of range: %v", r)
	}
	if r := send(stage(ask)); r["type"] != "ack" {
		t.Fatalf("the stage's answer: %v", r)
	}
	if l.state != stateRunning || !l.Answered(ask) || l.runView().answers[ask] != 1 {
		t.Fatalf("after the answer: state %s, answered %v, answers %v", l.state, l.Answered(ask), l.runView().answers)
	}
	if r := send(stage(ask)); r["code"] != "invalid" || !strings.Contains(r["message"].(string), "already") {
		t.Errorf("answering twice: %v", r)
	}
	l.advance(at+5*time.Second, time.Minute)
	if l.sim.Now() != at+5*time.Second {
		t.Fatalf("the run did not go on: at %v", l.sim.Now())
	}

	// A reset starts over at 0 s with the answers kept: the run goes
	// through the question it has answered.
	if r := send(`{"type":"reset"}`); r["type"] != "ack" {
		t.Fatal(r)
	}
	l.state = stateRunning
	l.advance(at+time.Second, time.Minute)
	if l.state != stateRunning || l.sim.Now() != at+time.Second {
		t.Errorf("after a reset the answered question held the run: state %s at %v", l.state, l.sim.Now())
	}
}
