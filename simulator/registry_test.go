package simulator

import (
	"fmt"
	"testing"
	"time"
)

// Heartbeats at k·1 s, ttl 3 s, gateway refresh at k·2 s. A kill at t_k leaves the
// last heartbeat at h = ⌊t_k⌋; the lease expires at h+3 s; the gateway drops the
// instance at the first refresh at or after that (an expiry and a refresh at the same
// instant: the expiry was scheduled earlier, so it fires first).
func TestKilledInstanceStopsReceivingTrafficAtEvictionPlusRefresh(t *testing.T) {
	cases := []struct {
		kill, evict, stop time.Duration
	}{
		{10500 * time.Millisecond, 13 * time.Second, 14 * time.Second},
		{11200 * time.Millisecond, 14 * time.Second, 14 * time.Second}, // expiry and refresh coincide
		{12500 * time.Millisecond, 15 * time.Second, 16 * time.Second},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("killed at %v, stops at %v", c.kill, c.stop), func(t *testing.T) {
			cfg := DefaultConfig()
			// Enough catalog traffic that one request in three reaches catalog-2 every
			// few milliseconds, without the breaker or bulkhead getting in the way.
			cfg.Load.Rate = 300
			cfg.Gateway.RateLimit.Enabled = false
			cfg.Gateway.Cache.Enabled = false
			cfg.Edges[0].Policy.Breaker.Enabled = false
			cfg.Edges[0].Policy.Bulkhead.Enabled = false
			s := MustNew(cfg)
			if err := s.Apply(c.kill, Command{Type: "kill", Target: "catalog-2"}); err != nil {
				t.Fatal(err)
			}
			in := &s.instances[instanceByName("catalog-2")]
			s.RunUntil(c.evict - 1)
			if !s.reg.entries[instanceByName("catalog-2")].registered {
				t.Fatalf("evicted before %v", c.evict)
			}
			s.RunUntil(c.evict)
			if s.reg.entries[instanceByName("catalog-2")].registered {
				t.Fatalf("still registered at %v", c.evict)
			}
			s.RunUntil(c.stop - 1)
			before := in.routed
			if in.lastRouted < c.stop-100*time.Millisecond {
				t.Fatalf("last routed at %v: the gateway should still route to it just before %v", in.lastRouted, c.stop)
			}
			s.RunUntil(c.stop + 5*time.Second)
			if in.routed != before || in.lastRouted >= c.stop {
				t.Fatalf("routed %d more times, last at %v; want none at or after %v", in.routed-before, in.lastRouted, c.stop)
			}
		})
	}
}

func TestRegistryDownKeepsStaleCacheAndHidesNewInstances(t *testing.T) {
	cfg := quietConfig()
	s := MustNew(cfg)
	must(t, s.Apply(time.Second, Command{Type: "registry-down"}))
	must(t, s.Apply(1500*time.Millisecond, Command{Type: "kill", Target: "catalog-1"}))
	must(t, s.Apply(1500*time.Millisecond, Command{Type: "scale", Service: "catalog", Instances: pI(4)}))
	s.RunUntil(20 * time.Second)
	view := s.Snapshot().Registry
	cat := view.Services[svcCatalog]
	if fmt.Sprint(cat.Gateway) != "[catalog-1 catalog-2 catalog-3]" {
		t.Fatalf("gateway cache %v, want the stale list with the dead catalog-1 and without catalog-4", cat.Gateway)
	}
	if fmt.Sprint(cat.Alive) != "[catalog-2 catalog-3 catalog-4]" || !view.Callers[0].Stale {
		t.Fatalf("alive %v stale %v", cat.Alive, view.Callers[0].Stale)
	}
	// Back up at 20 s: leases get a fresh ttl, catalog-4 registers with its next
	// heartbeat (20.5 s), the dead catalog-1 is evicted at 23 s, the gateway sees it at 24 s.
	must(t, s.Apply(20*time.Second, Command{Type: "registry-up"}))
	s.RunUntil(22 * time.Second)
	if got := fmt.Sprint(s.Snapshot().Registry.Services[svcCatalog].Gateway); got != "[catalog-1 catalog-2 catalog-3 catalog-4]" {
		t.Fatalf("at 22 s gateway cache %v", got)
	}
	s.RunUntil(24 * time.Second)
	if got := fmt.Sprint(s.Snapshot().Registry.Services[svcCatalog].Gateway); got != "[catalog-2 catalog-3 catalog-4]" {
		t.Fatalf("at 24 s gateway cache %v", got)
	}
}

func TestCutLinkToRegistryEvictsALiveInstance(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(500*time.Millisecond, Command{Type: "cut-link", From: "catalog-3", To: "registry"}))
	s.RunUntil(3 * time.Second)
	if s.reg.entries[instanceByName("catalog-3")].registered {
		t.Fatal("evicted too early")
	}
	s.RunUntil(4 * time.Second) // last heartbeat at 0 s → expiry at 3 s; refresh at 4 s
	if got := fmt.Sprint(s.Snapshot().Registry.Services[svcCatalog].Gateway); got != "[catalog-1 catalog-2]" {
		t.Fatalf("gateway cache %v: a partitioned but alive instance should be gone", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
