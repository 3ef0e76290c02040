package main

// The lab abuse test: what live labs cost the pages.
//
//	go run ./cmd/loadtest -lab-abuse 12 -duration 10s
//
// With the server in a child process, it measures a pattern page's latency
// from 8 connections, first with no lab running, then while -lab-abuse
// labs fast-forward without pause, each started by a learner of its own
// (a client that drops its cookies before every start). It prints p50 and
// p99 for both and the server's CPU during the abuse.

import (
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

const abusedPage = "/patterns/circuit-breaker"

func runLabAbuse(labs int, duration time.Duration) error {
	base, stop, err := startChild()
	if err != nil {
		return err
	}
	defer stop()
	load(base+abusedPage, 8, time.Second) // warm up
	quiet := load(base+abusedPage, 8, duration)

	var conns []*websocket.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range labs {
		path, cookie, err := startLab(base)
		if err != nil {
			return fmt.Errorf("lab %d: %w", i, err)
		}
		conn, err := dialLab(base, path, cookie)
		if err != nil {
			return fmt.Errorf("lab %d: %w", i, err)
		}
		conns = append(conns, conn)
		go drain(conn)
		go fastForwardForever(conn)
	}
	time.Sleep(2 * time.Second)
	before, err := stats(base, false)
	if err != nil {
		return err
	}
	start := time.Now()
	abused := load(base+abusedPage, 8, duration)
	after, err := stats(base, false)
	if err != nil {
		return err
	}
	cores := float64(after.CPU-before.CPU) / float64(time.Since(start))
	fmt.Printf("%s from 8 connections, %s each\n", abusedPage, duration)
	fmt.Printf("no lab running     %7d requests, p50 %v, p99 %v, %d errors\n", quiet.count, quiet.quantile(0.5), quiet.quantile(0.99), quiet.errors)
	fmt.Printf("%2d labs fast-forward %6d requests, p50 %v, p99 %v, %d errors; server CPU %.2f cores\n",
		labs, abused.count, abused.quantile(0.5), abused.quantile(0.99), abused.errors, cores)
	return nil
}

// fastForwardForever asks the lab to run ten virtual minutes ahead, five
// times a second (within the 20 messages a second a socket may send), until
// the connection closes.
func fastForwardForever(conn *websocket.Conn) {
	for {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"fast-forward","seconds":600}`)); err != nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
