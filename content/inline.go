package content

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// HasSection reports whether the page with the given slug has a heading
// whose id is id, so that a link to /{kind}s/{slug}#{id} lands on it.
func (l *Library) HasSection(slug, id string) bool {
	return l.anchors[slug][id]
}

// Inline renders src, one paragraph of inline Markdown written outside the
// pages (a design prompt's rubric line), the way a key point is rendered:
// the pages' dialect, no wrapping <p>. It refuses what a page's front matter
// may not hold either: anything but one paragraph, raw HTML, and an internal
// link to a page or heading the library does not have.
func (l *Library) Inline(src string) (string, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return "", errors.New("empty")
	}
	md := newMarkdown()
	source := []byte(src)
	doc := md.Parser().Parse(text.NewReader(source))
	var problems []error
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			problems = append(problems, fmt.Errorf("raw HTML is not allowed (it is not rendered): %s", clip(rawText(n, source))))
		case *ast.Link:
			if err := l.checkInlineLink(string(n.Destination)); err != nil {
				problems = append(problems, err)
			}
		case *ast.Image:
			problems = append(problems, errors.New("images are not allowed in inline Markdown"))
		}
		return ast.WalkContinue, nil
	})
	out, ok, err := inlineHTML(md, doc, source)
	switch {
	case err != nil:
		return "", err
	case !ok:
		problems = append(problems, errors.New("must be one paragraph of inline Markdown"))
	}
	if len(problems) > 0 {
		return "", errors.Join(problems...)
	}
	return out, nil
}

// checkInlineLink accepts an http(s) link or a link to a page of the
// library, with an anchor that exists when it has one.
func (l *Library) checkInlineLink(dest string) error {
	lower := strings.ToLower(dest)
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		if u, err := url.Parse(dest); err != nil || u.Host == "" {
			return fmt.Errorf("link %q: not a valid URL", dest)
		}
		return nil
	}
	u, err := url.Parse(dest)
	if err != nil || !strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "//") {
		return fmt.Errorf("link %q: link a page by its absolute path, such as /patterns/saga#how-it-works", dest)
	}
	segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(segs) != 2 || (segs[0] != KindPattern.Dir() && segs[0] != KindQuestion.Dir() && segs[0] != KindGuide.Dir()) {
		return fmt.Errorf("link %q: only links to pages are allowed here", dest)
	}
	p, ok := l.bySlug[segs[1]]
	if !ok || p.Kind.Dir() != segs[0] {
		return fmt.Errorf("link %q: there is no page %s/%s.md", dest, segs[0], segs[1])
	}
	if u.Fragment != "" && !l.HasSection(p.Slug, u.Fragment) {
		return fmt.Errorf("link %q: %s has no heading with the id %q", dest, p.Source, u.Fragment)
	}
	return nil
}
