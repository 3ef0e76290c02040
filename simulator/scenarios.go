package simulator

import (
	"strings"
	"time"
)

// Scenarios returns the labs, in a stable order: one per pattern, then the two
// failure labs. Each call returns fresh values the caller may change.
func Scenarios() []Scenario {
	return []Scenario{
		deadInstance(), gatewayRateLimit(), paymentOutage(), bulkheadIsolation(), slowConsumer(),
		sagaCompensation(), sidecarRetries(), cascadingFailure(), retryStorm(), outboxBrokerOutage(), duplicateDelivery(),
	}
}

func deadInstance() Scenario {
	const kill = 10.5
	return Scenario{
		Slug: "dead-instance", Title: "An instance dies without a goodbye", Pattern: "service-discovery",
		Setup: "catalog-2 is killed at 10.5 s without telling the registry, and restarted at 30 s. Instances renew a 3 s lease with a heartbeat every second, and the gateway refreshes its copy of the registry every 2 s.",
		Narrative: "catalog-2 dies at 10.5 s without saying goodbye. The registry only learns of it when its lease runs out, " +
			"and the gateway only learns of that at its next refresh, so for a few seconds one catalog request in three goes " +
			"to a machine that will never answer. Watch the gateway's view lag behind the truth, then catch up.",
		Question: Question{
			Prompt: "catalog-2 is killed at 10.5 s. Heartbeats every 1 s, ttl 3 s, the gateway refreshes every 2 s (at 0, 2, 4 … s). When does the gateway stop sending it requests?",
			Options: []Option{
				{"At 10.5 s: the gateway notices the failed calls", false, "A gateway routes from its cached list; failed calls are retried elsewhere but do not remove the instance."},
				{"At 13 s, when the registry evicts it", false, "Eviction changes the registry, not the gateway's cache; the gateway sees it at its next refresh."},
				{"At 14 s, the first refresh after the eviction", true, "Last heartbeat at 10 s, lease expiry at 13 s, next gateway refresh at 14 s: 3.5 s of requests to a dead instance."},
				{"Never, until someone deregisters it by hand", false, "Leases exist precisely so that dead instances disappear on their own."},
			},
		},
		Duration: 50 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Three catalog instances share the catalog's traffic, and the registry agrees with the truth about each. Open the Registry tab to see both side by side."},
			{At: sec(kill), Title: "catalog-2 goes silent", Say: "catalog-2 has just been killed, without a word to the registry. Keep the Registry tab open and watch catalog-2's row and its dot in the drawing."},
			{At: sec(30), Title: "catalog-2 comes back", Say: "catalog-2 is starting again. Answer the question, then watch its dot.",
				Question: &Question{
					Prompt: "catalog-2 restarts now and registers at once. When does the gateway send it requests again?",
					Options: []Option{
						{"At once: it is in the registry from 30 s", false, "The gateway routes from its own copy of the registry, and the copy it took at 30 s was made just before catalog-2 registered."},
						{"From 32 s, the gateway's next refresh", true, "Registering is immediate, but the gateway only learns of it when it next refreshes its list, at 32 s."},
						{"From 33 s, once a full 3 s lease has passed", false, "The lease bounds how long a silent instance stays listed; a new registration counts at once."},
						{"Never: an evicted instance must be added back by hand", false, "An instance registers itself when it starts, as it did the first time."},
					},
				}},
			{At: sec(36), Title: "Now you try", Try: pI(4), Say: "Kill catalog-1 yourself: click its dot in the drawing, then Kill. The last check times how long the registry takes to notice."},
		},
		Timeline: []Step{
			at(kill, Command{Type: "kill", Target: "catalog-2"}),
			at(30, Command{Type: "restart", Target: "catalog-2"}),
		},
		Checks: []Check{
			{Name: "the registry evicts catalog-2 within ttl + heartbeat (4 s) of its death", Eval: func(r *Run) (bool, string) {
				t := r.firstEvent("evict", "catalog-2", "", sec(kill))
				return verdict(t >= 0 && t-sec(kill) <= 4*time.Second, "evicted at %v (killed at %v)", t, sec(kill))
			}},
			{Name: "the gateway still routes to catalog-2 after its death (the stale window is real)", At: sec(29), Eval: func(r *Run) (bool, string) {
				in := r.instance("catalog-2")
				return verdict(in.lastRouted > sec(kill), "last request sent to catalog-2 at %v", in.lastRouted)
			}},
			{Name: "catalog-2 receives no request later than 5 s after it was killed", At: sec(29), Eval: func(r *Run) (bool, string) {
				in := r.instance("catalog-2")
				return verdict(in.lastRouted <= sec(kill+5), "last request sent to catalog-2 at %v, killed at %v", in.lastRouted, sec(kill))
			}},
			{Name: "after its restart at 30 s, catalog-2 gets traffic again within heartbeat + refresh (3 s)", At: sec(33), Eval: func(r *Run) (bool, string) {
				in := r.instance("catalog-2")
				return verdict(in.lastRouted > sec(30), "last request sent to catalog-2 at %v", in.lastRouted)
			}},
			{Name: "the instance you kill is evicted within ttl + heartbeat (4 s)", Yours: true, Eval: func(r *Run) (bool, string) {
				e, ok := r.command("kill", "", sec(36))
				if !ok {
					return verdict(false, "no instance was killed after 36 s")
				}
				victim := strings.TrimPrefix(e.Message, "killed ")
				t := r.firstEvent("evict", victim, "", e.at())
				if t < 0 {
					return verdict(false, "%s, killed at %v, was not evicted by the end: kill it earlier", victim, e.at())
				}
				return verdict(t-e.at() <= 4*time.Second, "%s killed at %v, evicted at %v", victim, e.at(), t)
			}},
		},
	}
}

func gatewayRateLimit() Scenario {
	return Scenario{
		Slug: "gateway-rate-limit", Title: "One noisy client, one token bucket", Pattern: "api-gateway",
		Setup: "From 5 s to 15 s client-07 sends about 200 requests a second while 49 other clients carry on at their usual pace. The gateway keeps a token bucket per client: 20 tokens a second, 40 at most.",
		Narrative: "client-07 starts hammering the shop at 200 requests a second for ten seconds while 49 other clients carry on as usual. " +
			"The gateway gives every client its own token bucket (20 a second, burst 40), so only client-07 is told 429 and nobody else notices.",
		Question: Question{
			Prompt: "client-07 sends about 200 req/s for 10 s. Its bucket refills 20 tokens a second and holds 40. Roughly how many of its burst requests get through?",
			Options: []Option{
				{"About 40: the burst, then nothing", false, "The bucket keeps refilling at 20 a second while the burst lasts."},
				{"About 240: the 40 stored plus 20 a second for 10 s", true, "A token bucket admits its capacity at once, then exactly its refill rate."},
				{"All 2000: the shop has spare capacity", false, "The limit is per client and does not look at spare capacity."},
				{"None: the client is blocked as soon as it exceeds the rate", false, "A token bucket throttles; it does not ban."},
			},
		},
		Duration: 40 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Fifty clients send about two requests a second each, far below their limit. Watch the gateway's 429 count."},
			{At: sec(5), Title: "client-07 bursts", Say: "client-07 now sends about 200 requests a second. Watch the 429 count, and whether anyone else's requests slow down."},
			{At: sec(20), Title: "Now you try", Try: pI(4), Say: "In the gateway's rate-limit knobs, set the rate to 1 a second and the burst to 2, below what ordinary clients send. The last check counts who is told 429."},
		},
		Timeline: []Step{at(5, Command{Type: "burst", Rate: pF(200), MS: pMS(10000), Client: "client-07"})},
		Checks: []Check{
			{Name: "client-07 is told 429 for most of its burst", At: sec(20), Eval: func(r *Run) (bool, string) {
				n := r.Sim.gw.limited[6]
				return verdict(n >= 1600 && n <= 1950, "client-07 got %d 429s", n)
			}},
			{Name: "client-07 still gets about 240 requests through during the burst", At: sec(20), Eval: func(r *Run) (bool, string) {
				// passed counts the whole run; the steady load adds about 2 a second.
				n := float64(r.Sim.gw.passed[6]) - 2*20
				return verdict(n >= 190 && n <= 300, "about %.0f of client-07's requests passed besides its steady share", n)
			}},
			{Name: "no other client is rate limited", At: sec(20), Eval: func(r *Run) (bool, string) {
				for i, n := range r.Sim.gw.limited {
					if i != 6 && n > 0 {
						return verdict(false, "%s got %d 429s", r.Sim.gw.clients[i], n)
					}
				}
				return verdict(true, "only client-07 got 429s")
			}},
			{Name: "the shop's 5xx rate stays under 1% during the burst", At: sec(15), Eval: func(r *Run) (bool, string) {
				st := r.Sim.nodeStats[nodeGateway].stats(r.Sim.now)
				return verdict(st.ErrorRate < 0.01, "gateway 5xx rate over the last 10 s: %.2f%%", 100*st.ErrorRate)
			}},
			{Name: "a limit below ordinary use refuses ordinary clients too", Yours: true, Eval: func(r *Run) (bool, string) {
				refused := map[string]bool{}
				for _, e := range r.Events {
					if e.Kind == "rate-limit" && e.Subject != "client-07" && e.at() >= sec(20) {
						refused[e.Subject] = true
					}
				}
				rl := r.Sim.gw.rl
				return verdict(rl.Enabled && rl.Rate < 2 && len(refused) >= 25, "%d of the other 49 clients were told 429 after 20 s; the limit is now %d a second, burst %d",
					len(refused), rl.Rate, rl.Burst)
			}},
		},
	}
}

func slowConsumer() Scenario {
	return Scenario{
		Slug: "slow-consumer", Title: "Shipping's consumers slow down", Pattern: "event-driven",
		Setup: "Each order publishes OrderPlaced, read by shipping and by notifications, each in its own consumer group. From 10 s to 30 s shipping’s consumers need about 0.4 s a message; from 50 s to 56 s they need 2.5 s, more than the broker’s 2 s ack timeout.",
		Narrative: "Each placed order publishes OrderPlaced; shipping and notifications consume it in their own groups. At 10 s shipping's " +
			"consumers slow to about 0.4 s a message, below the rate orders arrive, so its lag grows while notifications keep up. At 30 s " +
			"they recover and drain the backlog; at 50 s they slow beyond the 2 s ack timeout, so messages are redelivered and processed twice.",
		Question: Question{
			Prompt: "Shipping's three consumers now need about 0.4 s a message while 10 orders a second are placed. What happens?",
			Options: []Option{
				{"Orders start failing", false, "Publishing does not wait for consumers: that decoupling is the point of the broker."},
				{"Shipping's lag grows by about 3 messages a second; notifications are unaffected", true, "Three consumers at 0.4 s handle about 7 a second; each group has its own offset and lag."},
				{"The broker drops the messages shipping cannot handle", false, "Messages wait in the topic (within retention) until they are consumed."},
				{"The messages go straight to the dead-letter topic", false, "Only messages that fail or time out repeatedly are dead-lettered."},
			},
		},
		Duration: 80 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Each order publishes OrderPlaced, which shipping's and notifications' consumer groups each read. Watch both groups' lag."},
			{At: sec(10), Title: "Shipping slows", Say: "Shipping's consumers now need about 0.4 s a message. Watch both groups' lag."},
			{At: sec(30), Title: "Shipping recovers", Say: "Shipping's consumers are back to their usual speed. Watch its lag."},
			{At: sec(50), Title: "Slower than the ack timeout", Say: "Each shipping message now takes 2.5 s, longer than the 2 s the broker waits for an acknowledgement. Watch for redeliveries in the event log."},
			{At: sec(62), Title: "Now you try", Try: pI(5), Say: "Slow notifications yourself: in the consumer controls, add 500 ms a message to the notifications group, and watch its lag beside shipping's."},
		},
		Timeline: []Step{
			at(10, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(400)}),
			at(30, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(0)}),
			at(50, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(2500)}),
			at(56, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(0)}),
		},
		Checks: []Check{
			{Name: "shipping's lag grows past 30 messages while it is slow", At: sec(30), Eval: func(r *Run) (bool, string) {
				l := r.Sim.lag(groupShipping)
				return verdict(l >= 30, "shipping lag %d", l)
			}},
			{Name: "notifications keep up (lag under 5) at the same time", At: sec(30), Eval: func(r *Run) (bool, string) {
				l := r.Sim.lag(groupNotifications)
				return verdict(l < 5, "notifications lag %d", l)
			}},
			{Name: "the backlog drains within 15 s of recovery", At: sec(45), Eval: func(r *Run) (bool, string) {
				l := r.Sim.lag(groupShipping)
				return verdict(l < 5, "shipping lag %d", l)
			}},
			{Name: "messages not acknowledged within 2 s are redelivered and processed again", Eval: func(r *Run) (bool, string) {
				g := &r.Sim.broker.groups[groupShipping]
				return verdict(g.redeliv > 0 && g.dups > 0, "%d redeliveries, %d duplicate processings", g.redeliv, g.dups)
			}},
			{Name: "by 61 s every OrderPlaced is acknowledged by both groups", At: sec(61), Eval: func(r *Run) (bool, string) {
				a, b := r.Sim.lag(groupShipping), r.Sim.lag(groupNotifications)
				return verdict(a < 5 && b < 5, "lag shipping %d, notifications %d", a, b)
			}},
			{Name: "a slow notifications group falls behind on its own", Yours: true, Eval: func(r *Run) (bool, string) {
				a, b := r.Sim.lag(groupShipping), r.Sim.lag(groupNotifications)
				return verdict(b >= 20 && a < 5, "lag notifications %d, shipping %d", b, a)
			}},
		},
	}
}

func sagaCompensation() Scenario {
	return Scenario{
		Slug: "saga-compensation", Title: "Payment refuses every charge mid-saga", Pattern: "saga",
		Setup: "From 10 s to 25 s payment rejects every charge; from 33 s to 38 s shipping fails every call. Each order is a saga that orders runs step by step (create the order, reserve inventory, charge payment, schedule shipping).",
		Narrative: "From 10 s to 25 s payment rejects every charge. Each saga that has already reserved stock must undo it: the orchestrator " +
			"runs the compensations of the completed steps in reverse (release the stock, cancel the order), so no order is " +
			"left with stock held and no payment. From 33 s shipping fails too, but it comes after the charge, the saga's pivot: " +
			"once the money is taken the saga only goes forward. Shipping is retried under the same idempotency key, with back-off, " +
			"until it succeeds at 38 s; none of those orders is refunded.",
		Question: Question{
			Prompt: "An order has reserved its stock when its charge fails. What does the saga do?",
			Options: []Option{
				{"Leaves the reservation for an operator to clean up", false, "Compensations exist so that no human has to; only repeatedly failing compensations go to an operator."},
				{"Releases the stock, then cancels the order", true, "Completed steps are undone newest first; the failed charge itself needs no refund."},
				{"Retries the charge until payment recovers", false, "The step failed with an error; the saga gives up on it and compensates (retries would be a separate policy)."},
				{"Refunds the payment, then releases the stock", false, "No charge happened, so there is nothing to refund."},
			},
		},
		Duration: 65 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Every order runs as a saga. Open the Sagas tab: each line is one order's steps, in the order they ran."},
			{At: sec(10), Title: "Payment refuses charges", Say: "From now on every charge is refused. Keep the Sagas tab open and read the newest timelines step by step."},
			{At: sec(25), Title: "Payment takes charges again", Say: "Payment accepts charges again. Answer the question, then watch the new sagas.",
				Question: &Question{
					Prompt: "Payment accepts charges again from now on. What becomes of the orders that were compensated during its outage?",
					Options: []Option{
						{"The orchestrator runs them again and they complete", false, "A compensated saga is finished: its undo steps ran, and nothing brings it back."},
						{"They stay cancelled; those customers have to order again", true, "Compensation is final. Trying again would be a new saga, the customer's choice or a retry policy's."},
						{"They wait, stuck, until an operator steps in", false, "Only sagas whose compensations keep failing need an operator; these compensated cleanly."},
						{"Payment charges them now, from a backlog", false, "A refused charge is not queued anywhere; the saga moved on to compensate."},
					},
				}},
			{At: sec(33), Title: "Shipping fails after the charge", Say: "Now shipping fails every call, for orders that payment has already charged. Answer, then read the newest timelines in the Sagas tab.",
				Question: &Question{
					Prompt: "Shipping fails for orders whose charge has gone through. What does the saga do with them?",
					Options: []Option{
						{"Refunds the charge, releases the stock and cancels the order", false, "The charge is the pivot: once it commits the saga only goes forward. Refunding a paid order because a parcel could not be booked yet would undo a sale for a fault that heals."},
						{"Retries shipping under the same key until it succeeds; nothing is refunded", true, "Steps after the pivot are retriable: the same idempotency key lets shipping ignore a repeat it already carried out, and the order completes once shipping is back."},
						{"Hands each order to an operator at once", false, "An operator is the last resort when retries keep failing; a short shipping outage is what the retries are for."},
						{"Marks the orders complete and drops the shipping step", false, "Nothing books the parcel then. The step must still happen; the saga waits for it instead of skipping it."},
					},
				}},
			{At: sec(44), Title: "Now you try", Try: pI(5), Say: "Crash inventory (the service controls' Crash all) so that no stock can be reserved, then read the newest compensated sagas: which undo steps run now?"},
		},
		Timeline: []Step{
			at(10, Command{Type: "error-rate", Service: "payment", Rate: pF(1)}),
			at(25, Command{Type: "error-rate", Service: "payment", Rate: pF(0)}),
			at(33, Command{Type: "error-rate", Service: "shipping", Rate: pF(1)}),
			at(38, Command{Type: "error-rate", Service: "shipping", Rate: pF(0)}),
		},
		Checks: []Check{
			{Name: "orders placed during the outage are compensated", Eval: func(r *Run) (bool, string) {
				n := r.Sim.sagas.count[sagaCompensated]
				return verdict(n >= 50, "%d sagas compensated", n)
			}},
			{Name: "no order is left half-done after the payment outage", At: sec(30), Eval: func(r *Run) (bool, string) {
				open := 0
				for i := range r.Sim.sagas.pool.items {
					g := &r.Sim.sagas.pool.items[i]
					if g.gen%2 == 1 && g.started < r.Sim.now-5*time.Second {
						open++
					}
				}
				stuck := r.Sim.sagas.count[sagaStuck]
				return verdict(open == 0 && stuck == 0, "%d sagas older than 5 s unfinished, %d stuck", open, stuck)
			}},
			{Name: "compensations run newest first: release inventory before cancel order", At: sec(24), Eval: func(r *Run) (bool, string) {
				b := &r.Sim.sagas
				seen := 0
				for k := 0; k < b.hlen; k++ {
					g := &b.history[k]
					if g.state != sagaCompensated {
						continue
					}
					seen++
					var order []uint8
					for i := uint8(0); i < g.ntl; i++ {
						if g.tl[i].step >= compRefund {
							order = append(order, g.tl[i].step)
						}
					}
					for i := 1; i < len(order); i++ {
						if order[i] < order[i-1] {
							return verdict(false, "saga %d compensated out of order", g.id)
						}
					}
					if len(order) == 0 || order[len(order)-1] != compCancelOrder {
						return verdict(false, "saga %d did not end by cancelling its order", g.id)
					}
				}
				return verdict(seen >= 5, "%d recent compensated sagas checked", seen)
			}},
			{Name: "after recovery, orders complete again", At: sec(30), Eval: func(r *Run) (bool, string) {
				st := r.kindStats(kindOrder)
				return verdict(st.Total > 0 && r.Sim.gw.completedOrders > 100 && r.lastSagaCompleted(), "%d orders completed", r.Sim.gw.completedOrders)
			}},
			{Name: "orders whose shipping failed after the charge complete, none refunded", At: sec(43), Eval: func(r *Run) (bool, string) {
				after := &r.Sim.sagas.afterPivot
				done, comp, stuck := after[sagaCompleted], after[sagaCompensated], after[sagaStuck]
				return verdict(done >= 20 && comp == 0 && stuck == 0 && r.Sim.sagas.count[sagaStuck] == 0,
					"%d sagas hit by shipping's failures completed once it was back, %d compensated, %d stuck", done, comp, stuck)
			}},
			{Name: "a saga that could not reserve stock undoes only its order", Yours: true, Eval: func(r *Run) (bool, string) {
				e, ok := r.command("crash", "inventory", sec(44))
				if !ok {
					return verdict(false, "inventory was not crashed after 44 s")
				}
				orderOnly, released := r.compensatedSince(e.at() + time.Second)
				return verdict(orderOnly >= 5 && released == 0, "since inventory crashed at %v: %d sagas undid only their order, %d also released stock", e.at(), orderOnly, released)
			}},
		},
	}
}

// lastSagaCompleted reports whether the newest finished saga completed.
func (r *Run) lastSagaCompleted() bool {
	b := &r.Sim.sagas
	for k := 0; k < b.hlen; k++ {
		if b.history[(b.hnext-1-k+2*len(b.history))%len(b.history)].state == sagaCompleted {
			return true
		}
	}
	return false
}

func sidecarRetries() Scenario {
	return Scenario{
		Slug: "sidecar-retries", Title: "Retries move into the sidecar", Pattern: "sidecar",
		Setup: "From 5 s inventory fails one call in ten, and orders’ own code retries each call twice. At 25 s orders gets a sidecar proxy that takes over those retries with the same policy.",
		Narrative: "Inventory starts failing one call in ten at 5 s, and orders' own code retries twice, so sagas barely notice. At 25 s " +
			"orders gets a sidecar that takes over the retries: the same policy, applied by the proxy beside each orders instance instead of " +
			"by the service's code. Watch the retry counters change owner while the outcome stays the same and each hop gains about 0.2 ms per sidecar.",
		Question: Question{
			Prompt: "orders' retries on calls to inventory move from its code into its sidecar. What changes?",
			Options: []Option{
				{"Calls are retried twice as often", false, "Only if both the code and the sidecar retried; here the code stops retrying."},
				{"The same policy is applied by the proxy, adding a little latency per hop", true, "Ownership moves out of the code; the numbers stay, and the proxy hop costs about 0.2 ms."},
				{"Retries stop: sidecars only do mTLS", false, "Sidecars commonly own retries, timeouts, mTLS and metrics."},
				{"Inventory retries its own failures", false, "Retries belong to the caller's side of the hop."},
			},
		},
		Duration: 55 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "orders' own code retries each failed call to inventory up to twice. Watch the retry counters on orders→inventory."},
			{At: sec(5), Title: "Inventory fails one call in ten", Say: "Watch who makes the retries, and how many orders are still placed."},
			{At: sec(25), Title: "A sidecar takes over", Say: "orders and inventory now each have a sidecar proxy. Watch who makes the retries now, and each hop's latency."},
			{At: sec(35), Title: "Now you try", Try: pI(4), Say: "In the retry knobs on orders→inventory, set retries to 0, and watch the share of orders that are not placed."},
		},
		Timeline: []Step{
			at(0, Command{Type: "retries", Edge: "orders>inventory", Retries: pI(2)}),
			at(5, Command{Type: "error-rate", Service: "inventory", Rate: pF(0.1)}),
			at(25, Command{Type: "sidecar", Service: "orders", Enabled: pB(true), OwnRetries: pB(true), MTLS: pB(true), Metrics: pB(true)}),
			at(25, Command{Type: "sidecar", Service: "inventory", Enabled: pB(true), MTLS: pB(true)}),
		},
		Checks: []Check{
			{Name: "before the move, the service code makes the retries", At: sec(25) - 1, Eval: func(r *Run) (bool, string) {
				e := r.edge("orders>inventory")
				r.Notes["retries"] = float64(e.retries)
				return verdict(e.retries > 0 && e.sidecarRetries == 0, "%d retries by the service, %d by a sidecar", e.retries, e.sidecarRetries)
			}},
			{Name: "after the move, every retry is made by the sidecar", Eval: func(r *Run) (bool, string) {
				e := r.edge("orders>inventory")
				after := float64(e.retries) - r.Notes["retries"]
				return verdict(after > 0 && float64(e.sidecarRetries) == after, "%d retries since the move, %d by the sidecar", int(after), e.sidecarRetries)
			}},
			{Name: "the snapshot shows the sidecar owning retries with mTLS on orders→inventory", Eval: func(r *Run) (bool, string) {
				v := r.Sim.edgeView(r.edge("orders>inventory"))
				return verdict(v.Policy.RetriesBy == "sidecar" && v.MTLS, "retries_by=%s mtls=%v", v.Policy.RetriesBy, v.MTLS)
			}},
			{Name: "sagas barely notice the 10% error rate: fewer than 7% of orders are not placed (business rules alone refuse about 4%)", At: sec(34), Eval: func(r *Run) (bool, string) {
				g := &r.Sim.gw
				total, missed := g.completedOrders+g.rejectedOrders+g.failedOr, g.rejectedOrders+g.failedOr
				r.Notes["orders"], r.Notes["missed"] = float64(total), float64(missed)
				// Business rules reject about 4% anyway; failures from inventory errors add to that.
				share := float64(missed) / float64(max(total, 1))
				return verdict(share < 0.07, "%.1f%% of orders not placed (business rules reject about 4%%)", 100*share)
			}},
			{Name: "without retries, inventory's errors reach the orders", Yours: true, Eval: func(r *Run) (bool, string) {
				g := &r.Sim.gw
				n := float64(g.completedOrders+g.rejectedOrders+g.failedOr) - r.Notes["orders"]
				missed := float64(g.rejectedOrders+g.failedOr) - r.Notes["missed"]
				retries := r.edge("orders>inventory").policy.Retries
				if retries > 0 {
					return verdict(false, "orders→inventory still retries %d times", retries)
				}
				share := missed / max(n, 1)
				return verdict(n >= 50 && share >= 0.08, "%.1f%% of %.0f orders since 34 s not placed", 100*share, n)
			}},
		},
	}
}
