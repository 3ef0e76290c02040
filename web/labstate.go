package web

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"microlab/simulator"
)

// A lab's visual state travels as a flat vector of scalars (numbers and
// short strings) with a fixed schema: the key of every position is sent
// once, in the hello, and frames then carry only the positions whose value
// changed since the previous frame. The schema depends only on the shop's
// topology (every instance slot up to MaxInstances has its positions, used
// or not), so it is the same for every simulation and never changes while
// one runs.

// labVal is one position's value: a number, or a string when str is set.
type labVal struct {
	n   float64
	s   string
	str bool
}

// vecWriter fills a vector in schema order. While learn is set it records
// the keys as well; otherwise only the values, so no key string is built
// on the hot path.
type vecWriter struct {
	learn  bool
	keys   []string
	vals   []labVal
	prefix string
}

// at sets the prefix of the keys that follow; the parts are joined only
// while learning the schema.
func (w *vecWriter) at(parts ...string) {
	if w.learn {
		w.prefix = strings.Join(parts, "")
	}
}

func (w *vecWriter) num(name string, v float64) {
	if w.learn {
		w.keys = append(w.keys, w.prefix+name)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	w.vals = append(w.vals, labVal{n: v})
}

func (w *vecWriter) str(name, v string) {
	if w.learn {
		w.keys = append(w.keys, w.prefix+name)
	}
	w.vals = append(w.vals, labVal{s: v, str: true})
}

func (w *vecWriter) flag(name string, v bool) {
	n := 0.0
	if v {
		n = 1
	}
	w.num(name, n)
}

// Rounding keeps frames small and stops noise in the last digits from
// counting as a change.
func r1(v float64) float64 { return math.Round(v*10) / 10 }
func r3(v float64) float64 { return math.Round(v*1000) / 1000 }

// rms rounds a latency in milliseconds to three significant figures or so.
func rms(v float64) float64 {
	switch {
	case v < 10:
		return math.Round(v*100) / 100
	case v < 1000:
		return math.Round(v*10) / 10
	}
	return math.Round(v)
}

// runView is the lab's own state that goes into the vector beside the
// simulation's.
type runView struct {
	state   string // waiting, running, paused, fast-forward, ended
	speed   float64
	eff     float64 // the speed the simulation actually kept up over the last second
	ffUntil float64 // virtual ms a fast-forward runs to, 0 when none
	viewers int
	seed    uint64
	epoch   int // counts resets, so clients know to clear their charts
	// Scenario mode only.
	script *labScript
}

// instSlots indexes the snapshot's instance nodes by service and ordinal.
type instSlots [5][simulator.MaxInstances]*simulator.NodeView

func fillInstSlots(slots *instSlots, snap *simulator.Snapshot) {
	*slots = instSlots{}
	for i := range snap.Nodes {
		n := &snap.Nodes[i]
		if n.Kind != "instance" {
			continue
		}
		svc := serviceIndex(n.Service)
		dash := strings.LastIndexByte(n.Name, '-')
		ord, err := strconv.Atoi(n.Name[dash+1:])
		if svc < 0 || dash < 0 || err != nil || ord < 1 || ord > simulator.MaxInstances {
			continue
		}
		slots[svc][ord-1] = n
	}
}

var labServices = simulator.ServiceNames()

func serviceIndex(name string) int {
	for i, s := range labServices {
		if s == name {
			return i
		}
	}
	return -1
}

// fillVec writes the whole visual state in schema order.
func fillVec(w *vecWriter, snap *simulator.Snapshot, rv *runView, slots *instSlots) {
	w.at("run.")
	w.str("state", rv.state)
	w.num("speed", rv.speed)
	w.num("eff", r1(rv.eff))
	w.num("ff", rv.ffUntil)
	w.num("viewers", float64(rv.viewers))
	w.num("seed", float64(rv.seed))
	w.num("epoch", float64(rv.epoch))

	if sc := rv.script; sc != nil {
		w.at("sc.")
		w.num("pred", float64(sc.prediction))
		w.flag("end", sc.ended)
		for i := range sc.steps {
			w.at("sc.s.", strconv.Itoa(i), ".")
			w.str("st", sc.steps[i])
		}
		for i := range sc.verdicts {
			w.at("sc.c.", strconv.Itoa(i), ".")
			w.str("st", sc.verdicts[i].state)
			w.str("d", sc.verdicts[i].detail)
		}
	}

	w.at("load.")
	w.num("rate", snap.Load.Rate)
	w.num("burst", snap.Load.BurstRate)
	w.num("bu", snap.Load.BurstUntilMS)
	w.str("bc", snap.Load.BurstClient)

	g := &snap.Gateway
	w.at("gw.")
	if st := snap.Nodes[0].Stats; st != nil {
		w.num("tp", r1(st.Throughput))
		w.num("er", r3(st.ErrorRate))
		w.num("p50", rms(st.P50))
		w.num("p95", rms(st.P95))
		w.num("p99", rms(st.P99))
	} else {
		for _, k := range []string{"tp", "er", "p50", "p95", "p99"} {
			w.num(k, 0)
		}
	}
	w.num("infl", float64(g.Inflight))
	w.num("maxinfl", float64(g.MaxInflight))
	w.num("c429", float64(g.Codes["429"]))
	w.num("c401", float64(g.Codes["401"]))
	w.num("hits", float64(g.Cache.Hits))
	w.num("misses", float64(g.Cache.Misses))
	w.num("ordok", float64(g.Orders.Completed))
	w.num("ordrej", float64(g.Orders.Rejected))
	w.num("ordfail", float64(g.Orders.Failed))
	w.flag("cache", g.Cache.Enabled)
	w.num("ttl", g.Cache.TTLMS)
	w.flag("rl", g.RateLimit.Enabled)
	w.num("rlrate", float64(g.RateLimit.Rate))
	w.num("rlburst", float64(g.RateLimit.Burst))
	w.flag("auth", g.Auth.Enabled)
	w.num("authshare", g.Auth.NoTokenShare)

	reg := &snap.Registry
	w.at("reg.")
	w.flag("up", reg.Up)
	w.num("evict", float64(reg.Evictions))
	for _, c := range reg.Callers {
		w.at("reg.", c.Caller, ".")
		w.flag("stale", c.Stale)
	}
	for _, d := range reg.Services {
		w.at("reg.", d.Service, ".")
		w.num("alive", float64(instMask(d.Alive)))
		w.num("reg", float64(instMask(d.Registered)))
		w.num("gw", float64(instMask(d.Gateway)))
		w.num("ord", float64(instMask(d.Orders)))
	}

	b := &snap.Broker
	w.at("brk.")
	w.flag("up", b.Up)
	w.str("mode", b.PublishMode)
	w.num("dlq", float64(b.DeadLettered))
	for _, t := range b.Topics {
		w.at("top.", t.Name, ".")
		w.num("pub", float64(t.Published))
		w.num("outbox", float64(t.Outbox))
		w.num("failed", float64(t.Failed))
	}
	for _, gr := range b.Groups {
		w.at("grp.", gr.Name, ".")
		w.num("lag", float64(gr.Lag))
		w.num("busy", float64(gr.Busy))
		w.num("cons", float64(gr.Consumers))
		w.num("redel", float64(gr.Redelivered))
		w.num("dup", float64(gr.Duplicates))
		w.num("dead", float64(gr.DeadLetter))
		w.num("extra", gr.ExtraMS)
	}

	for i := range snap.Nodes {
		n := &snap.Nodes[i]
		switch n.Kind {
		case "registry", "broker", "gateway", "instance":
			continue
		}
		w.at("svc.", n.Name, ".")
		w.str("st", n.State)
		st := n.Stats
		if st == nil {
			st = &simulator.Stats{}
		}
		w.num("tp", r1(st.Throughput))
		w.num("er", r3(st.ErrorRate))
		w.num("p50", rms(st.P50))
		w.num("p95", rms(st.P95))
		w.num("p99", rms(st.P99))
		w.num("lat", n.LatencyMS)
		w.num("jit", n.JitterMS)
		w.num("err", n.SetErrorRate)
		w.num("n", float64(n.Instances))
	}

	for svc := range slots {
		for o := range slots[svc] {
			w.at("in.", labServices[svc], "-", strconv.Itoa(o+1), ".")
			n := slots[svc][o]
			if n == nil {
				w.str("st", "")
				w.num("tp", 0)
				w.num("er", 0)
				w.num("busy", 0)
				w.num("q", 0)
				continue
			}
			w.str("st", n.State)
			w.num("tp", r1(n.Throughput))
			w.num("er", r3(n.ErrorRate))
			w.num("busy", float64(n.Busy))
			w.num("q", float64(n.Queued))
		}
	}

	for i := range snap.Edges {
		e := &snap.Edges[i]
		w.at("e.", e.ID, ".")
		w.num("tp", r1(e.Stats.Throughput))
		w.num("er", r3(e.Stats.ErrorRate))
		w.num("p50", rms(e.Stats.P50))
		w.num("p95", rms(e.Stats.P95))
		w.num("p99", rms(e.Stats.P99))
		w.num("act", float64(e.Active))
		w.num("calls", float64(e.Calls))
		w.num("retr", float64(e.Retries))
		w.num("sretr", float64(e.SidecarRetry))
		w.num("bd", float64(e.BudgetDenied))
		w.num("tmos", float64(e.Timeouts))
		w.num("fbs", float64(e.Fallbacks))
		w.flag("cut", e.Cut)
		w.flag("mtls", e.MTLS)
		br := &e.Breaker
		w.str("br", br.State.String())
		w.flag("br.en", br.Enabled)
		w.num("br.calls", float64(br.Window.Calls))
		w.num("br.fail", float64(br.Window.Failed))
		w.num("br.slow", float64(br.Window.Slow))
		w.num("br.fr", r3(br.Window.FailureRate))
		w.num("br.sr", r3(br.Window.SlowRate))
		w.num("br.np", float64(br.NotPermitted))
		w.num("br.tr", float64(br.Transitions))
		w.num("br.win", float64(br.WindowSize))
		w.num("br.min", float64(br.MinCalls))
		w.num("br.thr", br.FailureRate)
		w.num("br.slowms", br.SlowCallMS)
		w.num("br.slowthr", br.SlowRate)
		w.num("br.wait", br.WaitInOpenMS)
		w.num("br.hoc", float64(br.HalfOpenCalls))
		bh := &e.Bulkhead
		w.flag("bh.en", bh.Enabled)
		w.num("bh.use", float64(bh.InUse))
		w.num("bh.q", float64(bh.Queued))
		w.num("bh.rej", float64(bh.Rejected))
		w.num("bh.max", float64(bh.MaxConcurrent))
		w.num("bh.mq", float64(bh.MaxQueue))
		w.num("bh.wait", bh.MaxWaitMS)
		p := &e.Policy
		w.str("lb", p.LB)
		w.num("tmo", p.TimeoutMS)
		w.str("tmoby", p.TimeoutBy)
		w.num("ret", float64(p.Retries))
		w.str("retby", p.RetriesBy)
		w.num("bo", p.BackoffMS)
		w.num("bomax", p.BackoffMaxMS)
		w.flag("bud", p.Budget)
		w.num("budp", p.BudgetPercent)
		w.flag("fbk", p.Fallback)
	}

	sg := &snap.Sagas
	w.at("saga.")
	w.str("mode", sg.Mode)
	w.num("started", float64(sg.Started))
	w.num("run", float64(sg.Running))
	w.num("comp", float64(sg.Compensating))
	w.num("done", float64(sg.Completed))
	w.num("undone", float64(sg.Compensated))
	w.num("stuck", float64(sg.Stuck))
	w.num("comps", float64(sg.Compensations))

	for _, c := range snap.Sidecars {
		w.at("car.", c.Service, ".")
		w.flag("en", c.Enabled)
		w.str("ret", c.Retries)
		w.str("tmo", c.Timeouts)
		w.flag("mtls", c.MTLS)
		w.str("met", c.Metrics)
	}
}

// instMask turns a list of instance names into a bit set: bit k is the
// instance with ordinal k+1.
func instMask(names []string) int {
	m := 0
	for _, n := range names {
		if dash := strings.LastIndexByte(n, '-'); dash >= 0 {
			if o, err := strconv.Atoi(n[dash+1:]); err == nil && o >= 1 && o <= 30 {
				m |= 1 << (o - 1)
			}
		}
	}
	return m
}

// labSchemas caches the key list per scenario shape: scenarios differ only
// in how many steps and checks they have.
var labSchemas sync.Map // "steps/checks" → []string

// schemaFor returns the keys of a lab's vector.
func schemaFor(script *labScript) []string {
	k := "-"
	if script != nil {
		k = strconv.Itoa(len(script.steps)) + "/" + strconv.Itoa(len(script.verdicts))
	}
	if v, ok := labSchemas.Load(k); ok {
		return v.([]string)
	}
	sim := simulator.MustNew(simulator.DefaultConfig())
	snap := sim.Snapshot()
	var slots instSlots
	fillInstSlots(&slots, &snap)
	w := &vecWriter{learn: true}
	fillVec(w, &snap, &runView{script: script}, &slots)
	labSchemas.Store(k, w.keys)
	return w.keys
}

// JSON encoding by hand: frames are built ten times a second per lab, so
// they avoid reflection and allocate only their buffer.

func appendVal(b []byte, v labVal) []byte {
	if v.str {
		return appendJSONString(b, v.s)
	}
	return appendNum(b, v.n)
}

func appendNum(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
