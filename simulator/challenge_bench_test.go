package simulator

import "testing"

// BenchmarkEvaluateChallenge scores each challenge's par configuration: one
// evaluation per iteration, so ns/op is the CPU one evaluation costs (the
// target is under 300 ms).
func BenchmarkEvaluateChallenge(b *testing.B) {
	for _, ch := range Challenges() {
		b.Run(ch.Slug, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Evaluate(ch, ch.Par, uint64(i+1))
			}
		})
	}
}
