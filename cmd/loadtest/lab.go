package main

// The lab benchmark: many viewers on one live lab.
//
//	go run ./cmd/loadtest -lab-viewers 500 -duration 20s
//
// The server runs in a child process (this same binary, with -lab-child), so
// that its CPU time is its own and not the 500 clients'. The parent starts
// a free-play lab as a learner would (page, CSRF token, POST), connects the
// owner and then the viewers, and measures for -duration:
//
//   - server CPU: the child's user+system time over the window, in cores;
//   - bytes per frame, as the viewers receive them;
//   - delay from a frame's creation (its "ts", the server's clock) to its
//     receipt, p50, p99 and max (both processes share the machine's clock);
//   - frames lost (gaps in "n") and key frames.
//
// Then, for memory, it starts -lab-mem labs with 10 viewers each and reports
// the child's heap growth per lab, after a GC on both sides of it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// labChild serves Microlab on a free port of 127.0.0.1, prints its URL, and
// runs until its standard input closes (the parent exited) or it is killed.
// Beside the site it answers /_loadtest/stats with its CPU time and heap.
func labChild() error {
	a, err := newApp()
	if err != nil {
		return err
	}
	defer a.close()
	app := a.server
	mux := http.NewServeMux()
	mux.Handle("/", app)
	mux.HandleFunc("/_loadtest/stats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") == "1" {
			runtime.GC()
			runtime.GC()
		}
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		json.NewEncoder(w).Encode(childStats{
			CPU:        time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
			HeapAlloc:  ms.HeapAlloc,
			Goroutines: runtime.NumGoroutine(),
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := app.HTTPServer("")
	srv.Handler = mux
	go srv.Serve(ln)
	fmt.Printf("http://%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin) // until the parent goes
	return nil
}

type childStats struct {
	CPU        time.Duration
	HeapAlloc  uint64
	Goroutines int
}

func stats(base string, gc bool) (childStats, error) {
	u := base + "/_loadtest/stats"
	if gc {
		u += "?gc=1"
	}
	var s childStats
	res, err := http.Get(u)
	if err != nil {
		return s, err
	}
	defer res.Body.Close()
	return s, json.NewDecoder(res.Body).Decode(&s)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// startLab starts a free-play lab as a new learner and returns its path and
// the learner's cookie header.
func startLab(base string) (string, string, error) { return startLabOf(base, "free-play") }

// startLabOf starts a lab of slug, a scenario or "free-play".
func startLabOf(base, slug string) (string, string, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(base + "/lab/" + slug)
	if err != nil {
		return "", "", err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return "", "", errors.New("no CSRF token on /lab/" + slug)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/lab/"+slug, strings.NewReader("_csrf="+url.QueryEscape(string(m[1]))))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err = client.Do(req)
	if err != nil {
		return "", "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return "", "", fmt.Errorf("starting a lab: %s", res.Status)
	}
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return res.Header.Get("Location"), strings.Join(cookies, "; "), nil
}

func dialLab(base, path, cookie string) (*websocket.Conn, error) {
	h := http.Header{"Origin": {base}}
	if cookie != "" {
		h.Set("Cookie", cookie)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 8192}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+path+"/ws", h)
	return conn, err
}

// viewerStats is what one viewer saw during the window.
type viewerStats struct {
	frames, keys, lost, bytes int
	sizes                     []int
	delays                    []time.Duration
}

// watch reads frames until the connection closes, recording those received
// while measuring is set.
func watch(conn *websocket.Conn, measuring *atomic.Bool, st *viewerStats) {
	var last int64 = -1
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now().UnixMicro()
		if !bytes.HasPrefix(data, []byte(`{"type":"frame","n":`)) {
			continue
		}
		n, rest := leadingInt(data[len(`{"type":"frame","n":`):])
		if !bytes.HasPrefix(rest, []byte(`,"ts":`)) {
			continue
		}
		ts, _ := leadingInt(rest[len(`,"ts":`):])
		if measuring.Load() {
			st.frames++
			st.bytes += len(data)
			st.sizes = append(st.sizes, len(data))
			st.delays = append(st.delays, time.Duration(now-ts)*time.Microsecond)
			if last >= 0 && n > last+1 {
				st.lost += int(n - last - 1)
			}
			if bytes.Contains(data, []byte(`"key":true`)) {
				st.keys++
			}
		}
		last = n
	}
}

// ownerTallies reads the owner's socket, counting the class messages and
// keeping the last tally's count of voters.
func ownerTallies(conn *websocket.Conn, n, voted *atomic.Int64) {
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if !bytes.HasPrefix(data, []byte(`{"type":"class"`)) {
			continue
		}
		var m struct {
			Voted int64 `json:"voted"`
		}
		if json.Unmarshal(data, &m) == nil {
			n.Add(1)
			voted.Store(m.Voted)
		}
	}
}

// drain reads and drops a socket's messages (answering pings) until it closes.
func drain(conn *websocket.Conn) {
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
	}
}

func leadingInt(b []byte) (int64, []byte) {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	n, _ := strconv.ParseInt(string(b[:i]), 10, 64)
	return n, b[i:]
}

// startChild starts this binary as the server (-lab-child) and returns its
// URL and the function that stops it.
func startChild() (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-lab-child")
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("child server: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// runLab is the benchmark.
// runLab measures one lab watched by viewers. With class set it is a
// scenario's lab in class mode, waiting for the owner's prediction while
// every viewer votes, changing their vote every 1 to 3 s, and the owner
// hears the tally.
func runLab(viewers int, duration time.Duration, memLabs int, class bool) error {
	base, stop, err := startChild()
	if err != nil {
		return err
	}
	defer stop()

	slug := "free-play"
	if class {
		slug = "payment-outage"
	}
	path, cookie, err := startLabOf(base, slug)
	if err != nil {
		return err
	}
	owner, err := dialLab(base, path, cookie)
	if err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	defer owner.Close()
	var tallies atomic.Int64 // class messages the owner heard
	var lastVoted atomic.Int64
	if class {
		if err := owner.WriteMessage(websocket.TextMessage, []byte(`{"type":"class","on":true}`)); err != nil {
			return err
		}
		go ownerTallies(owner, &tallies, &lastVoted)
	} else {
		go drain(owner)
	}

	var measuring atomic.Bool
	all := make([]*viewerStats, viewers)
	conns := make([]*websocket.Conn, 0, viewers)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range all {
		conn, err := dialLab(base, path, "")
		if err != nil {
			return fmt.Errorf("viewer %d: %w", i, err)
		}
		conns = append(conns, conn)
		all[i] = &viewerStats{}
		wg.Add(1)
		go func(st *viewerStats) {
			defer wg.Done()
			watch(conn, &measuring, st)
		}(all[i])
	}
	fmt.Printf("%d viewers connected to one %s lab in %s; settling for 2 s\n", viewers, slug, time.Since(t0).Round(time.Millisecond))
	time.Sleep(2 * time.Second)

	before, err := stats(base, false)
	if err != nil {
		return err
	}
	start := time.Now()
	measuring.Store(true)
	var votes atomic.Int64
	stopVoting := make(chan struct{})
	var voters sync.WaitGroup
	if class {
		for i, conn := range conns {
			voters.Add(1)
			go func() {
				defer voters.Done()
				rng := rand.New(rand.NewPCG(uint64(i), 7))
				for {
					select {
					case <-stopVoting:
						return
					case <-time.After(time.Second + time.Duration(rng.Int64N(int64(2*time.Second)))):
					}
					msg := fmt.Sprintf(`{"type":"vote","option":%d}`, rng.IntN(4))
					if conn.WriteMessage(websocket.TextMessage, []byte(msg)) != nil {
						return
					}
					votes.Add(1)
				}
			}()
		}
	}
	tallies0 := tallies.Load()
	time.Sleep(duration)
	measuring.Store(false)
	close(stopVoting)
	voters.Wait()
	wall := time.Since(start)
	after, err := stats(base, false)
	if err != nil {
		return err
	}
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()

	var sizes []int
	var delays []time.Duration
	frames, keys, lost, total := 0, 0, 0, 0
	for _, st := range all {
		frames += st.frames
		keys += st.keys
		lost += st.lost
		total += st.bytes
		sizes = append(sizes, st.sizes...)
		delays = append(delays, st.delays...)
	}
	if frames == 0 {
		return errors.New("no frames arrived")
	}
	sort.Ints(sizes)
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	q := func(p float64) time.Duration { return delays[int(p*float64(len(delays)-1))] }
	cpu := after.CPU - before.CPU
	fmt.Printf("\nwindow %s, GOMAXPROCS %d, %d CPUs\n", wall.Round(time.Millisecond), runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Printf("server CPU            %.3f cores (%s of CPU in %s)\n", cpu.Seconds()/wall.Seconds(), cpu.Round(time.Millisecond), wall.Round(time.Millisecond))
	fmt.Printf("frames per viewer     %.2f a second (%d frames in all; %d lost, %d key frames)\n",
		float64(frames)/float64(viewers)/wall.Seconds(), frames, lost, keys)
	fmt.Printf("bytes per frame       mean %d, p50 %d, p99 %d, max %d\n", total/frames, sizes[len(sizes)/2], sizes[int(0.99*float64(len(sizes)-1))], sizes[len(sizes)-1])
	fmt.Printf("frame delay           p50 %s, p99 %s, max %s (creation on the server to receipt)\n",
		q(0.5).Round(time.Microsecond), q(0.99).Round(time.Microsecond), delays[len(delays)-1].Round(time.Microsecond))
	if class {
		fmt.Printf("class                 %d votes sent (%.0f a second); the owner heard %d tallies, the last with %d of %d viewers voted\n",
			votes.Load(), float64(votes.Load())/wall.Seconds(), tallies.Load()-tallies0, lastVoted.Load(), viewers)
	}

	if memLabs <= 0 {
		return nil
	}
	time.Sleep(500 * time.Millisecond) // the viewers' sockets wind down
	base0, err := stats(base, true)
	if err != nil {
		return err
	}
	var extra []*websocket.Conn
	for i := 0; i < memLabs; i++ {
		p, ck, err := startLab(base)
		if err != nil {
			return err
		}
		for v := 0; v < 10; v++ {
			c := ck
			if v > 0 {
				c = "" // one owner, nine viewers
			}
			conn, err := dialLab(base, p, c)
			if err != nil {
				return err
			}
			extra = append(extra, conn)
			go drain(conn)
		}
	}
	time.Sleep(3 * time.Second) // running, ten frames a second each
	withLabs, err := stats(base, true)
	if err != nil {
		return err
	}
	for _, c := range extra {
		c.Close()
	}
	perLab := (int64(withLabs.HeapAlloc) - int64(base0.HeapAlloc)) / int64(memLabs)
	fmt.Printf("memory per lab        %.2f MB of heap with 10 viewers (%d labs: %.1f MB → %.1f MB; %d goroutines)\n",
		float64(perLab)/(1<<20), memLabs, float64(base0.HeapAlloc)/(1<<20), float64(withLabs.HeapAlloc)/(1<<20), withLabs.Goroutines)
	return nil
}
