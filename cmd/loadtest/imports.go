package main

// The import abuse test: what looping importers cost other learners.
//
//	go run ./cmd/loadtest -import-abuse 3 -duration 10s
//
// It builds one export file of about 1 MB (quizzes and flashcard reviews
// that pass every check of an import), then, for three servers one after
// the other, measures 16 learners' answer latency alone and while
// -import-abuse clients upload that file in a loop, each upload as a fresh
// learner (a client that drops its cookies). The three servers:
//
//   - one transaction per import and no import rate, as before both were
//     bounded;
//   - imports in transactions of store.DefaultImportBatch rows, still no
//     import rate: what the bounded transactions alone do;
//   - as shipped: bounded transactions and the import rates per learner
//     and per address (all the clients share 127.0.0.1).

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"microlab/internal/materials"
	"microlab/internal/quizclient"
	"microlab/quiz"
	"microlab/store"
	"microlab/web"
)

// importAnswerers is how many learners answer while the importers loop.
const importAnswerers = 16

func runImportAbuse(importers int, d time.Duration) error {
	_, catalog, err := materials.Load()
	if err != nil {
		return err
	}
	file, rows, err := bigFile(catalog, 1<<20)
	if err != nil {
		return err
	}
	unlimited := web.Config{ImportsPerLearner: 1 << 30, ImportsPerAddress: 1 << 30, ImportsPerAddressDay: 1 << 30}
	servers := []struct {
		name string
		opts store.Options
		cfg  web.Config
	}{
		{"one transaction, no rate", store.Options{ImportBatch: 1 << 30}, unlimited},
		{fmt.Sprintf("%d-row transactions, no rate", store.DefaultImportBatch), store.Options{}, unlimited},
		{"as shipped (batches + rates)", store.Options{}, web.Config{}},
	}
	fmt.Printf("export file: %d bytes, %d rows; %d learners answer, %d clients import in a loop, %s each\n\n",
		len(file), rows, importAnswerers, importers, d)
	fmt.Printf("%-32s %22s %30s %18s %9s\n", "server", "answers alone p50/p99", "answers while importing p50/p99", "imports ok/refused", "DB growth")
	for _, sv := range servers {
		if err := importRound(sv.name, sv.opts, sv.cfg, file, importers, d); err != nil {
			return fmt.Errorf("%s: %w", sv.name, err)
		}
	}
	return nil
}

// importRound measures one server: answers alone, then answers while the
// importers loop.
func importRound(name string, opts store.Options, cfg web.Config, file []byte, importers int, d time.Duration) error {
	a, base, stop, err := serveApp(opts, cfg)
	if err != nil {
		return err
	}
	defer stop()
	answer(base, a.catalog, importAnswerers, time.Second, false) // warm up
	alone, errs := answer(base, a.catalog, importAnswerers, d, false)
	if len(errs) > 0 {
		return errs[0]
	}
	sizeBefore, err := dbSize(a)
	if err != nil {
		return err
	}

	var ok, refused, failed atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: importers, MaxConnsPerHost: importers}
	defer tr.CloseIdleConnections()
	for range importers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				status, err := quizclient.New(base, a.catalog, tr).Import(file)
				switch {
				case err != nil || status >= 500:
					failed.Add(1)
				case status == http.StatusSeeOther:
					ok.Add(1)
				default:
					refused.Add(1)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond) // let the importers get going
	busy, errs := answer(base, a.catalog, importAnswerers, d, false)
	close(done)
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d imports failed (network error or 5xx)", n)
	}
	sizeAfter, err := dbSize(a)
	if err != nil {
		return err
	}
	fmt.Printf("%-32s %10s / %9s %17s / %10s %8d / %7d %7.1f MB\n", name,
		alone.quantile(0.5), alone.quantile(0.99), busy.quantile(0.5), busy.quantile(0.99),
		ok.Load(), refused.Load(), float64(sizeAfter-sizeBefore)/(1<<20))
	return nil
}

// dbSize is the size of the app's database: its pages in use, those still
// in the write-ahead log included.
func dbSize(a *app) (int64, error) {
	conn, err := sql.Open("sqlite3", "file:"+a.db.Path()+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var pages, free, size int64
	for _, p := range []struct {
		pragma string
		into   *int64
	}{{"page_count", &pages}, {"freelist_count", &free}, {"page_size", &size}} {
		if err := conn.QueryRow("PRAGMA " + p.pragma).Scan(p.into); err != nil {
			return 0, err
		}
	}
	return (pages - free) * size, nil
}

// bigFile builds an export of just under limit bytes that passes every
// check of an import: finished quizzes of 20 questions from the catalog,
// each answered right, then flashcard reviews of the catalog's cards. It
// returns the file and how many rows an import of it writes.
func bigFile(catalog *quiz.Catalog, limit int) ([]byte, int, error) {
	questions := catalog.Questions()
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	e := quiz.Export{Format: quiz.ExportFormat, Version: quiz.ExportVersion, ExportedAt: at,
		Quizzes: []quiz.ExportQuiz{}, Cards: []quiz.ExportCard{}, ReviewLogs: []quiz.ExportReviewLog{}}
	rows := 0
	encoded := func() ([]byte, error) { return json.Marshal(e) }
	// Quizzes fill two thirds of the file, reviews the rest.
	for k := 0; ; k++ {
		q := quiz.ExportQuiz{ID: fmt.Sprintf("%032x", k+1), Spec: quiz.SpecRecord{Length: 20}, Seed: uint64(k), CreatedAt: at}
		for i := range 20 {
			question := questions[(k*20+i)%len(questions)]
			order := make([]int, len(question.Options))
			for j := range order {
				order[j] = j
			}
			_, choices := quizclient.RightAnswer(question, i+1)
			q.Items = append(q.Items, quiz.Item{QuestionID: question.ID, Order: order})
			q.Answers = append(q.Answers, quiz.AnswerRecord{QuestionID: question.ID, Choices: choices, Score: 1, Correct: true, AnsweredAt: at})
		}
		q.FinishedAt = &at
		e.Quizzes = append(e.Quizzes, q)
		rows += 41
		if k%10 == 9 {
			data, err := encoded()
			if err != nil {
				return nil, 0, err
			}
			if len(data) > limit*2/3 {
				break
			}
		}
	}
	for i := 0; ; i++ {
		reviewed := at.Add(time.Duration(i) * time.Minute)
		e.ReviewLogs = append(e.ReviewLogs, quiz.ExportReviewLog{CardID: fmt.Sprintf("card-%d", i%200), Rating: 3, ReviewedAt: reviewed, IntervalNS: int64(time.Hour)})
		rows++
		if i%100 == 99 {
			data, err := encoded()
			if err != nil {
				return nil, 0, err
			}
			// A hundred reviews are about 11 KB.
			if len(data) > limit-(32<<10) {
				if len(data) > limit {
					return nil, 0, fmt.Errorf("the file came out at %d bytes, over %d", len(data), limit)
				}
				return data, rows, nil
			}
		}
	}
}
