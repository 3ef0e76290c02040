package web

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"microlab/lab"
)

// The lab's websocket: /lab/s/{id}/ws. This file is the socket's end of the
// hub in package lab: the origin check, the upgrade, and the read and write
// pumps. What travels on it is lab/PROTOCOL.md.

const (
	labWriteWait    = 10 * time.Second
	labPongWait     = 60 * time.Second
	labPingEvery    = 25 * time.Second
	labRepliesQueue = 32  // replies waiting for the writer
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

// labSocket serves one viewer's websocket.
func (s *Server) labSocket(c echo.Context) error {
	l := s.labs.Get(c.Param("id"))
	if l == nil {
		return errLabNotRunning()
	}
	info := l.Info()
	if err := s.checkSocket(c, "/lab/s/"+info.ID); err != nil {
		return err
	}
	id := s.learnerID(c)
	v, err := l.Join(id != "" && id == info.Owner, clientKey(c))
	if err != nil {
		return s.labRefusal(err, id)
	}
	return s.serveSocket(c, v)
}

// checkSocket refuses a connection from another site's page, and a plain
// request to a socket's address (page is the page to open instead).
func (s *Server) checkSocket(c echo.Context, page string) error {
	r := c.Request()
	if o := r.Header.Get("Origin"); o == "" || !s.sameOrigin(r, o) {
		return errorf(http.StatusForbidden, "Lab connections are only accepted from this site's own pages.")
	}
	if !websocket.IsWebSocketUpgrade(r) {
		return errorf(http.StatusBadRequest, "This address is the lab's websocket. Open the lab page, %s, instead.", page)
	}
	return nil
}

// serveSocket upgrades the connection and pumps frames to the viewer and
// its messages to the lab until either side ends; then the viewer leaves.
func (s *Server) serveSocket(c echo.Context, v *lab.Viewer) error {
	defer v.Leave()
	r := c.Request()
	conn, err := labUpgrader.Upgrade(c.Response(), r, nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	defer conn.Close()
	c.Response().Status = http.StatusSwitchingProtocols // for the access log and the metrics
	conn.SetReadLimit(lab.MaxMessage)

	replies := make(chan []byte, labRepliesQueue)
	readerDone := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		labWritePump(conn, v, replies, readerDone)
	}()
	s.labReadPump(conn, v, replies, writerDone)
	close(readerDone)
	<-writerDone
	return nil
}

// labReadPump reads the viewer's messages until the socket fails or closes,
// or the writer gives up on it, and queues each reply for the writer.
func (s *Server) labReadPump(conn *websocket.Conn, v *lab.Viewer, replies chan<- []byte, writerDone <-chan struct{}) {
	conn.SetReadDeadline(time.Now().Add(labPongWait))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(labPongWait))
	})
	for {
		typ, data, err := conn.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				s.log.Debug("lab: message over the limit")
			}
			return
		}
		conn.SetReadDeadline(time.Now().Add(labPongWait))
		var reply []byte
		if typ == websocket.TextMessage {
			reply = v.Send(data)
		} else {
			reply = v.SendBinary()
		}
		select {
		case replies <- reply:
		case <-v.Gone():
			return
		case <-writerDone:
			return
		}
	}
}

// labWritePump writes frames, replies and pings until the reader stops or
// the lab ends, and then says goodbye with the lab's close code.
func labWritePump(conn *websocket.Conn, v *lab.Viewer, replies <-chan []byte, readerDone <-chan struct{}) {
	ping := time.NewTicker(labPingEvery)
	defer ping.Stop()
	for {
		var err error
		select {
		case b := <-replies:
			conn.SetWriteDeadline(time.Now().Add(labWriteWait))
			err = conn.WriteMessage(websocket.TextMessage, b)
		case f := <-v.Frames():
			conn.SetWriteDeadline(time.Now().Add(labWriteWait))
			if pm, ok := f.Encoding(prepareFrame).(*websocket.PreparedMessage); ok {
				err = conn.WritePreparedMessage(pm)
			} else {
				err = conn.WriteMessage(websocket.TextMessage, f.Bytes())
			}
		case <-ping.C:
			err = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(labWriteWait))
		case <-v.Gone():
			code, reason := v.Goodbye()
			closeSocket(conn, code, reason)
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

// prepareFrame frames a lab frame for the websocket once, for every viewer
// that sends it. Should that fail (it does only for a bad message type),
// the pump writes the bytes as they are.
func prepareFrame(b []byte) any {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return nil
	}
	return pm
}

// closeSocket says goodbye with a code and a reason, then hangs up.
func closeSocket(conn *websocket.Conn, code int, text string) {
	if len(text) > labCloseTextMax {
		text = text[:labCloseTextMax]
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	conn.Close()
}
