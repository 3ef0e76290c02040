package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/content"
	"microlab/internal/window"
	"microlab/interview"
	"microlab/lab"
	"microlab/quiz"
	"microlab/simulator"
	"microlab/web/views"
)

// Config is what the web layer needs from the command line.
type Config struct {
	// BaseURL is the public URL of the site, when it is served behind a
	// proxy; empty means "whatever Host the request names".
	BaseURL string
	// MaxBody bounds request bodies on routes without a limit of their own;
	// zero means 64 KB.
	MaxBody int64
	// Secret signs learner cookies: at least 32 bytes, kept across
	// restarts, or every learner loses their data on the next start.
	Secret []byte
	// Labs bounds the live labs: per learner, per client address, in all,
	// their sockets, lifetime and CPU. Zero fields take lab's defaults.
	Labs lab.Limits
	// ImportsPerLearner and ImportsPerAddress bound the files a learner,
	// and a client address, may import in a minute, ImportsPerAddressDay
	// those of an address in a day; zero means 3, 10 and 100.
	ImportsPerLearner, ImportsPerAddress, ImportsPerAddressDay int
	// RunsTTL is how long a recorded lab run is kept after its last
	// change; zero means 30 days.
	RunsTTL time.Duration
	// TrustedProxies are the networks of the reverse proxies whose
	// X-Forwarded-For is believed. Empty: the client's address is the
	// connection's, whatever a header says.
	TrustedProxies []*net.IPNet
}

// Database is what the web layer needs of the store.
type Database interface {
	Ping(ctx context.Context) error
}

// Deps are the parts of the program the web layer serves.
type Deps struct {
	Log     *slog.Logger
	DB      Database
	Store   LearnerStore
	Content *content.Library
	Quiz    *quiz.Catalog
	// Deck is the atomic flashcards (materials.Deck); without them the
	// review deck holds only the interview questions' explain-aloud cards.
	Deck []quiz.Fact
	// Designs are the mock interview's system-design prompts
	// (materials.Designs); without them the 30-minute round asks interview
	// questions only.
	Designs []interview.Design
}

// Server is the Microlab web application.
type Server struct {
	cfg       Config
	baseURL   *url.URL
	secret    []byte
	log       *slog.Logger
	db        Database
	content   *content.Library
	store     LearnerStore
	catalog   *quiz.Catalog
	scheduler quiz.Scheduler
	cards     []views.Flashcard
	// cardIndex finds a card by id; cardsByQuestion names the cards a quiz
	// question tests (see lapse).
	cardIndex       map[string]int
	cardsByQuestion map[string][]string
	// designs and rubrics are the mock interview's (interview.go).
	designs []interview.Design
	rubrics map[string]*views.Rubric
	// clock, when set, replaces the wall clock (tests).
	clock func() time.Time
	echo  *echo.Echo
	// chain is every request's middleware around the routed handler.
	chain   echo.HandlerFunc
	assets  *assets
	metrics *metrics
	pages   *pageCache
	reports labReports
	labs    *lab.Manager
	// imports bound how often a learner, and a client address, may import
	// a file: each import holds the one writer of the database for a while.
	importsByLearner, importsByAddress, importsByAddressDay *window.Limit
	bodyLimits                                              map[string]int64
	// runs keeps the labs' recorded runs (labruns.go).
	runs *runSaver
}

// New builds the server and registers every route.
func New(cfg Config, deps Deps) (*Server, error) {
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.ImportsPerLearner <= 0 {
		cfg.ImportsPerLearner = importsPerLearner
	}
	if cfg.ImportsPerAddress <= 0 {
		cfg.ImportsPerAddress = importsPerAddress
	}
	if cfg.ImportsPerAddressDay <= 0 {
		cfg.ImportsPerAddressDay = importsPerAddressDay
	}
	if deps.Log == nil || deps.DB == nil || deps.Store == nil || deps.Content == nil || deps.Quiz == nil {
		return nil, fmt.Errorf("web: New needs a logger, a database, a store, the content and the quiz catalog")
	}
	if len(cfg.Secret) < 32 {
		return nil, fmt.Errorf("web: the cookie secret must be at least 32 bytes, got %d", len(cfg.Secret))
	}
	s := &Server{cfg: cfg, secret: cfg.Secret, log: deps.Log, db: deps.DB, content: deps.Content, store: deps.Store, catalog: deps.Quiz, scheduler: quiz.DefaultScheduler(), metrics: newMetrics(), pages: newPageCache(), bodyLimits: map[string]int64{}}
	s.labs = lab.NewManager(cfg.Labs, deps.Log)
	s.runs = newRunSaver(deps.Store, deps.Log, s.runsTTL(), s.now)
	s.labs.SetRecorder(s.runs)
	s.importsByLearner = window.New(cfg.ImportsPerLearner, time.Minute, 0)
	s.importsByAddress = window.New(cfg.ImportsPerAddress, time.Minute, 0)
	// A day's imports of 2 000 addresses, at 100 each, are 200 000 times:
	// about 5 MB.
	s.importsByAddressDay = window.New(cfg.ImportsPerAddressDay, 24*time.Hour, 2000)
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("web: base URL %q must be an absolute http(s) URL", cfg.BaseURL)
		}
		s.baseURL = u
	}
	a, err := loadAssets(mustSub(staticFiles, "static"))
	if err != nil {
		return nil, fmt.Errorf("web: load static assets: %w", err)
	}
	a.add("css/highlight.css", "text/css; charset=utf-8", []byte(deps.Content.HighlightCSS()))
	s.assets = a
	s.cards = s.buildCards(deps.Deck)
	s.indexCards()
	s.designs = deps.Designs
	s.rubrics = s.buildRubrics()
	s.bodyLimits["/progress/import"] = maxImport + 64<<10 // the file plus the multipart envelope
	s.bodyLimits["/lab/runs/import"] = simulator.MaxRecordBytes + 64<<10

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = clientIP(cfg.TrustedProxies)
	e.HTTPErrorHandler = s.handleError
	s.echo = e
	s.routes()
	return s, nil
}

// Close stops every live lab and closes its websockets with 1001 (going
// away). http.Server.Shutdown does not wait for hijacked connections such
// as websockets, so call Close as well, and before it: a lab socket then
// hears goodbye at once rather than after the slowest request.
func (s *Server) Close() {
	s.labs.Close()
	s.runs.close() // the labs' last saves, now that they have stopped
}

// ServeHTTP makes the server an http.Handler. It is Echo's own ServeHTTP
// but for the middleware, built once (routes.go's chain) rather than per
// request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := s.echo.AcquireContext()
	c.Reset(r, w)
	s.echo.Router().Find(r.Method, echo.GetPath(r), c)
	if err := s.chain(c); err != nil {
		s.echo.HTTPErrorHandler(err, c)
	}
	s.echo.ReleaseContext(c)
}

// HTTPServer wraps the handler in an http.Server with timeouts that bound
// slow clients: reading headers, reading the body, writing the answer and
// idling between requests.
func (s *Server) HTTPServer(addr string) *http.Server { return s.boundedServer(addr, s) }

// MetricsHandler serves the Prometheus metrics at /metrics. It is not on the
// site's own router: what the server counts (routes, statuses, memory,
// goroutines) is for its operators, so cmd/server serves it on a listener
// of its own, on loopback unless told otherwise.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler() }

// MetricsServer is MetricsHandler in an http.Server with the same bounds on
// slow clients as HTTPServer.
func (s *Server) MetricsServer(addr string) *http.Server {
	return s.boundedServer(addr, s.MetricsHandler())
}

func (s *Server) boundedServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}
