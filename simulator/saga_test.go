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
		{"shipping fails", func(s *Sim) { s.services[svcShipping].cfg.ErrorRate = 1 }, "compensated",
			"create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:failed@70-85 " +
				"refund payment:done@85-125 release inventory:done@125-135 cancel order:done@135-135", code409},
		{"shipping times out", func(s *Sim) {
			// Shipping takes 3 s against the 2 s step timeout; it is healthy again at 1 s,
			// so the compensation that cancels the maybe-scheduled shipment succeeds.
			s.services[svcShipping].latency = 3 * time.Second
			s.Apply(time.Second, Command{Type: "latency", Service: "shipping", MS: pMS(0)})
		}, "compensated",
			"create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:timed-out@70-2070 " +
				"cancel shipping:done@2070-2085 refund payment:done@2085-2125 release inventory:done@2125-2135 cancel order:done@2135-2135", code409},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := MustNew(quietConfig())
			s.admit(kindOrder, 0, true)
			c.setup(s)
			s.RunUntil(10 * time.Second)
			tl := onlySaga(t, s)
			if tl.State != c.state || stepsString(tl) != c.steps {
				t.Fatalf("saga %s:\n got  %s\n want %s", tl.State, stepsString(tl), c.steps)
			}
			if s.gw.byCode[c.code] != 1 {
				t.Fatalf("gateway codes %v, want one %s", s.gw.byCode, codeNames[c.code])
			}
		})
	}
}

func TestSagaRetriesAFailingCompensationThenGivesUp(t *testing.T) {
	s := MustNew(quietConfig())
	s.admit(kindOrder, 0, true)
	s.services[svcShipping].cfg.ErrorRate = 1
	// Payment breaks after the charge (done at 70 ms), so every refund fails:
	// attempts at 85, 225, 465, 905, 1745, 3385, 5425, 7465 ms (back-off 100 ms doubling to 2 s).
	must(t, s.Apply(80*time.Millisecond, Command{Type: "error-rate", Service: "payment", Rate: pF(1)}))
	s.RunUntil(7504 * time.Millisecond)
	if n := s.sagas.count[sagaStuck]; n != 0 {
		t.Fatal("stuck too early")
	}
	s.RunUntil(7505 * time.Millisecond)
	tl := onlySaga(t, s)
	want := "create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:failed@70-85 refund payment:gave-up@85-7505"
	if tl.State != "stuck" || stepsString(tl) != want || tl.Steps[4].Attempts != 8 {
		t.Fatalf("saga %s, refund attempts %d:\n got  %s\n want %s", tl.State, tl.Steps[4].Attempts, stepsString(tl), want)
	}
	if eventTime(s, "saga-stuck", "stuck") != 7505*time.Millisecond {
		t.Fatalf("no saga-stuck event at 7.505 s")
	}
}

func TestSagaCompensationRecoversWhenTheServiceDoes(t *testing.T) {
	s := MustNew(quietConfig())
	s.admit(kindOrder, 0, true)
	s.services[svcShipping].cfg.ErrorRate = 1
	must(t, s.Apply(80*time.Millisecond, Command{Type: "error-rate", Service: "payment", Rate: pF(1)}))
	must(t, s.Apply(time.Second, Command{Type: "error-rate", Service: "payment", Rate: pF(0)}))
	s.RunUntil(10 * time.Second)
	tl := onlySaga(t, s)
	// The fifth refund attempt (1745 ms) succeeds; the entry spans all attempts.
	want := "create order:done@0-20 reserve inventory:done@20-30 charge payment:done@30-70 schedule shipping:failed@70-85 " +
		"refund payment:done@85-1785 release inventory:done@1785-1795 cancel order:done@1795-1795"
	if tl.State != "compensated" || stepsString(tl) != want || tl.Steps[4].Attempts != 5 {
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
	// Payment fails every charge: the consumer never acks, the message is
	// redelivered until dead-lettered... while the saga waits. A business rule
	// instead fails the step at once and compensates over the broker.
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
