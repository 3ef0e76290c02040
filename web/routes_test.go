package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// noRedirects is a client that shows a redirect rather than follow it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Uptime monitors and link checkers ask with HEAD: every GET route must
// answer it too.
func TestEveryGETRouteAnswersHEAD(t *testing.T) {
	ts := newTestServer(t)
	head := map[string]bool{}
	var gets []string
	for _, r := range ts.echo.Routes() {
		switch r.Method {
		case http.MethodHead:
			head[r.Path] = true
		case http.MethodGet:
			gets = append(gets, r.Path)
		}
	}
	if len(gets) == 0 {
		t.Fatal("found no GET route")
	}
	for _, p := range gets {
		if !head[p] {
			t.Errorf("GET %s has no HEAD", p)
		}
	}
}

// HEAD answers as GET does, headers and all, without the body. It goes
// through a real listener: net/http is what drops a HEAD's body.
func TestHEADAnswersAsGETWithoutABody(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	for _, path := range []string{"/", "/patterns", "/patterns/saga", "/search?q=saga", "/healthz", "/readyz",
		ts.assets.URL("css/app.css"), "/patterns/no-such-pattern", "/lab"} {
		answer := func(method string) (*http.Response, int) {
			req, _ := http.NewRequest(method, srv.URL+path, nil)
			// Asked for alike: net/http asks for gzip on its own for a GET only.
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := noRedirects.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, len(b)
		}
		get, getBody := answer(http.MethodGet)
		head, headBody := answer(http.MethodHead)
		if head.StatusCode != get.StatusCode || headBody != 0 {
			t.Errorf("HEAD %s = %d with %d body bytes; GET = %d", path, head.StatusCode, headBody, get.StatusCode)
			continue
		}
		if get.StatusCode != http.StatusOK {
			continue // an error page's headers need not match: HEAD gets no page
		}
		for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control", "Content-Security-Policy", "X-Content-Type-Options"} {
			if (head.Header.Get(h) == "") != (get.Header.Get(h) == "") {
				t.Errorf("%s: HEAD's %s is %q, GET's %q", path, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
		if head.ContentLength != int64(getBody) {
			t.Errorf("%s: HEAD's Content-Length is %d, GET's body %d bytes", path, head.ContentLength, getBody)
		}
	}
}

// A trailing slash on a page's path leads to the page, query kept, and
// never to another site.
func TestTrailingSlashRedirects(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		method, target string
		status         int
		location       string
	}{
		{http.MethodGet, "/patterns/", http.StatusPermanentRedirect, "/patterns"},
		{http.MethodGet, "/patterns/?x=1&y=%E6%BC%A2", http.StatusPermanentRedirect, "/patterns?x=1&y=%E6%BC%A2"},
		{http.MethodGet, "/patterns/saga/", http.StatusPermanentRedirect, "/patterns/saga"},
		{http.MethodGet, "/search/?q=saga", http.StatusPermanentRedirect, "/search?q=saga"},
		{http.MethodGet, "/guides//", http.StatusPermanentRedirect, "/guides"},
		{http.MethodHead, "/questions/", http.StatusPermanentRedirect, "/questions"},
		{http.MethodGet, "/%5Cevil.example/", http.StatusPermanentRedirect, "/%5Cevil.example"},
		{http.MethodGet, "/", http.StatusOK, ""},
		{http.MethodGet, "//evil.example/", http.StatusNotFound, ""},
		{http.MethodGet, "/%09/evil.example/", http.StatusPermanentRedirect, "/%09/evil.example"},
		{http.MethodPost, "/theme/", http.StatusNotFound, ""},
	} {
		res := ts.do(t, httptest.NewRequest(tc.method, tc.target, nil))
		if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
			t.Errorf("%s %s = %d to %q, want %d to %q", tc.method, tc.target, res.StatusCode, res.Header.Get("Location"), tc.status, tc.location)
		}
	}
}
