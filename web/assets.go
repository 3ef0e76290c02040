package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFiles embed.FS

// assets are files served under content-hash URLs (/static/css/app.3f9a1c2b7e.css)
// with immutable caching: a changed file gets a new URL, so a browser never
// has to ask again for one it holds. Text files go in brotli or gzip to
// browsers that take it, compressed once per process (compressedBody).
//
// A folder of ES modules, js/{name}/, is one asset as far as hashing goes:
// its files are served under /static/js/{name}.{hash}/{file}, where the hash
// covers every file of the folder and its subfolders. A module's relative imports
// (import './state.js') then resolve to URLs of the same version, and a
// change to any module changes the URL of all of them, the entry's
// included. Node test files (*.test.js) beside the modules are neither
// served nor hashed.
type assets struct {
	byName   map[string]*asset   // "css/app.css", "js/lab/main.js"
	byHashed map[string]*asset   // "css/app.3f9a1c2b7e.css", "js/lab.5d0c8e1a2b/main.js"
	modules  map[string][]string // "js/lab" → its modules' names, in lexical order
}

type asset struct {
	url         string
	body        []byte
	contentType []string // the header value
	length      []string // the Content-Length header value, as it is
	// compressed is nil for a body not worth compressing (images, tiny
	// files): it goes as it is, without Vary.
	compressed *compressedBody
}

// moduleDir is the folder of ES modules that holds the asset p, or "" when
// p is an ordinary file.
func moduleDir(p string) string {
	parts := strings.SplitN(p, "/", 3)
	if len(parts) == 3 && parts[0] == "js" {
		return parts[0] + "/" + parts[1]
	}
	return ""
}

// loadAssets reads every file under fsys's root into memory.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}, modules: map[string][]string{}}
	modules := map[string][]string{} // module folder → its files, in walk (lexical) order
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if dir := moduleDir(p); dir != "" {
			if !strings.HasSuffix(p, ".test.js") {
				modules[dir] = append(modules[dir], p)
			}
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		a.add(p, contentType(p), body)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for dir, files := range modules {
		if err := a.addModules(fsys, dir, files); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func contentType(p string) string {
	if ct := mime.TypeByExtension(path.Ext(p)); ct != "" {
		return ct
	}
	return "text/plain; charset=utf-8"
}

// add serves body as the asset name, under its content-hash URL.
func (a *assets) add(name, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	a.serve(name, strings.TrimSuffix(name, ext)+"."+hex.EncodeToString(sum[:5])+ext, contentType, body)
}

// addModules serves the files of the module folder dir under one URL
// prefix whose hash covers each file's name and content.
func (a *assets) addModules(fsys fs.FS, dir string, files []string) error {
	bodies := make([][]byte, len(files))
	h := sha256.New()
	for i, p := range files {
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		bodies[i] = body
		// Length-prefixed, so that moving bytes from one file to the next
		// cannot give the same hash.
		fmt.Fprintf(h, "%s\x00%d\x00", strings.TrimPrefix(p, dir+"/"), len(body))
		h.Write(body)
	}
	prefix := dir + "." + hex.EncodeToString(h.Sum(nil)[:5]) + "/"
	for i, p := range files {
		a.serve(p, prefix+strings.TrimPrefix(p, dir+"/"), contentType(p), bodies[i])
	}
	a.modules[dir] = files
	return nil
}

// Modules names the files of the module folder dir ("js/lab"), for a page
// to have them all fetched at once.
func (a *assets) Modules(dir string) []string { return a.modules[dir] }

func (a *assets) serve(name, hashed, contentType string, body []byte) {
	as := &asset{url: "/static/" + hashed, body: body, contentType: []string{contentType}, length: []string{strconv.Itoa(len(body))}}
	if compressible(contentType, len(body)) {
		if cb := compressBody(body); cb.gzip != nil {
			as.compressed = cb
		}
	}
	a.byName[name] = as
	a.byHashed[hashed] = as
}

// URL is the content-hash URL of the named asset. Views only name assets
// that exist; a missing one is a programming error caught by the tests,
// and its URL answers 404 rather than a stale file.
func (a *assets) URL(name string) string {
	if as, ok := a.byName[name]; ok {
		return as.url
	}
	return "/static/missing/" + name
}

func (a *assets) handler(c echo.Context) error {
	as, ok := a.byHashed[c.Param("*")]
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h["Cache-Control"] = immutable
	h[echo.HeaderContentType] = as.contentType
	body, length := as.body, as.length
	if cb := as.compressed; cb != nil {
		h[echo.HeaderVary] = varyAcceptEncoding
		form := cb.gzip
		enc := negotiate(c.Request().Header, offerGzipBrotli)
		if enc == codingBrotli {
			// Nil until made, and for a body brotli does not shrink:
			// then the choice is between the others.
			if form = cb.brotli(); form == nil {
				form, enc = cb.gzip, negotiate(c.Request().Header, offerGzip)
			}
		}
		if enc != identity {
			body, length = form.body, form.length
			h[echo.HeaderContentEncoding] = contentEncoding[enc]
		}
	}
	h[echo.HeaderContentLength] = length
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(body)
	return err
}

var immutable = []string{"public, max-age=31536000, immutable"}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("web: embedded folder %s: %v", dir, err))
	}
	return sub
}
