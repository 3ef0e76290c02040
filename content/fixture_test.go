package content_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"microlab/content"
)

// filler returns n words of plausible prose, in sentences.
func filler(n int) string {
	sentence := strings.Fields("Retries hide brief faults but multiply load when a dependency is already struggling, so every retry needs a budget.")
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sentence[i%len(sentence)])
	}
	b.WriteByte('.')
	return b.String()
}

const fixtureSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" role="img" aria-labelledby="t d">
  <title id="t">A retried call</title>
  <desc id="d">The client calls, fails, waits and calls again.</desc>
  <rect width="100" height="50" rx="8" fill="#f8fafc"/>
</svg>
`

// fixturePattern is a complete, valid pattern page.
func fixturePattern() string {
	return `---
title: Retry
slug: retry
kind: pattern
order: 1
summary: Try a failed call again, a bounded number of times, with backoff.
related: [why-retry, basics]
lab: retry-storm
tags: [resilience]
key_points:
  - Retry only calls that are safe to repeat.
  - Back off exponentially up to ` + "`maxDelay`" + `; see [the answer](/questions/why-retry#the-short-answer).
  - "Cap attempts: three at most."
  - Budget retries across the fleet.
  - Never retry into an open breaker.
reviewed: 2026-11-28
---

## The problem

` + filler(120) + `

## How it works

![The client calls, fails, waits and calls again.](/diagrams/retry.svg "A retried call")

The client waits ` + "`100 ms`" + `, then "doubles" the wait -- up to a cap. See [the basics](/guides/basics#the-idea)
and [the interview answer](/questions/why-retry), or [the breaker docs](https://resilience4j.readme.io/docs/circuitbreaker)
(mirrored at www.example.org).

` + filler(120) + `

` + "```go" + `
for attempt := range 3 {
	if err := call(); err == nil {
		return nil
	}
}
` + "```" + `

## A worked example in the shop

` + filler(120) + `

- [x] retries bounded
- [ ] ~~retry forever~~

## Knobs and defaults

| Knob | Resilience4j | Microlab |
|:---|---:|:---:|
| attempts | 3 | 3 |

` + filler(100) + `

## Trade-offs and failure modes

` + filler(120) + `

## When not to use it

` + filler(120) + `

## In the interview

### What interviewers probe

` + filler(60) + `

### Weak answers

` + filler(60) + `

### A strong 60-second answer

` + filler(60) + `

## Related patterns

See [why retry](/questions/why-retry) and [the problem](#the-problem).
`
}

// fixtureQuestion is a complete, valid question page.
func fixtureQuestion() string {
	return `---
title: Why retry?
slug: why-retry
kind: question
order: 1
summary: When retrying helps and when it hurts.
related: [retry]
tags: [resilience]
reviewed: 2026-11-28
question: When should a service retry a failed call?
key_points:
  - Retry only idempotent calls, or calls made idempotent with a key.
  - Back off exponentially with jitter; see [the pattern](/patterns/retry#how-it-works).
  - Cap attempts with ` + "`maxAttempts`" + `.
  - Budget retries across the fleet.
  - Never retry into an open breaker.
follow_ups:
  - q: What is a retry budget?
    a: A cap on retries as a share of requests, such as ` + "`20%`" + `.
  - q: Why jitter?
    a: So that clients which failed together do not retry together.
strong_answer:
  - Names the numbers of the budget, such as a 10% limit on retries per client.
  - Says how a retry storm shows up, as requests per second rising while successes fall; see [the pattern](/patterns/retry#how-it-works).
---

## The two-minute answer

` + filler(300) + `

## The short answer

` + filler(60) + `
`
}

// fixtureGuide is a complete, valid guide.
func fixtureGuide() string {
	return `---
title: Basics
slug: basics
kind: guide
order: 1
summary: The idea behind retries.
related: [retry]
tags: [basics]
reviewed: 2026-11-28
---

## The idea

` + filler(80) + `
`
}

// validFixture returns a small content tree that passes every check.
func validFixture() fstest.MapFS {
	return fstest.MapFS{
		"patterns/retry.md":      {Data: []byte(fixturePattern())},
		"questions/why-retry.md": {Data: []byte(fixtureQuestion())},
		"guides/basics.md":       {Data: []byte(fixtureGuide())},
		"diagrams/retry.svg":     {Data: []byte(fixtureSVG)},
	}
}

// fixtureOptions knows the fixture's lab and quiz topic.
func fixtureOptions() content.Options {
	return content.Options{Labs: []string{"retry-storm"}, QuizTopics: []string{"retry"}}
}

// edit replaces the first old in file with new, failing if old is absent.
func edit(tb testing.TB, fsys fstest.MapFS, file, old, new string) {
	tb.Helper()
	f, ok := fsys[file]
	if !ok {
		tb.Fatalf("fixture has no %s", file)
	}
	if !bytes.Contains(f.Data, []byte(old)) {
		tb.Fatalf("fixture %s does not contain %q", file, old)
	}
	fsys[file] = &fstest.MapFile{Data: bytes.Replace(f.Data, []byte(old), []byte(new), 1)}
}

// lineOf is the 1-based line of the first occurrence of s in the file.
func lineOf(tb testing.TB, fsys fstest.MapFS, file, s string) int {
	tb.Helper()
	i := bytes.Index(fsys[file].Data, []byte(s))
	if i < 0 {
		tb.Fatalf("%s does not contain %q", file, s)
	}
	return bytes.Count(fsys[file].Data[:i], []byte("\n")) + 1
}

// mustLoad loads fsys and fails the test on any error.
func mustLoad(tb testing.TB, fsys fstest.MapFS, opts content.Options) *content.Library {
	tb.Helper()
	lib, err := content.Load(fsys, opts)
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return lib
}

// problems returns the problems of a *content.ValidationError.
func problems(tb testing.TB, err error) []*content.Error {
	tb.Helper()
	var ve *content.ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("error = %v, want a *content.ValidationError", err)
	}
	return ve.Problems
}
