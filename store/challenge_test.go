package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The best run is a pass before a miss, then the higher score, then the
// earlier; it survives a restart and is the learner's alone.
func TestChallengeBestsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "runs.db")
	db := mustOpenFile(t, path, c)
	for _, r := range []ChallengeRun{
		{Challenge: "slow-payment", Settings: "a", At: c.Advance(time.Second)},
		{Challenge: "slow-payment", Settings: "b", Pass: true, Score: 800, At: c.Advance(time.Second)},
		{Challenge: "slow-payment", Settings: "c", Pass: true, Score: 950, At: c.Advance(time.Second)},
		{Challenge: "slow-payment", Settings: "d", Pass: true, Score: 950, At: c.Advance(time.Second)},
		{Challenge: "noisy-client", Settings: "e", At: c.Advance(time.Second)},
	} {
		if err := db.SaveChallengeRun(ctx, learnerA, r); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = mustOpenFile(t, path, c)
	defer db.Close()
	best, err := db.ChallengeBests(ctx, learnerA)
	if err != nil {
		t.Fatal(err)
	}
	if b := best["slow-payment"]; b.Settings != "c" || b.Score != 950 || !b.Pass {
		t.Errorf("best of slow-payment = %+v, want the first 950", b)
	}
	if b := best["noisy-client"]; b.Settings != "e" || b.Pass {
		t.Errorf("best of noisy-client = %+v, want its one miss", b)
	}
	if last, ok, err := db.LastChallengeRun(ctx, learnerA, "slow-payment"); err != nil || !ok || last.Settings != "d" {
		t.Errorf("last run = %+v, %v, %v; want d", last, ok, err)
	}
	if other, _ := db.ChallengeBests(ctx, learnerB); len(other) != 0 {
		t.Errorf("learner B sees %d of A's bests", len(other))
	}
	for _, bad := range []ChallengeRun{
		{Challenge: "Slow Payment", At: c.Now()},
		{Challenge: "slow-payment", Score: 10, At: c.Now()}, // a miss scores 0
		{Challenge: "slow-payment", Pass: true, Score: 1001, At: c.Now()},
		{Challenge: "slow-payment", Settings: strings.Repeat("x", maxChallengeSettings+1), At: c.Now()},
	} {
		if err := db.SaveChallengeRun(ctx, learnerA, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("SaveChallengeRun(%.40v) = %v, want ErrInvalid", bad, err)
		}
	}
}
