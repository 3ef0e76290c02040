package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"microlab/simulator"
)

// The lab's websocket: /lab/s/{id}/ws. PROTOCOL.md beside this file
// describes the messages; this file enforces it.

const (
	labMaxMessage   = 4096 // bytes; a larger message closes the socket with 1009
	labRate         = 20   // messages a second a viewer may send
	labWriteWait    = 10 * time.Second
	labPongWait     = 60 * time.Second
	labPingEvery    = 25 * time.Second
	labMaxIDLen     = 64
	labCloseTextMax = 120 // a close frame's reason must fit in 123 bytes
)

var labUpgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	// Sockets share write buffers between writes: 500 idle viewers then
	// hold no buffer each.
	WriteBufferPool:  &sync.Pool{},
	HandshakeTimeout: 10 * time.Second,
	// labSocket checks the origin itself, before upgrading, so that a
	// refusal goes through the one error handler like any other.
	CheckOrigin: func(*http.Request) bool { return true },
}

// labControlFields lists, per message type that is not a simulator
// command, the fields it allows (besides "type" and "id").
var labControlFields = map[string][]string{
	"speed":        {"value"},
	"pause":        nil,
	"resume":       nil,
	"step":         {"ms"},
	"fast-forward": {"seconds"},
	"reset":        {"seed", "new_seed"},
	"predict":      {"option"},
	"trace":        {"trace"},
}

// labReadOnly are the message types a viewer who is not the owner may send.
var labReadOnly = map[string]bool{"trace": true}

// labMsg is one decoded message from a viewer.
type labMsg struct {
	Type    string
	id      json.RawMessage
	cmd     simulator.Command
	Value   float64
	MS      int64
	Seconds float64
	Seed    *uint64
	NewSeed bool
	Option  int
	Trace   uint64
}

// labMsgError is a message refused before it reaches the lab.
type labMsgError struct {
	code, message string
}

// parseLabMsg decodes and checks the shape of one message. Whether a
// command makes sense for the simulation's state is for the lab to say.
func parseLabMsg(data []byte) (labMsg, json.RawMessage, *labMsgError) {
	var m labMsg
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fields); err != nil || dec.More() || fields == nil {
		return m, nil, &labMsgError{"bad-json", "That message is not one JSON object; send {\"type\": …}."}
	}
	if raw, ok := fields["id"]; ok {
		if len(raw) > labMaxIDLen || (raw[0] != '"' && (raw[0] < '0' || raw[0] > '9')) {
			return m, nil, &labMsgError{"invalid", "\"id\" must be a number or a short string, echoed in the reply."}
		}
		m.id = raw
		delete(fields, "id")
	}
	rawType, ok := fields["type"]
	if !ok || json.Unmarshal(rawType, &m.Type) != nil || m.Type == "" {
		return m, m.id, &labMsgError{"bad-message", "The message has no \"type\" string."}
	}
	allowed, control := labControlFields[m.Type]
	if !control {
		if !slices.Contains(simulator.CommandTypes(), m.Type) {
			return m, m.id, &labMsgError{"unknown-type", fmt.Sprintf("Unknown message type %q. Known: %s, and the simulator's commands: %s.",
				truncate(m.Type, 40), strings.Join(slices.Sorted(mapKeys(labControlFields)), ", "), strings.Join(simulator.CommandTypes(), ", "))}
		}
		rest, _ := json.Marshal(fields)
		cmd, err := simulator.DecodeCommand(rest)
		if err != nil {
			return m, m.id, &labMsgError{"invalid", err.Error()}
		}
		m.cmd = cmd
		return m, m.id, nil
	}
	for k, raw := range fields {
		if k == "type" {
			continue
		}
		if !slices.Contains(allowed, k) {
			return m, m.id, &labMsgError{"invalid", fmt.Sprintf("%s: field %q does not apply", m.Type, truncate(k, 40))}
		}
		var err error
		switch k {
		case "value":
			err = json.Unmarshal(raw, &m.Value)
		case "ms":
			err = json.Unmarshal(raw, &m.MS)
		case "seconds":
			err = json.Unmarshal(raw, &m.Seconds)
		case "seed":
			var seed uint64
			if err = json.Unmarshal(raw, &seed); err == nil && seed > labMaxSeed {
				err = fmt.Errorf("out of range 0..%d", uint64(labMaxSeed))
			}
			m.Seed = &seed
		case "new_seed":
			err = json.Unmarshal(raw, &m.NewSeed)
		case "option":
			err = json.Unmarshal(raw, &m.Option)
		case "trace":
			err = json.Unmarshal(raw, &m.Trace)
		}
		if err != nil {
			return m, m.id, &labMsgError{"invalid", fmt.Sprintf("%s: bad %q: %v", m.Type, k, err)}
		}
	}
	need := map[string]string{"speed": "value", "fast-forward": "seconds", "predict": "option", "trace": "trace"}[m.Type]
	if _, ok := fields[need]; need != "" && !ok {
		return m, m.id, &labMsgError{"invalid", fmt.Sprintf("%s: missing %q", m.Type, need)}
	}
	if m.Type == "reset" && m.Seed != nil && m.NewSeed {
		return m, m.id, &labMsgError{"invalid", "reset: give a seed or new_seed, not both"}
	}
	return m, m.id, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// tokenBucket limits a socket's messages per second.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

func (b *tokenBucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens, b.last = labRate, now
	}
	b.tokens = min(labRate, b.tokens+now.Sub(b.last).Seconds()*labRate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// labSocket serves one viewer's websocket.
func (s *Server) labSocket(c echo.Context) error {
	l := s.labs.get(c.Param("id"))
	if l == nil {
		return errLabNotRunning()
	}
	r := c.Request()
	if o := r.Header.Get("Origin"); o == "" || !s.sameOrigin(r, o) {
		return errorf(http.StatusForbidden, "Lab connections are only accepted from this site's own pages.")
	}
	if !websocket.IsWebSocketUpgrade(r) {
		return errorf(http.StatusBadRequest, "This address is the lab's websocket. Open the lab page, /lab/s/%s, instead.", l.id)
	}
	owner := false
	if id := s.learnerID(c); id != "" && id == l.owner {
		owner = true
	}
	if l.sockets.Add(1) > labMaxViewers {
		l.sockets.Add(-1)
		return errorf(http.StatusServiceUnavailable, "This lab already has %d viewers, the most one lab takes.", labMaxViewers)
	}
	defer l.sockets.Add(-1)
	if !s.labs.enter() {
		return errorf(http.StatusServiceUnavailable, "The server is shutting down.")
	}
	defer s.labs.sockets.Done()
	conn, err := labUpgrader.Upgrade(c.Response(), r, nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	defer conn.Close()
	c.Response().Status = http.StatusSwitchingProtocols // for the access log and the metrics
	conn.SetReadLimit(labMaxMessage)
	v := newLabViewer(conn, owner)

	conn.SetWriteDeadline(time.Now().Add(labWriteWait))
	if err := conn.WriteMessage(websocket.TextMessage, s.labHello(l, owner)); err != nil {
		return nil
	}
	select {
	case l.joins <- v:
	case <-l.done:
		closeSocket(conn, websocket.CloseGoingAway, "This lab has ended.")
		return nil
	}

	readerDone := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		v.writeLoop(readerDone)
	}()
	s.labReadLoop(l, v, writerDone)
	close(readerDone)
	select {
	case l.leaves <- v:
	case <-l.done:
	}
	<-writerDone
	return nil
}

// labReadLoop reads the viewer's messages until the socket fails or closes,
// or the writer gives up on it.
func (s *Server) labReadLoop(l *labSim, v *labViewer, writerDone <-chan struct{}) {
	conn := v.conn
	conn.SetReadDeadline(time.Now().Add(labPongWait))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(labPongWait))
	})
	var bucket tokenBucket
	for {
		typ, data, err := conn.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				s.log.Debug("lab: message over the limit", "lab", l.id)
			}
			return
		}
		conn.SetReadDeadline(time.Now().Add(labPongWait))
		reply := s.labAnswer(l, v, typ, data, &bucket)
		select {
		case v.ctl <- reply:
		case <-v.gone:
			return
		case <-writerDone:
			return
		}
	}
}

// labAnswer handles one message and returns the reply to send.
func (s *Server) labAnswer(l *labSim, v *labViewer, typ int, data []byte, bucket *tokenBucket) []byte {
	if !bucket.allow(time.Now()) {
		return replyError(nil, "rate-limited", fmt.Sprintf("More than %d messages a second: this one was refused. Wait a moment.", labRate))
	}
	if typ != websocket.TextMessage {
		return replyError(nil, "bad-message", "Send JSON text messages, not binary ones.")
	}
	msg, id, perr := parseLabMsg(data)
	if perr != nil {
		return replyError(id, perr.code, perr.message)
	}
	if !v.owner && !labReadOnly[msg.Type] {
		return replyError(id, "read-only", "This lab is read-only for you: only the person who started it can control it. Start your own from /lab/"+l.slug()+".")
	}
	reply := make(chan []byte, 1)
	select {
	case l.reqs <- labRequest{msg: msg, reply: reply}:
	case <-l.done:
		return replyError(id, "ended", "This lab has ended.")
	}
	select {
	case b := <-reply:
		return b
	case <-l.done:
		return replyError(id, "ended", "This lab has ended.")
	}
}

// writeLoop writes frames, replies and pings until the reader stops or the
// lab ends.
func (v *labViewer) writeLoop(readerDone <-chan struct{}) {
	conn := v.conn
	ping := time.NewTicker(labPingEvery)
	defer ping.Stop()
	for {
		var err error
		select {
		case b := <-v.ctl:
			conn.SetWriteDeadline(time.Now().Add(labWriteWait))
			err = conn.WriteMessage(websocket.TextMessage, b)
		case pm := <-v.out:
			conn.SetWriteDeadline(time.Now().Add(labWriteWait))
			err = conn.WritePreparedMessage(pm)
		case <-ping.C:
			err = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(labWriteWait))
		case <-v.gone:
			closeSocket(conn, v.code, v.text)
			return
		case <-readerDone:
			return
		}
		if err != nil {
			conn.Close() // the reader then fails too
			return
		}
	}
}

// closeSocket says goodbye with a code and a reason, then hangs up.
func closeSocket(conn *websocket.Conn, code int, text string) {
	if len(text) > labCloseTextMax {
		text = text[:labCloseTextMax]
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	conn.Close()
}

// labTopology is what a client needs to draw the shop: it is the same for
// every lab.
type labTopology struct {
	Services     []string   `json:"services"`
	MaxInstances int        `json:"max_instances"`
	Edges        []labEdge  `json:"edges"`
	Groups       []labGroup `json:"groups"`
	Topics       []string   `json:"topics"`
	Clients      int        `json:"clients"`
}

type labEdge struct {
	ID    string `json:"id"`
	From  string `json:"from"`
	To    string `json:"to"`
	Route string `json:"route,omitempty"`
}

type labGroup struct {
	Name  string `json:"name"`
	Topic string `json:"topic"`
}

var topology = sync.OnceValue(func() labTopology {
	cfg := simulator.DefaultConfig()
	snap := simulator.MustNew(cfg).Snapshot()
	t := labTopology{Services: simulator.ServiceNames(), MaxInstances: simulator.MaxInstances, Clients: cfg.Gateway.Clients}
	for _, e := range snap.Edges {
		t.Edges = append(t.Edges, labEdge{ID: e.ID, From: e.From, To: e.To, Route: e.Route})
	}
	for _, g := range snap.Broker.Groups {
		t.Groups = append(t.Groups, labGroup{Name: g.Name, Topic: g.Topic})
	}
	for _, tp := range snap.Broker.Topics {
		t.Topics = append(t.Topics, tp.Name)
	}
	return t
})

// labHello is the first message on every socket.
func (s *Server) labHello(l *labSim, owner bool) []byte {
	type labInfo struct {
		ID         string  `json:"id"`
		Title      string  `json:"title"`
		Scenario   *string `json:"scenario"`
		Pattern    string  `json:"pattern,omitempty"`
		DurationMS float64 `json:"duration_ms,omitempty"`
	}
	info := labInfo{ID: l.id, Title: l.title}
	if l.sc != nil {
		info.Scenario, info.Pattern, info.DurationMS = &l.sc.Slug, l.sc.Pattern, float64(l.sc.Duration/time.Millisecond)
	}
	role := "viewer"
	if owner {
		role = "owner"
	}
	b, _ := json.Marshal(struct {
		Type     string         `json:"type"`
		Role     string         `json:"role"`
		Lab      labInfo        `json:"lab"`
		Keys     []string       `json:"keys"`
		Topology labTopology    `json:"topology"`
		Limits   map[string]any `json:"limits"`
		Commands []string       `json:"commands"`
	}{
		Type: "hello", Role: role, Lab: info, Keys: l.fr.keys, Topology: topology(),
		Limits: map[string]any{
			"speed_min": labMinSpeed, "speed_max": labMaxSpeed, "step_max_ms": labMaxStepMS,
			"fast_forward_max_s": labMaxFFSeconds, "messages_per_second": labRate, "message_max_bytes": labMaxMessage,
			"seed_max": uint64(labMaxSeed),
		},
		Commands: append(slices.Sorted(mapKeys(labControlFields)), simulator.CommandTypes()...),
	})
	return b
}
