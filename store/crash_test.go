package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crashEnv names the database the helper process writes to.
const crashEnv = "MICROLAB_STORE_CRASH_DB"

// TestCrashHelper is not a test on its own: TestAnAnswerSurvivesAKilledProcess
// runs it in a child process, which saves an answer, says so, and waits to
// be killed.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run as a child process by TestAnAnswerSurvivesAKilledProcess")
	}
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	if err := db.SaveAnswer(context.Background(), learnerA, quizID(1), 0, right("saga-01")); err != nil {
		fmt.Println("save:", err)
		os.Exit(1)
	}
	fmt.Println("saved")
	time.Sleep(time.Minute) // killed long before
	os.Exit(1)
}

func TestAnAnswerSurvivesAKilledProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	c := newClock()
	path := filepath.Join(t.TempDir(), "crash.db")
	db := mustOpenFile(t, path, c)
	mustCreateQuiz(t, db, learnerA, newQuiz(quizID(1), "saga-01", "saga-02"))
	db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var said []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		said = append(said, lines.Text())
		if lines.Text() == "saved" {
			break
		}
	}
	cmd.Process.Kill() // SIGKILL: no deferred Close, no checkpoint
	cmd.Wait()
	if len(said) == 0 || said[len(said)-1] != "saved" {
		t.Fatalf("the child did not save: %s", strings.Join(said, "\n"))
	}

	db = mustOpenFile(t, path, c)
	defer db.Close()
	q := mustQuiz(t, db, learnerA, quizID(1))
	if len(q.Answers) != 1 || q.Answers[0].QuestionID != "saga-01" {
		t.Errorf("after the kill, answers = %+v, want the one the child saved", q.Answers)
	}
}
