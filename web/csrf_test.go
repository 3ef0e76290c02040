package web

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// postTheme posts the theme form with the given token in the body (or, when
// inQuery, only in the address), a CSRF cookie and an Origin.
func postTheme(ts *testServer, cookie, token, origin string, inQuery bool) *http.Response {
	form := url.Values{"theme": {"dark"}, "return": {"/"}}
	target := "/theme"
	if inQuery {
		target += "?_csrf=" + url.QueryEscape(token)
	} else {
		form.Set("_csrf", token)
	}
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, req)
	return rec.Result()
}

// Issue 10, item 13: the holes in the CSRF check.
func TestCSRFHoles(t *testing.T) {
	ts := newTestServer(t)
	good := csrfFrom(t, ts)
	if res := postTheme(ts, good, good, "http://example.com", false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good form = %d, want 303", res.StatusCode)
	}
	t.Run("the origin's scheme counts", func(t *testing.T) {
		if res := postTheme(ts, good, good, "https://example.com", false); res.StatusCode != http.StatusForbidden {
			t.Errorf("Origin https:// to an http server = %d, want 403", res.StatusCode)
		}
	})
	t.Run("the token is not taken from the address", func(t *testing.T) {
		// A token is too long for a query parameter (400) and the check
		// reads only the posted form (403): either way, refused.
		if res := postTheme(ts, good, good, "", true); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusBadRequest {
			t.Errorf("_csrf in the query string = %d, want 403 or 400", res.StatusCode)
		}
	})
	t.Run("a planted cookie is no token", func(t *testing.T) {
		for _, planted := range []string{strings.Repeat("A", 43), strings.Repeat("A", 43) + "." + strings.Repeat("B", 43)} {
			res := postTheme(ts, planted, planted, "", false)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("a cookie and token of the attacker's choosing (%d chars) = %d, want 403", len(planted), res.StatusCode)
			}
			reissued := false
			for _, ck := range res.Cookies() {
				reissued = reissued || (ck.Name == csrfCookie && ck.Value != planted && ts.validCSRFToken(ck.Value))
			}
			if !reissued {
				t.Error("the planted cookie was not replaced by a signed one")
			}
		}
	})
}

// X-Forwarded-Proto says the scheme only when a trusted proxy sends it.
func TestForwardedSchemeOnlyFromTrustedProxies(t *testing.T) {
	_, proxies, _ := net.ParseCIDR("192.0.2.0/24")
	ts := newConfiguredServer(t, func(c *Config) { c.TrustedProxies = []*net.IPNet{proxies} })
	for _, tc := range []struct {
		remote string
		want   string
	}{{"192.0.2.10:5000", "https"}, {"198.51.100.1:5000", "http"}} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		r.Header.Set("X-Forwarded-Proto", "https")
		if got := ts.requestScheme(r); got != tc.want {
			t.Errorf("from %s: scheme %q, want %q", tc.remote, got, tc.want)
		}
	}
}
