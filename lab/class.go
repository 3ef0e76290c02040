package lab

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Class mode: the owner (a teacher) turns it on, and each viewer (a
// student) votes for the prediction they make, while the run waits; the
// owner sees the tally live before predicting, which starts the run. The
// owner may hand control to one viewer and take it back. What a class
// viewer is told goes in a "class" message (PROTOCOL.md), sent when it
// changes: the owner's carries the tally and the viewers' numbers.

// classState is a lab's class, owned by the lab's goroutine.
type classState struct {
	on         bool
	controller *Viewer // the viewer handed control, or nil
	dirty      bool    // the class message is due at the next tick
}

// classOn turns class mode on or off; off also takes control back.
func (l *Lab) classOn(m *message) []byte {
	if l.source != nil {
		return fail(m, "invalid", "A replay has no class.")
	}
	l.class.on = m.on
	if !m.on {
		l.setController(nil)
	}
	l.class.dirty = true
	if m.on {
		return l.ack(m, "class mode on: viewers' predictions are tallied")
	}
	return l.ack(m, "class mode off")
}

// vote is a viewer's prediction, counted in the class's tally until the
// owner predicts and the run starts.
func (l *Lab) vote(m *message) []byte {
	switch {
	case !l.class.on:
		return fail(m, "invalid", "Class mode is off: your prediction stays with you.")
	case l.sc == nil:
		return fail(m, "invalid", "There is no prediction to make in free play.")
	case l.prediction >= 0:
		return fail(m, "closed", "The run has started: the class's vote is closed.")
	case m.option < 0 || m.option >= len(l.sc.Question.Options):
		return fail(m, "invalid", "option %d out of range 0..%d", m.option, len(l.sc.Question.Options)-1)
	case m.from == nil || m.from.owner:
		return fail(m, "invalid", "The owner predicts with \"predict\"; votes are the viewers'.")
	}
	m.from.vote = m.option
	l.class.dirty = true
	return l.ack(m, fmt.Sprintf("your vote for %c is counted", 'A'+m.option))
}

// hand gives control to the viewer numbered m.viewer.
func (l *Lab) hand(m *message) []byte {
	if !l.class.on {
		return fail(m, "invalid", "Turn class mode on to hand control to a viewer.")
	}
	for v := range l.viewers {
		if v.num == m.viewer && !v.owner {
			l.setController(v)
			return l.ack(m, fmt.Sprintf("viewer %d has control", v.num))
		}
	}
	return fail(m, "not-found", "No viewer %d is watching.", m.viewer)
}

// takeBack takes control back from the viewer who has it.
func (l *Lab) takeBack(m *message) []byte {
	if l.class.controller == nil {
		return fail(m, "invalid", "No viewer has control.")
	}
	l.setController(nil)
	return l.ack(m, "control is yours again")
}

func (l *Lab) setController(v *Viewer) {
	if old := l.class.controller; old != nil {
		old.controlling.Store(false)
	}
	l.class.controller = v
	if v != nil {
		v.controlling.Store(true)
	}
	l.class.dirty = true
}

// leaveClass forgets a viewer who left: their vote, and control if they
// had it.
func (l *Lab) leaveClass(v *Viewer) {
	if l.class.controller == v {
		l.setController(nil)
	}
	if l.class.on {
		l.class.dirty = true
	}
}

// classMessage is what one viewer is told of the class: whether it is on
// and who has control; the owner's also the viewers and the tally.
func (l *Lab) classMessage(owner bool) *Frame {
	type tally struct {
		Viewers []int `json:"viewers"` // the watching viewers' numbers
		Voted   int   `json:"voted"`
		Votes   []int `json:"votes"` // per option
	}
	msg := struct {
		Type       string `json:"type"`
		On         bool   `json:"on"`
		Controller int    `json:"controller"` // a viewer's number, 0 for the owner
		*tally     `json:",omitempty"`
	}{Type: "class", On: l.class.on}
	if c := l.class.controller; c != nil {
		msg.Controller = c.num
	}
	if owner {
		t := &tally{Viewers: []int{}}
		if l.sc != nil {
			t.Votes = make([]int, len(l.sc.Question.Options))
		}
		for v := range l.viewers {
			if v.owner {
				continue
			}
			t.Viewers = append(t.Viewers, v.num)
			if v.vote >= 0 && v.vote < len(t.Votes) {
				t.Votes[v.vote]++
				t.Voted++
			}
		}
		slices.Sort(t.Viewers)
		msg.tally = t
	}
	b, _ := json.Marshal(msg)
	return newFrame(b)
}

// sendClass tells every viewer the class as it is now, once it changed.
// The owners' message is built once and shared, as is the viewers'.
func (l *Lab) sendClass() {
	if !l.class.dirty {
		return
	}
	l.class.dirty = false
	var forOwner, forViewer *Frame
	for v := range l.viewers {
		msg := &forViewer
		if v.owner {
			msg = &forOwner
		}
		if *msg == nil {
			*msg = l.classMessage(v.owner)
		}
		select {
		case v.out <- *msg:
		default:
			l.class.dirty = true // a full queue: try again next tick
		}
	}
}
