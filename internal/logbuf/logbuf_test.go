package logbuf

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a destination that counts its writes.
type recorder struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	return r.buf.Write(p)
}

func (r *recorder) state() (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String(), r.writes
}

func TestManyLinesMakeOneWrite(t *testing.T) {
	dst := &recorder{}
	w := New(dst, 64<<10, time.Hour)
	for i := range 100 {
		fmt.Fprintf(w, "line %d\n", i)
	}
	if _, n := dst.state(); n != 0 {
		t.Fatalf("%d writes before the batch was due, want 0", n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, n := dst.state()
	if n != 1 {
		t.Errorf("100 lines took %d writes, want 1", n)
	}
	if lines := strings.Count(got, "\n"); lines != 100 || !strings.HasSuffix(got, "line 99\n") {
		t.Errorf("the destination has %d lines ending %q", lines, got[len(got)-10:])
	}
}

func TestALineAppearsWithinTheInterval(t *testing.T) {
	dst := &recorder{}
	w := New(dst, 64<<10, 10*time.Millisecond)
	defer w.Close()
	w.Write([]byte("hello\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if got, _ := dst.state(); got == "hello\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the line was not written within 5 s of a 10 ms interval")
		}
		time.Sleep(time.Millisecond)
	}
}

// A full buffer writes what it holds before the next line, so a line is
// never split across two writes.
func TestALineIsNeverSplit(t *testing.T) {
	dst := &recorder{}
	w := New(dst, 16, time.Hour)
	w.Write([]byte("0123456789\n"))
	w.Write([]byte("abcdefghij\n"))
	if got, n := dst.state(); got != "0123456789\n" || n != 1 {
		t.Errorf("after the second line the destination has %q in %d writes, want the first line whole in 1", got, n)
	}
	w.Close()
	if got, _ := dst.state(); got != "0123456789\nabcdefghij\n" {
		t.Errorf("after Close the destination has %q", got)
	}
}

func TestWritesAfterCloseGoStraightThrough(t *testing.T) {
	dst := &recorder{}
	w := New(dst, 64<<10, time.Hour)
	w.Close()
	w.Write([]byte("late\n"))
	if got, _ := dst.state(); got != "late\n" {
		t.Errorf("a write after Close left %q at the destination", got)
	}
	if err := w.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

func TestConcurrentLinesStayWhole(t *testing.T) {
	dst := &recorder{}
	w := New(dst, 256, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				fmt.Fprintf(w, "goroutine %d line %03d\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Close()
	got, _ := dst.state()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for _, l := range lines {
		var g, i int
		if n, err := fmt.Sscanf(l, "goroutine %d line %d", &g, &i); n != 2 || err != nil {
			t.Fatalf("a line came out mixed: %q", l)
		}
	}
}
