package simulator

import (
	"testing"
	"time"
)

// The relay polls every second from the moment the outbox is switched on (at
// 1, 2, 3 … s) and a batch is confirmed 20 ms after it is published. Rows
// committed at 200 and 500 ms go out at the 1 s poll and are confirmed at
// 1.02 s, 820 and 520 ms after their commit; shipping (15 ms a message)
// handles them by 1.015 s. A row committed at 1.5 s goes out at 2 s.
func TestOutboxRelayPublishesAtItsPolls(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "outbox", Enabled: pB(true), MS: pMS(1000)}))
	o := &s.broker.outbox
	tp := &s.broker.topics[topicOrders]
	g := &s.broker.groups[groupShipping]
	s.RunUntil(200 * time.Millisecond)
	s.publish(topicOrders, -1, 0, 0)
	s.RunUntil(500 * time.Millisecond)
	s.publish(topicOrders, -1, 0, 0)
	s.RunUntil(time.Second - 1)
	if o.written != 2 || o.n != 2 || tp.head != 0 {
		t.Fatalf("before the first poll: written %d, unsent %d, published %d; want 2 2 0", o.written, o.n, tp.head)
	}
	s.RunUntil(time.Second)
	if tp.head != 2 || o.inflight != 2 || o.relayed != 0 {
		t.Fatalf("at the 1 s poll: published %d, in flight %d, relayed %d; want 2 2 0", tp.head, o.inflight, o.relayed)
	}
	s.RunUntil(1020 * time.Millisecond)
	if o.relayed != 2 || o.n != 0 || o.maxDelay != 820*time.Millisecond || o.lastDelay != 520*time.Millisecond {
		t.Fatalf("at 1.02 s: relayed %d, unsent %d, delays %v and %v; want 2 0 820ms 520ms", o.relayed, o.n, o.maxDelay, o.lastDelay)
	}
	if g.handled != 2 || s.lag(groupShipping) != 0 {
		t.Fatalf("shipping handled %d with lag %d, want 2 and 0", g.handled, s.lag(groupShipping))
	}
	s.RunUntil(1500 * time.Millisecond)
	s.publish(topicOrders, -1, 0, 0)
	s.RunUntil(2020 * time.Millisecond)
	if o.relayed != 3 || o.lastDelay != 520*time.Millisecond || o.republished != 0 {
		t.Fatalf("at 2.02 s: relayed %d, last delay %v, republished %d; want 3 520ms 0", o.relayed, o.lastDelay, o.republished)
	}
	v := s.Snapshot().Broker.Outbox
	if v == nil || !v.Enabled || v.PollMS != 1000 || v.Written != 3 || v.Relayed != 3 || v.MaxDelayMS != 820 || v.MeanDelayMS != 620 {
		t.Fatalf("snapshot: %+v", v)
	}
}

// Row 1, committed at 0.5 s, is published at the 1 s poll; the broker goes
// down at 1.01 s, so the confirmation due at 1.02 s never comes and the row
// stays unsent. Row 2 is committed at 1.5 s, broker or not. The polls at 2
// and 3 s find the broker unreachable. It is back at 3.5 s, and the 4 s poll
// publishes both rows: row 1 for the second time.
//
// Shipping got row 1's first copy at 1 s and finished it at 1.015 s, after the
// broker fell: it booked, but its ack could not reach the broker, which
// redelivers the message once it is back (the ack timed out at 3 s). So
// shipping processes row 1 three times: at 1.015 s, at 3.515 s (the
// redelivery) and at 4.015 s (the republished copy), and row 2 once.
func TestOutboxRepublishesABatchWhoseConfirmationWasLost(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "outbox", Enabled: pB(true), MS: pMS(1000)}))
	o := &s.broker.outbox
	g := &s.broker.groups[groupShipping]
	s.RunUntil(500 * time.Millisecond)
	s.publish(topicOrders, -1, 0, 0)
	must(t, s.Apply(1010*time.Millisecond, Command{Type: "broker-down"}))
	s.RunUntil(1020 * time.Millisecond)
	if o.lostConfirm != 1 || o.n != 1 || o.relayed != 0 || g.handled != 1 || g.acked != 0 {
		t.Fatalf("at 1.02 s: lost confirmations %d, unsent %d, relayed %d, handled %d, acked %d; want 1 1 0 1 0",
			o.lostConfirm, o.n, o.relayed, g.handled, g.acked)
	}
	s.RunUntil(1500 * time.Millisecond)
	if !s.publish(topicOrders, -1, 0, 0) || o.n != 2 {
		t.Fatalf("a row committed while the broker is down: unsent %d, want 2", o.n)
	}
	s.RunUntil(3 * time.Second)
	if o.failedPolls != 2 || g.redeliv != 1 {
		t.Fatalf("at 3 s: failed polls %d, redeliveries %d; want 2 and 1", o.failedPolls, g.redeliv)
	}
	must(t, s.Apply(3500*time.Millisecond, Command{Type: "broker-up"}))
	s.RunUntil(3515 * time.Millisecond)
	if g.again != 1 || g.acked != 1 {
		t.Fatalf("at 3.515 s: processed again %d, acked %d; want 1 and 1", g.again, g.acked)
	}
	s.RunUntil(4020 * time.Millisecond)
	if o.republished != 1 || o.relayed != 2 || o.n != 0 || o.maxDelay != 3520*time.Millisecond {
		t.Fatalf("at 4.02 s: republished %d, relayed %d, unsent %d, longest delay %v; want 1 2 0 3.52s", o.republished, o.relayed, o.n, o.maxDelay)
	}
	if g.handled != 2 || g.again != 2 || g.acked != 3 || s.lag(groupShipping) != 0 {
		t.Fatalf("shipping: handled %d, again %d, acked %d, lag %d; want 2 2 3 0", g.handled, g.again, g.acked, s.lag(groupShipping))
	}
	if eventTime(s, "outbox", "no confirmation for 1") != 1020*time.Millisecond || eventTime(s, "outbox", "unreachable") != 2*time.Second ||
		eventTime(s, "outbox", "reachable again") != 4*time.Second {
		t.Fatal("the relay's events are missing or at the wrong times")
	}
}

// With a dual write and publish-mode fail, an OrderPlaced published while the
// broker is down is lost for good: nothing brings it back when the broker is.
func TestDualWriteLosesEventsWhileTheBrokerIsDown(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "publish-mode", Mode: PublishFail}))
	must(t, s.Apply(0, Command{Type: "broker-down"}))
	for i := 0; i < 3; i++ {
		if s.publish(topicOrders, -1, 0, 0) {
			t.Fatal("a publish to a broker that is down succeeded")
		}
	}
	must(t, s.Apply(time.Second, Command{Type: "broker-up"}))
	s.publish(topicOrders, -1, 0, 0)
	s.RunUntil(2 * time.Second)
	b := &s.broker
	if b.events != 4 || b.lost != 3 || b.topics[topicOrders].failed != 3 || b.groups[groupShipping].handled != 1 {
		t.Fatalf("events %d, lost %d, failed %d, shipping handled %d; want 4 3 3 1", b.events, b.lost, b.topics[topicOrders].failed,
			b.groups[groupShipping].handled)
	}
	if n := countEvents(s, "event-lost"); n != 1 {
		t.Fatalf("%d event-lost events for three losses in one second, want 1", n)
	}
	if v := s.Snapshot().Broker; v.Lost != 3 || v.Outbox != nil {
		t.Fatalf("snapshot: lost %d, outbox %+v; want 3 and none", v.Lost, v.Outbox)
	}
}

// Switched off at 0.1 s, the outbox writes no new rows, but its relay still
// sends the row already committed (at its 0.6 s poll, confirmed at 0.62 s);
// its 1.1 s poll finds the table empty and schedules no other.
func TestOutboxSwitchedOffDrainsItsRowsThenStops(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "outbox", Enabled: pB(true), MS: pMS(500)}))
	s.publish(topicOrders, -1, 0, 0)
	must(t, s.Apply(100*time.Millisecond, Command{Type: "outbox", Enabled: pB(false)}))
	s.publish(topicOrders, -1, 0, 0) // a dual write: published at once
	o := &s.broker.outbox
	if o.written != 1 || s.broker.topics[topicOrders].head != 1 {
		t.Fatalf("written %d, published %d; want 1 and 1", o.written, s.broker.topics[topicOrders].head)
	}
	s.RunUntil(1100 * time.Millisecond)
	if o.relayed != 1 || o.n != 0 {
		t.Fatalf("relayed %d, unsent %d; want 1 and 0", o.relayed, o.n)
	}
	for _, ev := range s.heap {
		if ev.kind == evOutboxPoll {
			t.Fatalf("a poll is still scheduled at %v", ev.at)
		}
	}
}

// The simulated table is bounded: a row beyond its capacity is refused and
// counted, never silently dropped.
func TestOutboxCountsRowsBeyondItsCapacity(t *testing.T) {
	cfg := quietConfig()
	cfg.Broker.Outbox.Enabled, cfg.Broker.Outbox.Capacity = true, 2
	s := MustNew(cfg)
	for i := 0; i < 3; i++ {
		s.publish(topicOrders, -1, 0, 0)
	}
	if o := &s.broker.outbox; o.written != 2 || o.overflow != 1 {
		t.Fatalf("written %d, overflow %d; want 2 and 1", o.written, o.overflow)
	}
	s.RunUntil(1100 * time.Millisecond) // enabled by the config: polls at 1, 2 … s
	if o := &s.broker.outbox; o.relayed != 2 {
		t.Fatalf("relayed %d, want 2", o.relayed)
	}
}

func countEvents(s *Sim, kind string) int {
	n := 0
	for _, e := range s.Events(0) {
		if e.Kind == kind {
			n++
		}
	}
	return n
}
