package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// metricsAddr waits for the server's "serving metrics" log line and
// returns the address it names.
func metricsAddr(t *testing.T, stderr *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(stderr.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving metrics" {
				return rec.Addr
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no \"serving metrics\" line in the log: %s", stderr.String())
	return ""
}

func mustGet(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The metrics are served on their own listener, counting the site's
// requests, and the site itself has no /metrics; both listeners close on
// shutdown.
func TestMetricsAreServedApartFromTheSite(t *testing.T) {
	url, stop, stderr := startServer(t, t.TempDir(), "-log-level", "info")
	addr := metricsAddr(t, stderr)
	if code, _ := mustGet(t, url+"/"); code != http.StatusOK {
		t.Fatalf("GET / = %d", code)
	}
	if code, _ := mustGet(t, url+"/metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics on the site = %d, want 404", code)
	}
	code, text := mustGet(t, "http://"+addr+"/metrics")
	if want := `microlab_http_requests_total{method="GET",route="/",status="200"} 1`; code != http.StatusOK || !strings.Contains(text, want) {
		t.Errorf("GET /metrics on %s = %d, want 200 with %s", addr, code, want)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit status = %d; stderr: %s", code, stderr.String())
	}
	if res, err := http.Get("http://" + addr + "/metrics"); err == nil {
		res.Body.Close()
		t.Error("the metrics listener still answers after shutdown")
	}
}

// Without a metrics address there is no metrics listener at all.
func TestNoMetricsAddressServesNoMetrics(t *testing.T) {
	_, stop, stderr := startServer(t, t.TempDir(), "-log-level", "info", "-metrics-addr", "")
	if code := stop(); code != 0 {
		t.Errorf("exit status = %d; stderr: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "serving metrics") {
		t.Error("the server served metrics with an empty -metrics-addr")
	}
}

// A metrics address that cannot be bound stops the start, saying why,
// rather than leave an operator scraping nothing.
func TestBusyMetricsAddressStopsTheStart(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var stderr syncBuffer
	args := []string{"-addr", "127.0.0.1:0", "-metrics-addr", busy.Addr().String(), "-data", t.TempDir()}
	if code := run(context.Background(), args, env(nil), io.Discard, &stderr); code != 1 {
		t.Errorf("run with a busy metrics address = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "listen for metrics on "+busy.Addr().String()) {
		t.Errorf("stderr = %q, want it to name the metrics address", stderr.String())
	}
}
