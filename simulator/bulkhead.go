package simulator

import (
	"fmt"
	"time"
)

// BulkheadConfig is a semaphore bulkhead with a bounded wait queue.
type BulkheadConfig struct {
	// Enabled installs the bulkhead. Teaching: on.
	Enabled bool
	// MaxConcurrent is how many calls may be in flight at once. Teaching: 10.
	// (Resilience4j maxConcurrentCalls 25; Hystrix semaphore maxConcurrentRequests 10,
	// thread pool coreSize 10.)
	MaxConcurrent int
	// MaxQueue is how many calls may wait for a slot; beyond it, rejected at once.
	// Teaching: 10. (Hystrix maxQueueSize -1, i.e. no queue.)
	MaxQueue int
	// MaxWait is how long a call may wait in the queue before it is rejected.
	// Teaching: 100 ms. (Resilience4j maxWaitDuration 0.)
	MaxWait time.Duration
}

// DefaultBulkheadConfig returns the teaching preset.
func DefaultBulkheadConfig() BulkheadConfig {
	return BulkheadConfig{Enabled: true, MaxConcurrent: 10, MaxQueue: 10, MaxWait: 100 * time.Millisecond}
}

func (c *BulkheadConfig) validate() error {
	if c.MaxConcurrent < 1 || c.MaxConcurrent > MaxBulkheadCalls {
		return fmt.Errorf("bulkhead max concurrent %d out of range 1..%d", c.MaxConcurrent, MaxBulkheadCalls)
	}
	if c.MaxQueue < 0 || c.MaxQueue > MaxBulkheadQueue {
		return fmt.Errorf("bulkhead queue %d out of range 0..%d", c.MaxQueue, MaxBulkheadQueue)
	}
	if c.MaxWait < 0 || c.MaxWait > MaxBulkheadWait {
		return fmt.Errorf("bulkhead max wait %v out of range 0..%v", c.MaxWait, MaxBulkheadWait)
	}
	return nil
}

// Admission is what a bulkhead does with a call.
type Admission uint8

// Bulkhead admissions.
const (
	// Admitted: a slot was free and the call holds it.
	Admitted Admission = iota
	// Queued: the call waits for a slot, at most MaxWait.
	Queued
	// Rejected: no slot and no room in the queue.
	Rejected
)

// Bulkhead limits concurrent calls to one downstream. Waiters are identified by an
// int32 the caller chooses; the bulkhead itself keeps no clock and schedules nothing:
// the caller arms a MaxWait timer for each Queued call and calls Expire when it fires.
type Bulkhead struct {
	cfg        BulkheadConfig
	inUse      int
	queue      [MaxBulkheadQueue]int32
	qhead      int
	qlen       int
	lastLogSec int64 // throttles "bulkhead full" events to one a second

	// AdmittedTotal counts calls that got a slot, at once or after waiting.
	AdmittedTotal uint64
	// QueuedTotal counts calls that had to wait.
	QueuedTotal uint64
	// RejectedTotal counts calls rejected at once or after MaxWait.
	RejectedTotal uint64
}

// NewBulkhead returns an empty bulkhead.
func NewBulkhead(cfg BulkheadConfig) *Bulkhead {
	return &Bulkhead{cfg: cfg}
}

// Config returns the bulkhead's config.
func (b *Bulkhead) Config() BulkheadConfig { return b.cfg }

// Configure replaces the config; calls in flight keep their slots.
func (b *Bulkhead) Configure(cfg BulkheadConfig) { b.cfg = cfg }

// InUse returns how many slots are held.
func (b *Bulkhead) InUse() int { return b.inUse }

// QueueLen returns how many calls wait.
func (b *Bulkhead) QueueLen() int { return b.qlen }

// Acquire asks for a slot for waiter id.
func (b *Bulkhead) Acquire(id int32) Admission {
	if !b.cfg.Enabled {
		return Admitted
	}
	if b.inUse < b.cfg.MaxConcurrent && b.qlen == 0 {
		b.inUse++
		b.AdmittedTotal++
		return Admitted
	}
	if b.qlen < b.cfg.MaxQueue && b.cfg.MaxWait > 0 {
		b.queue[(b.qhead+b.qlen)%MaxBulkheadQueue] = id
		b.qlen++
		b.QueuedTotal++
		return Queued
	}
	b.RejectedTotal++
	return Rejected
}

// Release gives back a slot. If a call is waiting, the slot passes to it and its id is
// returned with ok true; the caller then makes that call.
func (b *Bulkhead) Release() (next int32, ok bool) {
	if !b.cfg.Enabled {
		return 0, false
	}
	if b.qlen > 0 && b.inUse <= b.cfg.MaxConcurrent {
		next = b.queue[b.qhead]
		b.qhead = (b.qhead + 1) % MaxBulkheadQueue
		b.qlen--
		b.AdmittedTotal++
		return next, true
	}
	if b.inUse > 0 {
		b.inUse--
	}
	return 0, false
}

// Expire removes waiter id from the queue because its wait ran out; it reports whether
// the id was still waiting (and so is now rejected).
func (b *Bulkhead) Expire(id int32) bool {
	for i := 0; i < b.qlen; i++ {
		p := (b.qhead + i) % MaxBulkheadQueue
		if b.queue[p] != id {
			continue
		}
		for j := i; j < b.qlen-1; j++ {
			b.queue[(b.qhead+j)%MaxBulkheadQueue] = b.queue[(b.qhead+j+1)%MaxBulkheadQueue]
		}
		b.qlen--
		b.RejectedTotal++
		return true
	}
	return false
}

// drain empties the queue (returning the waiters' ids through drop, in queue order)
// and forgets the slots in use: used when a command turns the bulkhead off.
func (b *Bulkhead) drain(drop func(id int32)) {
	for b.qlen > 0 {
		id := b.queue[b.qhead]
		b.qhead = (b.qhead + 1) % MaxBulkheadQueue
		b.qlen--
		drop(id)
	}
	b.inUse = 0
}

// planBulkhead resizes an edge's bulkhead; reconfigureBulkhead then lets through the
// waiting calls that the new size has room for.
func (s *Sim) planBulkhead(a *args, e *edge) (func(), string, error) {
	bc := e.policy.Bulkhead
	setIfGiven(&bc.Enabled, a.Enabled)
	setIfGiven(&bc.MaxConcurrent, a.MaxConcurrent)
	setIfGiven(&bc.MaxQueue, a.MaxQueue)
	if a.ms(&bc.MaxWait, "max_wait_ms", a.MaxWaitMS); a.err != nil {
		return nil, "", a.err
	}
	if err := bc.validate(); err != nil {
		return nil, "", err
	}
	p := e.policy
	p.Bulkhead = bc
	return func() {
		e.policy = p
		s.reconfigureBulkhead(e, bc)
	}, fmt.Sprintf("bulkhead %s: enabled=%v max=%d queue=%d wait=%v", a.Edge, bc.Enabled, bc.MaxConcurrent, bc.MaxQueue, bc.MaxWait), nil
}

// reconfigureBulkhead applies a new bulkhead config; waiting calls that now fit (or
// every waiting call, when the bulkhead is turned off) go ahead.
func (s *Sim) reconfigureBulkhead(e *edge, bc BulkheadConfig) {
	b := &e.bulkhead
	if !bc.Enabled {
		var waiting []int32
		b.drain(func(id int32) { waiting = append(waiting, id) })
		b.Configure(bc)
		for _, ci := range waiting {
			s.calls.at(ci).bh = bhNone
			s.dispatch(ci)
		}
		return
	}
	b.Configure(bc)
	for b.qlen > 0 && b.inUse < bc.MaxConcurrent {
		ci := b.queue[b.qhead]
		b.qhead = (b.qhead + 1) % MaxBulkheadQueue
		b.qlen--
		b.inUse++
		b.AdmittedTotal++
		s.calls.at(ci).bh = bhHeld
		s.dispatch(ci)
	}
}

func describeBulkhead(c *Command) string {
	return describeParts("bulkhead on "+edgeText(c.Edge), "reconfigured",
		onOff(c.Enabled, "installed"), countText(c.MaxConcurrent, "concurrent"))
}
