package web

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"
)

func mustLoadAssets(tb testing.TB, fsys fstest.MapFS) *assets {
	tb.Helper()
	a, err := loadAssets(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func moduleFiles() fstest.MapFS {
	return fstest.MapFS{
		"css/app.css":          {Data: []byte("body{}")},
		"js/app.js":            {Data: []byte("'use strict';")},
		"js/lab/main.js":       {Data: []byte("import { x } from './state.js';")},
		"js/lab/state.js":      {Data: []byte("export const x = 1;")},
		"js/lab/state.test.js": {Data: []byte("import './state.js';")},
	}
}

func TestModuleFolderIsHashedAsOne(t *testing.T) {
	files := moduleFiles()
	a := mustLoadAssets(t, files)
	entry, state := a.URL("js/lab/main.js"), a.URL("js/lab/state.js")
	if !regexp.MustCompile(`^/static/js/lab\.[0-9a-f]{10}/main\.js$`).MatchString(entry) {
		t.Fatalf("entry URL = %q, want /static/js/lab.{hash}/main.js", entry)
	}
	if path.Dir(entry) != path.Dir(state) {
		t.Errorf("main.js at %s and state.js at %s: a relative import would not find it", entry, state)
	}
	if got := a.URL("js/app.js"); !regexp.MustCompile(`^/static/js/app\.[0-9a-f]{10}\.js$`).MatchString(got) {
		t.Errorf("a plain script's URL = %q, want its own hash", got)
	}

	t.Run("a changed imported module changes the entry's URL", func(t *testing.T) {
		changed := moduleFiles()
		changed["js/lab/state.js"] = &fstest.MapFile{Data: []byte("export const x = 2;")}
		if got := mustLoadAssets(t, changed).URL("js/lab/main.js"); got == entry {
			t.Errorf("entry URL stayed %s after state.js changed", got)
		}
	})
	t.Run("a new module changes the entry's URL", func(t *testing.T) {
		added := moduleFiles()
		added["js/lab/charts.js"] = &fstest.MapFile{Data: []byte("export {};")}
		if got := mustLoadAssets(t, added).URL("js/lab/main.js"); got == entry {
			t.Errorf("entry URL stayed %s after a module was added", got)
		}
	})
	t.Run("bytes moved between modules change the URL", func(t *testing.T) {
		moved := moduleFiles()
		moved["js/lab/main.js"] = &fstest.MapFile{Data: []byte("import { x } from './state.js';export")}
		moved["js/lab/state.js"] = &fstest.MapFile{Data: []byte(" const x = 1;")}
		if got := mustLoadAssets(t, moved).URL("js/lab/main.js"); got == entry {
			t.Errorf("entry URL stayed %s", got)
		}
	})
	t.Run("tests beside the modules are neither served nor hashed", func(t *testing.T) {
		if _, ok := a.byName["js/lab/state.test.js"]; ok {
			t.Error("state.test.js is an asset")
		}
		for hashed := range a.byHashed {
			if strings.HasSuffix(hashed, ".test.js") {
				t.Errorf("%s is served", hashed)
			}
		}
		edited := moduleFiles()
		edited["js/lab/state.test.js"] = &fstest.MapFile{Data: []byte("// another test")}
		if got := mustLoadAssets(t, edited).URL("js/lab/main.js"); got != entry {
			t.Errorf("editing a test moved the entry from %s to %s", entry, got)
		}
	})
}

// importRE finds the relative specifiers of static imports and re-exports.
var importRE = regexp.MustCompile(`(?m)^(?:import|export)\b[^'";]*?(?:from\s*)?['"](\.{1,2}/[^'"]+)['"]`)

// TestLabModulesAreServed follows the lab's entry module and every module
// it imports, as a browser would: each answers 200 as immutable
// JavaScript under the same hashed folder.
func TestLabModulesAreServed(t *testing.T) {
	ts := newTestServer(t)
	entry := ts.assets.URL("js/lab/main.js")
	base, err := url.Parse(entry)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	queue := []*url.URL{base}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		res := ts.get(t, u.Path)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s = %d, want 200", u.Path, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("GET %s: Content-Type %q, want text/javascript", u.Path, ct)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: Cache-Control %q, want immutable", u.Path, cc)
		}
		for _, m := range importRE.FindAllStringSubmatch(string(body), -1) {
			ref, err := url.Parse(m[1])
			if err != nil {
				t.Fatal(err)
			}
			queue = append(queue, u.ResolveReference(ref))
		}
	}
	for _, name := range []string{"state.js", "connection.js", "topology.js", "charts.js", "panels.js", "controls.js"} {
		if !seen[path.Join(path.Dir(entry), name)] {
			t.Errorf("main.js does not reach %s through its imports; reached %v", name, seen)
		}
	}
	if res := ts.get(t, path.Join(path.Dir(entry), "state.test.js")); res.StatusCode != 404 {
		t.Errorf("the state tests are served: %d, want 404", res.StatusCode)
	}
	if res := ts.get(t, "/static/js/lab/main.js"); res.StatusCode != 404 {
		t.Errorf("unhashed module URL = %d, want 404", res.StatusCode)
	}
}

// Text assets go in brotli or gzip to a browser that takes it, and as
// they are to one that does not; either way a cache is told the answer
// varies. Brotli is made in the background on the first request that
// would take it, which gets gzip meanwhile.
func TestAssetsAreCompressedForBrowsersThatTakeIt(t *testing.T) {
	ts := newTestServer(t)
	entry := ts.assets.URL("js/lab/main.js")
	want, err := fs.ReadFile(staticFiles, "static/js/lab/main.js")
	if err != nil {
		t.Fatal(err)
	}
	get := func(acceptEncoding string) (*http.Response, []byte) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, entry, nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		res := ts.do(t, req)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %s for a body of %d bytes", acceptEncoding, cl, len(body))
		}
		if v := res.Header.Get("Vary"); v != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q, want Accept-Encoding", acceptEncoding, v)
		}
		return res, body
	}

	ts.assets.byName["js/lab/main.js"].compressed.waitBrotli(t)
	for _, tc := range []struct{ header, coding string }{
		{"gzip, deflate, br, zstd", "br"},
		{"br", "br"},
		{"*", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"gzip;q=1, br;q=0.5", "gzip"},
		{"x-gzip", "gzip"},
		{"", ""},
		{"identity", ""},
		{"gzip;q=0", ""},
		{"deflate, zstd", ""},
		{"br;q=0.5, identity", ""},
		{"identity;q=0", ""},
		{"*;q=0", ""},
	} {
		res, body := get(tc.header)
		ce := res.Header.Get("Content-Encoding")
		if ce != tc.coding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.header, ce, tc.coding)
			continue
		}
		got, err := decode(ce, body)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Accept-Encoding %q: the %q body unpacks to %d bytes (%v), want main.js's %d", tc.header, ce, len(got), err, len(want))
		}
		if ce != "" && len(body) >= len(want) {
			t.Errorf("Accept-Encoding %q: in %s, main.js is %d bytes of %d", tc.header, ce, len(body), len(want))
		}
	}
	_, gz := get("gzip")
	if _, br := get("br"); len(br) >= len(gz) {
		t.Errorf("brotli is %d bytes, gzip %d: brotli should be smaller", len(br), len(gz))
	}
}

// Until its brotli form is made, an asset goes gzipped to a browser that
// prefers brotli; the first such request starts making it.
func TestBrotliIsMadeOnFirstRequest(t *testing.T) {
	// Unique to this run: the forms are memoized for the whole process.
	cb := compressBody([]byte(strings.Repeat("a body seen by no other test; ", 100) + randomToken(8)))
	if cb.br.Load() != nil {
		t.Fatal("brotli made before anyone asked")
	}
	if cb.brotli() != nil {
		t.Fatal("the first request got brotli at once")
	}
	cb.waitBrotli(t)
	br := cb.brotli()
	if br == nil {
		t.Fatal("no brotli after it was made")
	}
	got, err := decode("br", br.body)
	if err != nil || !bytes.Equal(got, cb.body) {
		t.Errorf("brotli unpacks to %d bytes (%v), want %d", len(got), err, len(cb.body))
	}
	if br.length[0] != strconv.Itoa(len(br.body)) {
		t.Errorf("brotli Content-Length %s for %d bytes", br.length[0], len(br.body))
	}
}

// Images and tiny files go as they are, whatever the browser takes, and
// say nothing of Vary.
func TestImagesAndTinyFilesAreNotCompressed(t *testing.T) {
	a := mustLoadAssets(t, fstest.MapFS{
		"img/photo.png":  {Data: bytes.Repeat([]byte{0}, 4096)},
		"css/tiny.css":   {Data: []byte("body{margin:0}")},
		"css/random.css": {Data: randomText(4096)},
		"css/big.css":    {Data: []byte(strings.Repeat("body{margin:0}\n", 200))},
	})
	e := echo.New()
	for name, wantCompressed := range map[string]bool{"img/photo.png": false, "css/tiny.css": false, "css/random.css": false, "css/big.css": true} {
		req := httptest.NewRequest(http.MethodGet, a.URL(name), nil)
		req.Header.Set("Accept-Encoding", "gzip, br")
		rec := httptest.NewRecorder()
		c := e.NewContext(req, rec)
		c.SetParamNames("*")
		c.SetParamValues(strings.TrimPrefix(a.URL(name), "/static/"))
		if err := a.handler(c); err != nil {
			t.Fatal(err)
		}
		ce, vary := rec.Header().Get("Content-Encoding"), rec.Header().Get("Vary")
		if (ce != "") != wantCompressed || (vary != "") != wantCompressed {
			t.Errorf("%s: Content-Encoding %q, Vary %q; want compressed: %v", name, ce, vary, wantCompressed)
		}
	}
}

// randomText is n bytes that do not compress: random letters would, a
// little, so these are random bytes of every value.
func randomText(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// decode undoes a Content-Encoding with Go's own decompressors.
func decode(coding string, body []byte) ([]byte, error) {
	switch coding {
	case "":
		return body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	case "br":
		return io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
	}
	return nil, fmt.Errorf("unknown coding %q", coding)
}

// waitBrotli starts making the brotli form, if no request has, and waits
// until it is made.
func (cb *compressedBody) waitBrotli(tb testing.TB) {
	tb.Helper()
	cb.brotli()
	select {
	case <-cb.brDone:
	case <-time.After(30 * time.Second):
		tb.Fatal("brotli not made in 30 s")
	}
}
