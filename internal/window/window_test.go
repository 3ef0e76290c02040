package window

import (
	"fmt"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	l := New(2, time.Minute, 0)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, true, false} {
		if got := l.Allow("a", t0.Add(time.Duration(i)*time.Second)); got != want {
			t.Errorf("event %d: %v, want %v", i, got, want)
		}
	}
	if !l.Allow("b", t0) {
		t.Error("another key is limited by the first")
	}
	if !l.Allow("a", t0.Add(time.Minute)) {
		t.Error("an event a minute ago still counts")
	}
	if l.Allow("a", t0.Add(time.Minute+500*time.Millisecond)) {
		t.Error("the second event of the window was forgotten too early")
	}
}

// Spent sees what Allow would say and records nothing.
func TestSpent(t *testing.T) {
	l := New(2, time.Minute, 0)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for range 5 {
		if l.Spent("a", t0) {
			t.Fatal("a key with no events is spent")
		}
	}
	l.Allow("a", t0)
	l.Allow("a", t0)
	if !l.Spent("a", t0.Add(time.Second)) {
		t.Error("a key with Max events in the window is not spent")
	}
	if l.Spent("a", t0.Add(time.Minute)) {
		t.Error("a key whose events left the window is still spent")
	}
}

// Made-up keys cannot grow the limit past its bound; the oldest go first.
func TestLimitIsBounded(t *testing.T) {
	l := New(1, time.Minute, 100)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		if !l.Allow(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatalf("key %d refused", i)
		}
	}
	if n := l.Len(); n > 100 {
		t.Errorf("%d keys held, want at most 100", n)
	}
	if l.Allow("999", t0.Add(time.Second)) {
		t.Error("the newest key was forgotten instead of the oldest")
	}
}
