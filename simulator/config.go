package simulator

import (
	"fmt"
	"time"
)

// The shop's services, in the fixed order used by snapshots and traces.
const (
	svcCatalog = iota
	svcOrders
	svcPayment
	svcInventory
	svcShipping
	numServices
)

// serviceNames are the node names of the five services.
var serviceNames = [numServices]string{"catalog", "orders", "payment", "inventory", "shipping"}

// ServiceNames returns the names of the shop's services in snapshot order.
func ServiceNames() []string { return append([]string(nil), serviceNames[:]...) }

// Bounds on configuration and commands. The web layer can show them next to its controls.
const (
	MinInstances        = 1                // fewest instances a service may be scaled to
	MaxInstances        = 10               // most instances a service may run
	MaxRate             = 5000             // most requests per second of load (and of a burst)
	MaxLatency          = 30 * time.Second // largest injected latency and jitter
	MaxTimeout          = 60 * time.Second // largest timeout of a call policy
	MaxRetries          = 5                // most retries per call
	MaxBackoff          = 10 * time.Second // largest retry or compensation back-off
	MaxBreakerWindow    = 200              // largest count-based breaker window
	MaxBreakerWait      = 5 * time.Minute  // longest wait in OPEN
	MaxBulkheadCalls    = 200              // most concurrent calls through a bulkhead
	MaxBulkheadQueue    = 200              // longest bulkhead wait queue
	MaxBulkheadWait     = 10 * time.Second // longest bulkhead wait
	MaxConcurrency      = 256              // most concurrent jobs on one instance
	MaxInstanceQueue    = 1024             // longest queue of one instance
	MaxConsumerDelay    = 60 * time.Second // largest extra processing time of a consumer
	MaxBurst            = 60 * time.Second // longest burst
	MaxCacheTTL         = 5 * time.Minute  // longest response-cache TTL
	MaxCacheHitTime     = time.Second / 10 // slowest response-cache hit (100 ms): a slower one saves little over a miss
	MaxClients          = 1000             // most distinct clients of the load generator
	MaxRateLimit        = 10000            // largest token-bucket rate (tokens per second) and burst
	MaxRegistryInterval = 5 * time.Minute  // longest heartbeat, ttl or refresh
)

// LB names a load-balancing policy: "round-robin", "least-outstanding" or "random".
type LB string

// Load-balancing policies of a caller choosing among the instances it knows.
const (
	RoundRobin       LB = "round-robin"
	LeastOutstanding LB = "least-outstanding"
	Random           LB = "random"
)

// Config is the topology and every knob of one simulation. DefaultConfig returns the
// teaching presets of the default shop; each field's comment gives the production
// default of the reference system it imitates.
type Config struct {
	// Seed seeds the PCG generator: the same seed, config and commands give the same run.
	Seed uint64
	// Services holds one entry per service, in the order of ServiceNames.
	Services [numServices]ServiceConfig
	// Registry sets discovery's heartbeat, ttl and client refresh period.
	Registry RegistryConfig
	// Gateway sets the edge's limits, rate limiting, auth and cache.
	Gateway GatewayConfig
	// Edges sets the call policy of each caller→callee edge, named "from>to".
	// DefaultConfig lists all six edges; New rejects unknown or missing ones.
	Edges []EdgeConfig
	// Saga sets the "place order" saga.
	Saga SagaConfig
	// Broker sets the message broker.
	Broker BrokerConfig
	// Sidecar sets per-service sidecar proxies, in the order of ServiceNames.
	Sidecar SidecarConfig
	// Load sets the open-loop load generator.
	Load LoadConfig
	// TraceEvery samples one request in TraceEvery for a span trace (deterministic:
	// request numbers 1, 1+TraceEvery, ...). 0 disables tracing. Teaching: 100.
	TraceEvery int
	// EventRing is how many notable events the ring keeps. Teaching: 1000.
	EventRing int
	// SagaHistory is how many finished saga timelines the snapshot keeps. Teaching: 20.
	SagaHistory int
}

// ServiceConfig is the shape of one service's instances.
type ServiceConfig struct {
	// Instances is how many instances start. Teaching: 3 (payment 2).
	Instances int
	// Concurrency is how many jobs one instance works on at once (a worker pool).
	// Teaching: 8. (Tomcat's default maxThreads is 200.)
	Concurrency int
	// Queue is how many jobs wait for a worker before the instance answers 503 at once.
	// Teaching: 64. (Tomcat's acceptCount is 100.)
	Queue int
	// Median is the median service time; times are log-normal around it.
	Median time.Duration
	// Sigma is the log-normal shape: p99 ≈ median·e^(2.33·Sigma). Teaching: 0.5.
	Sigma float64
	// ErrorRate is the share of jobs that end in a 500.
	ErrorRate float64
}

// RegistryConfig is service discovery's timing.
type RegistryConfig struct {
	// Heartbeat is how often an instance renews its lease. Teaching: 1 s.
	// (Eureka: leaseRenewalIntervalInSeconds 30 s; Consul: the TTL check interval you set.)
	Heartbeat time.Duration
	// TTL is how long the registry keeps an instance without a heartbeat. Teaching: 3 s.
	// (Eureka: leaseExpirationDurationInSeconds 90 s; Consul: deregister_critical_service_after.)
	TTL time.Duration
	// Refresh is how often a client (gateway, orders) refetches its cached list.
	// Teaching: 2 s. (Eureka client: registryFetchIntervalSeconds 30 s.)
	Refresh time.Duration
}

// GatewayConfig is the API gateway's edge behaviour.
type GatewayConfig struct {
	// MaxInflight is how many requests the gateway holds at once; beyond it, 503.
	// Teaching: 256. (Envoy's cluster circuit-breaker max_requests default is 1024.)
	MaxInflight int
	// Clients is how many distinct clients the load generator spreads requests over,
	// named client-01, client-02, ... Teaching: 50.
	Clients int
	// RateLimit is the per-client token bucket.
	RateLimit RateLimitConfig
	// Auth is the token check.
	Auth AuthConfig
	// Cache is the response cache for catalog reads.
	Cache CacheConfig
}

// RateLimitConfig is a per-client token bucket; a request finding it empty gets 429.
type RateLimitConfig struct {
	// Enabled turns the limit on. Teaching: on.
	Enabled bool
	// Rate is tokens added per second. Teaching: 20. (Envoy's local rate limit has no
	// default; you set tokens_per_fill and fill_interval.)
	Rate int
	// Burst is the bucket's capacity. Teaching: 40.
	Burst int
}

// AuthConfig is the gateway's token check.
type AuthConfig struct {
	// Enabled turns the check on; a request without a token gets 401. Teaching: on.
	Enabled bool
	// NoTokenShare is the share of generated requests that carry no token. Teaching: 0.01.
	NoTokenShare float64
}

// CacheConfig is the gateway's response cache for "browse catalog" pages.
type CacheConfig struct {
	// Enabled turns the cache on. Teaching: on.
	Enabled bool
	// TTL is how long a cached page is fresh. Teaching: 5 s. (Nginx proxy_cache_valid
	// and Varnish default_ttl 120 s are typical starting points.)
	TTL time.Duration
	// Pages is how many distinct catalog pages clients browse. Teaching: 20.
	Pages int
	// HitTime is how long the gateway takes to answer from the cache: the lookup plus
	// serialising and writing out the page. Each hit takes HitTime ± a third, drawn from
	// the seeded generator. Teaching: 1.5 ms. (Proxies have no such setting: an in-memory
	// lookup costs microseconds, writing out a catalog page of some tens of kB about a
	// millisecond.)
	HitTime time.Duration
}

// EdgeConfig names an edge ("gateway>catalog") and its call policy.
type EdgeConfig struct {
	// Edge is the edge's id, "from>to".
	Edge string
	// Policy is the caller-side policy on that edge.
	Policy CallPolicy
}

// CallPolicy is everything a caller applies to calls on one edge.
type CallPolicy struct {
	// LB picks the instance. Teaching: round-robin. (Envoy's default lb_policy is
	// ROUND_ROBIN; Spring Cloud LoadBalancer's default is round robin.)
	LB LB
	// Timeout bounds each attempt; 0 means wait forever. Teaching: 1 s on the gateway's
	// read routes, 5 s on gateway>orders, 2 s on the saga's steps. On orders' edges it
	// is also the choreographed saga's step timeout, which bounds a step's message and
	// reply round trip (the edge's retries do not apply there). (Envoy's route timeout
	// default is 15 s; Hystrix execution.isolation.thread.timeoutInMilliseconds 1000.)
	Timeout time.Duration
	// Retries is how many times a failed or timed-out attempt is retried. Teaching: 2 on
	// the gateway's read routes, 0 elsewhere. (Envoy route retry num_retries default 1;
	// Resilience4j Retry maxAttempts 3, i.e. 2 retries.)
	Retries int
	// BackoffBase is the first back-off; it doubles each retry, with full jitter.
	// Teaching: 25 ms. (Envoy base_interval 25 ms; Resilience4j waitDuration 500 ms.)
	BackoffBase time.Duration
	// BackoffMax caps the back-off. Teaching: 250 ms. (Envoy max_interval = 10 × base.)
	BackoffMax time.Duration
	// Budget limits retries to a share of active calls. Teaching: on, 20%, at least 3.
	// (Envoy retry_budget: budget_percent 20%, min_retry_concurrency 3.)
	Budget RetryBudget
	// Breaker is the circuit breaker on the edge.
	Breaker BreakerConfig
	// Bulkhead is the bulkhead on the edge.
	Bulkhead BulkheadConfig
	// Fallback answers calls the breaker rejects (a cached page or a default answer)
	// instead of an error. Teaching: on for gateway>catalog, gateway>inventory and
	// orders>payment.
	Fallback bool
}

// RetryBudget is Envoy's retry budget: retries may be at most Percent of the active
// calls on the edge, but MinConcurrency retries are always allowed.
type RetryBudget struct {
	// Enabled turns the budget on; off means every retry is allowed. Teaching: on.
	Enabled bool
	// Percent is the share of active calls that may be retries. Teaching: 0.2.
	Percent float64
	// MinConcurrency is the floor of concurrent retries. Teaching: 3.
	MinConcurrency int
}

// SagaConfig is the "place order" saga.
type SagaConfig struct {
	// Mode is "orchestrated" (orders calls each step) or "choreographed" (steps and
	// the participants' replies are messages over the broker). Teaching: orchestrated.
	Mode string
	// CompBackoffBase is the first back-off of a failed compensation; it doubles.
	// Teaching: 100 ms.
	CompBackoffBase time.Duration
	// CompBackoffMax caps the compensation back-off. Teaching: 2 s.
	CompBackoffMax time.Duration
	// CompMaxAttempts is how many times a compensation is tried before the saga is
	// marked stuck for an operator. Teaching: 8.
	CompMaxAttempts int
	// OutOfStock is the share of reservations inventory refuses (a business rule).
	// Teaching: 0.02.
	OutOfStock float64
	// Declined is the share of charges payment declines (a business rule). Teaching: 0.02.
	Declined float64
}

// Saga modes.
const (
	Orchestrated  = "orchestrated"
	Choreographed = "choreographed"
)

// BrokerConfig is the message broker.
type BrokerConfig struct {
	// AckTimeout is how long a delivery may stay unacknowledged before it is redelivered.
	// Teaching: 2 s. (RabbitMQ consumer_timeout 30 min; SQS visibility timeout 30 s;
	// Kafka max.poll.interval.ms 5 min.)
	AckTimeout time.Duration
	// MaxRedeliveries is how many redeliveries a message gets before it goes to the
	// dead-letter topic. Teaching: 5. (SQS maxReceiveCount is yours to set.)
	MaxRedeliveries int
	// PublishMode is what a publisher does while the broker is down: "fail" (the event
	// is lost and counted) or "buffer" (kept in the publisher's memory and flushed when
	// the broker is back; a crash would lose it, like Kafka's producer buffer).
	// Teaching: buffer.
	PublishMode string
	// Buffer is the memory buffer's capacity per publisher. Teaching: 1000.
	Buffer int
	// Retention is how many messages a topic keeps; a group lagging further loses the
	// oldest. Teaching: 4096.
	Retention int
	// ShippingMedian is the shipping group's processing time per message. Teaching: 15 ms.
	ShippingMedian time.Duration
	// NotificationsMedian is the notifications group's processing time. Teaching: 5 ms.
	NotificationsMedian time.Duration
	// NotificationsConsumers is how many notification consumers run. Teaching: 2.
	NotificationsConsumers int
	// Outbox is orders' transactional outbox for OrderPlaced (outbox.go).
	Outbox OutboxConfig
}

// OutboxConfig is orders' transactional outbox and the relay that publishes it.
type OutboxConfig struct {
	// Enabled writes OrderPlaced as a row in the order's own transaction, for the
	// relay to publish; off, orders commits and then publishes (a dual write), and
	// PublishMode says what a failed publish does. Teaching: off.
	Enabled bool
	// Poll is how often the relay reads the unsent rows. Teaching: 1 s. (Polling
	// relays are set from about 100 ms to a few seconds; log-tailing relays such as
	// Debezium's outbox event router read the database's change log instead.)
	Poll time.Duration
	// Batch is the most rows one poll publishes. Teaching: 100.
	Batch int
	// Confirm is how long the broker takes to confirm a published batch; the relay
	// marks rows sent only on that confirmation. Teaching: 20 ms.
	Confirm time.Duration
	// Capacity bounds the simulated table's unsent rows (a real table grows with
	// its disk). Teaching: 20000.
	Capacity int
}

// Publish modes while the broker is down.
const (
	PublishFail   = "fail"
	PublishBuffer = "buffer"
)

// SidecarConfig is the per-service sidecar proxies.
type SidecarConfig struct {
	// Overhead is the latency each sidecar on a hop adds. Teaching: 200 µs.
	// (Envoy's own measurements: well under 1 ms at the median.)
	Overhead time.Duration
	// Services holds each service's sidecar policy, in the order of ServiceNames.
	Services [numServices]SidecarPolicy
}

// SidecarPolicy says whether a service runs a sidecar and which policies it owns.
type SidecarPolicy struct {
	// Enabled runs a sidecar beside every instance. Teaching: off.
	Enabled bool
	// Retries moves the retry policy of the service's outgoing calls into the sidecar.
	Retries bool
	// Timeouts moves the timeout policy of the service's outgoing calls into the sidecar.
	Timeouts bool
	// MTLS encrypts and authenticates the service's hops.
	MTLS bool
	// Metrics lets the sidecar, not the service, report the hop metrics.
	Metrics bool
}

// LoadConfig is the open-loop load generator: Poisson arrivals at Rate.
type LoadConfig struct {
	// Rate is requests per second. Teaching: 100.
	Rate float64
	// Browse, View and Order are the shares of the three request kinds; they must sum
	// to 1. Teaching: 0.6, 0.3, 0.1.
	Browse, View, Order float64
}

// DefaultConfig returns the default shop with the teaching presets.
func DefaultConfig() Config {
	svc := func(n int, median time.Duration) ServiceConfig {
		return ServiceConfig{Instances: n, Concurrency: 8, Queue: 64, Median: median, Sigma: 0.5}
	}
	read := CallPolicy{
		LB: RoundRobin, Timeout: time.Second, Retries: 2,
		BackoffBase: 25 * time.Millisecond, BackoffMax: 250 * time.Millisecond,
		Budget:   RetryBudget{Enabled: true, Percent: 0.2, MinConcurrency: 3},
		Breaker:  DefaultBreakerConfig(),
		Bulkhead: DefaultBulkheadConfig(),
		Fallback: true,
	}
	orders := read
	orders.Timeout, orders.Retries, orders.Fallback = 5*time.Second, 0, false
	orders.Breaker.SlowCall = 5 * time.Second // placing an order runs a saga: slow is relative to its timeout
	step := read
	step.Timeout, step.Retries, step.Fallback = 2*time.Second, 0, false
	pay := step
	pay.Fallback = true
	return Config{
		Seed: 1,
		Services: [numServices]ServiceConfig{
			svc(3, 8*time.Millisecond), svc(3, 20*time.Millisecond), svc(2, 40*time.Millisecond),
			svc(3, 10*time.Millisecond), svc(3, 15*time.Millisecond),
		},
		Registry: RegistryConfig{Heartbeat: time.Second, TTL: 3 * time.Second, Refresh: 2 * time.Second},
		Gateway: GatewayConfig{
			MaxInflight: 256, Clients: 50,
			RateLimit: RateLimitConfig{Enabled: true, Rate: 20, Burst: 40},
			Auth:      AuthConfig{Enabled: true, NoTokenShare: 0.01},
			Cache:     CacheConfig{Enabled: true, TTL: 5 * time.Second, Pages: 20, HitTime: 1500 * time.Microsecond},
		},
		Edges: []EdgeConfig{
			{Edge: "gateway>catalog", Policy: read},
			{Edge: "gateway>inventory", Policy: read},
			{Edge: "gateway>orders", Policy: orders},
			{Edge: "orders>inventory", Policy: step},
			{Edge: "orders>payment", Policy: pay},
			{Edge: "orders>shipping", Policy: step},
		},
		Saga: SagaConfig{
			Mode: Orchestrated, CompBackoffBase: 100 * time.Millisecond, CompBackoffMax: 2 * time.Second,
			CompMaxAttempts: 8, OutOfStock: 0.02, Declined: 0.02,
		},
		Broker: BrokerConfig{
			AckTimeout: 2 * time.Second, MaxRedeliveries: 5, PublishMode: PublishBuffer, Buffer: 1000,
			Retention: 4096, ShippingMedian: 15 * time.Millisecond, NotificationsMedian: 5 * time.Millisecond,
			NotificationsConsumers: 2,
			Outbox:                 OutboxConfig{Poll: time.Second, Batch: 100, Confirm: 20 * time.Millisecond, Capacity: 20000},
		},
		Sidecar:     SidecarConfig{Overhead: 200 * time.Microsecond},
		Load:        LoadConfig{Rate: 100, Browse: 0.6, View: 0.3, Order: 0.1},
		TraceEvery:  100,
		EventRing:   1000,
		SagaHistory: 20,
	}
}

// validate checks every bound of the config.
func (c *Config) validate() error {
	for i, sc := range c.Services {
		name := serviceNames[i]
		if sc.Instances < MinInstances || sc.Instances > MaxInstances {
			return fmt.Errorf("service %s: instances %d out of range %d..%d", name, sc.Instances, MinInstances, MaxInstances)
		}
		if sc.Concurrency < 1 || sc.Concurrency > MaxConcurrency {
			return fmt.Errorf("service %s: concurrency %d out of range 1..%d", name, sc.Concurrency, MaxConcurrency)
		}
		if sc.Queue < 0 || sc.Queue > MaxInstanceQueue {
			return fmt.Errorf("service %s: queue %d out of range 0..%d", name, sc.Queue, MaxInstanceQueue)
		}
		if sc.Median <= 0 || sc.Median > MaxLatency {
			return fmt.Errorf("service %s: median %v out of range (0, %v]", name, sc.Median, MaxLatency)
		}
		if sc.Sigma < 0 || sc.Sigma > 2 {
			return fmt.Errorf("service %s: sigma %g out of range 0..2", name, sc.Sigma)
		}
		if !(sc.ErrorRate >= 0 && sc.ErrorRate <= 1) {
			return fmt.Errorf("service %s: error rate %g out of range 0..1", name, sc.ErrorRate)
		}
	}
	r := c.Registry
	for _, d := range []struct {
		n string
		v time.Duration
	}{{"heartbeat", r.Heartbeat}, {"ttl", r.TTL}, {"refresh", r.Refresh}} {
		if d.v <= 0 || d.v > MaxRegistryInterval {
			return fmt.Errorf("registry: %s %v out of range (0, %v]", d.n, d.v, MaxRegistryInterval)
		}
	}
	g := c.Gateway
	if g.MaxInflight < 1 || g.MaxInflight > 100000 {
		return fmt.Errorf("gateway: max inflight %d out of range 1..100000", g.MaxInflight)
	}
	if g.Clients < 1 || g.Clients > MaxClients {
		return fmt.Errorf("gateway: clients %d out of range 1..%d", g.Clients, MaxClients)
	}
	if g.RateLimit.Rate < 1 || g.RateLimit.Rate > MaxRateLimit || g.RateLimit.Burst < 1 || g.RateLimit.Burst > MaxRateLimit {
		return fmt.Errorf("gateway: rate limit %d/s burst %d out of range 1..%d", g.RateLimit.Rate, g.RateLimit.Burst, MaxRateLimit)
	}
	if !(g.Auth.NoTokenShare >= 0 && g.Auth.NoTokenShare <= 1) {
		return fmt.Errorf("gateway: no-token share %g out of range 0..1", g.Auth.NoTokenShare)
	}
	if g.Cache.TTL <= 0 || g.Cache.TTL > MaxCacheTTL || g.Cache.Pages < 1 || g.Cache.Pages > 10000 {
		return fmt.Errorf("gateway: cache ttl %v or pages %d out of range", g.Cache.TTL, g.Cache.Pages)
	}
	if g.Cache.HitTime <= 0 || g.Cache.HitTime > MaxCacheHitTime {
		return fmt.Errorf("gateway: cache hit time %v out of range (0, %v]", g.Cache.HitTime, MaxCacheHitTime)
	}
	seen := [numEdges]bool{}
	for _, ec := range c.Edges {
		e := edgeByName(ec.Edge)
		if e < 0 {
			return fmt.Errorf("edges: unknown edge %q (known: %s)", ec.Edge, edgeList())
		}
		if seen[e] {
			return fmt.Errorf("edges: edge %q listed twice", ec.Edge)
		}
		seen[e] = true
		if err := ec.Policy.validate(); err != nil {
			return fmt.Errorf("edge %s: %w", ec.Edge, err)
		}
	}
	for e, ok := range seen {
		if !ok {
			return fmt.Errorf("edges: edge %q missing", edgeDefs[e].name)
		}
	}
	sg := c.Saga
	if sg.Mode != Orchestrated && sg.Mode != Choreographed {
		return fmt.Errorf("saga: mode %q is neither %q nor %q", sg.Mode, Orchestrated, Choreographed)
	}
	if sg.CompBackoffBase <= 0 || sg.CompBackoffBase > MaxBackoff || sg.CompBackoffMax < sg.CompBackoffBase || sg.CompBackoffMax > MaxBackoff {
		return fmt.Errorf("saga: compensation back-off %v..%v out of range (0, %v]", sg.CompBackoffBase, sg.CompBackoffMax, MaxBackoff)
	}
	if sg.CompMaxAttempts < 1 || sg.CompMaxAttempts > 100 {
		return fmt.Errorf("saga: compensation attempts %d out of range 1..100", sg.CompMaxAttempts)
	}
	if !(sg.OutOfStock >= 0 && sg.OutOfStock <= 1 && sg.Declined >= 0 && sg.Declined <= 1) {
		return fmt.Errorf("saga: business-rule rates out of range 0..1")
	}
	b := c.Broker
	if b.AckTimeout <= 0 || b.AckTimeout > MaxTimeout {
		return fmt.Errorf("broker: ack timeout %v out of range (0, %v]", b.AckTimeout, MaxTimeout)
	}
	if b.MaxRedeliveries < 0 || b.MaxRedeliveries > 100 {
		return fmt.Errorf("broker: max redeliveries %d out of range 0..100", b.MaxRedeliveries)
	}
	if b.PublishMode != PublishFail && b.PublishMode != PublishBuffer {
		return fmt.Errorf("broker: publish mode %q is neither %q nor %q", b.PublishMode, PublishFail, PublishBuffer)
	}
	if b.Buffer < 0 || b.Buffer > 100000 || b.Retention < 16 || b.Retention > 1<<20 {
		return fmt.Errorf("broker: buffer %d or retention %d out of range", b.Buffer, b.Retention)
	}
	if b.ShippingMedian <= 0 || b.NotificationsMedian <= 0 || b.ShippingMedian > MaxLatency || b.NotificationsMedian > MaxLatency {
		return fmt.Errorf("broker: consumer processing times out of range (0, %v]", MaxLatency)
	}
	if o := b.Outbox; o.Poll < MinOutboxPoll || o.Poll > MaxOutboxPoll || o.Batch < 1 || o.Batch > 10000 ||
		o.Confirm <= 0 || o.Confirm > time.Second || o.Capacity < 1 || o.Capacity > 1<<20 {
		return fmt.Errorf("broker: outbox poll %v, batch %d, confirm %v or capacity %d out of range", o.Poll, o.Batch, o.Confirm, o.Capacity)
	}
	if b.NotificationsConsumers < 1 || b.NotificationsConsumers > MaxInstances {
		return fmt.Errorf("broker: notifications consumers %d out of range 1..%d", b.NotificationsConsumers, MaxInstances)
	}
	if c.Sidecar.Overhead < 0 || c.Sidecar.Overhead > time.Second {
		return fmt.Errorf("sidecar: overhead %v out of range 0..1s", c.Sidecar.Overhead)
	}
	for i, p := range c.Sidecar.Services {
		if !p.Enabled && (p.Retries || p.Timeouts || p.MTLS || p.Metrics) {
			return fmt.Errorf("sidecar %s: policies set on a disabled sidecar", serviceNames[i])
		}
	}
	l := c.Load
	if !(l.Rate >= 0 && l.Rate <= MaxRate) {
		return fmt.Errorf("load: rate %g out of range 0..%d", l.Rate, MaxRate)
	}
	if !(l.Browse >= 0 && l.View >= 0 && l.Order >= 0) || l.Browse+l.View+l.Order < 0.999 || l.Browse+l.View+l.Order > 1.001 {
		return fmt.Errorf("load: mix %g/%g/%g must be non-negative and sum to 1", l.Browse, l.View, l.Order)
	}
	if c.TraceEvery < 0 || c.EventRing < 1 || c.EventRing > 100000 || c.SagaHistory < 1 || c.SagaHistory > 1000 {
		return fmt.Errorf("config: trace sampling, event ring or saga history out of range")
	}
	return nil
}

// validate checks a call policy's bounds.
func (p *CallPolicy) validate() error {
	if p.LB != RoundRobin && p.LB != LeastOutstanding && p.LB != Random {
		return fmt.Errorf("load balancer %q is not round-robin, least-outstanding or random", p.LB)
	}
	if p.Timeout < 0 || p.Timeout > MaxTimeout {
		return fmt.Errorf("timeout %v out of range 0..%v", p.Timeout, MaxTimeout)
	}
	if p.Retries < 0 || p.Retries > MaxRetries {
		return fmt.Errorf("retries %d out of range 0..%d", p.Retries, MaxRetries)
	}
	if p.BackoffBase <= 0 || p.BackoffBase > MaxBackoff || p.BackoffMax < p.BackoffBase || p.BackoffMax > MaxBackoff {
		return fmt.Errorf("back-off %v..%v out of range (0, %v]", p.BackoffBase, p.BackoffMax, MaxBackoff)
	}
	if !(p.Budget.Percent >= 0 && p.Budget.Percent <= 1) || p.Budget.MinConcurrency < 0 || p.Budget.MinConcurrency > 1000 {
		return fmt.Errorf("retry budget %g/%d out of range", p.Budget.Percent, p.Budget.MinConcurrency)
	}
	if err := p.Breaker.validate(); err != nil {
		return err
	}
	return p.Bulkhead.validate()
}
