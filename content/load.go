package content

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Default loads the content embedded in the binary. See Load.
func Default(opts Options) (*Library, error) {
	return Load(Files(), opts)
}

// Load parses every page under patterns/, questions/ and guides/ of fsys,
// with the diagrams under diagrams/, validates them against the rules of
// content/README.md and renders them.
//
// If any file breaks a rule, Load returns a *ValidationError listing every
// problem, each naming its file and, where it can, the line.
func Load(fsys fs.FS, opts Options) (*Library, error) {
	css, err := highlightCSS()
	if err != nil {
		return nil, err
	}
	ld := newLoader(fsys, opts)
	ld.readDiagrams()
	for _, k := range Kinds() {
		ld.readKind(k)
	}
	ld.checkAcross()
	for _, d := range ld.drafts {
		ld.checkPage(d)
	}
	if len(ld.problems) > 0 {
		return nil, ld.err()
	}
	for _, d := range ld.drafts {
		if err := ld.renderPage(d); err != nil {
			return nil, fmt.Errorf("content: render %s: %w", d.file, err)
		}
	}

	l := &Library{
		byKind:   make(map[Kind][]*Page),
		bySlug:   make(map[string]*Page),
		anchors:  make(map[string]map[string]bool),
		diagrams: ld.diagrams,
		css:      css,
	}
	for _, d := range ld.drafts {
		l.all = append(l.all, d.page)
		l.anchors[d.page.Slug] = d.anchors
	}
	slices.SortFunc(l.all, comparePages)
	for _, p := range l.all {
		l.byKind[p.Kind] = append(l.byKind[p.Kind], p)
		l.bySlug[p.Slug] = p
	}
	l.index = buildIndex(ld.drafts, l.all)
	return l, nil
}

// Error is one problem in one content file.
type Error struct {
	File string // path inside the content tree: "patterns/saga.md"
	Line int    // 1-based line in the file; 0 when it is about the whole file
	Msg  string
}

// Error implements error: "patterns/saga.md:12: raw HTML is not allowed".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ValidationError lists every problem Load found, ordered by file and line.
type ValidationError struct {
	Problems []*Error
}

// Error implements error, one problem a line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "content: %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems, so errors.As can reach each *Error.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// err returns the collected problems as a *ValidationError.
func (ld *loader) err() error {
	probs := slices.Clone(ld.problems)
	slices.SortStableFunc(probs, func(a, b *Error) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return &ValidationError{Problems: probs}
}

// readDiagrams reads and checks every SVG under diagrams/.
func (ld *loader) readDiagrams() {
	entries, err := fs.ReadDir(ld.fsys, "diagrams")
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			ld.add("diagrams", 0, "cannot read the folder: %v", err)
		}
		return
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".svg" {
			continue
		}
		file := path.Join("diagrams", e.Name())
		b, err := fs.ReadFile(ld.fsys, file)
		if err != nil {
			ld.add(file, 0, "cannot read: %v", err)
			continue
		}
		ld.diagrams[e.Name()] = b
		ld.checkSVG(file, b)
	}
}

// readKind reads and parses every page of one kind.
func (ld *loader) readKind(k Kind) {
	entries, err := fs.ReadDir(ld.fsys, k.Dir())
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			ld.add(k.Dir(), 0, "cannot read the folder: %v", err)
		}
		return
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".md" || e.Name() == "README.md" {
			continue
		}
		file := path.Join(k.Dir(), e.Name())
		b, err := fs.ReadFile(ld.fsys, file)
		if err != nil {
			ld.add(file, 0, "cannot read: %v", err)
			continue
		}
		ld.parse(file, k, b)
	}
}

// snippet is a piece of inline Markdown from the front matter (a key point,
// a follow-up), parsed with the page's dialect.
type snippet struct {
	field  string // "key_points[2]", "follow_ups[1].a"
	line   int
	source []byte
	doc    ast.Node
}

// draft is a page on its way through Load.
type draft struct {
	page       *Page
	fm         frontMatter
	file       string
	keys       map[string]int // front matter key → file line
	items      map[string][]int
	body       []byte
	bodyLine   int   // file line of the body's first line
	lineStarts []int // byte offset of each body line
	doc        ast.Node
	anchors    map[string]bool // every heading id of the body
	sections   []section
	meta       string // plain text of the summary, question, key points and follow-ups
	snippets   []*snippet
	broken     bool // front matter unreadable: only the slug is trusted
}

// loader holds the state of one Load.
type loader struct {
	fsys     fs.FS
	opts     Options
	labs     map[string]bool // nil: not checked
	topics   map[string]bool // nil: not checked
	md       goldmark.Markdown
	drafts   []*draft
	bySlug   map[string]*draft
	diagrams map[string][]byte
	problems []*Error
}

// newLoader prepares a Load over fsys.
func newLoader(fsys fs.FS, opts Options) *loader {
	return &loader{
		fsys:     fsys,
		opts:     opts,
		labs:     setOf(opts.Labs),
		topics:   setOf(opts.QuizTopics),
		md:       newMarkdown(),
		bySlug:   make(map[string]*draft),
		diagrams: make(map[string][]byte),
	}
}

// setOf returns the strings as a set, or nil for a nil slice.
func setOf(ss []string) map[string]bool {
	if ss == nil {
		return nil
	}
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// add records a problem.
func (ld *loader) add(file string, line int, format string, args ...any) {
	ld.problems = append(ld.problems, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// parse reads one page file: front matter, field checks that need only the
// file itself, and the Markdown tree.
func (ld *loader) parse(file string, kind Kind, data []byte) {
	fileSlug := strings.TrimSuffix(path.Base(file), ".md")
	d := &draft{
		file: file,
		page: &Page{Slug: fileSlug, Kind: kind, Source: file, URL: "/" + kind.Dir() + "/" + fileSlug},
	}
	ld.drafts = append(ld.drafts, d)

	data = bytes.ReplaceAll(bytes.TrimPrefix(data, []byte("\ufeff")), []byte("\r\n"), []byte("\n"))
	fm, body, bodyLine, err := splitFrontMatter(data)
	if err != nil {
		ld.add(file, 1, "%v", err)
		d.broken = true
		return
	}
	d.body, d.bodyLine = body, bodyLine
	d.lineStarts = lineStarts(body)
	d.doc = ld.md.Parser().Parse(text.NewReader(body))
	d.anchors = headingIDs(d.doc)
	d.sections = pageText(d.doc, body)

	if !ld.decodeFrontMatter(d, fm) {
		d.broken = true
		return
	}
	ld.checkFields(d, fileSlug, kind)
}

// lineStarts returns the byte offset at which each line of b begins.
func lineStarts(b []byte) []int {
	starts := []int{0}
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// bodyLineOf converts a byte offset in the body to a file line; 0 if unknown.
func (d *draft) bodyLineOf(offset int) int {
	if offset < 0 {
		return 0
	}
	i, found := slices.BinarySearch(d.lineStarts, offset)
	if !found {
		i--
	}
	return d.bodyLine + i
}

// headingIDs collects the id of every heading in a tree.
func headingIDs(doc ast.Node) map[string]bool {
	ids := make(map[string]bool)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			if id := headingID(h); id != "" {
				ids[id] = true
			}
		}
		return ast.WalkContinue, nil
	})
	return ids
}

// renderPage renders a checked page: body, table of contents, snippets.
func (ld *loader) renderPage(d *draft) error {
	p := d.page
	var err error
	if p.HTML, err = render(ld.md, d.doc, d.body); err != nil {
		return err
	}
	for n := d.doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && (h.Level == 2 || h.Level == 3) {
			p.TOC = append(p.TOC, Heading{Level: h.Level, ID: headingID(h), Text: inlinePlain(h, d.body)})
		}
	}
	rendered := make(map[string]string, len(d.snippets))
	for _, s := range d.snippets {
		out, _, err := inlineHTML(ld.md, s.doc, s.source)
		if err != nil {
			return fmt.Errorf("%s: %w", s.field, err)
		}
		rendered[s.field] = out
	}
	for i := range p.KeyPoints {
		p.KeyPointsHTML = append(p.KeyPointsHTML, rendered[fmt.Sprintf("key_points[%d]", i)])
	}
	for i := range p.Strong {
		p.StrongHTML = append(p.StrongHTML, rendered[fmt.Sprintf("strong_answer[%d]", i)])
	}
	for i := range p.FollowUps {
		p.FollowUps[i].QHTML = rendered[fmt.Sprintf("follow_ups[%d].q", i)]
		p.FollowUps[i].AHTML = rendered[fmt.Sprintf("follow_ups[%d].a", i)]
	}
	return nil
}
