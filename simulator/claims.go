package simulator

import "time"

// A claim is a statement about the shop that a quiz question can make and
// the simulator can decide, so that the quiz never keys an answer the lab
// contradicts. DecideClaim runs the shop and says which outcome it shows.
var claims = map[string]func() string{
	// What the saga does when a step after the pivot (schedule shipping,
	// after the charge) fails: "retried" until it succeeds, or
	// "compensated" (refund, release, cancel).
	"saga-pivot": func() string {
		cfg := DefaultConfig()
		cfg.Seed = 1
		s := MustNew(cfg)
		s.Apply(3*time.Second, Command{Type: "error-rate", Service: "shipping", Rate: pF(1)})
		s.Apply(6*time.Second, Command{Type: "error-rate", Service: "shipping", Rate: pF(0)})
		s.RunUntil(20 * time.Second)
		after := s.sagas.afterPivot
		switch {
		case after[sagaCompensated] > 0:
			return "compensated"
		case after[sagaCompleted] > 0:
			return "retried"
		}
		return "undecided"
	},
}

// DecideClaim runs the simulation that decides the named claim and returns
// the outcome it shows; ok is false for a claim it does not know.
func DecideClaim(name string) (outcome string, ok bool) {
	decide, ok := claims[name]
	if !ok {
		return "", false
	}
	return decide(), true
}
