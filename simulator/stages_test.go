package simulator

import (
	"fmt"
	"testing"
	"time"
)

// learnerTries is, per lab, what a learner does at its "now you try" stage:
// the commands the stage's words ask for, a second after it begins.
var learnerTries = map[string][]Command{
	"dead-instance":      {{Type: "kill", Target: "catalog-1"}},
	"gateway-rate-limit": {{Type: "rate-limit", Rate: pF(1), Burst: pI(2)}},
	"payment-outage":     {{Type: "breaker", Edge: "orders>payment", SlowMS: pMS(500)}},
	"bulkhead-isolation": {{Type: "bulkhead", Edge: "gateway>inventory", MaxConcurrent: pI(100), MaxQueue: pI(100)}},
	"slow-consumer":      {{Type: "slow-consumer", Group: "notifications", MS: pMS(500)}},
	"saga-compensation":  {{Type: "crash", Service: "inventory"}},
	"sidecar-retries":    {{Type: "retries", Edge: "orders>inventory", Retries: pI(0)}},
	"cascading-failure":  {{Type: "timeout", Edge: "orders>inventory", MS: pMS(1000)}},
	"retry-storm":        {{Type: "breaker", Edge: "gateway>catalog", Enabled: pB(true)}},

	// The messaging labs (scenarios_messaging.go).
	"outbox-broker-outage": {{Type: "outbox", Enabled: pB(false)}, {Type: "broker-down"}},
	"duplicate-delivery": {{Type: "inbox", Group: "notifications", Enabled: pB(true)},
		{Type: "slow-consumer", Group: "notifications", MS: pMS(2500)}},
}

// Doing what a try stage asks makes its check hold, for several seeds, and
// leaves the checks decided before the stage as they were.
func TestEachTryHoldsWhenTried(t *testing.T) {
	for _, sc := range Scenarios() {
		cmds, ok := learnerTries[sc.Slug]
		if !ok {
			t.Errorf("%s: no learner's try in the table", sc.Slug)
			continue
		}
		var stage Stage
		for _, st := range sc.Stages {
			if st.Try != nil {
				stage = st
			}
		}
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s seed %d", sc.Slug, seed), func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Seed = seed
				sim := MustNew(cfg)
				script := NewScript(&sc, sim, 0)
				script.RunUntil(stage.At + time.Second)
				for _, c := range cmds {
					if err := sim.Apply(sim.Now(), c); err != nil {
						t.Fatal(err)
					}
				}
				script.RunUntil(script.Duration())
				for _, v := range script.Verdicts() {
					if !v.Pass {
						t.Errorf("%s (yours: %v): %s", v.Name, v.Yours, v.Detail)
					}
				}
			})
		}
	}
}

// A script told to hold stops at a stage's question, goes no further
// however far it is asked to run, and goes on once answered; the answer
// changes nothing in the run, so the guided run equals the straight one.
func TestAScriptHoldsAtAQuestionUntilAnswered(t *testing.T) {
	sc, _ := ScenarioBySlug("payment-outage")
	ask := -1
	for i, st := range sc.Stages {
		if st.Asks() {
			ask = i
			break
		}
	}
	if ask < 0 {
		t.Fatal("payment-outage asks nothing after the start")
	}
	at := sc.Stages[ask].At
	guided := NewScript(&sc, MustNew(DefaultConfig()), 0)
	guided.HoldAtQuestions()
	guided.RunUntil(at - time.Millisecond)
	if guided.Asking() != -1 || guided.Stage() != ask-1 {
		t.Fatalf("before the stage: asking %d, stage %d", guided.Asking(), guided.Stage())
	}
	guided.RunUntil(at + 10*time.Second)
	if guided.Asking() != ask || guided.sim.Now() != at || guided.Stage() != ask {
		t.Fatalf("asked to run past the question: asking %d, stage %d, at %v (want %d at %v)",
			guided.Asking(), guided.Stage(), guided.sim.Now(), ask, at)
	}
	if err := guided.Answer(ask, 99); err == nil {
		t.Error("an option out of range was accepted")
	}
	if err := guided.Answer(0, 0); err == nil {
		t.Error("a stage that asks nothing was answered")
	}
	if err := guided.Answer(ask, 1); err != nil {
		t.Fatal(err)
	}
	if err := guided.Answer(ask, 2); err == nil {
		t.Error("a stage was answered twice")
	}
	if guided.Asking() != -1 || guided.Answers()[ask] != 1 {
		t.Fatalf("after the answer: asking %d, answers %v", guided.Asking(), guided.Answers())
	}
	guided.RunUntil(guided.Duration())

	straight := RunScenario(sc, DefaultConfig().Seed, 0)
	got := guided.Result()
	if fmt.Sprint(got.Checks) != fmt.Sprint(straight.Checks) || got.Snapshot.Gateway.Received != straight.Snapshot.Gateway.Received {
		t.Fatalf("the guided run differs from the straight one:\n%v\n%v", got.Checks, straight.Checks)
	}
	if !guided.Ended() {
		t.Error("the guided run did not end")
	}
}
