package web

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"microlab/internal/browsertest"
)

// labStartProbe runs on every document of the tab. On a live lab's page it
// waits for the first frame to be drawn (the connection is live and the
// gateway's label has figures), then notes the wall time of the next
// painted frame in sessionStorage, beside the socket's milestones.
const labStartProbe = `(() => {
  if (!location.pathname.startsWith('/lab/s/')) return;
  const T = {};
  const W = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const ws = new W(url, protocols);
    T.dial = performance.now();
    ws.addEventListener('open', () => { T.open = performance.now(); }, { once: true });
    ws.addEventListener('message', () => { T.message ??= performance.now(); });
    return ws;
  };
  window.WebSocket.prototype = W.prototype;
  document.addEventListener('DOMContentLoaded', () => { T.dcl = performance.now(); });
  const drawn = () => {
    const g = document.getElementById('nl-gateway'), c = document.getElementById('conn');
    return g && c && c.dataset.state === 'live' && g.textContent.length > 3;
  };
  const tick = () => {
    if (!drawn()) return requestAnimationFrame(tick);
    requestAnimationFrame(() => setTimeout(() => {
      T.painted = performance.now();
      const nav = performance.getEntriesByType('navigation')[0];
      T.response = nav.responseStart;
      const clicked = Number(sessionStorage.getItem('clicked'));
      const out = { ms: performance.timeOrigin + T.painted - clicked };
      for (const [k, v] of Object.entries(T)) out[k] = Math.round(performance.timeOrigin + v - clicked);
      sessionStorage.setItem('labstart', JSON.stringify(out));
    }, 0));
  };
  requestAnimationFrame(tick);
})()`

// TestMeasureLabStart measures, in headless Chromium, the time from a click
// on "Start this lab" to the first painted frame that shows the lab's
// state. It is a measurement, not a check: it runs only with
// MICROLAB_MEASURE=labstart and reports the starts and their median
// (MICROLAB_MEASURE_N starts, 11 by default). The reader spends a second on
// the scenario page first, as a person does, so its prefetches land.
func TestMeasureLabStart(t *testing.T) {
	if os.Getenv("MICROLAB_MEASURE") != "labstart" {
		t.Skip("a measurement: set MICROLAB_MEASURE=labstart to run it")
	}
	n, _ := strconv.Atoi(os.Getenv("MICROLAB_MEASURE_N"))
	if n <= 0 {
		n = 11
	}
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	var got []float64
	for i := range n {
		tab := b.NewTab(1280, 800, "light")
		tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: labStartProbe})
			return err
		}))
		tab.Do(chromedp.Navigate(hs.URL + "/lab/payment-outage"))
		time.Sleep(time.Second)
		browsertest.Eval[bool](tab, `sessionStorage.setItem('clicked', String(performance.timeOrigin + performance.now()));
			document.querySelector('[data-testid=start-lab]').click(); true`)
		var line string
		for deadline := time.Now().Add(10 * time.Second); line == "" && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			line, _ = chromedp.Run(tab.Ctx, chromedp.Evaluate[string](`location.pathname.startsWith('/lab/s/') ? sessionStorage.getItem('labstart') || '' : ''`))
		}
		if line == "" {
			t.Fatalf("start %d: no frame drawn within 10 s", i)
		}
		ms := browsertest.Eval[float64](tab, `JSON.parse(sessionStorage.getItem('labstart')).ms`)
		got = append(got, ms)
		t.Logf("start %d: %.0f ms (ms after the click: %s)", i, ms, line)
	}
	slices.Sort(got)
	t.Logf("click to first drawn frame over %d starts: median %.0f ms, min %.0f, max %.0f", n, got[n/2], got[0], got[n-1])
}
