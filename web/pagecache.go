package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/web/views"
)

// pageCache keeps pages that are the same for every visitor rendered once,
// split around the two values that differ per request: the CSP nonce and
// the CSRF token. Serving one is then a few copies, not a template run.
//
// Only pages with no learner-specific content belong here; the key is the
// request path and the theme, and the set of paths is bounded by the
// routes (unknown slugs are 404s and never cached).
type pageCache struct {
	mu    sync.RWMutex
	pages map[string]*splicedPage
}

// splicedPage is a rendered page cut at its markers: parts[0] marker[0]
// parts[1] marker[1] … parts[n].
type splicedPage struct {
	parts   [][]byte
	markers []int // which value goes after parts[i]: markNonce or markCSRF
	fixed   int   // total length of parts
}

const (
	markNonce = iota
	markCSRF
)

// The markers are plain letters, so templ's escaping leaves them alone,
// and long enough never to occur in real text.
var markerText = [...][]byte{
	markNonce: []byte("MICROLABNONCEMARKERq7Zk2"),
	markCSRF:  []byte("MICROLABCSRFMARKERx9Wd4"),
}

func newPageCache() *pageCache { return &pageCache{pages: map[string]*splicedPage{}} }

// splice cuts html at every marker.
func splice(html []byte) *splicedPage {
	p := &splicedPage{}
	for {
		at, which := -1, -1
		for m, text := range markerText {
			if i := bytes.Index(html, text); i >= 0 && (at < 0 || i < at) {
				at, which = i, m
			}
		}
		if at < 0 {
			p.parts = append(p.parts, html)
			p.fixed += len(html)
			return p
		}
		p.parts = append(p.parts, html[:at])
		p.fixed += at
		p.markers = append(p.markers, which)
		html = html[at+len(markerText[which]):]
	}
}

// cached serves the page built by view from the cache, rendering and
// storing it on the first request for this path and theme.
func (s *Server) cached(c echo.Context, title, description string, view func(views.Frame) templ.Component) error {
	f := s.frame(c, title, description)
	key := f.Path + "\x00" + f.Theme
	s.pages.mu.RLock()
	p := s.pages.pages[key]
	s.pages.mu.RUnlock()
	if p == nil {
		tf := f
		tf.Nonce, tf.CSRF = string(markerText[markNonce]), string(markerText[markCSRF])
		var buf bytes.Buffer
		if err := view(tf).Render(context.Background(), &buf); err != nil {
			return err
		}
		p = splice(buf.Bytes())
		s.pages.mu.Lock()
		s.pages.pages[key] = p
		s.pages.mu.Unlock()
	}
	values := [...]string{markNonce: f.Nonce, markCSRF: f.CSRF}
	n := p.fixed
	for _, m := range p.markers {
		n += len(values[m])
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(n))
	c.Response().WriteHeader(http.StatusOK)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	buf.Grow(n)
	for i, part := range p.parts {
		buf.Write(part)
		if i < len(p.markers) {
			buf.WriteString(values[p.markers[i]])
		}
	}
	_, err := c.Response().Write(buf.Bytes())
	return err
}
