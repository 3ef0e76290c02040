package web

import (
	"path"
	"regexp"
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
