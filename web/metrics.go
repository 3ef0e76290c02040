package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's own Prometheus metrics, on a registry of their
// own so that tests can start many servers in one process.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// resolved caches the children of both vectors per label set, so a
	// request does not hash its labels twice. Every label comes from a
	// closed set (routes from the route table, methods from methodLabel,
	// statuses from our handlers), so the cache is bounded too.
	resolved sync.Map // seriesKey → *series
}

type seriesKey struct {
	route, method string
	status        int
}

type series struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

func (s *series) observe(d time.Duration) {
	s.count.Inc()
	s.latency.Observe(d.Seconds())
}

func (m *metrics) series(route, method string, status int) *series {
	k := seriesKey{route, method, status}
	if s, ok := m.resolved.Load(k); ok {
		return s.(*series)
	}
	s := &series{
		count:   m.requests.WithLabelValues(route, method, strconv.Itoa(status)),
		latency: m.latency.WithLabelValues(route, method),
	}
	actual, _ := m.resolved.LoadOrStore(k, s)
	return actual.(*series)
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microlab_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "microlab_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe counts every request by its route pattern (never the raw path,
// which would let anyone mint label values).
func (m *metrics) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route, method := routeOf(c), methodLabel(c.Request().Method)
		m.series(route, method, c.Response().Status).observe(time.Since(start))
		return err
	}
}

// methodLabel is the method's label: the standard methods as they are, any
// other token as "other". A client may send any token as a method, and each
// new label value would be a new series kept for ever.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// handler serves the registry at /metrics and nothing else, for a
// listener of its own.
func (m *metrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	return mux
}
