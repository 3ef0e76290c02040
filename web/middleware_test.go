package web

import (
	"io"
	"net/http"
	"net/http/httptest"
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
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
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
