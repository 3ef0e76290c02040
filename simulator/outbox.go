package simulator

import (
	"fmt"
	"time"
)

// The transactional outbox for OrderPlaced.
//
// Without it, orders commits the order and then publishes OrderPlaced: a dual
// write, two systems written one after the other with nothing tying them
// together, so a publish that fails after the commit (the broker is down, the
// link is cut) loses the event while the order stands. PublishMode decides
// what that failed publish does (see publish in broker.go).
//
// With it, the event is a row written in the order's own transaction: either
// both commit or neither does, and nothing is lost while the broker is away.
// A relay polls the table every Poll, publishes up to Batch unsent rows and
// marks them sent when the broker confirms them, Confirm later. The broker
// can store a batch and fail before its confirmation reaches the relay; the
// relay cannot tell that from a batch that never arrived, so it keeps the
// rows and publishes them again: delivery is at least once, and a republished
// row keeps its event id for consumers to recognise (see inbox.go).

// Bounds on the relay's poll interval, for the outbox command and the config.
const (
	MinOutboxPoll = 10 * time.Millisecond
	MaxOutboxPoll = time.Minute
)

// outRow is one unsent row of the outbox table.
type outRow struct {
	id    uint64        // the event id, kept by every publication of the row
	at    time.Duration // when the order's transaction committed it
	tries uint8         // publications so far
}

// outbox is orders' outbox table and its relay.
type outbox struct {
	cfg OutboxConfig
	// rows is a ring of the unsent rows, oldest first from head; it is
	// allocated when the outbox is first enabled.
	rows    []outRow
	head, n int
	// inflight rows at the head are published and wait for the broker's
	// confirmation; 0 when none.
	inflight int
	pollGen  uint32 // voids the poll timer when the outbox is switched off
	confGen  uint32 // voids a confirmation timer
	// unreachable is set while polls find the broker unreachable, to log
	// the start and end of an outage once each.
	unreachable bool

	written     uint64 // rows committed with their orders
	relayed     uint64 // rows published and confirmed
	republished uint64 // publications of a row already published once
	lostConfirm uint64 // batches whose confirmation never came
	failedPolls uint64 // polls that found the broker unreachable
	overflow    uint64 // rows refused because the simulated table was full
	maxDelay    time.Duration
	lastDelay   time.Duration
	delaySum    time.Duration
}

// outboxWrite commits the row of event id with its order.
func (s *Sim) outboxWrite(id uint64) bool {
	o := &s.broker.outbox
	if o.n == len(o.rows) {
		// Only the simulator's bound: a real table grows with its disk.
		o.overflow++
		return false
	}
	o.rows[(o.head+o.n)%len(o.rows)] = outRow{id: id, at: s.now}
	o.n++
	o.written++
	return true
}

// relayReaches reports whether the relay can publish now.
func (s *Sim) relayReaches() bool {
	return s.broker.up && !s.cut(serviceNode(svcOrders), nodeBroker)
}

// onOutboxPoll is the relay's poll: publish the oldest unsent rows, unless a
// batch still waits for its confirmation.
func (s *Sim) onOutboxPoll(gen uint32) {
	o := &s.broker.outbox
	if gen != o.pollGen || !o.cfg.Enabled && o.n == 0 {
		return // switched off, and every row it wrote is sent: the relay stops
	}
	s.schedule(s.now+o.cfg.Poll, evOutboxPoll, 0, 0, o.pollGen)
	if o.inflight > 0 || o.n == 0 {
		return
	}
	if !s.relayReaches() {
		o.failedPolls++
		if !o.unreachable {
			o.unreachable = true
			s.logf("outbox", "orders", "relay: the broker is unreachable; %d unsent row(s) stay in the outbox and are retried every %v",
				o.n, o.cfg.Poll)
		}
		return
	}
	if o.unreachable {
		o.unreachable = false
		s.logf("outbox", "orders", "relay: the broker is reachable again; publishing %d waiting row(s), %d a poll", o.n, o.cfg.Batch)
	}
	k := min(o.n, o.cfg.Batch)
	for i := 0; i < k; i++ {
		r := &o.rows[(o.head+i)%len(o.rows)]
		if r.tries > 0 {
			o.republished++
		}
		if r.tries < 255 {
			r.tries++
		}
		s.appendMsg(topicOrders, payload{saga: -1, id: r.id})
	}
	o.inflight = k
	o.confGen++
	s.schedule(s.now+o.cfg.Confirm, evOutboxConfirm, 0, 0, o.confGen)
}

// onOutboxConfirm is the end of the relay's wait for the broker's
// confirmation of its batch: the rows are marked sent if it came, and stay
// unsent, to be published again, if the broker went away meanwhile.
func (s *Sim) onOutboxConfirm(gen uint32) {
	o := &s.broker.outbox
	if gen != o.confGen || o.inflight == 0 {
		return
	}
	k := o.inflight
	o.inflight = 0
	if !s.relayReaches() {
		o.lostConfirm++
		s.logf("outbox", "orders", "relay: no confirmation for %d published row(s): the broker may hold them, but they stay unsent and will be published again",
			k)
		return
	}
	for i := 0; i < k; i++ {
		r := &o.rows[o.head]
		d := s.now - r.at
		o.lastDelay = d
		o.delaySum += d
		o.maxDelay = max(o.maxDelay, d)
		o.head = (o.head + 1) % len(o.rows)
		o.n--
		o.relayed++
	}
}

// setOutbox switches the outbox on or off and sets the relay's poll interval.
// Switched off, the relay keeps publishing the rows already written (they are
// committed and must not be lost) but no new row is written.
func (s *Sim) setOutbox(on bool, poll time.Duration) {
	o := &s.broker.outbox
	o.cfg.Enabled, o.cfg.Poll = on, poll
	if on && o.rows == nil {
		o.rows = make([]outRow, o.cfg.Capacity)
	}
	o.pollGen++
	if on || o.n > 0 {
		s.schedule(s.now+poll, evOutboxPoll, 0, 0, o.pollGen)
	}
}

func (s *Sim) planOutbox(a *args) (func(), string, error) {
	o := &s.broker.outbox
	on, poll := o.cfg.Enabled, o.cfg.Poll
	setIfGiven(&on, a.Enabled)
	a.ms(&poll, "ms", a.MS)
	if a.err == nil && on == o.cfg.Enabled && poll == o.cfg.Poll {
		return nil, "", fmt.Errorf("the outbox is already %s with a %v poll", onOffWord(on), poll)
	}
	msg := "orders publishes OrderPlaced by a dual write: commit, then publish"
	if on {
		msg = fmt.Sprintf("orders writes OrderPlaced to its outbox table with the order; the relay polls every %v", poll)
	}
	return a.done(func() { s.setOutbox(on, poll) }, msg)
}

func describeOutbox(c *Command) string {
	if c.Enabled != nil && !*c.Enabled {
		return "orders publishes OrderPlaced by a dual write"
	}
	d := "orders publishes OrderPlaced through a transactional outbox"
	if c.MS != nil {
		d += ", relay polling every " + msText(c.MS)
	}
	return d
}

func onOffWord(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// outboxView is the outbox as the snapshot shows it, nil while it has never
// been switched on.
func (s *Sim) outboxView() *OutboxView {
	o := &s.broker.outbox
	if o.rows == nil {
		return nil
	}
	v := &OutboxView{
		Enabled: o.cfg.Enabled, PollMS: ms(o.cfg.Poll), Unsent: o.n, InFlight: o.inflight, Written: o.written,
		Relayed: o.relayed, Republished: o.republished, LostConfirmations: o.lostConfirm, FailedPolls: o.failedPolls,
		Overflow: o.overflow, MaxDelayMS: ms(o.maxDelay), LastDelayMS: ms(o.lastDelay),
	}
	if o.relayed > 0 {
		v.MeanDelayMS = round3(ms(o.delaySum) / float64(o.relayed))
	}
	return v
}
