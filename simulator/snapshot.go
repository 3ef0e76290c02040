package simulator

import "time"

// Snapshot is everything a viewer draws, at one virtual time. It encodes to JSON with
// stable lower_snake field names. Rolling figures cover the last 10 s of virtual time.
type Snapshot struct {
	AtMS     float64       `json:"at_ms"`
	Seed     uint64        `json:"seed"`
	EventSeq uint64        `json:"event_seq"` // the latest event's sequence number
	Load     LoadView      `json:"load"`
	Gateway  GatewayView   `json:"gateway"`
	Nodes    Nodes         `json:"nodes"`
	Edges    []EdgeView    `json:"edges"`
	Registry RegistryView  `json:"registry"`
	Sagas    SagaView      `json:"sagas"`
	Broker   BrokerView    `json:"broker"`
	Sidecars []SidecarView `json:"sidecars"`
}

// LoadView is the load generator.
type LoadView struct {
	Rate         float64 `json:"rate"`
	BurstRate    float64 `json:"burst_rate"`
	BurstUntilMS float64 `json:"burst_until_ms"`
	BurstClient  string  `json:"burst_client"`
	Generated    uint64  `json:"generated"`
}

// GatewayView is the API gateway's edge behaviour and answers.
type GatewayView struct {
	Inflight    int               `json:"inflight"`
	MaxInflight int               `json:"max_inflight"`
	Received    uint64            `json:"received"`
	Codes       map[string]uint64 `json:"codes"` // answers by status ("200-degraded" is a fallback)
	Kinds       []KindView        `json:"kinds"`
	RateLimit   RateLimitView     `json:"rate_limit"`
	Auth        AuthView          `json:"auth"`
	Cache       CacheView         `json:"cache"`
	Orders      OrderCounts       `json:"orders"`
}

// KindView is the gateway's figures for one request kind.
type KindView struct {
	Kind  string `json:"kind"`
	Stats Stats  `json:"stats"`
}

// RateLimitView is the per-client token bucket and who hit it.
type RateLimitView struct {
	Enabled bool          `json:"enabled"`
	Rate    int           `json:"rate"`
	Burst   int           `json:"burst"`
	Limited []ClientCount `json:"limited"` // clients with 429s, in client order
}

// ClientCount is a client's count of something.
type ClientCount struct {
	Client string `json:"client"`
	Count  uint64 `json:"count"`
}

// AuthView is the token check.
type AuthView struct {
	Enabled      bool    `json:"enabled"`
	NoTokenShare float64 `json:"no_token_share"`
}

// CacheView is the response cache.
type CacheView struct {
	Enabled    bool    `json:"enabled"`
	TTLMS      float64 `json:"ttl_ms"`
	Hits       uint64  `json:"hits"`
	Misses     uint64  `json:"misses"`
	StaleFalls uint64  `json:"stale_fallbacks"`
}

// OrderCounts are place-order answers at the gateway.
type OrderCounts struct {
	Completed uint64 `json:"completed"`
	Rejected  uint64 `json:"rejected"`
	Failed    uint64 `json:"failed"`
}

// EdgeView is one caller→callee edge and its policy. ID is "from>to".
type EdgeView struct {
	ID           string       `json:"id"`
	From         string       `json:"from"`
	To           string       `json:"to"`
	Route        string       `json:"route,omitempty"`
	Stats        Stats        `json:"stats"` // per attempt
	Active       int          `json:"active"`
	Calls        uint64       `json:"calls"`
	Retries      uint64       `json:"retries"`
	SidecarRetry uint64       `json:"sidecar_retries"`
	BudgetDenied uint64       `json:"budget_denied"`
	Timeouts     uint64       `json:"timeouts"`
	Fallbacks    uint64       `json:"fallbacks"`
	Policy       PolicyView   `json:"policy"`
	Breaker      BreakerView  `json:"breaker"`
	Bulkhead     BulkheadView `json:"bulkhead"`
	MTLS         bool         `json:"mtls"`
	Cut          bool         `json:"cut"`
}

// PolicyView is an edge's call policy and who applies it.
type PolicyView struct {
	LB             string  `json:"lb"`
	TimeoutMS      float64 `json:"timeout_ms"`
	TimeoutBy      string  `json:"timeout_by"` // gateway, service or sidecar
	Retries        int     `json:"retries"`
	RetriesBy      string  `json:"retries_by"`
	BackoffMS      float64 `json:"backoff_ms"`
	BackoffMaxMS   float64 `json:"backoff_max_ms"`
	Budget         bool    `json:"budget"`
	BudgetPercent  float64 `json:"budget_percent"`
	MinRetryConcur int     `json:"min_retry_concurrency"`
	Fallback       bool    `json:"fallback"`
}

// BreakerView is a breaker's state, window and config.
type BreakerView struct {
	State         BreakerState  `json:"state"`
	Enabled       bool          `json:"enabled"`
	Window        BreakerWindow `json:"window"`
	WindowSize    int           `json:"window_size"`
	MinCalls      int           `json:"min_calls"`
	FailureRate   float64       `json:"failure_rate_threshold"`
	SlowCallMS    float64       `json:"slow_call_ms"`
	SlowRate      float64       `json:"slow_rate_threshold"`
	WaitInOpenMS  float64       `json:"wait_in_open_ms"`
	HalfOpenCalls int           `json:"half_open_calls"`
	NotPermitted  uint64        `json:"not_permitted"`
	Transitions   uint64        `json:"transitions"`
}

// BulkheadView is a bulkhead's occupancy and config.
type BulkheadView struct {
	Enabled       bool    `json:"enabled"`
	InUse         int     `json:"in_use"`
	Queued        int     `json:"queued"`
	Admitted      uint64  `json:"admitted"`
	QueuedTotal   uint64  `json:"queued_total"`
	Rejected      uint64  `json:"rejected"`
	MaxConcurrent int     `json:"max_concurrent"`
	MaxQueue      int     `json:"max_queue"`
	MaxWaitMS     float64 `json:"max_wait_ms"`
}

// RegistryView is discovery: the truth, the registry's view and each caller's cache.
type RegistryView struct {
	Up          bool              `json:"up"`
	HeartbeatMS float64           `json:"heartbeat_ms"`
	TTLMS       float64           `json:"ttl_ms"`
	RefreshMS   float64           `json:"refresh_ms"`
	Evictions   uint64            `json:"evictions"`
	Services    []DiscoveryView   `json:"services"`
	Callers     []CallerCacheView `json:"callers"`
}

// DiscoveryView lists one service's instances as each party sees them.
type DiscoveryView struct {
	Service    string   `json:"service"`
	Alive      []string `json:"alive"`      // the truth
	Registered []string `json:"registered"` // the registry's view
	Gateway    []string `json:"gateway"`    // the gateway's cached list
	Orders     []string `json:"orders"`     // orders' cached list
	// The same four lists as bit sets of ordinals (bit k is the instance
	// with ordinal k+1), for viewers that draw them; not in the JSON.
	AliveSet, RegisteredSet, GatewaySet, OrdersSet uint64 `json:"-"`
}

// CallerCacheView is one caller's discovery cache.
type CallerCacheView struct {
	Caller        string  `json:"caller"`
	Stale         bool    `json:"stale"`
	LastRefreshMS float64 `json:"last_refresh_ms"`
}

// SagaView is the "place order" saga: counts and the latest timelines.
type SagaView struct {
	Mode           string         `json:"mode"`
	Started        uint64         `json:"started"`
	Running        int            `json:"running"`
	Compensating   int            `json:"compensating"`
	Completed      uint64         `json:"completed"`
	Compensated    uint64         `json:"compensated"`
	Stuck          uint64         `json:"stuck"`
	Compensations  uint64         `json:"compensations"`
	StepTimeouts   uint64         `json:"step_timeouts"`   // choreographed attempts with no reply in time (orchestrated ones count on the edges)
	IgnoredReplies uint64         `json:"ignored_replies"` // choreographed replies to an attempt already over: late, or duplicates
	OldestOpenMS   float64        `json:"oldest_open_ms"`  // start of the oldest unfinished saga, -1 if none
	Recent         []SagaTimeline `json:"recent"`          // newest first: finished, then running
}

// SagaTimeline is one saga instance's steps.
type SagaTimeline struct {
	ID        uint64     `json:"id"`
	State     string     `json:"state"`
	StartedMS float64    `json:"started_ms"`
	EndedMS   float64    `json:"ended_ms"` // -1 while running
	Steps     []SagaStep `json:"steps"`
}

// SagaStep is one step or compensation on a timeline.
type SagaStep struct {
	Step     string  `json:"step"`
	State    string  `json:"state"`
	Attempts int     `json:"attempts"`
	StartMS  float64 `json:"start_ms"`
	EndMS    float64 `json:"end_ms"` // -1 while running
	Result   string  `json:"result,omitempty"`
}

// BrokerView is the broker: topics and consumer groups.
type BrokerView struct {
	Up           bool    `json:"up"`
	PublishMode  string  `json:"publish_mode"`
	AckTimeoutMS float64 `json:"ack_timeout_ms"`
	DeadLettered uint64  `json:"dead_lettered"`
	// Lost counts the OrderPlaced events whose dual write failed after the
	// order committed.
	Lost uint64 `json:"orders_lost,omitempty"`
	// Outbox is orders' transactional outbox, nil until it is first switched on.
	Outbox *OutboxView `json:"outbox,omitempty"`
	Topics []TopicView `json:"topics"`
	Groups []GroupView `json:"groups"`
}

// OutboxView is orders' transactional outbox and its relay.
type OutboxView struct {
	Enabled bool    `json:"enabled"`
	PollMS  float64 `json:"poll_ms"`
	// Unsent counts the rows not yet confirmed by the broker, InFlight those
	// of them published and waiting for its confirmation.
	Unsent   int `json:"unsent"`
	InFlight int `json:"in_flight"`
	// Written rows were committed with their orders; Relayed were published
	// and confirmed; Republished counts publications of a row already
	// published, after a confirmation that never came (LostConfirmations).
	Written           uint64 `json:"written"`
	Relayed           uint64 `json:"relayed"`
	Republished       uint64 `json:"republished"`
	LostConfirmations uint64 `json:"lost_confirmations"`
	FailedPolls       uint64 `json:"failed_polls"`
	Overflow          uint64 `json:"overflow"` // rows refused by the simulator's bound on the table
	// The time from a row's commit to its confirmation: the largest, the
	// latest and the mean so far.
	MaxDelayMS  float64 `json:"max_delay_ms"`
	LastDelayMS float64 `json:"last_delay_ms"`
	MeanDelayMS float64 `json:"mean_delay_ms"`
}

// TopicView is one topic.
type TopicView struct {
	Name      string `json:"name"`
	Published uint64 `json:"published"`
	Buffered  uint64 `json:"buffered"` // held in the publisher's memory while the broker was down
	Failed    uint64 `json:"failed"`   // lost at publish
	// Outbox is how many messages wait in the publisher's memory buffer now
	// (publish mode "buffer"), not in the transactional outbox (BrokerView.Outbox).
	Outbox int `json:"outbox"`
}

// GroupView is one consumer group.
type GroupView struct {
	Name        string  `json:"name"`
	Topic       string  `json:"topic"`
	Lag         uint64  `json:"lag"`
	Consumers   int     `json:"consumers"`
	Busy        int     `json:"busy"`
	Delivered   uint64  `json:"delivered"`
	Acked       uint64  `json:"acked"`
	Redelivered uint64  `json:"redelivered"`
	Duplicates  uint64  `json:"duplicates"`
	DeadLetter  uint64  `json:"dead_lettered"`
	Lost        uint64  `json:"lost"`
	ExtraMS     float64 `json:"extra_ms"`
	// For OrderPlaced's groups: whether the consumer keeps an inbox, the
	// deliveries whose side effect ran again for an event already handled,
	// and those the inbox dropped.
	Inbox       bool   `json:"inbox,omitempty"`
	Reprocessed uint64 `json:"reprocessed,omitempty"`
	Dropped     uint64 `json:"inbox_dropped,omitempty"`
}

// SidecarView is one service's sidecar policy.
type SidecarView struct {
	Service    string  `json:"service"`
	Enabled    bool    `json:"enabled"`
	Retries    string  `json:"retries"`  // service or sidecar
	Timeouts   string  `json:"timeouts"` // service or sidecar
	MTLS       bool    `json:"mtls"`
	Metrics    string  `json:"metrics"` // service or sidecar
	OverheadMS float64 `json:"overhead_ms"`
}

// Snapshot returns the state of the simulation at Now.
func (s *Sim) Snapshot() Snapshot { return s.snapshot(true) }

// SnapshotWithoutTimelines is Snapshot less the saga timelines (Sagas.Recent
// is empty), the part that costs most to build: for a live view that sends
// the timelines only now and then, and asks for them only then.
func (s *Sim) SnapshotWithoutTimelines() Snapshot { return s.snapshot(false) }

func (s *Sim) snapshot(timelines bool) Snapshot {
	now := s.now
	snap := Snapshot{AtMS: ms(now), Seed: s.cfg.Seed, EventSeq: s.log.seq}
	b := &s.load.streams[1]
	snap.Load = LoadView{Rate: s.load.streams[0].rate, Generated: s.load.streams[0].count + b.count}
	if b.rate > 0 && now < b.until {
		snap.Load.BurstRate, snap.Load.BurstUntilMS = b.rate, ms(b.until)
		if b.client >= 0 {
			snap.Load.BurstClient = s.gw.clients[b.client]
		}
	}
	snap.Gateway = s.gatewayView()
	snap.Nodes = s.nodeViews()
	for ed := range s.edges {
		snap.Edges = append(snap.Edges, s.edgeView(&s.edges[ed]))
	}
	snap.Registry = s.registryView()
	snap.Sagas = s.sagaView(timelines)
	snap.Broker = s.brokerView()
	for svc := range s.sidecars {
		p := s.sidecars[svc]
		v := SidecarView{Service: serviceNames[svc], Enabled: p.Enabled, Retries: owner(p.Retries), Timeouts: owner(p.Timeouts),
			MTLS: p.MTLS, Metrics: owner(p.Metrics)}
		if p.Enabled {
			v.OverheadMS = ms(s.cfg.Sidecar.Overhead)
		}
		snap.Sidecars = append(snap.Sidecars, v)
	}
	return snap
}

func (s *Sim) gatewayView() GatewayView {
	g := &s.gw
	v := GatewayView{Inflight: g.inflight, MaxInflight: g.maxInfl, Received: g.received, Codes: map[string]uint64{}}
	for c, n := range g.byCode {
		v.Codes[codeNames[c]] = n
	}
	for k := range g.byKind {
		v.Kinds = append(v.Kinds, KindView{Kind: kindNames[k], Stats: g.byKind[k].stats(s.now)})
	}
	v.RateLimit = RateLimitView{Enabled: g.rl.Enabled, Rate: g.rl.Rate, Burst: g.rl.Burst, Limited: []ClientCount{}}
	for i, n := range g.limited {
		if n > 0 {
			v.RateLimit.Limited = append(v.RateLimit.Limited, ClientCount{Client: g.clients[i], Count: n})
		}
	}
	v.Auth = AuthView{Enabled: g.auth.Enabled, NoTokenShare: g.auth.NoTokenShare}
	v.Cache = CacheView{Enabled: g.cache.Enabled, TTLMS: ms(g.cache.TTL), Hits: g.cacheHits, Misses: g.cacheMisses, StaleFalls: g.stale}
	v.Orders = OrderCounts{Completed: g.completedOrders, Rejected: g.rejectedOrders, Failed: g.failedOr}
	return v
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

func (s *Sim) nodeViews() Nodes {
	out := Nodes{
		Gateway:   GatewayNode{Stats: s.nodeStats[nodeGateway].stats(s.now)},
		Registry:  UpNode{Up: s.reg.up},
		Broker:    UpNode{Up: s.broker.up},
		Services:  make([]ServiceView, 0, len(s.services)),
		Instances: make([]InstanceView, 0, s.instancesPresent()),
	}
	for svc := range s.services {
		sv := &s.services[svc]
		alive := 0
		for o := 0; o < sv.count; o++ {
			if s.instances[svc*MaxInstances+o].state == instAlive {
				alive++
			}
		}
		out.Services = append(out.Services, ServiceView{Name: serviceNames[svc], Up: alive > 0,
			Stats: s.nodeStats[serviceNode(svc)].stats(s.now), LatencyMS: ms(sv.latency), JitterMS: ms(sv.jitter),
			SetErrorRate: sv.cfg.ErrorRate, Instances: sv.count})
	}
	for i := range s.instances {
		in := &s.instances[i]
		if in.state == instAbsent {
			continue
		}
		tp, er := in.served.rate(s.now)
		v := InstanceView{Name: in.name, Service: serviceNames[in.svc], ServiceIndex: in.svc, Ordinal: in.ord,
			State: instStateNames[in.state], Throughput: tp, ErrorRate: er, Busy: in.busy, Queued: in.qlen, Routed: in.routed}
		if in.lastRouted >= 0 {
			v.LastRoutedMS = ms(in.lastRouted)
		}
		out.Instances = append(out.Instances, v)
	}
	return out
}

// instancesPresent counts the instance slots a snapshot lists.
func (s *Sim) instancesPresent() int {
	n := 0
	for i := range s.instances {
		if s.instances[i].state != instAbsent {
			n++
		}
	}
	return n
}

func (s *Sim) edgeView(e *edge) EdgeView {
	p := e.policy
	bc := e.breaker.Config()
	from := callerNodes[e.def.caller]
	to := serviceNode(e.def.to)
	return EdgeView{
		ID: e.def.name, From: callerNames[e.def.caller], To: serviceNames[e.def.to], Route: e.def.route,
		Stats: e.attemptsStat.stats(s.now), Active: e.active, Calls: e.calls, Retries: e.retries,
		SidecarRetry: e.sidecarRetries, BudgetDenied: e.budgetDenied, Timeouts: e.timeouts, Fallbacks: e.fallbacks,
		Policy: PolicyView{
			LB: string(p.LB), TimeoutMS: ms(p.Timeout), TimeoutBy: s.policyOwner(e, s.sidecarOwnsTimeouts(e)),
			Retries: p.Retries, RetriesBy: s.policyOwner(e, s.sidecarOwnsRetries(e)),
			BackoffMS: ms(p.BackoffBase), BackoffMaxMS: ms(p.BackoffMax), Budget: p.Budget.Enabled,
			BudgetPercent: p.Budget.Percent, MinRetryConcur: p.Budget.MinConcurrency, Fallback: p.Fallback,
		},
		Breaker: BreakerView{
			State: e.breaker.State(), Enabled: bc.Enabled, Window: e.breaker.Window(), WindowSize: bc.Window,
			MinCalls: bc.MinCalls, FailureRate: bc.FailureRate, SlowCallMS: ms(bc.SlowCall), SlowRate: bc.SlowRate,
			WaitInOpenMS: ms(bc.WaitInOpen), HalfOpenCalls: bc.PermittedInHalfOpen,
			NotPermitted: e.breaker.NotPermitted, Transitions: e.breaker.Transitions,
		},
		Bulkhead: BulkheadView{
			Enabled: e.bulkhead.cfg.Enabled, InUse: e.bulkhead.InUse(), Queued: e.bulkhead.QueueLen(),
			Admitted: e.bulkhead.AdmittedTotal, QueuedTotal: e.bulkhead.QueuedTotal, Rejected: e.bulkhead.RejectedTotal,
			MaxConcurrent: e.bulkhead.cfg.MaxConcurrent, MaxQueue: e.bulkhead.cfg.MaxQueue, MaxWaitMS: ms(e.bulkhead.cfg.MaxWait),
		},
		MTLS: s.mtls(e),
		Cut:  s.cut(from, to),
	}
}

func (s *Sim) registryView() RegistryView {
	r := &s.reg
	v := RegistryView{Up: r.up, HeartbeatMS: ms(r.heartbeat), TTLMS: ms(r.ttl), RefreshMS: ms(r.refresh), Evictions: r.evictions}
	for svc := 0; svc < numServices; svc++ {
		d := DiscoveryView{Service: serviceNames[svc], Alive: []string{}, Registered: []string{}}
		for o := 0; o < MaxInstances; o++ {
			i := svc*MaxInstances + o
			if s.instances[i].state == instAlive {
				d.Alive = append(d.Alive, s.instances[i].name)
				d.AliveSet |= 1 << o
			}
			if r.entries[i].registered {
				d.Registered = append(d.Registered, s.instances[i].name)
				d.RegisteredSet |= 1 << o
			}
		}
		d.Gateway, d.GatewaySet = s.cachedNames(callerGateway, svc)
		d.Orders, d.OrdersSet = s.cachedNames(callerOrders, svc)
		v.Services = append(v.Services, d)
	}
	for c := range s.disc {
		v.Callers = append(v.Callers, CallerCacheView{Caller: callerNames[c], Stale: s.disc[c].stale, LastRefreshMS: ms(s.disc[c].lastRefresh)})
	}
	return v
}

// cachedNames lists caller c's cached instances of service svc, by name
// and as a bit set of ordinals.
func (s *Sim) cachedNames(c, svc int) ([]string, uint64) {
	d := &s.disc[c]
	out := []string{}
	var set uint64
	for k := 0; k < d.n[svc]; k++ {
		in := &s.instances[d.list[svc][k]]
		out = append(out, in.name)
		set |= 1 << (in.ord - 1)
	}
	return out, set
}

func timeline(g *saga) SagaTimeline {
	t := SagaTimeline{ID: g.id, State: sagaStateNames[g.state], StartedMS: ms(g.started), EndedMS: -1}
	if g.state >= sagaCompleted {
		t.EndedMS = ms(g.ended)
	}
	for k := uint8(0); k < g.ntl; k++ {
		e := &g.tl[k]
		st := SagaStep{Step: stepNames[e.step], State: entryStateNames[e.state], Attempts: int(e.attempts), StartMS: ms(e.start), EndMS: -1}
		if e.state != entryRunning {
			st.EndMS = ms(e.end)
			st.Result = resultNames[e.result]
		}
		t.Steps = append(t.Steps, st)
	}
	return t
}

// sagaView counts the sagas and, when timelines is set, lists the newest
// finished and running ones.
func (s *Sim) sagaView(timelines bool) SagaView {
	b := &s.sagas
	v := SagaView{Mode: b.cfg.Mode, Started: b.started, Completed: b.count[sagaCompleted], Compensated: b.count[sagaCompensated],
		Stuck: b.count[sagaStuck], Compensations: b.comps, StepTimeouts: b.stepTimeouts, IgnoredReplies: b.ignoredReplies,
		OldestOpenMS: -1, Recent: []SagaTimeline{}}
	var open []*saga
	oldest := time.Duration(-1)
	for i := range b.pool.items {
		g := &b.pool.items[i]
		if g.gen%2 == 0 {
			continue // free: gen is odd while a saga runs
		}
		switch g.state {
		case sagaRunning:
			v.Running++
		case sagaCompensating:
			v.Compensating++
		}
		if oldest < 0 || g.started < oldest {
			oldest = g.started
		}
		if timelines {
			open = append(open, g)
		}
	}
	if oldest >= 0 {
		v.OldestOpenMS = ms(oldest)
	}
	if !timelines {
		return v
	}
	for k := 0; k < b.hlen && len(v.Recent) < len(b.history); k++ {
		g := &b.history[(b.hnext-1-k+2*len(b.history))%len(b.history)]
		v.Recent = append(v.Recent, timeline(g))
	}
	// Running sagas, newest first, up to the same number.
	for k := 0; k < len(open); k++ {
		for j := k + 1; j < len(open); j++ {
			if open[j].id > open[k].id {
				open[k], open[j] = open[j], open[k]
			}
		}
	}
	for k := 0; k < len(open) && k < len(b.history); k++ {
		v.Recent = append(v.Recent, timeline(open[k]))
	}
	return v
}

func (s *Sim) brokerView() BrokerView {
	b := &s.broker
	v := BrokerView{Up: b.up, PublishMode: b.cfg.PublishMode, AckTimeoutMS: ms(b.cfg.AckTimeout), DeadLettered: b.deadTop,
		Lost: b.lost, Outbox: s.outboxView()}
	for t := range b.topics {
		tp := &b.topics[t]
		v.Topics = append(v.Topics, TopicView{Name: topicNames[t], Published: tp.published, Buffered: tp.buffered, Failed: tp.failed, Outbox: len(tp.buffer)})
	}
	for gi := range b.groups {
		g := &b.groups[gi]
		gv := GroupView{Name: groupDefs[gi].name, Topic: topicNames[groupDefs[gi].topic], Lag: s.lag(gi), Delivered: g.deliv,
			Acked: g.acked, Redelivered: g.redeliv, Duplicates: g.dups, DeadLetter: g.dead, Lost: g.lost, ExtraMS: ms(g.extra),
			Inbox: g.inbox, Reprocessed: g.again, Dropped: g.dropped}
		for k := range g.cons {
			if ok, _ := s.consumerAlive(gi, k); ok {
				gv.Consumers++
			}
			if g.cons[k].busy {
				gv.Busy++
			}
		}
		v.Groups = append(v.Groups, gv)
	}
	return v
}
