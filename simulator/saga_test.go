package simulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// With fixed service times (create order 20 ms, reserve 10 ms, charge 40 ms, ship
// 15 ms) one order's saga is worked out by hand for a failure at each step.
func TestSagaCompensationForAFailureAtEachStep(t *testing.T) {
	cases := []struct {
		name  string
		setup func(s *Sim)
		state string
		steps string // step:state@start-end
		code  int
	}{
		{"no failure", func(s *Sim) {}, "completed",
			"create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:done@70-85", code201},
		{"reserve fails", func(s *Sim) { s.services[svcInventory].cfg.ErrorRate = 1 }, "compensated",
			"create order:done@0-20 reserve inventory:failed@20-30 cancel order:done@30-30", code409},
		{"out of stock", func(s *Sim) { s.sagas.cfg.OutOfStock = 1 }, "compensated",
			"create order:done@0-20 reserve inventory:rejected-by-rule@20-30 cancel order:done@30-30", code409},
		{"charge fails", func(s *Sim) { s.services[svcPayment].cfg.ErrorRate = 1 }, "compensated",
			"create order:done@0-20 reserve inventory:done@20-30 charge payment:failed@30-70 release inventory:done@70-80 cancel order:done@80-80", code409},
		// After the pivot nothing is compensated: shipping is retried, under the same
		// idempotency key, after 100, 200, 400 ms… doubling to the 2 s cap, and the
		// gateway hears 201 at the first failure, since the order stands whatever
		// shipping does. Attempts at 70, 185, 400, 815, 1630, 3245, 5260, 7275, 9290 ms.
		{"shipping keeps failing", func(s *Sim) { s.services[svcShipping].cfg.ErrorRate = 1 }, "running",
			"create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:retrying@70-9305", code201},
		{"shipping times out", func(s *Sim) {
			// Shipping takes 3 s against the 2 s step timeout; it is healthy again at 1 s.
			// The attempt at 70 ms times out at 2070; the retry at 2170 takes 15 ms.
			s.services[svcShipping].latency = 3 * time.Second
			s.Apply(time.Second, Command{Type: "latency", Service: "shipping", MS: pMS(0)})
		}, "completed",
			"create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:done@70-2185", code201},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := MustNew(quietConfig())
			s.admit(kindOrder, 0, true)
			c.setup(s)
			s.RunUntil(9400 * time.Millisecond)
			tl := onlySaga(t, s)
			if tl.State != c.state || stepsString(tl) != c.steps {
				t.Fatalf("saga %s:\n got  %s\n want %s %s", tl.State, stepsString(tl), c.state, c.steps)
			}
			if s.gw.byCode[c.code] != 1 {
				t.Fatalf("gateway codes %v, want one %s", s.gw.byCode, codeNames[c.code])
			}
		})
	}
}

// Shipping fails twice after the charge, then works. Worked by hand:
//
//	  0–20   create order (local)
//	 20–30   reserve inventory
//	 30–70   charge payment: the pivot commits
//	 70–85   schedule shipping, attempt 1: error. Orders answers the gateway 201 now,
//	         the order stands; retry after 100 ms
//	185–200  attempt 2, under the same key: error; retry after 200 ms
//	400–415  attempt 3: done, the saga completes and publishes OrderPlaced
//
// Nothing is refunded, released or cancelled: the timeline has one entry for
// shipping, spanning its three attempts.
func TestSagaRetriesShippingAfterThePivotUntilItSucceeds(t *testing.T) {
	s := MustNew(quietConfig())
	s.admit(kindOrder, 0, true)
	s.services[svcShipping].cfg.ErrorRate = 1

	s.RunUntil(84 * time.Millisecond)
	if s.gw.byCode[code201] != 0 {
		t.Fatal("the gateway was answered before shipping's first attempt ended")
	}
	s.RunUntil(86 * time.Millisecond)
	if s.gw.byCode[code201] != 1 || eventTime(s, "saga-retry", "schedule shipping error after the charge") != 85*time.Millisecond {
		t.Fatalf("at 86 ms: gateway codes %v, want one 201 and a saga-retry event at 85 ms", s.gw.byCode)
	}
	if tl := onlySaga(t, s); tl.State != "running" || tl.Steps[3].State != "retrying" || tl.Steps[3].Attempts != 1 {
		t.Fatalf("at 86 ms saga %s, shipping %s after %d attempts; want running, retrying after 1", tl.State, tl.Steps[3].State, tl.Steps[3].Attempts)
	}
	// Apply runs the simulation up to the command's time.
	must(t, s.Apply(300*time.Millisecond, Command{Type: "error-rate", Service: "shipping", Rate: pF(0)}))
	s.RunUntil(10 * time.Second)
	tl := onlySaga(t, s)
	want := "create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:done@70-415"
	if tl.State != "completed" || stepsString(tl) != want || tl.Steps[3].Attempts != 3 || tl.EndedMS != 415 {
		t.Fatalf("saga %s ended at %g, shipping attempts %d:\n got  %s\n want %s", tl.State, tl.EndedMS, tl.Steps[3].Attempts, stepsString(tl), want)
	}
	v := s.Snapshot().Sagas
	if v.Compensations != 0 || s.sagas.retries != 2 || s.sagas.afterPivot[sagaCompleted] != 1 || s.gw.byCode[code201] != 1 {
		t.Fatalf("compensations %d, retries %d, after-pivot completions %d, gateway %v; want 0, 2, 1 and one 201",
			v.Compensations, s.sagas.retries, s.sagas.afterPivot[sagaCompleted], s.gw.byCode)
	}
	if p := s.broker.topics[topicOrders].published; p != 1 {
		t.Fatalf("OrderPlaced published %d times, want once", p)
	}
}

// A shipping outage as long as a lab can run: the saga never gives up and never
// compensates. With the breaker on orders→shipping off (it would refuse most
// attempts locally), attempts are at 70, 185, 400, 815, 1630, 3245, 5260 ms, then
// every 2015 ms (the 2 s cap plus the 15 ms call): the 302nd starts at 599 685 ms.
func TestSagaNeverCompensatesAfterThePivot(t *testing.T) {
	s := MustNew(quietConfig())
	must(t, s.Apply(0, Command{Type: "breaker", Edge: "orders>shipping", Enabled: pB(false)}))
	s.admit(kindOrder, 0, true)
	s.services[svcShipping].cfg.ErrorRate = 1
	s.RunUntil(10 * time.Minute)
	tl := onlySaga(t, s)
	want := "create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:retrying@70-599700"
	if tl.State != "running" || stepsString(tl) != want || tl.Steps[3].Attempts != 302 {
		t.Fatalf("saga %s, %d attempts:\n got  %s\n want %s", tl.State, tl.Steps[3].Attempts, stepsString(tl), want)
	}
	if n := s.sagas.count[sagaCompensated] + s.sagas.count[sagaStuck]; n != 0 || s.gw.byCode[code201] != 1 {
		t.Fatalf("%d sagas compensated or stuck, gateway %v; want none and one 201", n, s.gw.byCode)
	}
}

// The book of open sagas is bounded: a saga that retries shipping holds no orders
// worker, so without a bound a long shipping outage would grow it for ever.
func TestSagaBookRefusesOrdersWhenFull(t *testing.T) {
	cfg := quietConfig()
	cfg.Gateway.RateLimit.Enabled = false
	s := MustNew(cfg)
	s.services[svcShipping].cfg.ErrorRate = 1
	for i := 0; i < maxOpenSagas+3; i++ {
		s.admit(kindOrder, i%cfg.Gateway.Clients, true)
		s.RunUntil(time.Duration(i+1) * 20 * time.Millisecond)
	}
	s.RunUntil(s.Now() + time.Second)
	if s.sagas.pool.used != maxOpenSagas || s.sagas.refused != 3 || s.gw.byCode[code201] != maxOpenSagas {
		t.Fatalf("codes %v: %d open, %d refused, %d answered 201; want %d, 3, %d", s.gw.byCode, s.sagas.pool.used, s.sagas.refused, s.gw.byCode[code201], maxOpenSagas, maxOpenSagas)
	}
	if eventTime(s, "saga-full", "refuses new orders") < 0 {
		t.Fatal("no saga-full event")
	}
}

// Payment refuses the charge, so the reservation is released; inventory breaks just
// after the reservation (done at 30 ms), so every release (10 ms) fails: attempts at
// 70, 180, 390, 800, 1610, 3220, 5230 and 7240 ms (back-off 100 ms doubling to 2 s).
func TestSagaRetriesAFailingCompensationThenGivesUp(t *testing.T) {
	s := MustNew(quietConfig())
	s.admit(kindOrder, 0, true)
	s.services[svcPayment].cfg.ErrorRate = 1
	must(t, s.Apply(40*time.Millisecond, Command{Type: "error-rate", Service: "inventory", Rate: pF(1)}))
	s.RunUntil(7249 * time.Millisecond)
	if n := s.sagas.count[sagaStuck]; n != 0 {
		t.Fatal("stuck too early")
	}
	s.RunUntil(7250 * time.Millisecond)
	tl := onlySaga(t, s)
	want := "create order:done@0-20 reserve inventory:done@20-30 charge payment:failed@30-70 release inventory:gave-up@70-7250"
	if tl.State != "stuck" || stepsString(tl) != want || tl.Steps[3].Attempts != 8 {
		t.Fatalf("saga %s, release attempts %d:\n got  %s\n want %s", tl.State, tl.Steps[3].Attempts, stepsString(tl), want)
	}
	if eventTime(s, "saga-stuck", "stuck") != 7250*time.Millisecond {
		t.Fatalf("no saga-stuck event at 7.25 s")
	}
}

func TestSagaCompensationRecoversWhenTheServiceDoes(t *testing.T) {
	s := MustNew(quietConfig())
	s.admit(kindOrder, 0, true)
	s.services[svcPayment].cfg.ErrorRate = 1
	must(t, s.Apply(40*time.Millisecond, Command{Type: "error-rate", Service: "inventory", Rate: pF(1)}))
	must(t, s.Apply(time.Second, Command{Type: "error-rate", Service: "inventory", Rate: pF(0)}))
	s.RunUntil(10 * time.Second)
	tl := onlySaga(t, s)
	// The fifth release attempt (1610 ms) succeeds; the entry spans all attempts.
	want := "create order:done@0-20 reserve inventory:done@20-30 charge payment:failed@30-70 " +
		"release inventory:done@70-1620 cancel order:done@1620-1620"
	if tl.State != "compensated" || stepsString(tl) != want || tl.Steps[3].Attempts != 5 {
		t.Fatalf("saga %s:\n got  %s\n want %s", tl.State, stepsString(tl), want)
	}
}

func TestChoreographedSagaRunsOverTheBroker(t *testing.T) {
	cfg := quietConfig()
	cfg.Saga.Mode = Choreographed
	s := MustNew(cfg)
	s.admit(kindOrder, 0, true)
	s.RunUntil(time.Second)
	tl := onlySaga(t, s)
	// Each step is a message consumed by the participant (same service times).
	want := "create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:done@70-85"
	if tl.State != "completed" || stepsString(tl) != want {
		t.Fatalf("saga %s:\n got  %s\n want %s", tl.State, stepsString(tl), want)
	}
	if p := s.broker.topics[topicSagaPayment].published; p != 1 {
		t.Fatalf("saga.payment published %d, want 1", p)
	}
	// The participants' replies come back to orders as messages too.
	if p := s.broker.topics[topicSagaReplies].published; p != 3 {
		t.Fatalf("saga.replies published %d, want 3", p)
	}
	// A business rule fails the step at once and compensates over the broker
	// (failures without a reply are timeouts: see the tests below).
	s2 := MustNew(cfg)
	s2.sagas.cfg.Declined = 1
	s2.admit(kindOrder, 0, true)
	s2.RunUntil(time.Second)
	tl = onlySaga(t, s2)
	want = "create order:done@0-20 reserve inventory:done@20-30 charge payment:rejected-by-rule@30-70 release inventory:done@70-80 cancel order:done@80-80"
	if tl.State != "compensated" || stepsString(tl) != want {
		t.Fatalf("saga %s:\n got  %s\n want %s", tl.State, stepsString(tl), want)
	}
}

// choreoShop is the quiet shop with choreographed sagas and one order admitted at 0.
// The step timeout is the steps' edge timeout, 2 s.
func choreoShop(t *testing.T) *Sim {
	t.Helper()
	cfg := quietConfig()
	cfg.Saga.Mode = Choreographed
	s := MustNew(cfg)
	s.admit(kindOrder, 0, true)
	return s
}

// checkSaga compares the only saga's final state and timeline, the choreography
// counters and the gateway's answer: one 201 for a saga that completed or still
// retries a step after the pivot, else one 409; OrderPlaced only for a completed one.
func checkSaga(t *testing.T, s *Sim, state, steps string, timeouts, ignored uint64) {
	t.Helper()
	tl := onlySaga(t, s)
	if tl.State != state || stepsString(tl) != steps {
		t.Fatalf("saga %s:\n got  %s\n want %s %s", tl.State, stepsString(tl), state, steps)
	}
	v := s.Snapshot().Sagas
	if v.StepTimeouts != timeouts || v.IgnoredReplies != ignored {
		t.Fatalf("step timeouts %d, ignored replies %d; want %d and %d", v.StepTimeouts, v.IgnoredReplies, timeouts, ignored)
	}
	code, other := code409, code201
	if state == "completed" || state == "running" {
		code, other = other, code
	}
	if s.gw.byCode[code] != 1 || s.gw.byCode[other] != 0 {
		t.Fatalf("gateway codes %v, want one %s", s.gw.byCode, codeNames[code])
	}
	placed := uint64(0)
	if state == "completed" {
		placed = 1
	}
	if p := s.broker.topics[topicOrders].published; p != placed {
		t.Fatalf("OrderPlaced published %d times for a saga that ended %s", p, state)
	}
}

// The shipping participant is dead from the start, so "schedule shipping" (sent at
// 70 ms) gets no reply: it times out at 70 + 2000 = 2070 ms. Shipping comes after the
// pivot, so it is sent again, under the same key, after the 100 ms back-off, and
// never compensated.
func TestChoreographedSagaTimesOutWhenTheConsumerIsDead(t *testing.T) {
	const before = "create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 "

	t.Run("the consumer comes back: the retry completes the saga", func(t *testing.T) {
		s := choreoShop(t)
		must(t, s.Apply(0, Command{Type: "crash", Service: "shipping"}))
		s.RunUntil(2069 * time.Millisecond)
		if tl := onlySaga(t, s); tl.State != "running" || tl.Steps[3].State != "running" {
			t.Fatalf("at 2069 ms saga %s, shipping %s; want both running", tl.State, tl.Steps[3].State)
		}
		// Shipping is back at 3 s: it takes both messages waiting on saga.shipping, the
		// first "schedule shipping" and its retry (sent at 2170), 15 ms each. The reply
		// to the first is late and ignored; the retry's completes the saga at 3015.
		must(t, s.Apply(3*time.Second, Command{Type: "restore", Service: "shipping"}))
		s.RunUntil(10 * time.Second)
		checkSaga(t, s, "completed", before+"schedule shipping:done@70-3015", 1, 1)
		if at := eventTime(s, "saga-retry", "schedule shipping timeout after the charge"); at != 2070*time.Millisecond {
			t.Fatalf("saga-retry event at %v, want 2.07s", at)
		}
		if p := s.broker.topics[topicSagaShipping].published; p != 2 {
			t.Fatalf("saga.shipping published %d, want 2 (the step and its retry)", p)
		}
	})

	t.Run("the consumer never comes back: retried, never compensated", func(t *testing.T) {
		s := choreoShop(t)
		must(t, s.Apply(0, Command{Type: "crash", Service: "shipping"}))
		// Each attempt waits its 2 s timeout, then the back-off: attempts at 70, 2170,
		// 4370, 6770, 9570, 13170 ms, then every 4 s (2 s timeout, 2 s cap) up to 57170,
		// which times out at 59170: 17 attempts, 17 timeouts.
		s.RunUntil(60 * time.Second)
		checkSaga(t, s, "running", before+"schedule shipping:retrying@70-59170", 17, 0)
		if tl := onlySaga(t, s); tl.Steps[3].Attempts != 17 {
			t.Fatalf("schedule shipping attempts %d, want 17", tl.Steps[3].Attempts)
		}
		if p := s.broker.topics[topicSagaShipping].published; p != 17 {
			t.Fatalf("saga.shipping published %d, want 17", p)
		}
	})
}

// The broker goes down, and comes back at 3 s. Whatever step is under way cannot be
// answered before its timeout, 2 s after it started; its compensation, sent then,
// waits in orders' outbox. At 3 s the participant gets both the old step and its
// compensation, one per consumer: the old step's reply is ignored, the compensation
// is done after its service time (10 ms for inventory, 40 ms for payment).
func TestChoreographedSagaTimesOutWhileTheBrokerIsDown(t *testing.T) {
	cases := []struct {
		name       string
		down       time.Duration
		group      int
		redelivers uint64
		steps      string
	}{
		// Payment charges at 30-70 ms but can neither acknowledge nor reply: the charge
		// times out at 2030 and is redelivered at 3 s beside the refund.
		{"down while payment handles the charge: the reply is lost", 50 * time.Millisecond, groupPaymentSaga, 1,
			"create order:done@0-20 reserve inventory:done@20-30 charge payment:timed-out@30-2030 " +
				"refund payment:done@2030-3040 release inventory:done@3040-3050 cancel order:done@3050-3050"},
		// The reservation (20 ms) waits in the outbox and times out at 2020; it is
		// flushed at 3 s just before the release.
		{"down before the reservation is sent: it waits in the outbox", 0, groupInventorySaga, 0,
			"create order:done@0-20 reserve inventory:timed-out@20-2020 release inventory:done@2020-3010 cancel order:done@3010-3010"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := choreoShop(t)
			must(t, s.Apply(c.down, Command{Type: "broker-down"}))
			must(t, s.Apply(3*time.Second, Command{Type: "broker-up"}))
			s.RunUntil(10 * time.Second)
			checkSaga(t, s, "compensated", c.steps, 1, 1)
			if r := s.broker.groups[c.group].redeliv; r != c.redelivers {
				t.Fatalf("%s redeliveries %d, want %d", groupDefs[c.group].name, r, c.redelivers)
			}
		})
	}
}

// With publish-mode fail and the broker down, orders cannot publish the reservation
// at 20 ms and tries again after 100, 200, 400 and 800 ms (at 120, 320, 720 and 1520
// ms; the next would be at 3120). The step times out at 2020 all the same, and the
// release starts with a fresh back-off.
func TestChoreographedSagaRetriesAFailedPublishWithinTheTimeout(t *testing.T) {
	cases := []struct {
		name      string
		up        time.Duration
		latencyMS int64 // inventory's added latency
		failed    uint64
		steps     string
	}{
		// The broker is back at 1.8 s: the release is published at 2020 and, inventory
		// being 1.5 s slow, done at 2020 + 10 + 1500 = 3530. The retry due at 3120 was
		// the timed-out reservation's: it is void, so the reservation is never published.
		{"the broker is back before the timeout", 1800 * time.Millisecond, 1500, 5,
			"create order:done@0-20 reserve inventory:timed-out@20-2020 release inventory:done@2020-3530 cancel order:done@3530-3530"},
		// The broker is back at 2.5 s: the release fails at 2020, 2120 and 2320, is
		// published at 2720 and done at 2730.
		{"the broker is back after the timeout", 2500 * time.Millisecond, 0, 8,
			"create order:done@0-20 reserve inventory:timed-out@20-2020 release inventory:done@2020-2730 cancel order:done@2730-2730"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := choreoShop(t)
			must(t, s.Apply(0, Command{Type: "publish-mode", Mode: "fail"}))
			must(t, s.Apply(0, Command{Type: "broker-down"}))
			must(t, s.Apply(0, Command{Type: "latency", Service: "inventory", MS: pMS(c.latencyMS)}))
			must(t, s.Apply(c.up, Command{Type: "broker-up"}))
			s.RunUntil(10 * time.Second)
			checkSaga(t, s, "compensated", c.steps, 1, 0)
			if tp := s.broker.topics[topicSagaInventory]; tp.failed != c.failed || tp.published != 1 {
				t.Fatalf("saga.inventory: %d failed, %d published; want %d and 1", tp.failed, tp.published, c.failed)
			}
		})
	}
}

// A reply after the timeout changes nothing: the attempt stays timed out, and
// shipping, after the pivot, is retried at 2170 ms and done at 2185, as in the
// orchestrated "shipping times out" case.
func TestChoreographedSagaIgnoresALateReply(t *testing.T) {
	const want = "create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:done@70-2185"
	cases := []struct {
		name    string
		slowMS  int64
		ignored uint64
	}{
		// Shipping takes 15 + 3000 ms, so "schedule shipping" (70 ms) is handled until
		// 3085. Its ack times out at 2070 and it is redelivered to another consumer,
		// which replies at 2085; the first consumer replies at 3085. Both are ignored.
		{"replies at 2085 and 3085 ms", 3000, 2},
		// Shipping takes 15 + 1985 ms: the reply reaches orders at 2070, the very
		// instant of the timeout. The timeout, scheduled at 70 ms, fires before the
		// reply's delivery, scheduled at 2070, so the reply is late.
		{"a reply at the instant of the timeout", 1985, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := choreoShop(t)
			must(t, s.Apply(0, Command{Type: "slow-consumer", Group: "shipping-saga", MS: pMS(c.slowMS)}))
			// Back to normal speed at 1 s, for the messages delivered from then on.
			must(t, s.Apply(time.Second, Command{Type: "slow-consumer", Group: "shipping-saga", MS: pMS(0)}))
			s.RunUntil(10 * time.Second)
			checkSaga(t, s, "completed", want, 1, c.ignored)
		})
	}
}

// Payment fails every message it handles, so it never replies and never acks: the
// charge is redelivered every 2 s and dead-lettered at 12030 ms (deliveries at 30,
// 2030, ..., 10030 ms; then more than 5 redeliveries). The saga does not wait for
// that: the charge times out at 2030 and the refund, which fails the same way, is
// tried 8 times (2030, 4130, 6330, 8730, 11530, 15130, 19130, 23130 ms) before the
// saga is stuck at 25130.
func TestChoreographedSagaDoesNotWaitForTheDeadLetterTopic(t *testing.T) {
	s := choreoShop(t)
	s.services[svcPayment].cfg.ErrorRate = 1
	s.RunUntil(60 * time.Second)
	checkSaga(t, s, "stuck", "create order:done@0-20 reserve inventory:done@20-30 charge payment:timed-out@30-2030 "+
		"refund payment:gave-up@2030-25130", 9, 0)
	if at := eventTime(s, "dead-letter", "payment-saga: message 0 "); at != 12030*time.Millisecond {
		t.Fatalf("the charge dead-lettered at %v, want 12.03s", at)
	}
}

func onlySaga(t *testing.T, s *Sim) SagaTimeline {
	t.Helper()
	v := s.Snapshot().Sagas
	if len(v.Recent) != 1 {
		t.Fatalf("%d sagas, want 1", len(v.Recent))
	}
	return v.Recent[0]
}

func stepsString(tl SagaTimeline) string {
	var parts []string
	for _, st := range tl.Steps {
		parts = append(parts, fmt.Sprintf("%s:%s@%g-%g", st.Step, st.State, st.StartMS, st.EndMS))
	}
	return strings.Join(parts, " ")
}
