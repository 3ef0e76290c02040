package simulator

import (
	"runtime"
	"testing"
	"time"
)

// benchShop is the default shop at 1 000 requests a second, warmed up to steady state.
func benchShop(tb testing.TB) *Sim {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.Load.Rate = 1000
	s := MustNew(cfg)
	s.Advance(20 * time.Second)
	return s
}

// BenchmarkFastForward steps one event per iteration: ns/op and allocs/op are per event.
func BenchmarkFastForward(b *testing.B) {
	s := benchShop(b)
	reqs0 := s.gw.received
	ev0 := s.processed
	t0 := s.now
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Step()
	}
	b.StopTimer()
	el := b.Elapsed().Seconds()
	events := float64(s.processed - ev0)
	reqs := float64(s.gw.received - reqs0)
	b.ReportMetric(el*1e9/events, "ns/event")
	b.ReportMetric(events/el, "events/s")
	b.ReportMetric(reqs/el, "sim-req/cpu-s")
	b.ReportMetric(events/max(reqs, 1), "events/req")
	if v := (s.now - t0).Seconds(); v > 0 {
		b.ReportMetric(v/el, "virtual-s/wall-s")
	}
}

// BenchmarkHourAt1000 runs one hour of virtual time at 1 000 requests a second per op.
func BenchmarkHourAt1000(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		cfg := DefaultConfig()
		cfg.Load.Rate = 1000
		cfg.Seed = uint64(i + 1)
		s := MustNew(cfg)
		s.Advance(time.Hour)
		b.ReportMetric(float64(s.processed), "events/hour")
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "wall-s/hour")
}

// BenchmarkSimulationMemory reports the heap one running simulation of the default
// shop at 1 000 requests a second holds.
func BenchmarkSimulationMemory(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.ReportMetric(float64(simulationHeap(b))/(1<<20), "MB/sim")
	}
}

func simulationHeap(tb testing.TB) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := benchShop(tb)
	s.Advance(60 * time.Second)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

func TestSimulationMemoryBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("measures a minute of simulation")
	}
	n := simulationHeap(t)
	t.Logf("one running simulation of the default shop at 1 000 req/s holds %.2f MB", float64(n)/(1<<20))
	if n > 4<<20 {
		t.Errorf("simulation holds %.2f MB, budget 4 MB", float64(n)/(1<<20))
	}
}

func BenchmarkSnapshot(b *testing.B) {
	s := benchShop(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Snapshot()
	}
}
