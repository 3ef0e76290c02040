package web

import (
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/internal/humanize"
	"microlab/web/views"
)

// zoneCookie carries the browser's IANA time zone, set by js/app.js, so
// that due times read on the learner's clock and "today" ends at their
// night. Without it (no JavaScript) the pages use UTC and say so.
const zoneCookie = "tz"

// zones caches the time zones loaded from their names. Only names that
// load are kept, and those are the few hundred of the tz database, so the
// cache is bounded whatever clients send.
var zones sync.Map // name → *time.Location

// learnerZone is the request's time zone, UTC when unknown or invalid.
func learnerZone(c echo.Context) *time.Location {
	ck, err := c.Cookie(zoneCookie)
	if err != nil || len(ck.Value) > 100 {
		return time.UTC
	}
	name, err := url.QueryUnescape(ck.Value)
	if err != nil || name == "" || len(name) > 64 {
		return time.UTC
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '_' || r == '-' || r == '+') {
			return time.UTC
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, loc)
	return loc
}

// dayStart is when the learner's review day began: 4:00 on their clock,
// as in Anki, so a session past midnight still counts as the evening's.
func dayStart(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc).Add(-4 * time.Hour)
	return time.Date(l.Year(), l.Month(), l.Day(), 4, 0, 0, 0, loc)
}

// when says t for a learner in loc, relative to now.
func when(t, now time.Time, loc *time.Location) *views.When {
	return &views.When{At: t, Relative: relative(t, now), Local: t.In(loc).Format("Mon 2 Jan, 15:04 ") + zoneName(loc)}
}

func zoneName(loc *time.Location) string {
	if loc == time.UTC {
		return "UTC"
	}
	return loc.String()
}

// relative says how far t is from now: "now", "in 3 days", "2 hours ago".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d > -time.Minute && d < time.Minute:
		return "now"
	case d > 0:
		return "in " + humanize.Duration(d)
	}
	return humanize.Duration(-d) + " ago"
}
