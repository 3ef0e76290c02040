package content_test

import (
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"microlab/content"
)

// mustDefault loads the embedded content, checking quiz topics against the
// embedded quiz banks.
// pageFiles counts the embedded files matching pattern, leaving out the
// folders' READMEs.
func pageFiles(tb testing.TB, pattern string) int {
	tb.Helper()
	files, err := fs.Glob(content.Files(), pattern)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if path.Base(f) != "README.md" {
			n++
		}
	}
	return n
}

func mustDefault(tb testing.TB) *content.Library {
	tb.Helper()
	lib, err := content.Default(content.Options{QuizTopics: quizTopics(tb)})
	if err != nil {
		tb.Fatalf("the embedded content does not load:\n%v", err)
	}
	return lib
}

// quizTopics lists the embedded quiz banks by topic.
func quizTopics(tb testing.TB) []string {
	tb.Helper()
	banks, err := fs.Glob(content.Files(), "quiz/*.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var topics []string
	for _, b := range banks {
		topics = append(topics, strings.TrimSuffix(path.Base(b), ".yaml"))
	}
	return topics
}

// doc parses a page's HTML for structural checks.
func doc(tb testing.TB, html string) *goquery.Document {
	tb.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestEmbeddedContentIsValid(t *testing.T) {
	lib := mustDefault(t)
	for _, p := range lib.All() {
		if p.HTML == "" || p.Words == 0 || p.URL != "/"+p.Kind.Dir()+"/"+p.Slug {
			t.Errorf("%s: HTML %d bytes, %d words, URL %q", p.Source, len(p.HTML), p.Words, p.URL)
		}
	}
}

// TestSeedTopicsCovered checks that everything the seed names has its page,
// and the tools guide a section per tool family.
func TestSeedTopicsCovered(t *testing.T) {
	lib := mustDefault(t)
	want := map[content.Kind][]string{
		content.KindPattern: {"service-discovery", "api-gateway", "circuit-breaker", "event-driven", "saga", "sidecar", "bulkhead"},
		content.KindGuide:   {"monolith-vs-microservices", "advantages", "challenges", "tools"},
		content.KindQuestion: {
			"what-are-microservices", "advantages-of-microservices", "challenges-of-microservices",
			"design-patterns", "tools-and-technologies", "scalability-and-availability",
			"security-and-data-privacy", "deployment-and-orchestration",
			"monitoring-and-troubleshooting", "describe-a-project",
		},
	}
	for kind, slugs := range want {
		for _, slug := range slugs {
			if _, ok := lib.Page(kind, slug); !ok {
				t.Errorf("no %s page %q", kind, slug)
			}
		}
	}
	tools, ok := lib.Page(content.KindGuide, "tools")
	if !ok {
		t.Fatal("no tools guide")
	}
	for _, id := range []string{"containers", "orchestration", "service-mesh", "api-gateway",
		"monitoring-and-logging", "distributed-tracing", "message-brokers"} {
		if !slices.ContainsFunc(tools.TOC, func(h content.Heading) bool { return h.ID == id }) {
			t.Errorf("the tools guide has no section #%s", id)
		}
	}
	for _, p := range lib.Pages(content.KindPattern) {
		if n := len(p.KeyPoints); n < 5 || n > 8 || len(p.KeyPointsHTML) != n || p.Question != "" || len(p.FollowUps) != 0 {
			t.Errorf("%s: %d key points (%d rendered), question %q, %d follow-ups, want 5 to 8 key points and nothing else",
				p.Source, len(p.KeyPoints), len(p.KeyPointsHTML), p.Question, len(p.FollowUps))
		}
	}
	for _, p := range lib.Pages(content.KindGuide) {
		if len(p.KeyPoints) != 0 || len(p.KeyPointsHTML) != 0 {
			t.Errorf("%s: a guide with %d key points", p.Source, len(p.KeyPoints))
		}
	}
	for _, p := range lib.Pages(content.KindQuestion) {
		if p.Question == "" || len(p.KeyPointsHTML) != len(p.KeyPoints) || len(p.FollowUps) < 2 {
			t.Errorf("%s: question %q, %d key points (%d rendered), %d follow-ups",
				p.Source, p.Question, len(p.KeyPoints), len(p.KeyPointsHTML), len(p.FollowUps))
		}
	}
}

func TestEveryPatternHasADiagramThatIsServed(t *testing.T) {
	lib := mustDefault(t)
	for _, p := range lib.Pages(content.KindPattern) {
		d := doc(t, p.HTML)
		src, ok := d.Find("figure img").Attr("src")
		if !ok {
			t.Errorf("%s: no figure", p.Source)
			continue
		}
		if _, ok := lib.Diagram(strings.TrimPrefix(src, "/diagrams/")); !ok {
			t.Errorf("%s: Diagram(%q) not found", p.Source, src)
		}
	}
}

func TestRender(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())
	p, ok := lib.Page(content.KindPattern, "retry")
	if !ok {
		t.Fatal("no retry page")
	}
	d := doc(t, p.HTML)

	t.Run("headings carry an id and a link to themselves", func(t *testing.T) {
		h := d.Find("h2#how-it-works")
		if h.Length() != 1 {
			t.Fatalf("h2#how-it-works found %d times", h.Length())
		}
		a := h.Find("a.anchor")
		if href, _ := a.Attr("href"); href != "#how-it-works" {
			t.Errorf("anchor href = %q, want #how-it-works", href)
		}
		if label, _ := a.Attr("aria-label"); label == "" {
			t.Error("anchor has no aria-label")
		}
		if got := d.Find("h3 a.anchor").Length(); got != 3 {
			t.Errorf("h3 anchors = %d, want 3", got)
		}
	})
	t.Run("a lone image becomes a figure with a caption", func(t *testing.T) {
		img := d.Find("figure > img")
		if src, _ := img.Attr("src"); src != "/diagrams/retry.svg" {
			t.Errorf("figure img src = %q", src)
		}
		if alt, _ := img.Attr("alt"); alt != "The client calls, fails, waits and calls again." {
			t.Errorf("figure img alt = %q", alt)
		}
		if got := d.Find("figure > figcaption").Text(); got != "A retried call" {
			t.Errorf("figcaption = %q, want %q", got, "A retried call")
		}
		if d.Find("p > figure, p > img").Length() != 0 {
			t.Error("the image is still inside a paragraph")
		}
	})
	t.Run("external links get rel=noopener noreferrer, internal ones do not", func(t *testing.T) {
		ext := d.Find(`a[href^="http"]`)
		if ext.Length() != 2 {
			t.Fatalf("found %d external links, want the link and the bare domain", ext.Length())
		}
		ext.Each(func(_ int, a *goquery.Selection) {
			if rel, _ := a.Attr("rel"); rel != "noopener noreferrer" {
				t.Errorf("external link %s: rel = %q", a.AttrOr("href", ""), rel)
			}
		})
		if _, ok := d.Find(`a[href="/questions/why-retry"]`).Attr("rel"); ok {
			t.Error("internal link has a rel")
		}
	})
	t.Run("code is highlighted with classes, never inline styles", func(t *testing.T) {
		if d.Find("pre.chroma span.kd, pre.chroma span.k").Length() == 0 {
			t.Errorf("no highlighted keywords in:\n%s", p.HTML)
		}
		if n := d.Find("[style]").Length(); n != 0 {
			t.Errorf("%d elements have a style attribute", n)
		}
	})
	t.Run("table alignment is a class", func(t *testing.T) {
		if d.Find("th.align-left").Length() != 1 || d.Find("td.align-right").Length() != 1 || d.Find("td.align-center").Length() != 1 {
			t.Errorf("table cells lack alignment classes")
		}
	})
	t.Run("GFM and typographer", func(t *testing.T) {
		if d.Find(`input[type="checkbox"][disabled]`).Length() != 2 {
			t.Error("no task list checkboxes")
		}
		if d.Find("del").Text() != "retry forever" {
			t.Error("no strikethrough")
		}
		if !strings.Contains(p.HTML, "“doubles” the wait – up to") {
			t.Error("typographer did not turn quotes and -- into their typographic forms")
		}
	})
	t.Run("the table of contents holds h2 and h3", func(t *testing.T) {
		if len(p.TOC) != 11 {
			t.Fatalf("len(TOC) = %d, want 11: %+v", len(p.TOC), p.TOC)
		}
		if got, want := p.TOC[0], (content.Heading{Level: 2, ID: "the-problem", Text: "The problem"}); got != want {
			t.Errorf("TOC[0] = %+v, want %+v", got, want)
		}
		if got := p.TOC[9]; got.Level != 3 || got.ID != "a-strong-60-second-answer" {
			t.Errorf("TOC[9] = %+v", got)
		}
	})
	t.Run("the word count leaves out code", func(t *testing.T) {
		if p.Words < 900 || p.Words > 1100 {
			t.Errorf("Words = %d, want about 1000", p.Words)
		}
	})
}

func TestQuestionFieldsRenderInline(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())
	q, _ := lib.Page(content.KindQuestion, "why-retry")
	if got, want := q.KeyPointsHTML[2], "Cap attempts with <code>maxAttempts</code>."; got != want {
		t.Errorf("KeyPointsHTML[2] = %q, want %q", got, want)
	}
	if got := q.KeyPointsHTML[1]; !strings.Contains(got, `<a href="/patterns/retry#how-it-works">the pattern</a>`) || strings.HasPrefix(got, "<p>") {
		t.Errorf("KeyPointsHTML[1] = %q", got)
	}
	if got, want := q.FollowUps[0].AHTML, "A cap on retries as a share of requests, such as <code>20%</code>."; got != want {
		t.Errorf("FollowUps[0].AHTML = %q, want %q", got, want)
	}
	if got, want := len(q.Strong), 2; got != want || len(q.StrongHTML) != want {
		t.Fatalf("len(Strong), len(StrongHTML) = %d, %d, want %d", got, len(q.StrongHTML), want)
	}
	if got := q.StrongHTML[1]; !strings.Contains(got, `<a href="/patterns/retry#how-it-works">the pattern</a>`) || strings.HasPrefix(got, "<p>") {
		t.Errorf("StrongHTML[1] = %q", got)
	}
	if got, want := q.FollowUps[1].QHTML, "Why jitter?"; got != want {
		t.Errorf("FollowUps[1].QHTML = %q, want %q", got, want)
	}
	if q.Question != "When should a service retry a failed call?" {
		t.Errorf("Question = %q", q.Question)
	}
}

func TestPatternKeyPointsRenderInline(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())
	p, _ := lib.Page(content.KindPattern, "retry")
	if len(p.KeyPointsHTML) != 5 {
		t.Fatalf("KeyPointsHTML has %d entries, want 5: %q", len(p.KeyPointsHTML), p.KeyPointsHTML)
	}
	if got, want := p.KeyPointsHTML[0], "Retry only calls that are safe to repeat."; got != want {
		t.Errorf("KeyPointsHTML[0] = %q, want %q", got, want)
	}
	if got := p.KeyPointsHTML[1]; !strings.Contains(got, "<code>maxDelay</code>") ||
		!strings.Contains(got, `<a href="/questions/why-retry#the-short-answer">the answer</a>`) || strings.HasPrefix(got, "<p>") {
		t.Errorf("KeyPointsHTML[1] = %q", got)
	}
	if got, want := p.KeyPoints[2], "Cap attempts: three at most."; got != want {
		t.Errorf("KeyPoints[2] = %q, want %q", got, want)
	}
}

func TestPagesAndNeighbours(t *testing.T) {
	lib := mustDefault(t)
	patterns := lib.Pages(content.KindPattern)
	if want := pageFiles(t, "patterns/*.md"); len(patterns) != want {
		t.Fatalf("len(Pages(pattern)) = %d, want %d, one per file", len(patterns), want)
	}
	for i := 1; i < len(patterns); i++ {
		if patterns[i-1].Order >= patterns[i].Order {
			t.Errorf("patterns not sorted by order: %s (%d) before %s (%d)",
				patterns[i-1].Slug, patterns[i-1].Order, patterns[i].Slug, patterns[i].Order)
		}
	}
	prev, next := lib.Neighbours(patterns[0])
	if prev != nil || next != patterns[1] {
		t.Errorf("Neighbours(first) = %v, %v; want nil, %s", prev, next, patterns[1].Slug)
	}
	prev, next = lib.Neighbours(patterns[3])
	if prev != patterns[2] || next != patterns[4] {
		t.Errorf("Neighbours(4th) = %s, %s; want %s, %s", prev.Slug, next.Slug, patterns[2].Slug, patterns[4].Slug)
	}
	if _, next := lib.Neighbours(patterns[len(patterns)-1]); next != nil {
		t.Errorf("Neighbours(last) next = %s, want nil", next.Slug)
	}
	if _, ok := lib.Page(content.KindGuide, "saga"); ok {
		t.Error("Page(guide, saga) found a pattern under the wrong kind")
	}
	patterns[0] = nil
	if lib.Pages(content.KindPattern)[0] == nil {
		t.Error("Pages returned the library's own slice")
	}
	if got, want := len(lib.All()), pageFiles(t, "*/*.md"); got != want {
		t.Errorf("len(All()) = %d, want %d, one per page file", got, want)
	}
	saga, _ := lib.Page(content.KindPattern, "saga")
	if rel := lib.Related(saga); len(rel) != len(saga.Related) {
		t.Errorf("Related(saga) = %d pages, want %d", len(rel), len(saga.Related))
	}
}

func TestNearest(t *testing.T) {
	lib := mustDefault(t)
	tests := []struct {
		query string
		want  string // URL of the first suggestion; "" for none
	}{
		{"circut-breaker", "/patterns/circuit-breaker"},
		{"/patterns/sagas", "/patterns/saga"},
		{"service-discvery", "/patterns/service-discovery"},
		{"bulkheads", "/patterns/bulkhead"},
		{"/questions/what-are-micro-services", "/questions/what-are-microservices"},
		{"tool", "/guides/tools"},
		{"gateway", "/patterns/api-gateway"},
		{"zqxwv", ""},
		{"", ""},
		{"///", ""},
	}
	for _, tt := range tests {
		got := lib.Nearest(tt.query, 3)
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("Nearest(%q) = %s..., want nothing", tt.query, got[0].URL)
		case tt.want != "" && (len(got) == 0 || got[0].URL != tt.want):
			var urls []string
			for _, p := range got {
				urls = append(urls, p.URL)
			}
			t.Errorf("Nearest(%q) = %v, want %s first", tt.query, urls, tt.want)
		}
		if len(got) > 3 {
			t.Errorf("Nearest(%q, 3) returned %d pages", tt.query, len(got))
		}
	}
	if got := lib.Nearest(strings.Repeat("saga", 10000), 3); len(got) > 3 {
		t.Errorf("Nearest(long) returned %d pages", len(got))
	}
}

func TestHighlightCSS(t *testing.T) {
	css := mustLoad(t, validFixture(), fixtureOptions()).HighlightCSS()
	for _, want := range []string{
		".chroma .k {",
		`html[data-theme="dark"] .chroma .k {`,
		"@media (prefers-color-scheme: dark) {",
		`  html:not([data-theme="light"]) .chroma .k {`,
	} {
		if !strings.Contains(css, want) {
			t.Errorf("HighlightCSS lacks %q", want)
		}
	}
	if strings.Contains(css, ".bg {") {
		t.Error("HighlightCSS styles the generic .bg class")
	}
	// Every token the light palette styles is restyled for the dark one, or
	// it would keep a light-theme colour on a dark background.
	for _, line := range strings.Split(css, "\n") {
		sel, _, ok := strings.Cut(line, " {")
		if !ok || strings.HasPrefix(sel, "html") || strings.HasPrefix(sel, " ") || strings.HasPrefix(sel, "@") {
			continue
		}
		if !strings.Contains(css, `html[data-theme="dark"] `+sel+" {") {
			t.Errorf("the dark theme does not restyle %q", sel)
		}
	}
	if strings.Count(css, "{") != strings.Count(css, "}") {
		t.Error("HighlightCSS has unbalanced braces")
	}
}

func TestDiagram(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())
	if b, ok := lib.Diagram("retry.svg"); !ok || !strings.Contains(string(b), "<svg") {
		t.Errorf("Diagram(retry.svg) = %d bytes, %v", len(b), ok)
	}
	for _, name := range []string{"", "nope.svg", "../patterns/retry.md", "retry"} {
		if _, ok := lib.Diagram(name); ok {
			t.Errorf("Diagram(%q) found something", name)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := content.Default(content.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestInline(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())
	t.Run("renders like a key point", func(t *testing.T) {
		got, err := lib.Inline("Set `maxAttempts`; see [the pattern](/patterns/retry#how-it-works).")
		want := `Set <code>maxAttempts</code>; see <a href="/patterns/retry#how-it-works">the pattern</a>.`
		if err != nil || got != want {
			t.Errorf("Inline = %q, %v, want %q", got, err, want)
		}
	})
	for _, tt := range []struct{ name, src, want string }{
		{"refuses an empty snippet", "  ", "empty"},
		{"refuses two paragraphs", "One.\n\nTwo.", "one paragraph"},
		{"refuses a heading", "## Title", "one paragraph"},
		{"refuses raw HTML", "A <b>bold</b> claim.", "raw HTML"},
		{"refuses a link to a missing page", "[x](/patterns/nope)", "no page patterns/nope.md"},
		{"refuses a link to a missing heading", "[x](/patterns/retry#nope)", `no heading with the id "nope"`},
		{"refuses a relative link", "[x](retry)", "absolute path"},
		{"refuses a link outside the pages", "[x](/lab/retry-storm)", "only links to pages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lib.Inline(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Inline(%q) error = %v, want one containing %q", tt.src, err, tt.want)
			}
		})
	}
}

func TestHasSection(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())
	for _, tt := range []struct {
		slug, id string
		want     bool
	}{
		{"retry", "how-it-works", true},
		{"retry", "how-it-work", false},
		{"why-retry", "the-two-minute-answer", true},
		{"nope", "how-it-works", false},
	} {
		if got := lib.HasSection(tt.slug, tt.id); got != tt.want {
			t.Errorf("HasSection(%q, %q) = %v, want %v", tt.slug, tt.id, got, tt.want)
		}
	}
}
