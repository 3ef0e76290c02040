package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A theme form's return address must be a plain path on this site.
// Browsers drop tabs and newlines inside URLs and read a backslash as a
// slash, so each bad value below would otherwise leave the site.
func TestThemeReturnIsAPlainLocalPath(t *testing.T) {
	ts := newTestServer(t)
	token := csrfFrom(t, ts)
	redirect := func(ret string) string {
		body := url.Values{"theme": {"dark"}, "return": {ret}, csrfField: {token}}
		req := httptest.NewRequest(http.MethodPost, "/theme", strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
		res := ts.do(t, req)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("return %q: status %d, want 303", ret, res.StatusCode)
		}
		return res.Header.Get("Location")
	}
	for _, bad := range []string{
		"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", "/\x00/evil.example",
		"/\x7f/evil.example", "/ /evil.example", "//evil.example", "///evil.example", "/\\evil.example",
		"\\/evil.example", "/\\/evil.example", "/patterns//evil.example", "https://evil.example",
		"javascript:alert(1)", "evil.example", "", "/" + strings.Repeat("a", 600), "/caf\u00e9",
	} {
		if got := redirect(bad); got != "/" {
			t.Errorf("return %q redirected to %q, want /", bad, got)
		}
	}
	for _, good := range []string{"/", "/quiz", "/patterns/circuit-breaker", "/lab/s/abc123", "/search", "/a:b"} {
		if got := redirect(good); got != good {
			t.Errorf("return %q redirected to %q, want it kept", good, got)
		}
	}
}
