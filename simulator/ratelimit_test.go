package simulator

import (
	"testing"
	"time"
)

func TestTokenBucketAdmissionCounts(t *testing.T) {
	b := NewTokenBucket(20, 40)
	count := func(at time.Duration, n int) int {
		ok := 0
		for i := 0; i < n; i++ {
			if b.Allow(at) {
				ok++
			}
		}
		return ok
	}
	steps := []struct {
		at   time.Duration
		n    int
		want int
	}{
		{0, 50, 40},                      // a full bucket: the burst
		{49 * time.Millisecond, 5, 0},    // 0.98 tokens: not yet one
		{50 * time.Millisecond, 5, 1},    // 1 token at 20/s after 50 ms
		{150 * time.Millisecond, 5, 2},   // 2 more
		{10 * time.Second, 100, 40},      // refilled to the cap, not beyond
		{11 * time.Second, 100, 20},      // one second: 20 tokens
		{11500 * time.Millisecond, 3, 3}, // half a second: 10 tokens, 3 asked
		{11500 * time.Millisecond, 20, 7},
	}
	for _, st := range steps {
		if got := count(st.at, st.n); got != st.want {
			t.Fatalf("at %v: %d of %d admitted, want %d", st.at, got, st.n, st.want)
		}
	}
}

// In the whole simulation: 100 requests from one client at once, then 10 a second later.
func TestRateLimitInTheShop(t *testing.T) {
	cfg := quietConfig()
	cfg.Gateway.Auth.NoTokenShare = 0
	s := MustNew(cfg)
	for i := 0; i < 100; i++ {
		s.admit(kindBrowse, 6, true)
	}
	s.admit(kindBrowse, 7, true) // another client is not affected
	if s.gw.limited[6] != 60 || s.gw.passed[6] != 40 || s.gw.limited[7] != 0 {
		t.Fatalf("client-07: %d limited %d passed; client-08: %d limited; want 60, 40, 0", s.gw.limited[6], s.gw.passed[6], s.gw.limited[7])
	}
	s.RunUntil(time.Second)
	for i := 0; i < 30; i++ {
		s.admit(kindBrowse, 6, true)
	}
	if s.gw.limited[6] != 70 || s.gw.byCode[code429] != 70 {
		t.Fatalf("after 1 s: %d limited (%d 429s), want 70", s.gw.limited[6], s.gw.byCode[code429])
	}
	if n := len(s.Snapshot().Gateway.RateLimit.Limited); n != 1 {
		t.Fatalf("snapshot lists %d rate-limited clients, want 1", n)
	}
}
