// Command loadtest measures how fast Microlab serves one page, side by side
// with the ceiling of the stack: the same bytes from memory through a bare
// net/http handler, and as a static file through net/http's file server.
//
//	go run ./cmd/loadtest -path / -duration 10s -conns 64
//	go run ./cmd/loadtest -path / -serve 60s   # just serve the three, for wrk
//	go run ./cmd/loadtest -quiz-clients 64      # learners answering quizzes
//	go run ./cmd/loadtest -coldstart ./microlab # start-up time and idle memory
//	go run ./cmd/loadtest -lab-viewers 500 -duration 20s   # one live lab, many viewers (lab.go)
//	go run ./cmd/loadtest -lab-viewers 200 -lab-class -lab-mem 0   # the same in class mode, every viewer voting
//	go run ./cmd/loadtest -lab-abuse 12     # pages while labs fast-forward (abuse.go)
//	go run ./cmd/loadtest -import-abuse 3   # answers while clients import (imports.go)
//
// Everything runs on 127.0.0.1 and stops by itself. The server logs at
// warn level, so the numbers are not an access-log benchmark.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"microlab/internal/materials"
	"microlab/internal/quizclient"
	"microlab/lab"
	"microlab/quiz"
	"microlab/store"
	"microlab/web"
)

func main() {
	path := flag.String("path", "/", "page of Microlab to measure")
	duration := flag.Duration("duration", 10*time.Second, "how long to load each target (at most 60s)")
	conns := flag.Int("conns", 64, "concurrent connections (1 to 512)")
	serve := flag.Duration("serve", 0, "only serve the three targets this long (for wrk), then exit")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	coldStart := flag.String("coldstart", "", "instead: start this server binary 5 times and report start-up time and idle memory")
	quizClients := flag.Int("quiz-clients", 0, "instead of pages, run this many learners answering quizzes (1 to 512)")
	answersOnly := flag.Bool("answers-only", false, "with -quiz-clients: read each quiz's questions once from the export and only post answers")
	labViewers := flag.Int("lab-viewers", 0, "instead: connect this many viewers (1 to 2000) to one live lab and measure frames, delay and server CPU")
	labMem := flag.Int("lab-mem", 10, "with -lab-viewers: then start this many labs (0 to 50) with 10 viewers each to measure memory per lab")
	labChildFlag := flag.Bool("lab-child", false, "internal: be the server of a -lab-viewers run")
	labClass := flag.Bool("lab-class", false, "with -lab-viewers: a scenario's lab in class mode, every viewer voting every 1 to 3 s while the run waits")
	labAbuse := flag.Int("lab-abuse", 0, "instead: measure a pattern page's latency alone, then while this many labs (1 to 100) fast-forward without pause")
	importAbuse := flag.Int("import-abuse", 0, "instead: measure answer latency alone, then while this many clients (1 to 16) import a 1 MB file in a loop (imports.go)")
	flag.Parse()
	if *labChildFlag {
		if err := labChild(); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest child:", err)
			os.Exit(1)
		}
		return
	}
	if *labAbuse != 0 {
		if *labAbuse < 1 || *labAbuse > 100 || *duration <= 0 || *duration > time.Minute {
			fmt.Fprintln(os.Stderr, "loadtest: -lab-abuse must be in [1, 100], -duration in (0, 60s]")
			os.Exit(2)
		}
		if err := runLabAbuse(*labAbuse, *duration); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *importAbuse != 0 {
		if *importAbuse < 1 || *importAbuse > 16 || *duration <= 0 || *duration > time.Minute {
			fmt.Fprintln(os.Stderr, "loadtest: -import-abuse must be in [1, 16], -duration in (0, 60s]")
			os.Exit(2)
		}
		if err := runImportAbuse(*importAbuse, *duration); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *labViewers != 0 {
		if *labViewers < 1 || *labViewers > 2000 || *labMem < 0 || *labMem > 50 || *duration <= 0 || *duration > time.Minute {
			fmt.Fprintln(os.Stderr, "loadtest: -lab-viewers must be in [1, 2000], -lab-mem in [0, 50], -duration in (0, 60s]")
			os.Exit(2)
		}
		if err := runLab(*labViewers, *duration, *labMem, *labClass); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *duration <= 0 || *duration > time.Minute || *conns < 1 || *conns > 512 || *serve < 0 || *serve > time.Hour || *quizClients < 0 || *quizClients > 512 {
		fmt.Fprintln(os.Stderr, "loadtest: -duration must be in (0, 60s], -conns in [1, 512], -serve in [0, 1h]")
		os.Exit(2)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var err error
	if *coldStart != "" {
		err = runColdStart(*coldStart, 5)
	} else if *quizClients > 0 {
		err = runQuiz(*quizClients, *duration, *answersOnly)
	} else {
		err = run(*path, *duration, *conns, *serve)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// app is a Microlab server on a fresh database in a temporary folder.
type app struct {
	dir     string
	db      *store.DB
	server  *web.Server
	catalog *quiz.Catalog
}

func newApp() (*app, error) { return newAppWith(store.Options{}, web.Config{}) }

// newAppWith is newApp with the store's options and the web layer's
// configuration given; the secret and the lab limits are the load test's.
func newAppWith(opts store.Options, cfg web.Config) (*app, error) {
	dir, err := os.MkdirTemp("", "microlab-loadtest-")
	if err != nil {
		return nil, err
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "load.db"), opts)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	lib, catalog, err := materials.Load()
	if err != nil {
		return nil, err
	}
	deck, err := materials.Deck(lib, catalog)
	if err != nil {
		return nil, err
	}
	// Every client of a load test is this machine, one address: lift the
	// per-address bounds that would otherwise stop it first.
	local := lab.Limits{PerAddress: 10000, StartsPerMinute: 100000, Sockets: 100000, SocketsPerAddress: 100000}
	cfg.Secret, cfg.Labs = []byte("loadtest-secret-loadtest-secret!!"), local
	h, err := web.New(cfg, web.Deps{Log: log, DB: db, Store: db, Content: lib, Quiz: catalog, Deck: deck})
	if err != nil {
		return nil, err
	}
	return &app{dir: dir, db: db, server: h, catalog: catalog}, nil
}

func (a *app) close() {
	a.server.Close()
	a.db.Close()
	os.RemoveAll(a.dir)
}

// serveApp is newAppWith, served on a free port of 127.0.0.1: it returns
// the app, its URL and a function that stops and removes both.
func serveApp(opts store.Options, cfg web.Config) (*app, string, func(), error) {
	a, err := newAppWith(opts, cfg)
	if err != nil {
		return nil, "", nil, err
	}
	url, stop, err := listen(a.server)
	if err != nil {
		a.close()
		return nil, "", nil, err
	}
	return a, url, func() { stop(); a.close() }, nil
}

func run(path string, duration time.Duration, conns int, serve time.Duration) error {
	a, appURL, stopApp, err := serveApp(store.Options{}, web.Config{})
	if err != nil {
		return err
	}
	defer stopApp()
	dir := a.dir

	// The page's bytes, fetched once, for the two baselines.
	res, err := http.Get(appURL + path)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %v", path, res.StatusCode, err)
	}
	// The same bytes with Microlab's own response headers (CSP, cookie,
	// request id…): it separates the cost of the stack from the cost of
	// sending a bigger header block.
	appHeader := res.Header.Clone()
	appHeader.Del("Date")
	bareWithHeaders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range appHeader {
			h[k] = v
		}
		w.Write(body)
	})
	bareHeadersURL, stopBareHeaders, err := listen(bareWithHeaders)
	if err != nil {
		return err
	}
	defer stopBareHeaders()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})
	bareURL, stopBare, err := listen(bare)
	if err != nil {
		return err
	}
	defer stopBare()
	staticDir := filepath.Join(dir, "static")
	os.MkdirAll(staticDir, 0o755)
	if err := os.WriteFile(filepath.Join(staticDir, "page.html"), body, 0o644); err != nil {
		return err
	}
	staticURL, stopStatic, err := listen(http.FileServer(http.Dir(staticDir)))
	if err != nil {
		return err
	}
	defer stopStatic()

	targets := []struct{ name, url string }{
		{"microlab " + path, appURL + path},
		{"bare handler (same bytes from memory)", bareURL + "/"},
		{"net/http static file", staticURL + "/page.html"},
		{"bare handler + Microlab's headers", bareHeadersURL + "/"},
	}
	if serve > 0 {
		for _, t := range targets {
			fmt.Printf("%-40s %s\n", t.name, t.url)
		}
		fmt.Printf("serving for %s\n", serve)
		time.Sleep(serve)
		return nil
	}
	fmt.Printf("page %s: %d bytes of body, %d of headers; %d connections, %s per target, GOMAXPROCS shared by load and server\n\n", path, len(body), headerBytes(res), conns, duration)
	fmt.Printf("%-40s %12s %10s %10s %8s\n", "target", "requests/s", "p50", "p99", "errors")
	var first float64
	for i, t := range targets {
		load(t.url, conns, time.Second) // warm up
		r := load(t.url, conns, duration)
		rps := float64(r.count) / r.elapsed.Seconds()
		if i == 0 {
			first = rps
		}
		fmt.Printf("%-40s %12.0f %10s %10s %8d", t.name, rps, r.quantile(0.50), r.quantile(0.99), r.errors)
		if i > 0 {
			fmt.Printf("   microlab = %.2f×", first/rps)
		}
		fmt.Println()
	}
	return nil
}

// listen serves h on a free port of 127.0.0.1.
func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

type result struct {
	count, errors int
	elapsed       time.Duration
	latencies     []time.Duration
}

func (r result) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(q*float64(len(r.latencies)-1))].Round(time.Microsecond)
}

// load sends GET url from conns keep-alive connections for d and returns
// what it saw. Each worker keeps its own latencies; they are merged once.
func load(url string, conns int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var all result
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			for time.Now().Before(deadline) {
				t0 := time.Now()
				res, err := client.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != 200 {
						err = errors.New(res.Status)
					}
				}
				if err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all.latencies = append(all.latencies, lat...)
			all.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	all.count = len(all.latencies)
	sort.Slice(all.latencies, func(i, j int) bool { return all.latencies[i] < all.latencies[j] })
	return all
}

// headerBytes is the size of res's header block as sent.
func headerBytes(res *http.Response) int {
	n := len("HTTP/1.1 200 OK\r\n\r\n")
	for k, vs := range res.Header {
		for _, v := range vs {
			n += len(k) + len(": ") + len(v) + len("\r\n")
		}
	}
	return n
}

// runQuiz has clients learners take 20-question quizzes for d, each answer
// a real form post that the server commits before its 303, then checks
// that the database holds exactly the acknowledged answers.
func runQuiz(clients int, d time.Duration, answersOnly bool) error {
	a, base, stop, err := serveApp(store.Options{}, web.Config{})
	if err != nil {
		return err
	}
	defer stop()
	r, errs := answer(base, a.catalog, clients, d, answersOnly)
	elapsed, latencies := r.elapsed, r.latencies
	stored, err := a.db.CountAnswers(context.Background())
	if err != nil {
		return err
	}
	flow := "each answer: GET the question page, POST the form, 303 after commit"
	if answersOnly {
		flow = "questions read once per quiz from the export; each answer: POST the form, 303 after commit"
	}
	fmt.Printf("%d learners answering 20-question quizzes for %s (%s)\n", clients, elapsed.Round(time.Millisecond), flow)
	fmt.Printf("acknowledged answers: %d (%.0f/s); answer POST latency p50 %s, p99 %s; client errors: %d\n",
		len(latencies), float64(len(latencies))/elapsed.Seconds(), r.quantile(0.5), r.quantile(0.99), len(errs))
	fmt.Printf("answers in the database: %d (%s)\n", stored, map[bool]string{true: "every acknowledged answer is there", false: "MISMATCH"}[stored == len(latencies)])
	if len(errs) > 0 {
		return fmt.Errorf("first client error: %w", errs[0])
	}
	if stored != len(latencies) {
		return fmt.Errorf("%d answers acknowledged but %d stored", len(latencies), stored)
	}
	return nil
}

// answer has clients learners take 20-question quizzes on base for d and
// returns the latencies of the answers the server acknowledged, sorted,
// and the error that stopped each client that failed.
func answer(base string, catalog *quiz.Catalog, clients int, d time.Duration, answersOnly bool) (result, []error) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      []error
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := quizclient.New(base, catalog, tr)
			var mine []time.Duration
			for time.Now().Before(deadline) {
				record := func(ack quizclient.Ack) { mine = append(mine, ack.Latency) }
				var err error
				if answersOnly {
					// A fresh learner per quiz keeps each export one quiz long.
					err = quizclient.New(base, catalog, tr).AnswerQuiz(20, record)
				} else {
					err = c.TakeQuiz(20, record)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					break
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	return result{count: len(latencies), errors: len(errs), elapsed: time.Since(start), latencies: latencies}, errs
}
