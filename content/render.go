package content

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The chroma styles behind HighlightCSS: one for each site theme.
const (
	lightCodeStyle = "github"
	darkCodeStyle  = "github-dark"
)

// newMarkdown builds the one Markdown dialect every page is written in.
//
// Raw HTML is left out of the output (goldmark's default without
// WithUnsafe); validation reports it as an error as well, so a writer finds
// out instead of wondering where their markup went. Everything that would
// need an inline style (chroma colours, table alignment) is expressed as a
// class instead, because the site's Content-Security-Policy forbids inline
// styles.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)),
			extension.Strikethrough,
			extension.Linkify,
			extension.TaskList,
			extension.NewTypographer(extension.WithTypographicSubstitutions(typographicChars)),
			highlighting.NewHighlighting(
				highlighting.WithFormatOptions(chromahtml.WithClasses(true), chromahtml.WithPreWrapper(focusablePre{})),
				highlighting.WithWrapperRenderer(plainCodeBlock),
			),
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(pageTransformer{}, 100)),
		),
		goldmark.WithRendererOptions(
			// Lower numbers win: this replaces the default heading renderer
			// and adds one for figures.
			renderer.WithNodeRenderers(util.Prioritized(pageRenderer{}, 100)),
		),
	)
}

// focusablePre writes the <pre> around highlighted code with tabindex="0":
// a long line scrolls the block sideways, and a keyboard user must be able
// to focus it to scroll it.
type focusablePre struct{}

func (focusablePre) Start(code bool, styleAttr string) string {
	if code {
		return `<pre tabindex="0"` + styleAttr + `><code>`
	}
	return `<pre tabindex="0"` + styleAttr + `>`
}

func (focusablePre) End(code bool) string {
	if code {
		return `</code></pre>`
	}
	return `</pre>`
}

// plainCodeBlock wraps a code block that is not highlighted (no language
// given) as focusablePre wraps the others; a highlighted block has its
// wrapper from the formatter, so it writes nothing then.
func plainCodeBlock(w util.BufWriter, c highlighting.CodeBlockContext, entering bool) {
	switch {
	case c.Highlighted():
	case entering:
		w.WriteString(`<pre tabindex="0"><code>`)
	default:
		w.WriteString("</code></pre>\n")
	}
}

// typographicChars makes the typographer emit characters rather than HTML
// entities, so the plain text used for search and word counts is the same
// text the reader sees.
var typographicChars = map[extension.TypographicPunctuation]string{
	extension.LeftSingleQuote:  "‘",
	extension.RightSingleQuote: "’",
	extension.LeftDoubleQuote:  "“",
	extension.RightDoubleQuote: "”",
	extension.EnDash:           "–",
	extension.EmDash:           "—",
	extension.Ellipsis:         "…",
	extension.LeftAngleQuote:   "«",
	extension.RightAngleQuote:  "»",
	extension.Apostrophe:       "’",
}

// kindFigure is the node a paragraph holding only an image becomes.
var kindFigure = ast.NewNodeKind("Figure")

// figure is a block wrapping a single image; the image title becomes its
// caption.
type figure struct {
	ast.BaseBlock
}

// Kind implements ast.Node.
func (n *figure) Kind() ast.NodeKind { return kindFigure }

// Dump implements ast.Node.
func (n *figure) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// pageTransformer rewrites the parsed tree before rendering: lone images
// become figures, external links get rel="noopener noreferrer", and table
// cell alignment becomes a class.
type pageTransformer struct{}

// Transform implements parser.ASTTransformer.
func (pageTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var lone []*ast.Paragraph
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Paragraph:
			if n.ChildCount() == 1 && n.FirstChild().Kind() == ast.KindImage {
				lone = append(lone, n)
			}
		case *ast.Link:
			if isExternal(string(n.Destination)) {
				n.SetAttributeString("rel", []byte("noopener noreferrer"))
			}
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL && isExternal(string(n.URL(reader.Source()))) {
				n.SetAttributeString("rel", []byte("noopener noreferrer"))
			}
		case *east.Table:
			// A wide table scrolls sideways on a phone: it takes the
			// focus, so that the keyboard can scroll it too.
			n.SetAttributeString("tabindex", []byte("0"))
		case *east.TableCell:
			if n.Alignment != east.AlignNone {
				n.SetAttributeString("class", []byte("align-"+n.Alignment.String()))
			}
		}
		return ast.WalkContinue, nil
	})
	for _, p := range lone {
		fig := &figure{}
		fig.SetLines(p.Lines()) // so problems with the image get a line number
		img := p.FirstChild()
		p.RemoveChild(p, img)
		fig.AppendChild(fig, img)
		p.Parent().ReplaceChild(p.Parent(), p, fig)
	}
}

// isExternal reports whether a link leaves the site.
func isExternal(dest string) bool {
	d := strings.ToLower(dest)
	return strings.HasPrefix(d, "http://") || strings.HasPrefix(d, "https://") || strings.HasPrefix(d, "//")
}

// pageRenderer renders the nodes whose default HTML we change.
type pageRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (pageRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(kindFigure, renderFigure)
	reg.Register(ast.KindCodeSpan, renderCodeSpan)
}

// renderCodeSpan writes inline code with places to break a long name:
// between the words of a camelCase name and after a dot, underscore or
// slash, so a narrow table cell wraps slowCallDurationThreshold between
// its words and never inside one ("…Threshol" + "d").
func renderCodeSpan(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	var raw []byte
	for c := node.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			v := t.Segment.Value(source)
			if n := len(v); n > 0 && v[n-1] == '\n' {
				v = append(v[:n-1:n-1], ' ') // a line end inside code is a space
			}
			raw = append(raw, v...)
		case *ast.String:
			raw = append(raw, t.Value...)
		}
	}
	_, _ = w.WriteString("<code>")
	_, _ = w.WriteString(breakableCode(string(raw)))
	_, _ = w.WriteString("</code>")
	return ast.WalkSkipChildren, nil
}

// breakableCode escapes code for HTML and, in a name long enough to need
// it, marks with <wbr> where a line may break.
func breakableCode(code string) string {
	if utf8.RuneCountInString(code) < 16 {
		return html.EscapeString(code)
	}
	var b strings.Builder
	var prev rune
	for _, r := range code {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			b.WriteString("<wbr>")
		}
		b.WriteString(html.EscapeString(string(r)))
		if r == '.' || r == '_' || r == '/' {
			b.WriteString("<wbr>")
		}
		prev = r
	}
	return b.String()
}

// renderHeading writes a heading with its id and, for h2 to h4, a "#" link
// to itself so a reader can copy a link to the section.
func renderHeading(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	level := min(max(n.Level, 1), 6)
	if entering {
		fmt.Fprintf(w, "<h%d", level)
		if n.Attributes() != nil {
			ghtml.RenderAttributes(w, n, ghtml.HeadingAttributeFilter)
		}
		_ = w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	if id := headingID(n); id != "" && level >= 2 && level <= 4 {
		fmt.Fprintf(w, ` <a class="anchor" href="#%s" aria-label="Link to this section">#</a>`, html.EscapeString(id))
	}
	fmt.Fprintf(w, "</h%d>\n", level)
	return ast.WalkContinue, nil
}

// renderFigure writes <figure><img><figcaption>. The title moves from the
// image to the caption so screen readers do not hear it twice.
func renderFigure(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	img, ok := node.FirstChild().(*ast.Image)
	if !ok {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<figure><img src="`)
	dest := util.URLEscape(img.Destination, true)
	if !ghtml.IsDangerousURL(dest) {
		_, _ = w.Write(util.EscapeHTML(dest))
	}
	_, _ = w.WriteString(`" alt="`)
	_, _ = w.WriteString(html.EscapeString(inlinePlain(img, source)))
	_, _ = w.WriteString(`" loading="lazy">`)
	if title := strings.TrimSpace(string(unescapeMarkdown(img.Title))); title != "" {
		_, _ = w.WriteString("<figcaption>")
		_, _ = w.WriteString(html.EscapeString(title))
		_, _ = w.WriteString("</figcaption>")
	}
	_, _ = w.WriteString("</figure>\n")
	return ast.WalkSkipChildren, nil
}

// headingID returns the id goldmark generated for a heading.
func headingID(n *ast.Heading) string {
	v, ok := n.AttributeString("id")
	if !ok {
		return ""
	}
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	return ""
}

// unescapeMarkdown resolves backslash escapes and character references the
// way the HTML renderer does, for text we extract ourselves.
func unescapeMarkdown(b []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(b)))
}

// inlinePlain is the plain text of a node's inline children: what a reader
// sees, without markup.
func inlinePlain(n ast.Node, source []byte) string {
	var b strings.Builder
	writeInline(&b, n, source)
	return strings.TrimSpace(b.String())
}

// writeInline appends the plain text of n's inline children to b.
func writeInline(b *strings.Builder, n ast.Node, source []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(unescapeMarkdown(c.Segment.Value(source)))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					b.Write(t.Segment.Value(source))
				}
			}
		case *ast.AutoLink:
			b.Write(c.Label(source))
		case *ast.RawHTML:
			// Not rendered, so not text.
		default:
			writeInline(b, c, source)
		}
	}
}

// section is the plain text of one part of a page, split at h2 and h3.
type section struct {
	id, title string
	text      string // everything, code blocks included: what search sees
	prose     string // without code blocks: what the word count sees
}

// pageText splits a parsed page into sections of plain text. The first
// section holds whatever comes before the first h2 or h3 and has no id.
func pageText(doc ast.Node, source []byte) []section {
	var secs []section
	var text, prose strings.Builder
	cur := section{}
	flush := func() {
		cur.text = strings.TrimSpace(text.String())
		cur.prose = strings.TrimSpace(prose.String())
		secs = append(secs, cur)
		text.Reset()
		prose.Reset()
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && (h.Level == 2 || h.Level == 3) {
			flush()
			cur = section{id: headingID(h), title: inlinePlain(h, source)}
			continue
		}
		writeBlock(&text, &prose, n, source)
	}
	flush()
	return secs
}

// writeBlock appends the plain text of a block to text and, unless it is
// code, to prose. Blocks are separated by a space.
func writeBlock(text, prose *strings.Builder, n ast.Node, source []byte) {
	sep := func(b *strings.Builder) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	switch n := n.(type) {
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		sep(text)
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			text.WriteString(strings.TrimSpace(string(seg.Value(source))))
			text.WriteByte(' ')
		}
		return
	case *ast.HTMLBlock, *ast.ThematicBreak:
		return
	case *figure:
		// The alt text describes the figure; it is part of the page.
		sep(text)
		sep(prose)
		s := inlinePlain(n.FirstChild(), source)
		text.WriteString(s)
		prose.WriteString(s)
		return
	}
	if n.Type() == ast.TypeBlock && n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeInline {
		var b strings.Builder
		writeInline(&b, n, source)
		s := strings.TrimSpace(b.String())
		if s != "" {
			sep(text)
			sep(prose)
			text.WriteString(s)
			prose.WriteString(s)
		}
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writeBlock(text, prose, c, source)
	}
}

// countWords counts the words of prose: runs of non-space characters that
// hold at least one letter or digit.
func countWords(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// render writes a parsed document as HTML.
func render(md goldmark.Markdown, doc ast.Node, source []byte) (string, error) {
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, source, doc); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// inlineHTML renders a one-paragraph Markdown snippet (a key point, a
// follow-up) and strips the wrapping <p>, so the template decides the
// element around it. ok is false when the snippet is not exactly one
// paragraph.
func inlineHTML(md goldmark.Markdown, doc ast.Node, source []byte) (out string, ok bool, err error) {
	if doc.ChildCount() != 1 || doc.FirstChild().Kind() != ast.KindParagraph {
		return "", false, nil
	}
	out, err = render(md, doc, source)
	if err != nil {
		return "", false, err
	}
	out = strings.TrimSpace(out)
	out = strings.TrimPrefix(out, "<p>")
	out = strings.TrimSuffix(out, "</p>")
	return out, true, nil
}

// highlightCSS returns the stylesheet for the chroma classes: the light
// style as is, and the dark one twice, once for a reader who chose the dark
// theme and once for a system in dark mode when the reader chose nothing.
func highlightCSS() (string, error) {
	f := chromahtml.New(chromahtml.WithClasses(true))
	var light, dark bytes.Buffer
	if err := f.WriteCSS(&light, styles.Get(lightCodeStyle)); err != nil {
		return "", fmt.Errorf("content: highlight CSS: %w", err)
	}
	if err := f.WriteCSS(&dark, styles.Get(darkCodeStyle)); err != nil {
		return "", fmt.Errorf("content: highlight CSS: %w", err)
	}
	lightRules, darkRules := cssRules(light.Bytes()), cssRules(dark.Bytes())
	// A token the light style colours but the dark one leaves plain would
	// keep its light colour in the dark theme: dark text on a dark
	// background. Reset those to the dark style's plain text.
	for _, r := range lightRules {
		if !slices.ContainsFunc(darkRules, func(d cssRule) bool { return d.selector == r.selector }) {
			darkRules = append(darkRules, cssRule{r.selector,
				"color: inherit; background-color: transparent; font-weight: inherit; font-style: inherit; text-decoration: inherit"})
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "/* Code highlighting (chroma %q and %q). Generated by package content. */\n", lightCodeStyle, darkCodeStyle)
	writeCSS(&b, lightRules, "", "")
	writeCSS(&b, darkRules, `html[data-theme="dark"] `, "")
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	writeCSS(&b, darkRules, `html:not([data-theme="light"]) `, "  ")
	b.WriteString("}\n")
	return b.String(), nil
}

// cssRule is one rule of chroma's CSS.
type cssRule struct {
	selector, body string
}

// cssRules reads chroma's one-rule-per-line CSS. It leaves out the comments
// and the rule for chroma's .bg class, which only a standalone chroma page
// uses and whose name is too generic to set site-wide.
func cssRules(css []byte) []cssRule {
	var rules []cssRule
	sc := bufio.NewScanner(bytes.NewReader(css))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "/*") {
			if _, after, ok := strings.Cut(line, "*/"); ok {
				line = strings.TrimSpace(after)
			}
		}
		sel, body, ok := strings.Cut(line, "{")
		sel = strings.TrimSpace(sel)
		if !ok || sel == ".bg" {
			continue
		}
		body = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(body), "}"))
		rules = append(rules, cssRule{sel, body})
	}
	return rules
}

// writeCSS writes rules with scope in front of each selector.
func writeCSS(b *strings.Builder, rules []cssRule, scope, indent string) {
	for _, r := range rules {
		var sels []string
		for _, s := range strings.Split(r.selector, ",") {
			sels = append(sels, scope+strings.TrimSpace(s))
		}
		fmt.Fprintf(b, "%s%s { %s }\n", indent, strings.Join(sels, ", "), r.body)
	}
}
