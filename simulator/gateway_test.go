package simulator

import (
	"strings"
	"testing"
	"time"
)

// hitBounds is the range a cache hit's service time is drawn from: HitTime ± a third.
func hitBounds(cfg Config) (lo, hi time.Duration) {
	base := cfg.Gateway.Cache.HitTime
	return base - base/3, base + base/3
}

// cachedShop is the quiet shop with one catalog page, cached and fresh, and every
// request traced.
func cachedShop(tb testing.TB) *Sim {
	tb.Helper()
	cfg := quietConfig()
	cfg.TraceEvery = 1
	cfg.Gateway.Cache.Pages = 1
	s := MustNew(cfg)
	s.Advance(time.Second)
	s.gw.pages[0], s.gw.pageValid[0] = s.now+cfg.Gateway.Cache.TTL, true
	return s
}

func TestCacheHitIsServedForItsHitTime(t *testing.T) {
	s := cachedShop(t)
	lo, hi := hitBounds(s.cfg)
	g := &s.gw
	s.admit(kindBrowse, 0, true)
	if g.cacheHits != 1 || g.inflight != 1 || g.byCode[code200] != 0 {
		t.Errorf("just after the lookup: hits %d, in flight %d, 200s %d; want 1 1 0 (the hit is still being served)",
			g.cacheHits, g.inflight, g.byCode[code200])
	}
	s.RunUntil(s.now + hi)
	if g.inflight != 0 || g.byCode[code200] != 1 {
		t.Fatalf("after %v: in flight %d, 200s %d; want 0 1", hi, g.inflight, g.byCode[code200])
	}
	tr := s.Traces()
	if len(tr) != 1 || len(tr[0].Spans) != 2 {
		t.Fatalf("traces %v, want one with the gateway and its cache span", tr)
	}
	root, hit := tr[0].Spans[0], tr[0].Spans[1]
	if hit.Name != "gateway cache" || hit.Detail != "hit" || hit.Outcome != "ok" || root.Outcome != "200" {
		t.Fatalf("spans %+v, want the gateway answering 200 from a cache hit", tr[0].Spans)
	}
	if hit.DurationMS != root.DurationMS || hit.StartMS != root.StartMS {
		t.Errorf("cache span %+v and request %+v differ: the hit is the whole request", hit, root)
	}
	if got := hit.DurationMS; got < ms(lo) || got > ms(hi) {
		t.Errorf("hit took %v ms, want %v..%v ms", got, ms(lo), ms(hi))
	}
	// The histogram keeps the latency to within 12.5%; a zero latency would land in
	// its first bucket.
	if got := s.nodeStats[nodeGateway].stats(s.now).P50; got < 0.875*ms(lo) || got > 1.125*ms(hi) {
		t.Errorf("gateway p50 %v ms, want about %v..%v ms", got, ms(lo), ms(hi))
	}
}

func TestStaleCacheHitDoesNotFinishTheSlotsNextRequest(t *testing.T) {
	s := cachedShop(t)
	g := &s.gw
	s.admit(kindBrowse, 0, true)
	ri := int32(len(s.reqs.items) - 1)
	stale := s.reqs.at(ri).gen
	s.Advance(time.Second)
	g.pageValid[0] = false
	s.admit(kindBrowse, 0, true) // a miss: it reuses the slot and calls catalog
	if got := int32(len(s.reqs.items) - 1); got != ri || g.cacheMisses != 1 {
		t.Fatalf("second request in slot %d with %d misses, want slot %d reused by a miss", got, g.cacheMisses, ri)
	}
	s.schedule(s.now, evCacheHitDone, ri, 0, stale)
	s.RunUntil(s.now)
	if g.inflight != 1 || g.byCode[code200] != 1 {
		t.Fatalf("after a stale hit event: in flight %d, 200s %d; want 1 1 (the miss is still at catalog)", g.inflight, g.byCode[code200])
	}
	s.Advance(time.Second)
	if g.inflight != 0 || g.byCode[code200] != 2 {
		t.Fatalf("after catalog answered: in flight %d, 200s %d; want 0 2", g.inflight, g.byCode[code200])
	}
}

func TestCacheHitTimesSpreadWithinAThird(t *testing.T) {
	s := MustNew(quietConfig())
	lo, hi := hitBounds(s.cfg)
	minD, maxD := hi, lo
	for i := 0; i < 1000; i++ {
		d := s.cacheHitTime()
		minD, maxD = min(minD, d), max(maxD, d)
	}
	if minD < lo || maxD > hi {
		t.Errorf("hit times %v..%v, want within %v..%v", minD, maxD, lo, hi)
	}
	if base := s.cfg.Gateway.Cache.HitTime; minD >= base || maxD <= base {
		t.Errorf("hit times %v..%v do not spread around %v", minD, maxD, base)
	}
}

func TestGatewayMedianIsACacheHitUnderSteadyLoad(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		cfg := DefaultConfig()
		cfg.Seed = seed
		s := MustNew(cfg)
		s.Advance(30 * time.Second)
		g := &s.gw
		if share := float64(g.cacheHits) / float64(g.cacheHits+g.cacheMisses); share < 0.8 {
			t.Fatalf("seed %d: %.0f%% of browses hit the cache, want most", seed, 100*share)
		}
		snap := s.Snapshot()
		if got := snap.Nodes.Gateway.Stats.P50; got < 1 || got > 5 {
			t.Errorf("seed %d: gateway p50 %v ms, want 1..5 ms", seed, got)
		}
		if got := snap.Gateway.Kinds[kindBrowse].Stats.P50; got < 1 || got > 5 {
			t.Errorf("seed %d: browse p50 %v ms, want 1..5 ms", seed, got)
		}
	}
}

func TestCacheHitTimeIsBounded(t *testing.T) {
	for _, tc := range []struct {
		d       time.Duration
		wantErr bool
	}{
		{0, true},
		{-time.Millisecond, true},
		{time.Microsecond, false},
		{MaxCacheHitTime, false},
		{MaxCacheHitTime + 1, true},
	} {
		cfg := DefaultConfig()
		cfg.Gateway.Cache.HitTime = tc.d
		_, err := New(cfg)
		if tc.wantErr && (err == nil || !strings.Contains(err.Error(), "cache hit time")) {
			t.Errorf("hit time %v: err %v, want a cache hit time error", tc.d, err)
		}
		if !tc.wantErr && err != nil {
			t.Errorf("hit time %v: %v", tc.d, err)
		}
	}
}
