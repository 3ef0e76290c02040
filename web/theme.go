package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/internal/humanize"
)

// The theme is a cookie set by a plain form post, so the toggle works
// without JavaScript: "light", "dark", or absent to follow the system.
const themeCookie = "microlab_theme"

func themeOf(c echo.Context) string {
	ck, err := c.Cookie(themeCookie)
	if err != nil {
		return ""
	}
	switch ck.Value {
	case "light", "dark":
		return ck.Value
	}
	return ""
}

// setTheme handles POST /theme: theme=light|dark|system, return=/a/local/path.
func (s *Server) setTheme(c echo.Context) error {
	theme := c.FormValue("theme")
	ck := &http.Cookie{Name: themeCookie, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(c.Request())}
	switch theme {
	case "light", "dark":
		ck.Value = theme
		ck.Expires = time.Now().AddDate(1, 0, 0)
	case "system":
		ck.MaxAge = -1
	default:
		return errorf(http.StatusBadRequest, "Unknown theme %q: choose light, dark or system.", humanize.Truncate(theme, 20))
	}
	c.SetCookie(ck)
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("return")))
}

// localPath returns p when it is a plain path on this site, and "/"
// otherwise, so a form's return address can never send someone elsewhere.
func localPath(p string) string {
	if !isLocalPath(p) {
		return "/"
	}
	return p
}

// isLocalPath accepts one leading slash followed by printable ASCII with no
// "//" and no backslash. Browsers drop tabs and newlines inside a URL and
// read a backslash as a slash, so "/\t/evil.example" and "/\evil.example"
// both mean //evil.example, another site; and a path that starts with a
// single slash can carry no scheme or host.
func isLocalPath(p string) bool {
	if len(p) == 0 || len(p) > 512 || p[0] != '/' || strings.Contains(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if b := p[i]; b <= ' ' || b >= 0x7f || b == '\\' {
			return false
		}
	}
	return true
}
