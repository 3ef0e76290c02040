package simulator

import (
	"fmt"
	"time"
)

// Saga steps: four forward steps, then the compensations of the first three.
//
// The steps follow Chris Richardson's three kinds. Create order and reserve
// inventory are compensatable. Charge payment is the pivot: once it commits,
// the saga only goes forward. Schedule shipping, after the pivot, is
// retriable: when it fails or times out it is tried again, under the same
// idempotency key, until it succeeds, and never compensated, so it has no
// compensation.
const (
	stepCreate = iota
	stepReserve
	stepCharge
	stepShip
	compRefund
	compRelease
	compCancelOrder
	numSteps
)

// stepPivot is the point of no return: a failure after it is retried, never
// compensated.
const stepPivot = stepCharge

var stepNames = [numSteps]string{
	"create order", "reserve inventory", "charge payment", "schedule shipping",
	"refund payment", "release inventory", "cancel order",
}

// compensationOf maps a compensatable step (or the pivot) to its compensation.
var compensationOf = [stepPivot + 1]uint8{compCancelOrder, compRelease, compRefund}

// stepEdge and stepOp say where a step runs (the create and cancel of the order are
// local to orders).
var stepEdge = [numSteps]int{-1, edgeOrdersInventory, edgeOrdersPayment, edgeOrdersShipping, edgeOrdersPayment, edgeOrdersInventory, -1}
var stepOp = [numSteps]uint8{opPlace, opReserve, opCharge, opShip, opRefund, opRelease, opPlace}

// Saga states.
const (
	sagaRunning uint8 = iota
	sagaCompensating
	sagaCompleted
	sagaCompensated
	sagaStuck
	numSagaStates
)

var sagaStateNames = [numSagaStates]string{"running", "compensating", "completed", "compensated", "stuck"}

// Step entry states on a timeline.
const (
	entryRunning uint8 = iota
	entryDone
	entryFailed    // the step failed with an error or was rejected: nothing to undo
	entryTimedOut  // no answer: the step may have happened, so it is compensated too
	entryRule      // a business rule said no
	entryRetrying  // a compensation, or a step after the pivot, failed and waits to be tried again
	entryGaveUp    // a compensation ran out of attempts
	numEntryStates //
)

var entryStateNames = [numEntryStates]string{"running", "done", "failed", "timed-out", "rejected-by-rule", "retrying", "gave-up"}

// maxTimeline bounds a timeline: at most the three steps up to the pivot and
// their three compensations, or the four forward steps.
const maxTimeline = numSteps

// maxAttempts is where an entry's attempt count stops: a step after the pivot is
// retried without limit, at most every CompBackoffMax.
const maxAttempts = 1<<16 - 1

// maxOpenSagas bounds the sagas in flight. A saga retrying shipping holds no
// worker, so a long shipping outage would otherwise grow the book without limit;
// past this, orders refuses new orders (503) until sagas finish. A production
// orchestrator keeps its sagas in a database and can hold far more.
const maxOpenSagas = 4096

// sagaEntry is one step on a saga's timeline.
type sagaEntry struct {
	start    time.Duration
	end      time.Duration
	attempts uint16
	step     uint8
	state    uint8
	result   uint8
}

// saga is one "place order" saga instance.
type saga struct {
	gen  uint32
	tgen uint32 // timer generation (compensation back-off, choreographed publish retry)
	// tok names the attempt of a choreographed step that awaits its reply. The step's
	// message, the participant's reply and the step's timeout all carry it; the first
	// of reply and timeout to arrive spends it, so the other is ignored. It keeps
	// counting when the pool reuses the record, so a reply can never reach a later saga.
	tok      uint32
	id       uint64
	state    uint8
	step     uint8                // current forward step, or current compensation
	comps    [stepPivot + 1]uint8 // compensations to run, in order
	ncomp    uint8
	ci       uint8 // next compensation
	job      int32 // the orders job waiting to answer the gateway, -1 once answered
	started  time.Duration
	ended    time.Duration
	tr       traceRef
	tl       [maxTimeline]sagaEntry
	ntl      uint8
	choreo   bool
	pubTries uint8
	// retried is set once a step after the pivot has failed: the saga answered
	// the gateway then, and goes on retrying.
	retried bool
}

// sagaBook keeps running sagas in a pool and finished ones in a ring.
type sagaBook struct {
	cfg     SagaConfig
	pool    pool[saga]
	history []saga
	hnext   int
	hlen    int
	nextID  uint64
	count   [numSagaStates]uint64 // finished sagas by final state (running/compensating unused)
	started uint64
	comps   uint64 // compensations that ran to success

	// Steps after the pivot.
	retries    uint64                // attempts after a failed one
	afterPivot [numSagaStates]uint64 // how the sagas in which such a step failed ended
	refused    uint64                // orders refused because maxOpenSagas sagas were open
	full       bool                  // the last saga start found the book full

	// Choreographed sagas only (orchestrated timeouts are counted on the edges).
	stepTimeouts   uint64 // step attempts whose reply did not come within the step timeout
	ignoredReplies uint64 // replies to an attempt already over: late, or duplicates after a redelivery
}

func (b *sagaBook) init(n int) {
	b.pool.init(256)
	b.history = make([]saga, n)
}

func (s *Sim) initSagas() { s.sagas.cfg = s.cfg.Saga }

// startSaga runs after orders has created the order (the local first step); job is the
// orders job that holds a worker until the saga answers.
func (s *Sim) startSaga(j int32) {
	if s.sagas.pool.used >= maxOpenSagas {
		s.sagas.refused++
		if !s.sagas.full {
			s.sagas.full = true
			s.logf("saga-full", "orders", "%d sagas are open: orders refuses new orders until some finish", maxOpenSagas)
		}
		s.completeJob(j, resOverload)
		return
	}
	s.sagas.full = false
	si := s.sagas.pool.get()
	g := s.sagas.pool.at(si)
	*g = saga{gen: g.gen + 1, tgen: g.tgen + 1, tok: g.tok, job: j, started: s.jobs.at(j).enq}
	s.sagas.nextID++
	s.sagas.started++
	g.id = s.sagas.nextID
	g.choreo = s.sagas.cfg.Mode == Choreographed
	g.tr = s.spanStart(s.jobs.at(j).tr, "saga", sagaLabel(g.choreo))
	e := g.entry(stepCreate, g.started)
	e.state, e.end, e.attempts = entryDone, s.now, 1
	s.sagaStep(si, stepReserve)
}

func sagaLabel(choreo bool) string {
	if choreo {
		return Choreographed
	}
	return Orchestrated
}

func (g *saga) entry(step uint8, at time.Duration) *sagaEntry {
	e := &g.tl[g.ntl]
	g.ntl++
	*e = sagaEntry{step: step, start: at}
	return e
}

func (g *saga) last() *sagaEntry { return &g.tl[g.ntl-1] }

// sagaStep starts a forward step or a compensation.
func (s *Sim) sagaStep(si int32, step uint8) {
	g := s.sagas.pool.at(si)
	g.step = step
	if g.ntl == 0 || g.last().step != step || g.last().state != entryRetrying {
		g.entry(step, s.now)
	}
	e := g.last()
	e.state = entryRunning
	if e.attempts < maxAttempts {
		e.attempts++
	}
	if step == compCancelOrder {
		// Local to orders: cancelling its own order cannot fail.
		s.onSagaStepDone(si, resOK)
		return
	}
	if g.choreo {
		s.sendStep(si, step)
		return
	}
	s.startCall(stepEdge[step], stepOp[step], ownerSaga, si, g.gen, g.tr)
}

// sendStep starts an attempt of a choreographed step: a new token, the step timeout
// and the message. The timeout is the one an orchestrated call would have, the
// policy timeout of the step's edge (2 s by default; 0 waits forever). Here it bounds
// the whole round trip: the broker's redeliveries happen within it and the edge's
// retries do not apply. Whatever keeps the reply away (broker down, consumer dead or
// slow, message dead-lettered, reply stuck in saga.replies) ends as a timeout.
func (s *Sim) sendStep(si int32, step uint8) {
	g := s.sagas.pool.at(si)
	g.tok++
	g.tgen++ // a publish retry of the previous attempt is void
	g.pubTries = 0
	if t := s.edges[stepEdge[step]].policy.Timeout; t > 0 {
		// Ties go by (time, sequence): a reply that reaches orders at the very instant
		// of the timeout was delivered from saga.replies at that instant, after this
		// timer was scheduled, so it is late.
		s.schedule(s.now+t, evSagaStepTimeout, si, 0, g.tok)
	}
	s.publishStep(si, step)
}

// awaited reports whether tok is the attempt a running saga waits for, and spends it.
func (s *Sim) awaited(si int32, tok uint32) bool {
	if si < 0 || int(si) >= len(s.sagas.pool.items) {
		return false
	}
	g := s.sagas.pool.at(si)
	if g.gen%2 == 0 || g.tok != tok || g.ntl == 0 || g.last().state != entryRunning {
		return false
	}
	g.tok++
	return true
}

// onSagaStepTimeout ends a choreographed step attempt whose reply has not come. As
// in the orchestrated saga, the outcome is unknown: a step up to the pivot is itself
// compensated, and a step after the pivot or a compensation is tried again after
// its back-off.
func (s *Sim) onSagaStepTimeout(si int32, tok uint32) {
	if !s.awaited(si, tok) {
		return
	}
	s.sagas.stepTimeouts++
	s.onSagaStepDone(si, resTimeout)
}

// onSagaReply is a participant's reply to a choreographed step, as orders consumes it
// from saga.replies. A reply to an attempt that is already over (it timed out, or
// this is a duplicate after a redelivery) is ignored: the participants' handlers are
// idempotent, and the saga has moved on.
func (s *Sim) onSagaReply(si int32, tok uint32, res uint8) {
	if !s.awaited(si, tok) {
		s.sagas.ignoredReplies++
		return
	}
	s.onSagaStepDone(si, res)
}

func (s *Sim) onSagaCallDone(si int32, gen uint32, res uint8) {
	if s.sagas.pool.at(si).gen != gen {
		return
	}
	s.onSagaStepDone(si, res)
}

// onSagaStepDone moves the saga on from a step's result.
func (s *Sim) onSagaStepDone(si int32, res uint8) {
	g := s.sagas.pool.at(si)
	e := g.last()
	e.end, e.result = s.now, res
	if g.state == sagaRunning {
		switch {
		case res == resOK:
			e.state = entryDone
			if g.step == stepShip {
				s.finishSaga(si, sagaCompleted)
				return
			}
			s.sagaStep(si, g.step+1)
			return
		case g.step > stepPivot:
			s.retryForward(si, res)
			return
		case res == resBusiness:
			e.state = entryRule
		case res == resTimeout:
			e.state = entryTimedOut
		default:
			e.state = entryFailed
		}
		s.compensate(si)
		return
	}
	// Compensating.
	if res == resOK || res == resBusiness {
		e.state = entryDone
		s.sagas.comps++
		g.ci++
		s.nextCompensation(si)
		return
	}
	local := localRejection(res)
	if local {
		// The call never left orders (a breaker or bulkhead said "not now"): it does
		// not use up an attempt, and the saga waits the longest back-off.
		e.attempts--
	}
	if int(e.attempts) >= s.sagas.cfg.CompMaxAttempts {
		e.state = entryGaveUp
		s.logf("saga-stuck", "orders", "saga %d stuck: %s failed %d times; an operator must finish it", g.id, stepNames[g.step], e.attempts)
		s.finishSaga(si, sagaStuck)
		return
	}
	s.retryLater(si, local)
}

// localRejection reports whether a result came from orders' own side of the call
// (a breaker or bulkhead said "not now"), so the participant never saw it.
func localRejection(res uint8) bool {
	return res == resBreaker || res == resFallback || res == resBulkhead
}

// retryForward handles a failed attempt of a step after the pivot. The charge has
// gone through, so the order is placed whatever shipping does: the gateway is
// answered now, nothing is compensated, and the step is tried again, under the same
// idempotency key (saga id and step), after the compensations' back-off, until it
// succeeds. A timeout is retried like an error: the participant answers a repeat of
// a request it has already carried out with that outcome.
func (s *Sim) retryForward(si int32, res uint8) {
	g := s.sagas.pool.at(si)
	e := g.last()
	local := localRejection(res)
	if local {
		e.attempts--
	}
	if !g.retried {
		g.retried = true
		s.logf("saga-retry", "orders", "saga %d: %s %s after the charge; retrying", g.id, stepNames[g.step], resultNames[res])
	}
	s.answer(si, resOK)
	s.retryLater(si, local)
}

// retryLater marks the saga's current entry as waiting and tries it again after
// the back-off: CompBackoffBase doubling per attempt up to CompBackoffMax, or at once
// the longest when the last try was refused by orders' own breaker or bulkhead.
func (s *Sim) retryLater(si int32, local bool) {
	g := s.sagas.pool.at(si)
	e := g.last()
	e.state = entryRetrying
	d := s.sagas.cfg.CompBackoffMax
	if !local && e.attempts >= 1 && e.attempts < 30 {
		d = s.sagas.cfg.CompBackoffBase << (e.attempts - 1)
	}
	if d > s.sagas.cfg.CompBackoffMax || d <= 0 {
		d = s.sagas.cfg.CompBackoffMax
	}
	g.tgen++
	s.schedule(s.now+d, evCompRetry, si, 0, g.tgen)
}

// compensate answers the gateway and runs the compensations of every completed (or
// possibly completed) step, newest first. Only a step up to the pivot gets here.
func (s *Sim) compensate(si int32) {
	g := s.sagas.pool.at(si)
	g.state = sagaCompensating
	failedStep := g.step
	s.answer(si, resBusiness)
	g.ncomp = 0
	if g.last().state == entryTimedOut {
		g.comps[g.ncomp] = compensationOf[failedStep]
		g.ncomp++
	}
	for k := int(failedStep) - 1; k >= 0; k-- {
		g.comps[g.ncomp] = compensationOf[k]
		g.ncomp++
	}
	s.logf("compensate", "orders", "saga %d: %s %s; compensating %d step(s)", g.id, stepNames[failedStep], entryStateNames[g.last().state], g.ncomp)
	g.ci = 0
	s.nextCompensation(si)
}

func (s *Sim) nextCompensation(si int32) {
	g := s.sagas.pool.at(si)
	if g.ci >= g.ncomp {
		s.finishSaga(si, sagaCompensated)
		return
	}
	s.sagaStep(si, g.comps[g.ci])
}

// onCompRetry tries a compensation, or a step after the pivot, again.
func (s *Sim) onCompRetry(si int32, gen uint32) {
	g := s.sagas.pool.at(si)
	if g.tgen != gen || g.gen%2 == 0 || g.state > sagaCompensating {
		return
	}
	if g.state == sagaRunning {
		s.sagas.retries++
	}
	s.sagaStep(si, g.step)
}

// answer lets the orders job answer the gateway (once) and frees its worker.
func (s *Sim) answer(si int32, res uint8) {
	g := s.sagas.pool.at(si)
	if g.job < 0 {
		return
	}
	j := g.job
	g.job = -1
	s.completeJob(j, res)
}

func (s *Sim) finishSaga(si int32, st uint8) {
	g := s.sagas.pool.at(si)
	g.state = st
	g.ended = s.now
	g.tgen++
	s.sagas.count[st]++
	if g.retried {
		s.sagas.afterPivot[st]++
	}
	res := resOK
	if st != sagaCompleted {
		res = resBusiness
	}
	s.spanEnd(g.tr, res)
	b := &s.sagas
	b.history[b.hnext] = *g
	b.hnext = (b.hnext + 1) % len(b.history)
	if b.hlen < len(b.history) {
		b.hlen++
	}
	if st == sagaCompleted {
		s.publish(topicOrders, -1, 0, 0)
	}
	s.answer(si, res)
	g.gen++
	s.sagas.pool.put(si)
}

func (s *Sim) planSagaMode(a *args) (func(), string, error) {
	if a.mode(Orchestrated, Choreographed); a.err != nil {
		return nil, "", a.err
	}
	if s.sagas.cfg.Mode == a.Mode {
		return nil, "", fmt.Errorf("sagas are already %s", a.Mode)
	}
	return func() { s.sagas.cfg.Mode = a.Mode }, "new sagas are " + a.Mode, nil
}

func describeSagaMode(c *Command) string { return "new sagas are " + c.Mode }
