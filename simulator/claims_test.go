package simulator

import "testing"

func TestTheSagaPivotClaimIsRetried(t *testing.T) {
	got, ok := DecideClaim("saga-pivot")
	if !ok || got != "retried" {
		t.Errorf(`DecideClaim("saga-pivot") = %q, %v; want "retried": shipping fails after the charge, and the saga retries it`, got, ok)
	}
	if _, ok := DecideClaim("no-such-claim"); ok {
		t.Error("an unknown claim was decided")
	}
}

func BenchmarkDecideSagaPivot(b *testing.B) {
	for b.Loop() {
		DecideClaim("saga-pivot")
	}
}
