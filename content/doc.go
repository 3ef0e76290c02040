// Package content is everything a learner reads: the pattern pages, the
// interview questions and the guides, with the diagrams they show.
//
// The Markdown files under content/ are embedded into the binary. Load parses
// their YAML front matter, checks every rule of content/README.md (complete
// front matter, required sections, word counts, internal links and anchors,
// diagrams, no raw HTML) and renders each page to HTML exactly once, so a
// broken page stops start-up with a message naming the file and the problem
// instead of surfacing as a 404 in front of a learner. The resulting Library
// is immutable and safe for concurrent use; it also answers site search from
// an inverted index built at load time, and suggests pages for mistyped URLs.
//
// Page.HTML uses a few classes the site's stylesheet should know: a.anchor
// (the "#" link in each h2 to h4), figure and figcaption (a diagram on its
// own line), align-left, align-center and align-right on th and td (column
// alignment, which would otherwise need an inline style), and pre.chroma
// with chroma's token classes, coloured by Library.HighlightCSS. Nothing in
// it carries a style attribute, so a strict Content-Security-Policy holds.
//
// The quiz banks (quiz/*.yaml) are embedded here too, so the binary carries
// all content in one place, but they are parsed by package quiz.
//
// This package must never import anything that does I/O beyond reading an
// fs.FS: no HTTP, no database, no clock, no environment.
package content
