package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
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
