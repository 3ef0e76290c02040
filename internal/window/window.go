// Package window counts events per key over a sliding window of time, for
// rate limits such as "20 lab starts a minute per address": a key's events
// older than the window are forgotten, and so is a key with none left. The
// keys held are bounded, so clients that make up keys cannot grow it
// without end. It does no I/O and imports nothing of this project.
package window

import (
	"sync"
	"time"
)

// Limit allows at most Max events per key in any Per of time, remembering
// at most Keys keys (0 means 10 000). It is safe for concurrent use. The
// zero value allows nothing; make one with New.
type Limit struct {
	max, keys int
	per       time.Duration

	mu   sync.Mutex
	seen map[string][]time.Time
}

// New returns a limit of max events per key in any per.
func New(max int, per time.Duration, keys int) *Limit {
	if keys <= 0 {
		keys = 10000
	}
	return &Limit{max: max, per: per, keys: keys, seen: map[string][]time.Time{}}
}

// Allow reports whether key may have one more event at now, and if so
// records it.
func (l *Limit) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(key, now)
	if len(recent) >= l.max {
		return false
	}
	if len(recent) == 0 && len(l.seen) >= l.keys {
		l.forget(now)
	}
	l.seen[key] = append(recent, now)
	return true
}

// Spent reports whether key has had Max events in the window at now, so
// that Allow would refuse it, without recording one: a caller can refuse
// before costly work and call Allow once the work shows it counts.
func (l *Limit) Spent(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) >= l.max
}

// Len is how many keys the limit holds now.
func (l *Limit) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}

// recent drops key's events older than the window and returns the rest.
func (l *Limit) recent(key string, now time.Time) []time.Time {
	ts := l.seen[key]
	for len(ts) > 0 && now.Sub(ts[0]) >= l.per {
		ts = ts[1:]
	}
	if len(ts) == 0 {
		delete(l.seen, key)
		return nil
	}
	l.seen[key] = ts
	return ts
}

// forget drops every key whose last event is out of the window, and if
// that leaves no room, the keys whose last event is oldest.
func (l *Limit) forget(now time.Time) {
	for k, ts := range l.seen {
		if now.Sub(ts[len(ts)-1]) >= l.per {
			delete(l.seen, k)
		}
	}
	for len(l.seen) >= l.keys {
		oldest, at := "", now
		for k, ts := range l.seen {
			if t := ts[len(ts)-1]; !t.After(at) {
				oldest, at = k, t
			}
		}
		delete(l.seen, oldest)
	}
}
