package simulator

import (
	"fmt"
	"strings"
	"time"
)

// A sampled request records a span tree: the gateway's root span, a span per call on
// an edge, a span per attempt (named by the instance it reached), and below a placed
// order, the saga and its steps' calls. Traces live in a fixed ring of traceRing
// records of at most maxSpans spans each, so tracing allocates nothing.
const (
	traceRing = 32
	maxSpans  = 48
)

type span struct {
	parent  int16
	open    bool
	name    string
	detail  string
	outcome string
	start   time.Duration
	end     time.Duration
}

type traceRec struct {
	gen    uint32
	id     uint64
	kind   string
	client string
	n      int16
	spans  [maxSpans]span
}

type traceBook struct {
	recs  [traceRing]traceRec
	next  int
	count uint64
}

// traceRef points at a span of a live trace record; t < 0 means "not traced".
type traceRef struct {
	t    int16
	span int16
	gen  uint32
}

var noTrace = traceRef{t: -1}

var kindRoutes = [numKinds]string{"GET /catalog", "GET /catalog/items/{id}", "POST /orders"}

func (s *Sim) traceBegin(kind int, client string) traceRef {
	b := &s.traces
	t := b.next
	b.next = (b.next + 1) % traceRing
	b.count++
	r := &b.recs[t]
	r.gen++
	r.id, r.kind, r.client, r.n = b.count, kindNames[kind], client, 1
	r.spans[0] = span{parent: -1, open: true, name: "gateway", detail: kindRoutes[kind], start: s.now}
	return traceRef{t: int16(t), span: 0, gen: r.gen}
}

func (s *Sim) spanStart(p traceRef, name, detail string) traceRef {
	if p.t < 0 {
		return noTrace
	}
	r := &s.traces.recs[p.t]
	if r.gen != p.gen || r.n >= maxSpans {
		return noTrace
	}
	i := r.n
	r.n++
	r.spans[i] = span{parent: p.span, open: true, name: name, detail: detail, start: s.now}
	return traceRef{t: p.t, span: i, gen: p.gen}
}

func (s *Sim) spanEnd(ref traceRef, res uint8) {
	if ref.t < 0 {
		return
	}
	r := &s.traces.recs[ref.t]
	if r.gen != ref.gen {
		return
	}
	sp := &r.spans[ref.span]
	sp.open, sp.end, sp.outcome = false, s.now, resultNames[res]
}

func (s *Sim) traceEnd(ref traceRef, res uint8, code string) {
	if ref.t < 0 {
		return
	}
	s.spanEnd(ref, res)
	if r := &s.traces.recs[ref.t]; r.gen == ref.gen {
		r.spans[ref.span].outcome = code
	}
}

// Trace is one sampled request's span tree.
type Trace struct {
	// ID numbers sampled requests from 1.
	ID uint64 `json:"id"`
	// Kind is "browse", "view" or "order".
	Kind string `json:"kind"`
	// Client is the client that sent the request.
	Client string `json:"client"`
	// Spans are in start order; Parent indexes this slice (-1 for the root).
	Spans []Span `json:"spans"`
}

// Span is one hop or step of a trace.
type Span struct {
	// Parent is the index of the parent span, -1 for the root.
	Parent int `json:"parent"`
	// Name is the node, edge ("from>to") or step.
	Name string `json:"name"`
	// Detail is the route, operation or attempt kind.
	Detail string `json:"detail"`
	// StartMS is the virtual start time in milliseconds.
	StartMS float64 `json:"start_ms"`
	// DurationMS is the duration in milliseconds; -1 while the span is open.
	DurationMS float64 `json:"duration_ms"`
	// Outcome is "ok", "timeout", "fallback", a status code ... or "" while open.
	Outcome string `json:"outcome"`
}

// Traces returns the sampled traces still in the ring, oldest first.
func (s *Sim) Traces() []Trace {
	b := &s.traces
	var out []Trace
	for k := 0; k < traceRing; k++ {
		r := &b.recs[(b.next+k)%traceRing]
		if r.gen == 0 {
			continue
		}
		t := Trace{ID: r.id, Kind: r.kind, Client: r.client, Spans: make([]Span, r.n)}
		for i := int16(0); i < r.n; i++ {
			sp := &r.spans[i]
			d := -1.0
			if !sp.open {
				d = ms(sp.end - sp.start)
			}
			t.Spans[i] = Span{Parent: int(sp.parent), Name: sp.name, Detail: sp.detail, StartMS: ms(sp.start), DurationMS: d, Outcome: sp.outcome}
		}
		out = append(out, t)
	}
	return out
}

// String renders the trace as an indented waterfall, one span a line.
func (t Trace) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "trace %d %s %s\n", t.ID, t.Kind, t.Client)
	depth := make([]int, len(t.Spans))
	for i, sp := range t.Spans {
		if sp.Parent >= 0 {
			depth[i] = depth[sp.Parent] + 1
		}
		fmt.Fprintf(&sb, "%s%s [%s] start=%.3fms dur=%.3fms %s\n", strings.Repeat("  ", depth[i]+1), sp.Name, sp.Detail, sp.StartMS, sp.DurationMS, sp.Outcome)
	}
	return sb.String()
}
