package web

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// scrape reads the server's metrics as Prometheus would, from the metrics
// handler, and returns the exposition text.
func scrape(tb testing.TB, ts *testServer) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	ts.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /metrics from the metrics handler = %d", rec.Code)
	}
	return rec.Body.String()
}

// requestSeries counts the request metrics' series: every label set of the
// counter and of the histogram.
func requestSeries(text string) int {
	n := 0
	lines := bufio.NewScanner(strings.NewReader(text))
	for lines.Scan() {
		l := lines.Text()
		if strings.HasPrefix(l, "microlab_http_requests_total{") || strings.HasPrefix(l, "microlab_http_request_duration_seconds_count{") {
			n++
		}
	}
	return n
}

// Made-up methods and paths must not mint label values: an anonymous
// client could otherwise grow the heap and the scrape without bound.
func TestMetricsLabelsComeFromAClosedSet(t *testing.T) {
	ts := newTestServer(t)
	send := func(i int) {
		method := fmt.Sprintf("X-MADE-UP-%d", i)
		for _, target := range []string{"/", fmt.Sprintf("/no-such-page-%d", i), fmt.Sprintf("/patterns/nope-%d", i)} {
			ts.do(t, httptest.NewRequest(method, target, nil))
			ts.get(t, target)
		}
	}
	send(0)
	before := requestSeries(scrape(t, ts))
	for i := 1; i <= 1000; i++ {
		send(i)
	}
	text := scrape(t, ts)
	if got := requestSeries(text); got != before {
		t.Errorf("after 1000 made-up methods and paths there are %d request series, want %d as after the first", got, before)
	}
	for _, want := range []string{`method="other"`, `route="unmatched"`} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, "X-MADE-UP") || strings.Contains(text, "no-such-page") {
		t.Error("a made-up method or path reached a label")
	}
}

// The metrics are for operators, on a listener of their own: the public
// site has no /metrics, and the metrics handler still counts every request.
func TestMetricsAreNotOnThePublicRouter(t *testing.T) {
	ts := newTestServer(t)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		if res := ts.do(t, httptest.NewRequest(method, "/metrics", nil)); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s /metrics on the public router = %d, want 404", method, res.StatusCode)
		}
	}
	ts.get(t, "/patterns")
	text := scrape(t, ts)
	for _, want := range []string{
		`microlab_http_requests_total{method="GET",route="/patterns",status="200"} 1`,
		`microlab_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`microlab_http_requests_total{method="HEAD",route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the metrics handler lacks %s", want)
		}
	}
	rec := httptest.NewRecorder()
	ts.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET / on the metrics handler = %d, want 404: it serves /metrics only", rec.Code)
	}
}
