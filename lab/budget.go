package lab

import (
	"errors"
	"runtime"
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

// ErrBusy is returned by Evaluate when the labs' CPU share is taken: by
// evaluations already running, or by live labs simulating now.
var ErrBusy = errors.New("lab: the simulator is busy")

// Evaluate runs fn, a whole simulation fast-forwarded on the caller's
// goroutine (a challenge's run), if the labs' CPU share has room for it:
// at most one evaluation per whole core of the share runs at a time, and
// none while the live labs simulating now have used up the share. fn is
// counted among the simulating labs while it runs, so live labs' shares
// shrink for it rather than the pages'. Otherwise it returns ErrBusy at
// once, without running fn.
func (m *Manager) Evaluate(fn func()) error {
	slots := max(1, int32(m.limits.CPUShare*float64(runtime.GOMAXPROCS(0))))
	if m.evaluating.Add(1) > slots {
		m.evaluating.Add(-1)
		return ErrBusy
	}
	defer m.evaluating.Add(-1)
	// Each live lab may take up to tickBudget of a tick; when they would
	// already fill the share between them, an evaluation waits its turn.
	if time.Duration(m.budget.active.Load())*tickBudget >= m.budget.total {
		return ErrBusy
	}
	m.budget.setActive(false, true)
	defer m.budget.setActive(true, false)
	fn()
	return nil
}
