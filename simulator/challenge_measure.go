package simulator

import (
	"strings"
	"time"
)

// Measures for objectives. Each reads only what happened in [from, to]:
// the per-second slots of a rolling window (so to-from is at most 10 s,
// and the check is decided at to), the events of the run, or a count that
// cannot grow before from.

// slotsIn merges the one-second slots of r for the seconds in [from, to).
func slotsIn(r *rolling, from, to time.Duration) (n, errs uint64, h [histBuckets]uint32) {
	for sec := int64(from / rollSlot); sec < int64(to/rollSlot); sec++ {
		sl := &r.slots[sec%rollSlots]
		if sl.sec != sec {
			continue
		}
		n += uint64(sl.count)
		errs += uint64(sl.errs)
		for b, c := range sl.hist {
			h[b] += c
		}
	}
	return n, errs, h
}

// countIn is slotsIn for a counter.
func countIn(c *counter, from, to time.Duration) (n uint64) {
	for sec := int64(from / rollSlot); sec < int64(to/rollSlot); sec++ {
		if i := sec % rollSlots; c.sec[i] == sec {
			n += uint64(c.count[i])
		}
	}
	return n
}

// p99Of measures the 99th percentile latency, in ms, of the gateway's
// requests of the given kinds (all of them when none is given).
func p99Of(kinds ...int) func(r *Run, from, to time.Duration) float64 {
	return func(r *Run, from, to time.Duration) float64 {
		var all [histBuckets]uint32
		var n uint64
		add := func(ro *rolling) {
			k, _, h := slotsIn(ro, from, to)
			n += k
			for b, c := range h {
				all[b] += c
			}
		}
		if len(kinds) == 0 {
			add(&r.Sim.nodeStats[nodeGateway])
		}
		for _, k := range kinds {
			add(&r.Sim.gw.byKind[k])
		}
		if n == 0 {
			return 0
		}
		return ms(percentile(&all, n, 0.99))
	}
}

// successOf measures the share, in %, of the gateway's requests of the
// given kinds that did not end in a 5xx (a 409 or 429 is an answer).
func successOf(kinds ...int) func(r *Run, from, to time.Duration) float64 {
	return func(r *Run, from, to time.Duration) float64 {
		var n, e uint64
		for _, k := range kinds {
			a, b, _ := slotsIn(&r.Sim.gw.byKind[k], from, to)
			n, e = n+a, e+b
		}
		if n == 0 {
			return 0
		}
		return 100 * float64(n-e) / float64(n)
	}
}

// ordersPlaced measures the share, in %, of the order requests answered in
// the window that placed their order, counting an order a business rule
// refused (out of stock, card declined) as placed: the shop said no, not a
// fault. An order is not placed when it ends in a 5xx or its saga is
// compensated for a failure (each compensation is an event).
func ordersPlaced(r *Run, from, to time.Duration) float64 {
	n, e, _ := slotsIn(&r.Sim.gw.byKind[kindOrder], from, to)
	if n == 0 {
		return 0
	}
	// The slots hold whole seconds: count the compensations in the same ones.
	lo, hi := from.Truncate(rollSlot), to.Truncate(rollSlot)
	var comp uint64
	for _, ev := range r.Events {
		if at := ev.at(); ev.Kind == "compensate" && at >= lo && at < hi && !strings.Contains(ev.Message, entryStateNames[entryRule]) {
			comp++
		}
	}
	return 100 * (1 - float64(min(n, e+comp))/float64(n))
}

// errorShare measures the share, in %, of all the gateway's requests that
// ended in a 5xx.
func errorShare(r *Run, from, to time.Duration) float64 {
	n, e, _ := slotsIn(&r.Sim.nodeStats[nodeGateway], from, to)
	if n == 0 {
		return 0
	}
	return 100 * float64(e) / float64(n)
}

// attemptsPerCall measures the attempts made per call started on an edge.
func attemptsPerCall(edge string) func(r *Run, from, to time.Duration) float64 {
	return func(r *Run, from, to time.Duration) float64 {
		e := r.edge(edge)
		att, _, _ := slotsIn(&e.attemptsStat, from, to)
		calls := countIn(&e.callsRoll, from, to)
		if calls == 0 {
			return 0
		}
		return float64(att) / float64(calls)
	}
}

// eventsIn counts the run's events of kind in [from, to] whose subject is
// not except.
func eventsIn(kind, except string) func(r *Run, from, to time.Duration) float64 {
	return func(r *Run, from, to time.Duration) float64 {
		n := 0
		for _, e := range r.Events {
			if at := e.at(); e.Kind == kind && e.Subject != except && at >= from && at <= to {
				n++
			}
		}
		return float64(n)
	}
}

// gatewaySecond is the gateway over the second that ends at t.
func (s *Sim) gatewaySecond(t time.Duration) Sample {
	n, errs, h := slotsIn(&s.nodeStats[nodeGateway], t-rollSlot, t)
	smp := Sample{At: t.Seconds(), Requests: n}
	if n > 0 {
		smp.ErrorPct = 100 * float64(errs) / float64(n)
		smp.P99MS = ms(percentile(&h, n, 0.99))
	}
	return smp
}
