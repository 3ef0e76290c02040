package simulator

import "time"

// The messaging labs: what a broker outage does to events published by a
// dual write and through a transactional outbox, and what a redelivery does
// to a consumer with and without an inbox. Scenarios (scenarios.go) lists
// them with the others.

func outboxBrokerOutage() Scenario {
	const (
		down1, up1 = 10.0, 20.0
		outboxOn   = 25.0
		down2, up2 = 35.01, 45.0 // 10 ms after the relay's poll at 35 s
		try        = 55.0
	)
	return Scenario{
		Slug: "outbox-broker-outage", Title: "The broker goes down between commit and publish", Pattern: "transactional-outbox",
		Setup: "Orders commits each order to its database and then publishes OrderPlaced, which shipping consumes; a publish that fails is not retried. " +
			"The broker is down from 10 s to 20 s; at 25 s orders switches to a transactional outbox whose relay polls every second, and the broker is down again from 35.01 s to 45 s.",
		Narrative: "During the first outage every order still commits, but its OrderPlaced has nowhere to go: the dual write loses it, and shipping never hears of those orders. " +
			"With the outbox the event is a row committed with the order, so the second outage only delays it: the relay keeps polling, and publishes the backlog at its first poll after the broker is back, about the outage plus a poll late. " +
			"The batch the relay had published just before the broker fell was never confirmed, so it is published again and shipping gets those events twice: an outbox delivers at least once.",
		Question: Question{
			Prompt: "The broker is down from 10 s to 20 s while about ten orders a second commit. Orders commits each order, then publishes its OrderPlaced, and does not retry a failed publish. What becomes of those orders' events?",
			Options: []Option{
				{"They are lost: the orders stand, and shipping never hears of them", true, "The commit and the publish are two writes to two systems; when the second fails after the first, nothing is left to send the event again."},
				{"They wait in the broker until it comes back", false, "A broker that is down takes nothing in: the publish fails at orders."},
				{"The orders are rolled back, so nothing is inconsistent", false, "The order committed before the publish was tried; a database transaction cannot span the broker."},
				{"Shipping asks orders for them when the broker is back", false, "Shipping only reacts to the events it receives; it has no way to know which ones it missed."},
			},
		},
		Duration: 70 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Each completed order is committed, then announced with OrderPlaced; shipping handles each event once. Watch the broker's node, and the table “Publishing OrderPlaced” under “The state as text”."},
			{At: sec(down1), Title: "The broker goes down", Say: "Orders still commit. Watch the events lost and shipping's lag."},
			{At: sec(up1), Title: "The broker is back", Say: "Watch whether the numbers of the outage change now."},
			{At: sec(outboxOn), Title: "Orders gets an outbox", Say: "Each OrderPlaced is now a row in orders' outbox table, written in the order's own transaction; a relay publishes unsent rows once a second and marks them sent when the broker confirms them."},
			{At: sec(down2), Title: "The broker goes down again", Say: "The relay published a batch 10 ms ago and is waiting for the broker's confirmation.",
				Question: &Question{
					Prompt: "The broker is down for 10 s again, but now each OrderPlaced is a row in the outbox, committed with its order, and the relay polls once a second. What becomes of the events of the orders committed now?",
					Options: []Option{
						{"They are lost, as before: the broker is just as down", false, "Nothing here needs the broker: the row commits with the order, in orders' own database."},
						{"They wait as rows and reach shipping about 10 to 11 s late, at the relay's first poll after the broker is back", true, "The relay's polls fail while the broker is away and the rows stay unsent; the first poll after it returns publishes them."},
						{"Orders refuse new orders until the broker is back", false, "Writing the row needs only orders' database, so orders go on as usual: that is what the outbox buys."},
						{"They reach shipping as soon as the broker is back, with no delay", false, "The relay only looks at the table when it polls: up to a poll interval passes before the backlog goes out."},
					},
				}},
			{At: sec(up2), Title: "The broker is back again", Say: "The relay's next poll finds the broker reachable. The batch it published at 35 s never got its confirmation.",
				Question: &Question{
					Prompt: "The broker stored the batch the relay published at 35 s, then went down before confirming it. What does the relay do with those rows now?",
					Options: []Option{
						{"Skips them: the broker already has them", false, "The relay cannot tell a batch that was stored but not confirmed from one that never arrived."},
						{"Publishes them again, so shipping receives those events twice", true, "Rows are marked sent only on a confirmation; without one they go out again. An outbox delivers at least once, and consumers must cope with duplicates."},
						{"Drops them as expired", false, "A committed row is never dropped: losing it would bring back the dual write's problem."},
						{"Publishes them again, and the broker removes the copies", false, "To the broker these are new messages; a duplicate is recognised by its event id at the consumer (an inbox), or by an idempotent producer where the broker has one."},
					},
				}},
			{At: sec(try), Title: "Now you try", Try: pI(7), Say: "Under “Messaging”, set orders back to a dual write; then stop the broker (under “Break things”). The last check counts the events lost from then on."},
		},
		Timeline: []Step{
			at(0, Command{Type: "publish-mode", Mode: PublishFail}),
			at(down1, Command{Type: "broker-down"}),
			at(up1, Command{Type: "broker-up"}),
			at(outboxOn, Command{Type: "outbox", Enabled: pB(true), MS: pMS(1000)}),
			at(down2, Command{Type: "broker-down"}),
			at(up2, Command{Type: "broker-up"}),
		},
		Checks: []Check{
			noteEvents("until the broker goes down, every OrderPlaced is published", sec(down1)),
			{Name: "with a dual write, every order committed while the broker is down loses its OrderPlaced", At: sec(up1), Eval: func(r *Run) (bool, string) {
				committed := r.Sim.broker.events - uint64(r.Notes["events at 10 s"])
				lost := r.Sim.broker.lost
				r.Notes["lost"] = float64(lost)
				return verdict(committed >= 40 && lost == committed, "%d orders committed during the outage, %d events lost", committed, lost)
			}},
			{Name: "shipping never hears of the lost orders: it has handled every event but those", At: sec(outboxOn) - 1, Eval: func(r *Run) (bool, string) {
				b := &r.Sim.broker
				g := &b.groups[groupShipping]
				missing := int64(b.events) - int64(b.lost) - int64(g.handled)
				return verdict(b.lost > 0 && missing >= 0 && missing <= 3,
					"%d orders committed, %d of their events lost; shipping handled %d, and will never hear of %d orders", b.events, b.lost, g.handled, b.lost)
			}},
			{Name: "with the outbox, no event is lost while the broker is down: the rows wait", At: sec(up2), Eval: func(r *Run) (bool, string) {
				b := &r.Sim.broker
				o := &b.outbox
				return verdict(float64(b.lost) == r.Notes["lost"] && o.n >= 40 && o.failedPolls >= 5,
					"%d events lost since the outbox went on; %d rows unsent after %d failed polls", b.lost-uint64(r.Notes["lost"]), o.n, o.failedPolls)
			}},
			{Name: "once the broker is back, the rows are delivered about the outage plus a poll late (10 to 12.1 s)", At: sec(up2 + 5), Eval: func(r *Run) (bool, string) {
				b := &r.Sim.broker
				o := &b.outbox
				g := &b.groups[groupShipping]
				missing := int64(b.events) - int64(b.lost) - int64(g.handled)
				return verdict(o.maxDelay >= 10*time.Second && o.maxDelay <= 12100*time.Millisecond && missing <= int64(o.n)+3,
					"longest wait from commit to confirmation %v; %d rows unsent; shipping has %d events to go", o.maxDelay, o.n, missing)
			}},
			{Name: "the rows of the unconfirmed batch are published again, and shipping gets those events twice", At: sec(up2 + 5), Eval: func(r *Run) (bool, string) {
				o := &r.Sim.broker.outbox
				g := &r.Sim.broker.groups[groupShipping]
				return verdict(o.lostConfirm >= 1 && o.republished >= 1 && g.again >= o.republished,
					"%d batch(es) unconfirmed, %d rows published again; shipping processed %d events a second time", o.lostConfirm, o.republished, g.again)
			}},
			{Name: "no event is lost while the outbox is on", At: sec(try) - 1, Eval: func(r *Run) (bool, string) {
				b := &r.Sim.broker
				return verdict(float64(b.lost) == r.Notes["lost"],
					"%d events lost since the outbox went on at 25 s", b.lost-uint64(r.Notes["lost"]))
			}},
			{Name: "with a dual write again, a broker outage loses events again", Yours: true, Eval: func(r *Run) (bool, string) {
				b := &r.Sim.broker
				e, ok := r.command("outbox", "dual write", sec(try))
				if !ok {
					return verdict(false, "the outbox is still on: switch it off after %v", sec(try))
				}
				lost := b.lost - uint64(r.Notes["lost"])
				return verdict(lost >= 10, "since the outbox went off at %v: %d events lost", e.at(), lost)
			}},
		},
	}
}

// noteEvents is the first check's helper: the count of OrderPlaced events
// committed before the first outage.
func noteEvents(name string, at time.Duration) Check {
	return Check{Name: name, At: at, Eval: func(r *Run) (bool, string) {
		r.Notes["events at 10 s"] = float64(r.Sim.broker.events)
		return verdict(r.Sim.broker.lost == 0, "%d events published, none lost", r.Sim.broker.events)
	}}
}

func duplicateDelivery() Scenario {
	const (
		slow1, fast1 = 10.0, 16.0
		inboxOn      = 25.0
		slow2, fast2 = 30.0, 36.0
		try          = 48.0
	)
	return Scenario{
		Slug: "duplicate-delivery", Title: "The same message twice", Pattern: "transactional-outbox",
		Setup: "Shipping books a courier for each OrderPlaced it processes, and the broker redelivers a message not acknowledged within 2 s. " +
			"From 10 s to 16 s and again from 30 s to 36 s shipping's consumers take 2.5 s a message; at 25 s shipping starts recording each event id in an inbox table, in the same transaction as the booking.",
		Narrative: "A consumer that takes longer than the ack timeout looks dead to the broker, which delivers the message again; both deliveries run to the end, and without an inbox both book a courier. " +
			"With the inbox, the second delivery finds its event id already recorded and is acknowledged without booking anything. " +
			"The broker redelivers just as much either way: at-least-once delivery is the broker's promise, and exactly-once processing is the consumer's work.",
		Question: Question{
			Prompt: "From 10 s shipping's consumers take 2.5 s a message, longer than the broker's 2 s ack timeout, and shipping keeps no record of what it has processed. What happens to the couriers?",
			Options: []Option{
				{"Each order still gets one courier: the broker waits for a slow consumer", false, "The broker cannot tell a slow consumer from a dead one; after the ack timeout it delivers the message again."},
				{"Some orders get two couriers: a message that outlasts the timeout is delivered again and booked again", true, "Both the slow delivery and its redelivery run to the end, and each books a courier."},
				{"The slow messages are lost and those orders get no courier", false, "Unacknowledged messages are redelivered, never dropped, until the dead-letter limit."},
				{"Shipping sees the repeat and skips it", false, "Nothing in shipping remembers which events it has handled: that is what an inbox would add."},
			},
		},
		Duration: 60 * time.Second,
		Stages: []Stage{
			{At: 0, Title: "Watch the baseline", Say: "Each OrderPlaced is delivered to shipping once and books one courier. Watch shipping's row under “The state as text”: redelivered, processed again, dropped."},
			{At: sec(slow1), Title: "Shipping slows past the ack timeout", Say: "Each message now takes shipping 2.5 s. Watch its redeliveries and the event log."},
			{At: sec(fast1), Title: "Shipping is fast again", Say: "Shipping's consumers are back to about 15 ms a message. Watch its lag drain."},
			{At: sec(inboxOn), Title: "Shipping gets an inbox", Say: "From now on shipping records the event id of each message it handles in an inbox table, in the transaction that books the courier, and looks it up first."},
			{At: sec(slow2), Title: "The same slowdown, with the inbox", Say: "Shipping's consumers take 2.5 s a message again.",
				Question: &Question{
					Prompt: "Shipping's consumers take 2.5 s a message again, but now each booking records its event id in the inbox, and a delivery looks its id up first. What happens?",
					Options: []Option{
						{"The broker stops redelivering: the inbox tells it what was processed", false, "The inbox is shipping's own table; the broker knows nothing of it and redelivers as before."},
						{"Redeliveries go on, but each repeat is recognised and dropped: one courier an order", true, "The broker redelivers as before; the booking happens once per event id, and a later delivery of it is acknowledged without one."},
						{"Orders still get two couriers: an inbox only helps after a crash", false, "It helps with any repeat, whatever caused it, since it looks at the event id."},
						{"Some orders get no courier: the inbox drops the first delivery", false, "The first delivery to finish records the id and books; only later ones are dropped."},
					},
				}},
			{At: sec(fast2), Title: "Shipping is fast again", Say: "Compare the counts of the two slowdowns in shipping's row."},
			{At: sec(try), Title: "Now you try", Try: pI(5), Say: "Under “Messaging”, switch on an inbox for notifications too; then, under “Break things”, slow the notifications group by 2500 ms a message. The last check reads its row."},
		},
		Timeline: []Step{
			at(slow1, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(2500)}),
			at(fast1, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(0)}),
			at(inboxOn, Command{Type: "inbox", Group: "shipping", Enabled: pB(true)}),
			at(slow2, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(2500)}),
			at(fast2, Command{Type: "slow-consumer", Group: "shipping", MS: pMS(0)}),
		},
		Checks: []Check{
			{Name: "before the slowdown, each event is processed once", At: sec(slow1), Eval: func(r *Run) (bool, string) {
				g := &r.Sim.broker.groups[groupShipping]
				return verdict(g.handled > 50 && g.again == 0 && g.redeliv == 0, "%d events handled, %d processed again, %d redeliveries", g.handled, g.again, g.redeliv)
			}},
			{Name: "without an inbox, redelivered messages book a second courier", At: sec(inboxOn), Eval: func(r *Run) (bool, string) {
				g := &r.Sim.broker.groups[groupShipping]
				r.Notes["again"], r.Notes["redeliv"] = float64(g.again), float64(g.redeliv)
				return verdict(g.redeliv >= 3 && g.again >= 3 && g.dropped == 0,
					"%d redeliveries; %d events processed a second time, each a second courier", g.redeliv, g.again)
			}},
			{Name: "with the inbox, the broker redelivers as much, and every repeat is dropped", At: sec(try) - 1, Eval: func(r *Run) (bool, string) {
				g := &r.Sim.broker.groups[groupShipping]
				redeliv := g.redeliv - uint64(r.Notes["redeliv"])
				again := g.again - uint64(r.Notes["again"])
				return verdict(redeliv >= 3 && again == 0 && g.dropped >= 3,
					"since 25 s: %d redeliveries, %d dropped by the inbox, %d processed a second time", redeliv, g.dropped, again)
			}},
			{Name: "every order gets its courier: shipping has handled every event", At: sec(try) - 1, Eval: func(r *Run) (bool, string) {
				b := &r.Sim.broker
				g := &b.groups[groupShipping]
				missing := int64(b.events) - int64(g.handled)
				return verdict(missing >= 0 && missing <= 3 && g.dead == 0, "%d events, %d handled, %d dead-lettered", b.events, g.handled, g.dead)
			}},
			{Name: "notifications, never slowed, processes each event once", At: sec(try) - 1, Eval: func(r *Run) (bool, string) {
				g := &r.Sim.broker.groups[groupNotifications]
				return verdict(g.again == 0 && g.redeliv == 0, "notifications: %d redeliveries, %d processed again", g.redeliv, g.again)
			}},
			{Name: "a slow notifications group with an inbox e-mails each customer once", Yours: true, Eval: func(r *Run) (bool, string) {
				g := &r.Sim.broker.groups[groupNotifications]
				if !g.inbox {
					return verdict(false, "notifications has no inbox")
				}
				return verdict(g.redeliv >= 3 && g.again == 0 && g.dropped >= 3, "notifications: %d redeliveries, %d dropped by its inbox, %d processed again",
					g.redeliv, g.dropped, g.again)
			}},
		},
	}
}
