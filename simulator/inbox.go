package simulator

import "fmt"

// Idempotent consumers of OrderPlaced.
//
// The broker delivers at least once: a message whose acknowledgement does not
// arrive within the ack timeout (a slow consumer, an ack lost with the broker
// or the link) is delivered again, and the outbox's relay may publish a row
// twice (outbox.go). Each delivery a consumer of the orders topic finishes
// has a side effect: shipping books a courier, notifications sends an e-mail.
// Without an inbox every delivery does it again. With one, the consumer
// records the message's event id in an inbox table in the same local
// transaction as the side effect, and a delivery whose id is already there is
// acknowledged and dropped.
//
// The simulator also keeps, per group, the truth: which event ids have had
// their side effect at least once, so that the checks can count the
// duplicates a consumer without an inbox let through.

// inboxWindow is how many recent event ids an idSet remembers. A real inbox
// keeps rows for a retention period and deletes older ones; an id older than
// the window is treated as new, as a purged row would be.
const inboxWindow = 1 << 16

// idSet is a sliding window of event ids: a bitmap over [lo, lo+inboxWindow).
// Ids arrive roughly in order, so sliding forward clears few bits at a time.
type idSet struct {
	bits []uint64
	lo   uint64
}

func newIDSet() idSet { return idSet{bits: make([]uint64, inboxWindow/64), lo: 1} }

// add records id and reports whether it was already there.
func (x *idSet) add(id uint64) (had bool) {
	if id < x.lo {
		return false // older than the window: forgotten, so new again
	}
	if id >= x.lo+2*inboxWindow {
		// Far ahead of everything remembered: nothing in the window stays.
		clear(x.bits)
		x.lo = id - inboxWindow + 1
	}
	for id >= x.lo+inboxWindow {
		x.bits[(x.lo%inboxWindow)/64] &^= 1 << (x.lo % 64)
		x.lo++
	}
	w, b := &x.bits[(id%inboxWindow)/64], uint64(1)<<(id%64)
	had = *w&b != 0
	*w |= b
	return had
}

// clear forgets every id.
func (x *idSet) clear() {
	clear(x.bits)
	x.lo = 1
}

// effectTracked reports whether group gi consumes OrderPlaced, whose
// deliveries have a side effect the inbox can guard.
func effectTracked(gi int) bool { return groupDefs[gi].topic == topicOrders }

// sideEffect is what a finished delivery of event id does in group gi: the
// side effect, or with an inbox, nothing when the id was already handled.
func (s *Sim) sideEffect(gi int, id uint64) {
	g := &s.broker.groups[gi]
	if g.inbox && g.table.add(id) {
		g.dropped++
		if sec := int64(s.now/1e9) + 1; g.dropSec != sec {
			g.dropSec = sec
			s.logf("inbox", groupDefs[gi].name, "%s: event %d is already in its inbox: the duplicate is acknowledged and dropped",
				groupDefs[gi].name, id)
		}
		return
	}
	if g.seen.add(id) {
		g.again++
		if sec := int64(s.now/1e9) + 1; g.againSec != sec {
			g.againSec = sec
			s.logf("duplicate", groupDefs[gi].name, "%s: event %d processed again: %s", groupDefs[gi].name, id, effectText[gi])
		}
		return
	}
	g.handled++
}

// effectText is each tracked group's side effect done twice.
var effectText = [numGroups]string{
	groupShipping:      "a second courier is booked for the same order",
	groupNotifications: "the customer gets the same e-mail again",
}

func (s *Sim) planInbox(a *args) (func(), string, error) {
	gi := groupByName(a.Group)
	if gi < 0 || !effectTracked(gi) {
		return nil, "", fmt.Errorf("no inbox for consumer group %q (OrderPlaced's groups: shipping, notifications)", a.Group)
	}
	g := &s.broker.groups[gi]
	if g.inbox == *a.Enabled {
		return nil, "", fmt.Errorf("consumer group %s's inbox is already %s", a.Group, onOffWord(g.inbox))
	}
	on := *a.Enabled
	msg := "consumer group " + a.Group + " processes every delivery (no inbox)"
	if on {
		msg = "consumer group " + a.Group + " records each event id in an inbox and drops deliveries it has handled"
	}
	return func() {
		g.inbox = on
		if on {
			g.table.clear() // a new table knows nothing of earlier deliveries
		}
	}, msg, nil
}

func describeInbox(c *Command) string {
	if c.Enabled != nil && *c.Enabled {
		return "consumer group " + c.Group + " drops duplicates with an inbox"
	}
	return "consumer group " + c.Group + " without an inbox"
}
