package humanize

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "1 minute"},
		{300 * time.Millisecond, "1 minute"},
		{90 * time.Second, "2 minutes"},
		{10 * time.Minute, "10 minutes"},
		{59 * time.Minute, "59 minutes"},
		{time.Hour, "1 hour"},
		{90 * time.Minute, "2 hours"},
		{23 * time.Hour, "23 hours"},
		{24 * time.Hour, "1 day"},
		{36 * time.Hour, "2 days"},
		{21 * 24 * time.Hour, "21 days"},
	} {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"short", 10, "short"}, {"exactly", 7, "exactly"}, {"a longer text", 6, "a long…"}, {"", 3, ""}} {
		if got := Truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 questions"}, {1, "1 question"}, {2, "2 questions"}, {20, "20 questions"}} {
		if got := Count(c.n, "question", "questions"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
