package web

import (
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"microlab/internal/humanize"
)

// secureHeaders sets the security headers on every response, including a
// Content-Security-Policy whose script-src admits only scripts carrying
// this request's nonce: no inline script, no eval.
func secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := stateOf(c)
		// The policy and the nonce in one allocation: the nonce is the
		// policy's own bytes.
		var buf [len(cspBefore) + nonceLen + len(cspAfter)]byte
		b := append(buf[:0], cspBefore...)
		b = appendRandomToken(b, nonceBytes)
		policy := string(append(b, cspAfter...))
		st.nonce = policy[len(cspBefore) : len(cspBefore)+nonceLen]
		st.header[1] = policy
		h := c.Response().Header()
		h["Content-Security-Policy"] = st.header[1:2:2]
		for _, kv := range fixedSecurityHeaders {
			h[kv.key] = kv.value
		}
		return next(c)
	}
}

// The Content-Security-Policy, either side of the nonce.
const (
	cspBefore = "default-src 'self'; script-src 'nonce-"
	cspAfter  = "'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

// A nonce is 128 random bits, 22 characters of base64.
const (
	nonceBytes = 16
	nonceLen   = (nonceBytes*8 + 5) / 6
)

// fixedSecurityHeaders are the same on every response. Their keys are
// already canonical and their values shared and never modified, so
// setting them costs no allocation per request.
var fixedSecurityHeaders = []struct {
	key   string
	value []string
}{
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Referrer-Policy", []string{"strict-origin-when-cross-origin"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=()"}},
}

// tokenSources hands each goroutine a ChaCha8 generator seeded from
// crypto/rand. ChaCha8 is a cryptographically strong generator, and drawing
// from it costs no system call, unlike crypto/rand, which would take two or
// three per page view.
var tokenSources = sync.Pool{New: func() any {
	var seed [32]byte
	crand.Read(seed[:]) // never fails: crypto/rand panics rather than return an error
	return mrand.NewChaCha8(seed)
}}

// randomBytes fills b from the calling goroutine's generator.
func randomBytes(b []byte) {
	src := tokenSources.Get().(*mrand.ChaCha8)
	src.Read(b)
	tokenSources.Put(src)
}

// randomToken is n random bytes, URL-safe base64 without padding, so it
// fits a cookie, a form field and a CSP nonce alike.
func randomToken(n int) string {
	var buf [88]byte
	return string(appendRandomToken(buf[:0], n))
}

// appendRandomToken appends randomToken(n) to dst; n is at most 64.
func appendRandomToken(dst []byte, n int) []byte {
	var buf [64]byte
	b := buf[:n]
	randomBytes(b)
	return base64.RawURLEncoding.AppendEncode(dst, b)
}

// randomHex is n random bytes in lower-case hex: learner and quiz ids.
func randomHex(n int) string {
	var buf [64]byte
	b := buf[:n]
	randomBytes(b)
	return hex.EncodeToString(b)
}

func nonceOf(c echo.Context) string { return stateOf(c).nonce }

// CSRF protection is a double-submit token: a random token lives in an
// HttpOnly cookie, every form carries it in a hidden field (htmx sends it
// as a header), and a state-changing request must present both, equal. The
// token is signed with the server's secret, so a cookie an attacker planted
// (from a sibling subdomain, say) with a value of their choosing is not a
// token. A request whose browser says it came from another site is
// refused even with a token.
const (
	csrfCookie = "microlab_csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
	// csrfTokenLen is the length of a token: 32 random bytes and their MAC,
	// each in unpadded base64, joined by a dot.
	csrfTokenLen = 43 + 1 + 43
)

// newCSRFToken is a fresh signed token.
func (s *Server) newCSRFToken() string {
	var buf [csrfTokenLen]byte
	t := appendRandomToken(buf[:0], 32)
	m := csrfMAC(s, t)
	defer m.done()
	return string(base64.RawURLEncoding.AppendEncode(append(t, '.'), m.sum))
}

// validCSRFToken reports whether v is a token this server signed.
func (s *Server) validCSRFToken(v string) bool {
	t, mac, ok := strings.Cut(v, ".")
	if !ok || len(v) != csrfTokenLen {
		return false
	}
	m := csrfMAC(s, t)
	defer m.done()
	want := base64.RawURLEncoding.AppendEncode(m.msg[:0], m.sum)
	m.cmp = append(m.cmp[:0], mac...)
	return hmac.Equal(want, m.cmp)
}

// csrfMAC is the MAC of a token, s.sign("csrf", token), in m.sum, and
// buffers for the caller to use until m.done. It is s.sign without its
// allocations and with half its hashing: crypto/hmac saves a keyed
// state's padded key blocks on first use, and the states are reused.
func csrfMAC[T string | []byte](s *Server, token T) *macState {
	p := csrfMACs.Load()
	if p == nil || p.secret != string(s.secret) {
		p = &macPool{secret: string(s.secret)}
		p.New = func() any { return &macState{pool: p, mac: hmac.New(sha256.New, []byte(p.secret))} }
		csrfMACs.Store(p)
	}
	m := p.Get().(*macState)
	m.mac.Reset()
	m.msg = append(append(m.msg[:0], "csrf:"...), token...)
	m.mac.Write(m.msg)
	m.sum = m.mac.Sum(m.sum[:0])
	return m
}

// csrfMACs is the pool of HMAC states keyed with the secret last used: a
// process has one Server, or in tests many with the same secret.
var csrfMACs atomic.Pointer[macPool]

type macPool struct {
	secret string
	sync.Pool
}

type macState struct {
	pool          *macPool
	mac           hash.Hash
	msg, sum, cmp []byte // reused buffers
}

func (m *macState) done() { m.pool.Put(m) }

// issueCSRF makes sure every visitor has a CSRF token cookie, so any page
// can put the token in its forms. It runs on every request.
func (s *Server) issueCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		st := stateOf(c)
		if ck, err := r.Cookie(csrfCookie); err == nil && s.validCSRFToken(ck.Value) {
			st.csrf = ck.Value
			return next(c)
		}
		st.csrf = s.newCSRFToken()
		st.header[2] = csrfSetCookie(st.csrf, s.secureCookies(r))
		h := c.Response().Header()
		if len(h["Set-Cookie"]) == 0 {
			h["Set-Cookie"] = st.header[2:3:3]
		} else {
			h["Set-Cookie"] = append(h["Set-Cookie"], st.header[2])
		}
		return next(c)
	}
}

// csrfSetCookie is the Set-Cookie value for a token: what http.SetCookie
// would write for
//
//	http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
//
// built in one allocation. A token is base64url and a dot, none of which
// a cookie value needs quoted or cleaned.
func csrfSetCookie(token string, secure bool) string {
	attrs := "; Path=/; HttpOnly; SameSite=Lax"
	if secure {
		attrs = "; Path=/; HttpOnly; Secure; SameSite=Lax"
	}
	return csrfCookie + "=" + token + attrs
}

// checkCSRF guards a state-changing route. routes.go registers every
// non-GET route through mutating, which adds it; a test walks the route
// table to make sure none escapes.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" {
			return errorf(http.StatusForbidden, "This form was sent from another website, so we refused it. Use the form on this site instead.")
		}
		if o := r.Header.Get("Origin"); o != "" && o != "null" && !s.sameOrigin(r, o) {
			return errorf(http.StatusForbidden, "This form was sent from another website (%s), so we refused it.", humanize.Truncate(o, 80))
		}
		// The token comes in the header or the posted form, never in the
		// address, where it would end up in logs and Referer headers.
		sent := r.Header.Get(csrfHeader)
		if sent == "" {
			sent = r.PostFormValue(csrfField)
		}
		token := csrfToken(c)
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return errorf(http.StatusForbidden, "This form has expired or did not come from this site, so nothing was changed. Reload the page and try again.")
		}
		return next(c)
	}
}

func csrfToken(c echo.Context) string { return stateOf(c).csrf }

// sameOrigin reports whether origin names this server: its base URL when
// one is configured, else the scheme and Host the request was sent to (the
// scheme as a trusted proxy forwards it, or the connection's).
func (s *Server) sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if s.baseURL != nil {
		return u.Scheme == s.baseURL.Scheme && u.Host == s.baseURL.Host
	}
	return u.Scheme == s.requestScheme(r) && u.Host == r.Host
}

// requestScheme is how the client reached the server: https over TLS, or
// what X-Forwarded-Proto says when a trusted proxy sent the request.
func (s *Server) requestScheme(r *http.Request) string {
	if p := r.Header.Get("X-Forwarded-Proto"); (p == "http" || p == "https") && s.fromTrustedProxy(r) {
		return p
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// fromTrustedProxy reports whether the request's connection comes from one
// of cfg.TrustedProxies.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil {
		return false
	}
	for _, n := range s.cfg.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// secureCookies says whether cookies get the Secure flag: when the server
// is reached over HTTPS, directly or (per the base URL) behind a proxy.
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || (s.baseURL != nil && s.baseURL.Scheme == "https")
}
