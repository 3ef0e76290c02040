package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/andybalholm/brotli"
)

// A coding is a content coding the server can send a body in.
type coding uint8

const (
	identity coding = iota
	codingGzip
	codingBrotli
)

// codingSet is a set of codings, one bit each.
type codingSet uint8

func (s codingSet) has(c coding) bool { return s&(1<<c) != 0 }

const (
	offerGzip       = codingSet(1 << codingGzip)
	offerGzipBrotli = codingSet(1<<codingGzip | 1<<codingBrotli)
)

// Header values shared by every response that carries them: net/http only
// reads them, and their capacity equals their length, so an append by
// anyone makes a copy rather than write into the shared array.
var (
	varyAcceptEncoding = []string{"Accept-Encoding"}
	contentEncoding    = [...][]string{codingGzip: {"gzip"}, codingBrotli: {"br"}}
	htmlContentType    = []string{"text/html; charset=UTF-8"}
)

// negotiate picks the coding for a response from those offered (identity
// is always possible), by the request's Accept-Encoding (RFC 9110,
// section 12.5.3): the highest q-value wins, q=0 means "not this", "*"
// stands for every coding not named, and ties go to the smaller body
// (brotli, then gzip, then none). Identity unnamed and without "*" takes
// no part in the choice: "gzip;q=0.5" gets gzip.
//
// No Accept-Encoding, or an empty one, asks for the body as it is. A header
// that rules out everything offered, identity too ("identity;q=0", "*;q=0")
// still gets the body as it is: a page nobody can read is worse than one
// sent in a coding the client said it would rather not have, and a 406
// helps no one. A malformed q-value counts as q=0, and unknown codings are
// skipped, so no header, however odd or long, makes an error; the work is
// one pass over it with no allocation.
func negotiate(h http.Header, offer codingSet) coding {
	values := h["Accept-Encoding"]
	if len(values) == 0 || offer == 0 {
		return identity
	}
	// Thousandths; -1: not named.
	q := [...]int{identity: -1, codingGzip: -1, codingBrotli: -1}
	star := -1
	for _, v := range values {
		for len(v) > 0 {
			var elem string
			elem, v = cutByte(v, ',')
			name, params := cutByte(elem, ';')
			name = trimOWS(name)
			weight := qValue(params)
			switch {
			case name == "*":
				star = firstOf(star, weight)
			case equalFold(name, "identity"):
				q[identity] = firstOf(q[identity], weight)
			case equalFold(name, "gzip"), equalFold(name, "x-gzip"):
				q[codingGzip] = firstOf(q[codingGzip], weight)
			case equalFold(name, "br"):
				q[codingBrotli] = firstOf(q[codingBrotli], weight)
			}
		}
	}
	best, bestQ := identity, 0
	for _, c := range [...]coding{codingBrotli, codingGzip} {
		if !offer.has(c) {
			continue
		}
		w := q[c]
		if w < 0 {
			w = star
		}
		if w > bestQ {
			best, bestQ = c, w
		}
	}
	// Identity competes when weighed, by name or by "*", and wins only
	// when strictly preferred. Unweighed, it is what is left when no
	// coding offered is acceptable.
	w := q[identity]
	if w < 0 {
		w = star
	}
	if w > bestQ {
		return identity
	}
	return best
}

// firstOf keeps the first q-value given for a coding: a header that names
// one twice gets the first reading, as a list is read from the left.
func firstOf(old, w int) int {
	if old >= 0 {
		return old
	}
	return w
}

// qValue reads the weight among an element's parameters ("q=0.5",
// " q=1", "level=1;q=0.8") in thousandths: 1000 with no q, 0 for one that
// is not a qvalue (RFC 9110, section 12.4.2: "0", "0.5", "1.000"…).
func qValue(params string) int {
	for len(params) > 0 {
		var p string
		p, params = cutByte(params, ';')
		name, value := cutByte(p, '=')
		if trimOWS(name) != "q" && trimOWS(name) != "Q" {
			continue
		}
		value = trimOWS(value)
		if len(value) == 0 || len(value) > 5 || value[0] != '0' && value[0] != '1' {
			return 0
		}
		n := int(value[0]-'0') * 1000
		if len(value) > 1 {
			if value[1] != '.' {
				return 0
			}
			scale := 100
			for i := 2; i < len(value); i++ {
				d := value[i]
				if d < '0' || d > '9' {
					return 0
				}
				n += int(d-'0') * scale
				scale /= 10
			}
		}
		if n > 1000 {
			return 0
		}
		return n
	}
	return 1000
}

func cutByte(s string, sep byte) (before, after string) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// trimOWS drops the spaces and tabs HTTP allows around list elements.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// equalFold compares s with a lower-case ASCII word, ignoring case.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != lower[i] {
			return false
		}
	}
	return true
}

// compressible says whether a body of this type and size is worth
// compressing: text of a kilobyte or more. Images and fonts are compressed
// already, and a tiny file fits in a packet either way.
func compressible(contentType string, n int) bool {
	if n < 1024 {
		return false
	}
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "javascript") ||
		strings.Contains(contentType, "json") || strings.Contains(contentType, "svg")
}

// compressedBody holds a static body's compressed forms. The gzip form is
// made at once; the brotli one, at brotli's best quality, takes 50 to 100
// ms for a large script, so it is made in the background on the first
// request that would take it, which gets gzip meanwhile.
type compressedBody struct {
	body   []byte
	gzip   *encoded // nil when not a tenth smaller than the body
	brOnce sync.Once
	br     atomic.Pointer[encoded] // nil until made; then with no body when not smaller than gzip
	brDone chan struct{}           // closed once br is set
}

// encoded is a body in some coding, with its Content-Length header value.
type encoded struct {
	body   []byte
	length []string
}

func newEncoded(body []byte) *encoded {
	return &encoded{body: body, length: []string{strconv.Itoa(len(body))}}
}

// compressedBodies memoizes compressedBody by the SHA-256 of the body,
// for the whole process: the embedded assets are the same for every
// Server, and tests start hundreds of them. The set of keys is the set of
// asset bodies, so it is bounded.
var compressedBodies sync.Map // [sha256.Size]byte → *compressedBody

// compressBody returns the memoized compressed forms of body, making the
// gzip one now if need be.
func compressBody(body []byte) *compressedBody {
	key := sha256.Sum256(body)
	if cb, ok := compressedBodies.Load(key); ok {
		return cb.(*compressedBody)
	}
	cb := &compressedBody{body: body, brDone: make(chan struct{})}
	if z := gzipAll(body, gzip.BestCompression); len(z) <= len(body)*9/10 {
		cb.gzip = newEncoded(z)
	}
	actual, _ := compressedBodies.LoadOrStore(key, cb)
	return actual.(*compressedBody)
}

// brotli is the brotli form when it is made and smaller than gzip, else
// nil; the first call starts making it.
func (cb *compressedBody) brotli() *encoded {
	if e := cb.br.Load(); e != nil {
		if e.body == nil {
			return nil
		}
		return e
	}
	cb.brOnce.Do(func() { go cb.makeBrotli() })
	return nil
}

func (cb *compressedBody) makeBrotli() {
	defer close(cb.brDone)
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	w.Write(cb.body) // writes to a bytes.Buffer do not fail
	w.Close()
	if cb.gzip == nil || buf.Len() >= len(cb.gzip.body) {
		cb.br.Store(&encoded{})
		return
	}
	cb.br.Store(newEncoded(buf.Bytes()))
}

// gzipAll is body gzipped at level.
func gzipAll(body []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level) // the level is a constant that is valid
	zw.Write(body)                            // writes to a bytes.Buffer do not fail
	zw.Close()
	return buf.Bytes()
}
