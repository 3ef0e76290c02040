package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// runColdStart starts the server binary bin on a fresh data folder runs
// times, and for each reports the time from exec to the first answered
// GET / and the resident memory after it has idled for two seconds.
func runColdStart(bin string, runs int) error {
	client := &http.Client{Timeout: time.Second}
	for i := 1; i <= runs; i++ {
		dir, err := os.MkdirTemp("", "microlab-coldstart-")
		if err != nil {
			return err
		}
		cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", dir, "-log-level", "warn")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			cmd.Process.Kill()
			return fmt.Errorf("reading the server's URL: %w", err)
		}
		url := strings.TrimSpace(line[strings.Index(line, "http://"):])
		listening := time.Since(start)
		for {
			res, err := client.Get(url + "/")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > 10*time.Second {
				cmd.Process.Kill()
				return fmt.Errorf("no answer from %s within 10 s", url)
			}
			time.Sleep(time.Millisecond)
		}
		first := time.Since(start)
		time.Sleep(2 * time.Second)
		rss := residentKB(cmd.Process.Pid)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		os.RemoveAll(dir)
		fmt.Printf("run %d: listening after %s, first page served after %s, idle resident memory %.1f MB\n",
			i, listening.Round(time.Millisecond), first.Round(time.Millisecond), float64(rss)/1024)
	}
	return nil
}

// residentKB reads VmRSS of a process from /proc.
func residentKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:")), "%d", &kb)
			return kb
		}
	}
	return 0
}
