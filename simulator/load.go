package simulator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// loadGen is the open-loop load generator: Poisson arrivals whose rate does not
// depend on how fast the shop answers (so a slow shop piles up work, as real users do).
// Stream 0 is the steady load; stream 1 a burst.
type loadGen struct {
	mix     LoadConfig
	streams [2]stream
	// rng draws the arrivals alone: gaps, kinds, clients, tokens.
	rng *rand.Rand
	// arrived counts the requests that arrived and digest folds in each
	// one's time, kind, client and token (FNV-1a): equal digests mean
	// identical traffic.
	arrived uint64
	digest  uint64
}

// Arrivals says how many requests have arrived so far and a digest of
// them all (their times, kinds, clients and tokens): two runs with the
// same seed and the same load commands meet the same requests, so their
// digests agree whatever else their designs change.
func (s *Sim) Arrivals() (count, digest uint64) { return s.load.arrived, s.load.digest }

type stream struct {
	rate   float64
	gen    uint32
	until  time.Duration // bursts end here
	client int           // -1: any client
	count  uint64
}

func (s *Sim) initLoad() {
	s.load.mix = s.cfg.Load
	s.load.streams[1].client = -1
	s.setRate(0, s.cfg.Load.Rate, 0, -1)
}

// setRate (re)starts stream k at rate; the next arrival is drawn afresh.
func (s *Sim) setRate(k int, rate float64, until time.Duration, client int) {
	st := &s.load.streams[k]
	st.gen++
	st.rate, st.until, st.client = rate, until, client
	if rate > 0 {
		s.nextArrival(k)
	}
}

func (s *Sim) nextArrival(k int) {
	st := &s.load.streams[k]
	gap := time.Duration(s.load.rng.ExpFloat64() / st.rate * float64(time.Second))
	if gap < 1 {
		gap = 1
	}
	s.schedule(s.now+gap, evArrival, int32(k), 0, st.gen)
}

func (s *Sim) onArrival(k int, gen uint32) {
	st := &s.load.streams[k]
	if st.gen != gen {
		return
	}
	if k == 1 && s.now >= st.until {
		st.rate = 0
		s.logf("burst", "load", "burst over")
		return
	}
	s.nextArrival(k)
	st.count++
	m := &s.load.mix
	kind := kindOrder
	switch u := s.load.rng.Float64(); {
	case u < m.Browse:
		kind = kindBrowse
	case u < m.Browse+m.View:
		kind = kindView
	}
	client := st.client
	if client < 0 {
		client = s.load.rng.IntN(len(s.gw.buckets))
	}
	// Drawn whatever the share, so the stream does not depend on it.
	token := s.load.rng.Float64() >= s.gw.auth.NoTokenShare
	s.load.arrived++
	s.load.digest = foldArrival(s.load.digest, s.now, kind, client, token)
	s.admit(kind, client, token)
}

func (s *Sim) planLoad(a *args) (func(), string, error) {
	var r float64
	a.rate(&r, "rate", a.Rate)
	return a.done(func() { s.setRate(0, r, 0, -1) }, fmt.Sprintf("load %g req/s", r))
}

func describeLoad(c *Command) string { return "load " + numText(c.Rate) + " requests/s" }

// planBurst plans a burst of extra arrivals, from one client when the command names one.
func (s *Sim) planBurst(a *args) (func(), string, error) {
	var r float64
	var d time.Duration
	a.rate(&r, "rate", a.Rate)
	a.ms(&d, "ms", a.MS)
	if a.err != nil {
		return nil, "", a.err
	}
	client := -1
	if a.Client != "" {
		if client = clientByName(&s.gw, a.Client); client < 0 {
			return nil, "", fmt.Errorf("unknown client %q (client-01..%s)", a.Client, s.gw.clients[len(s.gw.clients)-1])
		}
	}
	who := "random clients"
	if client >= 0 {
		who = a.Client
	}
	return func() { s.setRate(1, r, s.now+d, client) }, fmt.Sprintf("burst of %g req/s for %v from %s", r, d, who), nil
}

func describeBurst(c *Command) string {
	s := "a burst of " + numText(c.Rate) + " requests/s for " + msText(c.MS)
	if c.Client != "" {
		s += " from " + c.Client
	}
	return s
}

// foldArrival folds one arrival into an FNV-1a digest.
func foldArrival(h uint64, at time.Duration, kind, client int, token bool) uint64 {
	if h == 0 {
		h = 14695981039346656037
	}
	v := [4]uint64{uint64(at), uint64(kind), uint64(client), 0}
	if token {
		v[3] = 1
	}
	for _, x := range v {
		for i := 0; i < 8; i++ {
			h ^= x >> (8 * i) & 0xff
			h *= 1099511628211
		}
	}
	return h
}
