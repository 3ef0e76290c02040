package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
)

// The saga lab asks about the pivot where it happens: shipping fails for
// orders already charged, the run holds at the stage's question, and once
// shipping is back its check shows the sagas it hit completed, none
// refunded. The learner's try (crash inventory) follows and holds too.
func TestBrowserLabSagaPivot(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	tab := b.NewTab(1280, 900, "light")
	tab.Do(startLab(hs.URL, "saga-compensation")...)
	tab.Do(predicted()...)
	tab.Do(settled(), chromedp.Click(chromedp.CSS(`#ff60`)))
	tab.Do(answerStage(2)...)
	tab.Do(
		chromedp.Click(chromedp.CSS(`#ff10`)),
		waitJS(`document.querySelector('#lab').dataset.state === 'asking' && !document.querySelector('[data-testid=stage-3]').hidden`, 30*time.Second),
	)
	if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=clock]').textContent + ' ' + document.querySelector('[data-testid=run-state]').textContent`); got != "33.0 s waiting for an answer" {
		t.Errorf("held at the pivot's question: clock and state %q", got)
	}
	stage := browsertest.Eval[string](tab, `document.querySelector('[data-testid=stage-3]').textContent`)
	if !strings.Contains(stage, "Shipping fails after the charge") || strings.Contains(stage, "nothing is refunded, and") {
		t.Errorf("the pivot's stage reads %q", stage)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('[data-testid=stage-3] .predict-options').length`); n != 0 {
		t.Error("the pivot's question is explained before it is answered")
	}
	screenshot(tab, "lab-saga-pivot-question")
	tab.Do(answerStage(3)...)
	tab.Do(waitJS(`document.querySelector('[data-testid=stage-answer-3]').textContent === 'Your answer: B. Right.'`, 10*time.Second))

	tab.Do(pausedAt(43)...)
	pivot := `[...document.querySelectorAll('#checks li[data-check]')].find(li => li.textContent.includes('shipping failed after the charge'))`
	if got := browsertest.Eval[string](tab, `(li => li ? li.className + ': ' + li.textContent.trim() : 'missing')(`+pivot+`)`); !strings.HasPrefix(got, "pass:") || !strings.Contains(got, " 0 compensated, 0 stuck") {
		t.Errorf("at 43 s the pivot's check reads %q", got)
	}
	screenshot(tab, "lab-saga-after-shipping")

	// The try, from 44 s: crash inventory; every check holds at the end.
	tab.Do(pausedAt(50)...)
	tab.Do(
		waitJS(`!document.querySelector('[data-testid=stage-4]').hidden`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`[data-act-service=inventory]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=cmd-service] button[value=crash]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-service] button[value=crash]`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.startsWith('Done')`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#ff60`)),
		waitJS(`(e => e !== null && !e.hidden)(document.querySelector('[data-testid=explanation]'))`, 30*time.Second),
	)
	if got := browsertest.Eval[string](tab, `[...document.querySelectorAll('#checks li[data-check]')].map(li => li.className).join()`); got != strings.TrimSuffix(strings.Repeat("pass,", 6), ",") {
		t.Errorf("the checks at the end read %s, want all 6 to pass", got)
	}
}
