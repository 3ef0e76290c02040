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
	"syscall"
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
	// RunsTTL is how long a recorded lab run is kept after its last change.
	RunsTTL time.Duration
	Labs    int
	// LabsPerAddress bounds the labs started from one client address; 0
	// takes the lab package's default.
	LabsPerAddress int
	// LabSockets bounds the lab connections of the whole server; 0 derives
	// it from the file descriptor limit at start-up.
	LabSockets int
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
}

var errHelp = errors.New("help requested")

// defaultMetricsAddr is where /metrics is served unless told otherwise:
// loopback only, on the port Prometheus exporters conventionally use
// (9090 is Prometheus's own). Should it be taken, the server starts without
// metrics rather than not at all; an address given on purpose must bind.
const defaultMetricsAddr = "127.0.0.1:9464"

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
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", env("MICROLAB_METRICS_ADDR", defaultMetricsAddr), "address to serve /metrics on, apart from the site; empty or off serves none [MICROLAB_METRICS_ADDR]")
	fs.StringVar(&cfg.DataDir, "data", env("MICROLAB_DATA", "./data"), "folder for the SQLite database, created if missing [MICROLAB_DATA]")
	fs.StringVar(&level, "log-level", env("MICROLAB_LOG_LEVEL", "info"), "debug, info, warn or error [MICROLAB_LOG_LEVEL]")
	fs.StringVar(&cfg.BaseURL, "base-url", env("MICROLAB_BASE_URL", ""), "public URL when behind a proxy, e.g. https://microlab.example [MICROLAB_BASE_URL]")
	labs := env("MICROLAB_LABS", "200")
	fs.StringVar(&labs, "labs", labs, "most live lab simulations the server runs at once [MICROLAB_LABS]")
	perAddr := env("MICROLAB_LABS_PER_ADDRESS", "0")
	fs.StringVar(&perAddr, "labs-per-address", perAddr, "most live labs started from one client address (0: 20); raise it for a classroom behind one address [MICROLAB_LABS_PER_ADDRESS]")
	sockets := env("MICROLAB_LAB_SOCKETS", "0")
	fs.StringVar(&sockets, "lab-sockets", sockets, "most lab websocket connections at once (0: half the file descriptor limit, at most 10000) [MICROLAB_LAB_SOCKETS]")
	proxies := env("MICROLAB_TRUSTED_PROXIES", "")
	fs.StringVar(&proxies, "trusted-proxies", proxies, "comma-separated addresses or CIDR networks of reverse proxies whose X-Forwarded-For is believed; empty believes none [MICROLAB_TRUSTED_PROXIES]")
	// The labs take at most 2 s to say goodbye, then requests get this: the
	// total stays under the 10 s a container runtime waits before it kills.
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 5*time.Second, "how long in-flight requests may take to finish on shutdown")
	fs.DurationVar(&cfg.RunsTTL, "runs-ttl", 30*24*time.Hour, "how long a recorded lab run is kept after its last change (1m to 8760h)")
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
	if cfg.RunsTTL < time.Minute || cfg.RunsTTL > 8760*time.Hour {
		return cfg, fmt.Errorf("runs-ttl %v: want 1m to 8760h", cfg.RunsTTL)
	}
	n, err := strconv.Atoi(labs)
	if err != nil || n < 1 || n > 10000 {
		return cfg, fmt.Errorf("labs %q: want a number from 1 to 10000", labs)
	}
	cfg.Labs = n
	if cfg.LabsPerAddress, err = strconv.Atoi(perAddr); err != nil || cfg.LabsPerAddress < 0 || cfg.LabsPerAddress > 10000 {
		return cfg, fmt.Errorf("labs per address %q: want a number from 0 to 10000", perAddr)
	}
	if cfg.LabSockets, err = strconv.Atoi(sockets); err != nil || cfg.LabSockets < 0 || cfg.LabSockets > 100000 {
		return cfg, fmt.Errorf("lab sockets %q: want a number from 0 to 100000", sockets)
	}
	if cfg.TrustedProxies, err = parseNetworks(proxies); err != nil {
		return cfg, err
	}
	if cfg.ShutdownTimeout <= 0 || cfg.ShutdownTimeout > 5*time.Minute {
		return cfg, fmt.Errorf("shutdown timeout %s: want between 0 and 5m", cfg.ShutdownTimeout)
	}
	return cfg, nil
}

// parseNetworks reads a comma-separated list of addresses and CIDR networks;
// an address stands for itself alone.
func parseNetworks(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("trusted proxy %q: want an IP address or a CIDR network such as 10.0.0.0/8", f)
			}
			bits := 8 * len(ip.To4())
			if bits == 0 {
				bits = 128
			}
			f += "/" + strconv.Itoa(bits)
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or a CIDR network such as 10.0.0.0/8", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// labSockets is the server-wide cap on lab connections: the configured one,
// or half the file descriptor limit (the rest stays for pages, the database
// and /healthz), at most 10 000 (each costs about 50 KB).
func labSockets(configured int) int {
	if configured > 0 {
		return configured
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 1000
	}
	return int(min(max(rl.Cur/2, 64), 10000))
}
