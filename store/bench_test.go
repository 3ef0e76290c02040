package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"microlab/quiz"
)

// benchItems is the length of the quizzes the benchmarks answer, the
// longest quiz.Build makes.
const benchItems = 20

// benchQuizzes creates n quizzes of benchItems questions spread over
// learners learners, and returns their ids and owners; quiz k belongs to
// owners[k].
func benchQuizzes(b *testing.B, db *DB, n, learners int) (ids, owners []string) {
	b.Helper()
	questions := make([]string, benchItems)
	for i := range questions {
		questions[i] = fmt.Sprintf("saga-%02d", i)
	}
	for k := range n {
		// Ids are random in production, so rows land all over the B-trees,
		// not at their right edge as sequential ids would.
		id, owner := randomID(uint64(k)), randomID(uint64(1<<40+k%learners))
		mustCreateQuiz(b, db, owner, newQuiz(id, questions...))
		ids, owners = append(ids, id), append(owners, owner)
	}
	return ids, owners
}

// answerOf is the answer saved to item idx of a benchmark quiz.
func answerOf(idx int) quiz.AnswerRecord { return right(fmt.Sprintf("saga-%02d", idx)) }

// BenchmarkSaveAnswer measures persisted answers per second: each
// SaveAnswer is a committed transaction. "sequential" is one client;
// "parallel" is 64 goroutines, each answering whole quizzes of its own, as
// 64 learners clicking at once would.
func BenchmarkSaveAnswer(b *testing.B) {
	ctx := context.Background()
	b.Run("sequential", func(b *testing.B) {
		db := MustOpen(b)
		ids, owners := benchQuizzes(b, db, b.N/benchItems+1, 1)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			k, idx := i/benchItems, i%benchItems
			if err := db.SaveAnswer(ctx, owners[k], ids[k], idx, answerOf(idx)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
	})
	b.Run("parallel", func(b *testing.B) {
		const clients = 64
		db := MustOpen(b)
		procs := max(1, clients/testingProcs())
		ids, owners := benchQuizzes(b, db, b.N/benchItems+procs*testingProcs()+1, clients)
		var next atomic.Int64
		b.SetParallelism(procs)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			k, idx := int(next.Add(1)-1), 0
			for pb.Next() {
				if idx == benchItems {
					k, idx = int(next.Add(1)-1), 0
				}
				if err := db.SaveAnswer(ctx, owners[k], ids[k], idx, answerOf(idx)); err != nil {
					b.Error(err)
					return
				}
				idx++
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
	})
}

// BenchmarkOneRowTransaction is the floor SaveAnswer is measured against:
// a transaction that inserts one row and commits, through the same writer.
func BenchmarkOneRowTransaction(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE bench (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO bench (id, v) VALUES (?, ?)", i, "x")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkQuiz measures reading a half-answered quiz of 20 questions, what
// the quiz page does before each answer, from 64 goroutines.
func BenchmarkQuiz(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	ids, owners := benchQuizzes(b, db, 1, 1)
	for idx := range benchItems / 2 {
		mustSaveAnswer(b, db, owners[0], ids[0], idx, answerOf(idx))
	}
	b.SetParallelism(max(1, 64/testingProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.Quiz(ctx, owners[0], ids[0]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}

// testingProcs is GOMAXPROCS, which RunParallel multiplies the parallelism
// by.
func testingProcs() int { return runtime.GOMAXPROCS(0) }

// randomID returns a well-formed id that looks random but depends only on
// n (SplitMix64 of n and n+1), so benchmark runs are repeatable.
func randomID(n uint64) string {
	mix := func(z uint64) uint64 {
		z += 0x9e3779b97f4a7c15
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	return fmt.Sprintf("%016x%016x", mix(2*n), mix(2*n+1))
}

// bigExport is a heavy learner's export: quizzes of benchItems questions,
// all answered, and reviews of a few hundred cards.
func bigExport(quizzes, logs int) quiz.Export {
	at := newClock().Now()
	e := quiz.Export{Format: quiz.ExportFormat, Version: quiz.ExportVersion, ExportedAt: at}
	for k := range quizzes {
		q := quiz.ExportQuiz{ID: randomID(uint64(k)), Spec: quiz.SpecRecord{Length: benchItems}, Seed: uint64(k), CreatedAt: at}
		for idx := range benchItems {
			a := answerOf(idx)
			a.AnsweredAt = at
			q.Items = append(q.Items, quiz.Item{QuestionID: a.QuestionID, Order: []int{2, 0, 1}})
			q.Answers = append(q.Answers, a)
		}
		q.FinishedAt = &at
		e.Quizzes = append(e.Quizzes, q)
	}
	for i := range logs {
		card := fmt.Sprintf("card-%d", i%500)
		reviewed := at.Add(time.Duration(i) * time.Minute)
		e.ReviewLogs = append(e.ReviewLogs, quiz.ExportReviewLog{CardID: card, Rating: 3, ReviewedAt: reviewed, IntervalNS: int64(time.Hour)})
		if i >= logs-500 || logs < 500 {
			last := reviewed
			e.Cards = append(e.Cards, quiz.ExportCard{CardID: card, State: 2, Stability: 3, Difficulty: 5, Due: reviewed.Add(time.Hour), LastReview: &last, Reps: 1})
		}
	}
	return e
}

// BenchmarkImport measures importing a heavy learner's export into a fresh
// learner: 1 000 quizzes of 20 answered questions and 20 000 reviews of
// 500 cards, about 61 000 rows, in transactions of DefaultImportBatch rows
// and, for comparison, in one transaction, during which no other write
// can proceed.
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	e := bigExport(1000, 20_000)
	for _, batch := range []int{DefaultImportBatch, 2000, 100_000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{ImportBatch: batch})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := db.Import(ctx, learnerB, e); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}
