package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/lab"
	"microlab/simulator"
	"microlab/store"
	"microlab/web/views"
)

// Recorded runs: every live lab's run is kept (lab.Recorder) and served at
// /lab/r/{id}, where anyone with the link replays it, scrubs it and forks
// it; its owner may delete it. A run file exported from there imports
// back, and replays headless with `server sim --replay FILE`.

// defaultRunsTTL is how long a run is kept after its last save.
const defaultRunsTTL = 30 * 24 * time.Hour

// runSaver is the labs' Recorder: it keeps the newest version of each run
// waiting, and one goroutine writes them, so a lab's goroutine never waits
// for the database. Waiting runs are bounded by the labs themselves (one
// per lab, a few hundred labs).
type runSaver struct {
	store LearnerStore
	log   *slog.Logger
	ttl   time.Duration
	now   func() time.Time

	mu      sync.Mutex
	waiting map[string]lab.Run
	writing int // runs taken from waiting and not yet written
	wake    chan struct{}
	done    chan struct{}
	stopped bool
}

func newRunSaver(st LearnerStore, log *slog.Logger, ttl time.Duration, now func() time.Time) *runSaver {
	r := &runSaver{store: st, log: log, ttl: ttl, now: now, waiting: map[string]lab.Run{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go r.loop()
	return r
}

// Record queues the run; a newer version replaces one still waiting.
func (r *runSaver) Record(run lab.Run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.waiting[run.ID] = run
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *runSaver) loop() {
	defer close(r.done)
	for range r.wake {
		for {
			r.mu.Lock()
			var run lab.Run
			found := false
			for id, w := range r.waiting {
				run, found = w, true
				delete(r.waiting, id)
				r.writing++
				break
			}
			stopped := r.stopped
			r.mu.Unlock()
			if !found {
				if stopped {
					return
				}
				break
			}
			r.write(run)
			r.mu.Lock()
			r.writing--
			r.mu.Unlock()
		}
	}
}

func (r *runSaver) write(run lab.Run) {
	b, err := encodeRecord(&run.Record)
	if err != nil {
		r.log.Error("lab run: encode", "run", run.ID, "err", err)
		return
	}
	now := r.now()
	row := store.LabRun{ID: run.ID, Title: run.Title, Scenario: run.Record.Scenario, EndNS: run.Record.EndNS,
		Commands: len(run.Record.Commands), Record: b, Created: run.Created, Saved: now, Expires: now.Add(r.ttl)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.store.SaveLabRun(ctx, run.Owner, row); err != nil {
		r.log.Error("lab run: save", "run", run.ID, "err", err)
	}
}

// flush waits, for up to two seconds, until every run handed over so far
// is written: a page that links to a run just ended then finds it.
func (r *runSaver) flush() {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		idle := len(r.waiting) == 0 && r.writing == 0
		r.mu.Unlock()
		if idle {
			return
		}
	}
}

// close writes what waits and stops; call it after the labs have stopped.
// It is safe to call more than once.
func (r *runSaver) close() {
	r.mu.Lock()
	if !r.stopped {
		r.stopped = true
		close(r.wake)
	}
	r.mu.Unlock()
	<-r.done
}

// SweepRuns deletes expired recorded runs now and then every hour, until
// ctx ends. The program runs it beside the server.
func (s *Server) SweepRuns(ctx context.Context) {
	for {
		if n, err := s.store.DeleteExpiredLabRuns(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.log.Error("lab runs: sweep", "err", err)
		} else if n > 0 {
			s.log.Info("lab runs: expired", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

func errRunNotFound() error {
	e := errorf(http.StatusNotFound, "There is no recorded run at this address. Runs are kept for a while after their last change, then deleted, and their owner may delete one sooner; or the link may be mistyped.")
	e.Hints = []views.Link{{Title: "Start a lab", URL: "/lab"}}
	return e
}

// loadRun reads run id and its record.
func (s *Server) loadRun(c echo.Context) (store.LabRun, *simulator.Record, error) {
	run, err := s.store.GetLabRun(c.Request().Context(), c.Param("id"), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return run, nil, errRunNotFound()
	}
	if err != nil {
		return run, nil, err
	}
	rec, err := decodeRecord(run.Record)
	if err != nil {
		return run, nil, fmt.Errorf("lab run %s: %w", run.ID, err)
	}
	if err := rec.Validate(); err != nil {
		return run, nil, fmt.Errorf("lab run %s: %w", run.ID, err)
	}
	return run, rec, nil
}

// Records are kept gzipped: a run's commands repeat themselves, and a
// 10-minute run with a hundred commands is 9.9 KB of JSON but 0.9 KB
// compressed. A row written before that (plain JSON, which starts with
// "{") reads as it is.

func encodeRecord(rec *simulator.Record) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(rec); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeRecord(b []byte) (*simulator.Record, error) {
	var r io.Reader = bytes.NewReader(b)
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		r = io.LimitReader(zr, simulator.MaxRecordBytes+1)
	}
	var rec simulator.Record
	if err := json.NewDecoder(r).Decode(&rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// replayPage is /lab/r/{id}: the dashboard, driven by a replay of the run,
// with a scrubber under it.
func (s *Server) replayPage(c echo.Context) error {
	run, rec, err := s.loadRun(c)
	if err != nil {
		return err
	}
	var sc *simulator.Scenario
	if rec.Scenario != "" {
		found, _ := simulator.ScenarioBySlug(rec.Scenario)
		sc = &found
	}
	rp := &views.LabReplay{RunID: run.ID, EndMS: rec.EndNS / 1e6, Mine: s.learnerID(c) == run.Owner}
	for _, cmd := range rec.Commands {
		rp.Marks = append(rp.Marks, views.ReplayMark{AtMS: cmd.AtNS / 1e6, Text: cmd.Command.Describe()})
	}
	// The run's turning points, found by replaying it once (a few
	// milliseconds for a scenario's minute); when the simulator is busy
	// the page goes without them.
	var marks []simulator.Mark
	var markErr error
	if err := s.labs.Evaluate(func() { marks, markErr = simulator.Landmarks(rec) }); err == nil && markErr == nil {
		for _, m := range marks {
			rp.Landmarks = append(rp.Landmarks, views.ReplayMark{AtMS: int64(m.At * 1000), Text: m.Label})
		}
	}
	v := views.LabLive{Title: run.Title, Scenario: sc, ShareURL: s.publicURL(c, "/lab/r/"+run.ID),
		Topology: s.labs.Topology(), Replay: rp}
	if sc != nil {
		v.PatternTitle = s.patternTitle(sc.Pattern)
	}
	f := s.labFrame(c, run.Title+" · replay", "A recorded run of the lab, to replay, scrub and fork.", "/lab/r/"+run.ID+"/ws")
	return s.page(c, views.LabLivePage(f, v))
}

// replaySocket starts a replay of the run for this one connection: it ends
// when the viewer leaves.
func (s *Server) replaySocket(c echo.Context) error {
	if err := s.checkSocket(c, "/lab/r/"+c.Param("id")); err != nil {
		return err
	}
	_, rec, err := s.loadRun(c)
	if err != nil {
		return err
	}
	id := s.learnerID(c)
	l, err := s.labs.StartReplay(id, clientKey(c), rec)
	if err != nil {
		return s.labRefusal(err, id)
	}
	v, err := l.Join(false, clientKey(c))
	if err != nil {
		l.End(lab.CloseNormal, "The replay could not start.")
		return s.labRefusal(err, id)
	}
	return s.serveSocket(c, v)
}

// replayExport is the run as a file.
func (s *Server) replayExport(c echo.Context) error {
	run, rec, err := s.loadRun(c)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="microlab-run-`+run.ID+`.json"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/json", append(b, '\n'))
}

// replayFork starts a live lab of the visitor's own from the moment "at"
// (seconds) of the run, and sends them to it.
func (s *Server) replayFork(c echo.Context) error {
	_, rec, err := s.loadRun(c)
	if err != nil {
		return err
	}
	raw := c.FormValue("at")
	at, err := strconv.ParseFloat(raw, 64)
	end := rec.End().Seconds()
	if err != nil || len(raw) > 20 || !(at >= 0 && at <= end) {
		return errorf(http.StatusBadRequest, "at must be a time in the run, in seconds from 0 to %.1f.", end)
	}
	id := s.ensureLearner(c)
	if id == "" {
		return errorf(http.StatusServiceUnavailable, "Your browser's learner could not be set up; try again.")
	}
	l, err := s.labs.StartFork(id, clientKey(c), rec, time.Duration(at*float64(time.Second)))
	if err != nil {
		return s.labRefusal(err, id)
	}
	return c.Redirect(http.StatusSeeOther, "/lab/s/"+l.Info().ID)
}

// replayDelete deletes the run; only its owner may.
func (s *Server) replayDelete(c echo.Context) error {
	err := s.store.DeleteLabRun(c.Request().Context(), s.learnerID(c), c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errorf(http.StatusNotFound, "You hold no recorded run at this address: only the person whose lab recorded a run can delete it.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/lab?deleted=run")
}

// runImport takes a run file, replays it headless to check every command
// applies, and keeps it as a new run of the importer's.
func (s *Server) runImport(c echo.Context) error {
	if err := s.importSpent(s.learnerID(c), clientKey(c)); err != nil {
		return err
	}
	fh, err := c.FormFile("run")
	if err != nil {
		return errorf(http.StatusBadRequest, "Choose a run file (the JSON a replay's “Download this run” gives) to import.")
	}
	if fh.Size > simulator.MaxRecordBytes {
		return errorf(http.StatusRequestEntityTooLarge, "That file is %d KB; a run file is at most %d KB.", fh.Size>>10, simulator.MaxRecordBytes>>10)
	}
	f, err := fh.Open()
	if err != nil {
		return errorf(http.StatusBadRequest, "The file could not be read.")
	}
	defer f.Close()
	rec, err := simulator.DecodeRecord(f)
	if err == nil {
		// Every command must apply where it stands: replay the run once,
		// within the labs' share of the CPU.
		var replayErr error
		if err = s.labs.Evaluate(func() { replayErr = simulator.CheckRecord(rec) }); err == nil {
			err = replayErr
		}
	}
	if errors.Is(err, lab.ErrBusy) {
		return errorf(http.StatusServiceUnavailable, "The simulator is busy; try the import again in a moment.")
	}
	if err != nil {
		return errorf(http.StatusBadRequest, "This run file cannot be replayed: %v. Nothing was imported.", err)
	}
	id := s.ensureLearner(c)
	if id == "" {
		return errorf(http.StatusServiceUnavailable, "Your browser's learner could not be set up; try again.")
	}
	title := "Free play"
	if rec.Scenario != "" {
		sc, _ := simulator.ScenarioBySlug(rec.Scenario)
		title = sc.Title
	}
	b, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	now := s.now()
	run := store.LabRun{ID: lab.NewRunID(), Title: title + " (imported)", Scenario: rec.Scenario, EndNS: rec.EndNS,
		Commands: len(rec.Commands), Record: b, Created: now, Saved: now, Expires: now.Add(s.runsTTL())}
	if err := s.store.SaveLabRun(c.Request().Context(), id, run); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/lab/r/"+run.ID)
}

func (s *Server) runsTTL() time.Duration {
	if s.cfg.RunsTTL > 0 {
		return s.cfg.RunsTTL
	}
	return defaultRunsTTL
}

// replayCompare is /lab/r/{id}/compare: the run beside the same scenario
// (or free play) as scripted, with no command of the learner's, on the
// same seed and so on the same traffic unless the run changed the load.
func (s *Server) replayCompare(c echo.Context) error {
	run, rec, err := s.loadRun(c)
	if err != nil {
		return err
	}
	plain := *rec
	plain.Commands, plain.Prediction = nil, -1
	var sums [2]simulator.RunSummary
	var errs [2]error
	if err := s.labs.Evaluate(func() {
		sums[0], errs[0] = simulator.Summarize(&plain)
		sums[1], errs[1] = simulator.Summarize(rec)
	}); err != nil {
		return s.challengeBusy(c, err)
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("lab run %s: %w", run.ID, err)
		}
	}
	v := views.RunCompare{Title: run.Title, RunID: run.ID, Scripted: sums[0], Yours: sums[1],
		ShareURL: s.publicURL(c, "/lab/r/"+run.ID+"/compare")}
	for _, cmd := range rec.Commands {
		v.Marks = append(v.Marks, simulator.Mark{At: float64(cmd.AtNS) / 1e9, Label: cmd.Command.Describe()})
	}
	f := s.challengeFrame(c, run.Title+": your run beside the script", "A recorded run beside the same run with none of its commands.")
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.page(c, views.RunComparePage(f, v))
}
