package simulator

import (
	"testing"
	"time"
)

func TestIDSetRemembersAWindowOfIDs(t *testing.T) {
	x := newIDSet()
	for _, tc := range []struct {
		id   uint64
		had  bool
		why  string
		want uint64 // lo afterwards
	}{
		{1, false, "a new id", 1},
		{1, true, "the same id again", 1},
		{5, false, "a gap is fine", 1},
		{inboxWindow, false, "the last id of the first window", 1},
		{inboxWindow + 1, false, "one past it slides the window by one", 2},
		{1, false, "an id that slid out is forgotten", 2},
		{5, true, "an id still inside is remembered", 2},
		{10 * inboxWindow, false, "a far jump forgets everything", 9*inboxWindow + 1},
		{5, false, "so the old ids are new again", 9*inboxWindow + 1},
		{10 * inboxWindow, true, "and the far id is remembered", 9*inboxWindow + 1},
	} {
		if got := x.add(tc.id); got != tc.had || x.lo != tc.want {
			t.Errorf("%s: add(%d) = %v with lo %d, want %v with lo %d", tc.why, tc.id, got, x.lo, tc.had, tc.want)
		}
	}
}

// One OrderPlaced at 10.5 s, while shipping's consumers need 15 ms + 2.5 s a
// message (until 16 s); the ack timeout is 2 s. Deliveries and their ends:
//
//	10.5   to consumer 0, ends 13.015, ack timeout 12.5
//	12.5   redelivered to consumer 1, ends 15.015, timeout 14.5
//	13.015 consumer 0 done: the first booking; its ack is stale
//	14.5   redelivered to consumer 0, ends 17.015, timeout 16.5
//	15.015 consumer 1 done: booked again
//	16.5   redelivered to consumer 1, now fast: ends 16.515 and is acknowledged,
//	       booked a third time
//	17.015 consumer 0 done: booked a fourth time
//
// One event, four bookings: handled 1, again 3, redelivered 3. The same at
// 30.5 s with an inbox (switched on at 25 s) books once and drops three.
// A message at 20.5 s, when shipping is fast, is handled once.
func TestInboxDropsRedeliveredDuplicates(t *testing.T) {
	s := MustNew(quietConfig())
	g := &s.broker.groups[groupShipping]
	slow := func(at float64, d int64) {
		must(t, s.Apply(sec(at), Command{Type: "slow-consumer", Group: "shipping", MS: pMS(d)}))
	}
	publishAt := func(at float64) {
		s.RunUntil(sec(at))
		s.publish(topicOrders, -1, 0, 0)
	}
	slow(10, 2500)
	publishAt(10.5)
	s.RunUntil(sec(13.015) - 1)
	if g.handled != 0 || g.redeliv != 1 {
		t.Fatalf("before the first delivery ends: handled %d, redelivered %d; want 0 and 1", g.handled, g.redeliv)
	}
	s.RunUntil(sec(13.015))
	if g.handled != 1 || g.again != 0 {
		t.Fatalf("at 13.015 s: handled %d, again %d; want 1 and 0", g.handled, g.again)
	}
	slow(16, 0)
	s.RunUntil(sec(16.515))
	if g.again != 2 || g.acked != 1 || g.redeliv != 3 {
		t.Fatalf("at 16.515 s: again %d, acked %d, redelivered %d; want 2 1 3", g.again, g.acked, g.redeliv)
	}
	s.RunUntil(sec(17.015))
	if g.handled != 1 || g.again != 3 || g.dropped != 0 {
		t.Fatalf("at 17.015 s: handled %d, again %d, dropped %d; want 1 3 0", g.handled, g.again, g.dropped)
	}
	publishAt(20.5)
	must(t, s.Apply(sec(25), Command{Type: "inbox", Group: "shipping", Enabled: pB(true)}))
	slow(30, 2500)
	publishAt(30.5)
	slow(36, 0)
	s.RunUntil(sec(40))
	if g.handled != 3 || g.again != 3 || g.dropped != 3 || g.redeliv != 6 || g.acked != 3 || s.lag(groupShipping) != 0 {
		t.Fatalf("at 40 s: handled %d, again %d, dropped %d, redelivered %d, acked %d, lag %d; want 3 3 3 6 3 0",
			g.handled, g.again, g.dropped, g.redeliv, g.acked, s.lag(groupShipping))
	}
	if eventTime(s, "duplicate", "second courier") != sec(15.015) || eventTime(s, "inbox", "already in its inbox") != sec(35.015) {
		t.Fatal("the duplicate and inbox events are missing or at the wrong times")
	}
	if n := &s.broker.groups[groupNotifications]; n.handled != 3 || n.again != 0 {
		t.Fatalf("notifications handled %d, again %d; want 3 and 0", n.handled, n.again)
	}
	v := s.Snapshot().Broker.Groups[groupShipping]
	if !v.Inbox || v.Reprocessed != 3 || v.Dropped != 3 {
		t.Fatalf("snapshot: %+v", v)
	}
}

// An inbox switched on late knows nothing of what was handled before it: a
// redelivery of an earlier event books again.
func TestANewInboxKnowsNoEarlierEvent(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(2500)}))
	s.publish(topicOrders, -1, 0, 0) // delivered at 0 (ends 2.515) and again at 2 s (ends 4.515)
	must(t, s.Apply(2600*time.Millisecond, Command{Type: "inbox", Group: "shipping", Enabled: pB(true)}))
	s.RunUntil(4515 * time.Millisecond)
	if g := &s.broker.groups[groupShipping]; g.handled != 1 || g.again != 1 || g.dropped != 0 {
		t.Fatalf("handled %d, again %d, dropped %d; want 1 1 0", g.handled, g.again, g.dropped)
	}
}
