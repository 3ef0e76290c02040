package simulator

import (
	"fmt"
	"time"
)

// Results of an attempt or a call.
const (
	resOK         uint8 = iota // 2xx
	resBusiness                // 409: a business rule said no (out of stock, declined)
	resError                   // 500 from the service
	resOverload                // 503: the instance's queue was full
	resTimeout                 // 504: the caller stopped waiting
	resNoInstance              // 503: the caller knows no instance
	resRefused                 // connection refused: the instance was stopped
	resBreaker                 // 503: the breaker rejected the call, no fallback
	resBulkhead                // 503: the bulkhead rejected the call
	resFallback                // 200 degraded: the breaker rejected, the fallback answered
	numResults
)

var resultNames = [numResults]string{
	"ok", "rejected-by-rule", "error", "overloaded", "timeout", "no-instance", "refused",
	"breaker-open", "bulkhead-full", "fallback",
}

// failed reports whether a result counts as a failure for breakers, retries and error
// rates. Business-rule answers and fallbacks are answers, not failures.
func failed(r uint8) bool {
	return r == resError || r == resOverload || r == resTimeout || r == resNoInstance || r == resRefused
}

// Owners of a call: who is waiting for its result.
const (
	ownerRequest uint8 = iota
	ownerSaga
	ownerNone // nobody waits: calls started directly by tests
)

// Bulkhead holding of a call.
const (
	bhNone uint8 = iota
	bhHeld
	bhQueued
)

// call is one logical call on an edge: one or more attempts under the edge's policy.
type call struct {
	tgen     uint32 // timer generation: bumped whenever pending timers become stale
	edge     int8
	op       uint8
	owner    uint8
	bh       uint8
	attempts uint8
	retrying bool
	brTok    uint32
	brHeld   bool
	parent   int32
	pgen     uint32
	inst     int32
	start    time.Duration
	attStart time.Duration
	tr       traceRef // the call's span
	atr      traceRef // the current attempt's span
}

// edge is a caller→callee edge with its policy, breaker, bulkhead and figures.
type edge struct {
	id            int
	def           edgeDef
	policy        CallPolicy
	breaker       Breaker
	bulkhead      Bulkhead
	active        int // calls in progress
	activeRetries int // calls waiting for or making a retry
	out           [MaxInstances]int32
	rr            uint32
	attemptsStat  rolling
	callsRoll     counter // logical calls started, for retry amplification

	calls, retries, sidecarRetries, budgetDenied uint64
	rejectedBreaker, fallbacks, timeouts         uint64
}

func (e *edge) init(id int, p CallPolicy) {
	e.id, e.def, e.policy = id, edgeDefs[id], p
	e.breaker.Configure(p.Breaker)
	e.bulkhead.Configure(p.Bulkhead)
}

// startCall begins a call on edge for its owner.
func (s *Sim) startCall(ed int, op uint8, owner uint8, parent int32, pgen uint32, ptr traceRef) {
	ci := s.calls.get()
	c := s.calls.at(ci)
	*c = call{tgen: c.tgen + 1, edge: int8(ed), op: op, owner: owner, parent: parent, pgen: pgen, inst: -1, start: s.now}
	e := &s.edges[ed]
	e.active++
	e.calls++
	e.callsRoll.add(s.now, false)
	c.tr = s.spanStart(ptr, e.def.name, opNames[op])
	s.tryAttempt(ci)
}

// tryAttempt passes the breaker and the bulkhead, then dispatches.
func (s *Sim) tryAttempt(ci int32) {
	c := s.calls.at(ci)
	e := &s.edges[c.edge]
	tok, ok, changed := e.breaker.Allow(s.now)
	if changed {
		s.breakerChanged(e)
	}
	if !ok {
		e.rejectedBreaker++
		if e.policy.Fallback {
			e.fallbacks++
			s.finishCall(ci, resFallback)
		} else {
			s.finishCall(ci, resBreaker)
		}
		return
	}
	c.brTok, c.brHeld = tok, true
	switch e.bulkhead.Acquire(ci) {
	case Admitted:
		if e.bulkhead.cfg.Enabled {
			c.bh = bhHeld
		}
		s.dispatch(ci)
	case Queued:
		c.bh = bhQueued
		s.schedule(s.now+e.bulkhead.cfg.MaxWait, evBulkheadExpire, ci, 0, c.tgen)
	case Rejected:
		e.breaker.Release(tok)
		c.brHeld = false
		s.bulkheadRejected(e)
		s.finishCall(ci, resBulkhead)
	}
}

func (s *Sim) onBulkheadExpire(ci int32, gen uint32) {
	c := s.calls.at(ci)
	if c.tgen != gen || c.bh != bhQueued {
		return
	}
	e := &s.edges[c.edge]
	if !e.bulkhead.Expire(ci) {
		return
	}
	c.bh = bhNone
	e.breaker.Release(c.brTok)
	c.brHeld = false
	s.bulkheadRejected(e)
	s.finishCall(ci, resBulkhead)
}

// dispatch picks an instance and sends the attempt.
func (s *Sim) dispatch(ci int32) {
	c := s.calls.at(ci)
	e := &s.edges[c.edge]
	c.tgen++ // a bulkhead wait timer, if any, is over
	c.attempts++
	c.attStart = s.now
	i := s.pick(e)
	c.inst = int32(i)
	if i < 0 {
		c.atr = s.spanStart(c.tr, "no instance known", "")
		s.attemptDone(ci, resNoInstance)
		return
	}
	in := &s.instances[i]
	e.out[in.ord-1]++
	in.routed++
	in.lastRouted = s.now
	c.atr = s.spanStart(c.tr, in.name, s.attemptLabel(c))
	if t := e.policy.Timeout; t > 0 {
		s.schedule(s.now+t, evAttemptTimeout, ci, 0, c.tgen)
	}
	from := callerNodes[e.def.caller]
	switch {
	case in.state == instDead || s.cut(from, serviceNode(in.svc)) || s.cut(from, instNode(i)):
		// Lost: nobody answers; only the timeout ends the wait.
	case in.state != instAlive:
		s.attemptDone(ci, resRefused)
	default:
		j := s.jobs.get()
		jb := s.jobs.at(j)
		*jb = job{call: ci, ctgen: c.tgen, op: c.op, tr: c.atr}
		if !s.enqueue(i, j, s.hopOverhead(e)) {
			s.jobs.put(j)
			s.nodeStats[serviceNode(in.svc)].record(s.now, 0, true)
			in.served.add(s.now, true)
			s.attemptDone(ci, resOverload)
		}
	}
}

// pick chooses an instance from the caller's cached list by the edge's policy.
func (s *Sim) pick(e *edge) int {
	d := &s.disc[e.def.caller]
	svc := e.def.to
	n := d.n[svc]
	if n == 0 {
		return -1
	}
	switch e.policy.LB {
	case Random:
		return int(d.list[svc][s.rng.IntN(n)])
	case LeastOutstanding:
		start := int(e.rr % uint32(n))
		e.rr++
		best := -1
		var bestOut int32
		for k := 0; k < n; k++ {
			i := int(d.list[svc][(start+k)%n])
			o := e.out[s.instances[i].ord-1]
			if best < 0 || o < bestOut {
				best, bestOut = i, o
			}
		}
		return best
	default:
		i := int(d.list[svc][e.rr%uint32(n)])
		e.rr++
		return i
	}
}

func (s *Sim) onAttemptTimeout(ci int32, gen uint32) {
	c := s.calls.at(ci)
	if c.tgen != gen {
		return
	}
	s.edges[c.edge].timeouts++
	s.attemptDone(ci, resTimeout)
}

// attemptDone ends the current attempt: it records it, frees its slot and either
// retries or finishes the call.
func (s *Sim) attemptDone(ci int32, res uint8) {
	c := s.calls.at(ci)
	e := &s.edges[c.edge]
	c.tgen++
	dur := s.now - c.attStart
	if c.inst >= 0 {
		e.out[s.instances[c.inst].ord-1]--
	}
	fail := failed(res)
	e.attemptsStat.record(s.now, dur, fail)
	s.spanEnd(c.atr, res)
	if c.brHeld {
		c.brHeld = false
		if e.breaker.Record(s.now, c.brTok, fail, dur) {
			s.breakerChanged(e)
		}
	}
	next, handOver := int32(0), false
	if c.bh == bhHeld {
		c.bh = bhNone
		next, handOver = e.bulkhead.Release()
	}
	if fail && int(c.attempts) <= e.policy.Retries {
		if e.policy.Budget.Enabled && !c.retrying {
			limit := int(e.policy.Budget.Percent * float64(e.active))
			if limit < e.policy.Budget.MinConcurrency {
				limit = e.policy.Budget.MinConcurrency
			}
			if e.activeRetries >= limit {
				e.budgetDenied++
				s.finishCall(ci, res)
				s.handOver(e, next, handOver)
				return
			}
		}
		if !c.retrying {
			c.retrying = true
			e.activeRetries++
		}
		e.retries++
		if s.sidecarOwnsRetries(e) {
			e.sidecarRetries++
		}
		s.schedule(s.now+s.backoff(e, int(c.attempts)), evRetry, ci, 0, c.tgen)
	} else {
		s.finishCall(ci, res)
	}
	s.handOver(e, next, handOver)
}

// handOver gives a released bulkhead slot to the call that waited for it.
func (s *Sim) handOver(e *edge, next int32, ok bool) {
	if !ok {
		return
	}
	c := s.calls.at(next)
	c.bh = bhHeld
	s.dispatch(next)
}

// backoff is exponential with full jitter: uniform in [0, min(max, base·2^(n-1))).
func (s *Sim) backoff(e *edge, n int) time.Duration {
	d := e.policy.BackoffBase << (n - 1)
	if d > e.policy.BackoffMax || d <= 0 {
		d = e.policy.BackoffMax
	}
	return time.Duration(s.rng.Int64N(int64(d))) + 1
}

func (s *Sim) onRetry(ci int32, gen uint32) {
	if c := s.calls.at(ci); c.tgen == gen {
		s.tryAttempt(ci)
	}
}

// finishCall ends the call and tells its owner.
func (s *Sim) finishCall(ci int32, res uint8) {
	c := s.calls.at(ci)
	e := &s.edges[c.edge]
	e.active--
	if c.retrying {
		e.activeRetries--
	}
	s.spanEnd(c.tr, res)
	owner, parent, pgen := c.owner, c.parent, c.pgen
	c.tgen++
	s.calls.put(ci)
	switch owner {
	case ownerRequest:
		s.onRequestCallDone(parent, pgen, res)
	case ownerSaga:
		s.onSagaCallDone(parent, pgen, res)
	}
}

func (s *Sim) attemptLabel(c *call) string {
	if c.attempts > 1 {
		if s.sidecarOwnsRetries(&s.edges[c.edge]) {
			return "retry by sidecar"
		}
		return "retry"
	}
	return "attempt"
}

func (s *Sim) breakerChanged(e *edge) {
	st := e.breaker.State()
	switch st {
	case Open:
		s.logf("breaker", e.def.name, "breaker %s → OPEN (window %d calls, failure rate %.0f%%, slow rate %.0f%%)",
			e.def.name, e.breaker.lastN, 100*e.breakerLastRate(false), 100*e.breakerLastRate(true))
	default:
		s.logf("breaker", e.def.name, "breaker %s → %s", e.def.name, st)
	}
}

// breakerLastRate is the rate that decided the last transition; the window is cleared
// by the transition, so it is kept here.
func (e *edge) breakerLastRate(slow bool) float64 {
	if slow {
		return e.breaker.lastSlow
	}
	return e.breaker.lastFail
}

func (s *Sim) bulkheadRejected(e *edge) {
	sec := int64(s.now / time.Second)
	if e.bulkhead.lastLogSec != sec+1 {
		e.bulkhead.lastLogSec = sec + 1
		s.logf("bulkhead", e.def.name, "bulkhead %s full: rejecting calls (%d in use, %d waiting)",
			e.def.name, e.bulkhead.InUse(), e.bulkhead.QueueLen())
	}
}

// The call-policy commands: retries, timeout and load balancing of one edge.

func (s *Sim) planRetries(a *args, e *edge) (func(), string, error) {
	p := e.policy
	a.count(&p.Retries, "retries", a.Retries)
	a.ms(&p.BackoffBase, "backoff_ms", a.BackoffMS)
	if a.ms(&p.BackoffMax, "backoff_max_ms", a.BackoffMaxMS); a.err != nil {
		return nil, "", a.err
	}
	if p.BackoffMax < p.BackoffBase {
		return nil, "", fmt.Errorf("backoff_max_ms %v is below backoff_ms %v", p.BackoffMax, p.BackoffBase)
	}
	setIfGiven(&p.Budget.Enabled, a.Budget)
	a.rate(&p.Budget.Percent, "budget_percent", a.BudgetPercent)
	return a.done(func() { e.policy = p }, fmt.Sprintf("retries %s: %d, back-off %v..%v, budget=%v (%g%%)",
		a.Edge, p.Retries, p.BackoffBase, p.BackoffMax, p.Budget.Enabled, 100*p.Budget.Percent))
}

// describeRetries keeps the lab page's old wording, "retries on e: " when it sets
// neither count nor budget.
func describeRetries(c *Command) string {
	return describeParts("retries on "+edgeText(c.Edge), "", countText(c.Retries, "retries"), onOff(c.Budget, "budget"))
}

func (s *Sim) planTimeout(a *args, e *edge) (func(), string, error) {
	p := e.policy
	a.ms(&p.Timeout, "ms", a.MS)
	return a.done(func() { e.policy = p }, fmt.Sprintf("timeout %s: %v (0 = none)", a.Edge, p.Timeout))
}

func describeTimeout(c *Command) string {
	if c.MS != nil && *c.MS == 0 {
		return "no timeout on " + edgeText(c.Edge)
	}
	return "timeout " + msText(c.MS) + " on " + edgeText(c.Edge)
}

func (s *Sim) planLB(a *args, e *edge) (func(), string, error) {
	lb := LB(a.Mode)
	if lb != RoundRobin && lb != LeastOutstanding && lb != Random {
		return nil, "", fmt.Errorf("mode %q is not round-robin, least-outstanding or random", a.Mode)
	}
	p := e.policy
	p.LB = lb
	return func() { e.policy = p }, fmt.Sprintf("load balancing %s: %s", a.Edge, lb), nil
}

func describeLB(c *Command) string { return c.Mode + " load balancing on " + edgeText(c.Edge) }
