package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Cookies are free, so a client that is a new learner for every start is
// still one address: it gets PerAddress labs at once, and no more than
// StartsPerMinute starts a minute, whatever learners it claims to be.
func TestAddressLimitsHoldForCookielessClients(t *testing.T) {
	m := NewManager(Limits{Total: 100, PerAddress: 4, StartsPerMinute: 100}, slogDiscard())
	defer m.Close()
	for i := range 6 {
		_, err := m.Start(fmt.Sprintf("stranger-%d", i), "198.51.100.9", nil)
		if want := error(nil); i >= 4 {
			if !errors.Is(err, ErrAddressLabs) {
				t.Errorf("start %d: %v, want ErrAddressLabs", i, err)
			}
		} else if err != want {
			t.Errorf("start %d: %v", i, err)
		}
	}
	if _, err := m.Start("someone", "203.0.113.5", nil); err != nil {
		t.Errorf("another address: %v", err)
	}

	// Ending each lab at once frees its place, but not its start.
	m2 := NewManager(Limits{PerAddress: 100, StartsPerMinute: 3}, slogDiscard())
	defer m2.Close()
	for i := range 4 {
		l, err := m2.Start(fmt.Sprintf("stranger-%d", i), "198.51.100.9", nil)
		if i == 3 {
			if !errors.Is(err, ErrStartRate) {
				t.Errorf("a fourth start in a minute: %v, want ErrStartRate", err)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		l.End(CloseNormal, "done")
		<-l.Done()
	}
}

// Lab connections are bounded per address and in all.
func TestSocketLimits(t *testing.T) {
	m := NewManager(Limits{Sockets: 3, SocketsPerAddress: 2}, slogDiscard())
	defer m.Close()
	l, err := m.Start("ann", "192.0.2.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	a1, err1 := l.Join(false, "192.0.2.1")
	_, err2 := l.Join(false, "192.0.2.1")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := l.Join(false, "192.0.2.1"); !errors.Is(err, ErrAddressSockets) {
		t.Errorf("a third socket from one address: %v, want ErrAddressSockets", err)
	}
	if _, err := l.Join(false, "192.0.2.2"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Join(false, "192.0.2.3"); !errors.Is(err, ErrSockets) {
		t.Errorf("a fourth socket on a server of three: %v, want ErrSockets", err)
	}
	a1.Leave()
	if _, err := l.Join(false, "192.0.2.3"); err != nil {
		t.Errorf("after one left: %v", err)
	}
}

// However many labs simulate, together they get the budget, shared
// equally; one lab alone keeps its own bound.
func TestCPUBudgetIsShared(t *testing.T) {
	b := cpuBudget{total: 100 * time.Millisecond}
	if got := b.share(tickBudget); got != tickBudget {
		t.Errorf("alone: %v, want %v", got, tickBudget)
	}
	var on [12]bool
	for i := range on {
		on[i] = b.setActive(on[i], true)
	}
	if got, want := b.share(ffBudget), 100*time.Millisecond/12; got != want {
		t.Errorf("twelve labs: %v each, want %v", got, want)
	}
	for i := range on {
		on[i] = b.setActive(on[i], false)
	}
	if n := b.active.Load(); n != 0 {
		t.Errorf("%d labs still counted", n)
	}
}

// A lab counts in the budget only while it is watched and runs.
func TestLabsCountInTheBudgetWhileWatchedAndRunning(t *testing.T) {
	m := NewManager(Limits{}, slogDiscard())
	defer m.Close()
	l, err := m.Start("ann", "192.0.2.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	wait := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for m.budget.active.Load() != want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := m.budget.active.Load(); got != want {
			t.Fatalf("%d labs simulating, want %d", got, want)
		}
	}
	wait(0)
	v, err := l.Join(true, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range v.Frames() {
		}
	}()
	wait(1)
	v.Send([]byte(`{"type":"pause"}`))
	wait(0)
	v.Send([]byte(`{"type":"resume"}`))
	wait(1)
	v.Leave()
	wait(0)
}

// A lab ends after its lifetime, watched or not.
func TestLabLifeIsBounded(t *testing.T) {
	m := NewManager(Limits{Life: 200 * time.Millisecond}, slogDiscard())
	defer m.Close()
	l, err := m.Start("ann", "192.0.2.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := l.Join(false, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Leave()
	go func() {
		for range v.Frames() {
		}
	}()
	select {
	case <-v.Gone():
	case <-time.After(3 * time.Second):
		t.Fatal("a watched lab outlived its lifetime")
	}
	if code, reason := v.Goodbye(); code != CloseNormal || reason == "" {
		t.Errorf("goodbye %d %q", code, reason)
	}
}

// An owner's sockets share one command budget: two sockets do not get
// twice the rate.
func TestOwnerSocketsShareOneBudget(t *testing.T) {
	m := NewManager(Limits{}, slogDiscard())
	defer m.Close()
	l, err := m.Start("ann", "192.0.2.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := l.Join(true, "192.0.2.1")
	b, _ := l.Join(true, "192.0.2.1")
	defer a.Leave()
	defer b.Leave()
	refused := 0
	for i := range 2 * rate {
		v := a
		if i%2 == 1 {
			v = b
		}
		var r struct{ Code string }
		json.Unmarshal(v.Send([]byte(`{"type":"speed","value":2}`)), &r)
		if r.Code == "rate-limited" {
			refused++
		}
	}
	if refused < rate-2 {
		t.Errorf("%d of %d messages over two owner sockets refused, want about %d", refused, 2*rate, rate)
	}
}
