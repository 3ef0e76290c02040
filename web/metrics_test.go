package web

import (
	"bufio"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// scrape reads the server's metrics as Prometheus would and returns the
// exposition text.
func scrape(tb testing.TB, ts *testServer) string {
	tb.Helper()
	b, err := io.ReadAll(ts.get(tb, "/metrics").Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
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
	scrape(t, ts) // a scrape is a request too: count its own series in the baseline
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
