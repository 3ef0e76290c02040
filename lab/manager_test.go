package lab

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"microlab/simulator"
)

// The manager's refusals are sentinel errors, in the order a learner meets
// them: their own limit first, then the server's, and nothing once closing.
func TestManagerRefusals(t *testing.T) {
	m := NewManager(Limits{PerLearner: 1, Total: 2, Idle: time.Minute}, slogDiscard())
	defer m.Close()
	sc, _ := simulator.ScenarioBySlug("dead-instance")
	a, err := m.Start("ann", "192.0.2.1", &sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Start("ann", "192.0.2.1", nil); !errors.Is(err, ErrTooMany) {
		t.Errorf("a second lab for ann: %v, want ErrTooMany", err)
	}
	if _, err := m.Start("bob", "192.0.2.1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Start("cy", "192.0.2.1", nil); !errors.Is(err, ErrFull) {
		t.Errorf("a third lab on a server of two: %v, want ErrFull", err)
	}
	if got := m.Owned("ann"); len(got) != 1 || got[0].ID != a.Info().ID || got[0].Slug() != "dead-instance" {
		t.Errorf("ann owns %+v", got)
	}
	if m.Count() != 2 || m.Get(a.Info().ID) != a || m.Get("nope") != nil {
		t.Errorf("count %d, get %v", m.Count(), m.Get(a.Info().ID))
	}
	m.Close()
	if _, err := m.Start("dee", "192.0.2.1", nil); !errors.Is(err, ErrClosing) {
		t.Errorf("starting after Close: %v, want ErrClosing", err)
	}
	if _, err := a.Join(true, "192.0.2.1"); !errors.Is(err, ErrClosing) {
		t.Errorf("joining after Close: %v, want ErrClosing", err)
	}
}

// A viewer's first two messages are the hello and the snapshot; its
// messages are answered; when the server closes, it is told 1001.
func TestViewerLifecycle(t *testing.T) {
	m := NewManager(Limits{}, slogDiscard())
	sc, _ := simulator.ScenarioBySlug("payment-outage")
	l, err := m.Start("ann", "192.0.2.1", &sc)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := l.Join(true, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := l.Join(false, "192.0.2.2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hello", "snapshot"} {
		var msg struct {
			Type string `json:"type"`
			Role string `json:"role"`
		}
		if err := json.Unmarshal((<-owner.Frames()).Bytes(), &msg); err != nil || msg.Type != want {
			t.Fatalf("owner's message: %+v (%v), want %s", msg, err, want)
		}
		if want == "hello" && msg.Role != "owner" {
			t.Errorf("role %q, want owner", msg.Role)
		}
	}
	reply := func(v *Viewer, msg string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(v.Send([]byte(msg)), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if r := reply(viewer, `{"type":"predict","option":1}`); r["code"] != "read-only" {
		t.Errorf("a viewer predicting: %v, want read-only", r)
	}
	if r := reply(owner, `{"type":"pause","id":1}`); r["code"] != "waiting" || r["id"] != 1.0 {
		t.Errorf("pausing before the prediction: %v, want waiting with id 1", r)
	}
	if r := reply(owner, `{"type":"predict","option":1}`); r["type"] != "ack" {
		t.Errorf("predicting: %v", r)
	}
	if r := reply(owner, `{"type":"kill","target":"payment-1"}`); r["type"] != "ack" || r["message"] == "kill" {
		t.Errorf("a simulator command: %v, want an ack with the event's message", r)
	}
	if r := reply(viewer, `{"type":"trace","trace":999999}`); r["code"] != "not-found" {
		t.Errorf("a viewer asking for a trace: %v, want not-found (allowed, but unknown)", r)
	}
	if r := viewer.SendBinary(); string(r) == "" {
		t.Error("no answer to a binary message")
	}
	go m.Close()
	for _, v := range []*Viewer{owner, viewer} {
		select {
		case <-v.Gone():
		case <-time.After(5 * time.Second):
			t.Fatal("the lab did not end on Close")
		}
		if code, _ := v.Goodbye(); code != CloseGoingAway {
			t.Errorf("close code %d, want %d", code, CloseGoingAway)
		}
		v.Leave()
		v.Leave() // twice is harmless
	}
	if r := reply(owner, `{"type":"resume"}`); r["code"] != "ended" {
		t.Errorf("a message after the end: %v, want ended", r)
	}
}
