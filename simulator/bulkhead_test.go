package simulator

import (
	"testing"
	"time"
)

func TestBulkheadAdmitsQueuesAndRejects(t *testing.T) {
	b := NewBulkhead(DefaultBulkheadConfig()) // 10 concurrent, 10 waiting
	var got [3]int
	for id := int32(0); id < 25; id++ {
		got[b.Acquire(id)]++
	}
	if got != [3]int{10, 10, 5} {
		t.Fatalf("admitted/queued/rejected = %v, want [10 10 5]", got)
	}
	if b.InUse() != 10 || b.QueueLen() != 10 || b.AdmittedTotal != 10 || b.QueuedTotal != 10 || b.RejectedTotal != 5 {
		t.Fatalf("in use %d queued %d admitted %d queued total %d rejected %d", b.InUse(), b.QueueLen(), b.AdmittedTotal, b.QueuedTotal, b.RejectedTotal)
	}
	// A release hands the slot to the oldest waiter (id 10).
	next, ok := b.Release()
	if !ok || next != 10 || b.InUse() != 10 || b.QueueLen() != 9 || b.AdmittedTotal != 11 {
		t.Fatalf("release gave %d %v; in use %d queued %d admitted %d", next, ok, b.InUse(), b.QueueLen(), b.AdmittedTotal)
	}
	// Waiter 15's wait runs out: it is rejected and leaves the queue; 16 is next after 11..14.
	if !b.Expire(15) || b.QueueLen() != 8 || b.RejectedTotal != 6 {
		t.Fatalf("expire: queued %d rejected %d", b.QueueLen(), b.RejectedTotal)
	}
	if b.Expire(15) {
		t.Fatal("a waiter expired twice")
	}
	order := []int32{}
	for b.QueueLen() > 0 {
		n, _ := b.Release()
		order = append(order, n)
	}
	want := []int32{11, 12, 13, 14, 16, 17, 18, 19}
	if len(order) != len(want) {
		t.Fatalf("hand-over order %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("hand-over order %v, want %v", order, want)
		}
	}
	for i := 0; i < 10; i++ {
		b.Release()
	}
	if b.InUse() != 0 {
		t.Fatalf("in use %d after releasing everything", b.InUse())
	}
}

func TestBulkheadWithoutQueueRejectsAtOnce(t *testing.T) {
	b := NewBulkhead(BulkheadConfig{Enabled: true, MaxConcurrent: 2, MaxQueue: 5, MaxWait: 0})
	if b.Acquire(1) != Admitted || b.Acquire(2) != Admitted || b.Acquire(3) != Rejected {
		t.Fatal("with max wait 0 the third call should be rejected at once")
	}
}

// In the whole simulation: inventory takes a fixed 1 s; 25 stock checks arrive at once.
func TestBulkheadInTheShop(t *testing.T) {
	cfg := quietConfig()
	s := MustNew(cfg)
	s.services[svcInventory].latency = time.Second
	e := &s.edges[edgeGatewayInventory]
	for i := 0; i < 25; i++ {
		s.startCall(edgeGatewayInventory, opStock, ownerNone, 0, 0, noTrace)
	}
	b := &e.bulkhead
	check := func(at time.Duration, inUse, queued int, admitted, queuedTotal, rejected uint64) {
		t.Helper()
		s.RunUntil(at)
		if b.InUse() != inUse || b.QueueLen() != queued || b.AdmittedTotal != admitted || b.QueuedTotal != queuedTotal || b.RejectedTotal != rejected {
			t.Fatalf("at %v: in use %d queued %d admitted %d queued total %d rejected %d; want %d %d %d %d %d",
				at, b.InUse(), b.QueueLen(), b.AdmittedTotal, b.QueuedTotal, b.RejectedTotal, inUse, queued, admitted, queuedTotal, rejected)
		}
	}
	check(0, 10, 10, 10, 10, 5)
	check(99*time.Millisecond, 10, 10, 10, 10, 5)
	check(100*time.Millisecond, 10, 0, 10, 10, 15) // the waiters' 100 ms ran out
	// The ten admitted calls hit the 1 s timeout (inventory takes 1 s + 10 ms) and
	// release their slots: the two retries each (budget floor 3) then compete again.
	s.RunUntil(999 * time.Millisecond)
	if e.active != 10 {
		t.Fatalf("active calls %d, want 10", e.active)
	}
	// With a long max wait, queued calls get slots as calls finish, in order.
	cfg2 := quietConfig()
	cfg2.Edges[1].Policy.Bulkhead.MaxWait = 5 * time.Second
	cfg2.Edges[1].Policy.Retries = 0
	s2 := MustNew(cfg2)
	s2.services[svcInventory].latency = 500 * time.Millisecond // 510 ms per call
	for i := 0; i < 15; i++ {
		s2.startCall(edgeGatewayInventory, opStock, ownerNone, 0, 0, noTrace)
	}
	b2 := &s2.edges[edgeGatewayInventory].bulkhead
	s2.RunUntil(509 * time.Millisecond)
	if b2.InUse() != 10 || b2.QueueLen() != 5 {
		t.Fatalf("before the first completion: in use %d queued %d", b2.InUse(), b2.QueueLen())
	}
	s2.RunUntil(510 * time.Millisecond)
	if b2.InUse() != 5 || b2.QueueLen() != 0 || b2.AdmittedTotal != 15 || b2.RejectedTotal != 0 {
		t.Fatalf("at 510 ms: in use %d queued %d admitted %d rejected %d, want 5 0 15 0", b2.InUse(), b2.QueueLen(), b2.AdmittedTotal, b2.RejectedTotal)
	}
}
