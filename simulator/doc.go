// Package simulator is a deterministic discrete-event simulation of Microlab's shop:
// clients → gateway → catalog, orders, payment, inventory, shipping (several instances
// each), a service registry and a message broker, with the real semantics of the
// patterns the labs teach: service discovery, API gateway (routing, load balancing,
// rate limiting, auth, caching, timeouts, retries with a budget), circuit breaker,
// bulkhead, saga, event-driven messaging and sidecar.
//
// # Determinism
//
// A Sim has a virtual clock (time.Duration since the start), a binary heap of value
// events ordered by (time, sequence number) and a PCG generator from math/rand/v2
// seeded by Config.Seed. Nothing reads the wall clock or the global random source, no
// goroutine is started, and no map iteration decides an outcome. The same seed, config
// and commands at the same virtual times give the same events, traces and snapshots,
// byte for byte (on one architecture: floating-point library results may differ
// across CPU families).
//
// One goroutine owns a Sim. It drives it with Apply(at, cmd), Advance(d),
// RunUntil(t) or Step, and reads it with Snapshot, Events(since) and Traces. The web
// layer paces it against the wall clock; tests and the headless runner run it flat
// out.
//
// This package does no I/O apart from RunCLI's writers and the file `sim --replay`
// names, and must never import the project's web, store or other I/O packages.
//
// # The shop
//
// Nodes: "gateway", "registry", "broker", the services "catalog", "orders", "payment",
// "inventory", "shipping", and instances "catalog-1" … (up to MaxInstances each).
// Edges are named "from>to" (drawn as from→to): gateway>catalog, gateway>inventory,
// gateway>orders, orders>inventory, orders>payment, orders>shipping. Each edge carries
// the caller's policy: load balancing, timeout, retries with exponential back-off and
// full jitter under a retry budget, a circuit breaker and a bulkhead.
//
// Requests (open-loop Poisson arrivals, 60/30/10 by default):
//   - browse: GET /catalog — gateway → catalog; pages are cached for the cache TTL.
//   - view: GET /catalog/items/{id} — gateway → catalog, then gateway → inventory (stock).
//   - order: POST /orders — gateway → orders, which runs the "place order" saga: create
//     order (local) → reserve inventory → charge payment → schedule shipping. The
//     charge is the pivot. When a step up to it fails, the completed steps are
//     compensated in reverse (refund, release inventory, cancel order); a step that
//     times out (the policy timeout of its edge, 2 s) may still have happened, so it
//     is compensated too. Shipping, after the pivot, is never compensated: orders
//     answers 201 and retries it, under the same idempotency key, with the
//     compensations' back-off, until it succeeds. A completed
//     saga publishes OrderPlaced to the "orders" topic, consumed by the groups
//     "shipping" and "notifications". In choreographed mode each step travels as a
//     message on saga.inventory, saga.payment or saga.shipping (groups
//     inventory-saga, payment-saga, shipping-saga) instead of a call, and the
//     participant's reply comes back on saga.replies (group orders-saga, orders'
//     instances). The same timeout bounds that round trip: a broker outage, a dead or
//     slow consumer, a dead-lettered message or a lost reply ends as a timeout, and a
//     reply that comes after it is ignored.
//
// OrderPlaced carries an event id. Orders publishes it by a dual write (commit, then
// publish: a failed publish loses it) or, with the outbox on, as a row committed with
// the order that a polling relay publishes at least once (outbox.go). Its consumers
// book a courier or send an e-mail per delivery, or, with an inbox, once per event id
// (inbox.go).
//
// DefaultConfig holds the teaching presets (deliberately shorter than production so
// they are watchable); every knob's doc comment gives the production default of the
// system it imitates (Resilience4j, Hystrix, Eureka, Consul, Envoy).
//
// # Commands
//
// A Command is JSON with a "type" in lower-kebab and the type's fields; a field the
// type does not use is an error. DecodeCommand checks the shape; Apply checks the
// command against the state (unknown targets, out-of-range values, impossible states
// such as restarting a live instance) and, when it is rejected, changes nothing.
// Durations are whole milliseconds; the bounds are the exported Max… constants.
// Command.Describe says what a command does, in a phrase for people.
//
//	{"type":"kill","target":"catalog-2"}                kill a live instance (its work is lost; callers time out)
//	{"type":"restart","target":"catalog-2"}             restart a dead instance
//	{"type":"crash","service":"payment"}                kill every live instance of a service
//	{"type":"restore","service":"payment"}              restart every dead instance of a service
//	{"type":"scale","service":"catalog","instances":5}  1..10; scaling down deregisters gracefully
//	{"type":"latency","service":"payment","ms":2000,"jitter_ms":100}   added service time, 0 to remove
//	{"type":"error-rate","service":"payment","rate":0.5}               share of jobs answering 500
//	{"type":"cut-link","from":"gateway","to":"catalog-2"}              nodes: gateway, registry, broker, services, instances
//	{"type":"heal-link","from":"gateway","to":"catalog-2"}
//	{"type":"registry-down"}  {"type":"registry-up"}
//	{"type":"broker-down"}    {"type":"broker-up"}
//	{"type":"slow-consumer","group":"shipping","ms":400}     extra processing per message, 0 to restore
//	{"type":"load","rate":300}                               requests per second, 0..5000
//	{"type":"burst","rate":200,"ms":10000,"client":"client-07"}   extra arrivals; client optional
//	{"type":"breaker","edge":"orders>payment","state":"forced-open"}   state: closed, forced-open, disabled;
//	    optional: enabled, fallback, window, min_calls, failure_rate, slow_ms, slow_rate, wait_ms, half_open_calls
//	{"type":"bulkhead","edge":"gateway>inventory","max_concurrent":10,"max_queue":10,"max_wait_ms":100,"enabled":true}
//	{"type":"retries","edge":"gateway>catalog","retries":2,"backoff_ms":25,"backoff_max_ms":250,"budget":true,"budget_percent":0.2}
//	{"type":"timeout","edge":"gateway>catalog","ms":1000}    0 means no timeout
//	{"type":"lb","edge":"gateway>catalog","mode":"least-outstanding"}   round-robin, least-outstanding, random
//	{"type":"cache","enabled":true,"ttl_ms":5000}
//	{"type":"rate-limit","enabled":true,"rate":20,"burst":40}
//	{"type":"auth","enabled":true,"share":0.01}              share of requests sent without a token
//	{"type":"sidecar","service":"orders","enabled":true,"own_retries":true,"own_timeouts":false,"mtls":true,"metrics":true}
//	{"type":"saga-mode","mode":"choreographed"}              orchestrated or choreographed (new sagas)
//	{"type":"publish-mode","mode":"fail"}                    buffer in memory or fail while the broker is down
//	{"type":"outbox","enabled":true,"ms":1000}               OrderPlaced through orders' outbox, relay polling every ms; off: a dual write
//	{"type":"inbox","group":"shipping","enabled":true}       an OrderPlaced consumer drops event ids it has handled
//
// # What it shows
//
// Snapshot returns every node and edge with rolling throughput, error rate and
// p50/p95/p99 latency (ten one-second log-linear histograms), breaker state and
// window, bulkhead occupancy, the registry's view against the truth and each caller's
// cache, the latest saga timelines, broker lag per group and the sidecar policies, as
// JSON with lower_snake names. Events(since) returns notable happenings from a bounded
// ring with increasing sequence numbers. Traces returns span trees of one request in
// Config.TraceEvery.
//
// # Labs
//
// Scenarios lists the labs (one per pattern plus cascading-failure and retry-storm,
// in scenarios.go, and the messaging labs outbox-broker-outage and
// duplicate-delivery, in scenarios_messaging.go). A Script plays one on a simulation: it applies the timeline's
// commands and decides the checks as virtual time reaches them, however the time is
// sliced, so the live lab (package lab, a slice per frame) and RunScenario (flat out
// to the end) are the same stepper and reach the same verdicts. RunCLI is the
// headless runner. ShopTopology gives the shop's wiring for a viewer to draw.
//
// # Challenges
//
// Challenges lists scored challenges (challenge.go, challenges.go): a fault
// script and objectives, each measured over its own window, that the learner
// meets by setting a challenge's knobs before the run. ParseSettings reads a
// form of knob values, Evaluate plays the run flat out and scores it (0 when
// an objective fails, else 1000 less a cost for what was shed and retried),
// and Challenge.Scenario gives the same run as a lab to watch live. They are
// not among Scenarios.
package simulator
