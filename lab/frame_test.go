package lab

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newTestLab is a free-play lab whose goroutine is not running: the test
// drives it by hand, as the goroutine would.
func newTestLab(tb testing.TB) *Lab {
	tb.Helper()
	l, err := newLab(newTestManager(tb), "owner", nil, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func newTestViewer(l *Lab) *Viewer {
	v := &Viewer{lab: l, out: make(chan *Frame, queueLen), gone: make(chan struct{}), bucket: &tokenBucket{}}
	l.viewers[v] = struct{}{}
	return v
}

// BenchmarkLabTick is one tick of a watched free-play lab at 1×: 100 ms of
// simulation, then the frame built, encoded once and queued for a viewer.
// It reports the frame's size; the fan-out to many viewers is measured
// end to end by `go run ./cmd/loadtest -lab-viewers 500`.
func BenchmarkLabTick(b *testing.B) {
	l := newTestLab(b)
	v := newTestViewer(l)
	l.sim.Advance(10 * time.Second)
	l.broadcast()
	<-v.out
	total, frames := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		l.sim.Advance(100 * time.Millisecond)
		l.broadcast()
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
func TestSlowViewerLosesFramesOnly(t *testing.T) {
	l := newTestLab(t)
	slow, quick := newTestViewer(l), newTestViewer(l)
	got := 0
	start := time.Now()
	for range 3 * queueLen {
		l.sim.Advance(100 * time.Millisecond)
		l.broadcast() // must not block on the slow viewer's full queue
		<-quick.out
		got++
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d frames took %v", got, d)
	}
	if len(slow.out) != queueLen || slow.drops != uint64(2*queueLen) || !slow.needKey {
		t.Fatalf("slow viewer: %d queued, %d dropped, needKey %v; want %d, %d, true", len(slow.out), slow.drops, slow.needKey, queueLen, 2*queueLen)
	}
	for len(slow.out) > 0 {
		<-slow.out
	}
	l.sim.Advance(100 * time.Millisecond)
	l.broadcast()
	if !strings.Contains(string(l.fr.buf), `"d":[`) {
		t.Fatal("the others' frame is not a delta")
	}
	key := <-slow.out
	delta := <-quick.out
	if !strings.Contains(string(key.Bytes()), `"key":true`) || strings.Contains(string(delta.Bytes()), `"key":true`) {
		t.Errorf("the slow viewer got %.60s…, the quick one %.60s…; want a key frame and a delta", key.Bytes(), delta.Bytes())
	}
	if slow.needKey {
		t.Error("the slow viewer still waits for a key frame after getting one")
	}
}

// A frame handed to viewers is theirs: the next frame, built in the same
// buffer, must not change it under a writer that has not sent it yet.
func TestFramesDoNotShareTheBuffer(t *testing.T) {
	l := newTestLab(t)
	v := newTestViewer(l)
	l.sim.Advance(time.Second)
	l.broadcast()
	<-v.out // the first frame, the whole vector
	l.sim.Advance(time.Second)
	l.broadcast()
	first := <-v.out
	kept := string(first.Bytes())
	l.sim.Advance(5 * time.Second)
	l.broadcast()
	<-v.out
	if string(first.Bytes()) != kept {
		t.Fatal("a queued frame changed when the next one was built")
	}
}

// A frame's encoding is made once, however many viewers send it.
func TestFrameEncodingIsMadeOnce(t *testing.T) {
	l := newTestLab(t)
	a, b := newTestViewer(l), newTestViewer(l)
	l.sim.Advance(time.Second)
	l.broadcast()
	fa, fb := <-a.out, <-b.out
	if fa != fb {
		t.Fatal("two viewers got two frames for one tick")
	}
	calls := 0
	encode := func(p []byte) any { calls++; return len(p) }
	if fa.Encoding(encode) != len(fa.Bytes()) || fb.Encoding(encode) != len(fa.Bytes()) || calls != 1 {
		t.Errorf("encode called %d times, want 1", calls)
	}
}
