package simulator

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestHeapOrdersByTimeThenSequence(t *testing.T) {
	s := MustNew(quietConfig())
	s.heap = s.heap[:0]
	times := []time.Duration{5, 1, 3, 1, 5, 2, 1}
	for i, at := range times {
		s.schedule(at, evKind(99), int32(i), 0, 0)
	}
	var got []int32
	for len(s.heap) > 0 {
		got = append(got, s.pop().a)
	}
	want := []int32{1, 3, 6, 5, 2, 0, 4}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pop order %v, want %v", got, want)
	}
}

// goldenRun drives the default shop through a little of everything and renders what
// a viewer would see: every event, every sampled trace, the final snapshot.
func goldenRun(seed uint64) []byte {
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.TraceEvery = 50
	s := MustNew(cfg)
	var buf bytes.Buffer
	s.OnEvent(func(e Event) {
		fmt.Fprintf(&buf, "event %d %.3f %s %s: %s\n", e.Seq, e.AtMS, e.Kind, e.Subject, e.Message)
	})
	script := []Step{
		at(2, Command{Type: "burst", Rate: pF(150), MS: pMS(3000), Client: "client-03"}),
		// Shipping fails after the charge for 1.5 s: those sagas retry, never compensate.
		at(3, Command{Type: "error-rate", Service: "shipping", Rate: pF(1)}),
		at(4, Command{Type: "kill", Target: "catalog-2"}),
		at(4.5, Command{Type: "error-rate", Service: "shipping", Rate: pF(0)}),
		at(6, Command{Type: "latency", Service: "payment", MS: pMS(2000), JitterMS: pMS(100)}),
		at(8, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(300)}),
		at(12, Command{Type: "latency", Service: "payment", MS: pMS(0)}),
		at(13, Command{Type: "restart", Target: "catalog-2"}),
		at(14, Command{Type: "saga-mode", Mode: "choreographed"}),
		at(15, Command{Type: "sidecar", Service: "orders", Enabled: pB(true), OwnRetries: pB(true)}),
	}
	for _, st := range script {
		if err := s.Apply(st.At, st.Command); err != nil {
			fmt.Fprintf(&buf, "error: %v\n", err)
		}
	}
	s.RunUntil(25 * time.Second)
	for _, tr := range s.Traces() {
		buf.WriteString(tr.String())
	}
	b, err := json.MarshalIndent(s.Snapshot(), "", " ")
	if err != nil {
		panic(err)
	}
	buf.Write(b)
	buf.WriteByte('\n')
	return buf.Bytes()
}

func TestDeterminismGolden(t *testing.T) {
	got := goldenRun(1)
	path := filepath.Join("testdata", "golden_seed1.txt")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the run differs from %s (%d vs %d bytes); if the change is intended, rerun with -update", path, len(got), len(want))
	}
	if again := goldenRun(1); !bytes.Equal(got, again) {
		t.Fatal("two runs with the same seed differ")
	}
}

func TestDifferentSeedsGiveDifferentRuns(t *testing.T) {
	if bytes.Equal(goldenRun(1), goldenRun(2)) {
		t.Fatal("seeds 1 and 2 gave the same run")
	}
}

func TestSnapshotIsJSONWithStableNames(t *testing.T) {
	s := MustNew(DefaultConfig())
	s.Advance(3 * time.Second)
	b, err := json.Marshal(s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"at_ms", "seed", "event_seq", "load", "gateway", "nodes", "edges", "registry", "sagas", "broker", "sidecars"} {
		if _, ok := m[k]; !ok {
			t.Errorf("snapshot has no %q", k)
		}
	}
	edge := m["edges"].([]any)[4].(map[string]any)
	if edge["id"] != "orders>payment" || edge["breaker"].(map[string]any)["state"] != "CLOSED" {
		t.Errorf("edge 4: %v", edge["id"])
	}
}

func TestEventsSince(t *testing.T) {
	cfg := quietConfig()
	cfg.EventRing = 5
	s := MustNew(cfg) // 14 registrations
	if s.EventSeq() != 14 {
		t.Fatalf("event seq %d, want 14", s.EventSeq())
	}
	ev := s.Events(0)
	if len(ev) != 5 || ev[0].Seq != 10 || ev[4].Seq != 14 {
		t.Fatalf("ring holds %d events from %d, want 5 from 10", len(ev), ev[0].Seq)
	}
	if ev := s.Events(12); len(ev) != 2 || ev[0].Seq != 13 {
		t.Fatalf("since 12: %v", ev)
	}
	if ev := s.Events(3); len(ev) != 5 || ev[0].Seq != 10 {
		t.Fatalf("since an event that left the ring: %v", ev)
	}
	if ev := s.Events(14); len(ev) != 0 {
		t.Fatalf("since the latest: %v", ev)
	}
}

func TestApplyInThePastIsAnError(t *testing.T) {
	s := MustNew(quietConfig())
	s.Advance(time.Second)
	if err := s.Apply(500*time.Millisecond, Command{Type: "registry-down"}); err == nil {
		t.Fatal("a command in the past was accepted")
	}
}

func TestTimedOutWorkStillUsesTheInstance(t *testing.T) {
	cfg := quietConfig()
	cfg.Edges[1].Policy.Retries = 0
	cfg.Edges[1].Policy.Bulkhead.Enabled = false
	s := MustNew(cfg)
	s.services[svcInventory].latency = 3 * time.Second
	for i := 0; i < 3; i++ {
		s.startCall(edgeGatewayInventory, opStock, ownerNone, 0, 0, noTrace)
	}
	s.RunUntil(1500 * time.Millisecond)
	e := &s.edges[edgeGatewayInventory]
	busy := 0
	for o := 0; o < 3; o++ {
		busy += s.instances[svcInventory*MaxInstances+o].busy
	}
	if e.timeouts != 3 || e.active != 0 || busy != 3 {
		t.Fatalf("timeouts %d active %d busy workers %d, want 3 0 3", e.timeouts, e.active, busy)
	}
}
