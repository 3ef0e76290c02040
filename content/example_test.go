package content_test

import (
	"fmt"
	"testing/fstest"

	"microlab/content"
)

func ExampleLibrary_Search() {
	// A guide with the front matter every page needs.
	guide := func(title, slug string, order int, related, body string) *fstest.MapFile {
		return &fstest.MapFile{Data: fmt.Appendf(nil, `---
title: %s
slug: %s
kind: guide
order: %d
summary: A short guide.
related: [%s]
tags: [example]
reviewed: 2026-11-28
---
%s`, title, slug, order, related, body)}
	}
	lib, err := content.Load(fstest.MapFS{
		"guides/retries.md": guide("Retries", "retries", 1, "timeouts",
			"## Budgets\n\nA retry budget caps retries at a share of all requests, so a struggling service is not buried.\n"),
		"guides/timeouts.md": guide("Timeouts", "timeouts", 2, "retries",
			"## Deadlines\n\nEvery call needs a deadline; without one, a retry can wait forever.\n"),
	}, content.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}

	for _, r := range lib.Search("retry budg", 10) {
		fmt.Printf("%s#%s\n", r.Page.URL, r.Section)
		for _, f := range r.Snippet {
			if f.Hit {
				fmt.Printf("[%s]", f.Text)
			} else {
				fmt.Print(f.Text)
			}
		}
		fmt.Println()
	}
	// Output:
	// /guides/retries#budgets
	// A [retry] [budget] caps [retries] at a share of all requests, so a struggling service is not buried.
}

func ExampleLibrary_Nearest() {
	lib, err := content.Default(content.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range lib.Nearest("/patterns/circut-braker", 1) {
		fmt.Println(p.URL)
	}
	// Output:
	// /patterns/circuit-breaker
}
