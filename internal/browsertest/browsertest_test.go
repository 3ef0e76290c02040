package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The probes must be able to fail: a page that breaks its own CSP and logs
// an error has to show up in Problems.
func TestProblemsCatchesCSPViolationsAndConsoleErrors(t *testing.T) {
	b := New(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "script-src 'nonce-abc'")
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><title>t</title>
<script nonce="abc">console.error("boom from the page")</script>
<script>document.title = "inline ran"</script><p>hi</p>`))
	}))
	defer srv.Close()
	tab := b.NewTab(800, 600, "light")
	tab.Do(chromedp.Navigate(srv.URL))
	got := strings.Join(tab.Problems(), "\n")
	if !strings.Contains(got, "CSP violation: script-src") {
		t.Errorf("problems = %q, want a CSP violation for the inline script", got)
	}
	if !strings.Contains(got, "boom from the page") {
		t.Errorf("problems = %q, want the console error", got)
	}
}
