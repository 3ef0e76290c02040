// Command bare is the ceiling a Microlab page is measured against: the
// same bytes, fetched once from a running server, served from memory by a
// plain net/http handler with no middleware.
//
//	bare -from http://127.0.0.1:18081/patterns/circuit-breaker -addr 127.0.0.1:18082
//
// It fetches the page twice, as it is and gzipped, and answers a request
// that names gzip in Accept-Encoding with the gzipped bytes (with
// Content-Encoding and Vary), any other with the plain ones, so the two
// sides of a compressed run send the same body. It sends no other header:
// what Microlab spends on its own headers is part of what is measured.
// Two flags take a step towards Microlab, to tell its costs apart:
// -headers sends Microlab's headers as well (the same values every time),
// -timeouts bounds clients with Microlab's http.Server timeouts.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	from := flag.String("from", "", "URL of the page to copy")
	addr := flag.String("addr", "127.0.0.1:18082", "address to listen on")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file until interrupted")
	timeouts := flag.Bool("timeouts", false, "bound slow clients as Microlab's http.Server does (read, write and idle timeouts)")
	headers := flag.Bool("headers", false, "send Microlab's response headers too (policy, cookie, request id…), as fetched")
	flag.Parse()
	if *from == "" {
		fmt.Fprintln(os.Stderr, "bare: -from is required")
		os.Exit(2)
	}
	plain, extra, err := fetch(*from, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	if !*headers {
		extra = nil
	}
	gzipped, _, err := fetch(*from, "gzip")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	plainLen, gzipLen := strconv.Itoa(len(plain)), strconv.Itoa(len(gzipped))
	fmt.Printf("bare: %d bytes plain, %d gzipped (0: not compressed), on %s\n", len(plain), len(gzipped), *addr)
	h := func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		for k, v := range extra {
			hd[k] = v
		}
		hd.Set("Content-Type", "text/html; charset=UTF-8")
		if gzipped != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			hd.Set("Content-Encoding", "gzip")
			hd.Set("Vary", "Accept-Encoding")
			hd.Set("Content-Length", gzipLen)
			w.Write(gzipped)
			return
		}
		hd.Set("Content-Length", plainLen)
		w.Write(plain)
	}
	srv := &http.Server{Addr: *addr, Handler: http.HandlerFunc(h), ReadHeaderTimeout: 5 * time.Second}
	if *timeouts {
		// As web.Server.HTTPServer sets them.
		srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes = 15*time.Second, 30*time.Second, 120*time.Second, 32<<10
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bare:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt)
		go func() {
			<-stop
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(0)
		}()
	}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

// fetch is the body of url as sent with the given Accept-Encoding, not
// decoded, and the response's headers but those that describe the body;
// the body is nil when an encoding was asked for and the answer has
// another.
func fetch(url, encoding string) ([]byte, http.Header, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	// A Transport of our own that leaves the encoding alone: the default
	// one would ask for gzip itself and decode it.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: %d %v", url, res.StatusCode, err)
	}
	extra := res.Header.Clone()
	for _, k := range []string{"Date", "Content-Type", "Content-Length", "Content-Encoding", "Vary"} {
		extra.Del(k)
	}
	if encoding != "" && res.Header.Get("Content-Encoding") != encoding {
		// The server under test does not compress this page: neither will
		// the copy.
		fmt.Fprintf(os.Stderr, "bare: %s answers Accept-Encoding %s with Content-Encoding %q; serving the plain bytes to every request\n", url, encoding, res.Header.Get("Content-Encoding"))
		return nil, extra, nil
	}
	return body, extra, nil
}
