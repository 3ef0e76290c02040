package web

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"microlab/internal/browsertest"
)

// Issue 11: a picker (an instance, service or edge menu) holds only its
// choice until it is used. From the keyboard it fills as the focus comes
// to it, with the instances that run; a screen reader hears its name, its
// choice and every option; the arrow keys choose among them; and once the
// focus moves on it keeps the choice and drops the rest. A pointer press
// fills it before its menu opens.
func TestBrowserLabPickers(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	tab := b.NewTab(1280, 800, "light")
	tab.Do(startLab(hs.URL, "free-play")...)
	const target = `[data-testid=cmd-instance] select[name=target]`
	options := func(sel string) int {
		return browsertest.Eval[int](tab, `document.querySelector('`+sel+`').options.length`)
	}
	if n := options(target); n != 1 {
		t.Errorf("before it is used, the instance picker holds %d options, want its choice alone", n)
	}

	tab.Do(chromedp.Focus(chromedp.CSS(target)))
	running := browsertest.Eval[int](tab, `document.querySelectorAll('#topo .inst:not(.absent)').length`)
	if n := options(target); n != running || n < 2 {
		t.Errorf("with the focus, the instance picker holds %d options, want the %d instances that run", n, running)
	}
	role, name, value, kids := axSelect(t, tab, target)
	if role != "combobox" || name != "Instance" || value != "catalog-1" || kids != running {
		t.Errorf("a screen reader hears the focused picker as %s %q, %q, with %d options; want combobox \"Instance\", \"catalog-1\", with %d",
			role, name, value, kids, running)
	}
	tab.Do(chromedp.KeyEvent(kb.ArrowDown))
	if got := browsertest.Eval[string](tab, `document.querySelector('`+target+`').value`); got != "catalog-2" {
		t.Errorf("ArrowDown on catalog-1 chose %q, want catalog-2", got)
	}

	tab.Do(chromedp.Focus(chromedp.CSS(`[data-testid=cmd-instance] button[value=kill]`)))
	if n, got := options(target), browsertest.Eval[string](tab, `document.querySelector('`+target+`').value`); n != 1 || got != "catalog-2" {
		t.Errorf("once the focus has moved on, the picker holds %d options and %q, want catalog-2 alone", n, got)
	}

	const service = `[data-testid=cmd-latency] select[name=service]`
	tab.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector('` + service + `').dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }))`))
	if n := options(service); n != len(strings.Split("catalog inventory orders payment shipping", " ")) {
		t.Errorf("after a pointer press the service picker holds %d options, want every service", n)
	}
}

// axSelect is how the accessibility tree presents the select sel: its
// role, name and value, and how many options it lists.
func axSelect(t *testing.T, tab *browsertest.Tab, sel string) (role, name, value string, options int) {
	t.Helper()
	obj, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[*runtime.RemoteObject](`document.querySelector('`+sel+`')`))
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*accessibility.Node
	tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		r, err := cdp.Call(ctx, tg, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{ObjectID: obj.ObjectID})
		if err == nil {
			nodes = r.Nodes
		}
		return err
	}))
	text := func(v *accessibility.Value) string {
		if v == nil {
			return ""
		}
		s := string(v.Value)
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s
	}
	var self *accessibility.Node
	for _, n := range nodes {
		if n.BackendDOMNodeID != 0 && text(n.Role) == "combobox" {
			self = n
		}
	}
	if self == nil {
		t.Fatalf("%s has no combobox in the accessibility tree", sel)
	}
	tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		r, err := cdp.Call(ctx, tg, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{ObjectID: obj.ObjectID, Role: "option"})
		if err == nil {
			for _, n := range r.Nodes {
				if !n.Ignored {
					options++
				}
			}
		}
		return err
	}))
	return text(self.Role), text(self.Name), text(self.Value), options
}

// Issue 11: a tab's panel that is not shown holds none of its rows, and
// gets them the moment its tab is chosen; the event log draws its newest
// lines only, at most 30, and its filter looks through more.
func TestBrowserLabHiddenPanelsHoldNoRows(t *testing.T) {
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	tab := b.NewTab(1280, 800, "light")
	tab.Do(startLab(hs.URL, "payment-outage")...)
	tab.Do(predicted()...)
	tab.Do(
		choose(`#speed`, "10"),
		waitJS(`document.querySelectorAll('#log li').length >= 30 && parseFloat(document.querySelector('[data-testid=clock]').textContent) > 15`, 20*time.Second),
	)
	rows := func(sel string) int { return browsertest.Eval[int](tab, `document.querySelectorAll('`+sel+`').length`) }
	if n := rows(`#log li`); n != 30 {
		t.Errorf("the event log draws %d lines, want its newest 30", n)
	}
	for _, sel := range []string{`#sagas li`, `#panel-registry .chip`} {
		if n := rows(sel); n != 0 {
			t.Errorf("hidden, its panel holds %d of %s", n, sel)
		}
	}
	// The filter finds a line that is kept but not drawn.
	// The filter finds lines that are kept but not drawn: the command at
	// 10 s, older than the 30 newest lines.
	oldest := browsertest.Eval[float64](tab, `parseFloat(document.querySelector('#log li:last-child time').textContent)`)
	tab.Do(chromedp.SendKeys(chromedp.CSS(`#log-filter`), "command"))
	type line struct {
		Kind string
		At   float64
	}
	found := browsertest.Eval[[]line](tab, `[...document.querySelectorAll('#log li')].map(li => ({Kind: li.dataset.kind, At: parseFloat(li.querySelector('time').textContent)}))`)
	if len(found) == 0 || found[len(found)-1].Kind != "command" || found[len(found)-1].At >= oldest {
		t.Errorf("filtered on \"command\", the log shows %v; want the command older than %.1f s, the oldest line drawn before", found, oldest)
	}

	tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=tab-sagas]`)))
	if n := rows(`#sagas li.saga`); n == 0 {
		t.Error("the sagas tab, once chosen, shows no saga")
	}
	if n := rows(`#log li`); n != 0 {
		t.Errorf("with the sagas tab chosen, the hidden log holds %d lines", n)
	}
	tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=tab-registry]`)))
	if n := rows(`#panel-registry .chip`); n == 0 {
		t.Error("the registry tab, once chosen, names no instance")
	}
	if n := rows(`#sagas li`); n != 0 {
		t.Errorf("with the registry tab chosen, the hidden sagas panel holds %d lines", n)
	}
}

// Issue 11's budget: a running lab's page holds at most 3000 nodes, with
// the event log full and the run 30 s in. (A node is what the browser
// counts: each option of a menu is six, with its own shadow tree.)
func TestBrowserLabDOMBudget(t *testing.T) {
	const budget = 3000
	b := browsertest.New(t)
	_, hs := newLabTestServer(t, nil)
	tab := b.NewTab(1280, 800, "light")
	tab.Do(startLab(hs.URL, "payment-outage")...)
	tab.Do(predicted()...)
	tab.Do(
		choose(`#speed`, "5"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#speed').blur()`),
		waitJS(`parseFloat(document.querySelector('[data-testid=clock]').textContent) >= 30`, 30*time.Second),
	)
	var nodes float64
	tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, performance.Enable, performance.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return err
		}
		r, err := cdp.Call(ctx, tg, performance.GetMetrics, cdp.Empty{})
		if err != nil {
			return err
		}
		for _, m := range r.Metrics {
			if m.Name == "Nodes" {
				nodes = m.Value
			}
		}
		return nil
	}))
	if nodes == 0 || nodes > budget {
		t.Errorf("30 s into the run the page holds %.0f nodes, want at most %d", nodes, budget)
	}
}

// Issue 11: the lab page names every module of its script in its head, so
// that the browser fetches them at once, each with the page's nonce; it
// leaves out htmx, which it does not use; and it asks the browser to wait
// for the whole lab before drawing it.
func TestLabPagePreloadsItsModules(t *testing.T) {
	ts, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	doc := mustDoc(t, alice.get(t, alice.start(t, "payment-outage")))
	var got []string
	doc.Find(`head link[rel=modulepreload]`).Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("nonce", "") == "" {
			t.Errorf("%s is preloaded without the nonce", s.AttrOr("href", ""))
		}
		got = append(got, s.AttrOr("href", ""))
	})
	var want []string
	for _, m := range ts.assets.Modules("js/lab") {
		want = append(want, ts.assets.URL(m))
	}
	if len(want) < 10 || !slices.Equal(got, want) {
		t.Errorf("the page preloads %q, want the lab's modules %q", got, want)
	}
	if n := doc.Find(`script[src*="htmx"]`).Length(); n != 0 {
		t.Error("the lab page loads htmx")
	}
	expect := doc.Find(`head link[rel=expect][blocking=render]`).AttrOr("href", "")
	if expect == "" || doc.Find(expect).Length() != 1 || doc.Find(expect).Parent().AttrOr("id", "") != "lab" {
		t.Errorf("the page waits for %q before it is drawn, want an element at the end of the lab", expect)
	}
}
