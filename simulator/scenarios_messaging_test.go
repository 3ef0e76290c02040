package simulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

// quietLab plays sc's timeline on the quiet shop (no load, no randomness in
// service times) with one OrderPlaced committed every 100 ms, at 0.05,
// 0.15 … s, and calls at[t] at each of the given times, in order.
func quietLab(t *testing.T, sc Scenario, until time.Duration, at map[time.Duration]func(s *Sim)) *Sim {
	t.Helper()
	s := MustNew(quietConfig())
	type item struct {
		t    time.Duration
		kind int // 0 a step, 1 a publish, 2 a look
		step int
	}
	var items []item
	for i, st := range sc.Timeline {
		items = append(items, item{st.At, 0, i})
	}
	for p := 50 * time.Millisecond; p <= until; p += 100 * time.Millisecond {
		items = append(items, item{p, 1, 0})
	}
	for lt := range at {
		items = append(items, item{lt, 2, 0})
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.t != b.t {
			return int(a.t - b.t)
		}
		return a.kind - b.kind
	})
	for _, it := range items {
		switch it.kind {
		case 0:
			must(t, s.Apply(it.t, sc.Timeline[it.step].Command))
		case 1:
			s.RunUntil(it.t)
			s.publish(topicOrders, -1, 0, 0)
		case 2:
			s.RunUntil(it.t)
			at[it.t](s)
		}
	}
	s.RunUntil(until)
	return s
}

// The outbox lab's timeline, worked by hand on the quiet shop with an order
// every 100 ms:
//
//   - To 10 s, 100 events are published and handled (shipping takes 15 ms).
//   - 10–20 s, a dual write with the broker down: the 100 events committed at
//     10.05 … 19.95 s are lost; by 25 s the 50 of 20.05 … 24.95 s are handled.
//   - From 25 s, rows; the relay polls at 26, 27 … s, each poll publishing the
//     previous second's 10 rows, confirmed 20 ms later.
//   - The 35 s poll publishes the rows of 34.05 … 34.95 s; the broker falls at
//     35.01 s, so their confirmation never comes. Shipping got three of them
//     at once and finished them at 35.015 s, too late to acknowledge: booked,
//     and redelivered when the broker is back. The other seven wait in it.
//   - The polls at 36 … 45 s fail (the 45 s poll comes before the broker-up
//     command at the same instant): 10 failed polls, 110 rows unsent at 45 s.
//   - Shipping has handled 243 events by 45 s: 150 dual-written, the 90 rows
//     relayed by the 34 s poll and those three. At 45 s the broker hands the
//     three out again (processed a second time at 45.015 s), then the seven
//     others (handled by 45.06 s).
//   - The 46 s poll finds 120 rows and publishes 100: the 10 unconfirmed ones
//     again, and 35.05 … 43.95 s. The oldest, committed at 34.05 s, is
//     confirmed at 46.02 s: 11.97 s late. The 47 s poll publishes the other 30.
//   - At 50.5 s: 505 events, 100 lost; 255 rows written and 250 relayed (those
//     of 50.05 … 50.45 s wait for the 51 s poll); shipping has handled the 150
//     dual-written events and the 250 relayed ones, and processed 13 a second
//     time (3 redelivered, 10 republished).
func TestOutboxLabTimelineByHand(t *testing.T) {
	sc, _ := ScenarioBySlug("outbox-broker-outage")
	type want struct {
		events, lost, handled, again uint64
		unsent                       int
	}
	look := func(at time.Duration, w want) func(s *Sim) {
		return func(s *Sim) {
			b := &s.broker
			g := &b.groups[groupShipping]
			if got := (want{b.events, b.lost, g.handled, g.again, b.outbox.n}); got != w {
				t.Errorf("at %v: got %+v, want %+v", at, got, w)
			}
		}
	}
	looks := map[time.Duration]func(*Sim){
		sec(10):   look(sec(10), want{100, 0, 100, 0, 0}),
		sec(20):   look(sec(20), want{200, 100, 100, 0, 0}),
		sec(25):   look(sec(25), want{250, 100, 150, 0, 0}),
		sec(34.9): look(sec(34.9), want{349, 100, 240, 0, 9}),
		sec(45):   look(sec(45), want{450, 100, 243, 0, 110}),
		sec(45.1): look(sec(45.1), want{451, 100, 250, 3, 111}),
		sec(50.5): look(sec(50.5), want{505, 100, 400, 13, 5}),
	}
	s := quietLab(t, sc, sec(50.5), looks)
	o := &s.broker.outbox
	if o.written != 255 || o.relayed != 250 || o.republished != 10 || o.lostConfirm != 1 || o.failedPolls != 10 {
		t.Errorf("outbox: written %d, relayed %d, republished %d, lost confirmations %d, failed polls %d; want 255 250 10 1 10",
			o.written, o.relayed, o.republished, o.lostConfirm, o.failedPolls)
	}
	if o.maxDelay != 11970*time.Millisecond {
		t.Errorf("longest delay %v, want 11.97s", o.maxDelay)
	}
}

// The duplicate lab's timeline, worked by hand on the quiet shop with an
// order every 100 ms. At 10 s shipping slows to 2.515 s a message (the
// extra is read when a message is delivered):
//
//   - A (10.05 s), B (10.15) and C (10.25) go to the three consumers and end
//     at 12.565, 12.665 and 12.765 s; later messages wait. Their ack timeouts
//     (12.05, 12.15, 12.25 s) put them up for redelivery: 3 redeliveries.
//   - Each consumer, done (handled: 103), takes its own message's second
//     delivery, still slow: A2, B2, C2 end at 15.08, 15.18, 15.28 s. They
//     time out at 14.565 … 14.765 s (6 redeliveries) and, when done, book a
//     second time and take A3, B3, C3, which end at 17.595 … 17.795 s: at
//     16 s, 3 processed again.
//   - A3, B3, C3 time out at 17.08 … 17.28 s (9 redeliveries). Done, each
//     books a third time and takes its last copy, now fast (15 ms), which is
//     acknowledged: 9 processed again, and the backlog drains by 20 s.
//
// The second slowdown, 30–36 s, has the same shape 20 s later; with the
// inbox (from 25 s) the 9 repeats are dropped instead of booked.
func TestDuplicateLabTimelineByHand(t *testing.T) {
	sc, _ := ScenarioBySlug("duplicate-delivery")
	type want struct{ events, handled, again, dropped, redeliv uint64 }
	look := func(at time.Duration, w want) func(s *Sim) {
		return func(s *Sim) {
			g := &s.broker.groups[groupShipping]
			if got := (want{s.broker.events, g.handled, g.again, g.dropped, g.redeliv}); got != w {
				t.Errorf("at %v: got %+v, want %+v", at, got, w)
			}
		}
	}
	looks := map[time.Duration]func(*Sim){
		sec(10):   look(sec(10), want{100, 100, 0, 0, 0}),
		sec(12.5): look(sec(12.5), want{125, 100, 0, 0, 3}),
		sec(13):   look(sec(13), want{130, 103, 0, 0, 3}),
		sec(16):   look(sec(16), want{160, 103, 3, 0, 6}),
		sec(20):   look(sec(20), want{200, 200, 9, 0, 9}),
		sec(33):   look(sec(33), want{330, 303, 9, 0, 12}),
		sec(36):   look(sec(36), want{360, 303, 9, 3, 15}),
		sec(40):   look(sec(40), want{400, 400, 9, 9, 18}),
	}
	s := quietLab(t, sc, sec(45), looks)
	if g := &s.broker.groups[groupShipping]; g.acked != 450 || g.dead != 0 || s.lag(groupShipping) != 0 {
		t.Errorf("at 45 s: acked %d, dead-lettered %d, lag %d; want 450 0 0", g.acked, g.dead, s.lag(groupShipping))
	}
}

// Played for longer than their duration, up to ten minutes, every check of
// the messaging labs holds as nobody plays it, and the tries still fail.
func TestMessagingLabsHoldForLongerRuns(t *testing.T) {
	for _, slug := range []string{"outbox-broker-outage", "duplicate-delivery"} {
		sc, _ := ScenarioBySlug(slug)
		for _, d := range []time.Duration{sc.Duration, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute} {
			for seed := uint64(1); seed <= 2; seed++ {
				t.Run(fmt.Sprintf("%s for %v seed %d", slug, d, seed), func(t *testing.T) {
					res := RunScenario(sc, seed, d)
					for _, v := range res.Checks {
						if v.Pass == v.Yours {
							t.Errorf("%s (yours: %v): pass %v: %s", v.Name, v.Yours, v.Pass, v.Detail)
						}
					}
				})
			}
		}
	}
}

// The same seed gives the same run, event for event and figure for figure;
// another seed gives another.
func TestMessagingLabsAreDeterministic(t *testing.T) {
	for _, slug := range []string{"outbox-broker-outage", "duplicate-delivery"} {
		sc, _ := ScenarioBySlug(slug)
		run := func(seed uint64) []byte {
			res := RunScenario(sc, seed, 0)
			b, err := json.Marshal(struct {
				E []Event
				C []Verdict
				S Snapshot
			}{res.Events, res.Checks, res.Snapshot})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		a, again := run(3), run(3)
		if string(a) != string(again) {
			t.Errorf("%s: two runs with seed 3 differ", slug)
		}
		if string(a) == string(run(4)) {
			t.Errorf("%s: seeds 3 and 4 gave the same run", slug)
		}
	}
}
