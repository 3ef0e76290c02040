package lab

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"microlab/simulator"
)

var update = flag.Bool("update", false, "rewrite the golden schema files in testdata/")

func newTestManager(tb testing.TB) *Manager {
	tb.Helper()
	return NewManager(Limits{}, slogDiscard())
}

// The schema is the protocol clients read; it changes only on purpose. The
// golden files list every key in wire order (run with -update after a
// deliberate change, and say so in PROTOCOL.md).
func TestSchemaGolden(t *testing.T) {
	m := newTestManager(t)
	sc, _ := simulator.ScenarioBySlug("payment-outage")
	for name, sc := range map[string]*simulator.Scenario{"free-play": nil, "payment-outage": &sc} {
		t.Run(name, func(t *testing.T) {
			got := strings.Join(schema(newShape(&m.topo, sc)), "\n") + "\n"
			path := filepath.Join("testdata", "schema-"+name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("schema differs from %s (run with -update if that is meant)", path)
			}
		})
	}
}

// Every key is unique: a client indexes the state by key.
func TestSchemaKeysAreUnique(t *testing.T) {
	m := newTestManager(t)
	sc, _ := simulator.ScenarioBySlug("sidecar-retries")
	seen := map[string]bool{}
	for _, k := range schema(newShape(&m.topo, &sc)) {
		if seen[k] {
			t.Errorf("key %q twice", k)
		}
		seen[k] = true
	}
}

// The vector always follows its schema, whatever the learner does to the
// shop: scaled services, dead instances, forced breakers.
func TestVectorFollowsSchema(t *testing.T) {
	m := newTestManager(t)
	sc, _ := simulator.ScenarioBySlug("cascading-failure")
	for _, sc := range []*simulator.Scenario{nil, &sc} {
		sh := newShape(&m.topo, sc)
		keys := schema(sh)
		sim := simulator.MustNew(simulator.DefaultConfig())
		rv := runView{prediction: -1}
		if sc != nil {
			script := simulator.NewScript(sc, sim, 0)
			rv.steps, rv.verdicts, rv.answers = script.Steps(), script.Verdicts(), script.Answers()
		}
		for _, cmd := range []string{
			`{"type":"scale","service":"catalog","instances":10}`, `{"type":"kill","target":"catalog-7"}`,
			`{"type":"scale","service":"payment","instances":1}`, `{"type":"breaker","edge":"orders>payment","state":"forced-open"}`,
			`{"type":"broker-down"}`,
		} {
			c, err := simulator.DecodeCommand([]byte(cmd))
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Apply(sim.Now()+time.Second, c); err != nil {
				t.Fatal(err)
			}
			snap := sim.Snapshot()
			src := source{shape: sh, run: &rv}
			src.setSnapshot(&snap)
			vals := fillVector(&src, nil)
			if len(vals) != len(keys) {
				t.Fatalf("after %s the vector has %d values for %d keys", cmd, len(vals), len(keys))
			}
		}
	}
}

// A vector reads the snapshot by position: spot checks of values a
// learner's command just set, found by key.
func TestVectorValuesByKey(t *testing.T) {
	m := newTestManager(t)
	sh := newShape(&m.topo, nil)
	keys := schema(sh)
	sim := simulator.MustNew(simulator.DefaultConfig())
	for _, cmd := range []string{
		`{"type":"scale","service":"catalog","instances":4}`, `{"type":"kill","target":"catalog-4"}`,
		`{"type":"latency","service":"payment","ms":250}`, `{"type":"breaker","edge":"orders>payment","state":"forced-open"}`,
		`{"type":"slow-consumer","group":"shipping","ms":400}`, `{"type":"sidecar","service":"orders","enabled":true,"mtls":true}`,
	} {
		c, _ := simulator.DecodeCommand([]byte(cmd))
		if err := sim.Apply(sim.Now(), c); err != nil {
			t.Fatal(err)
		}
	}
	sim.Advance(2 * time.Second)
	snap := sim.Snapshot()
	rv := runView{state: "running", speed: 2, seed: 9, epoch: 3, prediction: -1}
	src := source{shape: sh, run: &rv}
	src.setSnapshot(&snap)
	vals := fillVector(&src, nil)
	at := func(key string) val {
		for i, k := range keys {
			if k == key {
				return vals[i]
			}
		}
		t.Fatalf("no key %q", key)
		return val{}
	}
	for key, want := range map[string]val{
		"run.state":           {s: "running", str: true},
		"run.speed":           {n: 2},
		"run.seed":            {n: 9},
		"run.epoch":           {n: 3},
		"svc.catalog.n":       {n: 4},
		"in.catalog-4.st":     {s: "dead", str: true},
		"in.catalog-3.st":     {s: "alive", str: true},
		"in.catalog-5.st":     {s: "", str: true},
		"in.catalog-5.tp":     {n: 0},
		"svc.payment.lat":     {n: 250},
		"e.orders>payment.br": {s: "FORCED_OPEN", str: true},
		"grp.shipping.extra":  {n: 400},
		"car.orders.en":       {n: 1},
		"car.orders.mtls":     {n: 1},
		"car.payment.en":      {n: 0},
		"reg.catalog.alive":   {n: 0b0111},
	} {
		if got := at(key); got != want {
			t.Errorf("%s = %+v, want %+v", key, got, want)
		}
	}
}
