package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"microlab/content"
	"microlab/internal/materials"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFlagWinsOverEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{"defaults", nil, nil, Config{Addr: "127.0.0.1:8080", MetricsAddr: "127.0.0.1:9464", DataDir: "./data", LogLevel: slog.LevelInfo, Labs: 200}},
		{"environment", nil, map[string]string{"MICROLAB_ADDR": ":9000", "MICROLAB_METRICS_ADDR": ":9100", "MICROLAB_DATA": "/d", "MICROLAB_LOG_LEVEL": "debug", "MICROLAB_BASE_URL": "https://m.example", "MICROLAB_LABS": "50"},
			Config{Addr: ":9000", MetricsAddr: ":9100", DataDir: "/d", LogLevel: slog.LevelDebug, BaseURL: "https://m.example", Labs: 50}},
		{"flags win", []string{"-addr", ":7000", "-metrics-addr", "127.0.0.1:7001", "-log-level", "WARN", "-data", "/f", "-labs", "20"}, map[string]string{"MICROLAB_ADDR": ":9000", "MICROLAB_METRICS_ADDR": ":9100", "MICROLAB_LOG_LEVEL": "debug", "MICROLAB_DATA": "/d", "MICROLAB_LABS": "50"},
			Config{Addr: ":7000", MetricsAddr: "127.0.0.1:7001", DataDir: "/f", LogLevel: slog.LevelWarn, Labs: 20}},
		{"no metrics by flag", []string{"-metrics-addr", ""}, map[string]string{"MICROLAB_METRICS_ADDR": ":9100"},
			Config{Addr: "127.0.0.1:8080", DataDir: "./data", LogLevel: slog.LevelInfo, Labs: 200}},
		{"no metrics by environment", nil, map[string]string{"MICROLAB_METRICS_ADDR": "off"},
			Config{Addr: "127.0.0.1:8080", DataDir: "./data", LogLevel: slog.LevelInfo, Labs: 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConfig(tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got.RunsTTL != 30*24*time.Hour {
				t.Errorf("runs-ttl defaults to %v, want 30 days", got.RunsTTL)
			}
			got.ShutdownTimeout, got.RunsTTL = 0, 0
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("config = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestConfigRejectsNonsense(t *testing.T) {
	for _, args := range [][]string{{"-log-level", "loud"}, {"stray"}, {"-shutdown-timeout", "-1s"}, {"-runs-ttl", "1s"}, {"-runs-ttl", "9000h"}, {"-nope"}, {"-labs", "0"}, {"-labs", "many"},
		{"-metrics-addr", "9090"}, {"-trusted-proxies", "10.0.0.0/33"}, {"-trusted-proxies", "proxy.example"}, {"-lab-sockets", "-1"}, {"-labs-per-address", "x"}} {
		if _, err := parseConfig(args, env(nil), io.Discard); err == nil {
			t.Errorf("parseConfig(%q) succeeded, want an error", args)
		}
	}
	if code := run(context.Background(), []string{"-log-level", "loud"}, env(nil), io.Discard, io.Discard); code != 2 {
		t.Errorf("run with a bad flag = %d, want 2", code)
	}
}

// syncBuffer is a bytes.Buffer safe to write from the server goroutine and
// read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs the server on a free port, its metrics on another, and
// returns its URL and a function that stops it and returns its exit
// status. args are added to the command line.
func startServer(t *testing.T, dataDir string, args ...string) (url string, stop func() int, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-data", dataDir, "-log-level", "warn"}, args...), env(nil), &stdout, stderr)
	}()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(stdout.String(), "http://") {
		select {
		case code := <-done:
			t.Fatalf("server exited with %d before serving: %s", code, stderr.String())
		case <-deadline:
			cancel()
			t.Fatalf("server printed no URL; stderr: %s", stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	url = strings.TrimSpace(stdout.String()[strings.Index(stdout.String(), "http://"):])
	return url, func() int { cancel(); return <-done }, stderr
}

func TestServeHealthcheckAndGracefulShutdown(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "nested", "data")
	url, stop, stderr := startServer(t, dataDir)

	res, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "microlab.db")); err != nil {
		t.Errorf("database not created under the data folder: %v", err)
	}

	addr := strings.TrimPrefix(url, "http://")
	if code := run(context.Background(), []string{"healthcheck", "-addr", addr}, env(nil), io.Discard, io.Discard); code != 0 {
		t.Errorf("healthcheck against a live server = %d, want 0", code)
	}
	// The same port on the unspecified address, as in a container.
	port := addr[strings.LastIndex(addr, ":"):]
	if code := run(context.Background(), []string{"healthcheck", "-addr", "0.0.0.0" + port}, env(nil), io.Discard, io.Discard); code != 0 {
		t.Errorf("healthcheck via 0.0.0.0 = %d, want 0", code)
	}

	if code := stop(); code != 0 {
		t.Errorf("exit status after shutdown = %d, want 0; stderr: %s", code, stderr.String())
	}
	if code := run(context.Background(), []string{"healthcheck", "-addr", addr}, env(nil), io.Discard, io.Discard); code != 1 {
		t.Errorf("healthcheck against a stopped server = %d, want 1", code)
	}
}

// The shipped content must load with every cross-check on: lab links
// against the simulator's scenarios, quiz links against the banks, and
// the banks against the pages.
func TestShippedContentLoadsWithAllChecks(t *testing.T) {
	lib, catalog, err := materials.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lib.Pages(content.KindQuestion)); n != 10 {
		t.Errorf("loaded %d interview questions, want the ten", n)
	}
	if n := len(lib.All()); n < 31 {
		t.Errorf("loaded %d pages, want at least 31 (14 patterns, 10 questions, 7 guides)", n)
	}
	if n := catalog.Len(); n < 260 {
		t.Errorf("loaded %d quiz questions, want at least 260", n)
	}
}

// Shutting down ends the live labs: every lab socket hears 1001 (going
// away), which http.Server.Shutdown alone would never send.
// openLabSocket starts a free-play lab as a new learner and opens its
// socket; the hello has been read.
func openLabSocket(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(url + "/lab/free-play")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on /lab/free-play")
	}
	res, err = client.PostForm(url+"/lab/free-play", neturl.Values{"_csrf": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || loc == "" {
		t.Fatalf("starting a lab = %d %q", res.StatusCode, loc)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(url, "http")+loc+"/ws", http.Header{"Origin": {url}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, _, err := conn.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	return conn
}

// closed reports, once conn's reader fails, the error and when.
func closed(conn *websocket.Conn) <-chan error {
	codes := make(chan error, 1)
	go func() {
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				codes <- err
				return
			}
		}
	}()
	return codes
}

func TestShutdownSaysGoingAwayToLabSockets(t *testing.T) {
	url, stop, stderr := startServer(t, t.TempDir())
	codes := closed(openLabSocket(t, url))
	if code := stop(); code != 0 {
		t.Errorf("exit status = %d; stderr: %s", code, stderr.String())
	}
	select {
	case err := <-codes:
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("the lab socket ended with %v, want close 1001", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the lab socket was still open after shutdown")
	}
}

// A request that trickles in holds the shutdown for the grace and no
// longer, and the lab sockets hear goodbye at once, not after it.
func TestShutdownWithATricklingRequest(t *testing.T) {
	url, stop, _ := startServer(t, t.TempDir(), "-shutdown-timeout", "2s")
	codes := closed(openLabSocket(t, url))
	slow, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST /theme HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n", strings.TrimPrefix(url, "http://"))
	go func() {
		for range 200 {
			if _, err := slow.Write([]byte("a")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond) // the request is in flight
	start := time.Now()
	exited := make(chan int, 1)
	go func() { exited <- stop() }()
	select {
	case err := <-codes:
		if d := time.Since(start); !websocket.IsCloseError(err, websocket.CloseGoingAway) || d > time.Second {
			t.Errorf("the lab socket ended with %v after %v; want 1001 within a second", err, d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the lab socket was still open 5 s into the shutdown")
	}
	select {
	case <-exited:
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("shutdown took %v with a 2 s grace", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server had not exited 10 s after it was told to")
	}
}

func TestTrustedProxiesAndLabSockets(t *testing.T) {
	cfg, err := parseConfig([]string{"-trusted-proxies", "10.0.0.0/8, 192.0.2.7,2001:db8::/32"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range cfg.TrustedProxies {
		got = append(got, n.String())
	}
	if want := []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"}; !reflect.DeepEqual(got, want) {
		t.Errorf("trusted proxies %v, want %v", got, want)
	}
	if n := labSockets(123); n != 123 {
		t.Errorf("configured lab sockets: %d, want 123", n)
	}
	if n := labSockets(0); n < 64 || n > 10000 {
		t.Errorf("derived lab sockets %d, want 64..10000", n)
	}
}

// The default metrics address may be taken (another exporter, a second
// Microlab): the site starts all the same, without metrics.
func TestTakenDefaultMetricsAddressOnlyWarns(t *testing.T) {
	hold, err := net.Listen("tcp", defaultMetricsAddr)
	if err != nil {
		t.Skipf("cannot hold %s for the test: %v", defaultMetricsAddr, err)
	}
	defer hold.Close()
	url, stop, stderr := startServer(t, t.TempDir(), "-metrics-addr", defaultMetricsAddr)
	res, err := http.Get(url + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with the default metrics address taken: %v %v", res, err)
	}
	res.Body.Close()
	if code := stop(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !strings.Contains(stderr.String(), "metrics not served") {
		t.Errorf("no warning in the log: %s", stderr.String())
	}
}
