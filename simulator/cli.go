package simulator

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// RunCLI is the headless runner behind `server sim`: args are the arguments after
// "sim". It prints to stdout and stderr and returns the exit status: 0 when every
// check holds, 1 when one fails, 2 for a usage error.
//
//	sim --list
//	sim --scenario NAME [--seed N] [--for 60s] [--json]
//
// --list prints one scenario a line: its slug, a tab, its title. A run prints each
// check's verdict and the key figures, or with --json a JSON object with the verdicts,
// the figures, the final snapshot and every event.
func RunCLI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	list := fs.Bool("list", false, "list the scenarios, one a line: slug<TAB>title")
	name := fs.String("scenario", "", "the scenario to run (see --list)")
	seed := fs.Uint64("seed", 1, "the seed of the simulation's random numbers")
	dur := fs.Duration("for", 0, "how much virtual time to run (default: the scenario's own duration)")
	asJSON := fs.Bool("json", false, "print the result, the final snapshot and the events as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sim --list | sim --scenario NAME [--seed N] [--for 60s] [--json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sim: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *list {
		if *name != "" {
			fmt.Fprintln(stderr, "sim: --list takes no --scenario")
			return 2
		}
		for _, sc := range Scenarios() {
			fmt.Fprintf(stdout, "%s\t%s\n", sc.Slug, sc.Title)
		}
		return 0
	}
	if *name == "" {
		fmt.Fprintln(stderr, "sim: --scenario NAME or --list is required")
		fs.Usage()
		return 2
	}
	sc, ok := ScenarioBySlug(*name)
	if !ok {
		fmt.Fprintf(stderr, "sim: unknown scenario %q; try --list\n", *name)
		return 2
	}
	if *dur < 0 || *dur > 24*time.Hour {
		fmt.Fprintf(stderr, "sim: --for %v out of range 0..24h\n", *dur)
		return 2
	}
	res := RunScenario(sc, *seed, *dur)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "sim: %v\n", err)
			return 2
		}
	} else {
		printResult(stdout, sc, res)
	}
	if !res.Pass {
		return 1
	}
	return 0
}

func printResult(w io.Writer, sc Scenario, res Result) {
	fmt.Fprintf(w, "%s — %s (seed %d, %v of virtual time)\n\n", sc.Slug, sc.Title, res.Seed, time.Duration(res.DurationMS*float64(time.Millisecond)))
	failed, checks, yours := 0, 0, 0
	for _, v := range res.Checks {
		mark := "PASS"
		switch {
		case v.Yours:
			// Decided on what a learner does in the lab; nobody does here.
			mark = "TRY "
			yours++
		case !v.Pass:
			mark = "FAIL"
			failed++
			checks++
		default:
			checks++
		}
		fmt.Fprintf(w, "%s  %s\n      at %.1f s: %s\n", mark, v.Name, v.AtMS/1000, v.Detail)
	}
	fmt.Fprintln(w, "\nkey figures:")
	for _, f := range res.Figures {
		fmt.Fprintf(w, "  %-26s %g %s\n", f.Name, f.Value, f.Unit)
	}
	if failed == 0 {
		fmt.Fprintf(w, "\nall %d checks hold\n", checks)
	} else {
		fmt.Fprintf(w, "\n%d of %d checks failed\n", failed, checks)
	}
	if yours > 0 {
		fmt.Fprintf(w, "%d more (TRY) decide what a learner's own change does in the live lab\n", yours)
	}
}
