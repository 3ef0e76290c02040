package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"microlab/internal/browsertest"
)

// pressSlash presses "/" as a keyboard does: one keyDown that carries its
// text, so that a page which prevents the keydown types nothing.
// (chromedp.KeyEvent sends the character as a separate event, which no
// keydown handler can stop.)
var pressSlash = chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		ev := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
		if typ == input.DispatchKeyEventTypeKeyDown {
			ev.Text, ev.UnmodifiedText = "/", "/"
		}
		if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev); err != nil {
			return err
		}
	}
	return nil
})

// TestBrowserSearchHistory types several searches: the address follows
// the box without a history entry per pause, and after leaving for a
// result and coming Back, the box and the results agree with the address.
// The header's box, reached with "/", leads to the same search.
func TestBrowserSearchHistory(t *testing.T) {
	b := browsertest.New(t)
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	tab := b.NewTab(1280, 900, "light")

	tab.Do(chromedp.Navigate(srv.URL+"/patterns/saga"), pressSlash)
	if got := browsertest.Eval[string](tab, `document.activeElement.id`); got != "site-q" {
		t.Fatalf(`"/" focused %q, want the header's search box`, got)
	}
	tab.Do(chromedp.SendKeys(chromedp.CSS("#site-q"), "circuit"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=results]")))
	if got := browsertest.Eval[string](tab, `location.pathname + location.search + ' ' + document.querySelector('#q').value`); got != "/search?q=circuit circuit" {
		t.Errorf("the header's search led to %q", got)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('[role=search]').length`); n != 1 {
		t.Errorf("the search page has %d search landmarks, want its own box alone", n)
	}
	entries := browsertest.Eval[int](tab, `history.length`)

	for _, q := range []string{"saga", "kafka", "retry budget", "bulkhead"} {
		tab.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#q').select()`),
			chromedp.SendKeys(chromedp.CSS("#q"), q),
			waitJS(`new URLSearchParams(location.search).get('q') === '`+q+`' && !document.querySelector('.htmx-request')`, 5*time.Second),
			chromedp.Sleep(250*time.Millisecond))
	}
	if got := browsertest.Eval[int](tab, `history.length`); got != entries {
		t.Errorf("four searches typed added %d history entries, want none (the address is replaced while typing)", got-entries)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=result-count]').textContent`); !strings.Contains(got, "bulkhead") {
		t.Errorf("the results say %q, want the last search's", got)
	}

	// Leave for a result, come Back: the box says what the results are for.
	tab.Do(chromedp.Click(chromedp.CSS("[data-testid=results] a")))
	waitAcross(t, tab, `location.pathname.startsWith('/patterns/') && document.readyState === 'complete'`)
	tab.Do(chromedp.Evaluate[chromedp.Void](`history.back()`))
	waitAcross(t, tab, `location.pathname === '/search' && document.querySelector('#q') !== null && document.querySelector('[data-testid=result-count]') !== null`)
	if got := browsertest.Eval[string](tab, `location.search + ' ' + document.querySelector('#q').value + ' ' + document.querySelectorAll('main').length`); got != "?q=bulkhead bulkhead 1" {
		t.Errorf("after Back: address, box and number of main elements = %q, want ?q=bulkhead, bulkhead, 1", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=result-count]').textContent`); !strings.Contains(got, "bulkhead") {
		t.Errorf("after Back the results say %q", got)
	}
	tab.CheckAxe()
	if p := tab.Problems(); len(p) > 0 {
		t.Error(strings.Join(p, "; "))
	}
}

// waitAcross waits for expr to hold in the tab while it navigates: a
// navigation ends the page an evaluation runs in, which is an error to
// ride over, not to fail on.
func waitAcross(t *testing.T, tab *browsertest.Tab, expr string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
	}
	t.Fatalf("waited 5 s for %s", expr)
}
