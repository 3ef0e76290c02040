package simulator

import (
	"testing"
	"time"
)

// Two designs run on one seed meet the same requests: arrivals draw from
// a stream of their own, so a breaker, faults, retries or auth at the
// gateway, which make the rest of the run draw differently, leave the
// traffic alone. Another seed is other traffic.
func TestTheSameSeedBringsTheSameArrivalsWhateverTheDesign(t *testing.T) {
	run := func(seed uint64, design ...Command) (uint64, uint64) {
		t.Helper()
		cfg := DefaultConfig()
		cfg.Seed = seed
		s := MustNew(cfg)
		for _, c := range design {
			if err := s.Apply(0, c); err != nil {
				t.Fatal(err)
			}
		}
		s.RunUntil(30 * time.Second)
		return s.Arrivals()
	}
	n, plain := run(4)
	if n < 2000 {
		t.Fatalf("only %d arrivals in 30 s", n)
	}
	for name, design := range map[string][]Command{
		"errors and retries":    {{Type: "error-rate", Service: "payment", Rate: pF(0.3)}, {Type: "retries", Edge: "orders>inventory", Retries: pInt(3)}},
		"a breaker forced open": {{Type: "breaker", Edge: "orders>payment", State: "forced-open"}},
		"auth enforced":         {{Type: "auth", Enabled: pBool(true)}},
		"latency and a kill":    {{Type: "latency", Service: "inventory", MS: pMS(300)}, {Type: "kill", Target: "catalog-1"}},
	} {
		if m, d := run(4, design...); m != n || d != plain {
			t.Errorf("%s: %d arrivals (digest %x), the plain shop %d (%x)", name, m, d, n, plain)
		}
	}
	if _, d := run(5); d == plain {
		t.Error("seeds 4 and 5 brought the same arrivals")
	}
}

func pInt(v int) *int    { return &v }
func pBool(v bool) *bool { return &v }
