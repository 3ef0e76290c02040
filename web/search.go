package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"microlab/web/views"
)

const (
	// maxQueryRunes bounds a search query.
	maxQueryRunes = 200
	// searchLimit is how many results a search shows.
	searchLimit = 20
)

// search serves /search?q=: the whole page, or only the results when htmx
// asks as the reader types.
func (s *Server) search(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if n := utf8.RuneCountInString(q); n > maxQueryRunes {
		return errorf(http.StatusBadRequest, "That search is %d characters long; the limit is %d. Try a few key words instead.", n, maxQueryRunes)
	}
	if !utf8.ValidString(q) {
		return errorf(http.StatusBadRequest, "That search is not valid text.")
	}
	v := views.SearchView{Query: q, Limit: searchLimit}
	if q != "" {
		v.Results, v.Corrected = s.content.SearchWithInfo(q, searchLimit)
	}
	c.Response().Header().Add("Vary", "HX-Request, HX-History-Restore-Request")
	if wantsFragment(c.Request()) {
		return s.page(c, views.SearchResults(v))
	}
	title := "Search"
	if q != "" {
		title = "Search: " + q
	}
	return s.page(c, views.SearchPage(s.frame(c, title, "Search Microlab's patterns, interview questions and guides."), v))
}
