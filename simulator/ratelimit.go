package simulator

import "time"

// TokenBucket is an integer token bucket: Rate tokens a second, at most Burst stored,
// starting full. Arithmetic is in token-nanoseconds so it is exact and deterministic.
type TokenBucket struct {
	rate  int64 // tokens per second
	burst int64
	level int64 // token·ns: one token is 1e9
	last  time.Duration
}

// NewTokenBucket returns a full bucket.
func NewTokenBucket(rate, burst int) TokenBucket {
	return TokenBucket{rate: int64(rate), burst: int64(burst), level: int64(burst) * 1e9}
}

// Allow refills the bucket up to now and takes one token if there is one.
func (b *TokenBucket) Allow(now time.Duration) bool {
	if now > b.last {
		b.level += int64(now-b.last) * b.rate
		if max := b.burst * 1e9; b.level > max {
			b.level = max
		}
		b.last = now
	}
	if b.level >= 1e9 {
		b.level -= 1e9
		return true
	}
	return false
}

// Tokens returns the whole tokens in the bucket as of its last use.
func (b *TokenBucket) Tokens() int { return int(b.level / 1e9) }
