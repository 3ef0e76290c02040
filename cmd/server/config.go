package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server can be told at start-up.
type Config struct {
	Addr string
	// MetricsAddr is where /metrics is served, apart from the site; empty
	// serves no metrics.
	MetricsAddr     string
	DataDir         string
	LogLevel        slog.Level
	BaseURL         string
	ShutdownTimeout time.Duration
	Labs            int
}

var errHelp = errors.New("help requested")

// parseConfig fills a Config from flags, falling back to MICROLAB_*
// environment variables, falling back to the defaults.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var cfg Config
	var level string
	fs := flag.NewFlagSet("microlab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("MICROLAB_ADDR", "127.0.0.1:8080"), "address to listen on, host:port (port 0 picks a free one) [MICROLAB_ADDR]")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", env("MICROLAB_METRICS_ADDR", "127.0.0.1:9090"), "address to serve /metrics on, apart from the site; empty or off serves none [MICROLAB_METRICS_ADDR]")
	fs.StringVar(&cfg.DataDir, "data", env("MICROLAB_DATA", "./data"), "folder for the SQLite database, created if missing [MICROLAB_DATA]")
	fs.StringVar(&level, "log-level", env("MICROLAB_LOG_LEVEL", "info"), "debug, info, warn or error [MICROLAB_LOG_LEVEL]")
	fs.StringVar(&cfg.BaseURL, "base-url", env("MICROLAB_BASE_URL", ""), "public URL when behind a proxy, e.g. https://microlab.example [MICROLAB_BASE_URL]")
	labs := env("MICROLAB_LABS", "200")
	fs.StringVar(&labs, "labs", labs, "most live lab simulations the server runs at once [MICROLAB_LABS]")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "how long in-flight requests may take to finish on shutdown")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(strings.ToLower(level))); err != nil {
		return cfg, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	if cfg.MetricsAddr == "off" {
		cfg.MetricsAddr = "" // an empty variable reads as unset, so it cannot say "none"
	}
	if cfg.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
			return cfg, fmt.Errorf("metrics address %q: want host:port, empty or off", cfg.MetricsAddr)
		}
	}
	n, err := strconv.Atoi(labs)
	if err != nil || n < 1 || n > 10000 {
		return cfg, fmt.Errorf("labs %q: want a number from 1 to 10000", labs)
	}
	cfg.Labs = n
	if cfg.ShutdownTimeout <= 0 || cfg.ShutdownTimeout > 5*time.Minute {
		return cfg, fmt.Errorf("shutdown timeout %s: want between 0 and 5m", cfg.ShutdownTimeout)
	}
	return cfg, nil
}
