package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkHome is the whole middleware stack and the home page render,
// without the network: the server-side cost of one page view.
func BenchmarkHome(b *testing.B) {
	ts := newTestServer(b)
	ts.log = slog.New(slog.DiscardHandler)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		ts.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
