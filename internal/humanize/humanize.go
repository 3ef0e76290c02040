// Package humanize says quantities the way a person would, for messages and
// pages. It does no I/O and imports nothing of this project.
package humanize

import (
	"strconv"
	"time"
)

// Duration says d to the nearest minute, hour or day: "1 minute",
// "10 minutes", "3 hours", "2 days". Anything under a minute and a half
// reads as "1 minute".
func Duration(d time.Duration) string {
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

// Truncate shortens what a client sent to at most n bytes, with an ellipsis,
// so an error message can quote it without quoting a megabyte.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Count writes n with the noun that fits it: "1 question", "3 questions",
// "0 questions".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
