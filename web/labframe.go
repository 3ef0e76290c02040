package web

import (
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"

	"microlab/simulator"
)

// frameState is what a lab remembers between frames: the last vector sent,
// so the next frame carries only what changed, and the slower parts
// (sagas, traces, chart history) that frames carry now and then.
type frameState struct {
	keys      []string
	prev, cur []labVal
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
	slots     instSlots
	buf       []byte
}

func (fr *frameState) resetHistory() {
	fr.hist, fr.histSec = fr.hist[:0], -1
}

// buildFrame computes the current vector into fr.cur, and refreshes the
// slower parts when they are due.
func (l *labSim) buildFrame(now time.Time) (sagasChanged, tracesChanged bool) {
	fr := &l.fr
	snap := l.sim.Snapshot()
	fillInstSlots(&fr.slots, &snap)
	w := vecWriter{vals: fr.cur[:0]}
	rv := l.runView()
	fillVec(&w, &snap, &rv, &fr.slots)
	fr.cur = w.vals
	if len(fr.cur) != len(fr.keys) {
		// A programming error, caught by the tests: the vector must follow the schema.
		l.m.log.Error("lab: vector does not match its schema", "values", len(fr.cur), "keys", len(fr.keys))
		fr.cur = fr.cur[:0]
		for range fr.keys {
			fr.cur = append(fr.cur, labVal{})
		}
	}
	fr.ticks++
	if !fr.have || fr.ticks%10 == 0 {
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
		row := []float64{float64(sec)}
		if st := snap.Nodes[0].Stats; st != nil {
			row = append(row, r1(st.Throughput), r3(st.ErrorRate), rms(st.P50), rms(st.P99))
		} else {
			row = append(row, 0, 0, 0, 0)
		}
		for _, e := range snap.Edges {
			row = append(row, r1(e.Stats.Throughput), r3(e.Stats.ErrorRate), rms(e.Stats.P50), rms(e.Stats.P99))
		}
		if len(fr.hist) >= labHistory {
			copy(fr.hist, fr.hist[1:])
			fr.hist = fr.hist[:len(fr.hist)-1]
		}
		fr.hist = append(fr.hist, row)
	}
	return sagasChanged, tracesChanged
}

// broadcast builds this tick's frame once and offers it to every viewer.
// A viewer whose queue is full loses the frame and is marked; the next
// frame it can take is a key frame, the whole state, so it never applies a
// change to a state it does not have.
func (l *labSim) broadcast(now time.Time) {
	fr := &l.fr
	first := !fr.have
	sagasChanged, tracesChanged := l.buildFrame(now)
	events := l.sim.Events(fr.evSeq)
	if len(events) > labFrameEvents {
		events = events[len(events)-labFrameEvents:]
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
	delta, _ := websocket.NewPreparedMessage(websocket.TextMessage, b)

	var key *websocket.PreparedMessage
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
func (l *labSim) keyFrame(at float64) *websocket.PreparedMessage {
	fr := &l.fr
	b := make([]byte, 0, 8192)
	b = frameHeader(b, fr.seq, at)
	b = append(b, `,"key":true,"k":`...)
	b = appendVector(b, fr.cur)
	b = append(b, `,"ev":`...)
	b = appendEvents(b, l.recentEvents(labKeyEvents, fr.evSeq))
	b = append(b, `,"sagas":`...)
	b = append(b, orEmpty(fr.sagas)...)
	b = append(b, `,"traces":`...)
	b = append(b, orEmpty(fr.traces)...)
	b = append(b, '}')
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, b)
	return pm
}

// snapshotMessage is what a viewer gets on joining: the whole state now
// (snap and its vector vec), recent events, sagas, traces, the chart
// history, and the simulator's own full snapshot.
func (l *labSim) snapshotMessage(snap *simulator.Snapshot, vec []labVal) *websocket.PreparedMessage {
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
	b = appendEvents(b, l.recentEvents(labSnapshotEvents, l.sim.EventSeq()))
	b = append(b, `,"sagas":`...)
	b = encodeSagas(b, &snap.Sagas)
	b = append(b, `,"traces":`...)
	b = encodeTraces(b, l.sim.Traces())
	b = append(b, `,"history":{"series":["gw"`...)
	for _, e := range simulator.EdgeNames() {
		b = append(b, ',')
		b = appendJSONString(b, "e."+e)
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
	b = append(b, '}')
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, b)
	return pm
}

// recentEvents returns the last n events up to sequence number upto.
func (l *labSim) recentEvents(n int, upto uint64) []simulator.Event {
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

func appendVector(b []byte, vals []labVal) []byte {
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendVal(b, v)
	}
	return append(b, ']')
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
		} else if len(finished) < labSagas {
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
	for i := len(traces) - 1; i >= 0 && n < labTraces; i-- {
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
