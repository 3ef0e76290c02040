package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"microlab/internal/browsertest"
)

// TestJSClient runs the lab client's own tests (static/js/lab/*.test.js)
// with Node's built-in test runner. Without node it skips, unless
// MICROLAB_BROWSER_TESTS=require (as in CI), where a missing node fails.
func TestJSClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv(browsertest.RequireEnv) == "require" {
			t.Fatalf("node is not on PATH, and %s=require: install Node.js (20 or later)", browsertest.RequireEnv)
		}
		t.Skipf("node is not on PATH; set %s=require to make this a failure", browsertest.RequireEnv)
	}
	files, err := filepath.Glob(filepath.Join("static", "js", "*", "*.test.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("found no *.test.js under static/js")
	}
	out, err := exec.Command(node, append([]string{"--test", "--test-reporter=spec"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %v: %v\n%s", files, err, out)
	}
	t.Logf("node --test %v:\n%s", files, out)
}
