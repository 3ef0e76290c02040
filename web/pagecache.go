package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/web/views"
)

// pageCache keeps pages that are the same for every visitor rendered once,
// split around the two values that differ per request: the CSP nonce and
// the CSRF token. Serving one is then a few copies, not a template run,
// and so is serving it gzipped (see gzipSplice).
//
// Only pages with no learner-specific content belong here; the key is the
// request path and the theme, and the set of paths is bounded by the
// routes (unknown slugs are 404s and never cached).
type pageCache struct {
	pages sync.Map // pageKey → *splicedPage; written once per key, read on every view
}

type pageKey struct{ path, theme string }

// splicedPage is a rendered page cut at its markers: parts[0] marker[0]
// parts[1] marker[1] … parts[n].
type splicedPage struct {
	parts   [][]byte
	markers []int // which value goes after parts[i]: markNonce or markCSRF
	fixed   int   // total length of parts
	// gzip is made on the first request that takes it.
	gzip func() *gzipSplice
	// length is the last Content-Length sent per coding: the values have
	// the same length on every request, so it is nearly always the one
	// needed, and sending it costs no allocation.
	length [codingBrotli + 1]atomic.Pointer[headerLength]
}

type headerLength struct {
	n     int
	value []string
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

func newPageCache() *pageCache { return &pageCache{} }

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
			break
		}
		p.parts = append(p.parts, html[:at])
		p.fixed += at
		p.markers = append(p.markers, which)
		html = html[at+len(markerText[which]):]
	}
	p.gzip = sync.OnceValue(func() *gzipSplice { return newGzipSplice(p.parts) })
	return p
}

// appendTo appends the page with values[i] after parts[i] to dst.
func (p *splicedPage) appendTo(dst []byte, values []string) []byte {
	for i, part := range p.parts {
		dst = append(dst, part...)
		if i < len(values) {
			dst = append(dst, values[i]...)
		}
	}
	return dst
}

// contentLength is the Content-Length header value for n bytes in coding c.
func (p *splicedPage) contentLength(c coding, n int) []string {
	if l := p.length[c].Load(); l != nil && l.n == n {
		return l.value
	}
	l := &headerLength{n: n, value: []string{strconv.Itoa(n)}}
	p.length[c].Store(l)
	return l.value
}

// cached serves the page built by view from the cache, rendering and
// storing it on the first request for this path and theme. It goes out
// gzipped to a client that takes gzip, as it is otherwise, with a
// Content-Length either way.
//
// Never brotli: brotli's context modelling and static dictionary make a
// stream that cannot be cut around the values, and compressing each
// request afresh costs more than the whole rest of the request
// (BenchmarkPerRequestBrotli: at quality 0 and 1 brotli's output is larger
// than the spliced gzip, and the qualities that beat it take a millisecond
// and more for a 24 KB page).
func (s *Server) cached(c echo.Context, title, description string, view func(views.Frame) templ.Component) error {
	r := c.Request()
	key := pageKey{r.URL.Path, themeOf(c)}
	var p *splicedPage
	if v, ok := s.pages.pages.Load(key); ok {
		p = v.(*splicedPage)
	} else {
		f := s.frame(c, title, description)
		f.Nonce, f.CSRF = string(markerText[markNonce]), string(markerText[markCSRF])
		var buf bytes.Buffer
		if err := view(f).Render(context.Background(), &buf); err != nil {
			return err
		}
		v, _ := s.pages.pages.LoadOrStore(key, splice(buf.Bytes()))
		p = v.(*splicedPage)
	}

	st := stateOf(c)
	byMarker := [...]string{markNonce: st.nonce, markCSRF: st.csrf}
	var inOrder [8]string
	values := inOrder[:0]
	for _, m := range p.markers {
		values = append(values, byMarker[m])
	}

	h := c.Response().Header()
	h[echo.HeaderContentType] = htmlContentType
	h[echo.HeaderVary] = varyAcceptEncoding
	enc := negotiate(r.Header, offerGzip)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	var body []byte
	if enc == codingGzip {
		gz := p.gzip()
		buf.Grow(gz.size(values))
		body = gz.appendTo(buf.AvailableBuffer(), values)
		h[echo.HeaderContentEncoding] = contentEncoding[codingGzip]
	} else {
		n := p.fixed
		for _, v := range values {
			n += len(v)
		}
		buf.Grow(n)
		body = p.appendTo(buf.AvailableBuffer(), values)
	}
	h[echo.HeaderContentLength] = p.contentLength(enc, len(body))
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(body)
	return err
}
