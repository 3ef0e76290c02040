package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
)

// waitJS waits until a JavaScript expression is truthy in the tab.
func waitJS(expr string, timeout time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout))
}

// screenshot saves the whole page scrolled to the top, so that the sticky
// drawing sits where a reader first sees it, and runs axe-core on it.
func screenshot(tab *browsertest.Tab, name string) {
	tab.Do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	tab.Screenshot(name)
	tab.CheckAxe()
}

// TestBrowserLabBreaker drives the payment-outage lab through its page:
// start it, answer the prediction, slow payment with the page's controls,
// and watch the breaker on orders→payment open in the drawing, the text
// and the event log. A second browser, on the share link, sees the same
// state and has no working controls.
func TestBrowserLabBreaker(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)

	owner := b.NewTab(1280, 900, "light")
	owner.Do(
		chromedp.Navigate(hs.URL+"/lab/payment-outage"),
		chromedp.Click(chromedp.CSS(`[data-testid=start-lab]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lab[data-role=owner]`)),
		waitJS(`document.querySelector('#conn').dataset.state === 'live'`, 10*time.Second),
	)
	if got := browsertest.Eval[string](owner, `document.querySelector('[data-testid=run-state]').textContent`); got != "waiting for the prediction" {
		t.Errorf("before the prediction the run state reads %q", got)
	}
	if browsertest.Eval[bool](owner, `document.querySelector('#controls').disabled`) {
		t.Fatal("the owner's controls are disabled")
	}
	screenshot(owner, "lab-owner-predict")

	// Predict with the keyboard alone, which starts the run; then speed it
	// up and slow payment.
	owner.Do(
		chromedp.SendKeys(chromedp.CSS(`#predict-form input[value="1"]`), " "),
		chromedp.SendKeys(chromedp.CSS(`#predict-submit`), "\r"),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'running'`, 10*time.Second),
		// The story and the checks arrive once the prediction is in.
		waitJS(`document.querySelectorAll('#checks li[data-check]').length > 0 && document.querySelector('[data-testid=narrative]') !== null`, 10*time.Second),
		chromedp.SetValue(chromedp.CSS(`#speed`), "5"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#speed').dispatchEvent(new Event('change'))`),
		waitJS(`document.querySelector('[data-testid=run-speed]').textContent.startsWith('5×')`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-latency] button[type=submit]`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.includes('payment latency')`, 10*time.Second),
	)
	if got := browsertest.Eval[string](owner, `document.querySelector('[data-testid=prediction]').textContent`); !strings.Contains(got, "Your prediction: B") {
		t.Errorf("prediction line = %q", got)
	}

	// The breaker opens: in the drawing, in the text, and in the event log.
	owner.Do(waitJS(`document.querySelector('#br-orders--payment').classList.contains('br-OPEN')`, 30*time.Second))
	owner.Do(chromedp.Click(chromedp.CSS(`#run-toggle`)),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'paused'`, 10*time.Second))
	text := browsertest.Eval[string](owner, `document.querySelector('[data-testid="breaker-orders>payment"]').textContent`)
	if !strings.HasPrefix(text, "OPEN") && !strings.HasPrefix(text, "HALF_OPEN") {
		t.Errorf("the state table says the breaker is %q, want OPEN (or probing)", text)
	}
	logged := browsertest.Eval[[]string](owner, `[...document.querySelectorAll('#log li[data-kind=breaker]')].map(li => li.textContent)`)
	found := false
	for _, l := range logged {
		found = found || strings.Contains(l, "orders→payment") && strings.Contains(l, "OPEN")
	}
	if !found {
		t.Errorf("the event log has no breaker event for orders→payment opening: %q", logged)
	}
	if n := browsertest.Eval[int](owner, `document.querySelectorAll('#dot-payment-1.good, #dot-payment-1.warn, #dot-payment-1.bad').length`); n != 1 {
		t.Error("payment-1's dot is not drawn as a live instance")
	}
	if n := browsertest.Eval[int](owner, `document.querySelectorAll('#traffic circle').length`); n == 0 {
		t.Error("no traffic dots move along the edges")
	}

	// A sampled request opens as a waterfall.
	owner.Do(
		chromedp.Click(chromedp.CSS(`#traces button[data-trace]`)),
		waitJS(`document.querySelectorAll('[data-testid=waterfall] tbody tr').length > 0`, 10*time.Second),
	)
	if got := browsertest.Eval[string](owner, `document.querySelector('[data-testid=waterfall] tbody th').textContent`); !strings.HasPrefix(got, "gateway") {
		t.Errorf("the waterfall's first span is %q, want the gateway", got)
	}
	screenshot(owner, "lab-owner-breaker-open")

	// The share link: the same state, read-only.
	share := browsertest.Eval[string](owner, `document.querySelector('#share').value`)
	viewer := b.NewTab(1280, 900, "dark")
	viewer.Do(
		chromedp.Navigate(share),
		chromedp.WaitVisible(chromedp.CSS(`#lab[data-role=viewer]`)),
		waitJS(`document.querySelector('#conn').dataset.state === 'live'`, 10*time.Second),
	)
	for _, sel := range []string{`[data-testid=clock]`, `[data-testid="breaker-orders>payment"]`, `[data-testid=run-state]`, `#br-orders--payment text`} {
		expr := `document.querySelector('` + strings.ReplaceAll(sel, `'`, `\'`) + `').textContent`
		o, v := browsertest.Eval[string](owner, expr), browsertest.Eval[string](viewer, expr)
		if o != v {
			t.Errorf("%s: owner sees %q, viewer sees %q", sel, o, v)
		}
	}
	if !browsertest.Eval[bool](viewer, `document.querySelector('#controls').disabled`) {
		t.Error("the viewer's controls are enabled")
	}
	if n := browsertest.Eval[int](viewer, `[...document.querySelectorAll('#controls button, #controls select, #controls input')].filter(e => !e.matches(':disabled')).length`); n != 0 {
		t.Errorf("the viewer has %d working controls, want none", n)
	}
	if got := browsertest.Eval[string](viewer, `document.querySelector('[data-testid=role]').textContent`); !strings.Contains(got, "read-only") {
		t.Errorf("the viewer's role reads %q", got)
	}
	screenshot(viewer, "lab-viewer-dark")

	// A phone that asks for less motion: no moving dots.
	phone := b.NewTab(375, 812, "light")
	phone.Do(
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}, {Name: "prefers-reduced-motion", Value: "reduce"}},
			})
			return err
		}),
		chromedp.Navigate(share),
		waitJS(`document.querySelector('#conn').dataset.state === 'live'`, 10*time.Second),
	)
	if w := browsertest.Eval[int64](phone, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the lab page is %d px wide on a 375 px phone: %q", w, browsertest.Eval[[]string](phone,
			`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376).slice(0, 6).map(e => e.tagName + '#' + e.id + '.' + e.getAttribute('class') + ' ' + Math.round(e.getBoundingClientRect().right))`))
	}
	if n := browsertest.Eval[int](phone, `document.querySelectorAll('#traffic circle').length`); n != 0 {
		t.Errorf("%d traffic dots move although the reader asked for reduced motion", n)
	}
	screenshot(phone, "lab-viewer-phone")

	// Run to the end: every check is decided, and the explanation links to
	// the pattern page and its quiz.
	owner.Do(
		chromedp.Click(chromedp.CSS(`#ff60`)),
		waitJS(`(e => e !== null && !e.hidden)(document.querySelector('[data-testid=explanation]'))`, 30*time.Second),
	)
	if n := browsertest.Eval[int](owner, `document.querySelectorAll('#checks li.pending').length`); n != 0 {
		t.Errorf("%d checks are undecided at the end", n)
	}
	links := browsertest.Eval[[]string](owner, `[...document.querySelectorAll('[data-testid=explanation] a')].map(a => a.getAttribute('href'))`)
	if strings.Join(links, " ") != "/patterns/circuit-breaker /quiz?topic=circuit-breaker" {
		t.Errorf("the explanation links to %q, want the pattern page and its quiz", links)
	}
	viewer.Do(waitJS(`(e => e !== null && !e.hidden)(document.querySelector('[data-testid=explanation]'))`, 10*time.Second))
	screenshot(owner, "lab-owner-end")

	// A pattern knob: force the breaker open through its form (empty
	// fields stay out of the command).
	owner.Do(
		chromedp.Click(chromedp.CSS(`[data-testid=knobs] > summary`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=cmd-breaker] select[name=state]`), "forced-open"),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-breaker] button[type=submit]`)),
		waitJS(`document.querySelector('#br-orders--payment').classList.contains('br-FORCED_OPEN')`, 10*time.Second),
	)
	if got := browsertest.Eval[string](viewer, `document.querySelector('[data-testid="breaker-orders>payment"]').textContent`); !strings.HasPrefix(got, "FORCED OPEN") {
		viewer.Do(waitJS(`document.querySelector('[data-testid="breaker-orders>payment"]').textContent.startsWith('FORCED OPEN')`, 10*time.Second))
	}

	for name, tab := range map[string]*browsertest.Tab{"owner": owner, "viewer": viewer, "phone": phone} {
		if p := tab.Problems(); len(p) > 0 {
			t.Errorf("%s: %s", name, strings.Join(p, "; "))
		}
	}
}
