package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"microlab/internal/materials"
	"microlab/internal/quizclient"
	"microlab/quiz"
	"microlab/store"
)

// serveEnv makes the test binary act as the server: the crash test runs
// it as a real child process so it can kill it with SIGKILL.
const serveEnv = "MICROLAB_TEST_SERVE_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(serveEnv); args != "" {
		os.Exit(run(context.Background(), strings.Fields(args), func(string) string { return "" }, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// child is a server running in its own process.
type child struct {
	cmd *exec.Cmd
	url string
}

func startChild(t *testing.T, dataDir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), serveEnv+"=-addr 127.0.0.1:0 -metrics-addr 127.0.0.1:0 -log-level error -data "+dataDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	urls := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if i := strings.Index(lines.Text(), "http://"); i >= 0 {
				urls <- lines.Text()[i:]
			}
		}
	}()
	select {
	case u := <-urls:
		return &child{cmd: cmd, url: u}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the server did not start")
	}
	return nil
}

// TestAcknowledgedAnswersSurviveSIGKILL is issue 5's durability test:
// concurrent learners answer quizzes against a real server process, which
// is killed with SIGKILL under load and started again on the same data.
// Every answer that got its 303 must be there, and no quiz may be
// half-written.
func TestAcknowledgedAnswersSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real server processes")
	}
	_, catalog, err := materials.Load()
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	srv := startChild(t, dataDir)

	const clients = 16
	var (
		mu     sync.Mutex
		acks   []quizclient.Ack
		wg     sync.WaitGroup
		cls    = make([]*quizclient.Client, clients)
		stop   = make(chan struct{})
		killed = make(chan struct{})
	)
	for i := range clients {
		cls[i] = quizclient.New(srv.url, catalog, nil)
		wg.Add(1)
		go func(c *quizclient.Client) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := c.TakeQuiz(20, func(a quizclient.Ack) {
					mu.Lock()
					acks = append(acks, a)
					mu.Unlock()
				})
				if err != nil {
					select {
					case <-killed:
						return // expected: the server is gone
					default:
						t.Errorf("before the kill: %v", err)
						return
					}
				}
			}
		}(cls[i])
	}
	// Let the load build up, then kill the server in the middle of it.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= 500 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(killed)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acks) < 100 {
		t.Fatalf("only %d answers were acknowledged before the kill; the load did not build up", len(acks))
	}

	// Start again on the same data: it must come up and serve.
	again := startChild(t, dataDir)
	res, err := http.Get(again.url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("restarted server not ready: %v %v", res, err)
	}
	res.Body.Close()
	// A learner's cookie still works across the restart: the secret lived
	// in the data folder.
	c := cls[0]
	c.Base = again.url
	checked := false
	for _, a := range acks {
		if a.Learner != c.Learner() {
			continue
		}
		body, status := c.Get("/quiz/" + a.QuizID + "/q/" + strconv.Itoa(a.Index+1))
		if status != 200 || !strings.Contains(body, `data-testid="feedback"`) {
			t.Errorf("after the restart, an acknowledged answer's page = %d without feedback", status)
		}
		checked = true
		break
	}
	if !checked {
		t.Error("client 0 had no acknowledged answer to read back")
	}
	again.cmd.Process.Signal(syscall.SIGTERM)
	again.cmd.Wait()

	db, err := store.Open(context.Background(), filepath.Join(dataDir, "microlab.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	quizzes := map[string]quiz.Attempt{}
	for _, a := range acks {
		q, ok := quizzes[a.QuizID]
		if !ok {
			if q, err = db.Quiz(context.Background(), a.Learner, a.QuizID); err != nil {
				t.Fatalf("acknowledged quiz %s: %v", a.QuizID, err)
			}
			quizzes[a.QuizID] = q
		}
		if a.Index >= len(q.Answers) {
			t.Errorf("quiz %s: acknowledged answer %d is missing (the quiz has %d)", a.QuizID, a.Index+1, len(q.Answers))
			continue
		}
		got := q.Answers[a.Index]
		if got.QuestionID != a.QuestionID || fmt.Sprint(got.Choices) != fmt.Sprint(a.Choices) {
			t.Errorf("quiz %s answer %d = %s %v, want %s %v", a.QuizID, a.Index+1, got.QuestionID, got.Choices, a.QuestionID, a.Choices)
		}
	}
	for id, q := range quizzes {
		if q.Finished() != (len(q.Answers) == len(q.Items)) {
			t.Errorf("quiz %s is half-written: finished=%v with %d of %d answers", id, q.Finished(), len(q.Answers), len(q.Items))
		}
		for i, a := range q.Answers {
			if a.QuestionID != q.Items[i].QuestionID {
				t.Errorf("quiz %s answer %d is for %s, item is %s", id, i+1, a.QuestionID, q.Items[i].QuestionID)
			}
		}
	}
	t.Logf("%d answers acknowledged before SIGKILL, all present after restart, in %d quizzes", len(acks), len(quizzes))
}
