package simulator

import (
	"fmt"
	"time"
)

// Event is a notable happening: a breaker changing state, an eviction, a compensation,
// a rate-limit spike, a redelivery, a command. Seq increases by one per event for the
// life of the simulation, so a viewer can ask for the events after the last it saw.
type Event struct {
	// Seq is the event's sequence number, from 1.
	Seq uint64 `json:"seq"`
	// AtMS is the virtual time in milliseconds.
	AtMS float64 `json:"at_ms"`
	// Kind is a lower-kebab category, e.g. "breaker", "evict", "compensate".
	Kind string `json:"kind"`
	// Subject is the node, edge, client or group concerned.
	Subject string `json:"subject"`
	// Message says what happened, for a person.
	Message string `json:"message"`
}

// eventLog is a bounded ring of the last events.
type eventLog struct {
	ring []Event
	seq  uint64
	// hook, when set, sees every event (the scenario runner keeps them all).
	hook func(Event)
}

func (l *eventLog) init(n int) { l.ring = make([]Event, 0, n) }

// logf records an event. It formats, so it is kept off the per-request path: only
// rare happenings (or ones throttled to one a second) are logged.
func (s *Sim) logf(kind, subject, format string, args ...any) {
	l := &s.log
	l.seq++
	ev := Event{Seq: l.seq, AtMS: ms(s.now), Kind: kind, Subject: subject, Message: fmt.Sprintf(format, args...)}
	if len(l.ring) < cap(l.ring) {
		l.ring = append(l.ring, ev)
	} else {
		l.ring[(l.seq-1)%uint64(cap(l.ring))] = ev
	}
	if l.hook != nil {
		l.hook(ev)
	}
}

// Events returns the events still in the ring with a sequence number above since, in
// order. Events(0) returns the whole ring.
func (s *Sim) Events(since uint64) []Event {
	l := &s.log
	n := uint64(len(l.ring))
	first := uint64(1)
	if l.seq > n {
		first = l.seq - n + 1
	}
	if since+1 > first {
		first = since + 1
	}
	var out []Event
	for q := first; q <= l.seq; q++ {
		out = append(out, l.ring[(q-1)%uint64(cap(l.ring))])
	}
	return out
}

// EventSeq returns the sequence number of the latest event.
func (s *Sim) EventSeq() uint64 { return s.log.seq }

// OnEvent sets a function that sees every event as it is logged (nil removes it).
// It runs on the simulation's goroutine and must not call back into the Sim.
func (s *Sim) OnEvent(f func(Event)) { s.log.hook = f }

// at is when the event happened, as a duration.
func (e Event) at() time.Duration { return time.Duration(e.AtMS * float64(time.Millisecond)) }
