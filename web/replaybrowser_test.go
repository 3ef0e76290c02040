package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"microlab/internal/browsertest"
	"microlab/lab"
	"microlab/simulator"
	"microlab/store"
)

// TestBrowserReplayScrubbedByKeyboard opens a recorded run's replay,
// scrubs it with the keyboard alone (arrow keys on the position, End,
// then the previous-command button) and watches the dashboard follow: the
// clock, the killed instance, the position's own reading. Axe runs on it.
func TestBrowserReplayScrubbedByKeyboard(t *testing.T) {
	b := browsertest.New(t)
	ts, hs := newLabTestServer(t, nil)
	rec := simulator.Record{Version: simulator.RecordVersion, Seed: 9, EndNS: 30e9, Prediction: -1,
		Commands: []simulator.RecordedCommand{
			{AtNS: 12_500_000_000, By: "owner", Command: simulator.Command{Type: "kill", Target: "catalog-2"}},
			{AtNS: 20e9, By: "owner", Command: simulator.Command{Type: "restart", Target: "catalog-2"}},
		}}
	body, _ := json.Marshal(rec)
	now := time.Now()
	id := lab.NewRunID()
	if err := ts.db.SaveLabRun(context.Background(), strings.Repeat("c", 32), store.LabRun{ID: id, Title: "Free play",
		EndNS: rec.EndNS, Commands: 2, Record: body, Created: now, Saved: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tab := b.NewTab(1280, 900, "dark")
	at := func() string {
		return browsertest.Eval[string](tab, `document.querySelector('[data-testid=replay-at]').textContent`)
	}
	tab.Do(
		chromedp.Navigate(hs.URL+"/lab/r/"+id),
		waitJS(`document.querySelector('#conn').dataset.state === 'live' && !document.querySelector('#replay-controls').disabled`, 10*time.Second),
		chromedp.Focus(chromedp.CSS(`#replay-pos`)),
		chromedp.KeyEvent(kb.End),
		waitJS(`document.querySelector('[data-testid=clock]').textContent === '30.0 s'`, 10*time.Second),
	)
	if got := at(); got != "30.0 s" {
		t.Errorf("at the end the position reads %q", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#replay-pos').getAttribute('aria-valuetext')`); got != "30.0 s of 30.0 s" {
		t.Errorf("the position's spoken value is %q", got)
	}
	// Back to a moment catalog-2 is dead: the previous command is the
	// restart at 20 s; three steps of 0.1 s back from there.
	tab.Do(
		chromedp.Focus(chromedp.CSS(`#replay-prev`)),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`document.querySelector('[data-testid=clock]').textContent === '20.0 s'`, 10*time.Second),
		chromedp.Focus(chromedp.CSS(`#replay-pos`)),
		chromedp.KeyEvent(kb.ArrowLeft),
		chromedp.KeyEvent(kb.ArrowLeft),
		chromedp.KeyEvent(kb.ArrowLeft),
		waitJS(`document.querySelector('[data-testid=clock]').textContent === '19.7 s'`, 10*time.Second),
		waitJS(`document.querySelector('#dot-catalog-2') === null || document.querySelector('#dot-catalog-2').classList.contains('dead')`, 10*time.Second),
	)
	if got := browsertest.Eval[string](tab, `document.querySelector('#fork-at').value`); got != "19.7" {
		t.Errorf("the fork form would fork at %q s, want 19.7", got)
	}
	screenshot(tab, "lab-replay")
	if p := tab.Problems(); len(p) > 0 {
		t.Errorf("the replay page logged problems: %q", p)
	}
}

// TestBrowserScenarioReplayRevealsAfterAPrediction opens the replay of a
// scenario run: the viewer predicts in the tab, the run's story and
// checks arrive from the replay, and at the end the checks are decided.
func TestBrowserScenarioReplayRevealsAfterAPrediction(t *testing.T) {
	b := browsertest.New(t)
	ts, hs := newLabTestServer(t, nil)
	rec := simulator.Record{Version: simulator.RecordVersion, Scenario: "dead-instance", Seed: 1, EndNS: 40e9, Prediction: 1}
	body, _ := json.Marshal(rec)
	now := time.Now()
	id := lab.NewRunID()
	if err := ts.db.SaveLabRun(context.Background(), strings.Repeat("c", 32), store.LabRun{ID: id, Title: "A catalog instance dies",
		Scenario: rec.Scenario, EndNS: rec.EndNS, Record: body, Created: now, Saved: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tab := b.NewTab(1280, 900, "light")
	tab.Do(
		chromedp.Navigate(hs.URL+"/lab/r/"+id),
		waitJS(`document.querySelector('#conn').dataset.state === 'live' && !document.querySelector('#replay-controls').disabled`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#predict-form input[value="1"]`)),
		chromedp.Click(chromedp.CSS(`#predict-submit`)),
		waitJS(`document.querySelectorAll('#checks li[data-check]').length > 0`, 10*time.Second),
		chromedp.Focus(chromedp.CSS(`#replay-pos`)),
		chromedp.KeyEvent(kb.End),
		waitJS(`document.querySelector('[data-testid=clock]').textContent === '40.0 s'`, 10*time.Second),
		waitJS(`[...document.querySelectorAll('#checks li[data-check]')].some(li => li.classList.contains('pass'))`, 10*time.Second),
	)
	screenshot(tab, "lab-replay-scenario")
	if p := tab.Problems(); len(p) > 0 {
		t.Errorf("the replay page logged problems: %q", p)
	}
}
