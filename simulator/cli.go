package simulator

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// RunCLI is the headless runner behind `server sim`: args are the arguments after
// "sim". It prints to stdout and stderr and returns the exit status: 0 when every
// check holds, 1 when one fails, 2 for a usage error.
//
//	sim --list
//	sim --scenario NAME [--seed N] [--for 60s] [--json]
//	sim --replay FILE [--json]
//
// --replay re-runs a recorded lab run (a replay page's "Download this
// run") to its end and prints what a scenario run prints; a run of free
// play has no checks, so it prints the key figures alone.
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
	replay := fs.String("replay", "", "replay a recorded run from this JSON file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sim --list | sim --scenario NAME [--seed N] [--for 60s] [--json] | sim --replay FILE [--json]")
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
	if *replay != "" {
		if *name != "" || *dur != 0 {
			fmt.Fprintln(stderr, "sim: --replay takes its scenario, seed and length from the file")
			return 2
		}
		return replayCLI(*replay, *asJSON, stdout, stderr)
	}
	if *name == "" {
		fmt.Fprintln(stderr, "sim: --scenario NAME, --replay FILE or --list is required")
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
	return report(res, sc, *asJSON, stdout, stderr)
}

// report prints a run's result, as JSON or for a person, and returns the
// exit status: 0 when every check holds, 1 when one fails.
func report(res Result, sc Scenario, asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
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

// replayCLI re-runs the record in file: 0 when it replays and every check
// holds, 1 when a check fails, 2 when the file is not a run that replays.
func replayCLI(file string, asJSON bool, stdout, stderr io.Writer) int {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "sim: %v\n", err)
		return 2
	}
	defer f.Close()
	rec, err := DecodeRecord(f)
	if err != nil {
		fmt.Fprintf(stderr, "sim: %s: %v\n", file, err)
		return 2
	}
	p, err := NewReplayer(rec)
	if err != nil {
		fmt.Fprintf(stderr, "sim: %s: %v\n", file, err)
		return 2
	}
	p.RunUntil(rec.End())
	if err := p.Err(); err != nil {
		fmt.Fprintf(stderr, "sim: %s does not replay: %v\n", file, err)
		return 2
	}
	var res Result
	if p.Script() != nil {
		res = p.Script().Result()
		res.DurationMS = ms(rec.End())
	} else {
		snap := p.Sim().Snapshot()
		res = Result{Scenario: "free-play", Seed: rec.Seed, DurationMS: ms(rec.End()), Pass: true,
			Snapshot: snap, Events: p.Sim().Events(0), Figures: keyFigures(p.Sim(), snap)}
	}
	sc := Scenario{Slug: "free-play", Title: "Free play"}
	if p.Script() != nil {
		sc = *p.Script().Scenario()
	}
	if !asJSON {
		fmt.Fprintf(stdout, "replaying %s: %d commands\n", file, len(rec.Commands))
	}
	return report(res, sc, asJSON, stdout, stderr)
}
