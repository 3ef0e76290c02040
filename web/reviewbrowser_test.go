package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
)

// TestBrowserReviewPages studies with the keyboard (Space, 3, U for
// undo), then opens the settings, the card browser and the statistics,
// each checked by axe, in light and dark.
func TestBrowserReviewPages(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	for _, scheme := range []string{"light", "dark"} {
		tab := b.NewTab(1280, 900, scheme)
		tab.Do(chromedp.Navigate(srv.URL+"/review"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=flashcard]`)))
		first := browsertest.Eval[string](tab, `document.querySelector('[data-testid=flashcard]').dataset.card`)
		tab.Do(chromedp.KeyEvent(" "), chromedp.WaitVisible(chromedp.CSS(`[data-testid=ratings]`)))
		tab.Screenshot("review-back-" + scheme)
		tab.CheckAxe()
		tab.Do(chromedp.KeyEvent("3"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=undo]`)))
		if next := browsertest.Eval[string](tab, `document.querySelector('[data-testid=flashcard]').dataset.card`); next == first {
			t.Errorf("after rating %s it is still shown", first)
		}
		tab.Screenshot("review-front-" + scheme)
		tab.CheckAxe()
		tab.Do(chromedp.KeyEvent("u"))
		waitAcross(t, tab, `location.search === '?undone=1' && document.readyState === 'complete'`)
		if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=flashcard]').dataset.card`); got != first {
			t.Errorf("after U the card shown is %s, want %s back", got, first)
		}
		// A zone the server can use: the browser told it.
		if !strings.Contains(browsertest.Eval[string](tab, `document.cookie`), "tz=") {
			t.Error("the page did not tell the server its time zone")
		}
		for _, p := range []struct{ path, shot string }{
			{"/review/settings", "review-settings"}, {"/review/cards", "review-cards"}, {"/review/stats", "review-stats"},
		} {
			tab.Do(chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
			tab.Screenshot(p.shot + "-" + scheme)
			tab.CheckAxe()
		}
		phone := b.NewTab(375, 812, scheme)
		phone.Do(chromedp.Navigate(srv.URL+"/review/cards"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		phone.Screenshot("review-cards-phone-" + scheme)
		if w := browsertest.Eval[int](phone, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("the card browser is %d px wide at 375", w)
		}
		phone.CheckAxe()
		if p := tab.Problems(); len(p) > 0 {
			t.Error(strings.Join(p, "; "))
		}
	}
}
