package simulator

import (
	"fmt"
	"strings"
	"time"
)

// Topics. "orders" carries OrderPlaced events; the saga.* topics carry the
// choreographed saga: its step events, one topic per participant, and the
// participants' replies to orders on saga.replies.
const (
	topicOrders = iota
	topicSagaInventory
	topicSagaPayment
	topicSagaShipping
	topicSagaReplies
	numTopics
)

var topicNames = [numTopics]string{"orders", "saga.inventory", "saga.payment", "saga.shipping", "saga.replies"}

// Consumer groups.
const (
	groupShipping = iota
	groupNotifications
	groupInventorySaga
	groupPaymentSaga
	groupShippingSaga
	groupOrdersSaga
	numGroups
)

const maxGroupsPerTopic = 2

// groupDefs: name, topic, service whose instances consume (-1: a standalone consumer).
var groupDefs = [numGroups]struct {
	name    string
	topic   int
	service int
}{
	{"shipping", topicOrders, svcShipping},
	{"notifications", topicOrders, -1},
	{"inventory-saga", topicSagaInventory, svcInventory},
	{"payment-saga", topicSagaPayment, svcPayment},
	{"shipping-saga", topicSagaShipping, svcShipping},
	{"orders-saga", topicSagaReplies, svcOrders},
}

// Per-group message states.
const (
	msgNew uint8 = iota
	msgInflight
	msgRedo
	msgAcked
	msgDead
)

// msg is one message in a topic's ring.
type msg struct {
	off    uint64
	id     uint64 // on orders: the OrderPlaced event's id, the same in every copy of it
	saga   int32
	tok    uint32 // the saga step attempt the message belongs to (see saga.tok)
	step   uint8
	res    uint8 // on saga.replies: the participant's result
	st     [maxGroupsPerTopic]uint8
	cnt    [maxGroupsPerTopic]uint8
	serial [maxGroupsPerTopic]uint32
}

type payload struct {
	id   uint64
	saga int32
	tok  uint32
	step uint8
	res  uint8
}

type topic struct {
	ring      []msg
	head      uint64 // next offset
	groups    []int
	buffer    []payload // held in the publisher's memory while the broker is down
	published uint64
	failed    uint64
	buffered  uint64
}

type consumer struct {
	busy   bool
	off    uint64
	serial uint32
	gen    uint32
	inc    uint32
}

type group struct {
	slot     int // index of the group within its topic
	median   time.Duration
	extra    time.Duration
	fixed    int // consumers of a standalone group
	cons     [MaxInstances]consumer
	next     uint64
	redo     []uint64
	rhead    int
	rlen     int
	logSec   int64
	acked    uint64
	dead     uint64
	lost     uint64
	redeliv  uint64
	deliv    uint64
	dups     uint64
	maxLag   uint64
	prevLag  uint64
	lagAlarm bool

	// For the groups of OrderPlaced (see inbox.go): whether the consumer
	// keeps an inbox, its table, and the truth of which events it has
	// handled; deliveries handled for the first time, again (a duplicate
	// side effect), and dropped by the inbox.
	inbox    bool
	table    idSet
	seen     idSet
	handled  uint64
	again    uint64
	dropped  uint64
	againSec int64
	dropSec  int64
}

// broker is an at-least-once message broker with topics and consumer groups.
type broker struct {
	up      bool
	cfg     BrokerConfig
	topics  [numTopics]topic
	groups  [numGroups]group
	serial  uint32
	deadTop uint64 // messages moved to the dead-letter topic
	// events counts the OrderPlaced events orders has committed; each takes
	// the next id.
	events  uint64
	lost    uint64 // OrderPlaced events lost by a failed dual write
	lostSec int64
	outbox  outbox
}

func (s *Sim) initBroker() {
	b := &s.broker
	b.up, b.cfg = true, s.cfg.Broker
	for t := range b.topics {
		b.topics[t].ring = make([]msg, b.cfg.Retention)
	}
	for gi, d := range groupDefs {
		g := &b.groups[gi]
		tp := &b.topics[d.topic]
		g.slot = len(tp.groups)
		tp.groups = append(tp.groups, gi)
		g.redo = make([]uint64, b.cfg.Retention)
		if effectTracked(gi) {
			g.seen, g.table = newIDSet(), newIDSet()
		}
		switch {
		case gi == groupShipping:
			g.median = b.cfg.ShippingMedian
		case gi == groupNotifications:
			g.median, g.fixed = b.cfg.NotificationsMedian, b.cfg.NotificationsConsumers
		case gi == groupOrdersSaga:
			// Applying a reply to a saga is bookkeeping: no service time of its own.
		default:
			g.median = s.cfg.Services[d.service].Median
		}
	}
	b.outbox.cfg = b.cfg.Outbox
	if b.outbox.cfg.Enabled {
		s.setOutbox(true, b.outbox.cfg.Poll)
	}
	s.initSagas()
}

func groupByName(name string) int {
	for i, d := range groupDefs {
		if d.name == name {
			return i
		}
	}
	return -1
}

// publish appends a message to topic t for orders, the only publisher. It reports
// false when the message was lost (broker unreachable and no room to buffer).
// Participants' replies do not come through here: see onConsumerDone.
//
// On the orders topic, each call is one committed order's OrderPlaced, which
// takes the next event id. With the outbox on, it is a row committed with the
// order, for the relay to publish (outbox.go); otherwise this is the second
// half of a dual write.
func (s *Sim) publish(t int, saga int32, tok uint32, step uint8) bool {
	b := &s.broker
	tp := &b.topics[t]
	p := payload{saga: saga, tok: tok, step: step}
	if t == topicOrders {
		b.events++
		p.id = b.events
		if b.outbox.cfg.Enabled {
			return s.outboxWrite(p.id)
		}
	}
	if !b.up || s.cut(serviceNode(svcOrders), nodeBroker) {
		if b.cfg.PublishMode == PublishBuffer && len(tp.buffer) < b.cfg.Buffer {
			if tp.buffer == nil {
				tp.buffer = make([]payload, 0, b.cfg.Buffer)
			}
			tp.buffer = append(tp.buffer, p)
			tp.buffered++
			return true
		}
		tp.failed++
		if t == topicOrders {
			s.lostEvent(p.id)
		}
		return false
	}
	s.appendMsg(t, p)
	return true
}

// lostEvent counts an OrderPlaced that a dual write lost: its order is
// committed, and no consumer will ever hear of it.
func (s *Sim) lostEvent(id uint64) {
	b := &s.broker
	b.lost++
	if sec := int64(s.now/time.Second) + 1; b.lostSec != sec {
		b.lostSec = sec
		s.logf("event-lost", "orders", "orders: order committed but publishing OrderPlaced %d failed: the event is lost (%d so far)", id, b.lost)
	}
}

func (s *Sim) appendMsg(t int, p payload) {
	b := &s.broker
	tp := &b.topics[t]
	m := &tp.ring[tp.head%uint64(len(tp.ring))]
	if tp.head >= uint64(len(tp.ring)) {
		for _, gi := range tp.groups {
			g := &b.groups[gi]
			if st := m.st[g.slot]; st != msgAcked && st != msgDead {
				g.lost++ // retention ran out before the group consumed it
			}
		}
	}
	*m = msg{off: tp.head, id: p.id, saga: p.saga, tok: p.tok, step: p.step, res: p.res}
	tp.head++
	tp.published++
	for _, gi := range tp.groups {
		s.deliver(gi)
	}
}

// consumerAlive reports whether consumer k of group gi can take messages.
func (s *Sim) consumerAlive(gi, k int) (ok bool, inc uint32) {
	d := groupDefs[gi]
	if d.service < 0 {
		return k < s.broker.groups[gi].fixed, 0
	}
	i := d.service*MaxInstances + k
	in := &s.instances[i]
	if in.state != instAlive || s.cut(nodeBroker, serviceNode(d.service)) || s.cut(nodeBroker, instNode(i)) {
		return false, 0
	}
	return true, in.inc
}

// deliver hands messages to the group's free consumers: redeliveries first, then new
// messages in offset order.
func (s *Sim) deliver(gi int) {
	b := &s.broker
	if !b.up {
		return
	}
	g := &b.groups[gi]
	tp := &b.topics[groupDefs[gi].topic]
	for k := range g.cons {
		c := &g.cons[k]
		if c.busy {
			continue
		}
		alive, inc := s.consumerAlive(gi, k)
		if !alive {
			continue
		}
		m := s.nextMessage(g, tp)
		if m == nil {
			return
		}
		b.serial++
		m.st[g.slot] = msgInflight
		m.cnt[g.slot]++
		m.serial[g.slot] = b.serial
		g.deliv++
		c.busy, c.off, c.serial, c.inc = true, m.off, b.serial, inc
		c.gen++
		s.schedule(s.now+s.consumeTime(gi), evConsumerDone, int32(gi), int32(k), c.gen)
		s.schedule(s.now+b.cfg.AckTimeout, evAckTimeout, int32(gi), int32(m.off%uint64(len(tp.ring))), b.serial)
	}
}

func (s *Sim) nextMessage(g *group, tp *topic) *msg {
	n := uint64(len(tp.ring))
	for g.rlen > 0 {
		off := g.redo[g.rhead]
		g.rhead = (g.rhead + 1) % len(g.redo)
		g.rlen--
		if m := &tp.ring[off%n]; m.off == off && m.st[g.slot] == msgRedo {
			return m
		}
	}
	if tp.head > n && g.next < tp.head-n {
		g.next = tp.head - n
	}
	for g.next < tp.head {
		m := &tp.ring[g.next%n]
		g.next++
		if m.st[g.slot] == msgNew {
			return m
		}
	}
	return nil
}

func (s *Sim) consumeTime(gi int) time.Duration {
	g := &s.broker.groups[gi]
	d := groupDefs[gi]
	var t time.Duration
	switch {
	case gi == groupOrdersSaga:
		// No draw: a reply costs orders nothing but its injected latency.
		t = s.services[svcOrders].latency
	case d.service >= 0:
		sv := &s.services[d.service]
		t = s.lognormal(g.median, sv.cfg.Sigma) + sv.latency
	default:
		t = s.lognormal(g.median, 0.5)
	}
	return t + g.extra
}

func (s *Sim) onConsumerDone(gi, k int, gen uint32) {
	b := &s.broker
	g := &b.groups[gi]
	c := &g.cons[k]
	if c.gen != gen || !c.busy {
		return
	}
	c.busy = false
	d := groupDefs[gi]
	if d.service >= 0 && s.instances[d.service*MaxInstances+k].inc != c.inc {
		s.deliver(gi) // the consumer died while processing: no ack, redelivery later
		return
	}
	tp := &b.topics[d.topic]
	m := &tp.ring[c.off%uint64(len(tp.ring))]
	if m.off != c.off {
		s.deliver(gi)
		return
	}
	res := resOK
	switch {
	case gi == groupOrdersSaga:
		// Orders applies a participant's reply to its saga: that cannot fail.
	case d.service >= 0:
		switch {
		case s.chance(s.services[d.service].cfg.ErrorRate):
			res = resError
		case m.step == stepReserve && s.chance(s.sagas.cfg.OutOfStock),
			m.step == stepCharge && s.chance(s.sagas.cfg.Declined):
			res = resBusiness
		}
	}
	if res == resError {
		s.deliver(gi) // no ack: redelivered after the ack timeout
		return
	}
	// Acknowledging and, for a participant, publishing its reply both need the broker.
	// A participant that cannot reach it has still done the work, but the saga hears
	// of it only when a redelivery is handled again (or not at all, if the step times
	// out first).
	reach := b.up && !s.cut(nodeBroker, serviceNode(max(d.service, 0)))
	if reach {
		switch {
		case m.st[g.slot] == msgInflight && m.serial[g.slot] == c.serial:
			m.st[g.slot] = msgAcked
			g.acked++
		default:
			g.dups++ // processed again after a redelivery; the ack is stale
		}
	}
	switch {
	case effectTracked(gi):
		s.sideEffect(gi, m.id)
	case gi == groupOrdersSaga:
		s.onSagaReply(m.saga, m.tok, m.res)
	case d.topic != topicOrders && reach:
		s.appendMsg(topicSagaReplies, payload{saga: m.saga, tok: m.tok, step: m.step, res: res})
	}
	s.deliver(gi)
}

func (s *Sim) onAckTimeout(gi, idx int, serial uint32) {
	b := &s.broker
	g := &b.groups[gi]
	tp := &b.topics[groupDefs[gi].topic]
	m := &tp.ring[idx]
	if m.serial[g.slot] != serial || m.st[g.slot] != msgInflight {
		return
	}
	if int(m.cnt[g.slot]) > b.cfg.MaxRedeliveries {
		m.st[g.slot] = msgDead
		g.dead++
		b.deadTop++
		s.logf("dead-letter", groupDefs[gi].name, "%s: message %d moved to the dead-letter topic after %d deliveries",
			groupDefs[gi].name, m.off, m.cnt[g.slot])
		return
	}
	m.st[g.slot] = msgRedo
	g.redeliv++
	g.redo[(g.rhead+g.rlen)%len(g.redo)] = m.off
	g.rlen++
	if sec := int64(s.now/time.Second) + 1; g.logSec != sec {
		g.logSec = sec
		s.logf("redelivery", groupDefs[gi].name, "%s: message %d not acknowledged within %v: redelivered (delivery %d)",
			groupDefs[gi].name, m.off, b.cfg.AckTimeout, m.cnt[g.slot]+1)
	}
	s.deliver(gi)
}

// lag is how many of the topic's messages the group has not yet acknowledged (or
// dead-lettered or lost).
func (s *Sim) lag(gi int) uint64 {
	g := &s.broker.groups[gi]
	h := s.broker.topics[groupDefs[gi].topic].head
	done := g.acked + g.dead + g.lost
	if done > h {
		return 0
	}
	return h - done
}

// setBroker takes the broker down or brings it back; coming back flushes the
// publishers' memory buffers.
func (s *Sim) setBroker(up bool) {
	b := &s.broker
	b.up = up
	if !up {
		s.logf("broker-down", "broker", "broker down: publishers %s; nothing is delivered or acknowledged",
			map[bool]string{true: "buffer in memory", false: "fail"}[b.cfg.PublishMode == PublishBuffer])
		return
	}
	n := 0
	for t := range b.topics {
		tp := &b.topics[t]
		for _, p := range tp.buffer {
			s.appendMsg(t, p)
			n++
		}
		tp.buffer = tp.buffer[:0]
	}
	s.logf("broker-up", "broker", "broker up: %d buffered message(s) flushed; deliveries resume", n)
	for gi := range b.groups {
		s.deliver(gi)
	}
}

// kickConsumers restarts deliveries after consumers may have come back.
func (s *Sim) kickConsumers() {
	for gi := range s.broker.groups {
		s.deliver(gi)
	}
}

// publishStep sends the current attempt of a choreographed saga step to its
// participant's topic. While the broker is unreachable and nothing can be buffered
// it tries again after a back-off, within the step's timeout (see sendStep).
func (s *Sim) publishStep(si int32, step uint8) {
	g := s.sagas.pool.at(si)
	t := topicSagaInventory
	switch stepEdge[step] {
	case edgeOrdersPayment:
		t = topicSagaPayment
	case edgeOrdersShipping:
		t = topicSagaShipping
	}
	if !s.publish(t, si, g.tok, step) {
		g.pubTries++
		d := s.sagas.cfg.CompBackoffBase << min(g.pubTries-1, 16)
		if d > s.sagas.cfg.CompBackoffMax || d <= 0 {
			d = s.sagas.cfg.CompBackoffMax
		}
		g.tgen++
		s.schedule(s.now+d, evSagaStepRetry, si, 0, g.tgen)
	}
}

func (s *Sim) onSagaStepRetry(si int32, gen uint32) {
	g := s.sagas.pool.at(si)
	if g.tgen != gen {
		return
	}
	s.publishStep(si, g.step)
}

// brokerOutage is what broker-down and broker-up switch.
var brokerOutage = outage{"broker", func(s *Sim) bool { return s.broker.up }, (*Sim).setBroker}

func (s *Sim) planSlowConsumer(a *args) (func(), string, error) {
	gi := groupByName(a.Group)
	if gi < 0 {
		return nil, "", fmt.Errorf("unknown consumer group %q (groups: %s)", a.Group, groupList())
	}
	var d time.Duration
	a.ms(&d, "ms", a.MS)
	return a.done(func() { s.broker.groups[gi].extra = d }, fmt.Sprintf("consumer group %s: +%v per message", a.Group, d))
}

func groupList() string {
	names := make([]string, numGroups)
	for i, d := range groupDefs {
		names[i] = d.name
	}
	return strings.Join(names, ", ")
}

func describeSlowConsumer(c *Command) string {
	if c.MS != nil && *c.MS == 0 {
		return "consumer group " + c.Group + " back to normal speed"
	}
	return "consumer group " + c.Group + " takes " + msText(c.MS) + " more per message"
}

func (s *Sim) planPublishMode(a *args) (func(), string, error) {
	a.mode(PublishFail, PublishBuffer)
	return a.done(func() { s.broker.cfg.PublishMode = a.Mode }, "publishers "+a.Mode+" while the broker is down")
}

func describePublishMode(c *Command) string {
	return "publishers " + c.Mode + " while the broker is down"
}
