package lab

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of a viewer; PROTOCOL.md documents them.
const (
	// MaxViewers is how many viewers one lab takes.
	MaxViewers = 1000
	queueLen   = 8 // frames queued per viewer before it loses some
	// MaxMessage is the largest message a viewer may send, in bytes; the
	// socket closes on a larger one (1009).
	MaxMessage = 4096
	rate       = 20 // messages a second a viewer may send
)

// Viewer is one connection's end of a lab: the frames to write to it, in
// order, starting with the hello and the snapshot, and the messages it
// sends. One goroutine writes what Frames gives; one other calls Send.
type Viewer struct {
	lab   *Lab
	owner bool
	addr  string
	out   chan *Frame   // frames, from the lab's goroutine
	gone  chan struct{} // closed when the lab ends
	code  int           // the close code, set before gone is closed
	text  string
	leave sync.Once

	// bucket limits the messages Send takes: the viewer's own, or for the
	// owner the learner's, shared by all their sockets.
	bucket *tokenBucket
	// num is the viewer's number in the lab, from 1 in the order they
	// joined: how the owner names a viewer to hand control to.
	num int
	// controlling is set while the owner has handed this viewer control.
	controlling atomic.Bool
	// Owned by the lab's goroutine.
	needKey bool
	drops   uint64
	vote    int // the viewer's vote in class mode, -1 for none
}

// Join adds a viewer at client address addr to the lab; owner says whether
// it may control it. It refuses with ErrCrowded, ErrClosing,
// ErrAddressSockets, ErrSockets or ErrEnded. Every viewer that joined must
// Leave.
func (l *Lab) Join(owner bool, addr string) (*Viewer, error) {
	if l.viewerCount.Add(1) > MaxViewers {
		l.viewerCount.Add(-1)
		return nil, ErrCrowded
	}
	if err := l.m.enter(addr); err != nil {
		l.viewerCount.Add(-1)
		return nil, err
	}
	v := &Viewer{lab: l, owner: owner, addr: addr, out: make(chan *Frame, queueLen), gone: make(chan struct{}),
		bucket: &tokenBucket{}, num: int(l.viewerSeq.Add(1)), vote: -1}
	if owner {
		v.bucket = l.m.ownerBucket(l.owner)
	}
	v.out <- l.hello(owner, v.num)
	select {
	case l.joins <- v:
		return v, nil
	case <-l.done:
		v.release()
		return nil, ErrEnded
	}
}

// Frames gives the messages to write to the viewer, in order. A viewer that
// does not take them fast enough loses some and then gets a key frame.
func (v *Viewer) Frames() <-chan *Frame { return v.out }

// Gone is closed when the lab has ended; Goodbye then says why.
func (v *Viewer) Gone() <-chan struct{} { return v.gone }

// Goodbye is the close code and reason for the viewer once Gone is closed.
func (v *Viewer) Goodbye() (code int, reason string) { return v.code, v.text }

// Owner reports whether the viewer controls the lab.
func (v *Viewer) Owner() bool { return v.owner }

// Send handles one text message from the viewer and returns the reply to
// write back: an ack, an answer or an error. It waits for the lab's
// goroutine, which answers within a tick.
func (v *Viewer) Send(raw []byte) []byte {
	if !v.bucket.allow(time.Now()) {
		return rateLimited()
	}
	m, ref := parseMessage(raw)
	if ref != nil {
		return replyError(m.id, ref.code, ref.message)
	}
	if v.lab.source != nil {
		if m.ctl == nil || !m.ctl.replay {
			return replyError(m.id, "read-only", "This is a recorded run: it plays back as it was. Fork it to change what happens from here.")
		}
	} else if !v.owner && !(m.ctl != nil && m.ctl.anyone) && !(v.controlling.Load() && (m.ctl == nil || !m.ctl.ownerOnly)) {
		return replyError(m.id, "read-only", "This lab is read-only for you: only the person who started it can control it. Start your own from /lab/"+v.lab.Info().Slug()+".")
	}
	m.from = v
	l := v.lab
	reply := make(chan []byte, 1)
	select {
	case l.reqs <- request{msg: m, reply: reply}:
	case <-l.done:
		return replyError(m.id, "ended", "This lab has ended.")
	}
	select {
	case b := <-reply:
		return b
	case <-l.done:
		return replyError(m.id, "ended", "This lab has ended.")
	}
}

// SendBinary answers a binary message, which the protocol does not take.
// It counts against the rate limit like any other.
func (v *Viewer) SendBinary() []byte {
	if !v.bucket.allow(time.Now()) {
		return rateLimited()
	}
	return replyError(nil, "bad-message", "Send JSON text messages, not binary ones.")
}

func rateLimited() []byte {
	return replyError(nil, "rate-limited", fmt.Sprintf("More than %d messages a second: this one was refused. Wait a moment.", rate))
}

// Leave takes the viewer off the lab. It is safe to call more than once.
func (v *Viewer) Leave() {
	v.leave.Do(func() {
		select {
		case v.lab.leaves <- v:
		case <-v.lab.done:
		}
		v.release()
	})
}

func (v *Viewer) release() {
	v.lab.viewerCount.Add(-1)
	v.lab.m.exit(v.addr)
}

// shut tells the viewer the lab has ended; the lab's goroutine calls it once.
func (v *Viewer) shut(code int, text string) {
	v.code, v.text = code, text
	close(v.gone)
}

// tokenBucket limits messages per second. An owner's sockets share one, so
// it has a lock.
type tokenBucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func (b *tokenBucket) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.tokens, b.last = rate, now
	}
	b.tokens = min(rate, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
