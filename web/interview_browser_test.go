package web

import (
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
)

// A whole 10-minute screen with the keyboard alone: Enter starts it, D
// ends each answer (and the follow-up), number keys mark the points, N
// goes on. The first answer is left to run out: the server's clock moves
// past its end and the page ends it by itself. The points marked missed
// come back first in review. Every page is axe-clean, light and dark.
func TestBrowserMockInterviewByKeyboard(t *testing.T) {
	b := browsertest.New(t)
	ts := newTestServer(t)
	var skew atomic.Int64 // what the server's clock is ahead of the wall clock
	ts.clock = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	hs := httptest.NewServer(ts)
	defer hs.Close()

	tab := b.NewTab(1280, 900, "light")
	tab.Do(chromedp.Navigate(hs.URL + "/interview"))
	tab.CheckAxe()
	tab.Screenshot("interview-index")
	tab.Do(
		chromedp.Focus(chromedp.CSS(`[data-testid=start-screen] button`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=answering]`)),
		waitJS(`/\d:\d\d left/.test(document.querySelector('.iv-left').textContent)`, 5*time.Second),
	)
	if got := browsertest.Eval[string](tab, `document.activeElement.tagName + ' ' + document.title`); !strings.HasPrefix(got, "H1 Question 1 of 3") {
		t.Errorf("on the first question, focus and title are %q", got)
	}
	tab.CheckAxe()
	tab.Screenshot("interview-question")

	// Time runs out on the first answer: the server's clock jumps to a
	// second before its end, the reload shows 0:01 left, and the page
	// ends the answer itself.
	skew.Store(int64(2*time.Minute - time.Second))
	tab.Do(
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=follow-up], [data-testid=interview][data-phase=rubric]`)),
	)
	var missed []string
	for n := 1; n <= 3; n++ {
		if n > 1 {
			tab.Do(
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=answering]`)),
				chromedp.SendKeys(chromedp.CSS(`#iv-notes`), "registry, then breaker"),
				chromedp.Focus(chromedp.CSS(`h1`)),
				chromedp.KeyEvent("d"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=follow-up], [data-testid=interview][data-phase=rubric]`)),
			)
		}
		if browsertest.Eval[string](tab, `document.querySelector('[data-testid=interview]').dataset.phase`) == "follow-up" {
			if got := browsertest.Eval[string](tab, `document.activeElement.textContent`); got != "The interviewer follows up" {
				t.Errorf("question %d: on the follow-up, focus is on %q", n, got)
			}
			if n == 1 {
				tab.CheckAxe()
				tab.Screenshot("interview-follow-up")
			}
			tab.Do(chromedp.KeyEvent("d"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=rubric]`)))
		}
		points := browsertest.Eval[int](tab, `document.querySelectorAll('[data-testid=iv-rubric] fieldset[data-point]').length`)
		if points < 3 || points > 9 {
			t.Fatalf("question %d has %d points", n, points)
		}
		// Covered, partly, missed, then covered for the rest.
		keys := []string{"1", "2", "2", "3", "3", "3"}
		for k := 4; k <= points; k++ {
			keys = append(keys, string(rune('0'+k)))
		}
		for _, k := range keys {
			tab.Do(chromedp.KeyEvent(k))
		}
		got := browsertest.Eval[string](tab, `[...document.querySelectorAll('[data-testid=iv-rubric] fieldset')].map(f => f.querySelector('input:checked')?.value ?? '-').join('')`)
		if want := "210" + strings.Repeat("2", points-3); got != want {
			t.Errorf("question %d: the keys marked %q, want %q", n, got, want)
		}
		missed = append(missed, strings.Fields(browsertest.Eval[string](tab, `document.querySelector('[data-testid=iv-point-3]').dataset.cards`))...)
		// A question page's explain-aloud card (its slug) comes back too.
		if slug, ok := strings.CutPrefix(browsertest.Eval[string](tab, `document.querySelector('[data-testid=interview]').dataset.ref`), "question:"); ok {
			missed = append(missed, slug)
		}
		if n == 1 {
			tab.CheckAxe()
			tab.Screenshot("interview-rubric")
		}
		tab.Do(chromedp.KeyEvent("n"))
	}
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid=iv-score]`)))
	if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=iv-score]').textContent.trim()`); !strings.HasSuffix(got, "%") {
		t.Errorf("the result's score reads %q", got)
	}
	if got := browsertest.Eval[int](tab, `document.querySelectorAll('[data-testid=iv-questions] tbody tr').length`); got != 3 {
		t.Errorf("the result lists %d questions", got)
	}
	tab.CheckAxe()
	tab.Screenshot("interview-result")

	// Review starts with a card of a missed point.
	if len(missed) == 0 {
		t.Fatal("no card teaches the third point of any of the three questions")
	}
	tab.Do(chromedp.Navigate(hs.URL + "/review"))
	if first := browsertest.Eval[string](tab, `document.querySelector('[data-testid=flashcard]')?.dataset.card ?? ''`); !slices.Contains(missed, first) {
		t.Errorf("the first card in review is %q, want one of the missed points' %q", first, missed)
	}

	// Dark, and a phone: the same pages, axe-clean, nothing wider than the screen.
	dark := b.NewTab(375, 812, "dark")
	dark.Do(chromedp.Navigate(hs.URL + "/interview"))
	dark.CheckAxe()
	dark.Screenshot("interview-index-dark-phone")
	dark.Do(
		chromedp.Click(chromedp.CSS(`[data-testid=start-round] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=answering]`)),
	)
	if w := browsertest.Eval[int64](dark, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the question page is %d px wide on a 375 px phone", w)
	}
	dark.CheckAxe()
	dark.Screenshot("interview-question-dark-phone")
	dark.Do(chromedp.Click(chromedp.CSS(`[data-testid=iv-done] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=follow-up], [data-testid=interview][data-phase=rubric]`)))
	if browsertest.Eval[string](dark, `document.querySelector('[data-testid=interview]').dataset.phase`) == "follow-up" {
		dark.Do(chromedp.Click(chromedp.CSS(`[data-testid=iv-done] button`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=interview][data-phase=rubric]`)))
	}
	dark.CheckAxe()
	dark.Screenshot("interview-rubric-dark-phone")
	dark.Do(chromedp.Navigate(hs.URL + "/progress"))
	if got := browsertest.Eval[int](dark, `document.querySelectorAll('[data-testid=interview-history] tbody tr').length`); got != 1 {
		t.Errorf("progress lists %d interviews of this browser's", got)
	}
	for _, tb := range []*browsertest.Tab{tab, dark} {
		if p := tb.Problems(); len(p) > 0 {
			t.Errorf("browser problems: %q", p)
		}
	}
}
