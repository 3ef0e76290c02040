package simulator

import "time"

// The resilience labs: a breaker, a bulkhead, the cascade that neither
// stops, and a retry storm. Scenarios (scenarios.go) lists them with the
// others.

func paymentOutage() Scenario {
	return Scenario{
		Slug: "payment-outage", Title: "Payment goes slow behind a breaker", Pattern: "circuit-breaker",
		Setup: "At 10 s every charge starts taking 2 s, the saga’s step timeout, and at 30 s payment recovers. A circuit breaker guards orders→payment, with a fallback for the calls it refuses.",
		Narrative: "At 10 s every charge starts taking 2 s, exactly the saga's step timeout. The breaker on orders→payment counts the timeouts " +
			"and opens; from then on a charge fails in microseconds through the fallback, the order is compensated, and orders stops piling up " +
			"work. Every 5 s it lets three probes through; once payment recovers at 30 s the probes succeed and it closes.",
		Question: Question{
			Prompt: "Ten seconds into the outage, with the breaker open, a customer places an order. What happens?",
			Options: []Option{
				{"It waits 2 s for the charge and then fails", false, "That is what happens before the breaker opens; an open breaker does not call payment at all."},
				{"It fails fast with \"payment unavailable\" and its stock reservation is released", true, "The fallback answers at once and the saga compensates the reservation."},
				{"It succeeds and is charged later automatically", false, "That would be a different design (queue the charge); this fallback fails fast."},
				{"It hangs until payment recovers", false, "Timeouts and the breaker both exist to stop exactly that."},
			},
		},
		Duration: 60 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Orders are placed and charged, and the breaker on orders→payment is closed. Note the level of the latency chart before anything changes."},
			{At: sec(10), Title: "Payment slows", Say: "Every charge now takes 2 s. Watch the breaker's badge on orders→payment, the latency chart and the event log."},
			{At: sec(30), Title: "Payment recovers", Say: "Payment answers quickly again. Answer the question, then watch the breaker's badge.",
				Question: &Question{
					Prompt: "Payment answers in milliseconds again from now on. The breaker is open: after opening it waits 5 s, then lets three trial calls through. When does it close?",
					Options: []Option{
						{"At once: it sees that payment is healthy", false, "An open breaker sends payment nothing, so it has nothing to see until it probes."},
						{"Within about 5 s: at its next probe, once the three trial calls succeed", true, "It goes HALF_OPEN when its wait is over, and three successful trial calls close it."},
						{"Only when an operator closes it", false, "Half-open probing exists so that a breaker recovers by itself."},
						{"After 20 healthy calls have filled its window again", false, "The 20-call window is how a closed breaker judges; while half-open, the three trial calls decide."},
					},
				}},
			{At: sec(42), Title: "Now you try", Try: pI(4), Say: "Payment now takes about 0.6 s a charge: slow, but under the breaker's 1 s slow-call threshold, so every order waits. In the breaker knobs on orders→payment, set \"Slow call over\" to 500 ms and watch the badge."},
		},
		Timeline: []Step{
			at(10, Command{Type: "latency", Service: "payment", MS: pMS(2000), JitterMS: pMS(100)}),
			at(30, Command{Type: "latency", Service: "payment", MS: pMS(0)}),
			at(42, Command{Type: "latency", Service: "payment", MS: pMS(600), JitterMS: pMS(50)}),
		},
		Checks: []Check{
			{Name: "the breaker on orders→payment opens within 5 s of payment's latency reaching 2 s", Eval: func(r *Run) (bool, string) {
				t := r.firstEvent("breaker", "orders>payment", "→ OPEN", sec(10))
				return verdict(t >= 0 && t <= sec(15), "opened at %v", t)
			}},
			{Name: "while open, rejected charges are answered by the fallback", Eval: func(r *Run) (bool, string) {
				n := r.edge("orders>payment").fallbacks
				return verdict(n > 20, "%d fallback answers", n)
			}},
			{Name: "it goes HALF_OPEN to probe payment", Eval: func(r *Run) (bool, string) {
				t := r.firstEvent("breaker", "orders>payment", "→ HALF_OPEN", sec(10))
				return verdict(t > 0, "first HALF_OPEN at %v", t)
			}},
			{Name: "it closes within 10 s of payment's recovery and is still closed at 41 s", At: sec(41), Eval: func(r *Run) (bool, string) {
				t := r.firstEvent("breaker", "orders>payment", "→ CLOSED", sec(30))
				st := r.edge("orders>payment").breaker.State()
				return verdict(t > 0 && t <= sec(40) && st == Closed, "closed at %v; state at 41 s %s", t, st)
			}},
			{Name: "with a 500 ms slow-call threshold, the breaker opens on 0.6 s charges", Yours: true, Eval: func(r *Run) (bool, string) {
				slow := r.edge("orders>payment").breaker.cfg.SlowCall
				e, ok := r.command("breaker", "", sec(42))
				if !ok || slow > 550*time.Millisecond {
					return verdict(false, "the slow-call threshold on orders→payment is %v; set it to 500 ms after 42 s", slow)
				}
				t := r.firstEvent("breaker", "orders>payment", "→ OPEN", e.at())
				return verdict(t >= 0, "threshold set to %v at %v; opened at %v", slow, e.at(), t)
			}},
		},
	}
}

func bulkheadIsolation() Scenario {
	return Scenario{
		Slug: "bulkhead-isolation", Title: "Inventory slows behind a bulkhead", Pattern: "bulkhead",
		Setup: "At 10 s inventory starts taking 3 s a request. The gateway has 256 request slots; its inventory route has a 10 s timeout, no breaker, and a bulkhead of 10 calls with 10 waiting for up to 100 ms.",
		Narrative: "Inventory slows to 3 s per request at 10 s, and the gateway's inventory route has a generous 10 s timeout and no breaker. " +
			"Without a bulkhead, stock checks would soak up the gateway's 256 request slots. With one (10 calls, 10 waiting, 100 ms wait), " +
			"at most 20 slots are ever tied up in inventory, the rest are rejected at once, and browsing the catalog stays fast.",
		Question: Question{
			Prompt: "Inventory now takes 3 s. The gateway has 256 slots; its inventory route has a bulkhead of 10 + 10 waiting. What happens to \"browse catalog\", which never calls inventory?",
			Options: []Option{
				{"It fails too: the gateway is full of inventory calls", false, "That is the unprotected case (see the cascading-failure lab)."},
				{"It stays fast: inventory can hold at most 20 gateway slots", true, "The bulkhead caps what one slow dependency can consume; excess stock checks fail fast."},
				{"It slows to 3 s", false, "Browse requests do not wait on inventory at all."},
				{"The bulkhead rejects it", false, "The bulkhead only guards calls to inventory."},
			},
		},
		Duration: 50 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "The gateway's inventory route has a bulkhead: 10 calls at a time, 10 more waiting. Open the Bulkheads tab and note how few of its places are in use."},
			{At: sec(10), Title: "Inventory slows", Say: "Every stock check now takes 3 s. Watch the Bulkheads tab, the gateway's slots in use and browse's latency."},
			{At: sec(25), Title: "Now you try", Try: pI(3), Say: "In the bulkhead knobs on gateway→inventory, allow 100 concurrent calls and 100 waiting, then watch how many of the gateway's slots inventory holds."},
		},
		Timeline: []Step{
			at(0, Command{Type: "breaker", Edge: "gateway>inventory", Enabled: pB(false)}),
			at(0, Command{Type: "timeout", Edge: "gateway>inventory", MS: pMS(10000)}),
			at(0, Command{Type: "retries", Edge: "gateway>inventory", Retries: pI(0)}),
			at(10, Command{Type: "latency", Service: "inventory", MS: pMS(3000)}),
		},
		Checks: []Check{
			{Name: "the bulkhead on gateway→inventory rejects the excess at once", Eval: func(r *Run) (bool, string) {
				b := &r.edge("gateway>inventory").bulkhead
				return verdict(b.RejectedTotal > 100, "%d rejected, %d in use, %d waiting", b.RejectedTotal, b.InUse(), b.QueueLen())
			}},
			{Name: "inventory never holds more than 20 of the gateway's slots", At: sec(24), Eval: func(r *Run) (bool, string) {
				e := r.edge("gateway>inventory")
				return verdict(e.active <= 20, "%d calls in progress on gateway→inventory", e.active)
			}},
			{Name: "browse catalog stays healthy (under 1% errors, p99 under 100 ms) during the slowdown", At: sec(24), Eval: func(r *Run) (bool, string) {
				st := r.kindStats(kindBrowse)
				return verdict(st.ErrorRate < 0.01 && st.P99 < 100, "browse: %.2f%% errors, p99 %.1f ms", 100*st.ErrorRate, st.P99)
			}},
			{Name: "with a wide bulkhead, slow inventory holds many more of the gateway's slots", Yours: true, Eval: func(r *Run) (bool, string) {
				e := r.edge("gateway>inventory")
				cap := e.policy.Bulkhead.MaxConcurrent
				return verdict(cap >= 50 && e.active > 40, "%d calls in progress on gateway→inventory; its bulkhead allows %d", e.active, cap)
			}},
		},
	}
}

func cascadingFailure() Scenario {
	return Scenario{
		Slug: "cascading-failure", Title: "Inventory slows, and nothing is protected", Pattern: "circuit-breaker",
		Setup: "Every protection is off: no breakers, no bulkheads, no timeouts on calls to inventory or orders. At 10 s inventory slows to 5 s a request.",
		Narrative: "Every protection is off: no breakers, no bulkheads, no timeouts on calls to inventory or orders. At 10 s inventory slows to 5 s " +
			"a request. Callers wait, their workers and the gateway's request slots fill with waiting work, and soon requests that never touch " +
			"inventory — browsing the catalog — fail too, because there is nothing left to serve them with.",
		Question: Question{
			Prompt: "Inventory slows to 5 s and nothing has a timeout, breaker or bulkhead. Which requests fail first?",
			Options: []Option{
				{"Only \"view item\", which calls inventory", false, "Without a bulkhead the waiting calls use shared resources other requests need."},
				{"Browse catalog too, once the gateway's 256 slots hold requests waiting on inventory", true, "Waiting work piles up until the shared slot pool is exhausted."},
				{"Nothing fails; everything is just slower", false, "Bounded pools and queues turn slowness into rejection once they fill."},
				{"Only orders", false, "Orders does suffer, but so does everything sharing the gateway."},
			},
		},
		Duration: 70 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Every protection is off, and nothing is slow yet. Note browse's error rate and how many of the gateway's slots are in use."},
			{At: sec(10), Title: "Inventory slows to 5 s", Say: "Watch the gateway's slots in use, orders' busy workers and browse's error rate."},
			{At: sec(42), Title: "Now you try", Try: pI(3), Say: "Give orders→inventory a 1 s timeout (its timeout knob), then watch browse's error rate over the next 15 s."},
		},
		Timeline: []Step{
			at(0, Command{Type: "breaker", Edge: "gateway>catalog", Enabled: pB(false)}),
			at(0, Command{Type: "breaker", Edge: "gateway>inventory", Enabled: pB(false)}),
			at(0, Command{Type: "breaker", Edge: "gateway>orders", Enabled: pB(false)}),
			at(0, Command{Type: "breaker", Edge: "orders>inventory", Enabled: pB(false)}),
			at(0, Command{Type: "bulkhead", Edge: "gateway>inventory", Enabled: pB(false)}),
			at(0, Command{Type: "bulkhead", Edge: "gateway>orders", Enabled: pB(false)}),
			at(0, Command{Type: "bulkhead", Edge: "orders>inventory", Enabled: pB(false)}),
			at(0, Command{Type: "timeout", Edge: "gateway>inventory", MS: pMS(0)}),
			at(0, Command{Type: "timeout", Edge: "gateway>orders", MS: pMS(0)}),
			at(0, Command{Type: "timeout", Edge: "orders>inventory", MS: pMS(0)}),
			at(10, Command{Type: "latency", Service: "inventory", MS: pMS(5000)}),
		},
		Checks: []Check{
			{Name: "the gateway's request slots fill up (256 in flight)", At: sec(40), Eval: func(r *Run) (bool, string) {
				return verdict(r.Sim.gw.inflight >= r.Sim.gw.maxInfl, "%d of %d slots in use", r.Sim.gw.inflight, r.Sim.gw.maxInfl)
			}},
			{Name: "orders' workers are all stuck waiting on inventory", At: sec(40), Eval: func(r *Run) (bool, string) {
				busy := 0
				for o := 0; o < r.Sim.services[svcOrders].count; o++ {
					busy += r.Sim.instances[svcOrders*MaxInstances+o].busy
				}
				want := r.Sim.services[svcOrders].count * r.Sim.services[svcOrders].cfg.Concurrency
				return verdict(busy == want, "%d of %d orders workers busy", busy, want)
			}},
			{Name: "browse catalog, which never calls inventory, fails for most requests", At: sec(40), Eval: func(r *Run) (bool, string) {
				st := r.kindStats(kindBrowse)
				return verdict(st.ErrorRate > 0.5, "browse: %.0f%% errors over the last 10 s", 100*st.ErrorRate)
			}},
			{Name: "with a timeout on orders→inventory, browse recovers", Yours: true, Eval: func(r *Run) (bool, string) {
				to := r.edge("orders>inventory").policy.Timeout
				st := r.kindStats(kindBrowse)
				return verdict(to > 0 && to <= 2*time.Second && st.ErrorRate < 0.1, "timeout on orders→inventory %v; browse: %.0f%% errors over the last 10 s",
					to, 100*st.ErrorRate)
			}},
		},
	}
}

func retryStorm() Scenario {
	return Scenario{
		Slug: "retry-storm", Title: "Catalog slows under unbudgeted retries", Pattern: "api-gateway",
		Setup: "The cache is off, and at 10 s catalog slows so that many calls miss the gateway’s 1 s timeout. The gateway retries each failure up to three times with no budget; at 30 s a 20% retry budget is switched on.",
		Narrative: "The cache is off and catalog slows at 10 s so that many calls miss the gateway's 1 s timeout. The gateway retries each failure " +
			"up to three times with no budget, and timed-out attempts keep running on catalog while their retries queue behind them: catalog sees " +
			"several times the real demand and never recovers. At 30 s a 20% retry budget is switched on and the multiplication stops.",
		Question: Question{
			Prompt: "Catalog slows so many calls exceed the 1 s timeout; the gateway retries up to 3 times, no budget. What load does catalog see?",
			Options: []Option{
				{"The same: each retry replaces a timed-out call", false, "A timed-out attempt is not cancelled on catalog; it keeps its worker until done."},
				{"Up to 4 times the demand: timed-out attempts keep running while their retries pile on", true, "Retries add work exactly when the service has the least capacity to spare."},
				{"Less: clients give up", false, "The load is open-loop: users keep arriving at the same rate."},
				{"The breaker stops it", false, "Breakers are off in this lab; a budget or a breaker is what stops the storm."},
			},
		},
		Duration: 60 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "The cache is off, so every browse reaches catalog. Watch the attempts on gateway→catalog against its calls."},
			{At: sec(10), Title: "Catalog slows", Say: "Many calls now take longer than the gateway's 1 s timeout. Watch the attempts per call and catalog's load."},
			{At: sec(30), Title: "A retry budget", Say: "Retries may now be at most 20% of the calls in flight. Watch the attempts per call."},
			{At: sec(40), Title: "Now you try", Try: pI(2), Say: "Switch the circuit breaker on gateway→catalog on (its breaker knobs), and watch how many attempts reach catalog."},
		},
		Timeline: []Step{
			at(0, Command{Type: "cache", Enabled: pB(false)}),
			at(0, Command{Type: "breaker", Edge: "gateway>catalog", Enabled: pB(false)}),
			at(0, Command{Type: "bulkhead", Edge: "gateway>catalog", Enabled: pB(false)}),
			at(0, Command{Type: "retries", Edge: "gateway>catalog", Retries: pI(3), Budget: pB(false)}),
			at(10, Command{Type: "latency", Service: "catalog", MS: pMS(700), JitterMS: pMS(600)}),
			at(30, Command{Type: "retries", Edge: "gateway>catalog", Budget: pB(true)}),
		},
		Checks: []Check{
			{Name: "without a budget, catalog gets at least twice as many attempts as there are calls", At: sec(28), Eval: func(r *Run) (bool, string) {
				e := r.edge("gateway>catalog")
				att, _ := e.attemptsStat.windowCount(r.Sim.now)
				calls, _ := e.callsRoll.rate(r.Sim.now)
				ratio := float64(att) / 10 / calls
				return verdict(ratio >= 2, "%.2f attempts per call over the last 10 s", ratio)
			}},
			{Name: "with a 20% budget, attempts per call fall below 1.5", At: sec(39), Eval: func(r *Run) (bool, string) {
				e := r.edge("gateway>catalog")
				att, _ := e.attemptsStat.windowCount(r.Sim.now)
				calls, _ := e.callsRoll.rate(r.Sim.now)
				ratio := float64(att) / 10 / calls
				return verdict(ratio < 1.5 && e.budgetDenied > 0, "%.2f attempts per call; %d retries refused by the budget", ratio, e.budgetDenied)
			}},
			{Name: "an open breaker spares catalog almost every attempt", Yours: true, Eval: func(r *Run) (bool, string) {
				e := r.edge("gateway>catalog")
				if !e.breaker.cfg.Enabled {
					return verdict(false, "the breaker on gateway→catalog is off")
				}
				att, _ := e.attemptsStat.windowCount(r.Sim.now)
				calls, _ := e.callsRoll.rate(r.Sim.now)
				ratio := float64(att) / 10 / max(calls, 1)
				return verdict(ratio < 0.5, "%.2f attempts per call over the last 10 s; breaker %s", ratio, e.breaker.State())
			}},
		},
	}
}
