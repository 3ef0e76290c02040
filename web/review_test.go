package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"microlab/quiz"
)

// racingStore holds every rater's read of the card until all of them have
// read it, then lets them go on a few milliseconds apart: the worst
// interleaving of concurrent ratings, made certain rather than left to the
// scheduler, and each at its own millisecond so that no rating is refused
// merely for sharing an instant with another.
type racingStore struct {
	LearnerStore
	raters  int
	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func (r *racingStore) Card(ctx context.Context, learnerID, cardID string) (quiz.Card, bool, error) {
	c, ok, err := r.LearnerStore.Card(ctx, learnerID, cardID)
	r.mu.Lock()
	k := r.arrived
	r.arrived++
	if r.arrived == r.raters {
		close(r.all)
	}
	r.mu.Unlock()
	<-r.all
	time.Sleep(time.Duration(k) * 3 * time.Millisecond)
	return c, ok, err
}

func TestConcurrentRatingsOfOneShownCardLetOnlyOneStand(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	le := newLearner(t, srv.URL)
	const raters = 12
	// A first rating makes the learner, so every racer below is the same one.
	first := mustDoc(t, wantStatus(t, le.get(t, "/review"), 200)).Find("[data-testid=flashcard]").AttrOr("data-card", "")
	wantStatus(t, le.submit(t, "/review", url.Values{"card": {first}, "rating": {"3"}, "shown_due": {"0"}}), http.StatusSeeOther)
	doc := mustDoc(t, wantStatus(t, le.get(t, "/review"), 200))
	card := doc.Find("[data-testid=flashcard]").AttrOr("data-card", "")
	shown := doc.Find("input[name=shown_due]").AttrOr("value", "")
	if card == "" || card == first {
		t.Fatalf("the second card due is %q, want another than %q", card, first)
	}

	ts.store = &racingStore{LearnerStore: ts.store, raters: raters, all: make(chan struct{})}
	form := url.Values{"card": {card}, "rating": {"3"}, "shown_due": {shown}, csrfField: {le.token(t)}}.Encode()
	statuses := make([]int, raters)
	var wg sync.WaitGroup
	for i := range raters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/review", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", srv.URL)
			res, err := le.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[http.StatusSeeOther] != 1 || count[http.StatusConflict] != raters-1 {
		t.Errorf("statuses of %d concurrent ratings of one shown card = %v, want one 303 and %d 409", raters, count, raters-1)
	}
	got, _, err := ts.db.Card(t.Context(), le.id(), card)
	if err != nil || got.Reps != 1 {
		t.Errorf("the card has %d reps (err %v), want 1", got.Reps, err)
	}
}
