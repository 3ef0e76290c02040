package web

import (
	"strconv"
	"time"
)

// Text a person reads in a message or on a page, rather than Go's own
// formatting: "3 days", not "72h0m0s".

// humanDuration says a duration the way a person would, to the nearest
// minute, hour or day.
func humanDuration(d time.Duration) string {
	n, unit := 0, ""
	switch {
	case d < time.Hour:
		n, unit = max(1, int(d.Round(time.Minute).Minutes())), "minute"
	case d < 24*time.Hour:
		n, unit = int(d.Round(time.Hour).Hours()), "hour"
	default:
		n, unit = int((d+12*time.Hour)/(24*time.Hour)), "day"
	}
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
