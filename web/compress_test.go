package web

import (
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestNegotiate(t *testing.T) {
	huge := strings.Repeat("x-unknown;q=0.5, ", 60000) // about 1 MB
	for _, tc := range []struct {
		name    string
		headers []string // nil: no Accept-Encoding at all
		offer   codingSet
		want    coding
	}{
		{"no header", nil, offerGzipBrotli, identity},
		{"an empty header", []string{""}, offerGzipBrotli, identity},
		{"a browser's", []string{"gzip, deflate, br, zstd"}, offerGzipBrotli, codingBrotli},
		{"a browser's, for a page", []string{"gzip, deflate, br, zstd"}, offerGzip, codingGzip},
		{"brotli only, for a page", []string{"br"}, offerGzip, identity},
		{"gzip by another name", []string{"x-gzip"}, offerGzip, codingGzip},
		{"names in capitals", []string{"GZIP, BR"}, offerGzipBrotli, codingBrotli},
		{"q-values choose", []string{"br;q=0.5, gzip;q=0.8"}, offerGzipBrotli, codingGzip},
		{"spaces and tabs", []string{" gzip ;\tq=0.8 ,\tbr ; q=0.9 "}, offerGzipBrotli, codingBrotli},
		{"q=0 means no", []string{"gzip;q=0"}, offerGzip, identity},
		{"q=0.000 means no", []string{"br;q=0.000, gzip"}, offerGzipBrotli, codingGzip},
		{"the least q that is not 0", []string{"gzip;q=0.001"}, offerGzip, codingGzip},
		{"identity preferred", []string{"gzip;q=0.5, identity"}, offerGzip, identity},
		{"a low q, identity unnamed", []string{"gzip;q=0.5"}, offerGzip, codingGzip},
		{"star weighs identity", []string{"gzip;q=0.5, *;q=0.8"}, offerGzip, identity},
		{"a tie goes to the smaller body", []string{"identity, gzip"}, offerGzip, codingGzip},
		{"star", []string{"*"}, offerGzipBrotli, codingBrotli},
		{"star, gzip refused", []string{"*, gzip;q=0"}, offerGzip, identity},
		{"star, brotli refused", []string{"br;q=0, *"}, offerGzipBrotli, codingGzip},
		{"star refused", []string{"*;q=0"}, offerGzipBrotli, identity},
		{"identity refused, nothing else named", []string{"identity;q=0"}, offerGzip, identity},
		{"identity refused, gzip named", []string{"identity;q=0, gzip;q=0.1"}, offerGzip, codingGzip},
		{"identity refused, star", []string{"identity;q=0, *"}, offerGzip, codingGzip},
		{"the first reading of a name", []string{"gzip;q=0, gzip"}, offerGzip, identity},
		{"several header lines", []string{"deflate", "gzip"}, offerGzip, codingGzip},
		{"an empty q", []string{"gzip;q="}, offerGzip, identity},
		{"a q that is a word", []string{"gzip;q=lots"}, offerGzip, identity},
		{"a q over 1", []string{"gzip;q=1.5"}, offerGzip, identity},
		{"a q of four decimals", []string{"gzip;q=0.0001"}, offerGzip, identity},
		{"a negative q", []string{"gzip;q=-1"}, offerGzip, identity},
		{"other parameters", []string{"gzip;level=9;q=0.7"}, offerGzip, codingGzip},
		{"only separators", []string{",,, ;;; ,"}, offerGzipBrotli, identity},
		{"a name with a space inside", []string{"g zip"}, offerGzip, identity},
		{"bytes that are not text", []string{"\xff\xfe\x00gzip"}, offerGzip, identity},
		{"a megabyte of codings", []string{huge + "gzip"}, offerGzip, codingGzip},
		{"nothing offered", []string{"gzip"}, 0, identity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.headers != nil {
				h["Accept-Encoding"] = tc.headers
			}
			if got := negotiate(h, tc.offer); got != tc.want {
				t.Errorf("negotiate(%.60q, %b) = %d, want %d", tc.headers, tc.offer, got, tc.want)
			}
		})
	}
}

// Whatever a client sends as Accept-Encoding, a page and an asset answer
// 200 with a body that decodes, by its Content-Encoding, to the page.
func TestOddAcceptEncodingNeverFails(t *testing.T) {
	ts := newTestServer(t)
	for _, header := range []string{
		"*", "identity;q=0", "*;q=0", "identity;q=0, *;q=0", "gzip;q=", "gzip;q=abc", ";", ",", ";q=1", "q=1",
		"br;q=1;q=0", "gzip;" + strings.Repeat(";", 10000), strings.Repeat("gzip,", 50000),
		strings.Repeat("a", 1<<20), "\x00\x01\x02", "gzip;q=\xff", "GzIp;Q=0.5",
	} {
		for _, target := range []string{benchPattern, ts.assets.URL("js/lab/main.js")} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept-Encoding", header)
			start := time.Now()
			res := ts.do(t, req)
			took := time.Since(start)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Errorf("GET %s with Accept-Encoding %.40q = %d", target, header, res.StatusCode)
				continue
			}
			if _, err := decode(res.Header.Get("Content-Encoding"), body); err != nil {
				t.Errorf("GET %s with Accept-Encoding %.40q: %s body does not decode: %v", target, header, res.Header.Get("Content-Encoding"), err)
			}
			if took > time.Second {
				t.Errorf("GET %s with Accept-Encoding %.40q took %s", target, header, took)
			}
		}
	}
}

// A cached page goes gzipped to a client that takes gzip, spliced around
// the request's own nonce and token. It must unpack, with Go's gzip
// reader (which checks the CRC and the length), to exactly the HTML the
// uncompressed path sends, for every request, and carry its length.
func TestCachedPagesAreGzippedAroundTheirValues(t *testing.T) {
	ts := newTestServer(t)
	token := csrfFrom(t, ts)
	// The uncompressed page, with the request's values marked out.
	plain := func(t *testing.T, cookie bool) (html string, res *http.Response) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, benchPattern, nil)
		if cookie {
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
		}
		res = ts.do(t, req)
		b, _ := io.ReadAll(res.Body)
		return markValues(t, string(b), res, token), res
	}
	for _, cookie := range []bool{false, true} {
		want, _ := plain(t, cookie)
		nonces := map[string]bool{}
		for i := range 4 {
			req := httptest.NewRequest(http.MethodGet, benchPattern, nil)
			req.Header.Set("Accept-Encoding", []string{"gzip", "gzip, deflate, br, zstd", "br;q=1, gzip;q=0.5", "*"}[i])
			if cookie {
				req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
			}
			res := ts.do(t, req)
			body, _ := io.ReadAll(res.Body)
			if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
				t.Fatalf("Accept-Encoding %q: Content-Encoding %q, want gzip", req.Header.Get("Accept-Encoding"), ce)
			}
			if v := res.Header.Get("Vary"); v != "Accept-Encoding" {
				t.Errorf("Vary %q, want Accept-Encoding", v)
			}
			if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %s for %d bytes", cl, len(body))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false)
			html, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("the gzipped page does not unpack: %v", err)
			}
			nonce := nonceFrom(t, res.Header)
			if nonces[nonce] {
				t.Errorf("nonce %s sent twice", nonce)
			}
			nonces[nonce] = true
			if got := markValues(t, string(html), res, token); got != want {
				t.Errorf("request %d (cookie %v): the gzipped page unpacks to %d bytes that differ from the plain page's %d at byte %d",
					i, cookie, len(got), len(want), firstDifference(got, want))
			}
			if len(body) > len(html)/2 {
				t.Errorf("gzipped, the page is %d bytes of %d", len(body), len(html))
			}
		}
	}
}

// markValues replaces the response's nonce and CSRF token in html by
// fixed words, after checking that the page carries them: the page's
// scripts carry the header's nonce and its forms the cookie's token (a
// returning visitor's own, known token, or the new one the response sets).
func markValues(t *testing.T, html string, res *http.Response, known string) string {
	t.Helper()
	nonce := nonceFrom(t, res.Header)
	token := known
	for _, ck := range res.Cookies() {
		if ck.Name == csrfCookie {
			token = ck.Value
		}
	}
	if !strings.Contains(html, `nonce="`+nonce+`"`) {
		t.Errorf("the page's scripts do not carry the header's nonce %s", nonce)
	}
	if !strings.Contains(html, `value="`+token+`"`) {
		t.Errorf("the page's forms do not carry the token %.12s…", token)
	}
	return strings.NewReplacer(nonce, "{nonce}", token, "{token}").Replace(html)
}

func nonceFrom(t *testing.T, h http.Header) string {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	_, after, ok := strings.Cut(csp, "'nonce-")
	nonce, _, ok2 := strings.Cut(after, "'")
	if !ok || !ok2 || len(nonce) != nonceLen {
		t.Fatalf("no nonce in the policy %q", csp)
	}
	return nonce
}

func firstDifference(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Brotli cannot be cut around the values, so a page never goes in it: a
// client that takes only brotli gets the page as it is.
func TestCachedPagesNeverGoInBrotli(t *testing.T) {
	ts := newTestServer(t)
	req := httptest.NewRequest(http.MethodGet, benchPattern, nil)
	req.Header.Set("Accept-Encoding", "br")
	res := ts.do(t, req)
	body, _ := io.ReadAll(res.Body)
	if ce := res.Header.Get("Content-Encoding"); ce != "" || !bytes.Contains(body, []byte("<html")) {
		t.Errorf("Content-Encoding %q, body starting %.20q; want the plain page", ce, body)
	}
	if v := res.Header.Get("Vary"); v != "Accept-Encoding" {
		t.Errorf("Vary %q, want Accept-Encoding", v)
	}
}

// The CSRF token goes into the gzip stream stored, byte for byte, never
// matched against the page's text: the size of a response tells nothing
// of the token, which is what the BREACH attack would read.
func TestTheTokenIsNotCompressed(t *testing.T) {
	ts := newTestServer(t)
	var sizes []int
	for _, tok := range []string{csrfFrom(t, ts), csrfFrom(t, ts)} {
		req := httptest.NewRequest(http.MethodGet, benchPattern, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
		res := ts.do(t, req)
		body, _ := io.ReadAll(res.Body)
		if !bytes.Contains(body, []byte(tok)) {
			t.Errorf("the token %.12s… is not in the gzip stream as it is", tok)
		}
		sizes = append(sizes, len(body))
	}
	if sizes[0] != sizes[1] {
		t.Errorf("two tokens give gzipped pages of %d and %d bytes", sizes[0], sizes[1])
	}
}

// The splice, on pages and values of every awkward shape, unpacks to the
// page with the values in place.
func TestGzipSplice(t *testing.T) {
	long := strings.Repeat("v", 3*maxStored+7)
	for _, tc := range []struct {
		name   string
		html   string
		values map[int]string
	}{
		{"no markers", "<p>" + strings.Repeat("text ", 500) + "</p>", nil},
		{"only a marker", "MICROLABNONCEMARKERq7Zk2", map[int]string{markNonce: "n0nce"}},
		{"markers side by side", "a" + "MICROLABNONCEMARKERq7Zk2MICROLABCSRFMARKERx9Wd4MICROLABNONCEMARKERq7Zk2", map[int]string{markNonce: "nnn", markCSRF: "ttt"}},
		{"an empty value", "before MICROLABCSRFMARKERx9Wd4 after", map[int]string{markCSRF: ""}},
		{"a value longer than a stored block", "x MICROLABCSRFMARKERx9Wd4 y MICROLABCSRFMARKERx9Wd4", map[int]string{markCSRF: long}},
		{"values that repeat the page", strings.Repeat("abcabc MICROLABNONCEMARKERq7Zk2 ", 50), map[int]string{markNonce: "abcabc abcabc"}},
		{"values that look like deflate", "MICROLABNONCEMARKERq7Zk2|MICROLABCSRFMARKERx9Wd4", map[int]string{markNonce: "\x00\x00\xff\xff\x01", markCSRF: "\x1f\x8b\x08"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := splice([]byte(tc.html))
			var values []string
			for _, m := range p.markers {
				values = append(values, tc.values[m])
			}
			want := p.appendTo(nil, values)
			z := p.gzip().appendTo(nil, values)
			if len(z) != p.gzip().size(values) {
				t.Errorf("size says %d, the stream is %d bytes", p.gzip().size(values), len(z))
			}
			zr, err := gzip.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false)
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("unpacks to %d bytes, want %d; they differ at %d", len(got), len(want), firstDifference(string(got), string(want)))
			}
		})
	}
}

func TestCRCMultiplier(t *testing.T) {
	for _, a := range []uint32{0, 1, 1 << 31, crcShift(1), crcShift(22619), 0xdeadbeef} {
		m := newCRCMultiplier(a)
		for _, b := range []uint32{0, 1, 0x80000000, 0xffffffff, 0x12345678, crc32.ChecksumIEEE([]byte("microlab"))} {
			if got, want := m.mul(b), crcMul(a, b); got != want {
				t.Errorf("%08x·%08x = %08x by table, %08x by steps", a, b, got, want)
			}
		}
	}
}

func TestCRCCombine(t *testing.T) {
	msg := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 40))
	for _, cut := range []int{0, 1, 7, 64, 1000, len(msg)} {
		a, b := msg[:cut], msg[cut:]
		m := newCRCMultiplier(crcShift(len(b)))
		got := m.combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b))
		if want := crc32.ChecksumIEEE(msg); got != want {
			t.Errorf("cut at %d: combined %08x, want %08x", cut, got, want)
		}
	}
}

// BenchmarkPerRequestBrotli is the case for never sending a cached page
// in brotli: the spliced gzip costs a copy, and compressing each request
// afresh costs, at the brotli qualities that beat the splice's size, more
// than the whole request does. Each reports its output size.
func BenchmarkPerRequestBrotli(b *testing.B) {
	ts := newTestServer(b)
	ts.get(b, benchPattern)
	v, _ := ts.pages.pages.Load(pageKey{benchPattern, ""})
	p := v.(*splicedPage)
	values := make([]string, len(p.markers))
	for i, m := range p.markers {
		values[i] = map[int]string{markNonce: randomToken(nonceBytes), markCSRF: ts.newCSRFToken()}[m]
	}
	html := p.appendTo(nil, values)
	b.Run("spliced-gzip", func(b *testing.B) {
		g := p.gzip()
		var out []byte
		for b.Loop() {
			out = g.appendTo(out[:0], values)
		}
		b.ReportMetric(float64(len(out)), "bytes")
	})
	b.Run("plain-copy", func(b *testing.B) {
		var out []byte
		for b.Loop() {
			out = p.appendTo(out[:0], values)
		}
		b.ReportMetric(float64(len(out)), "bytes")
	})
	for _, level := range []int{1, 6} {
		b.Run("gzip-"+strconv.Itoa(level), func(b *testing.B) {
			var n int
			for b.Loop() {
				n = len(gzipAll(html, level))
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
	for _, q := range []int{0, 1, 4, 5, 11} {
		b.Run("brotli-"+strconv.Itoa(q), func(b *testing.B) {
			var n int
			for b.Loop() {
				n = len(brotliAll(html, q))
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}

// brotliAll is body in brotli at quality q.
func brotliAll(body []byte, q int) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, q)
	w.Write(body)
	w.Close()
	return buf.Bytes()
}
