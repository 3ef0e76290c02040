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
// has to ask again for one it holds.
type assets struct {
	byName   map[string]*asset // "css/app.css"
	byHashed map[string]*asset // "css/app.3f9a1c2b7e.css"
}

type asset struct {
	url         string
	body        []byte
	contentType string
}

// loadAssets reads every file under fsys's root into memory.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		a.add(p, ct, body)
		return nil
	})
	return a, err
}

// add serves body as the asset name, under its content-hash URL.
func (a *assets) add(name, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
	as := &asset{url: "/static/" + hashed, body: body, contentType: contentType}
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
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Length", strconv.Itoa(len(as.body)))
	return c.Blob(http.StatusOK, as.contentType, as.body)
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("web: embedded folder %s: %v", dir, err))
	}
	return sub
}
