package materials

import (
	"strings"
	"testing"
	"testing/fstest"

	"microlab/quiz"
)

// A bank whose key contradicts the simulator on a claim is refused; keyed
// the way the simulator shows, it loads.
func TestAQuizKeyTheSimulatorContradictsIsRefused(t *testing.T) {
	bank := func(keyRefund bool) fstest.MapFS {
		refund, retry := "", "        correct: true\n"
		if keyRefund {
			refund, retry = retry, ""
		}
		return fstest.MapFS{"quiz/saga.yaml": {Data: []byte(`topic: saga
questions:
  - id: saga-01
    type: single
    difficulty: easy
    prompt: Shipping fails after the charge. What does the saga do?
    claim: saga-pivot
    options:
      - text: Refunds, releases and cancels.
        outcome: compensated
` + refund + `        why: That unwinds a paid order.
      - text: Retries shipping until it succeeds.
        outcome: retried
` + retry + `        why: After the pivot the saga only goes forward.
      - text: Gives up at once.
        outcome: stuck
        why: An outage is ridden out.
`)}}
	}
	load := func(fsys fstest.MapFS) *quiz.Catalog {
		c, err := quiz.LoadCatalog(fsys, "quiz", []string{"saga"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if err := checkClaims(load(bank(false))); err != nil {
		t.Errorf("keyed as the simulator shows: %v", err)
	}
	err := checkClaims(load(bank(true)))
	if err == nil || !strings.Contains(err.Error(), `saga-01: the keyed option says saga-pivot "compensated", but the simulator shows "retried"`) {
		t.Errorf("keyed 'refund' for a failure after the pivot: %v, want it refused", err)
	}
}
