package simulator

import (
	"reflect"
	"testing"
	"time"
)

// However the time is sliced, a script reaches the same verdicts: played in
// 137 ms slices, as a live lab plays it a frame at a time, every scenario
// ends exactly where the headless run ends, with the same verdicts, word for
// word, and every step applied.
func TestScriptInSlicesMatchesOneRun(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Slug, func(t *testing.T) {
			want := RunScenario(sc, 1, 0)
			cfg := DefaultConfig()
			cfg.Seed = 1
			sim := MustNew(cfg)
			script := NewScript(&sc, sim, 0)
			for !script.Ended() {
				script.RunUntil(min(sim.Now()+137*time.Millisecond, sc.Duration))
			}
			if sim.Now() != sc.Duration {
				t.Errorf("ended at %v, want %v", sim.Now(), sc.Duration)
			}
			got := script.Result()
			if !reflect.DeepEqual(got.Checks, want.Checks) {
				t.Errorf("verdicts in slices:\n%+v\nin one run:\n%+v", got.Checks, want.Checks)
			}
			if len(got.Events) != len(want.Events) {
				t.Errorf("%d events recorded in slices, %d in one run", len(got.Events), len(want.Events))
			}
			for i, st := range script.Steps() {
				if !st.Done || st.Err != "" {
					t.Errorf("step %d: %+v, want done without error", i, st)
				}
			}
		})
	}
}

// Before a check falls due it is undecided; once decided it says so.
func TestScriptDecidesChecksWhenDue(t *testing.T) {
	sc, _ := ScenarioBySlug("dead-instance")
	script := NewScript(&sc, MustNew(DefaultConfig()), 0)
	script.RunUntil(20 * time.Second)
	v := script.Verdicts()
	if v[1].Decided || v[1].Name != sc.Checks[1].Name {
		t.Errorf("check at 29 s decided at 20 s: %+v", v[1])
	}
	if st := script.Steps(); !st[0].Done || st[1].Done {
		t.Errorf("steps at 20 s: %+v, want the kill done and the restart not", st)
	}
	script.RunUntil(29 * time.Second)
	if v := script.Verdicts(); !v[1].Decided || !v[1].Pass || v[1].AtMS != 29000 {
		t.Errorf("check at 29 s: %+v", v[1])
	}
	if script.Ended() {
		t.Error("ended before its duration")
	}
}

// A step the simulation refuses (here, because the learner did it first)
// is marked with the reason and recorded as a command-error event; the
// script goes on.
func TestScriptKeepsARefusedStep(t *testing.T) {
	sc, _ := ScenarioBySlug("dead-instance")
	sim := MustNew(DefaultConfig())
	script := NewScript(&sc, sim, 0)
	if err := sim.Apply(0, Command{Type: "kill", Target: "catalog-2"}); err != nil {
		t.Fatal(err)
	}
	script.RunUntil(11 * time.Second)
	st := script.Steps()[0]
	if !st.Done || st.Err == "" {
		t.Fatalf("step 0: %+v, want done with the refusal", st)
	}
	found := false
	for _, e := range script.Result().Events {
		found = found || (e.Kind == "command-error" && e.Subject == "kill" && e.Message == st.Err)
	}
	if !found {
		t.Error("no command-error event for the refused step")
	}
}

// A live lab bounds what its script keeps; the checks still get decided.
func TestScriptLimitEvents(t *testing.T) {
	sc, _ := ScenarioBySlug("payment-outage")
	script := NewScript(&sc, MustNew(DefaultConfig()), 0)
	script.LimitEvents(5)
	script.RunUntil(sc.Duration)
	if n := len(script.Result().Events); n != 5 {
		t.Errorf("%d events kept, want 5", n)
	}
	for _, v := range script.Verdicts() {
		if !v.Decided {
			t.Errorf("%q undecided at the end", v.Name)
		}
	}
}

// A snapshot without timelines is the snapshot, less Sagas.Recent.
func TestSnapshotWithoutTimelines(t *testing.T) {
	sim := MustNew(DefaultConfig())
	sim.Advance(20 * time.Second)
	full, lite := sim.Snapshot(), sim.SnapshotWithoutTimelines()
	if len(full.Sagas.Recent) == 0 || len(lite.Sagas.Recent) != 0 {
		t.Fatalf("timelines: %d in the full snapshot, %d without", len(full.Sagas.Recent), len(lite.Sagas.Recent))
	}
	full.Sagas.Recent = lite.Sagas.Recent
	if !reflect.DeepEqual(full, lite) {
		t.Error("the snapshots differ in more than the timelines")
	}
}
