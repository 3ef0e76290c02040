// Package logbuf batches log lines on their way to a file or pipe.
//
// The server logs a line for every request. Written straight to stderr
// that is one write system call per request, which under load cost about
// as much as formatting the line. A Writer keeps lines in a buffer and
// writes them out when it fills, at a fixed interval, and on Close, so a
// busy server makes one write for many lines and an idle one still shows
// each line within the interval. The price is that a process killed
// without warning loses at most one interval of log lines; Go's own crash
// reports go to stderr directly and are never held here.
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer is an io.Writer that buffers what it is given and writes it to
// its destination in batches. It is safe for concurrent use; each Write
// reaches the destination whole and in order, never interleaved with
// another.
type Writer struct {
	mu     sync.Mutex
	buf    *bufio.Writer
	closed bool

	stop chan struct{}
	done chan struct{}
}

// New returns a Writer into dst that holds up to size bytes and writes
// what it holds at least every interval. Close it to write the rest and
// stop its timer.
func New(dst io.Writer, size int, interval time.Duration) *Writer {
	w := &Writer{buf: bufio.NewWriterSize(dst, size), stop: make(chan struct{}), done: make(chan struct{})}
	go w.flushEvery(interval)
	return w
}

// Write keeps p for the next batch; a p longer than the buffer is written
// at once. After Close, p goes straight to the destination, so nothing
// logged late in a shutdown is lost.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		n, err := w.buf.Write(p)
		if err == nil {
			err = w.buf.Flush()
		}
		return n, err
	}
	if w.buf.Available() < len(p) && w.buf.Buffered() > 0 {
		// Write what is held first, so that p is not split between two
		// system calls, where another process's output could come between.
		if err := w.buf.Flush(); err != nil {
			return 0, err
		}
	}
	return w.buf.Write(p)
}

// Flush writes what the Writer holds.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Flush()
}

// Close stops the timer and writes what is held. Writes after Close go to
// the destination one by one.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	return w.Flush()
}

func (w *Writer) flushEvery(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.Flush() // a destination that cannot be written has nowhere to report it
		case <-w.stop:
			return
		}
	}
}
