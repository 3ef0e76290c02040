package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
	"microlab/quiz"
	"microlab/simulator"
)

func TestBrowserFrame(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()

	t.Run("every navigation link loads cleanly", func(t *testing.T) {
		tab := b.NewTab(1280, 900, "light")
		tab.Do(chromedp.Navigate(srv.URL + "/"))
		links := browsertest.Eval[[]string](tab, `[...document.querySelectorAll('nav[aria-label="Main"] a')].map(a => a.getAttribute('href'))`)
		if len(links) != 6 {
			t.Fatalf("found %d navigation links, want 6: %v", len(links), links)
		}
		for _, href := range links {
			tab.Do(chromedp.Navigate(srv.URL+"/"),
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`nav[aria-label="Main"] a[href=%q]`, href))),
				chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Main"] a[aria-current="page"]`)),
			)
			loc := browsertest.Eval[string](tab, `location.pathname`)
			if loc != href {
				t.Errorf("clicking %s landed on %s", href, loc)
			}
			if p := tab.Problems(); len(p) > 0 {
				t.Errorf("%s: %s", href, strings.Join(p, "; "))
			}
		}
	})

	t.Run("the theme toggle comes back to the same place", func(t *testing.T) {
		tab := b.NewTab(1280, 900, "light")
		// The diagram is lazy and has no size until it loads: load it
		// first, or its arrival would move the page under the test.
		tab.Do(chromedp.Navigate(srv.URL+"/patterns/saga"),
			chromedp.Evaluate[chromedp.Void](`Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => {}) }))`, chromedp.EvalAwaitPromise),
			chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight)`))
		before := browsertest.Eval[int](tab, `Math.round(window.scrollY)`)
		tab.Do(chromedp.Click(chromedp.CSS(`button[name=theme][value=dark]`), chromedp.NodeVisible))
		waitAcross(t, tab, `document.documentElement.dataset.theme === 'dark' && document.readyState === 'complete'`)
		if after := browsertest.Eval[int](tab, `Math.round(window.scrollY)`); before < 1000 || after < before-5 || after > before+5 {
			t.Errorf("scrolled to %d before the theme change and %d after; want the same place", before, after)
		}
	})

	t.Run("theme toggle works and is remembered", func(t *testing.T) {
		tab := b.NewTab(1280, 900, "light")
		tab.Do(chromedp.Navigate(srv.URL+"/quiz"),
			chromedp.Click(chromedp.CSS(`button[name=theme][value=dark]`)),
			chromedp.WaitVisible(chromedp.CSS(`html[data-theme=dark]`)),
		)
		if loc := browsertest.Eval[string](tab, `location.pathname`); loc != "/quiz" {
			t.Errorf("after switching theme the page is %s, want /quiz", loc)
		}
		tab.Do(chromedp.Navigate(srv.URL + "/"))
		bg := browsertest.Eval[string](tab, `getComputedStyle(document.body).backgroundColor`)
		if bg != "rgb(15, 18, 23)" {
			t.Errorf("dark theme body background = %s, want rgb(15, 18, 23)", bg)
		}
		if p := tab.Problems(); len(p) > 0 {
			t.Error(strings.Join(p, "; "))
		}
	})

	checkPages(t, b, srv.URL, []pageShot{
		{"/", "home-desktop-light", 1280, 900, "light"},
		{"/", "home-desktop-dark", 1280, 900, "dark"},
		{"/", "home-phone-light", 375, 812, "light"},
		{"/", "home-phone-dark", 375, 812, "dark"},
	})
}

// pageShot is a page to load at a viewport size and colour scheme.
type pageShot struct {
	path, name    string
	width, height int64
	scheme        string
}

// checkPages loads each page in its own tab and requires that nothing
// sticks out sideways, every image loads (a lazy one is made eager first:
// one far below the first screen would wait for a scroll that never
// comes), and there is no console error
// or CSP violation, and that axe-core finds no accessibility violation; it
// saves a screenshot of each.
func checkPages(t *testing.T, b *browsertest.Browser, base string, shots []pageShot) {
	for _, shot := range shots {
		t.Run(shot.name, func(t *testing.T) {
			tab := b.NewTab(shot.width, shot.height, shot.scheme)
			tab.Do(chromedp.Navigate(base + shot.path))
			if w := browsertest.Eval[int64](tab, `document.documentElement.scrollWidth`); w > shot.width {
				t.Errorf("page is %d px wide in a %d px viewport", w, shot.width)
			}
			broken, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[[]string](
				`Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().then(() => "", () => i.src) })).then(r => r.filter(Boolean))`,
				chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if len(broken) > 0 {
				t.Errorf("images that did not load: %v", broken)
			}
			tab.Screenshot(shot.name)
			if p := tab.Problems(); len(p) > 0 {
				t.Error(strings.Join(p, "; "))
			}
			tab.CheckAxe()
		})
	}
}

func TestBrowserLearnPages(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()

	checkPages(t, b, srv.URL, []pageShot{
		{"/patterns/circuit-breaker", "pattern-desktop-light", 1280, 900, "light"},
		{"/patterns/circuit-breaker", "pattern-phone-dark", 375, 812, "dark"},
		{"/questions/scalability-and-availability", "question-desktop-light", 1280, 900, "light"},
		{"/patterns", "patterns-index-desktop-dark", 1280, 900, "dark"},
		{"/lab/payment-outage", "lab-scenario-desktop-light", 1280, 900, "light"},
		{"/lab/payment-outage/recorded", "lab-report-desktop-light", 1280, 900, "light"},
		{"/lab", "lab-index-phone-dark", 375, 812, "dark"},
		{"/lab", "lab-index-desktop-light", 1280, 800, "light"},
		{"/lab/payment-outage", "lab-scenario-phone-dark", 375, 812, "dark"},
		{"/patterns/saga", "pattern-360-light", 360, 740, "light"},
		{"/guides/tools", "guide-360-dark", 360, 740, "dark"},
		{"/search?q=half-open", "search-desktop-light", 1280, 900, "light"},
		{"/quiz", "quiz-builder-phone-light", 375, 812, "light"},
	})
}

func TestBrowserAnswerRevealWithoutJavaScript(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	tab := b.NewTab(1280, 900, "light")
	tab.Do(
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}),
		chromedp.Navigate(srv.URL+"/questions/scalability-and-availability"),
	)
	visible := func() bool {
		return browsertest.Eval[bool](tab, `document.querySelector('details[data-testid=answer] .key-points').checkVisibility()`)
	}
	if browsertest.Eval[bool](tab, `typeof window.htmx !== "undefined"`) {
		t.Fatal("htmx loaded although scripts were disabled")
	}
	if visible() {
		t.Fatal("the model answer is visible before it is revealed")
	}
	tab.Do(chromedp.Click(chromedp.CSS(`details[data-testid=answer] > summary`)))
	if !visible() {
		t.Fatal("clicking 'Show the model answer' did not reveal it with JavaScript off")
	}
	tab.Screenshot("question-revealed-no-js")
	// axe-core needs scripts; the page's own stay unrun, so it checks the
	// page as a reader without JavaScript has it.
	tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	}))
	tab.CheckAxe()
}

func TestBrowserSearchAsYouType(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	tab := b.NewTab(1280, 900, "light")
	tab.Do(chromedp.Navigate(srv.URL+"/search"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`)(ctx, tg)
			return err
		}),
		chromedp.SendKeys(chromedp.CSS("#q"), "compensation"),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=results]")),
		// Each pause while typing asks anew; wait for the last answer.
		waitJS(`location.search === '?q=compensation' && !document.querySelector('.htmx-request')`, 5*time.Second),
	)
	if !browsertest.Eval[bool](tab, `window.__sameDocument === true`) {
		t.Error("the page reloaded; results should be swapped in by htmx")
	}
	if got := browsertest.Eval[string](tab, `location.search`); got != "?q=compensation" {
		t.Errorf("address = %q, want the query pushed to the URL", got)
	}
	first := browsertest.Eval[string](tab, `document.querySelector('[data-testid=results] a').getAttribute('href')`)
	if !strings.HasPrefix(first, "/patterns/saga") {
		t.Errorf("first result for 'compensation' = %s, want the saga pattern", first)
	}
	tab.Screenshot("search-as-you-type")
	tab.CheckAxe()
	if p := tab.Problems(); len(p) > 0 {
		t.Error(strings.Join(p, "; "))
	}
}

func TestBrowserQuizReviewAndProgress(t *testing.T) {
	b := browsertest.New(t)
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	tab := b.NewTab(1280, 900, "light")

	// A pattern page's "Test yourself" leads to its quiz.
	tab.Do(chromedp.Navigate(srv.URL+"/patterns/bulkhead"),
		chromedp.Click(chromedp.CSS(`[data-testid=test-yourself]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=start-quiz]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=start-quiz]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=answer-form]`)),
	)
	tab.Screenshot("quiz-question")
	tab.CheckAxe()
	qid := browsertest.Eval[string](tab, `document.querySelector('[data-testid=quiz-card]').dataset.question`)
	q, ok := ts.catalog.Question(qid)
	if !ok {
		t.Fatalf("the page shows question %q, which is not in the catalog", qid)
	}
	// Answer with the keyboard when the question allows it: the key of the
	// first shown option, then Enter.
	if q.Type != quiz.TypeOrdering {
		tab.Do(chromedp.KeyEvent("1"))
		if !browsertest.Eval[bool](tab, `document.querySelector('input[data-key="1"]').checked`) {
			t.Error("key 1 did not pick the first option")
		}
		tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=answer-form] button[type=submit]`)))
	} else {
		n := len(q.Options)
		for i := range q.Options {
			tab.Do(chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`select[name="pos-%d"]`, i)), fmt.Sprint(n-i)))
		}
		tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=answer-form] button[type=submit]`)))
	}
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=feedback]`)))
	if got := browsertest.Eval[string](tab, `location.pathname`); !strings.HasSuffix(got, "/q/1") {
		t.Errorf("after answering, the address is %s; htmx should push the question's URL", got)
	}
	tab.Screenshot("quiz-feedback")
	tab.CheckAxe()
	tab.Do(chromedp.KeyEvent("n"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=answer-form]`)))
	if got := browsertest.Eval[string](tab, `location.pathname`); !strings.HasSuffix(got, "/q/2") {
		t.Errorf("N led to %s, want question 2", got)
	}

	// Review: Space reveals, a number key rates.
	tab.Do(chromedp.Navigate(srv.URL + "/review"))
	first := browsertest.Eval[string](tab, `document.querySelector('[data-testid=flashcard]').dataset.card`)
	tab.Do(chromedp.KeyEvent(" "), chromedp.WaitVisible(chromedp.CSS(`[data-testid=ratings]`)))
	tab.Screenshot("review-revealed")
	tab.CheckAxe()
	tab.Do(chromedp.KeyEvent("3"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=flashcard]`)))
	if next := browsertest.Eval[string](tab, `document.querySelector('[data-testid=flashcard]').dataset.card`); next == first {
		t.Errorf("after rating %s with key 3 the same card is shown", first)
	}

	tab.Do(chromedp.Navigate(srv.URL + "/progress"))
	tab.Screenshot("progress")
	tab.CheckAxe()
	if n, want := browsertest.Eval[int](tab, `document.querySelectorAll('[data-testid=mastery] meter').length`), len(ts.catalog.Topics()); n != want {
		t.Errorf("progress shows %d mastery bars, want one per quiz topic, %d", n, want)
	}
	if p := tab.Problems(); len(p) > 0 {
		t.Error(strings.Join(p, "; "))
	}
}

// TestBrowserEveryPageType loads each kind of page a visitor can open by
// address at 1280 and 375 wide, light and dark: nothing sticks out, no
// console error, axe finds nothing, and a screenshot of each. The pages
// reached only by acting (a question, its feedback, the result, the
// review's back) are checked by the tests that act. One tab a size and
// scheme visits them all, which keeps the test to a minute.
func TestBrowserEveryPageType(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	ch, _ := simulator.ChallengeBySlug("dead-instance")
	pages := []struct{ path, name string }{
		{"/", "home"}, {"/patterns/saga", "pattern"}, {"/questions/design-patterns", "question"},
		{"/guides/challenges", "guide"}, {"/search?q=retry+budget", "search"}, {"/quiz", "quiz-builder"},
		{"/review", "review"}, {"/review/cards", "card-browser"}, {"/review/stats", "review-stats"},
		{"/review/settings", "review-settings"}, {"/progress", "progress"}, {"/devices", "devices"}, {"/devices/link", "device-link"},
		{"/patterns/strangler-fig", "pattern-without-lab"}, {"/patterns/transactional-outbox", "pattern-new"},
		{"/guides/cap-and-consistency", "guide-new"},
		{compareURL(ch.Slug, ch.Naive.Values(), ch.Par.Values()), "compare"},
		{"/lab", "lab-index"},
		{"/nowhere", "not-found"},
	}
	for _, v := range []struct {
		w, h int64
		form string
	}{{1280, 900, "desktop"}, {375, 812, "phone"}} {
		for _, scheme := range []string{"light", "dark"} {
			t.Run(v.form+"-"+scheme, func(t *testing.T) {
				tab := b.NewTab(v.w, v.h, scheme)
				for _, p := range pages {
					tab.Do(chromedp.Navigate(srv.URL + p.path))
					if w := browsertest.Eval[int64](tab, `document.documentElement.scrollWidth`); w > v.w {
						t.Errorf("%s is %d px wide in a %d px viewport: %s", p.path, w, v.w, browsertest.Eval[string](tab, widestElement))
					}
					tab.Screenshot("all-" + p.name + "-" + v.form + "-" + scheme)
					tab.CheckAxe()
				}
				for _, problem := range tab.Problems() {
					if !strings.Contains(problem, "status of 404") || !strings.HasSuffix(problem, "/nowhere)") {
						t.Error(problem)
					}
				}
			})
		}
	}
}

// widestElement names the element that reaches furthest right.
const widestElement = `(() => { let best = null, right = 0; for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect().right; if (r > right) { right = r; best = e; } } return best ? best.tagName + '.' + best.className + ' ' + Math.round(right) : ''; })()`

// TestBrowserPatternContents: on a phone the contents are a folded list
// near the top, not 13 000 px down; wide, they sit beside the page and
// mark the section being read. A wide table says it scrolls and keeps its
// first column in view.
func TestBrowserPatternContents(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	phone := b.NewTab(375, 812, "light")
	phone.Do(chromedp.Navigate(srv.URL + "/patterns/circuit-breaker"))
	if got := browsertest.Eval[string](phone, `(() => { const d = document.querySelector('[data-testid=toc-narrow]'); const a = document.querySelector('.article-layout > .toc'); return Math.round(d.getBoundingClientRect().top + scrollY) + ' ' + getComputedStyle(a).display; })()`); !strings.HasSuffix(got, " none") || len(got) > 9 {
		t.Errorf("on a phone the folded contents sit at %q (top, and the side list's display); want near the top and the side list hidden", got)
	}
	if got := browsertest.Eval[string](phone, `(() => { const t = document.querySelector('.prose table'); if (!t) return 'no table'; const c = t.querySelector('tbody td:first-child, tbody th:first-child'); return getComputedStyle(c).position + ' ' + (t.scrollWidth > t.clientWidth); })()`); got != "sticky true" {
		t.Errorf("a wide table on a phone: %q, want its first column sticky and the table scrolling", got)
	}
	phone.Screenshot("pattern-phone-contents")

	wide := b.NewTab(1280, 900, "light")
	wide.Do(chromedp.Navigate(srv.URL+"/patterns/circuit-breaker"),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.prose h2[id]')[2].scrollIntoView()`))
	want := browsertest.Eval[string](wide, `document.querySelectorAll('.prose h2[id]')[2].id`)
	wide.Do(waitJS(`document.querySelector('.toc a[aria-current=location]') !== null && document.querySelector('.toc a[aria-current=location]').getAttribute('href') === '#`+want+`'`, 5*time.Second))
	wide.CheckAxe()
}

// TestBrowserLinkAnotherDevice makes a code on one browser and enters it
// on another, as a person would, with axe on each page.
func TestBrowserLinkAnotherDevice(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	a := b.NewTab(1280, 900, "light")
	a.Do(chromedp.Navigate(srv.URL+"/devices"),
		chromedp.Click(chromedp.CSS(`form[action="/devices/code"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=link-qr]`)))
	code := browsertest.Eval[string](a, `document.querySelector('[data-testid=link-code-text]').textContent.trim()`)
	a.Screenshot("devices-code")
	a.CheckAxe()
	phone := b.NewTab(375, 812, "dark")
	phone.Do(chromedp.Navigate(srv.URL+"/devices/link"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=enter-code-form] input[name=code]`), strings.ToLower(code)),
		chromedp.Submit(chromedp.CSS(`[data-testid=enter-code-form] input[name=code]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)))
	if got := browsertest.Eval[string](phone, `document.querySelector('[data-testid=flash]').textContent`); !strings.Contains(got, "now carries your progress") {
		t.Errorf("entering %q says %q", code, got)
	}
	phone.Screenshot("devices-linked-phone")
	phone.CheckAxe()
	for _, tab := range []*browsertest.Tab{a, phone} {
		if p := tab.Problems(); len(p) > 0 {
			t.Error(strings.Join(p, "; "))
		}
	}
}
