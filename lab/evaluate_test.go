package lab

import (
	"errors"
	"log/slog"
	"runtime"
	"testing"
	"time"
)

// Evaluations take the labs' CPU share: one per core of it at a time, and
// none while live labs fill it; a refused one never runs.
func TestEvaluateIsRefusedWhileTheShareIsTaken(t *testing.T) {
	m := NewManager(Limits{CPUShare: 0.5}, slog.New(slog.DiscardHandler))
	slots := max(1, int(0.5*float64(runtime.GOMAXPROCS(0))))
	release := make(chan struct{})
	started := make(chan struct{}, slots)
	for range slots {
		go m.Evaluate(func() { started <- struct{}{}; <-release })
	}
	for range slots {
		<-started
	}
	ran := false
	if err := m.Evaluate(func() { ran = true }); !errors.Is(err, ErrBusy) || ran {
		t.Errorf("with %d evaluations running: err %v, ran %v; want ErrBusy and not run", slots, err, ran)
	}
	if got := m.budget.active.Load(); got != int32(slots) {
		t.Errorf("%d simulating, want the %d evaluations counted", got, slots)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for m.evaluating.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := m.Evaluate(func() { ran = true }); err != nil || !ran {
		t.Errorf("once they ended: err %v, ran %v", err, ran)
	}

	// Live labs that fill the share between them keep evaluations out.
	for range int(m.budget.total/tickBudget) + 1 {
		m.budget.setActive(false, true)
	}
	ran = false
	if err := m.Evaluate(func() { ran = true }); !errors.Is(err, ErrBusy) || ran {
		t.Errorf("with the live labs filling the share: err %v, ran %v", err, ran)
	}
	if got := m.budget.active.Load(); got != int32(m.budget.total/tickBudget)+1 {
		t.Errorf("a refused evaluation left %d simulating", got)
	}
}
