package simulator

import (
	"fmt"
	"time"
)

// loadGen is the open-loop load generator: Poisson arrivals whose rate does not
// depend on how fast the shop answers (so a slow shop piles up work, as real users do).
// Stream 0 is the steady load; stream 1 a burst.
type loadGen struct {
	mix     LoadConfig
	streams [2]stream
}

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
	gap := time.Duration(s.rng.ExpFloat64() / st.rate * float64(time.Second))
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
	switch u := s.rng.Float64(); {
	case u < m.Browse:
		kind = kindBrowse
	case u < m.Browse+m.View:
		kind = kindView
	}
	client := st.client
	if client < 0 {
		client = s.rng.IntN(len(s.gw.buckets))
	}
	token := !s.chance(s.gw.auth.NoTokenShare)
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
