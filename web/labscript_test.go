package web

import (
	"testing"
	"time"

	"microlab/simulator"
)

// Played in slices, as a live lab plays it, every scenario reaches the
// verdicts of the headless run with the same seed, word for word.
func TestLabScriptMatchesHeadlessRun(t *testing.T) {
	for _, sc := range simulator.Scenarios() {
		t.Run(sc.Slug, func(t *testing.T) {
			want := simulator.RunScenario(sc, reportSeed, 0)
			cfg := simulator.DefaultConfig()
			cfg.Seed = reportSeed
			sim := simulator.MustNew(cfg)
			script := newLabScript(&sc)
			script.attach(sim)
			for !script.ended {
				script.runUntil(sim, min(sim.Now()+137*time.Millisecond, sc.Duration))
			}
			if sim.Now() != sc.Duration {
				t.Errorf("ended at %v, want %v", sim.Now(), sc.Duration)
			}
			for i, v := range want.Checks {
				got := script.verdicts[i]
				if got.state != map[bool]string{true: "pass", false: "fail"}[v.Pass] || got.detail != v.Detail {
					t.Errorf("check %q: live %s %q, headless pass=%v %q", v.Name, got.state, got.detail, v.Pass, v.Detail)
				}
			}
			for i, st := range script.steps {
				if st != "done" {
					t.Errorf("step %d: %q, want done", i, st)
				}
			}
		})
	}
}
