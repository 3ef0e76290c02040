package simulator

import (
	"fmt"
	"strconv"
	"time"
)

// service is one service's live settings.
type service struct {
	cfg     ServiceConfig // live: Concurrency, Queue, Median, Sigma, ErrorRate
	count   int           // instances 1..count belong to the service
	latency time.Duration // injected fixed latency
	jitter  time.Duration // injected jitter: uniform in [0, jitter)
}

// instState is an instance's life.
type instState uint8

const (
	instAbsent  instState = iota // never started (beyond the scale)
	instAlive                    // running
	instDead                     // killed: the host vanished; calls to it get no answer
	instStopped                  // scaled down: deregistered; calls to it are refused at once
)

var instStateNames = [...]string{"absent", "alive", "dead", "stopped"}

// instance is one process of a service: a worker pool and a FIFO queue.
type instance struct {
	name  string
	svc   int
	ord   int // 1-based
	state instState
	inc   uint32 // incarnation: bumped by kill and restart so stale work is dropped
	busy  int
	queue []int32 // ring of waiting jobs
	qhead int
	qlen  int

	served     counter
	routed     uint64        // attempts sent to it by any caller
	lastRouted time.Duration // virtual time of the last attempt sent to it; -1 never
	diedAt     time.Duration
}

// job is an attempt being worked on (or waiting) at an instance.
type job struct {
	call  int32 // the waiting call, -1 for none
	ctgen uint32
	inst  int32
	inc   uint32
	op    uint8
	enq   time.Duration
	dur   time.Duration
	tr    traceRef // the attempt span, parent of a saga's spans
}

// instanceIndex maps the name of every instance slot of the shop to its
// index (service*MaxInstances + ordinal-1): names are looked up on every
// command and every frame, so once, here, is cheaper than parsing each.
var instanceIndex = func() map[string]int {
	m := make(map[string]int, numServices*MaxInstances)
	for svc, sn := range serviceNames {
		for o := 1; o <= MaxInstances; o++ {
			m[InstanceName(sn, o)] = svc*MaxInstances + o - 1
		}
	}
	return m
}()

// instanceByName returns the index of the instance slot with this name, or -1.
func instanceByName(name string) int {
	if i, ok := instanceIndex[name]; ok {
		return i
	}
	return -1
}

func (s *Sim) initInstances() {
	for svc := range s.services {
		sv := &s.services[svc]
		sv.cfg = s.cfg.Services[svc]
		sv.count = sv.cfg.Instances
		for o := 1; o <= MaxInstances; o++ {
			i := svc*MaxInstances + o - 1
			in := &s.instances[i]
			in.name = InstanceName(serviceNames[svc], o)
			in.svc, in.ord = svc, o
			in.lastRouted = -1
			in.queue = make([]int32, MaxInstanceQueue)
			if o <= sv.count {
				in.state = instAlive
			}
		}
	}
}

// serviceTime draws a job's service time: log-normal plus injected latency, plus the
// sidecars' overhead on the hop.
func (s *Sim) serviceTime(svc int, hopOverhead time.Duration) time.Duration {
	sv := &s.services[svc]
	d := s.lognormal(sv.cfg.Median, sv.cfg.Sigma) + sv.latency + hopOverhead
	if sv.jitter > 0 {
		d += time.Duration(s.rng.Int64N(int64(sv.jitter)))
	}
	return d
}

// enqueue hands a job to an instance. It reports false when the instance's queue is
// full (the job is not taken; the caller answers 503).
func (s *Sim) enqueue(i int, j int32, overhead time.Duration) bool {
	in := &s.instances[i]
	jb := s.jobs.at(j)
	jb.inst, jb.inc, jb.enq = int32(i), in.inc, s.now
	jb.dur = s.serviceTime(in.svc, overhead)
	sv := &s.services[in.svc]
	if in.busy < sv.cfg.Concurrency {
		in.busy++
		s.schedule(s.now+jb.dur, evJobDone, j, 0, 0)
		return true
	}
	if in.qlen >= sv.cfg.Queue {
		return false
	}
	in.queue[(in.qhead+in.qlen)%len(in.queue)] = j
	in.qlen++
	return true
}

// startNext gives free workers to queued jobs.
func (s *Sim) startNext(i int) {
	in := &s.instances[i]
	c := s.services[in.svc].cfg.Concurrency
	for in.busy < c && in.qlen > 0 {
		j := in.queue[in.qhead]
		in.qhead = (in.qhead + 1) % len(in.queue)
		in.qlen--
		in.busy++
		s.schedule(s.now+s.jobs.at(j).dur, evJobDone, j, 0, 0)
	}
}

func (s *Sim) onJobDone(j int32) {
	jb := s.jobs.at(j)
	in := &s.instances[jb.inst]
	if jb.inc != in.inc {
		s.jobs.put(j) // the instance died under it: no answer
		return
	}
	sv := &s.services[in.svc]
	res := resOK
	switch {
	case s.chance(sv.cfg.ErrorRate):
		res = resError
	case jb.op == opReserve && s.chance(s.sagas.cfg.OutOfStock):
		res = resBusiness
	case jb.op == opCharge && s.chance(s.sagas.cfg.Declined):
		res = resBusiness
	}
	if jb.op == opPlace && res == resOK {
		// The order is created; the worker stays busy while the saga runs.
		s.startSaga(j)
		return
	}
	s.completeJob(j, res)
}

// completeJob frees the job's worker, records it and answers the waiting call.
func (s *Sim) completeJob(j int32, res uint8) {
	jb := s.jobs.at(j)
	i := int(jb.inst)
	in := &s.instances[i]
	if jb.inc != in.inc {
		s.jobs.put(j)
		return
	}
	failed := res == resError
	s.nodeStats[serviceNode(in.svc)].record(s.now, s.now-jb.enq, failed)
	in.served.add(s.now, failed)
	in.busy--
	s.startNext(i)
	ci, ctgen := jb.call, jb.ctgen
	s.jobs.put(j)
	if ci >= 0 && s.calls.at(ci).tgen == ctgen {
		s.attemptDone(ci, res)
	}
}

// kill makes an instance vanish: its queue and work are lost, callers time out.
func (s *Sim) kill(i int) {
	in := &s.instances[i]
	in.state = instDead
	in.diedAt = s.now
	s.dropWork(in)
	s.logf("kill", in.name, "%s killed: in-flight and queued work is lost; it stays registered until its lease expires", in.name)
}

func (s *Sim) dropWork(in *instance) {
	in.inc++
	in.busy = 0
	for in.qlen > 0 {
		s.jobs.put(in.queue[in.qhead])
		in.qhead = (in.qhead + 1) % len(in.queue)
		in.qlen--
	}
	in.qhead = 0
}

// restart starts an instance again: it registers (if it can reach the registry) and
// heartbeats from now on.
func (s *Sim) restart(i int) {
	in := &s.instances[i]
	in.state = instAlive
	in.inc++
	in.busy, in.qhead, in.qlen = 0, 0, 0
	s.heartbeat(i)
	s.schedule(s.now+s.reg.heartbeat, evHeartbeat, int32(i), 0, in.inc)
}

// stop shuts an instance down gracefully (scale down): it deregisters at once and
// refuses calls that still reach it.
func (s *Sim) stop(i int) {
	in := &s.instances[i]
	in.state = instStopped
	s.dropWork(in)
	s.deregister(i)
}

// scale sets a service's instance count, starting or stopping the highest ordinals.
func (s *Sim) scale(svc, n int) {
	sv := &s.services[svc]
	old := sv.count
	sv.count = n
	for o := old + 1; o <= n; o++ {
		s.restart(svc*MaxInstances + o - 1)
	}
	for o := old; o > n; o-- {
		if i := svc*MaxInstances + o - 1; s.instances[i].state != instStopped {
			s.stop(i)
		}
	}
	s.logf("scale", serviceNames[svc], "%s scaled from %d to %d instances", serviceNames[svc], old, n)
}

// Commands on instances and services. onInstance and onService have found what the
// command names.

func (s *Sim) planKill(a *args, i int) (func(), string, error) {
	if in := &s.instances[i]; in.state != instAlive {
		return nil, "", fmt.Errorf("%s is already %s", a.Target, instStateNames[in.state])
	}
	return func() { s.kill(i) }, "killed " + a.Target, nil
}

func describeKill(c *Command) string { return "kill " + c.Target }

func (s *Sim) planRestart(a *args, i int) (func(), string, error) {
	if s.instances[i].state == instAlive {
		return nil, "", fmt.Errorf("%s is alive; kill it before restarting it", a.Target)
	}
	return func() { s.restart(i); s.kickConsumers() }, "restarted " + a.Target, nil
}

func describeRestart(c *Command) string { return "restart " + c.Target }

// planEvery plans crash and restore: do, to every instance of svc in state want.
func (s *Sim) planEvery(svc int, want instState, do func(i int), msg string) (func(), string, error) {
	var list []int
	for o := 1; o <= s.services[svc].count; o++ {
		if s.instances[svc*MaxInstances+o-1].state == want {
			list = append(list, svc*MaxInstances+o-1)
		}
	}
	if len(list) == 0 {
		return nil, "", fmt.Errorf("%s has no %s instance", serviceNames[svc], instStateNames[want])
	}
	return func() {
		for _, i := range list {
			do(i)
		}
	}, msg, nil
}

func (s *Sim) planCrash(a *args, svc int) (func(), string, error) {
	return s.planEvery(svc, instAlive, s.kill, "crashed every instance of "+a.Service)
}

func describeCrash(c *Command) string { return "crash every instance of " + c.Service }

// planRestore wakes the consumers once, after every instance is back.
func (s *Sim) planRestore(a *args, svc int) (func(), string, error) {
	restart, msg, err := s.planEvery(svc, instDead, s.restart, "restored every dead instance of "+a.Service)
	if err != nil {
		return nil, "", err
	}
	return func() { restart(); s.kickConsumers() }, msg, nil
}

func describeRestore(c *Command) string { return "restore " + c.Service }

func (s *Sim) planScale(a *args, svc int) (func(), string, error) {
	var n int
	if a.count(&n, "instances", a.Instances); a.err != nil {
		return nil, "", a.err
	}
	if n == s.services[svc].count {
		return nil, "", fmt.Errorf("%s already runs %d instance(s)", a.Service, n)
	}
	return func() { s.scale(svc, n); s.kickConsumers() }, fmt.Sprintf("scaled %s to %d", a.Service, n), nil
}

func describeScale(c *Command) string {
	switch {
	case c.Instances == nil:
		return "scale " + c.Service
	case *c.Instances == 1:
		return "scale " + c.Service + " to 1 instance"
	}
	return "scale " + c.Service + " to " + strconv.Itoa(*c.Instances) + " instances"
}

func (s *Sim) planLatency(a *args, svc int) (func(), string, error) {
	var d, j time.Duration
	a.ms(&d, "ms", a.MS)
	a.ms(&j, "jitter_ms", a.JitterMS)
	return a.done(func() { s.services[svc].latency, s.services[svc].jitter = d, j },
		fmt.Sprintf("%s latency +%v (jitter %v)", a.Service, d, j))
}

func describeLatency(c *Command) string {
	if c.MS != nil && *c.MS == 0 {
		return c.Service + " back to normal speed"
	}
	s := c.Service + " takes " + msText(c.MS) + " longer"
	if c.JitterMS != nil && *c.JitterMS > 0 {
		s += " (± " + msText(c.JitterMS) + ")"
	}
	return s
}

func (s *Sim) planErrorRate(a *args, svc int) (func(), string, error) {
	var r float64
	a.rate(&r, "rate", a.Rate)
	return a.done(func() { s.services[svc].cfg.ErrorRate = r }, fmt.Sprintf("%s error rate %g", a.Service, r))
}

func describeErrorRate(c *Command) string {
	return c.Service + " fails " + pctText(c.Rate) + " of requests"
}
