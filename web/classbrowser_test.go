package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
)

// TestBrowserClassModeTallyAndControl is a class of one in two browsers:
// the owner turns class mode on, the student predicts B on the share
// link, and the owner's tally counts it before the owner has predicted;
// control handed to the student opens the student's controls and a
// command sent from them is carried out; taken back, they close again.
func TestBrowserClassModeTallyAndControl(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	owner := b.NewTab(1280, 900, "light")
	owner.Do(startLab(hs.URL, "payment-outage")...)
	owner.Do(
		waitJS(`!document.querySelector('#class-controls').disabled`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#class > summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid=class-toggle]`)),
		waitJS(`document.querySelector('[data-testid=class-toggle]').getAttribute('aria-pressed') === 'true'`, 10*time.Second),
		waitJS(`document.querySelector('[data-testid=class-tally]').textContent.includes('Nobody else is watching')`, 10*time.Second),
	)
	share := browsertest.Eval[string](owner, `document.querySelector('#share').value`)

	student := b.NewTab(1280, 900, "dark")
	student.Do(
		chromedp.Navigate(share),
		waitJS(`document.querySelector('#conn').dataset.state === 'live'`, 10*time.Second),
		waitJS(`!document.querySelector('[data-testid=class]').hidden`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#predict-form input[value="1"]`)),
		chromedp.Click(chromedp.CSS(`#predict-submit`)),
	)
	owner.Do(waitJS(`document.querySelector('[data-testid=class-tally]').textContent.startsWith('1 of 1 predicted: A 0 · B 1')`, 10*time.Second))
	if got := browsertest.Eval[string](owner, `document.querySelector('[data-testid=run-state]').textContent`); got != "waiting for the prediction" {
		t.Errorf("while the class votes the run is %q, want waiting", got)
	}
	if browsertest.Eval[bool](student, `document.querySelector('#controls').disabled === false`) {
		t.Fatal("the student's controls are open before control was handed over")
	}
	screenshot(owner, "lab-class-owner")

	owner.Do(
		waitJS(`!document.querySelector('#class-hand').hidden`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`[data-testid=class-give]`)),
	)
	student.Do(
		waitJS(`!document.querySelector('#controls').disabled`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-latency] button[type=submit]`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.includes('payment latency')`, 10*time.Second),
	)
	if got := browsertest.Eval[string](student, `document.querySelector('[data-testid=role]').textContent`); !strings.Contains(got, "You have control") {
		t.Errorf("the student's role reads %q", got)
	}
	screenshot(student, "lab-class-student")
	owner.Do(chromedp.Click(chromedp.CSS(`[data-testid=class-take]`)))
	student.Do(waitJS(`document.querySelector('#controls').disabled`, 10*time.Second))
	for _, tab := range []*browsertest.Tab{owner, student} {
		if p := tab.Problems(); len(p) > 0 {
			t.Errorf("problems: %q", p)
		}
	}
}
