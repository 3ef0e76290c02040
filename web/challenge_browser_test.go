package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
	"microlab/simulator"
)

// A learner submits the naive settings of a challenge through its form and
// sees it fail with the measured figures, then the par settings and sees
// it pass with a score; the pages are axe-clean light and dark, and
// "watch it live" opens the same run as a lab that asks for a prediction.
func TestBrowserChallengeNaiveThenPar(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	ch, _ := simulator.ChallengeBySlug("dead-instance")
	set := func(tab *browsertest.Tab, s simulator.Settings) {
		for _, st := range s.List {
			tab.Do(chromedp.SetValue(chromedp.CSS(`[name="`+st.Knob+`"]`), st.Value))
		}
	}
	for _, scheme := range []string{"light", "dark"} {
		tab := b.NewTab(1280, 900, scheme)
		tab.Do(chromedp.Navigate(hs.URL + "/lab/challenges"))
		tab.CheckAxe()
		tab.Screenshot("challenges-" + scheme)
		tab.Do(chromedp.Click(chromedp.CSS(`a[href="/lab/challenges/`+ch.Slug+`"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=challenge-form]`)))
		set(tab, ch.Naive)
		tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=challenge-run]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=challenge-result]`)))
		if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=challenge-result]').dataset.pass + ' ' + document.querySelector('[data-testid=challenge-outcomes] li.fail')?.textContent`); !strings.HasPrefix(got, "false ") || !strings.Contains(got, "goal") {
			t.Errorf("%s: the naive run reads %q", scheme, got)
		}
		tab.CheckAxe()
		tab.Screenshot("challenge-naive-" + scheme)
		set(tab, ch.Par)
		tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=challenge-run]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=challenge-result][data-pass=true]`)))
		if got := browsertest.Eval[string](tab, `document.querySelector('#result-h').textContent`); !strings.Contains(got, "Passed: score") {
			t.Errorf("%s: the par run reads %q", scheme, got)
		}
		tab.CheckAxe()
		tab.Screenshot("challenge-par-" + scheme)
		if scheme == "dark" {
			tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=challenge-live]`)),
				chromedp.WaitVisible(chromedp.CSS(`#predict-form`)),
				waitJS(`document.querySelector('#conn').dataset.state === 'live'`, 10e9))
			if got := browsertest.Eval[string](tab, `document.querySelector('#predict-form').textContent`); !strings.Contains(got, "objectives will the run meet") {
				t.Errorf("the live run's prediction reads %q", got)
			}
			tab.CheckAxe()
			tab.Screenshot("challenge-live-" + scheme)
		}
		if p := tab.Problems(); len(p) > 0 {
			t.Errorf("%s: browser problems: %q", scheme, p)
		}
	}
	phone := b.NewTab(375, 812, "light")
	phone.Do(chromedp.Navigate(hs.URL + "/lab/challenges/" + ch.Slug))
	set(phone, ch.Naive)
	phone.Do(chromedp.Click(chromedp.CSS(`[data-testid=challenge-run]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=challenge-result]`)))
	if w := browsertest.Eval[int64](phone, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the result is %d px wide on a 375 px phone", w)
	}
	phone.Screenshot("challenge-naive-phone")
}
