package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"microlab/store"
)

// Learners are anonymous: a random 128-bit id in an HttpOnly cookie,
// signed with the server's secret so nobody can claim another learner's
// id. The cookie is set on a learner's first write, never on a plain page
// view, so crawlers make no rows. A missing, tampered or malformed cookie
// reads as "no learner yet", never as an error.
const (
	learnerCookie = "microlab_learner"
	learnerIDLen  = store.LearnerIDLen // hex characters: 128 bits
	learnerMaxAge = 400 * 24 * 60 * 60
)

func (s *Server) signLearner(id string) string { return s.sign("learner", id) }

// sign is the MAC of value for purpose under the server's secret, so a
// value signed for one cookie cannot pass for another's.
func (s *Server) sign(purpose, value string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(purpose + ":" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// learnerID is the id of the learner making the request, or "" when the
// request carries no valid learner cookie.
func (s *Server) learnerID(c echo.Context) string {
	ck, err := c.Cookie(learnerCookie)
	if err != nil || len(ck.Value) > 128 {
		return ""
	}
	id, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || !validLearnerID(id) {
		return ""
	}
	if !hmac.Equal([]byte(sig), []byte(s.signLearner(id))) {
		return ""
	}
	return id
}

// ensureLearner returns the request's learner id, minting one and setting
// its cookie when there is none, or when the cookie's learner deleted their
// data (a replayed copy of it must not bring the id back). Call it only on
// writes.
func (s *Server) ensureLearner(c echo.Context) string {
	if id := s.learnerID(c); id != "" {
		revoked, err := s.store.LearnerRevoked(c.Request().Context(), id)
		if err != nil {
			// The write itself checks again, and refuses a revoked id.
			s.log.Warn("learner: revocation check failed", "err", err)
		}
		if !revoked {
			return id
		}
	}
	id := randomHex(learnerIDLen / 2)
	value := s.setLearnerCookie(c, id)
	// Later reads in this request see the new learner, not the old one.
	r := c.Request()
	old := r.Cookies()
	r.Header.Del("Cookie")
	for _, ck := range old {
		if ck.Name != learnerCookie {
			r.AddCookie(ck)
		}
	}
	r.AddCookie(&http.Cookie{Name: learnerCookie, Value: value})
	return id
}

// setLearnerCookie gives the browser the learner cookie for id, and
// returns its value.
func (s *Server) setLearnerCookie(c echo.Context, id string) string {
	value := id + "." + s.signLearner(id)
	c.SetCookie(&http.Cookie{
		Name: learnerCookie, Value: value, Path: "/",
		MaxAge: learnerMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(c.Request()),
	})
	return value
}

// forgetLearner clears the learner cookie.
func (s *Server) forgetLearner(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: learnerCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(c.Request())})
}

// validLearnerID reports whether id has the form of a learner id. The
// store owns the rule: a cookie accepted here names a learner it can keep.
func validLearnerID(id string) bool { return store.ValidLearnerID(id) }
