package web

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/content"
	"microlab/internal/humanize"
	"microlab/simulator"
	"microlab/web/views"
)

func sectionOf(k content.Kind) views.LearnSection {
	for _, s := range views.LearnSections {
		if s.Kind == k {
			return s
		}
	}
	panic("web: no section for kind " + string(k))
}

// learnIndex serves /patterns, /questions and /guides.
func (s *Server) learnIndex(kind content.Kind) echo.HandlerFunc {
	sec := sectionOf(kind)
	pages := s.content.Pages(kind)
	return func(c echo.Context) error {
		return s.cached(c, sec.Title, sec.Intro, func(f views.Frame) templ.Component {
			return views.LearnIndex(f, sec, pages)
		})
	}
}

// maxSlugLen bounds a slug in a URL; real ones are far shorter.
const maxSlugLen = 80

// article serves one reading page; an unknown slug gets a 404 that
// suggests the nearest titles.
func (s *Server) article(kind content.Kind) echo.HandlerFunc {
	sec := sectionOf(kind)
	return func(c echo.Context) error {
		slug := c.Param("slug")
		p, ok := s.content.Page(kind, slug)
		if !ok {
			return s.notFoundWithHints(slug)
		}
		// What the page shows around its text is gathered only when it is
		// rendered, once per theme: Challenges builds every challenge, and a
		// cached page must cost no more than its bytes.
		return s.cached(c, p.Title, p.Summary, func(f views.Frame) templ.Component {
			prev, next := s.content.Neighbours(p)
			_, hasQuiz := s.catalog.Bank(p.Slug)
			a := views.Article{Page: p, Section: sec, Prev: prev, Next: next, Related: s.content.Related(p), Quiz: hasQuiz}
			for _, ch := range simulator.Challenges() {
				if ch.Pattern == p.Slug && p.Kind == content.KindPattern {
					a.Challenges = append(a.Challenges, views.Link{Title: ch.Title, URL: "/lab/challenges/" + ch.Slug})
				}
			}
			return views.ArticlePage(f, a)
		})
	}
}

// notFoundWithHints is a 404 whose page lists the titles nearest to what
// was asked for.
func (s *Server) notFoundWithHints(asked string) error {
	e := errorf(http.StatusNotFound, "There is no page called “%s”.", humanize.Truncate(asked, maxSlugLen))
	if len(asked) <= maxSlugLen {
		for _, p := range s.content.Nearest(strings.ReplaceAll(asked, "-", " "), 3) {
			e.Hints = append(e.Hints, views.Link{Title: p.Title, URL: p.URL})
		}
	}
	return e
}

// diagram serves the SVG figures the pages include.
func (s *Server) diagram(c echo.Context) error {
	name := c.Param("file")
	body, ok := s.content.Diagram(name)
	if !ok || !strings.HasSuffix(name, ".svg") {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=86400")
	// An SVG opened on its own is a document: it gets no script at all.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	return c.Blob(http.StatusOK, "image/svg+xml", body)
}
