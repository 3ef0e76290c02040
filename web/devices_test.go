package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"microlab/store"
)

// storeClock is a settable clock for the store, which decides when a link
// code expires. Now ticks a millisecond a call, so rows made one after
// the other are ordered in time as on a real clock.
type storeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *storeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *storeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newDeviceTestServer is a test server listening on a port, its store on
// the clock returned.
func newDeviceTestServer(t *testing.T) (*testServer, *httptest.Server, *storeClock) {
	t.Helper()
	clk := &storeClock{t: time.Now().UTC()}
	logs := &logRecorder{}
	ts := &testServer{logs: logs}
	ts.Server, ts.db = newClockedServer(t, clk.Now, logs)
	srv := httptest.NewServer(ts)
	t.Cleanup(srv.Close)
	return ts, srv, clk
}

// newClockedServer is a Server on a fresh database on the clock now.
func newClockedServer(tb testing.TB, now func() time.Time, log slog.Handler) (*Server, *store.DB) {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "web.db"), store.Options{Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s, err := New(Config{Secret: []byte("test-secret-test-secret-test-secret!")},
		Deps{Log: slog.New(log), DB: db, Store: db, Content: mustContent(tb), Quiz: catalog, Deck: deck, Designs: designs})
	if err != nil {
		tb.Fatal(err)
	}
	return s, db
}

// answerOne gives le a quiz on saga with its first question answered right.
func answerOne(t *testing.T, ts *testServer, le *learner) {
	t.Helper()
	id := startQuiz(t, le, url.Values{"topic": {"saga"}, "length": {"5"}})
	wantStatus(t, le.submit(t, "/quiz/"+id+"/answer", answerFor(question(t, ts, le, id, 1), 1, true)), http.StatusSeeOther)
}

// makeCode presses "Link another device" and returns the code shown.
func makeCode(t *testing.T, le *learner) string {
	t.Helper()
	doc := mustDoc(t, wantStatus(t, le.submit(t, "/devices/code", url.Values{}), http.StatusOK))
	code := strings.TrimSpace(doc.Find("[data-testid=link-code-text]").Text())
	if _, ok := store.NormalizeLinkCode(code); !ok {
		t.Fatalf("the devices page shows %q, not a code", code)
	}
	return code
}

// enterCode sends code from le's link form, with more fields when form is
// not nil.
func enterCode(t *testing.T, le *learner, code string, form url.Values) *http.Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("code", code)
	return le.submit(t, "/devices/link", form)
}

// attemptsShown counts the quizzes le's progress page lists.
func attemptsShown(t *testing.T, le *learner) int {
	t.Helper()
	return mustDoc(t, wantStatus(t, le.get(t, "/progress"), http.StatusOK)).Find("[data-testid=attempts] tbody tr").Length()
}

// copyOf is a new client holding le's cookies as they are now: a copy
// kept by whoever had the browser, to replay later.
func copyOf(t *testing.T, le *learner) *learner {
	t.Helper()
	cp := newLearner(t, le.base)
	u, _ := url.Parse(le.base)
	cp.client.Jar.SetCookies(u, le.client.Jar.Cookies(u))
	return cp
}

// deviceRows are the ids of the devices le's devices page lists, and of
// the one marked as this device.
func deviceRows(t *testing.T, le *learner) (ids []string, current string) {
	t.Helper()
	doc := mustDoc(t, wantStatus(t, le.get(t, "/devices"), http.StatusOK))
	for _, tr := range doc.Find("[data-testid=devices] tbody tr").EachIter() {
		id := tr.Find(`form[action="/devices/sign-out"] input[name=device]`).AttrOr("value", "")
		if !store.ValidDeviceID(id) || tr.Find("form button[type=submit]").Length() != 1 {
			t.Errorf("the row of %q has no sign-out button of its own", tr.Find("th").Text())
		}
		ids = append(ids, id)
		if tr.Find("[data-testid=this-device]").Length() == 1 {
			current = id
		}
	}
	return ids, current
}

func TestLinkAnotherDevice(t *testing.T) {
	ts, srv, _ := newDeviceTestServer(t)
	alice := newLearner(t, srv.URL)
	answerOne(t, ts, alice)

	doc := mustDoc(t, wantStatus(t, alice.submit(t, "/devices/code", url.Values{}), http.StatusOK))
	code := strings.TrimSpace(doc.Find("[data-testid=link-code-text]").Text())
	if len(code) != 9 || code[4] != '-' {
		t.Fatalf("code shown = %q, want two groups of four", code)
	}
	t.Run("the QR code holds the link page's address with the code", func(t *testing.T) {
		img := doc.Find("img[data-testid=link-qr]")
		if alt := img.AttrOr("alt", ""); !strings.Contains(alt, "QR code") || !strings.Contains(alt, code) {
			t.Errorf("the QR code's alt text = %q; want it to say what it is, and the code", alt)
		}
		src := img.AttrOr("src", "")
		want, _ := qrDataURI(srv.URL + "/devices/link?code=" + code)
		if src != want {
			t.Errorf("the QR code is not of %s/devices/link?code=%s", srv.URL, code)
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg, err := png.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 256 {
			t.Errorf("the QR code is no 256-pixel PNG: %+v, %v", cfg, err)
		}
		if !strings.Contains(doc.Find("[data-testid=link-code]").Text(), srv.URL+"/devices/link") {
			t.Error("the page does not say where to type the code")
		}
	})

	bob := newLearner(t, srv.URL)
	form := mustDoc(t, wantStatus(t, bob.get(t, "/devices/link?code="+strings.ToLower(code)), http.StatusOK))
	if got := form.Find("input#link-code").AttrOr("value", ""); got != code {
		t.Errorf("the link from the QR code fills in %q, want %q", got, code)
	}
	if form.Find(`label[for=link-code]`).Length() != 1 || form.Find("[data-testid=replace-warning]").Length() != 0 {
		t.Error("the code's input has no label, or a browser with no progress is warned it would lose some")
	}
	res := wantStatus(t, enterCode(t, bob, strings.ToLower(strings.ReplaceAll(code, "-", "")), nil), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/devices?done=linked" {
		t.Errorf("linking redirects to %q", loc)
	}
	if bob.id() != alice.id() {
		t.Fatalf("bob's browser is learner %q, want alice's %q", bob.id(), alice.id())
	}
	page := mustDoc(t, wantStatus(t, bob.get(t, res.Header.Get("Location")), http.StatusOK))
	if flash := page.Find("[data-testid=flash]").Text(); !strings.Contains(flash, "This browser now carries your progress") {
		t.Errorf("after linking the page says %q", flash)
	}
	if n := attemptsShown(t, bob); n != 1 {
		t.Errorf("bob's progress shows %d quizzes, want alice's one", n)
	}
	ids, current := deviceRows(t, bob)
	if len(ids) != 2 || current != ids[1] {
		t.Errorf("bob sees devices %v with %q as this one; want alice's then his own", ids, current)
	}
	if _, aliceCurrent := deviceRows(t, alice); aliceCurrent != ids[0] {
		t.Errorf("alice's own device is %q, want %q", aliceCurrent, ids[0])
	}

	t.Run("a code works once", func(t *testing.T) {
		carol := newLearner(t, srv.URL)
		doc := mustDoc(t, wantStatus(t, enterCode(t, carol, code, nil), http.StatusBadRequest))
		if !strings.Contains(doc.Find("[data-testid=link-problem]").Text(), "does not work") || doc.Find("[data-testid=enter-code-form] input[name=code]").Length() != 1 {
			t.Error("a used code is not refused with the form still there")
		}
		if carol.id() == alice.id() {
			t.Error("a used code linked another browser")
		}
	})
}

func TestExpiredLinkCodeFails(t *testing.T) {
	_, srv, clk := newDeviceTestServer(t)
	alice, bob := newLearner(t, srv.URL), newLearner(t, srv.URL)
	code := makeCode(t, alice)
	clk.Advance(store.LinkCodeLife)
	doc := mustDoc(t, wantStatus(t, enterCode(t, bob, code, nil), http.StatusBadRequest))
	if !strings.Contains(doc.Find("[data-testid=link-problem]").Text(), "10 minutes") {
		t.Errorf("the refusal does not say codes expire: %q", doc.Find("[data-testid=link-problem]").Text())
	}
	if bob.id() == alice.id() {
		t.Error("an expired code linked the browser")
	}
}

func TestTooManyCodesFromOneAddress(t *testing.T) {
	_, srv, _ := newDeviceTestServer(t)
	alice, mallory := newLearner(t, srv.URL), newLearner(t, srv.URL)
	code := makeCode(t, alice)
	for i := range linkAttempts {
		wantStatus(t, enterCode(t, mallory, "ZZZZ-ZZZ"+string("23456789AB"[i]), nil), http.StatusBadRequest)
	}
	// The eleventh is refused before the code is looked at, right or not.
	res := wantStatus(t, enterCode(t, mallory, code, nil), http.StatusTooManyRequests)
	if msg := mustDoc(t, res).Find("main").Text(); !strings.Contains(msg, "Wait 10 minutes") {
		t.Errorf("the 429 page says %q", msg)
	}
	if mallory.id() == alice.id() {
		t.Error("the right code got through past the limit")
	}
}

func TestSignOutAnotherDevice(t *testing.T) {
	ts, srv, _ := newDeviceTestServer(t)
	alice, bob := newLearner(t, srv.URL), newLearner(t, srv.URL)
	answerOne(t, ts, alice)
	wantStatus(t, enterCode(t, bob, makeCode(t, alice), nil), http.StatusSeeOther)
	stolen := copyOf(t, bob)
	ids, _ := deviceRows(t, bob)
	bobDevice := ids[1]

	res := wantStatus(t, alice.submit(t, "/devices/sign-out", url.Values{"device": {bobDevice}}), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/devices?done=signed-out" {
		t.Errorf("signing out redirects to %q", loc)
	}
	if ids, _ := deviceRows(t, alice); len(ids) != 1 {
		t.Errorf("alice still lists %d devices", len(ids))
	}
	if n := attemptsShown(t, bob); n != 0 {
		t.Errorf("the signed-out browser still shows %d quizzes", n)
	}
	if bob.cookie(learnerCookie) != "" || bob.cookie(deviceCookie) != "" {
		t.Error("the signed-out browser keeps its cookies")
	}
	if n := attemptsShown(t, alice); n != 1 {
		t.Errorf("signing bob out cost alice her progress: %d quizzes", n)
	}
	t.Run("a copy of the signed-out cookies is refused", func(t *testing.T) {
		if n := attemptsShown(t, stolen); n != 0 {
			t.Errorf("the copy shows %d quizzes", n)
		}
		startQuiz(t, stolen, url.Values{"topic": {"saga"}, "length": {"5"}})
		if stolen.id() == alice.id() || stolen.id() == "" {
			t.Errorf("the copy's write was saved as %q, want a new learner", stolen.id())
		}
	})
	t.Run("without its device cookie too", func(t *testing.T) {
		bare := newLearner(t, srv.URL)
		u, _ := url.Parse(srv.URL)
		bare.client.Jar.SetCookies(u, []*http.Cookie{{Name: learnerCookie, Value: alice.cookie(learnerCookie), Path: "/"}})
		if n := attemptsShown(t, bare); n != 0 {
			t.Errorf("alice's learner cookie alone shows %d quizzes: a browser could drop its device cookie", n)
		}
	})
}

func TestSignOutThisDevice(t *testing.T) {
	ts, srv, _ := newDeviceTestServer(t)
	alice, bob := newLearner(t, srv.URL), newLearner(t, srv.URL)
	answerOne(t, ts, alice)
	wantStatus(t, enterCode(t, bob, makeCode(t, alice), nil), http.StatusSeeOther)
	_, current := deviceRows(t, bob)
	res := wantStatus(t, bob.submit(t, "/devices/sign-out", url.Values{"device": {current}}), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/devices?done=self" {
		t.Errorf("signing out this browser redirects to %q", loc)
	}
	if bob.id() != "" || attemptsShown(t, bob) != 0 {
		t.Error("the browser that signed itself out still carries the progress")
	}
	if attemptsShown(t, alice) != 1 {
		t.Error("alice lost her progress when bob signed himself out")
	}
}

func TestDeleteMyDataSignsOutEveryDevice(t *testing.T) {
	ts, srv, _ := newDeviceTestServer(t)
	alice, bob := newLearner(t, srv.URL), newLearner(t, srv.URL)
	answerOne(t, ts, alice)
	wantStatus(t, enterCode(t, bob, makeCode(t, alice), nil), http.StatusSeeOther)
	stolen := copyOf(t, bob)
	aliceID := alice.id()
	wantStatus(t, alice.submit(t, "/progress/delete", url.Values{"confirm": {"yes"}}), http.StatusSeeOther)

	for name, le := range map[string]*learner{"bob's browser": bob, "a copy of its cookies": stolen} {
		if n := attemptsShown(t, le); n != 0 {
			t.Errorf("%s still shows %d quizzes", name, n)
		}
		if le.cookie(learnerCookie) != "" || le.cookie(deviceCookie) != "" {
			t.Errorf("%s keeps its cookies", name)
		}
		startQuiz(t, le, url.Values{"topic": {"saga"}, "length": {"5"}})
		if le.id() == aliceID {
			t.Errorf("%s's next write went to the deleted learner", name)
		}
	}
	if ids, err := ts.db.Devices(t.Context(), aliceID); err != nil || len(ids) != 0 {
		t.Errorf("the deleted learner keeps devices %v, %v", ids, err)
	}
}

// Browsers from before devices carry the learner cookie alone: they keep
// their progress, and become a device when they first make a code.
func TestOldCookieBecomesADevice(t *testing.T) {
	ts, srv, _ := newDeviceTestServer(t)
	alice := newLearner(t, srv.URL)
	answerOne(t, ts, alice)
	if alice.cookie(deviceCookie) != "" {
		t.Fatal("a first write already sets a device cookie; the old-browser case is not tested")
	}
	old := copyOf(t, alice)
	doc := mustDoc(t, wantStatus(t, alice.get(t, "/devices"), http.StatusOK))
	if doc.Find("[data-testid=no-devices]").Length() != 1 || attemptsShown(t, alice) != 1 {
		t.Fatal("an old browser's devices page or progress is not as before")
	}
	makeCode(t, alice)
	if alice.cookie(deviceCookie) == "" {
		t.Fatal("making a code did not make the browser a device")
	}
	if ids, current := deviceRows(t, alice); len(ids) != 1 || current != ids[0] {
		t.Errorf("devices = %v, this one %q; want the browser itself", ids, current)
	}
	if attemptsShown(t, alice) != 1 {
		t.Error("the browser lost its progress on becoming a device")
	}
	if attemptsShown(t, old) != 0 {
		t.Error("the learner cookie alone still passes once the learner has a device")
	}
}

func TestLinkingReplacesOwnProgressOnlyWhenConfirmed(t *testing.T) {
	ts, srv, _ := newDeviceTestServer(t)
	alice, bob := newLearner(t, srv.URL), newLearner(t, srv.URL)
	answerOne(t, ts, alice)
	answerOne(t, ts, bob)
	answerOne(t, ts, bob)
	code := makeCode(t, alice)

	doc := mustDoc(t, wantStatus(t, bob.get(t, "/devices/link"), http.StatusOK))
	warning := doc.Find("[data-testid=replace-warning]")
	if warning.Find(`a[href="/progress/export.json"]`).Length() != 1 || warning.Find(`input[type=checkbox][name=replace][required]`).Length() != 1 ||
		doc.Find(`label[for=replace]`).Length() != 1 {
		t.Fatal("a browser with progress of its own is not warned, offered the export and asked to confirm")
	}
	doc = mustDoc(t, wantStatus(t, enterCode(t, bob, code, nil), http.StatusBadRequest))
	if doc.Find("[data-testid=replace-warning]").Length() != 1 || attemptsShown(t, bob) != 2 {
		t.Fatal("linking without the box ticked went ahead, or the form lost the warning")
	}
	wantStatus(t, enterCode(t, bob, code, url.Values{"replace": {"yes"}}), http.StatusSeeOther)
	if bob.id() != alice.id() || attemptsShown(t, bob) != 1 {
		t.Errorf("after confirming, bob is %q with %d quizzes; want alice's one", bob.id(), attemptsShown(t, bob))
	}
}

func TestAtMostTwentyDevicesPerLearner(t *testing.T) {
	ts, srv, _ := newDeviceTestServer(t)
	alice := newLearner(t, srv.URL)
	makeCode(t, alice)
	// The other 19 are linked in the store: through the site, one address
	// could not try that many codes.
	own, _, _ := strings.Cut(alice.cookie(deviceCookie), ".")
	for n := range store.MaxDevices - 1 {
		code, err := ts.db.CreateLinkCode(t.Context(), alice.id(), store.NewDevice{ID: own, Label: "Firefox"})
		if err == nil {
			_, err = ts.db.RedeemLinkCode(t.Context(), code.Code, store.Joining{Device: store.NewDevice{ID: fmt.Sprintf("%032x", n), Label: "Firefox"}})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if ids, _ := deviceRows(t, alice); len(ids) != store.MaxDevices {
		t.Fatalf("%d devices, want %d", len(ids), store.MaxDevices)
	}
	late := newLearner(t, srv.URL)
	doc := mustDoc(t, wantStatus(t, enterCode(t, late, makeCode(t, alice), nil), http.StatusConflict))
	if msg := doc.Find("[data-testid=link-problem]").Text(); !strings.Contains(msg, "20 devices") || !strings.Contains(msg, "Sign one out") {
		t.Errorf("the refusal says %q", msg)
	}
	if late.id() == alice.id() {
		t.Error("a 21st device was linked")
	}
}

func TestAtMostThreeCodesWaiting(t *testing.T) {
	_, srv, _ := newDeviceTestServer(t)
	alice := newLearner(t, srv.URL)
	for range store.MaxLiveLinkCodes {
		makeCode(t, alice)
	}
	doc := mustDoc(t, wantStatus(t, alice.submit(t, "/devices/code", url.Values{}), http.StatusConflict))
	if msg := doc.Find("[data-testid=devices-problem]").Text(); !strings.Contains(msg, "3 codes waiting") {
		t.Errorf("a fourth code is refused with %q", msg)
	}
	if doc.Find("[data-testid=link-code]").Length() != 0 {
		t.Error("a refused code is shown")
	}
}

func TestDevicesPageForANewVisitor(t *testing.T) {
	ts := newTestServer(t)
	res := wantStatus(t, ts.get(t, "/devices"), http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	doc := mustDoc(t, res)
	if doc.Find(`form[action="/devices/code"][method=post] input[name=_csrf]`).Length() != 1 || doc.Find(`a[href="/devices/link"]`).Length() != 1 {
		t.Error("no form to make a code, with its CSRF token, or no way to the page that takes one")
	}
	if mustDoc(t, ts.get(t, "/progress")).Find(`a[href="/devices"]`).Length() != 1 {
		t.Error("the progress page does not link to the devices page")
	}
}

func TestDeviceLabel(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                                  "Firefox on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36":                         "Chrome on Windows",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0":           "Edge on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": "Safari on iPhone",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15":                   "Safari on macOS",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36":                   "Chrome on Android",
		"Go-http-client/1.1":                  "Unknown browser",
		"":                                    "Unknown browser",
		"<script>" + strings.Repeat("x", 500): "Unknown browser",
	} {
		if got := deviceLabel(ua); got != want || len(got) > store.MaxDeviceLabel {
			t.Errorf("deviceLabel(%.40q) = %q, want %q", ua, got, want)
		}
	}
}

// BenchmarkDeviceCheck measures what checkDevice adds to a request: nothing
// for a visitor, one read for a learner, with a device cookie or an old
// cookie alone.
func BenchmarkDeviceCheck(b *testing.B) {
	ctx := context.Background()
	// Logs are dropped: the test server's recorder would keep every line.
	s, db := newClockedServer(b, time.Now, slog.DiscardHandler)
	const oldLearner, linked, device = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210", "d0000000000000000000000000000001"
	if err := db.EnsureLearner(ctx, oldLearner); err != nil {
		b.Fatal(err)
	}
	if _, err := db.CreateLinkCode(ctx, linked, store.NewDevice{ID: device, Label: "Firefox on Linux"}); err != nil {
		b.Fatal(err)
	}
	learnerCk := func(id string) *http.Cookie {
		return &http.Cookie{Name: learnerCookie, Value: id + "." + s.signLearner(id)}
	}
	links := s.newDeviceLinks()
	for _, bc := range []struct {
		name    string
		cookies []*http.Cookie
	}{
		{"visitor", nil},
		{"old cookie", []*http.Cookie{learnerCk(oldLearner)}},
		{"device", []*http.Cookie{learnerCk(linked), {Name: deviceCookie, Value: device + "." + links.sign(linked, device)}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			for _, ck := range bc.cookies {
				req.AddCookie(ck)
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || len(rec.Result().Cookies()) > 1 {
					b.Fatalf("GET /healthz = %d with cookies %v", rec.Code, rec.Result().Cookies())
				}
			}
		})
	}
}
