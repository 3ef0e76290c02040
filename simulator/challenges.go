package simulator

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Challenges returns the scored challenges, in a stable order. Each call
// returns fresh values the caller may change.
func Challenges() []Challenge {
	return []Challenge{
		slowPaymentChallenge(), noisyClientChallenge(), inventoryOutageChallenge(),
		retryStormChallenge(), deadInstanceChallenge(), brokerOutageChallenge(),
	}
}

// ChallengeBySlug finds a challenge.
func ChallengeBySlug(slug string) (Challenge, bool) {
	for _, ch := range Challenges() {
		if ch.Slug == slug {
			return ch, true
		}
	}
	return Challenge{}, false
}

// withConfigs sets ch's Par and Naive from knob=value pairs; a pair that
// does not parse is a bug in the definition.
func withConfigs(ch Challenge, par, naive []string) Challenge {
	parse := func(kv []string) Settings {
		form := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			form.Set(kv[i], kv[i+1])
		}
		s, err := ParseSettings(ch, form)
		if err != nil {
			panic(fmt.Sprintf("simulator: challenge %s: %v", ch.Slug, err))
		}
		return s
	}
	ch.Par, ch.Naive = parse(par), parse(naive)
	return ch
}

// Knob builders. Each knob's default is the value the shop starts with in
// its challenge.

func msKnob(name, label, applies string, lo, hi, def int, cmd func(v int) Command) Knob {
	return Knob{Name: name, Label: label, Kind: KnobMS, Min: lo, Max: hi, Default: strconv.Itoa(def), Unit: "ms", Applies: applies, command: cmd}
}

func countKnob(name, label, unit, applies string, lo, hi, def int, cmd func(v int) Command) Knob {
	return Knob{Name: name, Label: label, Kind: KnobCount, Min: lo, Max: hi, Default: strconv.Itoa(def), Unit: unit, Applies: applies, command: cmd}
}

func percentKnob(name, label, applies string, def int, cmd func(v int) Command) Knob {
	return Knob{Name: name, Label: label, Kind: KnobPercent, Min: 0, Max: 100, Default: strconv.Itoa(def), Unit: "%", Applies: applies, command: cmd}
}

func boolKnob(name, label, applies string, def bool, cmd func(on bool) Command) Knob {
	d := "off"
	if def {
		d = "on"
	}
	return Knob{Name: name, Label: label, Kind: KnobBool, Default: d, Applies: applies, command: func(v int) Command { return cmd(v == 1) }}
}

func choiceKnob(name, label, applies, def string, choices []string, cmd func(c string) Command) Knob {
	return Knob{Name: name, Label: label, Kind: KnobChoice, Default: def, Choices: choices, Applies: applies,
		command: func(v int) Command { return cmd(choices[v]) }}
}

// The knobs several challenges share.

func timeoutKnob(edge string, lo, def int) Knob {
	return msKnob("timeout-"+knobEdge(edge), "Timeout on "+edgeText(edge), edge, lo, 10000, def,
		func(v int) Command { return Command{Type: "timeout", Edge: edge, MS: pMS(int64(v))} })
}

func retriesKnob(edge string, def int) Knob {
	return countKnob("retries-"+knobEdge(edge), "Retries on "+edgeText(edge), "retries", edge, 0, MaxRetries, def,
		func(v int) Command { return Command{Type: "retries", Edge: edge, Retries: pI(v)} })
}

func budgetKnob(edge string, def bool) Knob {
	return boolKnob("budget-"+knobEdge(edge), "Retry budget on "+edgeText(edge), edge, def,
		func(on bool) Command { return Command{Type: "retries", Edge: edge, Budget: pB(on)} })
}

func breakerKnob(edge string, def bool) Knob {
	return boolKnob("breaker-"+knobEdge(edge), "Circuit breaker on "+edgeText(edge), edge, def,
		func(on bool) Command { return Command{Type: "breaker", Edge: edge, Enabled: pB(on)} })
}

func bulkheadKnob(edge string, def int) Knob {
	return countKnob("bulkhead-"+knobEdge(edge), "Bulkhead's concurrent calls on "+edgeText(edge), "calls", edge, 1, MaxBulkheadCalls, def,
		func(v int) Command { return Command{Type: "bulkhead", Edge: edge, MaxConcurrent: pI(v)} })
}

func instancesKnob(svc string, def int) Knob {
	return countKnob("instances-"+svc, "Instances of "+svc, "instances", svc, MinInstances, 6, def,
		func(v int) Command { return Command{Type: "scale", Service: svc, Instances: pI(v)} })
}

// knobEdge is an edge's id as part of a knob's name: "orders-payment".
func knobEdge(edge string) string {
	b := []byte(edge)
	for i, c := range b {
		if c == '>' {
			b[i] = '-'
		}
	}
	return string(b)
}

// total measures a count the run keeps from its start: for windows that
// begin at 0 s.
func total(f func(s *Sim) uint64) func(r *Run, from, to time.Duration) float64 {
	return func(r *Run, from, to time.Duration) float64 { return float64(f(r.Sim)) }
}

// clientsRefusedIn counts the clients other than except told 429 in [from, to].
func clientsRefusedIn(except string) func(r *Run, from, to time.Duration) float64 {
	return func(r *Run, from, to time.Duration) float64 {
		seen := map[string]bool{}
		for _, e := range r.Events {
			if at := e.at(); e.Kind == "rate-limit" && e.Subject != except && at >= from && at <= to {
				seen[e.Subject] = true
			}
		}
		return float64(len(seen))
	}
}

func slowPaymentChallenge() Challenge {
	ch := Challenge{
		Slug: "slow-payment", Title: "Payment slows to 2 s", Pattern: "circuit-breaker",
		Brief: "From 10 s to 40 s every charge takes about 2 s, and orders keep arriving at their usual ten a second. " +
			"Keep the gateway's p99 for reads under 400 ms and place at least 95% of the orders, both measured from 20 s to 30 s.",
		Duration: 45 * time.Second,
		Faults: []Step{
			at(10, Command{Type: "latency", Service: "payment", MS: pMS(2000), JitterMS: pMS(100)}),
			at(40, Command{Type: "latency", Service: "payment", MS: pMS(0)}),
		},
		Objectives: []Objective{
			objective("gateway p99 of reads", "<", 400, "ms", 20, 30, p99Of(kindBrowse, kindView)),
			objective("orders placed", "≥", 95, "%", 20, 30, ordersPlaced),
		},
		Knobs: []Knob{
			timeoutKnob("orders>payment", 100, 2000),
			breakerKnob("orders>payment", true),
			msKnob("slow-call-orders-payment", "Breaker's slow-call threshold on orders→payment", "orders>payment", 100, 10000, 1000,
				func(v int) Command { return Command{Type: "breaker", Edge: "orders>payment", SlowMS: pMS(int64(v))} }),
			bulkheadKnob("gateway>orders", 10),
			bulkheadKnob("orders>payment", 10),
			instancesKnob("payment", 2),
		},
	}
	return withConfigs(ch,
		[]string{"timeout-orders-payment", "3000", "slow-call-orders-payment", "3000", "bulkhead-gateway-orders", "40",
			"bulkhead-orders-payment", "40", "instances-payment", "3"},
		nil)
}

func noisyClientChallenge() Challenge {
	ch := Challenge{
		Slug: "noisy-client", Title: "One client sends twenty times the shop's load", Pattern: "api-gateway",
		Brief: "From 5 s to 15 s client-07 sends 2000 requests a second, twenty times what the other 49 clients send together. " +
			"No other client may be told 429 from 0 s to 30 s, and the gateway must answer fewer than 1% of requests with a 5xx from 5 s to 15 s.",
		Duration: 30 * time.Second,
		Faults: []Step{
			at(0, Command{Type: "rate-limit", Enabled: pB(false)}),
			at(5, Command{Type: "burst", Rate: pF(2000), MS: pMS(10000), Client: "client-07"}),
		},
		Objectives: []Objective{
			objective("other clients told 429", "=", 0, "", 0, 30, clientsRefusedIn("client-07")),
			objective("gateway 5xx share", "<", 1, "%", 5, 15, errorShare),
		},
		Knobs: []Knob{
			boolKnob("rate-limit", "Per-client rate limit", "gateway", false,
				func(on bool) Command { return Command{Type: "rate-limit", Enabled: pB(on)} }),
			countKnob("rate-limit-rate", "Tokens per second, per client", "per second", "gateway", 1, 1000, 20,
				func(v int) Command { return Command{Type: "rate-limit", Rate: pF(float64(v))} }),
			countKnob("rate-limit-burst", "Bucket size, per client", "tokens", "gateway", 1, 2000, 40,
				func(v int) Command { return Command{Type: "rate-limit", Burst: pI(v)} }),
		},
	}
	return withConfigs(ch, []string{"rate-limit", "on"}, nil)
}

func inventoryOutageChallenge() Challenge {
	ch := Challenge{
		Slug: "inventory-outage", Title: "Inventory dies in the middle of sagas", Pattern: "saga",
		Brief: "Every inventory instance dies at 10 s and comes back at 22 s, while about ten orders a second keep arriving. " +
			"No saga may end stuck for an operator from 0 s to 40 s, and at least 95% of orders must be placed again from 30 s to 40 s.",
		Duration: 40 * time.Second,
		Faults: []Step{
			at(0, Command{Type: "breaker", Edge: "orders>inventory", Enabled: pB(false)}),
			at(10, Command{Type: "crash", Service: "inventory"}),
			at(22, Command{Type: "restore", Service: "inventory"}),
		},
		Objectives: []Objective{
			objective("sagas stuck", "=", 0, "", 0, 40, total(func(s *Sim) uint64 { return s.sagas.count[sagaStuck] })),
			objective("orders placed", "≥", 95, "%", 30, 40, ordersPlaced),
		},
		Knobs: []Knob{
			timeoutKnob("orders>inventory", 50, 2000),
			retriesKnob("orders>inventory", 0),
			msKnob("backoff-max-orders-inventory", "Longest retry back-off on orders→inventory", "orders>inventory", 1, 10000, 250,
				func(v int) Command {
					return Command{Type: "retries", Edge: "orders>inventory", BackoffMaxMS: pMS(int64(v))}
				}),
			msKnob("backoff-orders-inventory", "First retry back-off on orders→inventory", "orders>inventory", 1, 10000, 25,
				func(v int) Command {
					return Command{Type: "retries", Edge: "orders>inventory", BackoffMS: pMS(int64(v))}
				}),
			breakerKnob("orders>inventory", false),
			boolKnob("sidecar-orders", "Sidecar proxy beside orders, owning its retries and timeouts", "orders", false,
				func(on bool) Command {
					return Command{Type: "sidecar", Service: "orders", Enabled: pB(on), OwnRetries: pB(on), OwnTimeouts: pB(on)}
				}),
		},
	}
	return withConfigs(ch,
		[]string{"breaker-orders-inventory", "on"},
		nil)
}

func retryStormChallenge() Challenge {
	ch := Challenge{
		Slug: "retry-storm", Title: "Catalog slows under eager retries", Pattern: "api-gateway",
		Brief: "The gateway's cache is off and it retries a failed catalog call up to three times. From 10 s to 40 s catalog slows so that many calls miss the gateway's 1 s timeout. " +
			"Keep catalog's attempts per call under 1.5 and answer at least 80% of browse and view requests without a 5xx (a fallback page counts), both from 25 s to 35 s.",
		Duration: 40 * time.Second,
		Faults: []Step{
			at(0, Command{Type: "cache", Enabled: pB(false)}),
			at(0, Command{Type: "breaker", Edge: "gateway>catalog", Enabled: pB(false)}),
			at(0, Command{Type: "bulkhead", Edge: "gateway>catalog", Enabled: pB(false)}),
			at(0, Command{Type: "retries", Edge: "gateway>catalog", Retries: pI(3), Budget: pB(false)}),
			at(10, Command{Type: "latency", Service: "catalog", MS: pMS(700), JitterMS: pMS(600)}),
			at(40, Command{Type: "latency", Service: "catalog", MS: pMS(0)}),
		},
		Objectives: []Objective{
			objective("attempts per call on gateway→catalog", "<", 1.5, "", 25, 35, attemptsPerCall("gateway>catalog")),
			objective("browse and view answered", "≥", 80, "%", 25, 35, successOf(kindBrowse, kindView)),
		},
		Knobs: []Knob{
			retriesKnob("gateway>catalog", 3),
			budgetKnob("gateway>catalog", false),
			percentKnob("budget-percent-gateway-catalog", "Retry budget share on gateway→catalog", "gateway>catalog", 20,
				func(v int) Command {
					return Command{Type: "retries", Edge: "gateway>catalog", BudgetPercent: pF(float64(v) / 100)}
				}),
			timeoutKnob("gateway>catalog", 50, 1000),
			breakerKnob("gateway>catalog", false),
			instancesKnob("catalog", 3),
			boolKnob("cache", "Gateway response cache", "gateway", false,
				func(on bool) Command { return Command{Type: "cache", Enabled: pB(on)} }),
		},
	}
	return withConfigs(ch, []string{"budget-gateway-catalog", "on", "breaker-gateway-catalog", "on"}, nil)
}

func deadInstanceChallenge() Challenge {
	ch := Challenge{
		Slug: "dead-instance", Title: "A catalog instance dies without a goodbye", Pattern: "service-discovery",
		Brief: "catalog-2 is killed at 10 s without telling the registry and restarted at 40 s; the registry evicts an instance after 3 s without a heartbeat, and the gateway refreshes its list every 2 s. " +
			"From 10 s to 20 s keep the gateway's p99 for reads under 300 ms and the 5xx share under 1%.",
		Duration: 45 * time.Second,
		Faults: []Step{
			at(10, Command{Type: "kill", Target: "catalog-2"}),
			at(40, Command{Type: "restart", Target: "catalog-2"}),
		},
		Objectives: []Objective{
			objective("gateway p99 of reads", "<", 300, "ms", 10, 20, p99Of(kindBrowse, kindView)),
			objective("gateway 5xx share", "<", 1, "%", 10, 20, errorShare),
		},
		Knobs: []Knob{
			choiceKnob("lb-gateway-catalog", "Load balancing on gateway→catalog", "gateway>catalog", string(RoundRobin),
				[]string{string(RoundRobin), string(LeastOutstanding), string(Random)},
				func(c string) Command { return Command{Type: "lb", Edge: "gateway>catalog", Mode: c} }),
			timeoutKnob("gateway>catalog", 50, 1000),
			retriesKnob("gateway>catalog", 2),
		},
	}
	return withConfigs(ch, []string{"lb-gateway-catalog", string(LeastOutstanding)}, nil)
}

func brokerOutageChallenge() Challenge {
	ch := Challenge{
		Slug: "broker-outage", Title: "The broker goes down between commit and publish", Pattern: "transactional-outbox",
		Brief: "Orders commits each order, then publishes OrderPlaced, and a publish that fails is not retried; shipping books one courier per event. The broker is down from 10.05 s to 20 s. " +
			"No OrderPlaced may be lost and no courier booked twice from 0 s to 40 s, and shipping must have caught up (lag under 5) at 35 s.",
		Duration: 40 * time.Second,
		Faults: []Step{
			at(0, Command{Type: "publish-mode", Mode: PublishFail}),
			at(10.05, Command{Type: "broker-down"}),
			at(20, Command{Type: "broker-up"}),
		},
		Objectives: []Objective{
			objective("OrderPlaced events lost", "=", 0, "", 0, 40, total(func(s *Sim) uint64 { return s.broker.lost })),
			objective("couriers booked twice", "=", 0, "", 0, 40, total(func(s *Sim) uint64 { return s.broker.groups[groupShipping].again })),
			objective("shipping lag", "<", 5, "msg", 35, 35, func(r *Run, _, _ time.Duration) float64 { return float64(r.Sim.lag(groupShipping)) }),
		},
		Knobs: []Knob{
			boolKnob("outbox", "Transactional outbox in orders", "orders", false,
				func(on bool) Command { return Command{Type: "outbox", Enabled: pB(on)} }),
			msKnob("outbox-poll", "Outbox relay's poll interval", "orders", int(MinOutboxPoll/time.Millisecond), int(MaxOutboxPoll/time.Millisecond), 1000,
				func(v int) Command { return Command{Type: "outbox", MS: pMS(int64(v))} }),
			boolKnob("inbox-shipping", "Inbox in shipping's consumers", "shipping", false,
				func(on bool) Command { return Command{Type: "inbox", Group: "shipping", Enabled: pB(on)} }),
		},
	}
	return withConfigs(ch, []string{"outbox", "on", "outbox-poll", "200", "inbox-shipping", "on"}, nil)
}
