package web

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/web/views"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a templ component as a complete HTML response. It renders
// into a buffer first, so a rendering error can still become an error page
// and every response carries a Content-Length.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// page renders comp as a 200 page.
func (s *Server) page(c echo.Context, comp templ.Component) error {
	return s.render(c, http.StatusOK, comp)
}

// frame is what the layout needs to know about this request.
func (s *Server) frame(c echo.Context, title, description string) views.Frame {
	return views.Frame{
		Title:       title,
		Description: description,
		Path:        c.Request().URL.Path,
		Nonce:       nonceOf(c),
		CSRF:        csrfToken(c),
		Theme:       themeOf(c),
		Asset:       s.assets.URL,
	}
}
