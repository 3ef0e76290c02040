package web

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"microlab/internal/humanize"
	"microlab/internal/window"
	"microlab/store"
	"microlab/web/views"
)

// Linking devices: a learner carries their progress to another browser
// with a one-time code, and that browser gets a learner cookie for the
// same id. So that one browser can be signed out without the others, each
// is a device with an id of its own, in a second cookie:
//
//	microlab_device = <device id> "." MAC("device:" <learner id> "." <device id>)
//
// The MAC binds the device to the learner, so a device cookie is worth
// nothing beside another learner's cookie. The learner cookie itself is
// unchanged, and old browsers, which carry it alone, keep working: a
// learner cookie without a device cookie passes until its learner
// registers a device, which happens when they first make a code (the
// browser making it is registered and given its device cookie then).
// From then on, every browser of theirs must name a device that is still
// signed in; checkDevice makes sure of it on every request.
const (
	deviceCookie = "microlab_device"
	// Entering codes is bounded per client address: 10 tries in 10
	// minutes make guessing a live code (40 bits) hopeless, and leave room
	// for typos.
	linkAttempts     = 10
	linkAttemptsPer  = 10 * time.Minute
	linkAttemptsKeys = 10000
)

// deviceLinks serves the devices pages and checks every request's device.
// It holds the limit on entering codes, which is why it is a value of its
// own rather than more fields of Server.
type deviceLinks struct {
	s        *Server
	attempts *window.Limit
}

func (s *Server) newDeviceLinks() *deviceLinks {
	return &deviceLinks{s: s, attempts: window.New(linkAttempts, linkAttemptsPer, linkAttemptsKeys)}
}

func (d *deviceLinks) sign(learner, device string) string {
	return d.s.sign("device", learner+"."+device)
}

// deviceOf is the device the request's device cookie names for learner,
// or "" when it names none; stray is true for a cookie that is there but
// not valid beside this learner cookie (forged, or left from a learner
// this browser no longer is).
func (d *deviceLinks) deviceOf(c echo.Context, learner string) (id string, stray bool) {
	ck, err := c.Cookie(deviceCookie)
	if err != nil {
		return "", false
	}
	id, sig, ok := strings.Cut(ck.Value, ".")
	if learner == "" || len(ck.Value) > 128 || !ok || !store.ValidDeviceID(id) ||
		!hmac.Equal([]byte(sig), []byte(d.sign(learner, id))) {
		return "", true
	}
	return id, false
}

// checkDevice runs on every request but those for static files: when the
// request carries a learner cookie, its device must still be signed in
// (store.DeviceSignedIn: one primary-key read, and a write at most once an
// hour a device to note it was seen). A browser signed out, or of a
// learner who deleted their data, loses both cookies at once and is a new
// visitor for the handler. If the check cannot be made the request fails
// rather than go on either way: on as the learner would let a signed-out
// browser through, on as a new visitor would give a signed-in one a new
// learner at its next write.
func (d *deviceLinks) checkDevice(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/diagrams/") {
			return next(c)
		}
		learner := d.s.learnerID(c)
		device, stray := d.deviceOf(c, learner)
		if stray {
			d.setDeviceCookie(c, "", "")
			dropCookies(c.Request(), deviceCookie)
		}
		if learner == "" {
			return next(c)
		}
		ok, err := d.s.store.DeviceSignedIn(c.Request().Context(), learner, device)
		if err != nil {
			return fmt.Errorf("web: check the device of a learner: %w", err)
		}
		if !ok {
			d.forgetBrowser(c)
		}
		return next(c)
	}
}

// forgetBrowser makes the browser a new visitor: both cookies go, from the
// response and from the request the handler reads.
func (d *deviceLinks) forgetBrowser(c echo.Context) {
	d.s.forgetLearner(c)
	d.setDeviceCookie(c, "", "")
	dropCookies(c.Request(), learnerCookie, deviceCookie)
}

// dropCookies removes the named cookies from r, so later reads in this
// request do not see them.
func dropCookies(r *http.Request, names ...string) {
	old := r.Cookies()
	r.Header.Del("Cookie")
	for _, ck := range old {
		keep := true
		for _, n := range names {
			keep = keep && ck.Name != n
		}
		if keep {
			r.AddCookie(ck)
		}
	}
}

// setDeviceCookie gives the browser its device cookie, with the learner
// cookie's attributes; an empty device clears it.
func (d *deviceLinks) setDeviceCookie(c echo.Context, learner, device string) {
	ck := &http.Cookie{Name: deviceCookie, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: d.s.secureCookies(c.Request())}
	if device == "" {
		ck.MaxAge = -1
	} else {
		ck.Value, ck.MaxAge = device+"."+d.sign(learner, device), learnerMaxAge
	}
	c.SetCookie(ck)
}

// deviceFlashes are the outcomes the devices page can report after a
// redirect, keyed by a fixed word so nothing from the URL is echoed.
var deviceFlashes = map[string]string{
	"linked":     "This browser now carries your progress.",
	"already":    "This browser already carries that progress; nothing changed.",
	"signed-out": "The device is signed out: on its next visit it is a new visitor, with none of your progress.",
	"self":       "This browser is signed out: it is a new visitor now, with no progress.",
}

// page serves /devices.
func (d *deviceLinks) page(c echo.Context) error {
	learner := d.s.learnerID(c)
	current, _ := d.deviceOf(c, learner)
	v, err := d.view(c, learner, current)
	if err != nil {
		return err
	}
	done := c.QueryParam("done")
	v.Flash, v.Linked = deviceFlashes[done], done == "linked"
	return d.render(c, http.StatusOK, v)
}

func (d *deviceLinks) view(c echo.Context, learner, current string) (views.Devices, error) {
	v := views.Devices{CSRF: csrfToken(c), Now: d.s.now(), CodeMinutes: int(store.LinkCodeLife / time.Minute)}
	if learner == "" {
		return v, nil
	}
	list, err := d.s.store.Devices(c.Request().Context(), learner)
	if err != nil {
		return v, err
	}
	for _, dev := range list {
		v.Devices = append(v.Devices, views.Device{ID: dev.ID, Label: dev.Label, Created: dev.Created, Seen: dev.Seen, Current: dev.ID == current})
	}
	return v, nil
}

func (d *deviceLinks) render(c echo.Context, status int, v views.Devices) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return d.s.render(c, status, views.DevicesPage(d.s.frame(c, "Your devices", "Carry your progress to another browser with a one-time code."), v))
}

// createCode handles POST /devices/code: a new code, shown once (only its
// hash is kept, so it cannot be shown again), with its QR code. The
// browser asking becomes a device of the learner if it is not one yet.
func (d *deviceLinks) createCode(c echo.Context) error {
	learner := d.s.ensureLearner(c)
	device, _ := d.deviceOf(c, learner)
	fresh := device == ""
	if fresh {
		device = randomHex(learnerIDLen / 2)
	}
	code, err := d.s.store.CreateLinkCode(c.Request().Context(), learner, store.NewDevice{ID: device, Label: deviceLabel(c.Request().UserAgent())})
	var full *store.FullError
	if errors.As(err, &full) {
		current, _ := d.deviceOf(c, learner)
		v, verr := d.view(c, learner, current)
		if verr != nil {
			return verr
		}
		v.Problem = fmt.Sprintf("You already have %d codes waiting, the most at once: use one, or wait until they expire (%s at most).",
			full.Max, humanize.Duration(store.LinkCodeLife))
		if full.What == store.FullDevices {
			v.Problem = fmt.Sprintf("%d devices already carry your progress, the most one learner may link. Sign one out below to link another.", full.Max)
		}
		return d.render(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	if fresh {
		d.setDeviceCookie(c, learner, device)
	}
	linkPage := d.s.publicURL(c, "/devices/link")
	target := linkPage + "?code=" + code.Code
	qr, err := qrDataURI(target)
	if err != nil {
		return err
	}
	v, err := d.view(c, learner, device)
	if err != nil {
		return err
	}
	v.Code = &views.LinkCode{Code: code.Code, Minutes: v.CodeMinutes, Expires: code.Expires, URL: target, LinkPage: linkPage, QR: qr}
	return d.render(c, http.StatusOK, v)
}

// qrDataURI draws text as a QR code, a PNG in a data: URI (the policy's
// img-src allows data:).
func qrDataURI(text string) (string, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		return "", fmt.Errorf("web: draw the QR code of %q: %w", text, err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}

// linkForm serves /devices/link, where a second browser enters a code;
// the QR code's address fills it in.
func (d *deviceLinks) linkForm(c echo.Context) error {
	v := views.LinkForm{CSRF: csrfToken(c)}
	if code, ok := store.NormalizeLinkCode(c.QueryParam("code")); ok {
		v.Code = store.FormatLinkCode(code)
	}
	var err error
	if v.OwnProgress, err = d.ownProgress(c); err != nil {
		return err
	}
	return d.renderLink(c, http.StatusOK, v)
}

// ownProgress reports whether the browser has a learner with progress of
// its own, which linking would replace.
func (d *deviceLinks) ownProgress(c echo.Context) (bool, error) {
	learner := d.s.learnerID(c)
	if learner == "" {
		return false, nil
	}
	return d.s.store.LearnerHasProgress(c.Request().Context(), learner)
}

func (d *deviceLinks) renderLink(c echo.Context, status int, v views.LinkForm) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return d.s.render(c, status, views.LinkPage(d.s.frame(c, "Link this browser", "Enter a one-time code to carry your progress to this browser."), v))
}

// link handles POST /devices/link: the browser entering a valid code
// becomes a device of the code's learner.
func (d *deviceLinks) link(c echo.Context) error {
	raw := c.FormValue("code")
	v := views.LinkForm{CSRF: csrfToken(c), Code: humanize.Truncate(strings.TrimSpace(raw), 20)}
	var err error
	if v.OwnProgress, err = d.ownProgress(c); err != nil {
		return err
	}
	if v.OwnProgress && c.FormValue("replace") != "yes" {
		// No code was looked at, so this costs no attempt.
		v.Problem = "This browser has progress of its own. Tick “Replace this browser’s own progress” to link it anyway, or export it first."
		return d.renderLink(c, http.StatusBadRequest, v)
	}
	if !d.attempts.Allow(clientKey(c), time.Now()) {
		return errorf(http.StatusTooManyRequests, "Your network has tried %d link codes in the last %s, the most one address may. Wait %s and try again; nothing was changed.",
			linkAttempts, humanize.Duration(linkAttemptsPer), humanize.Duration(linkAttemptsPer))
	}
	from := d.s.learnerID(c)
	fromDevice, _ := d.deviceOf(c, from)
	device := randomHex(learnerIDLen / 2)
	learner, err := d.s.store.RedeemLinkCode(c.Request().Context(), raw, store.Joining{
		Device:      store.NewDevice{ID: device, Label: deviceLabel(c.Request().UserAgent())},
		FromLearner: from, FromDevice: fromDevice,
	})
	var full *store.FullError
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Problem = fmt.Sprintf("That code does not work: it may be mistyped, used already or more than %s old. Check it, or make a new one on the other device.", humanize.Duration(store.LinkCodeLife))
		return d.renderLink(c, http.StatusBadRequest, v)
	case errors.As(err, &full):
		v.Problem = fmt.Sprintf("%d devices already carry that progress, the most one learner may link. Sign one out on the other device’s Devices page, then enter the code again: it works until it expires.", full.Max)
		return d.renderLink(c, http.StatusConflict, v)
	case err != nil:
		return err
	}
	if learner == from {
		return c.Redirect(http.StatusSeeOther, "/devices?done=already")
	}
	d.s.setLearnerCookie(c, learner)
	d.setDeviceCookie(c, learner, device)
	return c.Redirect(http.StatusSeeOther, "/devices?done=linked")
}

// signOut handles POST /devices/sign-out: one of the learner's devices is
// signed out; when it is this browser, this browser is a new visitor.
func (d *deviceLinks) signOut(c echo.Context) error {
	learner := d.s.learnerID(c)
	id := c.FormValue("device")
	if learner == "" {
		return c.Redirect(http.StatusSeeOther, "/devices")
	}
	if !store.ValidDeviceID(id) {
		return errorf(http.StatusBadRequest, "That is not one of your devices.")
	}
	// Signed out already (a second click) is as good as signed out now.
	if err := d.s.store.SignOutDevice(c.Request().Context(), learner, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if current, _ := d.deviceOf(c, learner); id == current {
		d.forgetBrowser(c)
		return c.Redirect(http.StatusSeeOther, "/devices?done=self")
	}
	return c.Redirect(http.StatusSeeOther, "/devices?done=signed-out")
}

// deviceLabel names a browser from its User-Agent, in a few plain words
// from a fixed list ("Firefox on Android"), never in the client's own.
func deviceLabel(ua string) string {
	has := func(parts ...string) bool {
		for _, p := range parts {
			if strings.Contains(ua, p) {
				return true
			}
		}
		return false
	}
	browser := ""
	switch {
	case has("Edg/", "EdgA/", "EdgiOS/"):
		browser = "Edge"
	case has("OPR/", "Opera"):
		browser = "Opera"
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Firefox/", "FxiOS/"):
		browser = "Firefox"
	case has("Chrome/", "CriOS/", "Chromium/"):
		browser = "Chrome"
	case has("Safari/"):
		browser = "Safari"
	}
	system := ""
	switch {
	case has("iPhone"):
		system = "iPhone"
	case has("iPad"):
		system = "iPad"
	case has("Android"):
		system = "Android"
	case has("CrOS"):
		system = "ChromeOS"
	case has("Windows"):
		system = "Windows"
	case has("Macintosh", "Mac OS X"):
		system = "macOS"
	case has("Linux"):
		system = "Linux"
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "A browser on " + system
	}
	return "Unknown browser"
}
