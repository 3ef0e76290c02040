package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
)

func TestTheDeckIsAtomic(t *testing.T) {
	ts := newTestServer(t)
	facts, aloud := 0, 0
	for _, c := range ts.cards {
		if c.Aloud {
			aloud++
			if c.Page.Question == "" || c.ID != c.Page.Slug {
				t.Errorf("explain-aloud card %s is not an interview question's", c.ID)
			}
			continue
		}
		facts++
		if c.Back == "" || !strings.HasSuffix(c.Front, "?") || !strings.HasPrefix(c.ID, c.Deck+"/") {
			t.Errorf("fact %s: front %q, back %q", c.ID, c.Front, c.Back)
		}
	}
	if facts < 150 || aloud != 10 {
		t.Errorf("the deck has %d facts and %d explain-aloud cards; want at least 150 and the 10 questions", facts, aloud)
	}
}

// reviewed rates the card /review shows with rating, and returns its id.
func reviewed(t *testing.T, le *learner, rating string) string {
	t.Helper()
	doc := mustDoc(t, wantStatus(t, le.get(t, "/review"), http.StatusOK))
	card := doc.Find("[data-testid=flashcard]").AttrOr("data-card", "")
	if card == "" {
		t.Fatal("/review shows no card")
	}
	shown := doc.Find("input[name=shown_due]").AttrOr("value", "")
	wantStatus(t, le.submit(t, "/review", url.Values{"card": {card}, "rating": {rating}, "shown_due": {shown}}), http.StatusSeeOther)
	return card
}

func TestReviewDecksAndDailyLimits(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)

	doc := mustDoc(t, wantStatus(t, alice.get(t, "/review/settings"), http.StatusOK))
	if doc.Find(`#new_per_day[value="20"]`).Length() != 1 || doc.Find(`#reviews_per_day[value="200"]`).Length() != 1 {
		t.Error("the settings do not start at Anki's 20 new cards and 200 reviews a day")
	}
	// A refusal keeps what was sent and says why.
	res := wantStatus(t, alice.submit(t, "/review/settings", url.Values{"deck": {"saga", "nope"}, "new_per_day": {"2"}, "reviews_per_day": {"50"}}), http.StatusBadRequest)
	doc = mustDoc(t, res)
	if !strings.Contains(doc.Find("[data-testid=settings-problem]").Text(), "“nope” is not a deck") ||
		doc.Find(`input[name=deck][value=saga][checked]`).Length() != 1 || doc.Find(`#new_per_day[value="2"]`).Length() != 1 {
		t.Error("a refused deck is not explained with the form kept")
	}
	for _, bad := range []url.Values{
		{"new_per_day": {"-1"}, "reviews_per_day": {"5"}}, {"new_per_day": {"1000"}, "reviews_per_day": {"5"}},
		{"new_per_day": {"x"}, "reviews_per_day": {"5"}}, {"new_per_day": {"5"}, "reviews_per_day": {"10000"}},
	} {
		wantStatus(t, alice.submit(t, "/review/settings", bad), http.StatusBadRequest)
	}
	wantStatus(t, alice.submit(t, "/review/settings", url.Values{"deck": {"saga"}, "new_per_day": {"2"}, "reviews_per_day": {"50"}}), http.StatusSeeOther)

	for range 2 {
		if card := reviewed(t, alice, "3"); !strings.HasPrefix(card, "saga/") {
			t.Errorf("studying the saga deck showed %s", card)
		}
	}
	doc = mustDoc(t, alice.get(t, "/review"))
	if doc.Find("[data-testid=review-done]").Length() != 1 {
		t.Errorf("after 2 new cards with a limit of 2 a day, /review still shows %s", doc.Find("[data-testid=flashcard]").AttrOr("data-card", ""))
	}
	if got := doc.Find("[data-testid=due-count]").Text(); !strings.Contains(got, "2 of 2 new") {
		t.Errorf("the count says %q, want 2 of 2 new today", strings.Join(strings.Fields(got), " "))
	}
}

func TestUndoTheLastRating(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	card := reviewed(t, alice, "4")
	doc := mustDoc(t, alice.get(t, "/review"))
	undo := doc.Find("[data-testid=undo]")
	if !strings.Contains(undo.Text(), "Easy") || undo.Find("input[name=card]").AttrOr("value", "") != card {
		t.Fatalf("the review page offers no undo of the Easy on %s: %q", card, undo.Text())
	}
	form := url.Values{"card": {card}, "reviewed": {undo.Find("input[name=reviewed]").AttrOr("value", "")}}
	res := wantStatus(t, alice.submit(t, "/review/undo", form), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/review?undone=1" {
		t.Errorf("undo leads to %q", loc)
	}
	if _, ok, _ := ts.db.Card(t.Context(), alice.id(), card); ok {
		t.Error("after undoing its only rating the card is still stored")
	}
	if got := mustDoc(t, alice.get(t, "/review")).Find("[data-testid=flashcard]").AttrOr("data-card", ""); got != card {
		t.Errorf("after the undo /review shows %s, want %s again", got, card)
	}
	wantStatus(t, alice.submit(t, "/review/undo", form), http.StatusConflict)
	wantStatus(t, alice.submit(t, "/review/undo", url.Values{"card": {card}, "reviewed": {"soon"}}), http.StatusBadRequest)
}

func TestCardBrowser(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)

	doc := mustDoc(t, wantStatus(t, alice.get(t, "/review/cards?q=compensat"), http.StatusOK))
	rows := doc.Find("[data-testid=card-table] tbody tr")
	if rows.Length() == 0 {
		t.Fatal("searching the cards for 'compensat' finds nothing")
	}
	rows.Each(func(_ int, r *goquery.Selection) {
		fc, _ := ts.cardByID(r.AttrOr("data-card", ""))
		if !strings.Contains(strings.ToLower(fc.Front+fc.Back), "compensat") {
			t.Errorf("%s matches 'compensat' nowhere", fc.ID)
		}
	})
	all := mustDoc(t, alice.get(t, "/review/cards"))
	if n := all.Find("[data-testid=card-table] tbody tr").Length(); n != browserPage || all.Find("a[rel=next]").Length() != 1 {
		t.Errorf("the first page lists %d cards, want %d and a next page", n, browserPage)
	}

	first := reviewed(t, alice, "3")
	ret := "/review/cards?deck=" + ts.cards[0].Deck
	res := wantStatus(t, alice.submit(t, "/review/cards/suspend", url.Values{"card": {first}, "suspend": {"1"}, "return": {ret}}), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != ret+"&done=suspended" {
		t.Errorf("suspending returns to %q", loc)
	}
	doc = mustDoc(t, alice.get(t, "/review/cards?state=suspended"))
	if ids := doc.Find("tbody tr").Map(func(_ int, r *goquery.Selection) string { return r.AttrOr("data-card", "") }); len(ids) != 1 || ids[0] != first {
		t.Errorf("suspended cards = %v, want %s", ids, first)
	}
	q, _ := ts.queue(echoContextFor(t, ts, alice), ts.now().Add(24*time.Hour))
	for _, c := range append(q.reviews, q.fresh...) {
		if c.ID == first {
			t.Error("a suspended card is in the study queue")
		}
	}
	wantStatus(t, alice.submit(t, "/review/cards/suspend", url.Values{"card": {first}, "suspend": {"0"}}), http.StatusSeeOther)
	wantStatus(t, alice.submit(t, "/review/cards/reset", url.Values{"card": {first}}), http.StatusSeeOther)
	if _, ok, _ := ts.db.Card(t.Context(), alice.id(), first); ok {
		t.Error("a reset card is still scheduled")
	}
	// The way back is always the browser, never another site.
	for _, evil := range []string{"https://evil.example/", "//evil.example", "/review/cards\r\nX: y", "/progress"} {
		res := wantStatus(t, alice.submit(t, "/review/cards/suspend", url.Values{"card": {first}, "suspend": {"0"}, "return": {evil}}), http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/review/cards?done=unsuspended" {
			t.Errorf("return %q led to %q", evil, loc)
		}
	}
	for _, bad := range []string{"?deck=nope", "?state=lost", "?page=0", "?page=x", "?q=" + strings.Repeat("a", 201)} {
		wantStatus(t, alice.get(t, "/review/cards"+bad), http.StatusBadRequest)
	}
	wantStatus(t, alice.submit(t, "/review/cards/suspend", url.Values{"card": {"nope"}, "suspend": {"1"}}), http.StatusBadRequest)
	wantStatus(t, alice.submit(t, "/review/cards/suspend", url.Values{"card": {first}, "suspend": {"maybe"}}), http.StatusBadRequest)
}

func TestReviewStatsAndTimeZone(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	for range 3 {
		reviewed(t, alice, "3")
	}
	doc := mustDoc(t, wantStatus(t, alice.get(t, "/review/stats"), http.StatusOK))
	if got := doc.Find("[data-testid=review-total]").Text(); got != "3" {
		t.Errorf("the statistics count %q reviews, want 3", got)
	}
	if n := doc.Find("[data-testid=chart-per-day] rect.bar").Length(); n != statsDays {
		t.Errorf("the per-day chart has %d bars, want %d", n, statsDays)
	}
	if got := doc.Find("[data-testid=chart-per-day] table tbody tr:last-child td").Text(); got != "3" {
		t.Errorf("today's bar says %q reviews, want 3", got)
	}
	if got := doc.Find("[data-testid=retention]").Text(); got != "–" {
		t.Errorf("retention with no learned card = %q, want –", got)
	}

	// Due times read on the learner's clock once the browser says which.
	u, _ := url.Parse(srv.URL)
	alice.client.Jar.SetCookies(u, []*http.Cookie{{Name: zoneCookie, Value: url.QueryEscape("Asia/Tokyo")}})
	doc = mustDoc(t, alice.get(t, "/review/cards?state=learning"))
	if got := doc.Find("tbody time").First().AttrOr("title", ""); !strings.HasSuffix(got, "Asia/Tokyo") {
		t.Errorf("with tz=Asia/Tokyo a due time reads %q", got)
	}
	for _, bad := range []string{"Mars/Olympus", "../../etc/passwd", strings.Repeat("A", 90)} {
		alice.client.Jar.SetCookies(u, []*http.Cookie{{Name: zoneCookie, Value: url.QueryEscape(bad)}})
		doc = mustDoc(t, wantStatus(t, alice.get(t, "/review/cards?state=learning"), http.StatusOK))
		if got := doc.Find("tbody time").First().AttrOr("title", ""); !strings.HasSuffix(got, "UTC") {
			t.Errorf("with tz=%q a due time reads %q, want UTC", bad, got)
		}
	}
}

func TestDayStartsAtFourOnTheLearnersClock(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	for _, c := range []struct{ now, want string }{
		{"2026-12-02T10:00:00+09:00", "2026-12-02T04:00:00+09:00"},
		{"2026-12-02T03:59:00+09:00", "2026-12-01T04:00:00+09:00"},
		{"2026-12-02T04:00:00+09:00", "2026-12-02T04:00:00+09:00"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		want, _ := time.Parse(time.RFC3339, c.want)
		if got := dayStart(now, tokyo); !got.Equal(want) {
			t.Errorf("dayStart(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}

// echoContextFor is a request context carrying le's cookies, for calling
// a handler's helpers directly.
func echoContextFor(t *testing.T, ts *testServer, le *learner) echo.Context {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/review", nil)
	u, _ := url.Parse(le.base)
	for _, ck := range le.client.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	return ts.echo.NewContext(req, httptest.NewRecorder())
}
