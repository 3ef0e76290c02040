package simulator

import "time"

// registry is the service registry (Eureka/Consul style): instances register and
// heartbeat; an instance silent for ttl is evicted.
type registry struct {
	up        bool
	heartbeat time.Duration
	ttl       time.Duration
	refresh   time.Duration
	entries   [numServices * MaxInstances]lease
	evictions uint64
}

// lease is one instance's registration.
type lease struct {
	registered bool
	lastBeat   time.Duration
	gen        uint32 // bumped by every renewal, so only the latest expiry timer counts
}

// discovery is a caller's cached copy of the registry, refreshed every refresh.
type discovery struct {
	list        [numServices][MaxInstances]int16
	n           [numServices]int
	lastRefresh time.Duration
	stale       bool // the last refresh failed
}

// Schedule: the initial instances register at t=0 and heartbeat at t = k·heartbeat;
// callers fetch the list at t=0 and then at t = k·refresh. A lease expires exactly ttl
// after its last heartbeat, so an instance killed at t_k, whose last heartbeat was at
// h = ⌊t_k/heartbeat⌋·heartbeat, is evicted at h+ttl and vanishes from a caller's
// cache at the first refresh at or after h+ttl.
func (s *Sim) initRegistry() {
	r := &s.reg
	r.up = true
	r.heartbeat, r.ttl, r.refresh = s.cfg.Registry.Heartbeat, s.cfg.Registry.TTL, s.cfg.Registry.Refresh
	for i := range s.instances {
		if s.instances[i].state == instAlive {
			s.heartbeat(i)
			s.schedule(r.heartbeat, evHeartbeat, int32(i), 0, s.instances[i].inc)
		}
	}
	for c := range s.disc {
		s.fetch(c)
		s.schedule(r.refresh, evRefresh, int32(c), 0, 0)
	}
}

// reachable reports whether instance i can talk to the registry.
func (s *Sim) registryReachable(node int) bool {
	return s.reg.up && !s.cut(node, nodeRegistry)
}

// heartbeat registers or renews instance i, if the registry is reachable.
func (s *Sim) heartbeat(i int) {
	in := &s.instances[i]
	if !s.registryReachable(serviceNode(in.svc)) || !s.registryReachable(instNode(i)) {
		return
	}
	l := &s.reg.entries[i]
	if !l.registered {
		l.registered = true
		s.logf("register", in.name, "%s registered with the registry", in.name)
	}
	l.lastBeat = s.now
	l.gen++
	s.schedule(s.now+s.reg.ttl, evLeaseExpire, int32(i), 0, l.gen)
}

func (s *Sim) onHeartbeat(i int, inc uint32) {
	in := &s.instances[i]
	if in.inc != inc || in.state != instAlive {
		return // killed or restarted since: this heartbeat loop is over
	}
	s.heartbeat(i)
	s.schedule(s.now+s.reg.heartbeat, evHeartbeat, int32(i), 0, inc)
}

func (s *Sim) onLeaseExpire(i int, gen uint32) {
	l := &s.reg.entries[i]
	if !l.registered || l.gen != gen || !s.reg.up {
		return
	}
	l.registered = false
	s.reg.evictions++
	s.logf("evict", s.instances[i].name, "registry evicted %s: no heartbeat for %v", s.instances[i].name, s.reg.ttl)
}

// deregister removes instance i at once (a graceful shutdown).
func (s *Sim) deregister(i int) {
	l := &s.reg.entries[i]
	if l.registered && s.registryReachable(instNode(i)) {
		l.registered = false
		l.gen++
		s.logf("deregister", s.instances[i].name, "%s deregistered on shutdown", s.instances[i].name)
	}
}

func (s *Sim) onRefresh(c int) {
	s.schedule(s.now+s.reg.refresh, evRefresh, int32(c), 0, 0)
	s.fetch(c)
}

// fetch refreshes caller c's cache, or keeps the stale one if the registry is
// unreachable.
func (s *Sim) fetch(c int) {
	d := &s.disc[c]
	if !s.registryReachable(callerNodes[c]) {
		if !d.stale {
			d.stale = true
			s.logf("stale-cache", callerNames[c], "%s cannot reach the registry: it keeps routing with its cached list", callerNames[c])
		}
		return
	}
	if d.stale {
		d.stale = false
		s.logf("refresh", callerNames[c], "%s reached the registry again and refreshed its list", callerNames[c])
	}
	d.lastRefresh = s.now
	for svc := 0; svc < numServices; svc++ {
		n := 0
		for o := 0; o < MaxInstances; o++ {
			if s.reg.entries[svc*MaxInstances+o].registered {
				d.list[svc][n] = int16(svc*MaxInstances + o)
				n++
			}
		}
		d.n[svc] = n
	}
}

// setRegistry takes the registry down or brings it back. While down, nothing
// registers, renews or is evicted; on return every lease gets a fresh ttl (as Eureka's
// self-preservation would spare them), and dead instances are evicted a ttl later.
func (s *Sim) setRegistry(up bool) {
	s.reg.up = up
	if !up {
		s.logf("registry-down", "registry", "registry down: callers keep their cached lists; new instances cannot register")
		return
	}
	for i := range s.reg.entries {
		l := &s.reg.entries[i]
		if l.registered {
			l.lastBeat = s.now
			l.gen++
			s.schedule(s.now+s.reg.ttl, evLeaseExpire, int32(i), 0, l.gen)
		}
	}
	s.logf("registry-up", "registry", "registry up: leases renewed; instances re-register with their next heartbeat")
}

// registryOutage is what registry-down and registry-up switch.
var registryOutage = outage{"registry", func(s *Sim) bool { return s.reg.up }, (*Sim).setRegistry}
