package lab

import (
	"encoding/json"
	"sync"
	"time"

	"microlab/simulator"
)

// How much the slower parts of a frame carry.
const (
	frameEvents    = 50  // events in one frame at most
	snapshotEvents = 100 // events a joining viewer gets
	keyEvents      = 20  // events a key frame repeats
	sagaTimelines  = 6   // finished saga timelines sent
	traceList      = 12  // sampled traces listed
	historySeconds = 60  // seconds of chart history a joining viewer gets
)

// Frame is one message for viewers: a frame of state, or a hello or a
// snapshot. The same Frame goes to every viewer of a tick, so whatever a
// transport makes of it before sending (a websocket's framing) can be made
// once, with Encoding, and shared.
type Frame struct {
	data []byte
	once sync.Once
	enc  any
}

func newFrame(b []byte) *Frame { return &Frame{data: b} }

// Bytes is the message, JSON text. It must not be changed.
func (f *Frame) Bytes() []byte { return f.data }

// Encoding returns encode(f.Bytes()), calling encode only the first time,
// for whichever viewer sends the frame first; the others get the same value.
func (f *Frame) Encoding(encode func([]byte) any) any {
	f.once.Do(func() { f.enc = encode(f.data) })
	return f.enc
}

// frameState is what a lab remembers between frames: the last vector sent,
// so the next frame carries only what changed, and the slower parts
// (sagas, traces, chart history) that frames carry now and then.
type frameState struct {
	shape     *shape
	keys      []string
	src       source
	prev, cur []val
	have      bool    // prev holds the vector of the last frame sent
	at        float64 // its virtual time, ms
	seq       uint64
	evSeq     uint64 // the last event sent
	sagas     []byte // the saga timelines as last sent (a JSON array)
	traces    []byte // the trace list as last sent (a JSON array)
	ticks     int
	quiet     int // ticks since the last frame went out
	hist      [][]float64
	histSec   int64
	buf       []byte
}

// addRow keeps a second of chart history, dropping the oldest past
// historySeconds.
func (fr *frameState) addRow(row []float64) {
	if len(fr.hist) >= historySeconds {
		copy(fr.hist, fr.hist[1:])
		fr.hist = fr.hist[:len(fr.hist)-1]
	}
	fr.hist = append(fr.hist, row)
}

func (fr *frameState) resetHistory() {
	fr.hist, fr.histSec = fr.hist[:0], -1
}

// chartRow is one second of the charts: the gateway's figures, then each
// edge's, each as throughput, error rate, p50 and p99.
func chartRow(sec int64, snap *simulator.Snapshot) []float64 {
	row := make([]float64, 0, 1+4*(1+len(snap.Edges)))
	row = append(row, float64(sec))
	add := func(st *simulator.Stats) {
		row = append(row, r1(st.Throughput), r3(st.ErrorRate), rms(st.P50), rms(st.P99))
	}
	add(&snap.Nodes.Gateway.Stats)
	for i := range snap.Edges {
		add(&snap.Edges[i].Stats)
	}
	return row
}

// chartSeries names the columns of chartRow after the time: "gw", then
// "e.<edge>" for each edge.
func chartSeries(topo *simulator.Topology) []string {
	out := []string{"gw"}
	for _, e := range topo.Edges {
		out = append(out, "e."+e.ID)
	}
	return out
}

// buildFrame computes the current vector into fr.cur, and refreshes the
// slower parts when they are due.
func (l *Lab) buildFrame() (sagasChanged, tracesChanged bool) {
	fr := &l.fr
	fr.ticks++
	// The sagas and traces go out at most once a second; the timelines are
	// the dearest part of a snapshot, so they are built only then.
	slow := !fr.have || fr.ticks%10 == 0
	var snap simulator.Snapshot
	if slow {
		snap = l.sim.Snapshot()
	} else {
		snap = l.sim.SnapshotWithoutTimelines()
	}
	rv := l.runView()
	fr.src.shape, fr.src.run = fr.shape, &rv
	fr.src.setSnapshot(&snap)
	fr.cur = fillVector(&fr.src, fr.cur)
	fr.src.snap, fr.src.run = nil, nil
	if slow {
		b := encodeSagas(nil, &snap.Sagas)
		if string(b) != string(fr.sagas) {
			fr.sagas, sagasChanged = b, true
		}
		b = encodeTraces(nil, l.sim.Traces())
		if string(b) != string(fr.traces) {
			fr.traces, tracesChanged = b, true
		}
	}
	if sec := int64(l.sim.Now() / time.Second); sec != fr.histSec {
		fr.histSec = sec
		fr.addRow(chartRow(sec, &snap))
	}
	return sagasChanged, tracesChanged
}

// broadcast builds this tick's frame once and offers it to every viewer.
// A viewer whose queue is full loses the frame and is marked; the next
// frame it can take is a key frame, the whole state, so it never applies a
// change to a state it does not have.
func (l *Lab) broadcast() {
	fr := &l.fr
	first := !fr.have
	sagasChanged, tracesChanged := l.buildFrame()
	events := l.sim.Events(fr.evSeq)
	if len(events) > frameEvents {
		events = events[len(events)-frameEvents:]
	}
	changed := 0
	for i := range fr.cur {
		if first || fr.cur[i] != fr.prev[i] {
			changed++
		}
	}
	fr.quiet++
	// A paused lab has nothing to say; it still sends a frame a second.
	if changed == 0 && len(events) == 0 && !sagasChanged && !tracesChanged && fr.quiet < 10 {
		return
	}
	fr.quiet = 0
	fr.seq++
	at := float64(l.sim.Now()/time.Microsecond) / 1000

	b := fr.buf[:0]
	b = frameHeader(b, fr.seq, at)
	b = append(b, `,"d":[`...)
	n := 0
	for i := range fr.cur {
		if first || fr.cur[i] != fr.prev[i] {
			if n > 0 {
				b = append(b, ',')
			}
			b = appendNum(b, float64(i))
			b = append(b, ',')
			b = appendVal(b, fr.cur[i])
			n++
		}
	}
	b = append(b, ']')
	if len(events) > 0 {
		b = append(b, `,"ev":`...)
		b = appendEvents(b, events)
		fr.evSeq = events[len(events)-1].Seq
	}
	if sagasChanged {
		b = append(b, `,"sagas":`...)
		b = append(b, fr.sagas...)
	}
	if tracesChanged {
		b = append(b, `,"traces":`...)
		b = append(b, fr.traces...)
	}
	b = append(b, '}')
	fr.buf = b
	// Viewers' writers read the frame after this tick has moved on, so each
	// frame is a copy of the buffer, shared by every viewer.
	delta := newFrame(append(make([]byte, 0, len(b)), b...))

	var key *Frame
	for v := range l.viewers {
		msg := delta
		if v.needKey {
			if key == nil {
				key = l.keyFrame(at)
			}
			msg = key
		}
		select {
		case v.out <- msg:
			v.needKey = false
		default:
			v.needKey = true
			v.drops++
		}
	}
	fr.prev, fr.cur = fr.cur, fr.prev
	fr.have, fr.at = true, at
}

func frameHeader(b []byte, seq uint64, at float64) []byte {
	b = append(b, `{"type":"frame","n":`...)
	b = appendNum(b, float64(seq))
	b = append(b, `,"ts":`...)
	b = appendNum(b, float64(time.Now().UnixMicro()))
	b = append(b, `,"at":`...)
	return appendNum(b, at)
}

// keyFrame is the whole state as a frame, for a viewer that lost one: the
// full vector, the last few events, the sagas and the traces.
func (l *Lab) keyFrame(at float64) *Frame {
	fr := &l.fr
	b := make([]byte, 0, 8192)
	b = frameHeader(b, fr.seq, at)
	b = append(b, `,"key":true,"k":`...)
	b = appendVector(b, fr.cur)
	b = append(b, `,"ev":`...)
	b = appendEvents(b, l.recentEvents(keyEvents, fr.evSeq))
	b = append(b, `,"sagas":`...)
	b = append(b, orEmpty(fr.sagas)...)
	b = append(b, `,"traces":`...)
	b = append(b, orEmpty(fr.traces)...)
	return newFrame(append(b, '}'))
}

// snapshotMessage is what a viewer gets on joining: the whole state now
// (snap and its vector vec), recent events, sagas, traces, the chart
// history, and the simulator's own full snapshot.
func (l *Lab) snapshotMessage(snap *simulator.Snapshot, vec []val) *Frame {
	fr := &l.fr
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"type":"snapshot","n":`...)
	b = appendNum(b, float64(fr.seq))
	b = append(b, `,"ts":`...)
	b = appendNum(b, float64(time.Now().UnixMicro()))
	b = append(b, `,"at":`...)
	b = appendNum(b, float64(l.sim.Now()/time.Microsecond)/1000)
	b = append(b, `,"k":`...)
	b = appendVector(b, vec)
	b = append(b, `,"events":`...)
	b = appendEvents(b, l.recentEvents(snapshotEvents, l.sim.EventSeq()))
	b = append(b, `,"sagas":`...)
	b = encodeSagas(b, &snap.Sagas)
	b = append(b, `,"traces":`...)
	b = encodeTraces(b, l.sim.Traces())
	b = append(b, `,"history":{"series":[`...)
	for i, s := range chartSeries(&l.m.topo) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	b = append(b, `],"rows":[`...)
	for i, row := range fr.hist {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, v := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendNum(b, v)
		}
		b = append(b, ']')
	}
	b = append(b, `]},"snapshot":`...)
	raw, err := json.Marshal(snap)
	if err != nil {
		raw = []byte("null")
	}
	b = append(b, raw...)
	return newFrame(append(b, '}'))
}

// hello is the first message on every connection: who the viewer is, the
// lab, the vector's keys, the shop's topology, the limits and the message
// types it may send.
func (l *Lab) hello(owner bool, num int) *Frame {
	type labInfo struct {
		ID         string  `json:"id"`
		Title      string  `json:"title"`
		Scenario   *string `json:"scenario"`
		Pattern    string  `json:"pattern,omitempty"`
		DurationMS float64 `json:"duration_ms,omitempty"`
	}
	info := labInfo{ID: l.id, Title: l.title}
	if l.sc != nil {
		info.Scenario, info.Pattern, info.DurationMS = &l.sc.Slug, l.sc.Pattern, float64(l.sc.Duration/time.Millisecond)
	}
	role := "viewer"
	if owner {
		role = "owner"
	}
	b, _ := json.Marshal(struct {
		Type     string             `json:"type"`
		Role     string             `json:"role"`
		You      int                `json:"you"`
		Lab      labInfo            `json:"lab"`
		Keys     []string           `json:"keys"`
		Topology simulator.Topology `json:"topology"`
		Limits   map[string]any     `json:"limits"`
		Commands []string           `json:"commands"`
	}{
		Type: "hello", Role: role, You: num, Lab: info, Keys: l.fr.keys, Topology: l.m.topo,
		Limits: map[string]any{
			"speed_min": minSpeed, "speed_max": maxSpeed, "step_max_ms": maxStepMS,
			"fast_forward_max_s": maxFFSeconds, "messages_per_second": rate, "message_max_bytes": MaxMessage,
			"seed_max": uint64(maxSeed),
		},
		Commands: messageTypes(),
	})
	return newFrame(b)
}

// recentEvents returns the last n events up to sequence number upto.
func (l *Lab) recentEvents(n int, upto uint64) []simulator.Event {
	since := uint64(0)
	if upto > uint64(n) {
		since = upto - uint64(n)
	}
	evs := l.sim.Events(since)
	for len(evs) > 0 && evs[len(evs)-1].Seq > upto {
		evs = evs[:len(evs)-1]
	}
	return evs
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("[]")
	}
	return b
}

// appendEvents encodes events as [seq, at_ms, kind, subject, message].
func appendEvents(b []byte, evs []simulator.Event) []byte {
	b = append(b, '[')
	for i, e := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendNum(b, float64(e.Seq))
		b = append(b, ',')
		b = appendNum(b, e.AtMS)
		b = append(b, ',')
		b = appendJSONString(b, e.Kind)
		b = append(b, ',')
		b = appendJSONString(b, e.Subject)
		b = append(b, ',')
		b = appendJSONString(b, e.Message)
		b = append(b, ']')
	}
	return append(b, ']')
}

// encodeSagas encodes the newest finished and running saga timelines as
// [id, state, started_ms, ended_ms, [[step, state, attempts, start_ms,
// end_ms, result], …]], newest first.
func encodeSagas(b []byte, v *simulator.SagaView) []byte {
	var finished, running []*simulator.SagaTimeline
	for i := range v.Recent {
		t := &v.Recent[i]
		if t.EndedMS < 0 {
			if len(running) < 2 {
				running = append(running, t)
			}
		} else if len(finished) < sagaTimelines {
			finished = append(finished, t)
		}
	}
	b = append(b, '[')
	first := true
	for _, list := range [][]*simulator.SagaTimeline{running, finished} {
		for _, t := range list {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, '[')
			b = appendNum(b, float64(t.ID))
			b = append(b, ',')
			b = appendJSONString(b, t.State)
			b = append(b, ',')
			b = appendNum(b, t.StartedMS)
			b = append(b, ',')
			b = appendNum(b, t.EndedMS)
			b = append(b, ",["...)
			for j, st := range t.Steps {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				b = appendJSONString(b, st.Step)
				b = append(b, ',')
				b = appendJSONString(b, st.State)
				b = append(b, ',')
				b = appendNum(b, float64(st.Attempts))
				b = append(b, ',')
				b = appendNum(b, st.StartMS)
				b = append(b, ',')
				b = appendNum(b, st.EndMS)
				b = append(b, ',')
				b = appendJSONString(b, st.Result)
				b = append(b, ']')
			}
			b = append(b, "]]"...)
		}
	}
	return append(b, ']')
}

// encodeTraces lists the newest sampled traces as [id, kind, client,
// start_ms, duration_ms (-1 while open), outcome, spans], newest first.
func encodeTraces(b []byte, traces []simulator.Trace) []byte {
	b = append(b, '[')
	n := 0
	for i := len(traces) - 1; i >= 0 && n < traceList; i-- {
		t := &traces[i]
		if len(t.Spans) == 0 {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		root := &t.Spans[0]
		b = append(b, '[')
		b = appendNum(b, float64(t.ID))
		b = append(b, ',')
		b = appendJSONString(b, t.Kind)
		b = append(b, ',')
		b = appendJSONString(b, t.Client)
		b = append(b, ',')
		b = appendNum(b, root.StartMS)
		b = append(b, ',')
		b = appendNum(b, root.DurationMS)
		b = append(b, ',')
		b = appendJSONString(b, root.Outcome)
		b = append(b, ',')
		b = appendNum(b, float64(len(t.Spans)))
		b = append(b, ']')
	}
	return append(b, ']')
}
