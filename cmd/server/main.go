// Command server runs Microlab: the web application by default, or one of
// its subcommands.
//
//	server [flags]                 serve the site (see -h for the flags)
//	server healthcheck [-addr A]   exit 0 if a server on A answers /healthz
//	server sim --list              the simulator's scenarios, one a line
//	server sim --scenario NAME --seed N --for 60s [--json]
//	                               run a scenario headless and print its checks
//
// Configuration comes from flags and MICROLAB_* environment variables; a
// flag wins over its variable.
package main

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the learners' time zones, on machines without a tz database

	"microlab/internal/logbuf"
	"microlab/internal/materials"
	"microlab/lab"
	"microlab/simulator"
	"microlab/store"
	"microlab/web"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status, so tests
// can drive every subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "healthcheck":
			return healthcheck(args[1:], getenv, stdout, stderr)
		case "sim":
			return simulator.RunCLI(args[1:], stdout, stderr)
		}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, errHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "microlab:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "microlab:", err)
		return 1
	}
	return 0
}

// serve runs the server until ctx is cancelled, then shuts down gracefully:
// it ends the live labs (their sockets hear 1001 at once), stops accepting,
// lets in-flight requests finish (up to cfg.ShutdownTimeout, then cuts them
// off) and closes the database. The metrics, when
// cfg.MetricsAddr names an address, are served on a listener of their own
// and shut down with the site.
func serve(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	// Every request logs a line: batching them saves a write system call
	// per request. A line shows within 100 ms; Close writes the rest.
	logs := logbuf.New(stderr, 64<<10, 100*time.Millisecond)
	defer logs.Close()
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "microlab.db"), store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	lib, catalog, err := materials.Load()
	if err != nil {
		return err
	}
	deck, err := materials.Deck(lib, catalog)
	if err != nil {
		return err
	}
	designs, err := materials.Designs(lib)
	if err != nil {
		return err
	}
	secret, err := loadSecret(filepath.Join(cfg.DataDir, "secret.key"))
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{
		BaseURL: cfg.BaseURL, Secret: secret, TrustedProxies: cfg.TrustedProxies, RunsTTL: cfg.RunsTTL,
		Labs: lab.Limits{Total: cfg.Labs, PerAddress: cfg.LabsPerAddress, Sockets: labSockets(cfg.LabSockets)},
	}, web.Deps{Log: log, DB: db, Store: db, Content: lib, Quiz: catalog, Deck: deck, Designs: designs})
	if err != nil {
		return err
	}
	listeners, err := listen(cfg, srv, log)
	if err != nil {
		return err
	}
	go srv.SweepRuns(ctx)
	// Loading and rendering the content allocates tens of megabytes that
	// are garbage once the caches are built; give them back to the OS now
	// rather than carry them as resident memory until the heap grows again.
	debug.FreeOSMemory()
	url := "http://" + listeners[0].ln.Addr().String()
	if cfg.BaseURL != "" {
		url = cfg.BaseURL
	}
	fmt.Fprintf(stdout, "Microlab is serving on %s\n", url)
	log.Info("serving", "addr", listeners[0].ln.Addr().String(), "data", cfg.DataDir)
	if len(listeners) > 1 {
		log.Info("serving metrics", "addr", listeners[1].ln.Addr().String())
	}

	errc := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() { errc <- l.hs.Serve(l.ln) }()
	}
	select {
	case err := <-errc:
		for _, l := range listeners {
			l.hs.Close()
		}
		srv.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownTimeout)
	// The labs first: http.Server.Shutdown leaves websockets alone, and a
	// lab socket should hear goodbye (1001) at once, not after a slow
	// request has used up the grace.
	srv.Close()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// The site first, so the metrics can still be scraped while it drains.
	for _, l := range listeners {
		if err := l.hs.Shutdown(sctx); err != nil {
			log.Warn("in-flight requests cut short", "addr", l.hs.Addr, "err", err)
			l.hs.Close()
		}
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	log.Info("stopped")
	return nil
}

// listener is one address the server answers on.
type listener struct {
	ln net.Listener
	hs *http.Server
}

// listen opens the site's listener and, when cfg.MetricsAddr is set, the
// metrics' one, the site's first. A metrics address given on purpose that
// cannot be bound stops the start: an operator who asked for metrics would
// otherwise scrape nothing and not know why. The default one only warns, so
// "go run ./cmd/server" starts whatever else the machine runs.
func listen(cfg Config, srv *web.Server, log *slog.Logger) ([]listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	listeners := []listener{{ln, srv.HTTPServer(cfg.Addr)}}
	if cfg.MetricsAddr == "" {
		return listeners, nil
	}
	mln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil && cfg.MetricsAddr == defaultMetricsAddr {
		log.Warn("metrics not served: the default address is taken; set -metrics-addr", "addr", cfg.MetricsAddr, "err", err)
		return listeners, nil
	}
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen for metrics on %s: %w", cfg.MetricsAddr, err)
	}
	return append(listeners, listener{mln, srv.MetricsServer(cfg.MetricsAddr)}), nil
}

// healthcheck asks a running server for /healthz: the Dockerfile's
// HEALTHCHECK, with no curl in the image.
func healthcheck(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 2
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 2
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	res, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "healthcheck: /healthz answered", res.Status)
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

// loadSecret reads the key that signs learner cookies, creating it on the
// first start. It lives beside the database: losing it logs every learner
// out of their data, so it must survive restarts as the database does.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("secret %s: want at least 64 hex characters", path)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	key := make([]byte, 32)
	crand.Read(key)
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return key, nil
}
