package web

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// learner is a browser-like client with its own cookies, one learner's
// browser. It does not follow redirects, so tests see them.
type learner struct {
	base   string
	client *http.Client
}

func newLearner(tb testing.TB, base string) *learner {
	jar, _ := cookiejar.New(nil)
	return &learner{base: base, client: &http.Client{
		Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (le *learner) get(tb testing.TB, path string) *http.Response {
	tb.Helper()
	res, err := le.client.Get(le.base + path)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// csrf fetches page and returns the CSRF token of its first form.
func (le *learner) csrf(tb testing.TB, page string) string {
	tb.Helper()
	res := le.get(tb, page)
	doc := mustDoc(tb, res)
	tok, ok := doc.Find(`form input[name=_csrf]`).Attr("value")
	if !ok {
		tb.Fatalf("%s has no form with a CSRF token", page)
	}
	return tok
}

// post sends form as a browser on this site would; the response's body
// is read in full, so callers may read it or not.
func (le *learner) post(tb testing.TB, path string, form url.Values) *http.Response {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, le.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", le.base)
	res, err := le.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		tb.Fatal(err)
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res
}

// cookie is the value of the named cookie the learner holds, or "".
func (le *learner) cookie(name string) string {
	u, _ := url.Parse(le.base)
	for _, ck := range le.client.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// token is the learner's CSRF token, from its cookie; a first visit to the
// home page gets one.
func (le *learner) token(tb testing.TB) string {
	tb.Helper()
	if le.cookie(csrfCookie) == "" {
		le.get(tb, "/").Body.Close()
	}
	return le.cookie(csrfCookie)
}

// submit posts form with the learner's CSRF token, as a form on the site does.
func (le *learner) submit(tb testing.TB, path string, form url.Values) *http.Response {
	tb.Helper()
	form.Set(csrfField, le.token(tb))
	return le.post(tb, path, form)
}

// id is the learner id in the learner's cookie, or "" before its first write.
func (le *learner) id() string {
	id, _, _ := strings.Cut(le.cookie(learnerCookie), ".")
	return id
}

// start starts a lab of slug ("free-play" for free play) and returns its page's path.
func (le *learner) start(tb testing.TB, slug string) string {
	tb.Helper()
	res := le.post(tb, "/lab/"+slug, url.Values{"_csrf": {le.csrf(tb, "/lab/"+slug)}})
	if res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("POST /lab/%s = %d, want 303", slug, res.StatusCode)
	}
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/lab/s/") {
		tb.Fatalf("POST /lab/%s redirects to %q, want /lab/s/{id}", slug, loc)
	}
	return loc
}
