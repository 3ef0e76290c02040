package lab

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"microlab/simulator"
)

// Frame size bounds (issue 11): a frame at 1× fits in 4 KB, and the key
// frame a viewer gets after losing some fits in 8 KB, whatever the lab.
const (
	maxFrameBytes    = 4 << 10
	maxKeyFrameBytes = 8 << 10
)

// frameSizes runs a lab from the start to the end of its script (free
// play: for a minute) at 1×, a frame every 100 ms of simulated time, the
// owner answering every question with its first option. Two viewers
// watch, joined as the web layer joins them; one of them lags every tenth
// frame and is owed a key frame. It returns the largest frame, the largest
// key frame and the largest snapshot (what a viewer gets on joining; its
// size is not bounded here).
func frameSizes(t *testing.T, sc *simulator.Scenario) (frame, key, snapshot int) {
	t.Helper()
	l, err := newLab(newTestManager(t), "owner", sc, ScenarioSeed)
	if err != nil {
		t.Fatal(err)
	}
	send := func(msg string) {
		m, ref := parseMessage([]byte(msg))
		if ref != nil {
			t.Fatalf("%s: %s", msg, ref.message)
		}
		l.handle(m)
	}
	measure := func(v *Viewer) {
		for len(v.out) > 0 {
			b := (<-v.out).Bytes()
			switch {
			case bytes.HasPrefix(b, []byte(`{"type":"snapshot"`)):
				snapshot = max(snapshot, len(b))
			case bytes.Contains(b, []byte(`,"key":true,`)):
				key = max(key, len(b))
			default:
				frame = max(frame, len(b))
			}
		}
	}
	join := func() *Viewer {
		v := &Viewer{lab: l, out: make(chan *Frame, queueLen), gone: make(chan struct{}), bucket: &tokenBucket{}}
		l.join(v)
		measure(v)
		return v
	}
	v, lagging := join(), join()
	end := time.Minute
	if sc != nil {
		send(`{"type":"predict","option":0}`)
		end = sc.Duration
	}
	for n := 0; l.sim.Now() < end; n++ {
		if n > 20*int(end/time.Second) {
			t.Fatalf("after %d frames the run is at %v of %v", n, l.sim.Now(), end)
		}
		if l.script != nil {
			if ask := l.script.Asking(); ask >= 0 {
				send(fmt.Sprintf(`{"type":"predict","stage":%d,"option":0}`, ask))
			}
			if l.script.Ended() {
				break
			}
		}
		l.advance(l.sim.Now()+100*time.Millisecond, time.Hour)
		if n%10 == 9 {
			lagging.needKey = true
		}
		l.broadcast()
		measure(v)
		measure(lagging)
	}
	join()
	return frame, key, snapshot
}

func TestFramesFitTheirBounds(t *testing.T) {
	labs := []*simulator.Scenario{nil}
	for _, sc := range simulator.Scenarios() {
		labs = append(labs, &sc)
	}
	for _, sc := range labs {
		name := "free play"
		if sc != nil {
			name = sc.Slug
		}
		t.Run(name, func(t *testing.T) {
			frame, key, snapshot := frameSizes(t, sc)
			t.Logf("largest frame %d bytes, key frame %d, snapshot on joining %d", frame, key, snapshot)
			if frame > maxFrameBytes {
				t.Errorf("a frame is %d bytes, over %d", frame, maxFrameBytes)
			}
			if key > maxKeyFrameBytes {
				t.Errorf("a key frame is %d bytes, over %d", key, maxKeyFrameBytes)
			}
			if frame == 0 || key == 0 {
				t.Errorf("no frames measured: frame %d, key %d", frame, key)
			}
		})
	}
}
