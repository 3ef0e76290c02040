package simulator

import (
	"fmt"
	"math"
	"time"
)

// gateway is the API gateway: the shop's single entry. It routes by path prefix
// (/catalog → catalog, /inventory → inventory, /orders → orders), checks tokens,
// rate-limits per client, caches catalog pages and applies each route's call policy.
type gateway struct {
	inflight  int
	maxInfl   int
	rl        RateLimitConfig
	auth      AuthConfig
	cache     CacheConfig
	buckets   []TokenBucket
	limited   []uint64 // 429s per client
	passed    []uint64 // requests per client that passed the rate limit
	limitSec  []int64  // last second a "rate limited" event was logged per client, +1
	pages     []time.Duration
	pageValid []bool
	clients   []string

	received                                  uint64
	byCode                                    [numCodes]uint64
	byKind                                    [numKinds]rolling
	cacheHits, cacheMisses, stale, unauthOK   uint64
	completedOrders, rejectedOrders, failedOr uint64
}

// Gateway response codes counted in snapshots.
const (
	code200 = iota
	code200Degraded
	code201
	code401
	code409
	code429
	code500
	code503
	code504
	numCodes
)

var codeNames = [numCodes]string{"200", "200-degraded", "201", "401", "409", "429", "500", "503", "504"}

// request is a client request in the gateway.
type request struct {
	gen   uint32
	kind  uint8
	stage uint8
	page  int32
	start time.Duration
	tr    traceRef
	hit   traceRef // the "gateway cache" span while a hit is being served
}

func (s *Sim) initGateway() {
	g := &s.gw
	gc := s.cfg.Gateway
	g.maxInfl, g.rl, g.auth, g.cache = gc.MaxInflight, gc.RateLimit, gc.Auth, gc.Cache
	g.buckets = make([]TokenBucket, gc.Clients)
	g.limited = make([]uint64, gc.Clients)
	g.passed = make([]uint64, gc.Clients)
	g.limitSec = make([]int64, gc.Clients)
	g.clients = make([]string, gc.Clients)
	for i := range g.buckets {
		g.buckets[i] = NewTokenBucket(gc.RateLimit.Rate, gc.RateLimit.Burst)
		g.clients[i] = fmt.Sprintf("client-%02d", i+1)
	}
	g.pages = make([]time.Duration, gc.Cache.Pages)
	g.pageValid = make([]bool, gc.Cache.Pages)
}

func clientByName(g *gateway, name string) int {
	for i, n := range g.clients {
		if n == name {
			return i
		}
	}
	return -1
}

// admit runs the gateway's edge checks for a new request and starts it.
func (s *Sim) admit(kind int, client int, token bool) {
	g := &s.gw
	g.received++
	tr := noTrace
	if s.cfg.TraceEvery > 0 && (g.received-1)%uint64(s.cfg.TraceEvery) == 0 {
		tr = s.traceBegin(kind, g.clients[client])
	}
	if g.auth.Enabled && !token {
		s.respond(kind, s.now, code401, tr, resBusiness)
		return
	}
	if !token {
		g.unauthOK++
	}
	if g.rl.Enabled && !g.buckets[client].Allow(s.now) {
		g.limited[client]++
		if sec := int64(s.now/time.Second) + 1; g.limitSec[client] != sec {
			g.limitSec[client] = sec
			s.logf("rate-limit", g.clients[client], "%s is over its rate limit (%d/s, burst %d): 429s", g.clients[client], g.rl.Rate, g.rl.Burst)
		}
		s.respond(kind, s.now, code429, tr, resBusiness)
		return
	}
	g.passed[client]++
	if g.inflight >= g.maxInfl {
		s.respond(kind, s.now, code503, tr, resOverload)
		return
	}
	ri := s.reqs.get()
	r := s.reqs.at(ri)
	*r = request{gen: r.gen + 1, kind: uint8(kind), start: s.now, tr: tr}
	g.inflight++
	switch kind {
	case kindBrowse:
		r.page = int32(s.rng.IntN(len(g.pages)))
		if g.cache.Enabled && g.pageValid[r.page] && s.now < g.pages[r.page] {
			// The request keeps its in-flight slot while the hit is served.
			g.cacheHits++
			r.hit = s.spanStart(tr, "gateway cache", "hit")
			s.schedule(s.now+s.cacheHitTime(), evCacheHitDone, ri, 0, r.gen)
			return
		}
		if g.cache.Enabled {
			g.cacheMisses++
		}
		s.startCall(edgeGatewayCatalog, opBrowse, ownerRequest, ri, r.gen, tr)
	case kindView:
		s.startCall(edgeGatewayCatalog, opItem, ownerRequest, ri, r.gen, tr)
	case kindOrder:
		s.startCall(edgeGatewayOrders, opPlace, ownerRequest, ri, r.gen, tr)
	}
}

// cacheHitTime draws one hit's service time, uniform within a third either side of
// the configured HitTime (1–2 ms by default). A hit waits on no queue and no
// downstream, so its spread is narrow and bounded: a log-normal tail, as the services
// have, would make the odd hit slower than a miss.
func (s *Sim) cacheHitTime() time.Duration {
	base := s.gw.cache.HitTime
	spread := base / 3
	return base - spread + time.Duration(s.rng.Int64N(int64(2*spread)+1))
}

// onCacheHitDone answers a browse request from the cache once its hit is served.
func (s *Sim) onCacheHitDone(ri int32, gen uint32) {
	r := s.reqs.at(ri)
	if r.gen != gen {
		return
	}
	s.spanEnd(r.hit, resOK)
	s.finishRequest(ri, code200, resOK)
}

// onRequestCallDone continues a request when one of its calls ends.
func (s *Sim) onRequestCallDone(ri int32, gen uint32, res uint8) {
	r := s.reqs.at(ri)
	if r.gen != gen {
		return
	}
	g := &s.gw
	switch r.kind {
	case kindBrowse:
		switch res {
		case resOK:
			g.pages[r.page], g.pageValid[r.page] = s.now+g.cache.TTL, true
			s.finishRequest(ri, code200, res)
		case resFallback:
			if g.pageValid[r.page] {
				g.stale++ // an expired page is better than an error
			}
			s.finishRequest(ri, code200Degraded, res)
		default:
			s.finishRequest(ri, codeFor(res), res)
		}
	case kindView:
		if r.stage == 0 && (res == resOK || res == resFallback) {
			r.stage = 1
			s.startCall(edgeGatewayInventory, opStock, ownerRequest, ri, r.gen, r.tr)
			return
		}
		switch res {
		case resOK:
			s.finishRequest(ri, code200, res)
		case resFallback:
			s.finishRequest(ri, code200Degraded, res) // item shown, stock "unknown"
		default:
			s.finishRequest(ri, codeFor(res), res)
		}
	case kindOrder:
		switch res {
		case resOK:
			g.completedOrders++
			s.finishRequest(ri, code201, res)
		case resBusiness:
			g.rejectedOrders++
			s.finishRequest(ri, code409, res)
		default:
			g.failedOr++
			s.finishRequest(ri, codeFor(res), res)
		}
	}
}

func codeFor(res uint8) int {
	switch res {
	case resOK:
		return code200
	case resFallback:
		return code200Degraded
	case resBusiness:
		return code409
	case resError:
		return code500
	case resTimeout:
		return code504
	default:
		return code503
	}
}

func (s *Sim) finishRequest(ri int32, code int, res uint8) {
	r := s.reqs.at(ri)
	s.gw.inflight--
	kind, start, tr := int(r.kind), r.start, r.tr
	r.gen++
	s.reqs.put(ri)
	s.respond(kind, start, code, tr, res)
}

// respond records a finished request at the gateway.
func (s *Sim) respond(kind int, start time.Duration, code int, tr traceRef, res uint8) {
	g := &s.gw
	g.byCode[code]++
	fail := code >= code500
	lat := s.now - start
	s.nodeStats[nodeGateway].record(s.now, lat, fail)
	g.byKind[kind].record(s.now, lat, fail)
	s.traceEnd(tr, res, codeNames[code])
}

// The gateway's commands: its response cache, its rate limit and its auth check.

func (s *Sim) planCache(a *args) (func(), string, error) {
	cc := s.gw.cache
	setIfGiven(&cc.Enabled, a.Enabled)
	a.ms(&cc.TTL, "ttl_ms", a.TTLMS)
	return a.done(func() { s.gw.cache = cc }, fmt.Sprintf("cache enabled=%v ttl=%v", cc.Enabled, cc.TTL))
}

func describeCache(c *Command) string { return onOff(c.Enabled, "gateway cache") }

// planRateLimit also refills every client's bucket under the new rule, so a change
// takes effect at once rather than after the old buckets drain.
func (s *Sim) planRateLimit(a *args) (func(), string, error) {
	rl := s.gw.rl
	setIfGiven(&rl.Enabled, a.Enabled)
	if a.Rate != nil {
		r := float64(rl.Rate)
		if a.rate(&r, "rate", a.Rate); a.err == nil && r != math.Trunc(r) {
			return nil, "", fmt.Errorf("rate %g must be a whole number of tokens a second", r)
		}
		rl.Rate = int(r)
	}
	a.count(&rl.Burst, "burst", a.Burst)
	return a.done(func() {
		s.gw.rl = rl
		for i := range s.gw.buckets {
			s.gw.buckets[i] = NewTokenBucket(rl.Rate, rl.Burst)
			s.gw.buckets[i].last = s.now
		}
	}, fmt.Sprintf("rate limit enabled=%v %d/s burst %d", rl.Enabled, rl.Rate, rl.Burst))
}

func describeRateLimit(c *Command) string {
	rate := ""
	if c.Rate != nil {
		rate = numText(c.Rate) + " requests/s per client"
	}
	return describeParts("gateway rate limit", "unchanged", onOff(c.Enabled, "switched"), rate, countText(c.Burst, "at once"))
}

func (s *Sim) planAuth(a *args) (func(), string, error) {
	au := s.gw.auth
	setIfGiven(&au.Enabled, a.Enabled)
	a.rate(&au.NoTokenShare, "share", a.Share)
	return a.done(func() { s.gw.auth = au },
		fmt.Sprintf("auth enabled=%v, %g of requests without a token", au.Enabled, au.NoTokenShare))
}

func describeAuth(c *Command) string {
	share := ""
	if c.Share != nil {
		share = pctText(c.Share) + " of requests without a token"
	}
	return describeParts("gateway auth", "unchanged", onOff(c.Enabled, "switched"), share)
}
