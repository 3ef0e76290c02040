package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"microlab/store"
	"microlab/web/views"
)

// Error is an expected failure a person can act on: bad input, a missing
// page, a refused form. Status is the HTTP status it becomes; Message is
// shown to the person as is, so it must be written for them.
type Error struct {
	Status  int
	Message string
	// Hints are short suggestions shown under the message, such as the
	// titles nearest to a mistyped slug.
	Hints []views.Link
}

func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.Status, e.Message) }

// errorf builds an *Error with a formatted message.
func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// statusMessages are what a person is told when Echo itself or a
// middleware refuses a request without a message of our own.
var statusMessages = map[int]string{
	http.StatusBadRequest:            "The request could not be understood. Check the address or the form and try again.",
	http.StatusForbidden:             "You are not allowed to do that.",
	http.StatusNotFound:              "We could not find that page. It may have moved, or the address may be mistyped.",
	http.StatusMethodNotAllowed:      "That address does not accept this kind of request.",
	http.StatusRequestEntityTooLarge: "That request is too large for us to accept.",
	http.StatusTooManyRequests:       "Too many requests in a short time. Wait a moment and try again.",
	http.StatusInternalServerError:   "Something went wrong on our side.",
	http.StatusServiceUnavailable:    "The service is not ready yet. Try again in a moment.",
}

// errorTitles name the error pages.
var errorTitles = map[int]string{
	http.StatusBadRequest:            "Bad request",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Page not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusRequestEntityTooLarge: "Request too large",
	http.StatusTooManyRequests:       "Too many requests",
	http.StatusInternalServerError:   "Something went wrong",
	http.StatusServiceUnavailable:    "Not ready",
}

// handleError is Echo's HTTPErrorHandler: the one place where an error
// becomes a status and a response. Expected errors are logged at debug
// level; anything else is logged with its request id and shown as a short
// apology carrying that id, never as internal detail.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	message := ""
	var hints []views.Link
	var appErr *Error
	var httpErr *echo.HTTPError
	expected := false
	var full *store.FullError
	switch {
	case errors.As(err, &full):
		status, expected = http.StatusConflict, true
		message = fmt.Sprintf("That would leave you with more than %d %s, the most one learner may keep, so nothing was saved. Export your progress, delete your data and import what you want to keep.", full.Max, full.What)
	case errors.Is(err, store.ErrRevoked):
		// The learner deleted their data while this request was on its
		// way; the next request gets a new learner.
		status, message, expected = http.StatusConflict, "Your data was deleted just now, so nothing was saved. Reload the page to start afresh.", true
	case errors.As(err, &appErr):
		status, message, hints = appErr.Status, appErr.Message, appErr.Hints
		expected = status != http.StatusInternalServerError
	case errors.As(err, &httpErr):
		status = httpErr.Code
		if m, ok := httpErr.Message.(string); ok && status < 500 && status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			message = asSentence(m)
		}
	}
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	rid := requestID(c)
	switch {
	case expected && status > 500:
		// A refusal we chose, such as "the server is full": the person
		// gets our message.
		s.log.Warn("request refused", "request_id", rid, "status", status, "err", err)
	case status >= 500:
		s.log.Error("request failed", "request_id", rid, "method", c.Request().Method,
			"path", c.Request().URL.Path, "status", status, "err", err)
		message = fmt.Sprintf("%s We have logged it; if it keeps happening, quote request id %s.", statusMessages[http.StatusInternalServerError], rid)
	default:
		s.log.Debug("request refused", "request_id", rid, "status", status, "err", err)
	}
	if message == "" {
		message = statusMessages[status]
		if message == "" {
			message = http.StatusText(status)
		}
	}
	title := errorTitles[status]
	if title == "" {
		title = http.StatusText(status)
	}

	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	var werr error
	switch {
	case wantsJSON(c.Request()):
		werr = c.JSON(status, map[string]any{"error": map[string]any{
			"status": status, "message": message, "request_id": rid,
		}})
	case wantsFragment(c.Request()):
		werr = s.render(c, status, views.ErrorFragment(status, title, message, hints))
	default:
		werr = s.render(c, status, views.ErrorPage(s.frame(c, title, message), status, title, message, hints))
	}
	if werr != nil {
		s.log.Error("writing error response", "request_id", rid, "err", werr)
	}
}

// wantsFragment reports whether the request is htmx asking for part of a
// page. When htmx restores a page from history it has no copy of, it asks
// for the address anew with HX-Request too, but it puts the answer in
// place of the whole body: that request gets the whole page.
func wantsFragment(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// wantsJSON reports whether the client prefers JSON over HTML.
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return false
	}
	j := strings.Index(accept, "application/json")
	h := strings.Index(accept, "text/html")
	return j >= 0 && (h < 0 || j < h)
}

// asSentence turns a terse library message into a sentence.
func asSentence(m string) string {
	if m == "" {
		return ""
	}
	m = strings.ToUpper(m[:1]) + m[1:]
	if !strings.HasSuffix(m, ".") {
		m += "."
	}
	return m
}
