package lab

import (
	"math"
	"strconv"

	"microlab/simulator"
)

// A lab's visual state travels as a flat vector of scalars (numbers and
// short strings) with a fixed schema: the key of every position is sent
// once, in the hello, and frames then carry only the positions whose value
// changed since the previous frame.
//
// The vector is defined once, by the table in vectorTable: per entity (the
// run, the gateway, each edge, each instance slot …) its key prefix, how
// many there are and its fields. The schema (the keys) and every vector are
// both read off that table, so they cannot disagree. The number of entities
// comes from the shop's topology and the scenario's shape (how many steps and
// checks), never from a snapshot: every instance slot up to MaxInstances has
// its positions, used or not, so the schema never changes while a lab runs.

// val is one position's value: a number, or a string when str is set.
type val struct {
	n   float64
	s   string
	str bool
}

// shape is what the schema depends on: the topology, and whether the lab
// plays a scenario with how many steps and checks. The names the per-name
// groups run over are worked out once, here.
type shape struct {
	topo     *simulator.Topology
	scenario bool
	steps    int
	checks   int
	stages   int
	edges    []string // edge ids
	groups   []string // consumer group names
	slots    []string // instance names, every slot of every service
}

func newShape(topo *simulator.Topology, sc *simulator.Scenario) *shape {
	sh := &shape{topo: topo}
	if sc != nil {
		sh.scenario, sh.steps, sh.checks, sh.stages = true, len(sc.Timeline), len(sc.Checks), len(sc.Stages)
	}
	for _, e := range topo.Edges {
		sh.edges = append(sh.edges, e.ID)
	}
	for _, g := range topo.Groups {
		sh.groups = append(sh.groups, g.Name)
	}
	for _, svc := range topo.Services {
		for o := 1; o <= topo.MaxInstances; o++ {
			sh.slots = append(sh.slots, simulator.InstanceName(svc, o))
		}
	}
	return sh
}

// runView is the lab's own state that goes into the vector beside the
// simulation's.
type runView struct {
	state   string // waiting, running, paused, fast-forward
	speed   float64
	eff     float64 // the speed the simulation actually kept up over the last second
	ffUntil float64 // virtual ms a fast-forward runs to, 0 when none
	viewers int
	seed    uint64
	epoch   int // counts resets, so clients know to clear their charts
	// Scenario mode only.
	prediction int // the chosen option, -1 until chosen
	ended      bool
	steps      []simulator.StepState
	verdicts   []simulator.Verdict
	stage      int   // the stage the run is in
	asking     int   // the stage whose question holds the run, -1 when none
	answers    []int // per stage, the owner's answer, -1 when none
}

// source is what one vector is read from.
type source struct {
	shape *shape
	snap  *simulator.Snapshot
	run   *runView
	// slots holds the snapshot's instances by service index and ordinal.
	slots []*simulator.InstanceView
}

// setSnapshot points src at snap and indexes its instances.
func (src *source) setSnapshot(snap *simulator.Snapshot) {
	src.snap = snap
	max := src.shape.topo.MaxInstances
	if n := len(src.shape.topo.Services) * max; len(src.slots) != n {
		src.slots = make([]*simulator.InstanceView, n)
	}
	clear(src.slots)
	for i := range snap.Nodes.Instances {
		in := &snap.Nodes.Instances[i]
		if in.Ordinal >= 1 && in.Ordinal <= max && in.ServiceIndex*max < len(src.slots) {
			src.slots[in.ServiceIndex*max+in.Ordinal-1] = in
		}
	}
}

// field is one position of an entity of type T, or with stats five: the
// throughput / error rate / latency block that the gateway, each service
// and each edge carry, defined once here.
type field[T any] struct {
	name  string
	num   func(*T) float64
	text  func(*T) string
	flag  func(*T) bool
	stats func(*T) *simulator.Stats
}

// statKeys name the positions of a stats block, in order.
var statKeys = [...]string{"tp", "er", "p50", "p95", "p99"}

func num[T any](name string, f func(*T) float64) field[T] { return field[T]{name: name, num: f} }
func text[T any](name string, f func(*T) string) field[T] {
	return field[T]{name: name, text: f}
}
func boolean[T any](name string, f func(*T) bool) field[T] { return field[T]{name: name, flag: f} }

// statFields is an entity's stats block.
func statFields[T any](get func(*T) *simulator.Stats) []field[T] {
	return []field[T]{{stats: get}}
}

// keys appends the field's keys under prefix p.
func (f *field[T]) keys(p string, out []string) []string {
	if f.stats == nil {
		return append(out, p+f.name)
	}
	for _, k := range statKeys {
		out = append(out, p+k)
	}
	return out
}

// appendStats appends a stats block's values; a nil st gives zeros.
func appendStats(out []val, st *simulator.Stats) []val {
	if st == nil {
		st = &simulator.Stats{}
	}
	return append(out, val{n: finite(r1(st.Throughput))}, val{n: finite(r3(st.ErrorRate))},
		val{n: finite(rms(st.P50))}, val{n: finite(rms(st.P95))}, val{n: finite(rms(st.P99))})
}

// entity is one row of the vector table.
type entity interface {
	keys(sh *shape, out []string) []string
	fill(src *source, out []val) []val
}

// group is count entities of type T: item i is read from the source, and
// its fields sit under prefix(i). An item that is nil (an instance slot
// nobody runs) writes zero values.
type group[T any] struct {
	prefix func(sh *shape, i int) string
	count  func(sh *shape) int
	item   func(src *source, i int) *T
	fields []field[T]
}

func (g group[T]) keys(sh *shape, out []string) []string {
	for i := range g.count(sh) {
		p := g.prefix(sh, i)
		for j := range g.fields {
			out = g.fields[j].keys(p, out)
		}
	}
	return out
}

// fill appends the values of every item's fields; an item that is nil (an
// instance slot nobody runs) gives zero values. The loop is written out,
// not a method per field, because it runs for every position of every
// frame.
func (g group[T]) fill(src *source, out []val) []val {
	for i := range g.count(src.shape) {
		it := g.item(src, i)
		for j := range g.fields {
			f := &g.fields[j]
			switch {
			case f.stats != nil:
				var st *simulator.Stats
				if it != nil {
					st = f.stats(it)
				}
				out = appendStats(out, st)
			case it == nil:
				out = append(out, val{str: f.text != nil})
			case f.text != nil:
				out = append(out, val{s: f.text(it), str: true})
			case f.flag != nil:
				out = append(out, val{n: b2f(f.flag(it))})
			default:
				out = append(out, val{n: finite(f.num(it))})
			}
		}
	}
	return out
}

// one is a group of a single entity with a fixed prefix.
func one[T any](prefix string, item func(*source) *T, fields ...[]field[T]) group[T] {
	return group[T]{
		prefix: func(*shape, int) string { return prefix },
		count:  func(*shape) int { return 1 },
		item:   func(src *source, _ int) *T { return item(src) },
		fields: concat(fields...),
	}
}

// each is a group with one entity per name, under prefix+name+".".
func each[T any](prefix string, names func(*shape) []string, item func(src *source, i int) *T, fields ...[]field[T]) group[T] {
	return group[T]{
		prefix: func(sh *shape, i int) string { return prefix + names(sh)[i] + "." },
		count:  func(sh *shape) int { return len(names(sh)) },
		item:   item,
		fields: concat(fields...),
	}
}

func concat[T any](parts ...[]field[T]) []field[T] {
	var out []field[T]
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// schema returns the keys of the vector for sh.
func schema(sh *shape) []string {
	var keys []string
	for _, e := range vectorTable {
		keys = e.keys(sh, keys)
	}
	return keys
}

// fillVector writes the whole vector from src into out[:0].
func fillVector(src *source, out []val) []val {
	out = out[:0]
	for _, e := range vectorTable {
		out = e.fill(src, out)
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
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

func itoa(i int) string { return strconv.Itoa(i) }

type (
	snapshot = simulator.Snapshot
	edgeView = simulator.EdgeView
)

// vectorTable is the vector, entity by entity, in wire order. PROTOCOL.md
// lists the same keys for people; TestSchemaGolden keeps it honest.
var vectorTable = []entity{
	one("run.", func(src *source) *runView { return src.run }, []field[runView]{
		text("state", func(r *runView) string { return r.state }),
		num("speed", func(r *runView) float64 { return r.speed }),
		num("eff", func(r *runView) float64 { return r1(r.eff) }),
		num("ff", func(r *runView) float64 { return r.ffUntil }),
		num("viewers", func(r *runView) float64 { return float64(r.viewers) }),
		num("seed", func(r *runView) float64 { return float64(r.seed) }),
		num("epoch", func(r *runView) float64 { return float64(r.epoch) }),
	}),
	group[runView]{
		prefix: func(*shape, int) string { return "sc." },
		count:  func(sh *shape) int { return int(b2f(sh.scenario)) },
		item:   func(src *source, _ int) *runView { return src.run },
		fields: []field[runView]{
			num("pred", func(r *runView) float64 { return float64(r.prediction) }),
			boolean("end", func(r *runView) bool { return r.ended }),
			num("stage", func(r *runView) float64 { return float64(r.stage) }),
			num("ask", func(r *runView) float64 { return float64(r.asking) }),
		},
	},
	group[int]{
		prefix: func(_ *shape, i int) string { return "sc.g." + itoa(i) + "." },
		count:  func(sh *shape) int { return sh.stages },
		item:   func(src *source, i int) *int { return &src.run.answers[i] },
		fields: []field[int]{num("ans", func(a *int) float64 { return float64(*a) })},
	},
	group[simulator.StepState]{
		prefix: func(_ *shape, i int) string { return "sc.s." + itoa(i) + "." },
		count:  func(sh *shape) int { return sh.steps },
		item:   func(src *source, i int) *simulator.StepState { return &src.run.steps[i] },
		fields: []field[simulator.StepState]{text("st", stepState)},
	},
	group[simulator.Verdict]{
		prefix: func(_ *shape, i int) string { return "sc.c." + itoa(i) + "." },
		count:  func(sh *shape) int { return sh.checks },
		item:   func(src *source, i int) *simulator.Verdict { return &src.run.verdicts[i] },
		fields: []field[simulator.Verdict]{
			text("st", verdictState),
			text("d", func(v *simulator.Verdict) string { return v.Detail }),
		},
	},
	one("load.", func(src *source) *simulator.LoadView { return &src.snap.Load }, []field[simulator.LoadView]{
		num("rate", func(l *simulator.LoadView) float64 { return l.Rate }),
		num("burst", func(l *simulator.LoadView) float64 { return l.BurstRate }),
		num("bu", func(l *simulator.LoadView) float64 { return l.BurstUntilMS }),
		text("bc", func(l *simulator.LoadView) string { return l.BurstClient }),
	}),
	one("gw.", func(src *source) *snapshot { return src.snap },
		statFields(func(s *snapshot) *simulator.Stats { return &s.Nodes.Gateway.Stats }),
		[]field[snapshot]{
			num("infl", func(s *snapshot) float64 { return float64(s.Gateway.Inflight) }),
			num("maxinfl", func(s *snapshot) float64 { return float64(s.Gateway.MaxInflight) }),
			num("c429", func(s *snapshot) float64 { return float64(s.Gateway.Codes["429"]) }),
			num("c401", func(s *snapshot) float64 { return float64(s.Gateway.Codes["401"]) }),
			num("hits", func(s *snapshot) float64 { return float64(s.Gateway.Cache.Hits) }),
			num("misses", func(s *snapshot) float64 { return float64(s.Gateway.Cache.Misses) }),
			num("ordok", func(s *snapshot) float64 { return float64(s.Gateway.Orders.Completed) }),
			num("ordrej", func(s *snapshot) float64 { return float64(s.Gateway.Orders.Rejected) }),
			num("ordfail", func(s *snapshot) float64 { return float64(s.Gateway.Orders.Failed) }),
			boolean("cache", func(s *snapshot) bool { return s.Gateway.Cache.Enabled }),
			num("ttl", func(s *snapshot) float64 { return s.Gateway.Cache.TTLMS }),
			boolean("rl", func(s *snapshot) bool { return s.Gateway.RateLimit.Enabled }),
			num("rlrate", func(s *snapshot) float64 { return float64(s.Gateway.RateLimit.Rate) }),
			num("rlburst", func(s *snapshot) float64 { return float64(s.Gateway.RateLimit.Burst) }),
			boolean("auth", func(s *snapshot) bool { return s.Gateway.Auth.Enabled }),
			num("authshare", func(s *snapshot) float64 { return s.Gateway.Auth.NoTokenShare }),
		}),
	one("reg.", func(src *source) *simulator.RegistryView { return &src.snap.Registry }, []field[simulator.RegistryView]{
		boolean("up", func(r *simulator.RegistryView) bool { return r.Up }),
		num("evict", func(r *simulator.RegistryView) float64 { return float64(r.Evictions) }),
	}),
	each("reg.", callers, func(src *source, i int) *simulator.CallerCacheView { return &src.snap.Registry.Callers[i] },
		[]field[simulator.CallerCacheView]{boolean("stale", func(c *simulator.CallerCacheView) bool { return c.Stale })}),
	each("reg.", services, func(src *source, i int) *simulator.DiscoveryView { return &src.snap.Registry.Services[i] },
		[]field[simulator.DiscoveryView]{
			num("alive", func(d *simulator.DiscoveryView) float64 { return float64(d.AliveSet) }),
			num("reg", func(d *simulator.DiscoveryView) float64 { return float64(d.RegisteredSet) }),
			num("gw", func(d *simulator.DiscoveryView) float64 { return float64(d.GatewaySet) }),
			num("ord", func(d *simulator.DiscoveryView) float64 { return float64(d.OrdersSet) }),
		}),
	one("brk.", func(src *source) *simulator.BrokerView { return &src.snap.Broker }, []field[simulator.BrokerView]{
		boolean("up", func(b *simulator.BrokerView) bool { return b.Up }),
		text("mode", func(b *simulator.BrokerView) string { return b.PublishMode }),
		num("dlq", func(b *simulator.BrokerView) float64 { return float64(b.DeadLettered) }),
		num("lost", func(b *simulator.BrokerView) float64 { return float64(b.Lost) }),
		// orders' transactional outbox; all zero until it is first switched on
		boolean("ob", func(b *simulator.BrokerView) bool { return b.Outbox != nil && b.Outbox.Enabled }),
		num("obpoll", outboxNum(func(o *simulator.OutboxView) float64 { return o.PollMS })),
		num("obunsent", outboxNum(func(o *simulator.OutboxView) float64 { return float64(o.Unsent) })),
		num("obinfl", outboxNum(func(o *simulator.OutboxView) float64 { return float64(o.InFlight) })),
		num("obrel", outboxNum(func(o *simulator.OutboxView) float64 { return float64(o.Relayed) })),
		num("obrep", outboxNum(func(o *simulator.OutboxView) float64 { return float64(o.Republished) })),
		num("obmax", outboxNum(func(o *simulator.OutboxView) float64 { return r3(o.MaxDelayMS) })),
	}),
	each("top.", topics, func(src *source, i int) *simulator.TopicView { return &src.snap.Broker.Topics[i] },
		[]field[simulator.TopicView]{
			num("pub", func(t *simulator.TopicView) float64 { return float64(t.Published) }),
			num("outbox", func(t *simulator.TopicView) float64 { return float64(t.Outbox) }),
			num("failed", func(t *simulator.TopicView) float64 { return float64(t.Failed) }),
		}),
	each("grp.", groups, func(src *source, i int) *simulator.GroupView { return &src.snap.Broker.Groups[i] },
		[]field[simulator.GroupView]{
			num("lag", func(g *simulator.GroupView) float64 { return float64(g.Lag) }),
			num("busy", func(g *simulator.GroupView) float64 { return float64(g.Busy) }),
			num("cons", func(g *simulator.GroupView) float64 { return float64(g.Consumers) }),
			num("redel", func(g *simulator.GroupView) float64 { return float64(g.Redelivered) }),
			num("dup", func(g *simulator.GroupView) float64 { return float64(g.Duplicates) }),
			num("dead", func(g *simulator.GroupView) float64 { return float64(g.DeadLetter) }),
			num("extra", func(g *simulator.GroupView) float64 { return g.ExtraMS }),
			boolean("inbox", func(g *simulator.GroupView) bool { return g.Inbox }),
			num("again", func(g *simulator.GroupView) float64 { return float64(g.Reprocessed) }),
			num("drop", func(g *simulator.GroupView) float64 { return float64(g.Dropped) }),
		}),
	each("svc.", services, func(src *source, i int) *simulator.ServiceView { return &src.snap.Nodes.Services[i] },
		[]field[simulator.ServiceView]{text("st", (*simulator.ServiceView).State)},
		statFields(func(s *simulator.ServiceView) *simulator.Stats { return &s.Stats }),
		[]field[simulator.ServiceView]{
			num("lat", func(s *simulator.ServiceView) float64 { return s.LatencyMS }),
			num("jit", func(s *simulator.ServiceView) float64 { return s.JitterMS }),
			num("err", func(s *simulator.ServiceView) float64 { return s.SetErrorRate }),
			num("n", func(s *simulator.ServiceView) float64 { return float64(s.Instances) }),
		}),
	each("in.", instanceSlots, func(src *source, i int) *simulator.InstanceView { return src.slots[i] },
		[]field[simulator.InstanceView]{
			text("st", func(n *simulator.InstanceView) string { return n.State }),
			num("tp", func(n *simulator.InstanceView) float64 { return r1(n.Throughput) }),
			num("er", func(n *simulator.InstanceView) float64 { return r3(n.ErrorRate) }),
			num("busy", func(n *simulator.InstanceView) float64 { return float64(n.Busy) }),
			num("q", func(n *simulator.InstanceView) float64 { return float64(n.Queued) }),
		}),
	each("e.", edges, func(src *source, i int) *edgeView { return &src.snap.Edges[i] },
		statFields(func(e *edgeView) *simulator.Stats { return &e.Stats }),
		edgeFields),
	one("saga.", func(src *source) *simulator.SagaView { return &src.snap.Sagas }, []field[simulator.SagaView]{
		text("mode", func(s *simulator.SagaView) string { return s.Mode }),
		num("started", func(s *simulator.SagaView) float64 { return float64(s.Started) }),
		num("run", func(s *simulator.SagaView) float64 { return float64(s.Running) }),
		num("comp", func(s *simulator.SagaView) float64 { return float64(s.Compensating) }),
		num("done", func(s *simulator.SagaView) float64 { return float64(s.Completed) }),
		num("undone", func(s *simulator.SagaView) float64 { return float64(s.Compensated) }),
		num("stuck", func(s *simulator.SagaView) float64 { return float64(s.Stuck) }),
		num("comps", func(s *simulator.SagaView) float64 { return float64(s.Compensations) }),
	}),
	each("car.", services, func(src *source, i int) *simulator.SidecarView { return &src.snap.Sidecars[i] },
		[]field[simulator.SidecarView]{
			boolean("en", func(c *simulator.SidecarView) bool { return c.Enabled }),
			text("ret", func(c *simulator.SidecarView) string { return c.Retries }),
			text("tmo", func(c *simulator.SidecarView) string { return c.Timeouts }),
			boolean("mtls", func(c *simulator.SidecarView) bool { return c.MTLS }),
			text("met", func(c *simulator.SidecarView) string { return c.Metrics }),
		}),
}

// edgeFields are an edge's positions after its stats: counters, the
// breaker, the bulkhead and the call policy.
var edgeFields = []field[edgeView]{
	num("act", func(e *edgeView) float64 { return float64(e.Active) }),
	num("calls", func(e *edgeView) float64 { return float64(e.Calls) }),
	num("retr", func(e *edgeView) float64 { return float64(e.Retries) }),
	num("sretr", func(e *edgeView) float64 { return float64(e.SidecarRetry) }),
	num("bd", func(e *edgeView) float64 { return float64(e.BudgetDenied) }),
	num("tmos", func(e *edgeView) float64 { return float64(e.Timeouts) }),
	num("fbs", func(e *edgeView) float64 { return float64(e.Fallbacks) }),
	boolean("cut", func(e *edgeView) bool { return e.Cut }),
	boolean("mtls", func(e *edgeView) bool { return e.MTLS }),
	text("br", func(e *edgeView) string { return e.Breaker.State.String() }),
	boolean("br.en", func(e *edgeView) bool { return e.Breaker.Enabled }),
	num("br.calls", func(e *edgeView) float64 { return float64(e.Breaker.Window.Calls) }),
	num("br.fail", func(e *edgeView) float64 { return float64(e.Breaker.Window.Failed) }),
	num("br.slow", func(e *edgeView) float64 { return float64(e.Breaker.Window.Slow) }),
	num("br.fr", func(e *edgeView) float64 { return r3(e.Breaker.Window.FailureRate) }),
	num("br.sr", func(e *edgeView) float64 { return r3(e.Breaker.Window.SlowRate) }),
	num("br.np", func(e *edgeView) float64 { return float64(e.Breaker.NotPermitted) }),
	num("br.tr", func(e *edgeView) float64 { return float64(e.Breaker.Transitions) }),
	num("br.win", func(e *edgeView) float64 { return float64(e.Breaker.WindowSize) }),
	num("br.min", func(e *edgeView) float64 { return float64(e.Breaker.MinCalls) }),
	num("br.thr", func(e *edgeView) float64 { return e.Breaker.FailureRate }),
	num("br.slowms", func(e *edgeView) float64 { return e.Breaker.SlowCallMS }),
	num("br.slowthr", func(e *edgeView) float64 { return e.Breaker.SlowRate }),
	num("br.wait", func(e *edgeView) float64 { return e.Breaker.WaitInOpenMS }),
	num("br.hoc", func(e *edgeView) float64 { return float64(e.Breaker.HalfOpenCalls) }),
	boolean("bh.en", func(e *edgeView) bool { return e.Bulkhead.Enabled }),
	num("bh.use", func(e *edgeView) float64 { return float64(e.Bulkhead.InUse) }),
	num("bh.q", func(e *edgeView) float64 { return float64(e.Bulkhead.Queued) }),
	num("bh.rej", func(e *edgeView) float64 { return float64(e.Bulkhead.Rejected) }),
	num("bh.max", func(e *edgeView) float64 { return float64(e.Bulkhead.MaxConcurrent) }),
	num("bh.mq", func(e *edgeView) float64 { return float64(e.Bulkhead.MaxQueue) }),
	num("bh.wait", func(e *edgeView) float64 { return e.Bulkhead.MaxWaitMS }),
	text("lb", func(e *edgeView) string { return e.Policy.LB }),
	num("tmo", func(e *edgeView) float64 { return e.Policy.TimeoutMS }),
	text("tmoby", func(e *edgeView) string { return e.Policy.TimeoutBy }),
	num("ret", func(e *edgeView) float64 { return float64(e.Policy.Retries) }),
	text("retby", func(e *edgeView) string { return e.Policy.RetriesBy }),
	num("bo", func(e *edgeView) float64 { return e.Policy.BackoffMS }),
	num("bomax", func(e *edgeView) float64 { return e.Policy.BackoffMaxMS }),
	boolean("bud", func(e *edgeView) bool { return e.Policy.Budget }),
	num("budp", func(e *edgeView) float64 { return e.Policy.BudgetPercent }),
	boolean("fbk", func(e *edgeView) bool { return e.Policy.Fallback }),
}

// The names each per-name group runs over, from the topology.
func callers(sh *shape) []string  { return sh.topo.Callers }
func services(sh *shape) []string { return sh.topo.Services }
func topics(sh *shape) []string   { return sh.topo.Topics }
func edges(sh *shape) []string    { return sh.edges }
func groups(sh *shape) []string   { return sh.groups }

// instanceSlots names every instance slot, service by service.
func instanceSlots(sh *shape) []string { return sh.slots }

func stepState(st *simulator.StepState) string {
	switch {
	case st.Err != "":
		return "error: " + st.Err
	case st.Done:
		return "done"
	}
	return ""
}

func verdictState(v *simulator.Verdict) string {
	switch {
	case !v.Decided:
		return ""
	case v.Pass:
		return "pass"
	}
	return "fail"
}

// outboxNum reads a figure of the outbox, 0 while it has never been on.
func outboxNum(f func(o *simulator.OutboxView) float64) func(b *simulator.BrokerView) float64 {
	return func(b *simulator.BrokerView) float64 {
		if b.Outbox == nil {
			return 0
		}
		return f(b.Outbox)
	}
}
