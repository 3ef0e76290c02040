// Package browsertest runs pages in headless Chromium for tests: it starts
// the browser, records console errors and Content-Security-Policy
// violations, and saves screenshots under testoutput/ at the repository
// root (which git ignores).
//
// Without a browser the tests skip, unless MICROLAB_BROWSER_TESTS=require,
// which CI sets so that a missing browser fails the run instead.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// RequireEnv is the environment variable that turns "no browser" from a
// skip into a failure.
const RequireEnv = "MICROLAB_BROWSER_TESTS"

// Browser is one headless Chromium for one test.
type Browser struct {
	t          testing.TB
	browserCtx context.Context
}

// Tab is a browser tab that records what went wrong on its pages.
type Tab struct {
	Ctx     context.Context
	t       testing.TB
	mu      sync.Mutex
	console []string
}

// findChromium returns the path of a Chromium or Chrome binary, or "".
func findChromium() string {
	if p := os.Getenv("MICROLAB_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless browser for t, or skips t when none is installed
// (fails it when RequireEnv is "require").
func New(t testing.TB) *Browser {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv(RequireEnv) == "require" {
			t.Fatalf("no Chromium found, and %s=require: install Debian's chromium package", RequireEnv)
		}
		t.Skipf("no Chromium found; set %s=require to make this a failure", RequireEnv)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	// The first context starts the browser; tabs are its children, each in
	// a browser context of its own.
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return &Browser{t: t, browserCtx: ctx}
}

// cspProbe runs in every document before its own scripts (CDP-injected
// scripts are not subject to the page's CSP) and records violations.
const cspProbe = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});`

// NewTab opens a tab in its own browser context (its own cookies), with a
// viewport of width × height and the given preferred colour scheme
// ("light" or "dark").
func (b *Browser) NewTab(width, height int64, scheme string) *Tab {
	t := b.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	tab := &Tab{Ctx: ctx, t: t}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(width, height),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("open tab: %v", err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleException, chromedp.ConsoleWarning:
				tab.mu.Lock()
				tab.console = append(tab.console, fmt.Sprintf("%s: %s (%s)", m.Type, m.Text, m.URL))
				tab.mu.Unlock()
			}
		}
	}()
	return tab
}

// Do runs actions in the tab and fails the test on error.
func (tab *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	if err := chromedp.Do(tab.Ctx, actions...); err != nil {
		tab.t.Fatalf("browser: %v", err)
	}
}

// Problems returns the console errors and warnings seen so far in this
// tab, and the CSP violations of the current document.
func (tab *Tab) Problems() []string {
	tab.t.Helper()
	violations, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[[]string](`window.__cspViolations || []`))
	if err != nil {
		tab.t.Fatalf("read CSP violations: %v", err)
	}
	// Console events arrive asynchronously; give the last ones a moment.
	time.Sleep(100 * time.Millisecond)
	tab.mu.Lock()
	defer tab.mu.Unlock()
	out := append([]string(nil), tab.console...)
	for _, v := range violations {
		out = append(out, "CSP violation: "+v)
	}
	return out
}

// Screenshot saves a full-page PNG as testoutput/screenshots/name.png
// and what the viewport shows as name-top.png, and returns the first path.
func (tab *Tab) Screenshot(name string) string {
	tab.t.Helper()
	top, err := chromedp.Run(tab.Ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tab.t.Fatalf("screenshot %s: %v", name, err)
	}
	tab.save(name+"-top", top)
	png, err := chromedp.Run(tab.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tab.t.Fatalf("screenshot %s: %v", name, err)
	}
	return tab.save(name, png)
}

func (tab *Tab) save(name string, png []byte) string {
	tab.t.Helper()
	dir := filepath.Join(OutputDir(tab.t), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tab.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tab.t.Fatal(err)
	}
	return path
}

// Eval evaluates a JavaScript expression and decodes its value into T.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	v, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tab.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// OutputDir is testoutput/ at the repository root.
func OutputDir(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testoutput")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// JSON is a helper for messages: v as compact JSON.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return strings.TrimSpace(string(b))
}
