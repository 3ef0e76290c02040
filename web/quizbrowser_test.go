package web

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"microlab/internal/browsertest"
	"microlab/internal/quizclient"
	"microlab/quiz"
)

// TestBrowserQuizWithJavaScript takes a whole quiz the way a keyboard user
// does, with htmx swapping each card: a refused answer shows why in place
// and keeps the form, the title follows the quiz, focus lands on the new
// question or its feedback (never <body>), Enter submits from an option,
// and the result arrives as one page, not nested in the card.
func TestBrowserQuizWithJavaScript(t *testing.T) {
	b := browsertest.New(t)
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	tab := b.NewTab(1280, 900, "light")
	tab.Do(chromedp.Navigate(srv.URL+"/quiz?topic=saga"),
		chromedp.Click(chromedp.CSS(`input[name=length][value="20"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=start-quiz]`)),
		// The saga bank holds fewer than 20: the builder says so first.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=short-quiz]`)),
	)
	tab.Screenshot("quiz-builder-short")
	tab.CheckAxe()
	tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=start-short]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=answer-form]`)),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
	)
	total := browsertest.Eval[int](tab, `+document.querySelector('#quiz-progress').max`)
	focused := func() string {
		return browsertest.Eval[string](tab, `(() => { const e = document.activeElement; return e.tagName + (e.dataset.testid ? '#' + e.dataset.testid : '') + (e.classList.contains('quiz-prompt') ? '.quiz-prompt' : ''); })()`)
	}
	settled := waitJS(`!document.querySelector('.htmx-settling, .htmx-swapping, .htmx-request')`, 5*time.Second)
	refusedChoice, refusedOrder := false, false
	for n := 1; n <= total; n++ {
		if got, want := browsertest.Eval[string](tab, `document.title`), fmt.Sprintf("Question %d of %d · Microlab", n, total); got != want {
			t.Errorf("title = %q, want %q", got, want)
		}
		if n > 1 {
			if f := focused(); f != "H1.quiz-prompt" {
				t.Errorf("question %d: focus is on %s, want the new question's heading", n, f)
			}
		}
		qid := browsertest.Eval[string](tab, `document.querySelector('[data-testid=quiz-card]').dataset.question`)
		q, ok := ts.catalog.Question(qid)
		if !ok {
			t.Fatalf("question %d is %q, not in the catalog", n, qid)
		}
		// First a refusal, once for each kind of form.
		switch {
		case q.Type != quiz.TypeOrdering && !refusedChoice:
			refusedChoice = true
			tab.Do(chromedp.Click(chromedp.CSS(`[data-testid=answer-form] button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=answer-problem]`)), settled)
			if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=answer-problem]').textContent`); !strings.Contains(got, "Pick one of the options") && !strings.Contains(got, "Tick at least one option") {
				t.Errorf("submitting nothing says %q, want it to ask for a choice", got)
			}
			if f := focused(); f != "P#answer-problem" {
				t.Errorf("after a refusal focus is on %s, want the message", f)
			}
			tab.Screenshot("quiz-refused-choice")
			tab.CheckAxe()
		case q.Type == quiz.TypeOrdering && !refusedOrder:
			refusedOrder = true
			tab.Do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('[data-testid=answer-form] select').forEach(s => { s.value = '1'; })`),
				chromedp.Click(chromedp.CSS(`[data-testid=answer-form] button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=answer-problem]`)), settled)
			if got := browsertest.Eval[string](tab, `document.querySelector('[data-testid=answer-problem]').textContent`); !strings.Contains(got, "Two items share position 1") {
				t.Errorf("two items at position 1 says %q", got)
			}
			// With script the items move and the menus follow the list:
			// the refused form shows the items in order, one a place.
			if got := browsertest.Eval[string](tab, `[...document.querySelectorAll('ol[data-reorder] select')].map(s => s.value).join(',')`); got != positions(len(q.Options)) {
				t.Errorf("after the refusal the menus say %s, want the list's order %s", got, positions(len(q.Options)))
			}
			// Move the first item down with the keyboard.
			first := browsertest.Eval[string](tab, `document.querySelector('ol[data-reorder] li').dataset.option`)
			tab.Do(chromedp.Focus(chromedp.CSS(`ol[data-reorder] li`)), chromedp.KeyEvent(kb.ArrowDown))
			if got := browsertest.Eval[string](tab, `(() => { const li = document.querySelector('ol[data-reorder] li:nth-child(2)'); return li.dataset.option + ' ' + li.querySelector('select').value + ' ' + (document.activeElement === li); })()`); got != first+" 2 true" {
				t.Errorf("after ArrowDown on the first item, the second is %q, want %s at position 2, focused", got, first)
			}
			tab.Screenshot("quiz-refused-order")
			tab.CheckAxe()
		}

		// Then the right answer; Enter on a focused option submits.
		form, _ := quizclient.RightAnswer(q, n)
		fields, _ := json.Marshal(form)
		tab.Do(chromedp.Evaluate[chromedp.Void](`(() => { const f = `+string(fields)+`;
			document.querySelectorAll('[data-testid=answer-form] input[name=choice]').forEach(i => { i.checked = (f.choice || []).includes(i.value); });
			document.querySelectorAll('[data-testid=answer-form] select').forEach(s => { s.value = f[s.name][0]; });
			(document.querySelector('[data-testid=answer-form] input[name=choice]') || document.querySelector('[data-testid=answer-form] select')).focus(); })()`),
			chromedp.KeyEvent("\r"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=feedback]`)), settled)
		if got, want := browsertest.Eval[string](tab, `document.title`), fmt.Sprintf("Question %d of %d: right · Microlab", n, total); got != want {
			t.Errorf("after a right answer the title is %q, want %q", got, want)
		}
		if f := focused(); f != "DIV#feedback" {
			t.Errorf("question %d: after answering focus is on %s, want the feedback", n, f)
		}
		if n < total {
			// htmx wires the new form up as the swap settles: wait for that,
			// as a person (who takes longer than 20 ms to answer) does.
			tab.Do(chromedp.KeyEvent("n"), waitJS(fmt.Sprintf(`document.title === 'Question %d of %d · Microlab' && !document.querySelector('.htmx-settling, .htmx-swapping, .htmx-request')`, n+1, total), 5*time.Second))
		}
	}
	if !refusedChoice || !refusedOrder {
		t.Errorf("refused a choice %v, an ordering %v: the saga quiz should have both", refusedChoice, refusedOrder)
	}
	if !browsertest.Eval[bool](tab, `window.__sameDocument === true`) {
		t.Error("the quiz reloaded the page; htmx should have swapped the cards")
	}

	tab.Do(chromedp.KeyEvent("n"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=score]`)))
	if got := browsertest.Eval[string](tab, `location.pathname`); !strings.HasSuffix(got, "/result") {
		t.Errorf("after the last question N led to %s", got)
	}
	if n := browsertest.Eval[string](tab, `['header.site-header', 'main', 'nav[aria-label=Main]'].map(s => document.querySelectorAll(s).length).join(' ')`); n != "1 1 1" {
		t.Errorf("the result page has %s headers, mains and main navs; want one of each", n)
	}
	tab.Screenshot("quiz-result")
	tab.CheckAxe()
	// The browser logs every 4xx it receives; the refusals are meant.
	for _, p := range tab.Problems() {
		if !(strings.Contains(p, "status of 400") && strings.Contains(p, "/answer)")) &&
			!(strings.Contains(p, "status of 422") && strings.HasSuffix(p, "/quiz)")) {
			t.Error(p)
		}
	}
}

// positions is "1,2,…,n".
func positions(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(out, ",")
}
