package web

import (
	"bytes"
	"compress/gzip"
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

// Text assets go gzipped to a browser that takes gzip, and as they are to
// one that does not; either way a cache is told the answer varies.
func TestAssetsAreGzippedForBrowsersThatTakeIt(t *testing.T) {
	ts := newTestServer(t)
	entry := ts.assets.URL("js/lab/main.js")
	want, err := fs.ReadFile(staticFiles, "static/js/lab/main.js")
	if err != nil {
		t.Fatal(err)
	}
	get := func(acceptEncoding string) (*http.Response, []byte) {
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

	res, body := get("gzip, deflate, br")
	if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("a browser taking gzip got Content-Encoding %q", ce)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("the gzipped module unpacks to %d bytes (%v), want main.js's %d", len(got), err, len(want))
	}
	if len(body) >= len(want) {
		t.Errorf("gzipped, main.js is %d bytes of %d", len(body), len(want))
	}

	for _, ae := range []string{"", "identity", "gzip;q=0", "br"} {
		res, body := get(ae)
		if ce := res.Header.Get("Content-Encoding"); ce != "" || !bytes.Equal(body, want) {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q and %d bytes, want main.js as it is", ae, ce, len(body))
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"gzip", true},
		{"deflate, GZIP;q=0.5", true},
		{"*", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"br, identity", false},
		{"", false},
	} {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
