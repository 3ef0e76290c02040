package browsertest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored from npm (axe/VERSION says which). It is
// put into the page through the DevTools protocol, which the page's
// Content-Security-Policy does not govern, so the policy stays on.
//
//go:embed axe/axe.min.js
var axeSource string

// axeResult is the part of an axe-core violation a failure message needs.
type axeResult struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// Axe runs axe-core on the tab's document, WCAG 2.x A and AA rules and
// axe's best practices, and returns one line per violation naming the rule
// and the first elements that break it: nothing when the page passes.
func (tab *Tab) Axe() []string {
	tab.t.Helper()
	if _, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object' || (function(){`+axeSource+`
return true })()`)); err != nil {
		tab.t.Fatalf("load axe-core: %v", err)
	}
	raw, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		tab.t.Fatalf("run axe-core: %v", err)
	}
	var violations []axeResult
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		tab.t.Fatalf("read axe-core's result: %v", err)
	}
	var out []string
	for _, v := range violations {
		var where []string
		for i, n := range v.Nodes {
			if i == 3 {
				where = append(where, fmt.Sprintf("and %d more", len(v.Nodes)-3))
				break
			}
			where = append(where, fmt.Sprint(n.Target...)+" ("+strings.ReplaceAll(n.Summary, "\n", " ")+")")
		}
		out = append(out, fmt.Sprintf("axe %s (%s): %s: %s", v.ID, v.Impact, v.Help, strings.Join(where, "; ")))
	}
	return out
}

// CheckAxe fails the test, without stopping it, for every violation Axe
// finds on the tab's document.
func (tab *Tab) CheckAxe() {
	tab.t.Helper()
	for _, v := range tab.Axe() {
		tab.t.Error(v)
	}
}
