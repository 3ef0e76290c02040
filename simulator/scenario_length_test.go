package simulator

import (
	"testing"
	"time"
)

// A check about a window measures that window whatever the run's length:
// every scenario holds when it runs for its own duration, for an odd length
// past it and for ten minutes, the longest a lab or `sim --for` is meant
// to run. (gateway-rate-limit once counted client-07's requests past the
// end of its burst, and failed its own check at --for 120s.)
func TestEveryScenarioHoldsFromItsDurationToTenMinutes(t *testing.T) {
	for _, sc := range Scenarios() {
		for _, d := range []time.Duration{sc.Duration, sc.Duration + 37*time.Second, 10 * time.Minute} {
			res := RunScenario(sc, 1, d)
			for _, v := range res.Checks {
				if !v.Pass && !v.Yours {
					t.Errorf("%s for %s: %q fails: %s", sc.Slug, d, v.Name, v.Detail)
				}
			}
		}
	}
}
