package lab

import (
	"sync/atomic"
	"time"
)

// cpuBudget is the wall time all labs together may spend simulating in one
// tick, shared equally among the labs that simulate now (watched, and
// running or fast-forwarding). However many labs a client starts, they
// cannot take more than CPUShare of the machine between them, and the pages
// keep their share; each lab gets at most its own bound, so one lab alone
// runs as fast as it did before there was a budget.
type cpuBudget struct {
	total  time.Duration // per tick, for every lab together
	active atomic.Int32  // labs simulating now
}

// share is one simulating lab's part of this tick, at most limit.
func (b *cpuBudget) share(limit time.Duration) time.Duration {
	n := max(1, b.active.Load())
	return min(limit, b.total/time.Duration(n))
}

// setActive counts a lab in or out of the simulating labs; was is what it
// was counted as before, and the new state is returned.
func (b *cpuBudget) setActive(was, now bool) bool {
	switch {
	case now && !was:
		b.active.Add(1)
	case was && !now:
		b.active.Add(-1)
	}
	return now
}
