package lab

import (
	"os"
	"testing"
	"time"

	"microlab/simulator"
)

func TestZZVectorsMatchOld(t *testing.T) {
	m := newTestManager(t)
	var out []byte
	for _, slug := range []string{"", "payment-outage", "dead-instance", "slow-consumer"} {
		var sc *simulator.Scenario
		if slug != "" {
			s, _ := simulator.ScenarioBySlug(slug)
			sc = &s
		}
		l, err := newLab(m, "o", sc, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Duration{0, 5 * time.Second, 15 * time.Second, 31 * time.Second, 80 * time.Second} {
			if l.script != nil {
				l.script.RunUntil(at)
			} else {
				l.sim.RunUntil(at)
			}
			snap := l.sim.Snapshot()
			rv := l.runView()
			src := source{shape: l.fr.shape, run: &rv}
			src.setSnapshot(&snap)
			out = append(out, slug+" "+at.String()+" "...)
			out = appendVector(out, fillVector(&src, nil))
			out = append(out, '\n')
		}
	}
	want, _ := os.ReadFile("/tmp/base2/vectors.txt")
	if string(out) != string(want) {
		os.WriteFile("/tmp/new-vectors.txt", out, 0o644)
		t.Fatal("vectors differ")
	}
}
