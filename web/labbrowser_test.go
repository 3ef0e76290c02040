package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"microlab/internal/browsertest"
)

// waitJS waits until a JavaScript expression is truthy in the tab; a
// timeout names the expression, so a failure says what never came.
func waitJS(expr string, timeout time.Duration) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout))
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := poll(ctx, tg)
		if err != nil {
			err = fmt.Errorf("waiting %v for %s: %w", timeout, expr, err)
		}
		return v, err
	}
}

// startLab opens a lab's page and starts it, then waits until the page is
// live and its owner's controls are enabled.
func startLab(base, slug string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/lab/" + slug),
		chromedp.Click(chromedp.CSS(`[data-testid=start-lab]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lab[data-role=owner]`)),
		waitJS(`document.querySelector('#conn').dataset.state === 'live' && !document.querySelector('#controls').disabled`, 10*time.Second),
	}
}

// predicted answers the opening prediction with B by clicks and waits for
// the run to start.
func predicted() []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS(`#predict-form input[value="1"]`)),
		chromedp.Click(chromedp.CSS(`#predict-submit`)),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'running'`, 10*time.Second),
	}
}

// choose focuses the select sel, picks value and fires change, in one step
// as a person's pick is: a frame arriving between a bare SetValue and the
// change event would put an unfocused select back to what the run says.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('` + sel + `');
		s.focus(); s.value = '` + value + `'; s.dispatchEvent(new Event('change')) })()`)
}

// settled waits until the scenario has folded away after the prediction
// and the page's scroll to the dashboard has ended: the dashboard is at
// the top (or the page can scroll no further) and two polls 50 ms apart
// see the same position. A click placed while the page still scrolls
// lands beside its target; on a loaded machine the smooth scroll may not
// even have begun at the first two polls.
func settled() chromedp.Action[chromedp.Void] {
	return waitJS(`(() => { const y = window.scrollY, last = window.__lastY; window.__lastY = y;
		const top = document.querySelector('#dash').getBoundingClientRect().top;
		const arrived = Math.abs(top - parseFloat(getComputedStyle(document.querySelector('#dash')).scrollMarginTop || '0')) < 2 || window.innerHeight + y >= document.documentElement.scrollHeight - 1;
		return !document.querySelector('#scenario-box').open && arrived && y === last })()`, 10*time.Second)
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
	owner.Do(startLab(hs.URL, "payment-outage")...)
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
		settled(),
		choose(`#speed`, "5"),
		waitJS(`document.querySelector('[data-testid=run-speed]').textContent.startsWith('5×')`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-latency] button[type=submit]`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.includes('payment latency')`, 10*time.Second),
		// The command is marked on the charts.
		waitJS(`Number(document.querySelector('[data-testid=chart-lat-plot]').dataset.markers) >= 1`, 10*time.Second),
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

	// A sampled request opens as a waterfall, in the traces tab.
	owner.Do(
		chromedp.Click(chromedp.CSS(`[data-testid=tab-traces]`)),
		chromedp.Click(chromedp.CSS(`#traces button[data-trace]`)),
		waitJS(`document.querySelectorAll('[data-testid=waterfall] tbody tr').length > 0`, 10*time.Second),
	)
	if got := browsertest.Eval[string](owner, `document.querySelector('[data-testid=waterfall] tbody th').textContent`); !strings.HasPrefix(got, "gateway") {
		t.Errorf("the waterfall's first span is %q, want the gateway", got)
	}
	screenshot(owner, "lab-owner-breaker-open")

	// An edge with a breaker charts its window: the rates against the
	// thresholds that open it.
	owner.Do(
		choose(`#chart-subject`, "e.orders>payment"),
		waitJS(`!document.querySelector('#chart-brk').hidden && document.querySelector('#chart-brk-plot canvas') !== null &&
			/opens at 50%.*at 80%/.test(document.querySelector('[data-testid=chart-brk-now]').textContent)`, 10*time.Second),
	)
	if got := browsertest.Eval[string](owner, `[...document.querySelectorAll('#chart-brk .u-legend .u-series th')].map(e => e.textContent).join('|')`); got != "time|failures|slow calls|failure threshold|slow threshold" {
		t.Errorf("the breaker window's legend reads %q", got)
	}
	owner.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#chart-brk').scrollIntoView()`))
	owner.Screenshot("lab-owner-breaker-window")
	owner.Do(choose(`#chart-subject`, "gw"), waitJS(`document.querySelector('#chart-brk').hidden`, 10*time.Second))

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

	// The guide: the run holds at 30 s, where the stage asks its question;
	// nothing runs on until it is answered, and then it is explained.
	if got := browsertest.Eval[string](owner, `[...document.querySelectorAll('#stage-box .stage')].filter(e => !e.hidden).map(e => e.dataset.testid).join()`); got != "stage-0" {
		t.Errorf("a few seconds in, the stages shown are %q, want the first alone", got)
	}
	owner.Do(
		chromedp.Click(chromedp.CSS(`#ff60`)),
		waitJS(`document.querySelector('#lab').dataset.state === 'asking' && !document.querySelector('[data-testid=stage-2]').hidden &&
			!document.querySelector('[data-testid=stage-form-2] fieldset').disabled`, 30*time.Second),
	)
	if got := browsertest.Eval[string](owner, `document.querySelector('[data-testid=clock]').textContent + ' ' + document.querySelector('[data-testid=run-state]').textContent`); got != "30.0 s waiting for an answer" {
		t.Errorf("held at the stage's question: clock and state %q", got)
	}
	if n := browsertest.Eval[int](owner, `document.querySelectorAll('[data-testid=stage-2] .predict-options').length`); n != 0 {
		t.Error("the stage's question is explained before it is answered")
	}
	screenshot(owner, "lab-owner-stage-question")
	owner.Do(
		chromedp.Click(chromedp.CSS(`#ff10`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.includes('question first')`, 10*time.Second),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=stage-form-2] input[value="1"]`), " "),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=stage-form-2] button[type=submit]`), "\r"),
		waitJS(`document.querySelector('[data-testid=stage-answer-2]').textContent === 'Your answer: B. Right.'`, 10*time.Second),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'running'`, 10*time.Second),
	)
	// Now you try: pause, run to about 50 s, set the slow-call threshold through
	// the breaker's badge, and the stage's check holds by the end.
	owner.Do(
		chromedp.Click(chromedp.CSS(`#run-toggle`)),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'paused'`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#ff10`)),
		waitJS(`parseFloat(document.querySelector('[data-testid=clock]').textContent) >= 40`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#ff10`)),
		waitJS(`parseFloat(document.querySelector('[data-testid=clock]').textContent) >= 50 && !document.querySelector('[data-testid=stage-3]').hidden`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#br-orders--payment`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=cmd-breaker] input[name=slow_ms]`), "500"),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-breaker] button[type=submit]`)),
		waitJS(`document.querySelector('[data-testid=cmd-status]').textContent.startsWith('Done')`, 10*time.Second),
	)

	// Run to the end: every check is decided, the try holds, and the
	// explanation links to the pattern page and its quiz.
	owner.Do(
		chromedp.Click(chromedp.CSS(`#ff60`)),
		waitJS(`(e => e !== null && !e.hidden)(document.querySelector('[data-testid=explanation]'))`, 30*time.Second),
	)
	if got := browsertest.Eval[string](owner, `(e => e.className + ': ' + e.textContent.trim())(document.querySelector('[data-testid=stage-try-3]'))`); !strings.HasPrefix(got, "stage-try pass: Your try holds:") {
		t.Errorf("the try stage reads %q", got)
	}
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
		// Open already: the badge clicked for the try opened it.
		waitJS(`document.querySelector('[data-testid=knobs]').open`, time.Second),
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

// Issue 11: after the prediction, at 1280×800, the shop diagram, the run
// controls and the three charts are on screen with no scrolling by the
// reader; the other panels are tabs, one shown at a time, that the arrow
// keys move between.
func TestBrowserLabDashboardFitsOneScreen(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	tab := b.NewTab(1280, 800, "light")
	tab.Do(startLab(hs.URL, "payment-outage")...)
	tab.Do(predicted()...)
	tab.Do(settled())
	type box struct {
		Name        string
		Top, Bottom float64
	}
	boxes := browsertest.Eval[[]box](tab, `[['the shop diagram', '#topo'], ['the run controls', '.run-controls'],
		['chart 1', '.chart:nth-child(1)'], ['chart 2', '.chart:nth-child(2)'], ['chart 3', '.chart:nth-child(3)']].map(([name, sel]) => {
		const r = document.querySelector(sel).getBoundingClientRect(); return {Name: name, Top: r.top, Bottom: r.bottom} })`)
	for _, bx := range boxes {
		if bx.Top < 0 || bx.Bottom > 800 {
			t.Errorf("%s spans y %.0f to %.0f of an 800 px window", bx.Name, bx.Top, bx.Bottom)
		}
	}
	tab.Screenshot("lab-dashboard-1280x800") // its -top.png is the screen the reader sees
	tab.CheckAxe()

	// One panel at a time; the arrow keys move between the tabs.
	if n := browsertest.Eval[int](tab, `[...document.querySelectorAll('.lab-more [role=tabpanel]')].filter(p => !p.hidden).length`); n != 1 {
		t.Errorf("%d panels are shown at once, want 1", n)
	}
	tab.Do(
		chromedp.Focus(chromedp.CSS(`[data-testid=tab-log]`)),
		chromedp.KeyEvent(kb.ArrowRight),
	)
	if got := browsertest.Eval[string](tab, `document.activeElement.id + ' ' + !document.querySelector('#panel-sagas').hidden`); got != "tab-sagas true" {
		t.Errorf("after ArrowRight on the first tab: focus and sagas shown = %q, want \"tab-sagas true\"", got)
	}
}

// Issue 11: the shop can be touched. Clicking an instance's dot brings up
// its actions with the focus on Kill; Enter kills it, and the next frames
// draw it dead. A service's name, from the keyboard, chooses the service in
// every form and fills in its current faults.
func TestBrowserLabClickTheShop(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	tab := b.NewTab(1280, 800, "light")
	tab.Do(startLab(hs.URL, "free-play")...)
	tab.Do(
		waitJS(`document.querySelector('#dot-catalog-2').classList.contains('good')`, 10*time.Second),
		chromedp.Click(chromedp.CSS(`#dot-catalog-2`)),
	)
	if got := browsertest.Eval[string](tab, `document.activeElement.value + ' ' + document.querySelector('[data-testid=cmd-instance] select[name=target]').value`); got != "kill catalog-2" {
		t.Fatalf("after clicking catalog-2's dot, focus and chosen instance = %q, want \"kill catalog-2\"", got)
	}
	tab.Do(
		chromedp.KeyEvent(kb.Enter),
		waitJS(`document.querySelector('#dot-catalog-2').classList.contains('dead')`, 10*time.Second),
	)

	// payment, slowed by 300 ms, chosen from the keyboard.
	tab.Do(
		chromedp.SetValue(chromedp.CSS(`[data-testid=cmd-latency] select[name=service]`), "payment"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=cmd-latency] input[name=ms]`), "300"),
		chromedp.Click(chromedp.CSS(`[data-testid=cmd-latency] button[type=submit]`)),
		waitJS(`document.querySelector('#nl-payment').textContent.startsWith('+300')`, 10*time.Second),
		chromedp.SetValue(chromedp.CSS(`[data-testid=cmd-latency] input[name=ms]`), "2000"),
		chromedp.Focus(chromedp.CSS(`[data-act-service=payment]`)),
		chromedp.KeyEvent(kb.Enter),
	)
	got := browsertest.Eval[[]string](tab, `[document.activeElement.value, ...[...document.querySelectorAll('#controls select[name=service]')].map(s => s.value), document.querySelector('[data-testid=cmd-latency] input[name=ms]').value]`)
	if got[0] != "crash" || got[len(got)-1] != "300" {
		t.Errorf("after Enter on payment's name: focus on %q, latency field %q; want crash and the current 300", got[0], got[len(got)-1])
	}
	// The key press that chose payment must not also press the button the
	// focus moved to.
	time.Sleep(500 * time.Millisecond)
	if st := browsertest.Eval[string](tab, `document.querySelector('[data-testid=cmd-status]').textContent`); !strings.HasPrefix(st, "payment is chosen") {
		t.Errorf("after choosing payment from the keyboard the status reads %q: a command was sent", st)
	}
	for _, v := range got[1 : len(got)-1] {
		if v != "payment" {
			t.Errorf("a service menu shows %q after choosing payment: %q", v, got)
			break
		}
	}

	// A breaker's badge opens the pattern knobs for its edge, each field
	// showing the current setting, and the breaker's live window.
	tab.Do(chromedp.Click(chromedp.CSS(`#br-orders--payment`)))
	knobs := browsertest.Eval[[]string](tab, `[document.activeElement.name, ...['edge', 'failure_rate', 'slow_ms', 'slow_rate', 'wait_ms', 'half_open_calls', 'window', 'min_calls'].map(n => document.querySelector('[data-testid=cmd-breaker] [name=' + n + ']').value)]`)
	if want := []string{"failure_rate", "orders>payment", "50", "1000", "80", "5000", "3", "20", "10"}; !slices.Equal(knobs, want) {
		t.Errorf("after clicking the breaker on orders→payment: focus and fields %q, want %q", knobs, want)
	}
	tab.Do(waitJS(`/^CLOSED · \d+ calls in the window/.test(document.querySelector('[data-testid=knob-window]').textContent)`, 5*time.Second))
	screenshot(tab, "lab-shop-clicked")
}

// Issue 11: no text in the diagram overlaps another, a box or a call's
// line. Every edge's figures are set to the widest they can read, then
// each label's box is tested against the other labels, the breaker badges,
// the node boxes and every call line; the badges, which sit on their own
// line by design, against the boxes and one another.
func TestBrowserLabDiagramTextDoesNotOverlap(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	tab := b.NewTab(1280, 800, "light")
	tab.Do(startLab(hs.URL, "free-play")...)
	tab.Do(
		chromedp.Click(chromedp.CSS(`#run-toggle`)),
		waitJS(`document.querySelector('[data-testid=run-state]').textContent === 'paused'`, 10*time.Second),
	)
	overlaps := browsertest.Eval[[]string](tab, `(() => {
		for (const el of document.querySelectorAll('#topo .edge-label')) el.textContent = '888.8/s · 100% · 30.0 s';
		for (const el of document.querySelectorAll('#topo .breaker text')) el.textContent = 'HALF_OPEN 3/3';
		const box = (el) => { const b = el.getBBox(); const m = el.getCTM && el.closest('g[transform]') ? el.closest('g[transform]').transform.baseVal.consolidate() : null;
			const dx = m ? m.matrix.e : 0, dy = m ? m.matrix.f : 0; return { x1: b.x + dx, y1: b.y + dy, x2: b.x + b.width + dx, y2: b.y + b.height + dy, name: el.id || el.closest('[id]').id } };
		const hit = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
		const labels = [...document.querySelectorAll('#topo .edge-label')].map(box);
		const badges = [...document.querySelectorAll('#topo .breaker')].map((g) => box(g.querySelector('rect')));
		const nodes = [...document.querySelectorAll('#topo .node > rect')].map(box);
		const lines = [...document.querySelectorAll('#topo path.edge-call')].map((p) => ({ p, name: p.id }));
		const out = [];
		labels.forEach((a, i) => {
			labels.slice(i + 1).forEach((b) => hit(a, b) && out.push(a.name + ' × ' + b.name));
			badges.forEach((b) => hit(a, b) && out.push(a.name + ' × badge ' + b.name));
			nodes.forEach((b) => hit(a, b) && out.push(a.name + ' × box ' + b.name));
			for (const { p, name } of lines) {
				const len = p.getTotalLength();
				for (let s = 0; s <= len; s += 2) {
					const q = p.getPointAtLength(s);
					if (q.x > a.x1 && q.x < a.x2 && q.y > a.y1 && q.y < a.y2) { out.push(a.name + ' × line ' + name); break; }
				}
			}
		});
		// Text stays inside its own box: a badge's word in its badge, a
		// node's lines in the node.
		const inside = (a, b) => a.x1 >= b.x1 && a.x2 <= b.x2 && a.y1 >= b.y1 && a.y2 <= b.y2;
		for (const g of document.querySelectorAll('#topo .breaker')) {
			if (!inside(box(g.querySelector('text')), box(g.querySelector('rect')))) out.push('the word of ' + g.id + ' × its badge\'s edge');
		}
		for (const g of document.querySelectorAll('#topo .node')) {
			const r = box(g.querySelector('rect'));
			for (const tx of g.querySelectorAll('text')) if (tx.textContent && !inside(box(tx), r)) out.push('a line of ' + g.id + ' × its box\'s edge');
		}
		badges.forEach((a, i) => {
			badges.slice(i + 1).forEach((b) => hit(a, b) && out.push('badge ' + a.name + ' × badge ' + b.name));
			nodes.forEach((b) => hit(a, b) && out.push('badge ' + a.name + ' × box ' + b.name));
		});
		return out;
	})()`)
	for _, o := range overlaps {
		t.Errorf("in the diagram, %s overlap", o)
	}
	screenshot(tab, "lab-diagram-widest-labels")
}
