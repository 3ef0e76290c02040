package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"microlab/content"
)

func TestLearnIndexesListEveryPage(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		path  string
		cards int
	}{{"/patterns", len(ts.content.Pages(content.KindPattern))}, {"/questions", 10}, {"/guides", len(ts.content.Pages(content.KindGuide))}} {
		doc := mustDoc(t, ts.get(t, tc.path))
		if n := doc.Find("[data-testid=page-cards] > li").Length(); n != tc.cards {
			t.Errorf("%s lists %d cards, want %d", tc.path, n, tc.cards)
		}
	}
}

// A pattern the simulator cannot show (the strangler fig) has no lab: its
// page offers the quiz and no "See it live" link to a lab that is not there.
func TestAPatternWithoutALabLinksOnlyItsQuiz(t *testing.T) {
	ts := newTestServer(t)
	doc := mustDoc(t, ts.get(t, "/patterns/strangler-fig"))
	if n := doc.Find("[data-testid=see-it-live]").Length(); n != 0 {
		t.Errorf("the page has %d See it live links, want none", n)
	}
	if n := doc.Find(`[data-testid=test-yourself][href="/quiz?topic=strangler-fig"]`).Length(); n != 2 {
		t.Errorf("the page has %d Test yourself links to its quiz, want 2 (top and bottom)", n)
	}
}

// Guides and question pages have quiz banks too, and say so where a
// pattern page does: under the title and after the article.
func TestEveryPageWithABankLinksToIt(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/guides/cap-and-consistency", "/guides/tools", "/questions/design-patterns"} {
		topic := path[strings.LastIndex(path, "/")+1:]
		doc := mustDoc(t, ts.get(t, path))
		if n := doc.Find(`[data-testid=test-yourself][href="/quiz?topic=` + topic + `"]`).Length(); n != 2 {
			t.Errorf("%s has %d Test yourself links to its quiz, want 2", path, n)
		}
		if res := ts.get(t, "/quiz?topic="+topic); res.StatusCode != http.StatusOK {
			t.Errorf("%s links to a quiz builder that answers %d", path, res.StatusCode)
		}
	}
}

func TestPatternPageShape(t *testing.T) {
	ts := newTestServer(t)
	doc := mustDoc(t, ts.get(t, "/patterns/circuit-breaker"))
	if got := doc.Find("h1").First().Text(); got != "Circuit breaker" {
		t.Errorf("h1 = %q", got)
	}
	for _, tc := range []struct{ sel, href string }{
		{"[data-testid=see-it-live]", "/lab/payment-outage"},
		{"[data-testid=test-yourself]", "/quiz?topic=circuit-breaker"},
	} {
		s := doc.Find(tc.sel)
		if s.Length() != 2 {
			t.Errorf("%s appears %d times, want 2 (top and bottom)", tc.sel, s.Length())
		}
		if h := s.First().AttrOr("href", ""); h != tc.href {
			t.Errorf("%s links to %q, want %q", tc.sel, h, tc.href)
		}
	}
	var toc []string
	doc.Find(".toc li.toc-h2 a").Each(func(_ int, a *goquery.Selection) { toc = append(toc, a.Text()) })
	want := "The problem|How it works|A worked example in the shop|Knobs and defaults|Trade-offs and failure modes|When not to use it|In the interview|Related patterns"
	if strings.Join(toc, "|") != want {
		t.Errorf("table of contents = %q, want %q", strings.Join(toc, "|"), want)
	}
	if doc.Find(`nav[aria-label="Breadcrumb"] a`).Length() != 3 {
		t.Error("breadcrumbs missing")
	}
	if doc.Find(`a[rel=prev]`).AttrOr("href", "") != "/patterns/api-gateway" || doc.Find(`a[rel=next]`).AttrOr("href", "") != "/patterns/event-driven" {
		t.Error("previous/next links are not the neighbouring patterns")
	}
	cb, _ := ts.content.Page(content.KindPattern, "circuit-breaker")
	if doc.Find(`time[datetime="`+cb.Reviewed.Format(time.DateOnly)+`"]`).Length() != 1 {
		t.Errorf("reviewed date %s missing", cb.Reviewed.Format(time.DateOnly))
	}
	if doc.Find(`figure img[src="/diagrams/circuit-breaker.svg"][alt]`).Length() != 1 {
		t.Error("the state diagram is not rendered as a figure with alt text")
	}
	doc.Find(`a[href^="http"]`).Each(func(_ int, a *goquery.Selection) {
		if !strings.Contains(a.AttrOr("rel", ""), "noopener") {
			t.Errorf("external link %s lacks rel=noopener", a.AttrOr("href", ""))
		}
	})
	if doc.Find("[style]").Length() != 0 {
		t.Error("an element carries a style attribute; the CSP would block it")
	}
}

func TestQuestionAnswerIsHiddenUntilRevealed(t *testing.T) {
	ts := newTestServer(t)
	doc := mustDoc(t, ts.get(t, "/questions/describe-a-project"))
	if q := doc.Find("[data-testid=question]").Text(); !strings.HasPrefix(q, "Can you describe a project") {
		t.Errorf("question = %q", q)
	}
	d := doc.Find("details[data-testid=answer]")
	if d.Length() != 1 {
		t.Fatal("no <details> answer")
	}
	if _, open := d.Attr("open"); open {
		t.Error("the answer is open before it is revealed")
	}
	if n := d.Find("ul.key-points li").Length(); n < 5 || n > 8 {
		t.Errorf("%d key points, want 5 to 8", n)
	}
	if n := d.Find("dl.follow-ups dt").Length(); n < 2 || n > 4 {
		t.Errorf("%d follow-ups, want 2 to 4", n)
	}
}

func TestUnknownSlugSuggestsNearestTitles(t *testing.T) {
	ts := newTestServer(t)
	res := ts.get(t, "/patterns/circuit-braker")
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", res.StatusCode)
	}
	doc := mustDoc(t, res)
	if href := doc.Find("[data-testid=error] li a").First().AttrOr("href", ""); href != "/patterns/circuit-breaker" {
		t.Errorf("first suggestion = %q, want /patterns/circuit-breaker", href)
	}
	long := ts.get(t, "/questions/"+strings.Repeat("x", 500))
	if long.StatusCode != http.StatusNotFound {
		t.Errorf("a 500-character slug = %d, want 404", long.StatusCode)
	}
}

func TestSearch(t *testing.T) {
	ts := newTestServer(t)
	t.Run("empty query shows hints", func(t *testing.T) {
		res := ts.get(t, "/search?q=")
		if res.StatusCode != 200 {
			t.Fatalf("status = %d", res.StatusCode)
		}
		if mustDoc(t, res).Find("[data-testid=search-hints]").Length() != 1 {
			t.Error("no hints for an empty query")
		}
	})
	t.Run("title matches rank first and words are marked", func(t *testing.T) {
		doc := mustDoc(t, ts.get(t, "/search?q="+url.QueryEscape("saga")))
		first := doc.Find("[data-testid=results] li").First()
		if href := first.Find("a").AttrOr("href", ""); !strings.HasPrefix(href, "/patterns/saga") {
			t.Errorf("first result = %q, want the saga pattern", href)
		}
		if doc.Find("[data-testid=results] mark").Length() == 0 {
			t.Error("no highlighted words in the snippets")
		}
	})
	t.Run("htmx gets only the results", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/search?q=bulkhead", nil)
		req.Header.Set("HX-Request", "true")
		res := ts.do(t, req)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || strings.Contains(string(b), "<html") || !strings.Contains(string(b), `data-testid="results"`) {
			t.Errorf("htmx search = %d, %d bytes; want a results fragment", res.StatusCode, len(b))
		}
	})
	t.Run("a typo is corrected, and the page says so", func(t *testing.T) {
		doc := mustDoc(t, ts.get(t, "/search?q=circut"))
		if href := doc.Find("[data-testid=results] li a").First().AttrOr("href", ""); !strings.HasPrefix(href, "/patterns/circuit-breaker") {
			t.Errorf("first result for 'circut' = %q, want the circuit breaker", href)
		}
		if got := doc.Find("[data-testid=result-count]").Text(); !strings.Contains(got, "for “circuit”") || !strings.Contains(got, "you typed “circut”") {
			t.Errorf("the count says %q, want the corrected query and what was typed", got)
		}
		if mustDoc(t, ts.get(t, "/search?q=saga")).Find("[data-testid=corrected]").Length() != 0 {
			t.Error("a query spelt right is said to be corrected")
		}
	})
	t.Run("a phrase outranks its words apart", func(t *testing.T) {
		doc := mustDoc(t, ts.get(t, "/search?q=half-open"))
		if href := doc.Find("[data-testid=results] li a").First().AttrOr("href", ""); !strings.HasPrefix(href, "/patterns/circuit-breaker") {
			t.Errorf("first result for 'half-open' = %q, want the circuit breaker", href)
		}
	})
	t.Run("no match says so", func(t *testing.T) {
		if mustDoc(t, ts.get(t, "/search?q=xylophone")).Find("[data-testid=no-results]").Length() != 1 {
			t.Error("no 'nothing matches' message")
		}
	})
	t.Run("a query over 200 characters is refused", func(t *testing.T) {
		res := ts.get(t, "/search?q="+strings.Repeat("a", 201))
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status = %d, want 400", res.StatusCode)
		}
		if !strings.Contains(mustDoc(t, res).Find("[data-testid=error]").Text(), "limit is 200") {
			t.Error("the 400 page does not say what the limit is")
		}
		if res := ts.get(t, "/search?q="+strings.Repeat("é", 200)); res.StatusCode != 200 {
			t.Errorf("200 two-byte characters = %d, want 200: the bound counts characters", res.StatusCode)
		}
	})
}

func TestDiagramsAreServedAsSVG(t *testing.T) {
	ts := newTestServer(t)
	res := ts.get(t, "/diagrams/saga.svg")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET /diagrams/saga.svg = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res := ts.get(t, "/diagrams/nope.svg"); res.StatusCode != 404 {
		t.Errorf("unknown diagram = %d, want 404", res.StatusCode)
	}
}
