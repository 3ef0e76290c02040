package web

import (
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A body sent in chunks, with no Content-Length to refuse up front, must
// still be refused as too large, whatever the route's checks would say of
// the part they could read.
func TestChunkedBodyOverTheLimitIs413(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	token := csrfFrom(t, ts)
	for _, tc := range []struct {
		name         string
		tokenHeader  bool
		size, status int
	}{
		{"token in the form", false, 100 << 10, http.StatusRequestEntityTooLarge},
		{"token in the header", true, 100 << 10, http.StatusRequestEntityTooLarge},
		{"under the limit", true, 1 << 10, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// io.MultiReader hides the length, so the client sends chunks.
			body := io.MultiReader(strings.NewReader("theme=dark&"+csrfField+"="+token+"&pad="), strings.NewReader(strings.Repeat("x", tc.size)))
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/theme", body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.tokenHeader {
				req.Header.Set(csrfHeader, token)
			}
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
			res, err := noRedirects.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if req.ContentLength > 0 {
				t.Fatalf("the request had a Content-Length (%d); the test needs chunks", req.ContentLength)
			}
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status == http.StatusRequestEntityTooLarge {
				if b, _ := io.ReadAll(res.Body); !strings.Contains(string(b), "limit here is 64 KB") {
					t.Error("the 413 page does not say what the limit is")
				}
			}
		})
	}
}

// The search form allows 200 characters in any script: the query string's
// bound counts characters, and its byte bound leaves room for the longest
// encoding. Every other parameter stays short.
func TestQueryBoundsCountCharacters(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		name, target string
		status       int
		says         string
	}{
		{"150 CJK characters", "/search?q=" + url.QueryEscape(strings.Repeat("漢", 150)), http.StatusOK, ""},
		{"200 CJK characters", "/search?q=" + url.QueryEscape(strings.Repeat("漢", 200)), http.StatusOK, ""},
		{"200 four-byte characters", "/search?q=" + url.QueryEscape(strings.Repeat("𠀋", 200)), http.StatusOK, ""},
		{"200 CJK characters among spaces", "/search?q=" + url.QueryEscape("  "+strings.Repeat("漢", 200)+"  ") + "&x=1", http.StatusOK, ""},
		{"201 CJK characters", "/search?q=" + url.QueryEscape(strings.Repeat("漢", 201)), http.StatusBadRequest, "limit is 200"},
		{"a search past the byte bound", "/search?q=" + strings.Repeat("a", maxQueryLen), http.StatusBadRequest, "limit is"},
		{"a long topic", "/quiz?topic=" + strings.Repeat("a", maxParamRunes+1), http.StatusBadRequest, "limit is 64"},
		{"a long q elsewhere", "/?q=" + strings.Repeat("a", maxParamRunes+1), http.StatusBadRequest, "limit is 64"},
		{"a long parameter name", "/?" + strings.Repeat("k", maxParamRunes+1) + "=1", http.StatusBadRequest, "limit is 64"},
		{"a short topic", "/quiz?topic=saga", http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ts.get(t, tc.target)
			if res.StatusCode != tc.status {
				t.Fatalf("GET %.80s… = %d, want %d", tc.target, res.StatusCode, tc.status)
			}
			if tc.says != "" {
				if text := mustDoc(t, res).Find("[data-testid=error]").Text(); !strings.Contains(text, tc.says) {
					t.Errorf("the error says %q, want it to mention %q", strings.TrimSpace(text), tc.says)
				}
			}
		})
	}
}

// Every request is one access-log line, with the fields operators read,
// the request id the response carries among them.
func TestAccessLogLine(t *testing.T) {
	ts := newTestServer(t)
	req := httptest.NewRequest(http.MethodGet, "/patterns/saga?x=1", nil)
	req.Header.Set("X-Request-Id", "load-7")
	res := ts.do(t, req)
	body, _ := io.ReadAll(res.Body)
	ts.logs.mu.Lock()
	defer ts.logs.mu.Unlock()
	var lines []map[string]string
	for _, r := range ts.logs.records {
		if r.Message != "request" {
			continue
		}
		fields := map[string]string{"level": r.Level.String()}
		r.Attrs(func(a slog.Attr) bool {
			fields[a.Key] = a.Value.String()
			return true
		})
		if r.Time.IsZero() {
			t.Error("the access log line has no time")
		}
		lines = append(lines, fields)
	}
	if len(lines) != 1 {
		t.Fatalf("%d access log lines for one request, want 1", len(lines))
	}
	got := lines[0]
	for k, want := range map[string]string{
		"level": "INFO", "request_id": "load-7", "method": "GET", "path": "/patterns/saga",
		"route": "/patterns/:slug", "status": "200", "bytes": strconv.Itoa(len(body)), "remote": "192.0.2.1",
	} {
		if got[k] != want {
			t.Errorf("access log %s = %q, want %q", k, got[k], want)
		}
	}
	if d, err := time.ParseDuration(got["duration"]); err != nil || d <= 0 {
		t.Errorf("access log duration = %q, want a positive duration", got["duration"])
	}
	if id := res.Header.Get("X-Request-Id"); id != "load-7" {
		t.Errorf("X-Request-Id = %q, want the caller's load-7", id)
	}
}

// The policy is built around the nonce without a template: it must read
// exactly as written, with a fresh 128-bit nonce in its place each time.
func TestPolicyAroundTheNonce(t *testing.T) {
	ts := newTestServer(t)
	const want = "default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	seen := map[string]bool{}
	for range 50 {
		res := ts.get(t, "/healthz")
		csp := res.Header.Get("Content-Security-Policy")
		nonce := nonceFrom(t, res.Header)
		if got := strings.Replace(csp, nonce, "{nonce}", 1); got != want {
			t.Fatalf("policy = %q, want %q", got, want)
		}
		if b, err := base64.RawURLEncoding.DecodeString(nonce); err != nil || len(b) != 16 {
			t.Errorf("nonce %q is not 16 bytes of base64url: %v", nonce, err)
		}
		if seen[nonce] {
			t.Errorf("nonce %q twice", nonce)
		}
		seen[nonce] = true
	}
}

// The CSRF cookie is written by hand, to save an allocation or two: it
// must be what net/http would write, and carry a token the server takes.
func TestCSRFCookieAsNetHTTPWritesIt(t *testing.T) {
	ts := newTestServer(t)
	for _, secure := range []bool{false, true} {
		token := ts.newCSRFToken()
		want := (&http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}).String()
		if got := csrfSetCookie(token, secure); got != want {
			t.Errorf("secure %v: Set-Cookie %q, want %q", secure, got, want)
		}
		if len(token) != csrfTokenLen || !ts.validCSRFToken(token) {
			t.Errorf("a new token %q (%d bytes) does not validate", token, len(token))
		}
		if t2 := ts.newCSRFToken(); t2 == token {
			t.Error("two new tokens are equal")
		}
	}
	res := ts.get(t, "/")
	cookies := res.Cookies()
	if len(cookies) != 1 || cookies[0].Name != csrfCookie || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].Path != "/" {
		t.Fatalf("a first visit sets %v, want one HttpOnly, SameSite=Lax CSRF cookie for /", res.Header["Set-Cookie"])
	}
	if !ts.validCSRFToken(cookies[0].Value) {
		t.Error("the cookie's token does not validate")
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(cookies[0])
	if again := ts.do(t, req); len(again.Header["Set-Cookie"]) != 0 {
		t.Errorf("a returning visitor with a good token is sent %q", again.Header["Set-Cookie"])
	}
}

// Tokens are signed with pooled HMAC states: the MAC must be s.sign's,
// and two servers with different secrets, used in turn, must each take
// only their own tokens.
func TestCSRFTokensAreSignedWithTheServersSecret(t *testing.T) {
	a := newTestServer(t)
	b := newConfiguredServer(t, func(c *Config) { c.Secret = []byte("another-secret-another-secret-another!") })
	for range 20 {
		ta, tb := a.newCSRFToken(), b.newCSRFToken()
		if tok, mac, _ := strings.Cut(ta, "."); mac != a.sign("csrf", tok) {
			t.Fatalf("token %s: MAC %s, want s.sign's %s", ta, mac, a.sign("csrf", tok))
		}
		if !a.validCSRFToken(ta) || !b.validCSRFToken(tb) {
			t.Fatal("a server refuses its own token")
		}
		if a.validCSRFToken(tb) || b.validCSRFToken(ta) {
			t.Fatal("a server takes the other's token")
		}
		forged := ta[:len(ta)-1] + map[bool]string{true: "A", false: "B"}[ta[len(ta)-1] != 'A']
		if a.validCSRFToken(forged) {
			t.Fatalf("a server takes %s, its token with the last character changed", forged)
		}
	}
}
