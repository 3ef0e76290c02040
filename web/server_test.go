package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"microlab/content"
	"microlab/internal/materials"
	"microlab/interview"
	"microlab/quiz"
	"microlab/store"
)

// testServer is a Server on a real SQLite file, with its log captured.
type testServer struct {
	*Server
	db   *store.DB
	logs *logRecorder
}

// logRecorder keeps every log record's level and message.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r)
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

func (l *logRecorder) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var msgs []string
	for _, r := range l.records {
		if r.Level >= slog.LevelError {
			msgs = append(msgs, r.Message)
		}
	}
	return msgs
}

var (
	libOnce sync.Once
	lib     *content.Library
	catalog *quiz.Catalog
	deck    []quiz.Fact
	designs []interview.Design
	libErr  error
)

// mustContent loads the embedded content once per test binary.
func mustContent(tb testing.TB) *content.Library {
	tb.Helper()
	libOnce.Do(func() {
		if lib, catalog, libErr = materials.Load(); libErr == nil {
			if deck, libErr = materials.Deck(lib, catalog); libErr == nil {
				designs, libErr = materials.Designs(lib)
			}
		}
	})
	if libErr != nil {
		tb.Fatal(libErr)
	}
	return lib
}

func newTestServer(tb testing.TB) *testServer { return newConfiguredServer(tb, nil) }

// newConfiguredServer is a Server on a fresh database with the test
// secret, its Config changed by mod when mod is not nil.
func newConfiguredServer(tb testing.TB, mod func(*Config)) *testServer {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "web.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	logs := &logRecorder{}
	cfg := Config{Secret: []byte("test-secret-test-secret-test-secret!")}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg, Deps{Log: slog.New(logs), DB: db, Store: db, Content: mustContent(tb), Quiz: catalog, Deck: deck, Designs: designs})
	if err != nil {
		tb.Fatal(err)
	}
	return &testServer{Server: s, db: db, logs: logs}
}

// do sends one request through the whole middleware stack.
func (ts *testServer) do(tb testing.TB, req *http.Request) *http.Response {
	tb.Helper()
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, req)
	return rec.Result()
}

func (ts *testServer) get(tb testing.TB, target string) *http.Response {
	tb.Helper()
	return ts.do(tb, httptest.NewRequest(http.MethodGet, target, nil))
}

func mustDoc(tb testing.TB, res *http.Response) *goquery.Document {
	tb.Helper()
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func TestHomePage(t *testing.T) {
	ts := newTestServer(t)
	res := ts.get(t, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", res.StatusCode)
	}
	if res.Header.Get("Content-Length") == "" {
		t.Error("home page has no Content-Length; it should be rendered into a buffer")
	}
	doc := mustDoc(t, res)
	var navs []string
	doc.Find(`nav[aria-label="Main"] a`).Each(func(_ int, a *goquery.Selection) {
		navs = append(navs, a.Text()+" "+a.AttrOr("href", ""))
	})
	want := []string{"Learn /patterns", "Quiz /quiz", "Review /review", "Interview /interview", "Lab /lab", "Progress /progress"}
	if strings.Join(navs, ",") != strings.Join(want, ",") {
		t.Errorf("navigation = %q, want %q", navs, want)
	}
	for _, sel := range []string{`a.skip-link[href="#main"]`, `main#main`, `header`, `footer`, `[data-testid=way-learn]`, `[data-testid=way-test]`, `[data-testid=way-lab]`} {
		if doc.Find(sel).Length() != 1 {
			t.Errorf("home page has %d of %s, want 1", doc.Find(sel).Length(), sel)
		}
	}
}

func TestNavigationTargetsAnswer(t *testing.T) {
	ts := newTestServer(t)
	doc := mustDoc(t, ts.get(t, "/"))
	doc.Find(`nav[aria-label="Main"] a`).Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		res := ts.get(t, href)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", href, res.StatusCode)
		}
		page := mustDoc(t, res)
		if got := page.Find(`nav[aria-label="Main"] a[aria-current="page"]`).Text(); got != a.Text() {
			t.Errorf("on %s the current nav item is %q, want %q", href, got, a.Text())
		}
	})
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	ts := newTestServer(t)
	nonces := map[string]bool{}
	for _, target := range []string{"/", "/no/such/page", "/healthz", "/static/" + strings.TrimPrefix(ts.assets.URL("css/app.css"), "/static/")} {
		res := ts.get(t, target)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'nonce-") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP = %q, want a nonce-only script-src", target, csp)
		}
		nonce := csp[strings.Index(csp, "'nonce-")+7:]
		nonce = nonce[:strings.Index(nonce, "'")]
		if nonces[nonce] {
			t.Errorf("%s: nonce %q was used before; nonces must be fresh per request", target, nonce)
		}
		nonces[nonce] = true
		for k, v := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		} {
			if got := h.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", target, k, got, v)
			}
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", target)
		}
		if target == "/" {
			doc := mustDoc(t, res)
			doc.Find("script").Each(func(_ int, s *goquery.Selection) {
				if s.AttrOr("nonce", "") != nonce {
					t.Errorf("script %s has nonce %q, want this response's %q", s.AttrOr("src", "(inline)"), s.AttrOr("nonce", ""), nonce)
				}
				if s.AttrOr("src", "") == "" {
					t.Error("inline script found; the CSP forbids them")
				}
			})
		}
	}
}

func TestRequestIDIsEchoedOnlyWhenPlain(t *testing.T) {
	ts := newTestServer(t)
	for id, keep := range map[string]bool{"abc-123": true, "evil\nline": false, strings.Repeat("a", 65): false} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-Id", id)
		got := ts.do(t, req).Header.Get("X-Request-Id")
		if (got == id) != keep {
			t.Errorf("X-Request-Id %q came back as %q; keep = %v", id, got, keep)
		}
	}
}

func TestErrorResponses(t *testing.T) {
	ts := newTestServer(t)
	token := csrfFrom(t, ts)
	form := func(vals url.Values, withToken bool) *http.Request {
		if withToken {
			vals.Set(csrfField, token)
		}
		req := httptest.NewRequest(http.MethodPost, "/theme", strings.NewReader(vals.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
		return req
	}
	huge := httptest.NewRequest(http.MethodPost, "/theme", strings.NewReader(strings.Repeat("x", 65<<10)))
	huge.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	forged := form(url.Values{"theme": {"dark"}}, false)
	forged.Header.Set(csrfHeader, strings.Repeat("A", csrfTokenLen))
	crossSite := form(url.Values{"theme": {"dark"}}, true)
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	foreignOrigin := form(url.Values{"theme": {"dark"}}, true)
	foreignOrigin.Header.Set("Origin", "https://evil.example")

	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		says   string
	}{
		{"unknown path", httptest.NewRequest(http.MethodGet, "/no/such/page", nil), 404, "could not find"},
		{"malformed query", httptest.NewRequest(http.MethodGet, "/?q=%zz", nil), 400, "malformed query"},
		{"oversized query", httptest.NewRequest(http.MethodGet, "/?q="+strings.Repeat("a", 2000), nil), 400, "limit is"},
		{"oversized body", huge, 413, "limit here is 64 KB"},
		{"missing csrf token", form(url.Values{"theme": {"dark"}}, false), 403, "expired or did not come from this site"},
		{"forged csrf token", forged, 403, "expired or did not come from this site"},
		{"cross-site form", crossSite, 403, "another website"},
		{"foreign origin", foreignOrigin, 403, "another website"},
		{"unknown theme", form(url.Values{"theme": {"purple"}}, true), 400, "Unknown theme"},
		{"wrong method", httptest.NewRequest(http.MethodDelete, "/", nil), 405, "does not accept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ts.do(t, tc.req)
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.status)
			}
			doc := mustDoc(t, res)
			page := doc.Find("[data-testid=error]")
			if page.Length() != 1 || page.AttrOr("data-status", "") != strconv.Itoa(tc.status) {
				t.Fatalf("no error section for %d in the page", tc.status)
			}
			if doc.Find("header nav").Length() != 1 {
				t.Error("error page is not inside the layout")
			}
			if !strings.Contains(page.Text(), tc.says) {
				t.Errorf("error page says %q, want it to mention %q", strings.TrimSpace(page.Text()), tc.says)
			}
		})
	}
	if errs := ts.logs.errors(); len(errs) > 0 {
		t.Errorf("refused requests were logged at error level: %q", errs)
	}
}

func TestErrorsAsJSONAndFragments(t *testing.T) {
	ts := newTestServer(t)
	req := httptest.NewRequest(http.MethodGet, "/nope", nil)
	req.Header.Set("Accept", "application/json")
	res := ts.do(t, req)
	var body struct {
		Error struct {
			Status    int    `json:"status"`
			Message   string `json:"message"`
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("JSON error body: %v", err)
	}
	if res.StatusCode != 404 || body.Error.Status != 404 || body.Error.Message == "" || body.Error.RequestID != res.Header.Get("X-Request-Id") {
		t.Errorf("JSON 404 = %d %+v", res.StatusCode, body.Error)
	}

	req = httptest.NewRequest(http.MethodGet, "/nope", nil)
	req.Header.Set("HX-Request", "true")
	res = ts.do(t, req)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 404 || strings.Contains(string(b), "<html") || !strings.Contains(string(b), `data-testid="error"`) {
		t.Errorf("htmx 404 = %d, body %q; want a fragment without the layout", res.StatusCode, b)
	}
}

func TestPanicBecomesApologyWithRequestID(t *testing.T) {
	ts := newTestServer(t)
	ts.echo.GET("/boom", func(c echo.Context) error { panic("kaboom") })
	req := httptest.NewRequest(http.MethodGet, "/boom", nil)
	req.Header.Set("X-Request-Id", "req-42")
	res := ts.do(t, req)
	if res.StatusCode != 500 {
		t.Fatalf("status = %d, want 500", res.StatusCode)
	}
	text := mustDoc(t, res).Find("[data-testid=error]").Text()
	if !strings.Contains(text, "req-42") || strings.Contains(text, "kaboom") {
		t.Errorf("500 page = %q; want the request id and no internal detail", text)
	}
	if errs := ts.logs.errors(); len(errs) == 0 {
		t.Error("the panic was not logged at error level")
	}
}

// csrfFrom fetches a page and returns the CSRF token its cookie carries.
func csrfFrom(tb testing.TB, ts *testServer) string {
	tb.Helper()
	for _, ck := range ts.get(tb, "/").Cookies() {
		if ck.Name == csrfCookie {
			return ck.Value
		}
	}
	tb.Fatal("no CSRF cookie on the home page")
	return ""
}

func TestThemeToggleWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	token := csrfFrom(t, ts)
	post := func(theme, ret string) *http.Response {
		body := url.Values{"theme": {theme}, "return": {ret}, csrfField: {token}}
		req := httptest.NewRequest(http.MethodPost, "/theme", strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
		return ts.do(t, req)
	}
	res := post("dark", "/quiz")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/quiz" {
		t.Fatalf("POST /theme = %d to %q, want 303 to /quiz", res.StatusCode, res.Header.Get("Location"))
	}
	var themeCk *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == themeCookie {
			themeCk = ck
		}
	}
	if themeCk == nil || themeCk.Value != "dark" {
		t.Fatalf("theme cookie = %v, want dark", themeCk)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(themeCk)
	doc := mustDoc(t, ts.do(t, req))
	if got := doc.Find("html").AttrOr("data-theme", ""); got != "dark" {
		t.Errorf(`html data-theme = %q, want "dark"`, got)
	}
	if got := doc.Find(`button[name=theme][aria-pressed=true]`).Text(); got != "Dark" {
		t.Errorf("pressed theme button = %q, want Dark", got)
	}

	for _, evil := range []string{"//evil.example", "https://evil.example", "/\\evil", ""} {
		if loc := post("light", evil).Header.Get("Location"); loc != "/" {
			t.Errorf("return %q redirected to %q, want /", evil, loc)
		}
	}
}

func TestStaticAssetsAreHashedAndImmutable(t *testing.T) {
	ts := newTestServer(t)
	u := ts.assets.URL("css/app.css")
	res := ts.get(t, u)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s = %d, Cache-Control %q, Content-Type %q", u, res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Content-Type"))
	}
	if res := ts.get(t, "/static/css/app.css"); res.StatusCode != 404 {
		t.Errorf("unhashed asset URL = %d, want 404", res.StatusCode)
	}
	if res := ts.get(t, ts.assets.URL("vendor/htmx/htmx.min.js")); res.StatusCode != 200 {
		t.Errorf("htmx = %d, want 200", res.StatusCode)
	}
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	ts := newTestServer(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if res := ts.get(t, p); res.StatusCode != 200 {
			t.Errorf("GET %s = %d, want 200", p, res.StatusCode)
		}
	}
	ts.get(t, "/")
	ts.get(t, "/missing-page")
	b := scrape(t, ts)
	for _, want := range []string{
		`microlab_http_requests_total{method="GET",route="/",status="200"} 1`,
		`microlab_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`microlab_http_request_duration_seconds_bucket{method="GET",route="/"`,
		`go_goroutines`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	ts.db.Close()
	if res := ts.get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed = %d, want 503", res.StatusCode)
	}
}

func TestEveryStateChangingRouteChecksCSRF(t *testing.T) {
	ts := newTestServer(t)
	checked := 0
	for _, r := range ts.echo.Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, echo.RouteNotFound:
			continue
		}
		target := strings.NewReplacer(":id", "x", ":slug", "x", "*", "x").Replace(r.Path)
		res := ts.do(t, httptest.NewRequest(r.Method, target, nil))
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s without a CSRF token = %d, want 403", r.Method, r.Path, res.StatusCode)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("found no state-changing route to check")
	}
}

// Every error status the site uses renders as a page in the layout, as
// JSON for JSON clients and as a fragment for htmx.
func TestErrorStatusesRender(t *testing.T) {
	ts := newTestServer(t)
	ts.echo.GET("/fail/:status", func(c echo.Context) error {
		n, _ := strconv.Atoi(c.Param("status"))
		if n == 500 {
			return errors.New("database on fire")
		}
		return echo.NewHTTPError(n)
	})
	for _, status := range []int{400, 403, 404, 413, 429, 500} {
		target := "/fail/" + strconv.Itoa(status)
		res := ts.get(t, target)
		if res.StatusCode != status {
			t.Errorf("%s = %d", target, res.StatusCode)
			continue
		}
		doc := mustDoc(t, res)
		if doc.Find("header nav").Length() != 1 || doc.Find("[data-testid=error] h1").Text() != errorTitles[status] {
			t.Errorf("%d page: title %q, in layout %v", status, doc.Find("[data-testid=error] h1").Text(), doc.Find("header nav").Length() == 1)
		}
		if status == 500 && strings.Contains(doc.Text(), "fire") {
			t.Error("the 500 page shows the internal error")
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept", "application/json")
		if res := ts.do(t, req); res.Header.Get("Content-Type") != "application/json" || res.StatusCode != status {
			t.Errorf("%d as JSON: %d %q", status, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

func TestLearnerCookieIsSignedAndMintedOnlyOnWrite(t *testing.T) {
	ts := newTestServer(t)
	for _, ck := range ts.get(t, "/patterns").Cookies() {
		if ck.Name == learnerCookie {
			t.Fatal("a plain page view set a learner cookie")
		}
	}
	ts.echo.POST("/test-learner", func(c echo.Context) error { return c.String(200, ts.ensureLearner(c)) })
	ts.echo.GET("/test-learner", func(c echo.Context) error { return c.String(200, ts.learnerID(c)) })
	res := ts.do(t, httptest.NewRequest(http.MethodPost, "/test-learner", nil))
	b, _ := io.ReadAll(res.Body)
	id := string(b)
	var minted *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == learnerCookie {
			minted = ck
		}
	}
	if !validLearnerID(id) || minted == nil || !minted.HttpOnly || minted.SameSite != http.SameSiteLaxMode {
		t.Fatalf("minted id %q, cookie %+v", id, minted)
	}
	read := func(value string) string {
		req := httptest.NewRequest(http.MethodGet, "/test-learner", nil)
		req.AddCookie(&http.Cookie{Name: learnerCookie, Value: value})
		b, _ := io.ReadAll(ts.do(t, req).Body)
		return string(b)
	}
	if got := read(minted.Value); got != id {
		t.Errorf("the minted cookie reads as %q, want %q", got, id)
	}
	other := strings.Repeat("a", learnerIDLen)
	_, sig, _ := strings.Cut(minted.Value, ".")
	for name, forged := range map[string]string{
		"another id with this signature": other + "." + sig,
		"no signature":                   id,
		"garbage":                        "%%%",
		"uppercase id":                   strings.ToUpper(id) + "." + sig,
	} {
		if got := read(forged); got != "" {
			t.Errorf("%s: read as learner %q, want none", name, got)
		}
	}
}
