package web

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// requestState is what the middleware works out about a request, in one
// value under one context key: a page view then makes one allocation for
// all of it rather than a boxed string per key, and one map entry.
type requestState struct {
	id    string // request id
	nonce string // CSP nonce
	csrf  string // the visitor's CSRF token
	// header backs this request's own response header values (request
	// id, policy, cookie), so that setting one costs no allocation of its
	// own. Each goes out as a slice of length and capacity one: an append
	// to it copies.
	header [3]string
}

const ctxState = "microlab_request"

// stateOf is the request's state, made empty for a context the middleware
// has not seen (a handler under test on its own).
func stateOf(c echo.Context) *requestState {
	if st, ok := c.Get(ctxState).(*requestState); ok {
		return st
	}
	st := &requestState{}
	c.Set(ctxState, st)
	return st
}

func requestID(c echo.Context) string { return stateOf(c).id }

// withRequestID gives every request an id: the caller's X-Request-Id when
// it is short and plain, a fresh random one otherwise. It is echoed in the
// response and carried in every log line about the request.
func withRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !plainID(id) {
			id = randomToken(9)
		}
		st := &requestState{id: id}
		c.Set(ctxState, st)
		st.header[0] = id
		c.Response().Header()[echo.HeaderXRequestID] = st.header[0:1:1]
		return next(c)
	}
}

// plainID accepts 1 to 64 letters, digits, dashes and underscores: enough for any
// tracing system's ids, and nothing that could forge a log line.
func plainID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// recoverPanics turns a panic in a handler into an internal error, logged
// with its stack, so one bad request never takes the server down.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic in handler", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// accessLog writes one structured line per request once it is answered.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // answer now, so the line below sees the real status
		}
		ctx, h := c.Request().Context(), s.log.Handler()
		if !h.Enabled(ctx, slog.LevelInfo) {
			return nil
		}
		// The record is made here rather than by Logger.LogAttrs, which
		// walks the stack on every call for the caller's address: this
		// line's source would always be this function, and the walk cost
		// half a microsecond a request.
		end := time.Now()
		res := c.Response()
		r := slog.NewRecord(end, slog.LevelInfo, "request", 0)
		r.AddAttrs(
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.String("route", routeOf(c)),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("duration", end.Sub(start)),
			slog.String("remote", c.RealIP()),
		)
		h.Handle(ctx, r) // a handler that cannot write has nowhere to say so
		return nil
	}
}

// routeOf is the registered pattern that served c ("/patterns/:slug"), or
// "unmatched", so that logs and metrics never grow a label per raw path.
func routeOf(c echo.Context) string {
	if p := c.Path(); p != "" {
		return p
	}
	return "unmatched"
}

// dropTrailingSlash sends a GET or HEAD of "/patterns/" to "/patterns", its
// query kept, with a permanent redirect: every page lives at the path
// without the slash, and a hand-typed or old link with one should still
// arrive rather than meet a 404. The path is taken escaped, so a decoded
// backslash or tab stays percent-encoded in the Location; a path that would
// not be a plain local path once trimmed (such as "//evil.example/") is
// left to the router, so this can never send anyone to another site.
func dropTrailingSlash(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		p := r.URL.EscapedPath()
		if len(p) < 2 || p[len(p)-1] != '/' || r.Method != http.MethodGet && r.Method != http.MethodHead {
			return next(c)
		}
		to := strings.TrimRight(p, "/")
		if to == "" {
			to = "/"
		}
		if !isLocalPath(to) {
			return next(c)
		}
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		return c.Redirect(http.StatusPermanentRedirect, to)
	}
}

// limitBodies refuses request bodies over the limit of their route: at
// once when Content-Length says so, and while reading otherwise.
//
// A body of unknown length (chunked) is read here, up to the limit, rather
// than left to fail inside a form parser: FormValue swallows the parser's
// error and returns "", so the CSRF check would answer 403, or the handler
// 400, to what is simply too large. Holding it costs no more than the form
// parsers do, which keep a form of this size in memory anyway.
func (s *Server) limitBodies(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength == 0 && (r.Body == nil || r.Body == http.NoBody) {
			return next(c) // most requests: nothing to bound
		}
		limit := s.cfg.MaxBody
		if l, ok := s.bodyLimits[r.URL.Path]; ok {
			limit = l
		}
		if r.ContentLength > limit {
			return errorf(http.StatusRequestEntityTooLarge,
				"That request is %s; the limit here is %s.", byteSize(r.ContentLength), byteSize(limit))
		}
		switch {
		case r.Body == nil || r.Body == http.NoBody:
		case r.ContentLength < 0:
			body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
			if int64(len(body)) > limit {
				return errorf(http.StatusRequestEntityTooLarge, "That request is over the limit: the limit here is %s.", byteSize(limit))
			}
			if err != nil {
				return errorf(http.StatusBadRequest, "The request was cut short before its end, so nothing was changed. Try again.")
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		default:
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		}
		return next(c)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// rejectBadQueries answers 400 to a malformed or oversized query string
// before any handler sees it; Echo would otherwise drop the bad parts
// silently. Parameters are bounded in characters, so a search in any script
// fits; the string as a whole is bounded in bytes only against abuse.
func rejectBadQueries(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := c.Request().URL.RawQuery
		if raw == "" {
			return next(c)
		}
		if len(raw) > maxQueryLen {
			return errorf(http.StatusBadRequest, "The address's query string is %d bytes long once encoded; the limit is %d.", len(raw), maxQueryLen)
		}
		params, err := url.ParseQuery(raw)
		if err != nil {
			return errorf(http.StatusBadRequest, "The address has a malformed query string: %s.", err)
		}
		searching := c.Request().URL.Path == "/search"
		for key, values := range params {
			if n := utf8.RuneCountInString(key); n > maxParamRunes {
				return errorf(http.StatusBadRequest, "The address has a parameter name %d characters long; the limit is %d.", n, maxParamRunes)
			}
			if searching && key == "q" {
				continue // the search handler bounds it and explains its limit
			}
			for _, v := range values {
				if n := utf8.RuneCountInString(v); n > maxParamRunes {
					return errorf(http.StatusBadRequest, "The address's parameter “%s” is %d characters long; the limit is %d.", key, n, maxParamRunes)
				}
			}
		}
		return next(c)
	}
}

const (
	// maxParamRunes bounds every query parameter's name and value, in
	// characters, but a search's: the others are slugs, ids and flags.
	maxParamRunes = 64
	// maxQueryLen bounds every query string in bytes. The longest
	// legitimate one is a search of maxQueryRunes characters of up to four
	// UTF-8 bytes each, percent-encoded (12 bytes a character), plus a few
	// short parameters.
	maxQueryLen = 12*maxQueryRunes + 512
)
