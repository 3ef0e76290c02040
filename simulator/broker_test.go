package simulator

import (
	"testing"
	"time"
)

func TestBrokerDeliversAndAcks(t *testing.T) {
	s := MustNew(quietConfig())
	s.publish(topicOrders, -1, 0, 0)
	if l := s.lag(groupShipping); l != 1 {
		t.Fatalf("lag right after publish %d, want 1", l)
	}
	s.RunUntil(14 * time.Millisecond)
	if l := s.lag(groupShipping); l != 1 {
		t.Fatalf("lag before shipping's 15 ms processing ends %d, want 1", l)
	}
	s.RunUntil(15 * time.Millisecond)
	g := &s.broker.groups[groupShipping]
	if l := s.lag(groupShipping); l != 0 || g.acked != 1 || g.redeliv != 0 {
		t.Fatalf("lag %d acked %d redelivered %d, want 0 1 0", l, g.acked, g.redeliv)
	}
}

// A consumer that needs 2.5 s per message never acks within the 2 s ack timeout: the
// message is redelivered at 2, 4, 6, 8 and 10 s, and after the fifth redelivery times
// out (12 s) it goes to the dead-letter topic.
func TestBrokerRedeliversAfterAckTimeoutThenDeadLetters(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(2500)}))
	s.publish(topicOrders, -1, 0, 0)
	g := &s.broker.groups[groupShipping]
	for k := 1; k <= 5; k++ {
		s.RunUntil(time.Duration(2*k)*time.Second - 1)
		if g.redeliv != uint64(k-1) {
			t.Fatalf("just before %d s: %d redeliveries, want %d", 2*k, g.redeliv, k-1)
		}
		s.RunUntil(time.Duration(2*k) * time.Second)
		if g.redeliv != uint64(k) || g.deliv != uint64(k+1) {
			t.Fatalf("at %d s: %d redeliveries, %d deliveries, want %d and %d", 2*k, g.redeliv, g.deliv, k, k+1)
		}
	}
	// The first delivery's processing ends at 2.515 s: processed, but its ack is stale.
	if g.dups != 5-1 {
		// ends at 2.515, 4.515, 6.515, 8.515 s by 10 s
		t.Fatalf("duplicate processings %d, want 4", g.dups)
	}
	s.RunUntil(12*time.Second - 1)
	if g.dead != 0 || s.lag(groupShipping) != 1 {
		t.Fatalf("dead-lettered too early")
	}
	s.RunUntil(12 * time.Second)
	if g.dead != 1 || s.lag(groupShipping) != 0 || s.broker.deadTop != 1 {
		t.Fatalf("at 12 s: dead %d lag %d, want 1 and 0", g.dead, s.lag(groupShipping))
	}
	if eventTime(s, "dead-letter", "dead-letter") != 12*time.Second {
		t.Fatal("no dead-letter event at 12 s")
	}
	// Notifications, a separate group, consumed it once, on time.
	if n := &s.broker.groups[groupNotifications]; n.acked != 1 || n.redeliv != 0 {
		t.Fatalf("notifications acked %d redelivered %d", n.acked, n.redeliv)
	}
}

func TestBrokerDownBuffersOrFails(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "broker-down"}))
	s.publish(topicOrders, -1, 0, 0)
	s.publish(topicOrders, -1, 0, 0)
	tp := &s.broker.topics[topicOrders]
	if tp.buffered != 2 || len(tp.buffer) != 2 || tp.head != 0 {
		t.Fatalf("buffered %d buffer %d head %d, want 2 2 0", tp.buffered, len(tp.buffer), tp.head)
	}
	must(t, s.Apply(0, Command{Type: "publish-mode", Mode: "fail"}))
	s.publish(topicOrders, -1, 0, 0)
	if tp.failed != 1 {
		t.Fatalf("failed %d, want 1", tp.failed)
	}
	must(t, s.Apply(time.Second, Command{Type: "broker-up"}))
	s.RunUntil(2 * time.Second)
	if tp.head != 2 || s.lag(groupShipping) != 0 || s.broker.groups[groupShipping].acked != 2 {
		t.Fatalf("after flush: head %d lag %d", tp.head, s.lag(groupShipping))
	}
}

func TestDeadConsumerMakesLagGrow(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "crash", Service: "shipping"}))
	for i := 0; i < 20; i++ {
		s.publish(topicOrders, -1, 0, 0)
	}
	s.RunUntil(5 * time.Second)
	if l := s.lag(groupShipping); l != 20 {
		t.Fatalf("lag with every shipping consumer dead %d, want 20", l)
	}
	must(t, s.Apply(5*time.Second, Command{Type: "restore", Service: "shipping"}))
	s.RunUntil(6 * time.Second)
	if l := s.lag(groupShipping); l != 0 {
		t.Fatalf("lag a second after restore %d, want 0", l)
	}
}
