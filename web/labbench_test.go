package web

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// BenchmarkLabTick is one tick of a watched free-play lab at 1×: 100 ms of
// simulation, then the frame built, encoded once and queued for a viewer.
// It reports the frame's size; the fan-out to many viewers is measured
// end to end by `go run ./cmd/loadtest -lab-viewers 500`.
func BenchmarkLabTick(b *testing.B) {
	m := newLabManager(Config{}, slog.New(slog.DiscardHandler))
	l, err := newLabSim(m, "owner", nil, 1)
	if err != nil {
		b.Fatal(err)
	}
	v := newLabViewer(nil, false)
	l.viewers[v] = struct{}{}
	l.sim.Advance(10 * time.Second)
	l.broadcast(time.Now())
	<-v.out
	total, frames := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		l.sim.Advance(100 * time.Millisecond)
		l.broadcast(time.Now())
		select {
		case <-v.out:
			total += len(l.fr.buf)
			frames++
		default:
		}
	}
	if frames > 0 {
		b.ReportMetric(float64(total)/float64(frames), "bytes/frame")
	}
}

// A viewer that does not keep up loses frames: the lab never waits for it,
// the others get every frame, and its next frame is a key frame with the
// whole state.
func TestLabSlowViewerLosesFramesOnly(t *testing.T) {
	m := newLabManager(Config{}, slog.New(slog.DiscardHandler))
	l, err := newLabSim(m, "owner", nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	slow, quick := newLabViewer(nil, false), newLabViewer(nil, false)
	l.viewers[slow], l.viewers[quick] = struct{}{}, struct{}{}
	got := 0
	start := time.Now()
	for range 3 * labQueue {
		l.sim.Advance(100 * time.Millisecond)
		l.broadcast(time.Now()) // must not block on the slow viewer's full queue
		<-quick.out
		got++
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d frames took %v", got, d)
	}
	if len(slow.out) != labQueue || slow.drops != uint64(2*labQueue) || !slow.needKey {
		t.Fatalf("slow viewer: %d queued, %d dropped, needKey %v; want %d, %d, true", len(slow.out), slow.drops, slow.needKey, labQueue, 2*labQueue)
	}
	for len(slow.out) > 0 {
		<-slow.out
	}
	l.sim.Advance(100 * time.Millisecond)
	l.broadcast(time.Now())
	if !strings.Contains(string(l.fr.buf), `"d":[`) {
		t.Fatal("the others' frame is not a delta")
	}
	key := <-slow.out
	delta := <-quick.out
	if key == delta {
		t.Error("the slow viewer got the delta, not a key frame")
	}
	if slow.needKey {
		t.Error("the slow viewer still waits for a key frame after getting one")
	}
}
