package content

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// checkSVG holds a diagram to the rules of content/README.md that the
// Content-Security-Policy depends on: no scripts, no styles, no external
// references; and to the ones accessibility depends on: role="img", a
// <title> and a <desc>.
func (ld *loader) checkSVG(file string, data []byte) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth := 0
	var hasTitle, hasDesc bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			ld.add(file, 0, "not well-formed XML: %v", err)
			return
		}
		line, _ := dec.InputPos()
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Local != "svg" {
					ld.add(file, line, "the root element must be <svg>, not <%s>", t.Name.Local)
					return
				}
				if attr(t, "viewBox") == "" {
					ld.add(file, line, "<svg> needs a viewBox")
				}
				if attr(t, "role") != "img" {
					ld.add(file, line, `<svg> needs role="img"`)
				}
			}
			switch strings.ToLower(t.Name.Local) {
			case "script", "style", "foreignobject", "iframe":
				ld.add(file, line, "<%s> is not allowed (the Content-Security-Policy forbids it)", t.Name.Local)
			case "title":
				hasTitle = true
			case "desc":
				hasDesc = true
			}
			for _, a := range t.Attr {
				name := strings.ToLower(a.Name.Local)
				switch {
				case a.Name.Space == "xmlns" || name == "xmlns":
					// Namespace declarations are URLs but fetch nothing.
				case name == "style":
					ld.add(file, line, "style attributes are not allowed: use presentation attributes (fill=, stroke=)")
				case strings.HasPrefix(name, "on"):
					ld.add(file, line, "event handler attribute %q is not allowed", a.Name.Local)
				case name == "href" && !strings.HasPrefix(a.Value, "#"):
					ld.add(file, line, "external reference %q is not allowed", a.Value)
				case strings.Contains(a.Value, "url(") && !strings.Contains(a.Value, "url(#"):
					ld.add(file, line, "external reference %q is not allowed", a.Value)
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !hasTitle {
		ld.add(file, 0, "the diagram needs a <title>")
	}
	if !hasDesc {
		ld.add(file, 0, "the diagram needs a <desc>")
	}
}

// attr returns the value of the named attribute, or "".
func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
