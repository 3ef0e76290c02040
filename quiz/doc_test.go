package quiz

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPurity holds the package to what doc.go promises: no I/O packages,
// none of ours, no wall clock and no global randomness.
func TestPurity(t *testing.T) {
	forbidden := map[string]bool{
		"os": true, "os/exec": true, "net": true, "net/http": true, "database/sql": true,
		"log": true, "log/slog": true, "math/rand": true, "syscall": true, "unsafe": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			switch {
			case forbidden[p]:
				t.Errorf("%s imports %s, which does I/O or is global state", name, p)
			case strings.HasPrefix(p, "microlab/"):
				t.Errorf("%s imports %s; quiz imports none of our packages", name, p)
			case strings.Contains(first, ".") && p != "gopkg.in/yaml.v3":
				t.Errorf("%s imports %s; the only outside dependency is gopkg.in/yaml.v3", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok {
				call := pkg.Name + "." + sel.Sel.Name
				switch {
				case call == "time.Now", call == "time.Since", call == "time.Until":
					t.Errorf("%s: %s reads the wall clock; pass the time in", fset.Position(sel.Pos()), call)
				case pkg.Name == "rand" && sel.Sel.Name != "NewPCG" && sel.Sel.Name != "PCG":
					t.Errorf("%s: %s; draw only from a seeded rand.PCG", fset.Position(sel.Pos()), call)
				}
			}
			return true
		})
	}
}
