package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
)

// answerStage waits until the run holds at stage i's question, answers it
// with B and waits for the run to go on.
func answerStage(i int) []chromedp.Action[chromedp.Void] {
	n := strconv.Itoa(i)
	return []chromedp.Action[chromedp.Void]{
		waitJS(`document.querySelector('#lab').dataset.state === 'asking' && !document.querySelector('[data-testid=stage-`+n+`]').hidden &&
			!document.querySelector('[data-testid=stage-form-`+n+`] fieldset').disabled`, 30*time.Second),
		chromedp.Click(chromedp.CSS(`[data-testid=stage-form-` + n + `] input[value="1"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=stage-form-` + n + `] button[type=submit]`)),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'running'`, 10*time.Second),
	}
}

// pausedAt pauses the run (if it runs) and fast-forwards it 10 s, past the
// given second.
func pausedAt(sec int) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=run-state]').textContent === 'running' && document.querySelector('#run-toggle').click()`),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'paused'`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#ff10`)),
		waitJS(`parseFloat(document.querySelector('[data-testid=clock]').textContent) >= `+strconv.Itoa(sec)+` &&
			document.querySelector('[data-testid=run-state]').textContent === 'paused'`, 20*time.Second),
	}
}

// The messaging labs draw what they are about: the events a dual write
// lost, the outbox's rows and the duplicates, on the drawing and in the
// state as text; the learner's try goes through the Messaging controls.
func TestBrowserLabMessaging(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	cellText := func(tab *browsertest.Tab, sel string) []string {
		return browsertest.Eval[[]string](tab, `[...document.querySelectorAll('`+sel+` th, `+sel+` td')].map(e => e.textContent)`)
	}

	owner := b.NewTab(1280, 900, "light")
	owner.Do(startLab(hs.URL, "outbox-broker-outage")...)
	owner.Do(predicted()...)
	owner.Do(settled(), chromedp.Click(chromedp.CSS(`#ff60`)))
	owner.Do(answerStage(4)...)
	owner.Do(answerStage(5)...)
	owner.Do(pausedAt(50)...)
	row := cellText(owner, `#tpub`)
	if len(row) != 6 || !strings.HasPrefix(row[0], "a transactional outbox") || row[1] == "0" || row[3] == "0" || row[4] == "0" {
		t.Errorf("the publishing row reads %q: want the outbox, events lost, rows relayed and published again", row)
	}
	if got := browsertest.Eval[string](owner, `document.querySelector('#nl2-broker').textContent`); !strings.Contains(got, "outbox") || !strings.Contains(got, "lost") {
		t.Errorf("the broker's line in the drawing reads %q", got)
	}
	if got := cellText(owner, `#tg-shipping`); len(got) != 6 || got[4] == "0" {
		t.Errorf("shipping's row reads %q: want events processed again", got)
	}
	screenshot(owner, "lab-outbox-after-outage")

	// The try: back to a dual write through the Messaging controls, then
	// stop the broker; the stage's check holds by the end.
	owner.Do(
		chromedp.Click(chromedp.CSS(`[data-testid=messaging] > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=cmd-outbox]`)),
		choose(`[data-testid=cmd-outbox] select[name=enabled]`, "false"),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-outbox] button[type=submit]`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.startsWith('Done')`, 10*time.Second),
	)
	owner.Do(pausedAt(60)...)
	owner.Do(
		chromedp.Click(chromedp.CSS(`button[value=broker-down]`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.startsWith('Done')`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#ff60`)),
		waitJS(`(e => e !== null && !e.hidden)(document.querySelector('[data-testid=explanation]'))`, 30*time.Second),
	)
	if got := browsertest.Eval[string](owner, `[...document.querySelectorAll('#checks li[data-check]')].map(li => li.className).join()`); got != strings.TrimSuffix(strings.Repeat("pass,", 8), ",") {
		t.Errorf("the checks after the try read %s, want all 8 to pass", got)
	}
	screenshot(owner, "lab-outbox-end")

	dup := b.NewTab(1280, 900, "dark")
	dup.Do(startLab(hs.URL, "duplicate-delivery")...)
	dup.Do(predicted()...)
	dup.Do(settled(), chromedp.Click(chromedp.CSS(`#ff60`)))
	dup.Do(answerStage(4)...)
	dup.Do(pausedAt(40)...)
	if got := cellText(dup, `#tg-shipping`); len(got) != 6 || got[4] == "0" || got[5] == "no inbox" || got[5] == "0" {
		t.Errorf("shipping's row reads %q: want repeats processed again before the inbox and dropped after", got)
	}
	if got := cellText(dup, `#tg-notifications`); len(got) != 6 || got[5] != "no inbox" {
		t.Errorf("notifications' row reads %q", got)
	}
	if got := browsertest.Eval[string](dup, `document.querySelector('#nl2-broker').textContent`); !strings.Contains(got, "twice") {
		t.Errorf("the broker's line in the drawing reads %q", got)
	}
	screenshot(dup, "lab-duplicate-delivery")
	dup.Do(chromedp.Click(chromedp.CSS(`[data-testid=tab-text]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=state-publishing]').scrollIntoView()`))
	dup.Screenshot("lab-duplicate-delivery-text")
}
